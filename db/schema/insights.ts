import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'

/**
 * The insights dashboard's figures, kept up to date (issue #27, decision 057) so that reading them
 * costs the same however large the consultation grows. A database trigger marks a unit — a sample
 * in a round — dirty whenever one of its reviews or flags is written (migration 0021); the insights
 * job (app/jobs/insights.server.ts) recounts each dirty unit from its own rows and moves the
 * figures by the difference. None of these tables has a foreign key: a unit whose round or sample
 * is gone must still be taken out of the figures, so the job needs the rows it kept.
 */

/** Units written since the job last counted them. The write path's only cost: one upsert of this row. */
export const insightDirty = pgTable(
	'insight_dirty',
	{
		roundId: uuid('round_id').notNull(),
		sampleId: bigint('sample_id', { mode: 'number' }).notNull(),
		markedAt: timestamp('marked_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [primaryKey({ columns: [t.roundId, t.sampleId] })],
)

/** What each unit last contributed to its round's figures (and, summed over rounds, to its version's). */
export const insightUnits = pgTable(
	'insight_units',
	{
		roundId: uuid('round_id').notNull(),
		sampleId: bigint('sample_id', { mode: 'number' }).notNull(),
		versionId: uuid('version_id').notNull(),
		/** Verdicts that say something (not skips), and of those the flags: the unit's (m, a) for agreement. */
		said: integer('said').notNull(),
		flagged: integer('flagged').notNull(),
		/** Verdicts by `role:verdict`; flags by `category:severity`; people who flagged, by category. */
		verdicts: jsonb('verdicts').$type<Record<string, number>>().notNull(),
		cells: jsonb('cells').$type<Record<string, number>>().notNull(),
		categories: jsonb('categories').$type<Record<string, number>>().notNull(),
	},
	(t) => [primaryKey({ columns: [t.roundId, t.sampleId] }), index('insight_units_version_sample_idx').on(t.versionId, t.sampleId)],
)

/**
 * A sample's standing in a scope (a round, or the whole version: `scope_id` is then the version's
 * id): reviewed, covered, flagged, and the minority signal's fields. Only samples somebody reviewed
 * or flagged in the scope have a row.
 */
export const insightSamples = pgTable(
	'insight_samples',
	{
		scopeId: uuid('scope_id').notNull(),
		sampleId: bigint('sample_id', { mode: 'number' }).notNull(),
		started: boolean('started').notNull(),
		covered: boolean('covered').notNull(),
		flagged: boolean('flagged').notNull(),
		/** Community members who flagged it (a person in several rounds counts once). */
		communityFlaggers: integer('community_flaggers').notNull(),
		maxSeverity: integer('max_severity').notNull(),
		categories: text('categories').array().notNull(),
		expertAlso: boolean('expert_also').notNull(),
		externalId: text('external_id').notNull(),
		/** The value of each attribute the flag rate is broken down by, as it was counted (null: the sample lacks it). */
		attrs: jsonb('attrs').$type<Record<string, string | null>>().notNull(),
	},
	(t) => [
		primaryKey({ columns: [t.scopeId, t.sampleId] }),
		index('insight_samples_minority_idx')
			.on(t.scopeId, t.maxSeverity.desc(), t.externalId)
			.where(sql`${t.communityFlaggers} = 1`),
	],
)

/** Counters per scope: `coverage` (started, covered), `verdicts` (role:verdict), `cells` (category:severity), `agree` (m:a), `agree_cat` (category:m:a), `minority` (samples). */
export const insightCounts = pgTable(
	'insight_counts',
	{
		scopeId: uuid('scope_id').notNull(),
		metric: text('metric').notNull(),
		key: text('key').notNull(),
		n: bigint('n', { mode: 'number' }).notNull(),
	},
	(t) => [primaryKey({ columns: [t.scopeId, t.metric, t.key] })],
)

/** Reviewed and flagged samples per value of each attribute (`missing`: samples without the attribute). */
export const insightRates = pgTable(
	'insight_rates',
	{
		scopeId: uuid('scope_id').notNull(),
		attribute: text('attribute').notNull(),
		missing: boolean('missing').notNull(),
		value: text('value').notNull(),
		reviewed: integer('reviewed').notNull(),
		flagged: integer('flagged').notNull(),
	},
	(t) => [primaryKey({ columns: [t.scopeId, t.attribute, t.missing, t.value] })],
)
