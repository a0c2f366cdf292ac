/**
 * The similar-samples job (issue #22, decision 055): builds each published sample set's index of
 * near-duplicate texts after the import (which only queues it), so the upload runs as fast as
 * without it. It claims one queued version at a time (app/models/version-job.server.ts), streams
 * the samples in keyset batches, computes each text's MinHash bands (app/domain/similar/minhash.ts)
 * into a BandGrouper, and stores the band values two or more samples share in one transaction.
 * Like the signals job it gives way to imports under way, at most MAX_YIELD_MS in all.
 */
import { searchableText } from '#app/domain/search/text.ts'
import { BandGrouper } from '#app/domain/similar/groups.ts'
import { bands, saltOf, shingles, signature } from '#app/domain/similar/minhash.ts'
import { SIMILAR_BATCH } from '#app/domain/similar/status.ts'
import { claimSimilarity, failSimilarity, readSimilarityBatch, recordSimilarityProgress, storeSimilarity } from '#app/models/similar.server.ts'
import { type VersionJobClaim } from '#app/models/version-job.server.ts'
import { giveWayToImports, versionJobRunner, type VersionJobOutcome, YIELD_POLL_MS } from './version-job.server.ts'

export type SimilarRunOutcome = VersionJobOutcome

type BuildOptions = { batch?: number; yieldPollMs?: number }

const runner = versionJobRunner<BuildOptions>({
	what: 'similar samples',
	claim: claimSimilarity,
	fail: failSimilarity,
	run: (claim, options) => build(claim, options.batch ?? SIMILAR_BATCH, options.yieldPollMs ?? YIELD_POLL_MS),
})

/** The scheduler's pass: builds queued indexes one after another; a pass already running in this process is not doubled. */
export const buildPendingSimilarity = (options: BuildOptions & { max?: number } = {}) => runner.pending(options)

/** Claims one index and builds it to the end; null when none is waiting. */
export const buildNextSimilarity = (options: BuildOptions = {}) => runner.next(options)

async function build(claim: VersionJobClaim, batch: number, pollMs: number): Promise<SimilarRunOutcome> {
	const superseded = { versionId: claim.versionId, status: 'superseded' as const }
	const grouper = new BandGrouper(claim.total)
	const salt = saltOf(claim.importId)
	let after = 0
	let done = 0
	const budget = { waited: 0 }
	for (;;) {
		if (!(await giveWayToImports(budget, pollMs, () => recordSimilarityProgress(claim, done)))) return superseded
		const rows = await readSimilarityBatch(claim.importId, after, batch)
		if (!rows.length) break
		for (const row of rows) {
			const sig = signature(shingles(searchableText(row)))
			if (sig) grouper.add(row.id, bands(sig, salt))
		}
		after = rows[rows.length - 1]!.id
		done += rows.length
		if (!(await recordSimilarityProgress(claim, done))) return superseded
	}
	const stored = await storeSimilarity(claim, grouper.groups(), done)
	return stored ? { versionId: claim.versionId, status: 'succeeded' } : superseded
}
