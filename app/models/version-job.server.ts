/**
 * The queue shared by a version's background computations (caricature signals, issue #21; the
 * similar-samples index, issue #22): one row per version in a table with the same columns
 * (version_id, import_id, status, samples_done, samples_total, error, attempts, queued_at,
 * heartbeat_at), queued in the transaction that publishes an import, claimed with one UPDATE …
 * FOR UPDATE SKIP LOCKED so two instances never compute the same one, and written only by the run
 * that holds the claim.
 */
import { and, eq, sql } from 'drizzle-orm'
import { type versionSignals } from '#db/schema/signals.ts'
import { type versionSimilarity } from '#db/schema/similar.ts'
import { db, query } from '#app/utils/db.server.ts'

export type VersionJobTable = typeof versionSignals | typeof versionSimilarity
export type VersionJobClaim = { versionId: string; importId: string; attempts: number; total: number }

/** A run that has not reported for this long is taken to have died with its process. */
export const VERSION_JOB_LEASE_SECONDS = 300
/** Claims of one computation before it is failed for good (a sample set that kills the process each time). */
export const VERSION_JOB_MAX_ATTEMPTS = 3
export const MAX_ERROR_LENGTH = 500

/**
 * Claims the oldest queued computation, or one whose run stopped reporting (a dead process). Runs
 * that died too often are failed here first.
 */
export async function claimVersionJob(table: VersionJobTable): Promise<VersionJobClaim | null> {
	await db.execute(sql`
		update ${table} set status = 'failed', error = ${`The computation stopped without finishing ${VERSION_JOB_MAX_ATTEMPTS} times.`}
		where status = 'running' and heartbeat_at < now() - make_interval(secs => ${VERSION_JOB_LEASE_SECONDS}) and attempts >= ${VERSION_JOB_MAX_ATTEMPTS}`)
	const [row] = await query<{ version_id: string; import_id: string; attempts: number; samples_total: number }>(sql`
		update ${table} s set status = 'running', attempts = s.attempts + 1, heartbeat_at = now(), samples_done = 0, error = null
		where s.version_id = (
			select q.version_id from ${table} q
			where q.status = 'queued'
				or (q.status = 'running' and q.heartbeat_at < now() - make_interval(secs => ${VERSION_JOB_LEASE_SECONDS}) and q.attempts < ${VERSION_JOB_MAX_ATTEMPTS})
			order by q.queued_at
			limit 1
			for update skip locked)
		returning s.version_id, s.import_id, s.attempts, s.samples_total`)
	return row ? { versionId: row.version_id, importId: row.import_id, attempts: Number(row.attempts), total: Number(row.samples_total) } : null
}

/** Only the run that holds the claim writes: a re-import or a later claim makes it stale. */
export function heldBy(table: VersionJobTable, c: VersionJobClaim) {
	return and(eq(table.versionId, c.versionId), eq(table.importId, c.importId), eq(table.attempts, c.attempts), eq(table.status, 'running'))
}

/** Progress, and the heartbeat that keeps the claim; false when the claim is no longer this run's. */
export async function recordVersionJobProgress(table: VersionJobTable, claim: VersionJobClaim, done: number): Promise<boolean> {
	const rows = await db.update(table).set({ samplesDone: done, heartbeatAt: new Date() }).where(heldBy(table, claim)).returning({ versionId: table.versionId })
	return rows.length > 0
}

/** A failed computation keeps its message; it is not retried (a re-import queues a new one). */
export async function failVersionJob(table: VersionJobTable, claim: VersionJobClaim, message: string) {
	await db
		.update(table)
		.set({ status: 'failed', error: message.slice(0, MAX_ERROR_LENGTH) || 'Unknown error', heartbeatAt: new Date() })
		.where(heldBy(table, claim))
}
