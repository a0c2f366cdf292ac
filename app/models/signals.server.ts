/**
 * A version's caricature signals (issue #21): the queue row each published import leaves, the
 * job's claim, batches, progress and result, and what pages and the API read back. The
 * computation itself is pure (app/domain/signals/compute.ts); the job that drives it is
 * app/jobs/signals.server.ts.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm'
import { imports, samples } from '#db/schema/datasets.ts'
import { signalValues, versionSignals } from '#db/schema/signals.ts'
import { reportSignals, type ReportSignals } from '#app/domain/signals/report.ts'
import { MAX_SIGNAL_VALUES, type SignalState } from '#app/domain/signals/status.ts'
import { type SignalTerm, type SkippedAttribute, type VersionSignals } from '#app/domain/signals/types.ts'
import { db, query, type Tx } from '#app/utils/db.server.ts'
import { claimVersionJob, failVersionJob, heldBy, recordVersionJobProgress, type VersionJobClaim } from './version-job.server.ts'

/** In the transaction that publishes an import: the version's signals are to be computed (again) from it. */
export async function queueSignals(tx: Tx, { versionId, importId, total }: { versionId: string; importId: string; total: number }) {
	const queued = { importId, status: 'queued' as const, samplesDone: 0, samplesTotal: total, error: null, attempts: 0, queuedAt: new Date(), heartbeatAt: null }
	await tx
		.insert(versionSignals)
		.values({ versionId, ...queued })
		.onConflictDoUpdate({ target: versionSignals.versionId, set: { ...queued, computedAt: null, method: null, distinct2: null, samples: null, skipped: [], attributes: [] } })
	// The previous sample set's values describe samples that are gone.
	await tx.delete(signalValues).where(eq(signalValues.versionId, versionId))
}

export type SignalClaim = VersionJobClaim

/** Claims the oldest queued computation, or one whose run died (app/models/version-job.server.ts). */
export async function claimSignalComputation(): Promise<SignalClaim | null> {
	return claimVersionJob(versionSignals)
}

const mine = (c: SignalClaim) => heldBy(versionSignals, c)

/**
 * The categorical keys of an import, from the facet keys counted while it was imported: keys with
 * more than MAX_SIGNAL_VALUES values (or offered as a search field) and keys with one value are
 * skipped up front, and said so.
 */
export async function signalAttributes(importId: string): Promise<{ attributes: string[]; skipped: SkippedAttribute[] }> {
	const [row] = await db.select({ keys: imports.facetKeys }).from(imports).where(eq(imports.id, importId))
	const attributes: string[] = []
	const skipped: SkippedAttribute[] = []
	for (const k of row?.keys ?? []) {
		if (k.kind === 'search' || k.distinct > MAX_SIGNAL_VALUES) skipped.push({ attribute: k.key, reason: 'high_cardinality', distinct: k.distinct })
		else if (k.distinct < 2) skipped.push({ attribute: k.key, reason: 'single_value', distinct: k.distinct })
		else attributes.push(k.key)
	}
	return { attributes, skipped }
}

export type SignalSampleRow = { id: number; externalId: string; content: string | null; messages: unknown; language: string | null; metadata: Record<string, unknown> }

/** The next batch of an import's samples after `afterId` (keyset on the primary key: no OFFSET, however far in). */
export async function readSignalBatch(importId: string, afterId: number, limit: number): Promise<SignalSampleRow[]> {
	return db
		.select({ id: samples.id, externalId: samples.externalId, content: samples.content, messages: samples.messages, language: samples.language, metadata: samples.metadata })
		.from(samples)
		.where(and(eq(samples.importId, importId), gt(samples.id, afterId)))
		.orderBy(asc(samples.id))
		.limit(limit)
}

/** An import's heartbeat older than this is a dead process's (as the import reaper counts it). */
const IMPORT_ALIVE_SECONDS = 120

/** Whether an import is under way (running, its process alive): the signals job waits while one is. */
export async function importUnderWay(): Promise<boolean> {
	const [row] = await query<{ running: boolean }>(
		sql`select exists(select 1 from ${imports} where status = 'running' and heartbeat_at > now() - make_interval(secs => ${IMPORT_ALIVE_SECONDS})) as running`,
	)
	return row?.running === true
}

/** Progress, and the heartbeat that keeps the claim; false when the claim is no longer this run's. */
export async function recordSignalProgress(claim: SignalClaim, done: number): Promise<boolean> {
	return recordVersionJobProgress(versionSignals, claim, done)
}

