import { sql } from 'drizzle-orm'
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core'
import { flagCategories, flagKinds, severities, stances, templateTargets, verdicts } from '#app/domain/enums.ts'
import { users } from './accounts.ts'
import { samples, useCases } from './datasets.ts'
import { issues } from './issues.ts'
import { participants, rounds } from './rounds.ts'

/** A participant's verdict on one sample of a round: no concerns, flagged (with flags), or skipped. */
export const reviews = pgTable(
	'reviews',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		roundId: uuid('round_id')
			.notNull()
			.references(() => rounds.id, { onDelete: 'cascade' }),
		participantId: uuid('participant_id')
			.notNull()
			.references(() => participants.id, { onDelete: 'cascade' }),
		sampleId: bigint('sample_id', { mode: 'number' })
			.notNull()
			.references(() => samples.id, { onDelete: 'cascade' }),
		verdict: text('verdict', { enum: verdicts }).notNull(),
		skipReason: text('skip_reason').notNull().default(''),
		revision: integer('revision').notNull().default(1),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [
		uniqueIndex('reviews_participant_sample_key').on(t.participantId, t.sampleId),
		// Covering: the dashboard's aggregates (app/models/insights.server.ts) read a round's reviews
		// index-only, instead of visiting heap pages shared with every other version's reviews.
		index('reviews_round_sample_cover_idx').on(t.roundId, t.sampleId, t.verdict, t.participantId, t.id),
	],
)

/**
 * Idempotency keys of verdicts sent by the focus view's local queue (with JavaScript, decision 051):
 * a verdict is recorded in the same transaction that claims its key, so a verdict sent twice (a
 * retry after a lost answer, a page reloaded with verdicts waiting) is recorded once. Kept with
 * the participant; a key means "this verdict was recorded", nothing else.
 */
export const verdictKeys = pgTable(
	'verdict_keys',
	{
		participantId: uuid('participant_id')
			.notNull()
			.references(() => participants.id, { onDelete: 'cascade' }),
		key: text('key').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [primaryKey({ columns: [t.participantId, t.key] })],
)

/** One concern about a sample (or, with `templateTarget`, about the generator's templates or personas). */
export const flags = pgTable(
	'flags',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		reviewId: uuid('review_id').references((): AnyPgColumn => reviews.id, { onDelete: 'cascade' }),
		roundId: uuid('round_id')
			.notNull()
			.references(() => rounds.id, { onDelete: 'cascade' }),
		participantId: uuid('participant_id')
			.notNull()
			.references(() => participants.id, { onDelete: 'cascade' }),
		sampleId: bigint('sample_id', { mode: 'number' }).references(() => samples.id, { onDelete: 'cascade' }),
		// Template feedback: which part of the generator's provenance it is about (sample_id is null then).
		templateTarget: text('template_target', { enum: templateTargets }),
		kind: text('kind', { enum: flagKinds }).notNull().default('flag'),
		category: text('category', { enum: flagCategories }),
		severity: text('severity', { enum: severities }),
		affectedGroups: jsonb('affected_groups').$type<string[]>().notNull().default([]),
		rationale: text('rationale').notNull().default(''),
		suggestedRewrite: text('suggested_rewrite').notNull().default(''),
		quotedSpan: text('quoted_span').notNull().default(''),
		unsure: boolean('unsure').notNull().default(false),
		issueId: uuid('issue_id').references(() => issues.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [
		// Covering, as reviews_round_sample_cover_idx: the dashboard counts a round's flags index-only.
		index('flags_round_sample_cover_idx').on(t.roundId, t.sampleId, t.kind, t.category, t.severity, t.participantId, t.reviewId),
		index('flags_participant_idx').on(t.participantId),
		index('flags_review_idx').on(t.reviewId),
		index('flags_issue_idx').on(t.issueId),
	],
)

/** Discussion of a use case: stance, replies two levels deep, visible edit history, moderation. */
export const comments = pgTable(
	'comments',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		useCaseId: uuid('use_case_id')
			.notNull()
			.references(() => useCases.id, { onDelete: 'cascade' }),
		roundId: uuid('round_id').references(() => rounds.id, { onDelete: 'set null' }),
		parentId: uuid('parent_id').references((): AnyPgColumn => comments.id, { onDelete: 'cascade' }),
		depth: integer('depth').notNull().default(0),
		authorId: uuid('author_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		// Set when written as a round participant (shown by pseudonym); null for the dataset team.
		participantId: uuid('participant_id').references(() => participants.id, { onDelete: 'set null' }),
		fromTeam: boolean('from_team').notNull().default(false),
		stance: text('stance', { enum: stances }),
		body: text('body').notNull(),
		revision: integer('revision').notNull().default(1),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		editedAt: timestamp('edited_at', { withTimezone: true }),
		deletedAt: timestamp('deleted_at', { withTimezone: true }),
		hiddenAt: timestamp('hidden_at', { withTimezone: true }),
		hiddenReason: text('hidden_reason'),
		hiddenBy: uuid('hidden_by').references(() => users.id, { onDelete: 'set null' }),
		issueId: uuid('issue_id').references(() => issues.id, { onDelete: 'set null' }),
	},
	(t) => [
		index('comments_use_case_idx').on(t.useCaseId, t.createdAt),
		index('comments_parent_idx').on(t.parentId),
		// "My feedback" finds a person's comments through their participations.
		index('comments_participant_idx').on(t.participantId),
		// Re-evaluating a use-case issue and notifying its commenters (few comments raise one).
		index('comments_issue_idx')
			.on(t.issueId)
			.where(sql`issue_id is not null`),
	],
)

export const commentRevisions = pgTable(
	'comment_revisions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		commentId: uuid('comment_id')
			.notNull()
			.references(() => comments.id, { onDelete: 'cascade' }),
		revision: integer('revision').notNull(),
		stance: text('stance', { enum: stances }),
		body: text('body').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [uniqueIndex('comment_revisions_key').on(t.commentId, t.revision)],
)
