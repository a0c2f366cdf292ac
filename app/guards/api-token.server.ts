/**
 * The pipeline API's guards (docs/pipeline.md): the bearer token, the per-token rate limit, the
 * dataset scope and the role, each failing with the API's own JSON error. The responses and errors
 * themselves are app/utils/api.server.ts.
 */
import { bearerToken, hasAuthorization } from '#app/domain/api.ts'
import { can, type DatasetCapability } from '#app/domain/permissions.ts'
import { findActiveToken, getTokenDataset, touchApiToken } from '#app/models/api-token.server.ts'
import { gateLookup } from '#app/models/pipeline.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import { ApiError, notFound } from '#app/utils/api.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { hitLimit, peekLimit } from '#app/utils/rate-limit.server.ts'

export type ApiPrincipal = { tokenId: string; userId: string }

const authenticate = { 'WWW-Authenticate': 'Bearer realm="roundtable"' }

/**
 * The token of `Authorization: Bearer rt_…`: unknown, malformed and revoked tokens are all 401
 * alike (nothing tells them apart). Then the per-token rate limit (429 with Retry-After), then
 * last_used_at (written at most once a minute).
 */
export async function requireApiToken(request: Request): Promise<ApiPrincipal> {
	const raw = requireBearer(request)
	const token = raw ? await findActiveToken(raw) : null
	if (!token) throw invalidToken()
	const limit = apiLimit(token.id)
	const count = await hitLimit(limit)
	if (count > limit.max) throw rateLimited(limit.max, (await peekLimit(limit)).retryAfterSeconds)
	await touchApiToken(token)
	return { tokenId: token.id, userId: token.userId }
}

/** The plain token of `Authorization: Bearer rt_…`, null when malformed; no header at all is a 401 here. */
function requireBearer(request: Request): string | null {
	const header = request.headers.get('Authorization')
	if (!hasAuthorization(header)) {
		throw new ApiError(401, 'unauthenticated', 'Send an API token as "Authorization: Bearer rt_…". Session cookies are not accepted by the API.', undefined, authenticate)
	}
	return bearerToken(header)
}

const invalidToken = () =>
	new ApiError(401, 'invalid_token', 'This API token is not valid: it is malformed, unknown or revoked.', undefined, {
		'WWW-Authenticate': 'Bearer realm="roundtable", error="invalid_token"',
	})

const apiLimit = (tokenId: string) => ({ key: `api:${tokenId}`, max: getEnv().API_RATE_LIMIT_PER_MINUTE, windowSeconds: 60 })

function rateLimited(max: number, retryAfterSeconds: number) {
	const retryAfter = Math.max(1, retryAfterSeconds)
	return new ApiError(
		429,
		'rate_limited',
		`This token made more than ${max} requests in a minute. Retry after ${retryAfter} seconds.`,
		{ retry_after_seconds: retryAfter },
		{ 'Retry-After': String(retryAfter) },
	)
}

const noDataset = (slug: string | undefined) => notFound(`No dataset "${slug ?? ''}" is available to this token.`)
const forbidden = () => new ApiError(403, 'forbidden', 'Your role on this dataset does not allow this.')
const noVersion = (slug: string, label: string | undefined) => notFound(`Dataset "${slug}" has no version "${label ?? ''}".`)

/** A dataset the token is scoped to and whose team its creator is still on; anything else is 404 (not 403), so existence is not revealed. */
export async function requireApiDataset(request: Request, slug: string | undefined, capability: DatasetCapability) {
	const principal = await requireApiToken(request)
	const dataset = slug ? await getTokenDataset({ tokenId: principal.tokenId, userId: principal.userId, slug }) : null
	if (!dataset) throw noDataset(slug)
	if (!can(dataset.role, capability)) throw forbidden()
	return { principal, dataset }
}

export async function requireApiVersion(request: Request, params: { dataset?: string; version?: string }, capability: DatasetCapability) {
	const { principal, dataset } = await requireApiDataset(request, params.dataset, capability)
	const version = params.version ? await getVersion({ datasetId: dataset.id, label: params.version }) : null
	if (!version) throw noVersion(dataset.slug, params.version)
	return { principal, dataset, version }
}

/**
 * `requireApiVersion(…, 'view')` and the version's issue counts for the gate, with the same checks
 * in the same order and the same answers, in one database round trip (`gateLookup`; plus the
 * last-use write at most once a minute). Pipelines poll the gate, so this is the API's hot path.
 */
export async function requireApiGate(request: Request, params: { dataset?: string; version?: string }) {
	const raw = requireBearer(request)
	const { max, windowSeconds } = apiLimit('')
	const found = raw ? await gateLookup({ token: raw, slug: params.dataset ?? '', label: params.version ?? '', limit: max, windowSeconds }) : null
	if (!found) throw invalidToken()
	if (found.count > max) throw rateLimited(max, found.retryAfterSeconds)
	await touchApiToken(found.token)
	const { dataset, version } = found
	if (!dataset || !params.dataset) throw noDataset(params.dataset)
	if (!can(dataset.role, 'view')) throw forbidden()
	if (!version || !params.version) throw noVersion(dataset.slug, params.version)
	return { principal: { tokenId: found.token.id, userId: found.token.userId }, dataset, version }
}
