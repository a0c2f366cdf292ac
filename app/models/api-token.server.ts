/**
 * Pipeline API tokens: created by a dataset team member for some of their datasets, shown once,
 * stored only as SHA-256, revocable. A token acts as its creator and only on its datasets, and
 * only while the creator is still on that dataset's team (the scope query joins both).
 */
import { and, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm'
import { apiTokenDatasets, apiTokens } from '#db/schema/api.ts'
import { datasetMembers, datasets } from '#db/schema/datasets.ts'
import { MAX_ACTIVE_TOKENS } from '#app/domain/api-token.ts'
import { TOKEN_BYTES, TOKEN_DISPLAY_LENGTH, TOKEN_PREFIX } from '#app/domain/api.ts'
import { can, type DatasetCapability } from '#app/domain/permissions.ts'
import { randomToken, sha256Hex } from '#app/utils/crypto.server.ts'
import { db } from '#app/utils/db.server.ts'
import { recordAudit } from './audit.server.ts'

/** A token may be given a dataset only where its creator may manage versions. */
const GRANTING_CAPABILITY: DatasetCapability = 'manage_versions'
/** last_used_at is written at most this often per token, so busy pipelines do not write on every call. */
const TOUCH_EVERY_SECONDS = 60

/** The datasets a user may give a token: those where their role has `manage_versions`. */
export async function listTokenDatasetChoices(userId: string) {
	const rows = await db
		.select({ id: datasets.id, slug: datasets.slug, name: datasets.name, role: datasetMembers.role })
		.from(datasets)
		.innerJoin(datasetMembers, and(eq(datasetMembers.datasetId, datasets.id), eq(datasetMembers.userId, userId)))
		.orderBy(datasets.name)
	return rows.filter((r) => can(r.role, GRANTING_CAPABILITY)).map(({ id, slug, name }) => ({ id, slug, name }))
}

export type CreatedToken = { id: string; name: string; prefix: string; token: string }

/** Creates a token for `datasetSlugs` (all must be grantable by the user). The plain token is returned once and never stored. */
export async function createApiToken(input: { userId: string; name: string; datasetSlugs: string[] }): Promise<{ token: CreatedToken } | { error: 'dataset_not_allowed' | 'too_many' }> {
	const allowed = await listTokenDatasetChoices(input.userId)
	const wanted = [...new Set(input.datasetSlugs)]
	const chosen = allowed.filter((d) => wanted.includes(d.slug))
	if (!wanted.length || chosen.length !== wanted.length) return { error: 'dataset_not_allowed' }
	const token = TOKEN_PREFIX + randomToken(TOKEN_BYTES)
	const prefix = token.slice(0, TOKEN_DISPLAY_LENGTH)
	return db.transaction(async (tx) => {
		const [active] = await tx
			.select({ n: sql<number>`count(*)::int` })
			.from(apiTokens)
			.where(and(eq(apiTokens.userId, input.userId), isNull(apiTokens.revokedAt)))
		if ((active?.n ?? 0) >= MAX_ACTIVE_TOKENS) return { error: 'too_many' as const }
		const [row] = await tx
			.insert(apiTokens)
			.values({ userId: input.userId, name: input.name, tokenHash: sha256Hex(token), prefix })
			.returning({ id: apiTokens.id })
		const id = row!.id
		await tx.insert(apiTokenDatasets).values(chosen.map((d) => ({ tokenId: id, datasetId: d.id })))
		// Each dataset's team can see who gave a pipeline access to it.
		for (const d of chosen) {
			await recordAudit(
				{ datasetId: d.id, actorId: input.userId, action: 'api_token.created', targetType: 'api_token', targetId: id, targetLabel: input.name, after: { name: input.name, prefix } },
				tx,
			)
		}
		return { token: { id, name: input.name, prefix, token } }
	})
}

/** The user's own tokens, newest first, with the datasets each may act on (never the hash). */
export async function listApiTokens(userId: string) {
	const tokens = await db
		.select({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt })
		.from(apiTokens)
		.where(eq(apiTokens.userId, userId))
		.orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
	if (!tokens.length) return []
	const scopes = await db
		.select({ tokenId: apiTokenDatasets.tokenId, slug: datasets.slug, name: datasets.name })
		.from(apiTokenDatasets)
		.innerJoin(datasets, eq(datasets.id, apiTokenDatasets.datasetId))
		.where(
			inArray(
				apiTokenDatasets.tokenId,
				tokens.map((t) => t.id),
			),
		)
		.orderBy(datasets.name)
	return tokens.map((t) => ({ ...t, datasets: scopes.filter((s) => s.tokenId === t.id).map(({ slug, name }) => ({ slug, name })) }))
}

/** Revokes one of the user's own tokens; false when it is not theirs or already revoked. */
export async function revokeApiToken({ userId, tokenId }: { userId: string; tokenId: string }) {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.update(apiTokens)
			.set({ revokedAt: new Date() })
			.where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
			.returning({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix })
		if (!row) return false
		const scopes = await tx.select({ datasetId: apiTokenDatasets.datasetId }).from(apiTokenDatasets).where(eq(apiTokenDatasets.tokenId, tokenId))
		for (const s of scopes) {
			await recordAudit(
				{ datasetId: s.datasetId, actorId: userId, action: 'api_token.revoked', targetType: 'api_token', targetId: row.id, targetLabel: row.name, before: { name: row.name, prefix: row.prefix } },
				tx,
			)
		}
		return true
	})
}

/** The live (not revoked) token with this plain value, or null. */
export async function findActiveToken(token: string) {
	const [row] = await db
		.select({ id: apiTokens.id, userId: apiTokens.userId, lastUsedAt: apiTokens.lastUsedAt })
		.from(apiTokens)
		.where(and(eq(apiTokens.tokenHash, sha256Hex(token)), isNull(apiTokens.revokedAt)))
	return row ?? null
}

/** Records a use, unless one was recorded in the last minute (the WHERE makes racing calls write once). */
export async function touchApiToken(token: { id: string; lastUsedAt: Date | null }) {
	if (token.lastUsedAt && Date.now() - token.lastUsedAt.getTime() < TOUCH_EVERY_SECONDS * 1000) return
	await db
		.update(apiTokens)
		.set({ lastUsedAt: sql`now()` })
		.where(and(eq(apiTokens.id, token.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - make_interval(secs => ${TOUCH_EVERY_SECONDS})`))))
}

/**
 * The dataset `slug` as a token sees it: only if the token is scoped to it AND the token's
 * creator is still on its team (with the role they have now). Null → the caller answers 404.
 */
export async function getTokenDataset({ tokenId, userId, slug }: { tokenId: string; userId: string; slug: string }) {
	const [row] = await db
		.select({ id: datasets.id, slug: datasets.slug, name: datasets.name, role: datasetMembers.role })
		.from(datasets)
		.innerJoin(apiTokenDatasets, and(eq(apiTokenDatasets.datasetId, datasets.id), eq(apiTokenDatasets.tokenId, tokenId)))
		.innerJoin(datasetMembers, and(eq(datasetMembers.datasetId, datasets.id), eq(datasetMembers.userId, userId)))
		.where(eq(datasets.slug, slug))
	return row ?? null
}
