import { boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { signalStatuses } from '#app/domain/signals/status.ts'
import { type SkippedAttribute, type SignalTerm } from '#app/domain/signals/types.ts'
import { imports, versions } from './datasets.ts'

/**
 * A version's caricature-signal computation (issue #21): one row per version, queued when an
 * import is published (a re-import queues it again) and claimed by the signals job
 * (app/jobs/signals.server.ts) with one UPDATE … SKIP LOCKED.
 */
export const versionSignals = pgTable(
	'version_signals',
	{
		versionId: uuid('version_id')
			.primaryKey()
			.references(() => versions.id, { onDelete: 'cascade' }),
		// The sample set computed: the version's current import when it was queued.
		importId: uuid('import_id')
			.notNull()
			.references(() => imports.id, { onDelete: 'cascade' }),
		status: text('status', { enum: signalStatuses }).notNull().default('queued'),
		samplesDone: integer('samples_done').notNull().default(0),
		samplesTotal: integer('samples_total').notNull().default(0),
		error: text('error'),
		// Claims so far: a run whose process died is claimed again after the lease, a few times at most.
		attempts: integer('attempts').notNull().default(0),
		queuedAt: timestamp('queued_at', { withTimezone: true }).notNull().defaultNow(),
		// Set at the claim and at every batch: a stale one means the process died.
		heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
		computedAt: timestamp('computed_at', { withTimezone: true }),
		// The method's parameters as the computation recorded them (prior, fdr, terms per value, …, chat roles).
		method: jsonb('method').$type<Record<string, unknown>>(),
		// Distinct-2 over every sample of the version, and how many samples were read.
		distinct2: doublePrecision('distinct2'),
		samples: integer('samples'),
		// Keys not computed, and why (high_cardinality, single_value).
		skipped: jsonb('skipped').$type<SkippedAttribute[]>().notNull().default([]),
		// The keys computed, in the order the page offers them.
		attributes: jsonb('attributes').$type<string[]>().notNull().default([]),
	},
	(t) => [index('version_signals_queue_idx').on(t.status, t.queuedAt)],
)

/** One value of one attribute of a version: its share, its diversity and the terms that mark it. */
export const signalValues = pgTable(
	'signal_values',
	{
		versionId: uuid('version_id')
			.notNull()
			.references(() => versionSignals.versionId, { onDelete: 'cascade' }),
		attribute: text('attribute').notNull(),
		value: text('value').notNull(),
		// The order values are shown in (most samples first, as computed).
		position: integer('position').notNull(),
		samples: integer('samples').notNull(),
		share: doublePrecision('share').notNull(),
		distinct2: doublePrecision('distinct2').notNull(),
		lowDiversity: boolean('low_diversity').notNull(),
		// Terms passing the false-discovery control, z descending: [{ term, z, count, samples }].
		terms: jsonb('terms').$type<SignalTerm[]>().notNull().default([]),
	},
	(t) => [primaryKey({ columns: [t.versionId, t.attribute, t.value] }), index('signal_values_order_idx').on(t.versionId, t.attribute, t.position)],
)
