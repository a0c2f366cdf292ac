import { sql } from 'drizzle-orm'
import { bigint, doublePrecision, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { similarAddedHow } from '#app/domain/similar/status.ts'
import { signalStatuses } from '#app/domain/signals/status.ts'
import { users } from './accounts.ts'
import { imports, samples, versions } from './datasets.ts'
import { issues } from './issues.ts'
import { rounds } from './rounds.ts'

/**
 * A version's similar-samples index (issue #22, decision 055): one row per version, queued when an
 * import is published (a re-import queues it again) and claimed by the similar-samples job
 * (app/jobs/similar.server.ts) with one UPDATE … SKIP LOCKED, like the signals' computation.
 */
export const versionSimilarity = pgTable(
	'version_similarity',
	{
		versionId: uuid('version_id')
			.primaryKey()
			.references(() => versions.id, { onDelete: 'cascade' }),
		importId: uuid('import_id')
			.notNull()
			.references(() => imports.id, { onDelete: 'cascade' }),
		status: text('status', { enum: signalStatuses }).notNull().default('queued'),
		samplesDone: integer('samples_done').notNull().default(0),
		samplesTotal: integer('samples_total').notNull().default(0),
		error: text('error'),
		attempts: integer('attempts').notNull().default(0),
		queuedAt: timestamp('queued_at', { withTimezone: true }).notNull().defaultNow(),
		heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
		computedAt: timestamp('computed_at', { withTimezone: true }),
		// Groups found: band values at one position that two or more samples share (two positions sharing a value by chance are one row).
		groups: integer('groups'),
	},
	(t) => [index('version_similarity_queue_idx').on(t.status, t.queuedAt)],
)

/**
 * The locality-sensitive hashing index of an import: each band value (app/domain/similar/minhash.ts)
 * that at least two of its samples share, with those samples. A band value held by one sample is
 * never stored, so the table holds a few rows per near-duplicate family, not 32 per sample.
 */
export const sampleBandGroups = pgTable(
	'sample_band_groups',
	{
		importId: uuid('import_id')
			.notNull()
			.references(() => imports.id, { onDelete: 'cascade' }),
		band: integer('band').notNull(),
		sampleIds: bigint('sample_ids', { mode: 'number' })
			.array()
			.notNull()
			.default(sql`'{}'::bigint[]`),
	},
	(t) => [primaryKey({ columns: [t.importId, t.band] })],
)

/**
 * The samples an issue was extended to (beyond the sample it was opened on): found similar and
 * added by the team, either picked or on an audit's evidence. Kept by external id and content hash
 * beside sample_id, as the issue's own sample is, so carry-over copies them to a child version
 * that kept the same sample.
 */
export const issueSamples = pgTable(
	'issue_samples',
	{
		issueId: uuid('issue_id')
			.notNull()
			.references(() => issues.id, { onDelete: 'cascade' }),
		sampleId: bigint('sample_id', { mode: 'number' }).references(() => samples.id, { onDelete: 'set null' }),
		externalId: text('external_id').notNull(),
		contentHash: text('content_hash').notNull(),
		// The exact Jaccard similarity to the issue's sample when it was added (null: same template × persona only).
		similarity: doublePrecision('similarity'),
		how: text('how', { enum: similarAddedHow }).notNull(),
		addedBy: uuid('added_by').references(() => users.id, { onDelete: 'set null' }),
		addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [primaryKey({ columns: [t.issueId, t.externalId] }), index('issue_samples_sample_idx').on(t.sampleId)],
)

/**
 * An audit of an issue's similar samples (issue #22): a random draw of them put into a round for
 * review, to estimate how many of all of them show the issue's problem. The population is the
 * similar samples at the threshold (not yet on the issue) when the draw was made; the verdicts on
 * the drawn samples in that round give the estimate (app/domain/similar/prevalence.ts).
 */
export const issueAudits = pgTable(
	'issue_audits',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		issueId: uuid('issue_id')
			.notNull()
			.references(() => issues.id, { onDelete: 'cascade' }),
		roundId: uuid('round_id')
			.notNull()
			.references(() => rounds.id, { onDelete: 'cascade' }),
		min: doublePrecision('min').notNull(),
		population: integer('population').notNull(),
		seed: integer('seed').notNull(),
		sampleIds: bigint('sample_ids', { mode: 'number' }).array().notNull(),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('issue_audits_issue_idx').on(t.issueId)],
)
