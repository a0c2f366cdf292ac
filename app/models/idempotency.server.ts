/**
 * `Idempotency-Key` for sample uploads. The first request with a key claims it with one
 * INSERT … ON CONFLICT DO NOTHING (so of any number of racing requests exactly one runs the
 * import); the finished response is stored with the hash of the request that produced it. A
 * later request with the key gets that response if its payload hashes the same, an error if not,
 * and "in progress" while the first still runs.
 *
 * While running, the row's response_body holds `{ importId }`: the import the claim runs, so a
 * claim whose process died (no import heartbeat for 2 minutes, the same rule as
 * reapStaleImports) can be taken over instead of blocking the key forever.
 */
import { and, eq, lt, sql } from 'drizzle-orm'
import { idempotencyKeys } from '#db/schema/api.ts'
import { imports } from '#db/schema/datasets.ts'
import { IDEMPOTENCY_TTL_HOURS } from '#app/domain/api.ts'
import { ApiError } from '#app/utils/api.server.ts'
import { db, query } from '#app/utils/db.server.ts'

const STALE_AFTER_SECONDS = 120

export type IdempotencyClaim = { kind: 'claimed'; importId: string } | { kind: 'in_progress' } | { kind: 'done'; requestHash: string; status: number; body: unknown }

const runningImport = (importId: string) => ({ importId })
const claimOf = (importId: string) => sql`${idempotencyKeys.responseBody}->>'importId' = ${importId}`

export async function claimIdempotencyKey({ tokenId, key }: { tokenId: string; key: string }): Promise<IdempotencyClaim> {
	// Finished keys are kept for a day; after that the key may be used afresh.
	await db
		.delete(idempotencyKeys)
		.where(and(eq(idempotencyKeys.tokenId, tokenId), eq(idempotencyKeys.status, 'done'), lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`)))
	for (let attempt = 0; attempt < 3; attempt++) {
		const importId = crypto.randomUUID()
		const inserted = await db
			.insert(idempotencyKeys)
			.values({ tokenId, key, requestHash: '', status: 'running', responseBody: runningImport(importId) })
			.onConflictDoNothing()
			.returning({ key: idempotencyKeys.key })
		if (inserted.length) return { kind: 'claimed', importId }
		const [row] = await query<{ status: 'running' | 'done'; request_hash: string; response_status: number | null; response_body: unknown; running_import: string | null; stale: boolean }>(sql`
			select k.status, k.request_hash, k.response_status, k.response_body, k.response_body->>'importId' as running_import,
				greatest(k.created_at, i.heartbeat_at, i.finished_at) < now() - make_interval(secs => ${STALE_AFTER_SECONDS}) as stale
			from ${idempotencyKeys} k
			left join ${imports} i on k.status = 'running' and i.id::text = k.response_body->>'importId'
			where k.token_id = ${tokenId} and k.key = ${key}`)
		// Released by a failed first request in the meantime: try to claim again.
		if (!row) continue
		if (row.status === 'done') return { kind: 'done', requestHash: row.request_hash, status: row.response_status ?? 200, body: row.response_body }
		if (!row.stale || !row.running_import) return { kind: 'in_progress' }
		const taken = await db
			.update(idempotencyKeys)
			.set({ createdAt: sql`now()`, requestHash: '', responseBody: runningImport(importId) })
			.where(and(eq(idempotencyKeys.tokenId, tokenId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.status, 'running'), claimOf(row.running_import)))
			.returning({ key: idempotencyKeys.key })
		if (taken.length) return { kind: 'claimed', importId }
	}
	return { kind: 'in_progress' }
}

/** Stores the response of a claimed key (only if the claim is still this request's). */
export async function finishIdempotencyKey(input: { tokenId: string; key: string; importId: string; requestHash: string; status: number; body: unknown }) {
	await db
		.update(idempotencyKeys)
		.set({ status: 'done', requestHash: input.requestHash, responseStatus: input.status, responseBody: input.body, createdAt: sql`now()` })
		.where(and(eq(idempotencyKeys.tokenId, input.tokenId), eq(idempotencyKeys.key, input.key), eq(idempotencyKeys.status, 'running'), claimOf(input.importId)))
}

/** Gives a claimed key back when its request ended without a result worth replaying (refused, dropped upload). */
export async function releaseIdempotencyKey({ tokenId, key, importId }: { tokenId: string; key: string; importId: string }) {
	await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.tokenId, tokenId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.status, 'running'), claimOf(importId)))
}

export type IdempotentResult = { status: number; body: unknown }

/**
 * Runs an import-backed request under `Idempotency-Key` (none: it just runs). A finished key
 * replays its stored response when the request hashes the same; a different request with the key is
 * 422, one still running is 409. A run that throws gives the key back, since a refusal or an
 * interrupted transfer is nothing worth replaying. `run` gets the claimed import id to use.
 */
export async function runIdempotent(input: {
	tokenId: string
	key: string | null
	requestHash: () => Promise<string>
	run: (importId?: string) => Promise<IdempotentResult>
}): Promise<IdempotentResult & { replayed: boolean }> {
	const { tokenId, key } = input
	if (key === null) return { ...(await input.run()), replayed: false }
	const claim = await claimIdempotencyKey({ tokenId, key })
	if (claim.kind === 'in_progress') {
		throw new ApiError(409, 'idempotency_key_in_progress', 'A request with this Idempotency-Key is still running. Retry when it has finished.', undefined, { 'Retry-After': '5' })
	}
	if (claim.kind === 'done') {
		if ((await input.requestHash()) !== claim.requestHash) {
			throw new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request; use a new key for a new request.')
		}
		return { status: claim.status, body: claim.body, replayed: true }
	}
	let result: IdempotentResult
	try {
		result = await input.run(claim.importId)
	} catch (error) {
		await releaseIdempotencyKey({ tokenId, key, importId: claim.importId })
		throw error
	}
	await finishIdempotencyKey({ tokenId, key, importId: claim.importId, requestHash: await input.requestHash(), ...result })
	return { ...result, replayed: false }
}
