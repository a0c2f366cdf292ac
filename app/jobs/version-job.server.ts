/**
 * What the background computations over a version's samples share (caricature signals, issue #21;
 * the similar-samples index, issue #22): a pass that runs queued computations one after another
 * (never two passes at once in one process), a claim turned into an outcome with any failure
 * recorded, and giving way to imports. The queue itself is app/models/version-job.server.ts.
 */
import { importUnderWay } from '#app/models/signals.server.ts'
import { type VersionJobClaim } from '#app/models/version-job.server.ts'

export type VersionJobOutcome = { versionId: string; status: 'succeeded' | 'failed' | 'superseded'; error?: string }

/** How often a waiting job looks again whether the import is done. */
export const YIELD_POLL_MS = 1000
/** The longest a computation waits for imports, in all. */
const MAX_YIELD_MS = 15 * 60_000

export function versionJobRunner<O extends object>(job: {
	/** Named in the log line of a failure. */
	what: string
	claim: () => Promise<VersionJobClaim | null>
	fail: (claim: VersionJobClaim, message: string) => Promise<void>
	run: (claim: VersionJobClaim, options: O) => Promise<VersionJobOutcome>
}) {
	let running = false

	/** Claims one computation and runs it to the end; null when none is waiting. */
	async function next(options: O): Promise<VersionJobOutcome | null> {
		const claim = await job.claim()
		if (!claim) return null
		try {
			return await job.run(claim, options)
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error)
			console.error(`${job.what} of version ${claim.versionId}: ${message}`)
			await job.fail(claim, message)
			return { versionId: claim.versionId, status: 'failed', error: message }
		}
	}

	/** The scheduler's pass: queued computations one after another; a pass already running in this process is not doubled. */
	async function pending(options: O & { max?: number }): Promise<VersionJobOutcome[]> {
		if (running) return []
		running = true
		try {
			const outcomes: VersionJobOutcome[] = []
			for (let i = 0; i < (options.max ?? 10); i++) {
				const outcome = await next(options)
				if (!outcome) break
				outcomes.push(outcome)
			}
			return outcomes
		} finally {
			running = false
		}
	}

	return { next, pending }
}

/**
 * Before each batch: while an import is under way, waits (keeping the claim alive with
 * `keepAlive`), so an upload runs as fast as with no job at all; at most MAX_YIELD_MS over the
 * whole computation (`budget.waited`), so a steady stream of imports delays it but cannot starve
 * it. False when the claim went stale while waiting.
 */
export async function giveWayToImports(budget: { waited: number }, pollMs: number, keepAlive: () => Promise<boolean>): Promise<boolean> {
	while (budget.waited < MAX_YIELD_MS && (await importUnderWay())) {
		await new Promise((resolve) => setTimeout(resolve, pollMs))
		budget.waited += pollMs
		if (!(await keepAlive())) return false
	}
	return true
}
