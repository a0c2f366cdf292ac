import { sql } from 'drizzle-orm'
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, unique, uuid } from 'drizzle-orm/pg-core'
import { versions } from './datasets.ts'
import { rounds } from './rounds.ts'

/**
 * The insights dashboard's figures, kept up to date by triggers on reviews, flags, round_samples and
 * rounds in the same transaction as every write (decision 050; the functions are in migration
 * 0018). Nothing here is written by application code except the repair (`npm run insights:rebuild`).
 *
 * A unit is a sample in a round. Its row holds what the formulas need from it: m (verdicts other
 * than skips), a (of them "flagged"), the minority signal's facts, and `contrib`, the counters it
 * adds to its round's figures (key "kind␟attr␟key" → n). Changing a unit subtracts its old
 * contribution and adds the new one, so the counters always equal the sum over the units.
 */
export const insightUnits = pgTable(
	'insight_units',
	{
		roundId: uuid('round_id')
			.notNull()
			.references(() => rounds.id, { onDelete: 'cascade' }),
		sampleId: bigint('sample_id', { mode: 'number' }).notNull(),
		versionId: uuid('version_id')
			.notNull()
			.references(() => versions.id, { onDelete: 'cascade' }),
		externalId: text('external_id').notNull(),
		m: integer('m').notNull().default(0),
		a: integer('a').notNull().default(0),
		covered: boolean('covered').notNull().default(false),
		// Distinct community members who flagged the sample here; expert flags as yes/no only.
		community: integer('community').notNull().default(0),
		expertAlso: boolean('expert_also').notNull().default(false),
		maxSeverity: integer('max_severity').notNull().default(0),
		categories: text('categories')
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		contrib: jsonb('contrib').$type<Record<string, number>>().notNull().default({}),
	},
	(t) => [
		primaryKey({ columns: [t.roundId, t.sampleId] }),
		index('insight_units_version_sample_idx').on(t.versionId, t.sampleId),
		index('insight_units_minority_idx')
			.on(t.roundId, t.maxSeverity.desc(), t.externalId)
			.where(sql`community = 1`),
	],
)

/** A sample across the version's rounds: what does not add up over rounds (a sample or a person counts once). */
export const insightSamples = pgTable(
	'insight_samples',
	{
		versionId: uuid('version_id')
			.notNull()
			.references(() => versions.id, { onDelete: 'cascade' }),
		sampleId: bigint('sample_id', { mode: 'number' }).notNull(),
		externalId: text('external_id').notNull(),
		community: integer('community').notNull().default(0),
		expertAlso: boolean('expert_also').notNull().default(false),
		maxSeverity: integer('max_severity').notNull().default(0),
		categories: text('categories')
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		contrib: jsonb('contrib').$type<Record<string, number>>().notNull().default({}),
	},
	(t) => [
		primaryKey({ columns: [t.versionId, t.sampleId] }),
		index('insight_samples_minority_idx')
			.on(t.versionId, t.maxSeverity.desc(), t.externalId)
			.where(sql`community = 1`),
	],
)

/**
 * The counters: per round (round_id set) the sums of its units' contributions, per version
 * (round_id null) the sums of its samples'. kind: samples, started, covered, m (minority), v
 * (verdicts by role: key "role/verdict"), f (flags: "category/severity"), p (agreement pattern
 * "m/a"), c ("category/m/a"), r and rf (reviewed and flagged samples per attribute value: attr,
 * key = the value as JSON).
 */
export const insightCounts = pgTable(
	'insight_counts',
	{
		versionId: uuid('version_id')
			.notNull()
			.references(() => versions.id, { onDelete: 'cascade' }),
		roundId: uuid('round_id').references(() => rounds.id, { onDelete: 'cascade' }),
		kind: text('kind').notNull(),
		attr: text('attr').notNull().default(''),
		key: text('key').notNull().default(''),
		n: bigint('n', { mode: 'number' }).notNull().default(0),
	},
	(t) => [unique('insight_counts_key').on(t.versionId, t.roundId, t.kind, t.attr, t.key).nullsNotDistinct()],
)