/** The result, in one transaction; false (nothing written) when the claim went stale meanwhile. */
export async function storeSignals(claim: SignalClaim, result: VersionSignals, options: { skipped: SkippedAttribute[]; method: Record<string, unknown> }): Promise<boolean> {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.update(versionSignals)
			.set({
				status: 'succeeded',
				samplesDone: result.samples,
				samplesTotal: result.samples,
				heartbeatAt: new Date(),
				computedAt: new Date(),
				method: { ...result.method, ...options.method },
				distinct2: result.distinct2,
				samples: result.samples,
				skipped: [...options.skipped, ...result.skipped],
				attributes: result.attributes.map((a) => a.attribute),
			})
			.where(mine(claim))
			.returning({ versionId: versionSignals.versionId })
		if (!row) return false
		await tx.delete(signalValues).where(eq(signalValues.versionId, claim.versionId))
		const rows = result.attributes.flatMap((a) =>
			a.values.map((v, position) => ({
				versionId: claim.versionId,
				attribute: a.attribute,
				value: v.value,
				position,
				samples: v.samples,
				share: v.share,
				distinct2: v.distinct2,
				lowDiversity: v.lowDiversity,
				terms: v.terms,
			})),
		)
		for (let i = 0; i < rows.length; i += 500) await tx.insert(signalValues).values(rows.slice(i, i + 500))
		return true
	})
}

/** A failed computation keeps its message; it is not retried (a re-import queues a new one). */
export async function failSignals(claim: SignalClaim, message: string) {
	await failVersionJob(versionSignals, claim, message)
}

type SignalRow = typeof versionSignals.$inferSelect
export type SignalSummary = {
	computedAt: string
	samples: number
	distinct2: number
	attributes: SignalRow['attributes']
	skipped: SignalRow['skipped']
	method: NonNullable<SignalRow['method']> | Record<string, never>
}

/** A version's computation as pages read it: its state line, and its summary once it succeeded (one row, read once). */
export async function getSignals(versionId: string): Promise<{ state: SignalState; summary: SignalSummary | null }> {
	const [row] = await db
		.select({
			status: versionSignals.status,
			done: versionSignals.samplesDone,
			total: versionSignals.samplesTotal,
			error: versionSignals.error,
			computedAt: versionSignals.computedAt,
			samples: versionSignals.samples,
			distinct2: versionSignals.distinct2,
			attributes: versionSignals.attributes,
			skipped: versionSignals.skipped,
			method: versionSignals.method,
		})
		.from(versionSignals)
		.where(eq(versionSignals.versionId, versionId))
	if (!row) return { state: { status: 'none' }, summary: null }
	if (row.status === 'queued') return { state: { status: 'queued', total: row.total }, summary: null }
	if (row.status === 'running') return { state: { status: 'running', done: row.done, total: row.total }, summary: null }
	if (row.status === 'failed') return { state: { status: 'failed', error: row.error ?? '' }, summary: null }
	const computedAt = (row.computedAt ?? new Date(0)).toISOString()
	return {
		state: { status: 'succeeded', computedAt },
		summary: { computedAt, samples: row.samples ?? 0, distinct2: row.distinct2 ?? 0, attributes: row.attributes, skipped: row.skipped, method: row.method ?? {} },
	}
}

/** The state line of the version page: queued, computing n of N, ready, failed with its message, or none (no samples yet). */
export async function getSignalState(versionId: string): Promise<SignalState> {
	return (await getSignals(versionId)).state
}

/** A computed version's summary: when, over how many samples, which keys were computed and which skipped, the method. */
export async function getSignalSummary(versionId: string) {
	return (await getSignals(versionId)).summary
}

export type StoredValueSignal = { value: string; samples: number; share: number; distinct2: number; lowDiversity: boolean; terms: SignalTerm[] }

/** What a page, the CSV, the API and the report read of a stored value (explicit columns, as everywhere). */
const valueColumns = {
	value: signalValues.value,
	samples: signalValues.samples,
	share: signalValues.share,
	distinct2: signalValues.distinct2,
	lowDiversity: signalValues.lowDiversity,
	terms: signalValues.terms,
}

/** One attribute's values, in the computed order (only a succeeded computation has any). */
export async function getSignalValues(versionId: string, attribute: string): Promise<StoredValueSignal[]> {
	return db
		.select(valueColumns)
		.from(signalValues)
		.where(and(eq(signalValues.versionId, versionId), eq(signalValues.attribute, attribute)))
		.orderBy(asc(signalValues.position))
}

/** The consultation report's signals section (app/domain/signals/report.ts): the state, and every stored value of the version (a few hundred rows at most). */
export async function getReportSignals(versionId: string): Promise<ReportSignals> {
	const { state, summary } = await getSignals(versionId)
	const rows = summary
		? await db
				.select({ attribute: signalValues.attribute, ...valueColumns })
				.from(signalValues)
				.where(eq(signalValues.versionId, versionId))
				.orderBy(asc(signalValues.attribute), asc(signalValues.position))
		: []
	return reportSignals(state, summary, rows)
}
