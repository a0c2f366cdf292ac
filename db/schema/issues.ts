import { sql } from 'drizzle-orm'
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core'
import { issueEventKinds, issueKinds, issueStatuses, resolutions, templateTargets } from '#app/domain/enums.ts'
import { users } from './accounts.ts'
import { samples, useCases, versions } from './datasets.ts'

/**
 * The owner-facing unit of feedback on a version: one per flagged sample, per template target,
 * per opposed use-case comment. Flags and comments point at their issue (`issue_id`). Counters
 * and the arrays the inbox filters on are kept here, recomputed whenever feedback changes, so
 * the inbox never aggregates flags.
 */
export const issues = pgTable(
	'issues',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		versionId: uuid('version_id')
			.notNull()
			.references(() => versions.id, { onDelete: 'cascade' }),
		// "#12", numbered per version.
		number: integer('number').notNull(),
		kind: text('kind', { enum: issueKinds }).notNull(),
		sampleId: bigint('sample_id', { mode: 'number' }).references(() => samples.id, { onDelete: 'set null' }),
		// Kept beside sample_id: carry-over matches on them, and a removed sample still has a name.
		externalId: text('external_id'),
		contentHash: text('content_hash'),
		// A copy of the sample's metadata (a sample row never changes), so the inbox's attribute
		// filter reads only issues: joining samples made it grow with the version (decision 016).
		sampleMetadata: jsonb('sample_metadata').$type<Record<string, unknown>>(),
		templateTarget: text('template_target', { enum: templateTargets }),
		useCaseId: uuid('use_case_id').references(() => useCases.id, { onDelete: 'cascade' }),
		// Comments are never deleted (only blanked), so no foreign key is needed here.
		commentId: uuid('comment_id'),
		// Every issue carried over from this one shares its lineage (the first issue's id).
		lineageId: uuid('lineage_id').notNull(),
		carriedFromId: uuid('carried_from_id').references((): AnyPgColumn => issues.id, { onDelete: 'set null' }),
		status: text('status', { enum: issueStatuses }).notNull().default('open'),
		resolution: text('resolution', { enum: resolutions }),
		needsReReview: boolean('needs_re_review').notNull().default(false),
		blocking: boolean('blocking').notNull().default(false),
		blockingReasons: jsonb('blocking_reasons').$type<string[]>().notNull().default([]),
		// The owner's call: null follows the rules, true/false overrides them (with a reason).
		ownerBlocking: boolean('owner_blocking'),
		assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
		publicResponse: text('public_response').notNull().default(''),
		flagCount: integer('flag_count').notNull().default(0),
		flaggerCount: integer('flagger_count').notNull().default(0),
		// 0 none, 1 minor, 2 major, 3 critical — sortable.
		maxSeverity: integer('max_severity').notNull().default(0),
		categories: text('categories')
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		severities: text('severities')
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		affectedGroups: text('affected_groups')
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		// Optimistic concurrency: every triage edit names the revision it was made on.
		revision: integer('revision').notNull().default(1),
		triagedAt: timestamp('triaged_at', { withTimezone: true }),
		remindedAt: timestamp('reminded_at', { withTimezone: true }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [
		uniqueIndex('issues_version_number_key').on(t.versionId, t.number),
		uniqueIndex('issues_version_sample_key')
			.on(t.versionId, t.sampleId)
			.where(sql`kind = 'sample' and sample_id is not null`),
		uniqueIndex('issues_version_template_key')
			.on(t.versionId, t.templateTarget)
			.where(sql`kind = 'template'`),
		uniqueIndex('issues_comment_key')
			.on(t.commentId)
			.where(sql`kind = 'use_case'`),
		index('issues_inbox_idx').on(t.versionId, t.status, t.blocking),
		index('issues_lineage_idx').on(t.lineageId),
		index('issues_categories_idx').using('gin', t.categories),
		index('issues_groups_idx').using('gin', t.affectedGroups),
		index('issues_sample_metadata_idx').using('gin', sql`${t.sampleMetadata} jsonb_path_ops`),
		// The inbox's sorts, read backwards (all descending) from the version's first page.
		index('issues_severity_sort_idx').on(t.versionId, t.blocking, t.maxSeverity, t.flaggerCount, t.number),
		index('issues_flaggers_sort_idx').on(t.versionId, t.flaggerCount, t.number),
		index('issues_updated_sort_idx').on(t.versionId, t.updatedAt, t.number),
		// The owner's inbox (/inbox): blocking issues nobody has triaged yet, oldest first.
		index('issues_untriaged_blockers_idx')
			.on(t.versionId, t.createdAt)
			.where(sql`blocking and triaged_at is null and status <> 'resolved'`),
	],
)

/**
 * `affected_groups` of every issue, one row per (issue, group), kept by evaluateIssue whenever an
 * issue's groups change (and gone with the issue): the inbox's group list is the distinct names of
 * a version, read by skipping through (version_id, name) instead of unnesting every issue.
 */
export const issueGroups = pgTable(
	'issue_groups',
	{
		issueId: uuid('issue_id')
			.notNull()
			.references(() => issues.id, { onDelete: 'cascade' }),
		versionId: uuid('version_id').notNull(),
		name: text('name').notNull(),
	},
	(t) => [primaryKey({ columns: [t.issueId, t.name] }), index('issue_groups_version_name_idx').on(t.versionId, t.name)],
)

/** An issue's history, append-only. `internal` events (notes) are shown to the dataset team only. */
export const issueEvents = pgTable(
	'issue_events',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		issueId: uuid('issue_id')
			.notNull()
			.references(() => issues.id, { onDelete: 'cascade' }),
		kind: text('kind', { enum: issueEventKinds }).notNull(),
		// Null for the system (rules re-evaluated, carry-over).
		actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
		before: jsonb('before').$type<Record<string, unknown>>(),
		after: jsonb('after').$type<Record<string, unknown>>(),
		note: text('note').notNull().default(''),
		internal: boolean('internal').notNull().default(true),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('issue_events_issue_idx').on(t.issueId, t.createdAt)],
)

/**
 * Every action of a dataset's team: who, what, when, before → after. Append-only: a trigger
 * (migration 0003) refuses UPDATE and DELETE, and there are no foreign keys, so neither a deleted
 * account nor a cascade can rewrite it. The actor's name is copied at the time of the action.
 */
export const auditEvents = pgTable(
	'audit_events',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		datasetId: uuid('dataset_id').notNull(),
		versionId: uuid('version_id'),
		actorId: uuid('actor_id'),
		actorName: text('actor_name').notNull().default(''),
		action: text('action').notNull(),
		targetType: text('target_type').notNull(),
		targetId: text('target_id').notNull().default(''),
		targetLabel: text('target_label').notNull().default(''),
		before: jsonb('before').$type<Record<string, unknown>>(),
		after: jsonb('after').$type<Record<string, unknown>>(),
		reason: text('reason').notNull().default(''),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('audit_events_dataset_idx').on(t.datasetId, t.createdAt)],
)
