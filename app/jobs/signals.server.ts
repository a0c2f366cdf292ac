/**
 * The signals job (issue #21): computes each published sample set's caricature signals, after the
 * import (which only queues it). It claims one queued version at a time (one UPDATE … SKIP LOCKED,
 * so two instances never compute the same one), streams the samples in keyset batches into the
 * pure accumulator (app/domain/signals/compute.ts) with progress after every batch, and stores the
 * result in one transaction. A failure records its message and status failed; it is not retried.
 *
 * It gives way to imports: before each batch, while an import is under way it waits (keeping its
 * claim alive), so an upload runs as fast as with no job at all; on a small machine both would
 * otherwise share the same cores. It waits at most MAX_YIELD_MS in all, so a steady stream of
 * imports delays the signals but cannot starve them.
 */
import { chatText, SignalAccumulator } from '#app/domain/signals/compute.ts'
import { SIGNAL_BATCH, SIGNAL_CHAT_ROLES, MAX_SIGNAL_VALUES } from '#app/domain/signals/status.ts'
import { claimSignalComputation, failSignals, readSignalBatch, recordSignalProgress, type SignalClaim, type SignalSampleRow, signalAttributes, storeSignals } from '#app/models/signals.server.ts'
import { giveWayToImports, versionJobRunner, type VersionJobOutcome, YIELD_POLL_MS } from './version-job.server.ts'

export type SignalRunOutcome = VersionJobOutcome

type ComputeOptions = { batch?: number; yieldPollMs?: number }

const runner = versionJobRunner<ComputeOptions>({
	what: 'signals',
	claim: claimSignalComputation,
	fail: failSignals,
	run: (claim, options) => compute(claim, options.batch ?? SIGNAL_BATCH, options.yieldPollMs ?? YIELD_POLL_MS),
})

/** The scheduler's pass: computes queued versions one after another; a pass already running in this process is not doubled. */
export const computePendingSignals = (options: ComputeOptions & { max?: number } = {}) => runner.pending(options)

/** Claims one computation and runs it to the end; null when none is waiting. */
export const computeNextSignals = (options: ComputeOptions = {}) => runner.next(options)

async function compute(claim: SignalClaim, batch: number, pollMs: number): Promise<SignalRunOutcome> {
	const superseded = { versionId: claim.versionId, status: 'superseded' as const }
	const { attributes, skipped } = await signalAttributes(claim.importId)
	const accumulator = new SignalAccumulator({ attributes, maxValues: MAX_SIGNAL_VALUES })
	let after = 0
	let done = 0
	const budget = { waited: 0 }
	for (;;) {
		if (!(await giveWayToImports(budget, pollMs, () => recordSignalProgress(claim, done)))) return superseded
		const rows = await readSignalBatch(claim.importId, after, batch)
		if (!rows.length) break
		for (const row of rows) accumulator.add({ text: sampleText(row), language: row.language, metadata: row.metadata })
		after = rows[rows.length - 1]!.id
		done += rows.length
		// A re-import (or a later claim after this run was presumed dead) makes the rest of this work moot.
		if (!(await recordSignalProgress(claim, done))) return superseded
	}
	const stored = await storeSignals(claim, accumulator.result(), { skipped, method: { chatRoles: [...SIGNAL_CHAT_ROLES], highCardinalityAbove: MAX_SIGNAL_VALUES } })
	return stored ? { versionId: claim.versionId, status: 'succeeded' } : superseded
}

/** A sample's words: its content, or for a chat the turns of the counted roles. */
function sampleText(row: SignalSampleRow): string {
	if (row.content !== null) return row.content
	if (row.messages === null || row.messages === undefined) return ''
	if (!Array.isArray(row.messages) || row.messages.some((m) => !m || typeof m !== 'object' || typeof (m as { content?: unknown }).content !== 'string')) {
		throw new Error(`Sample ${row.externalId} has chat messages that are not a list of { role, content } turns.`)
	}
	return chatText(row.messages as Array<{ role: string; content: string }>, [...SIGNAL_CHAT_ROLES])
}
