/**
 * What every pipeline API route shares (docs/pipeline.md, docs/decisions/013-pipeline-api.md):
 * bearer-token authentication, the per-token rate limit, the dataset scope, and JSON responses
 * and errors — `{ "error": { "code", "message", "details"? } }` with the right status.
 *
 * Session cookies are never read here: the server exempts /api/ from the Origin check
 * (app/utils/http-security.ts) on exactly that promise, so a cookie alone is a 401.
 */
import { createHash } from 'node:crypto'
import { type z } from 'zod'
import { type ApiErrorCode, bearerToken, hasAuthorization } from '#app/domain/api.ts'
import { can, type DatasetCapability } from '#app/domain/permissions.ts'
import { findActiveToken, getTokenDataset, touchApiToken } from '#app/models/api-token.server.ts'
import { gateLookup } from '#app/models/pipeline.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import { databaseUnavailableCode, invalidInputCode, loggableError } from './db-errors.ts'
import { getEnv } from './env.server.ts'
import { getFixedT } from './i18n.server.ts'
import { hitLimit, peekLimit } from './rate-limit.server.ts'

const NO_STORE = { 'Cache-Control': 'no-store' }

export function apiJson(body: unknown, init: ResponseInit = {}): Response {
	const headers = new Headers(init.headers)
	for (const [k, v] of Object.entries(NO_STORE)) headers.set(k, v)
	return Response.json(body, { ...init, headers })
}

/** An API failure; thrown anywhere under a route wrapped by `apiRoute`, answered as JSON. */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: ApiErrorCode,
		message: string,
		readonly details?: unknown,
		readonly headers?: Record<string, string>,
	) {
		super(message)
	}

	toResponse(): Response {
		const error: Record<string, unknown> = { code: this.code, message: this.message }
		if (this.details !== undefined) error.details = this.details
		return apiJson({ error }, { status: this.status, headers: this.headers })
	}
}

const codeByStatus: Record<number, ApiErrorCode> = { 400: 'bad_request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 409: 'conflict', 413: 'payload_too_large' }

type RouteArgs = { request: Request; params: Record<string, string | undefined> }

/** Wraps a loader or action: ApiErrors, thrown Responses and crashes all leave as JSON errors. */
export function apiRoute<A extends RouteArgs>(handler: (args: A) => Promise<Response>) {
	return async (args: A): Promise<Response> => {
		try {
			return await handler(args)
		} catch (thrown) {
			if (thrown instanceof ApiError) return thrown.toResponse()
			if (thrown instanceof Response) {
				if (thrown.headers.get('Content-Type')?.includes('json')) return thrown
				const message = (await thrown.text().catch(() => '')) || thrown.statusText || 'Request failed'
				return new ApiError(thrown.status, codeByStatus[thrown.status] ?? 'error', message).toResponse()
			}
			const unavailable = databaseUnavailableCode(thrown)
			if (unavailable) {
				console.error(`API ${args.request.method} ${new URL(args.request.url).pathname}: database unavailable (${unavailable})`)
				return new ApiError(503, 'service_unavailable', 'The database cannot be reached right now. Retry in a moment.', undefined, { 'Retry-After': '5' }).toResponse()
			}
			const invalid = invalidInputCode(thrown)
			if (invalid) return new ApiError(400, 'bad_request', 'A value in the request is not valid here.').toResponse()
			console.error('API error', loggableError(thrown))
			return new ApiError(500, 'internal_error', 'Something went wrong on our side. Try again later.').toResponse()
		}
	}
}

export function notFound(message = 'Not found.'): ApiError {
	return new ApiError(404, 'not_found', message)
}

/** Refuses a method the route does not implement (the ones it does are in the OpenAPI document). */
export function assertMethod(request: Request, allow: string[]) {
	if (!allow.includes(request.method.toUpperCase())) {
		throw new ApiError(405, 'method_not_allowed', `${request.method} is not supported here; use ${allow.join(' or ')}.`, undefined, { Allow: allow.join(', ') })
	}
}

/** A loader or action that only refuses: for the methods a route does not implement. */
export function methodNotAllowed(allow: string[]) {
	return apiRoute(async ({ request }: RouteArgs) => {
		assertMethod(request, allow)
		throw new ApiError(405, 'method_not_allowed', `${request.method} is not supported here.`, undefined, { Allow: allow.join(', ') })
	})
}

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
	return new ApiError(429, 'rate_limited', `This token made more than ${max} requests in a minute. Retry after ${retryAfter} seconds.`, { retry_after_seconds: retryAfter }, { 'Retry-After': String(retryAfter) })
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

const en = () => getFixedT('en', ['common', 'datasets'])

/** A zod error as `{ field: [English message] }` (the schemas' messages are translation keys). */
export function fieldErrors(error: z.ZodError): Record<string, string[]> {
	const t = en()
	const out: Record<string, string[]> = {}
	for (const issue of error.issues) {
		if (issue.code === 'unrecognized_keys') {
			for (const key of issue.keys) (out[key] ??= []).push('Unknown field.')
			continue
		}
		const field = issue.path.map(String).join('.') || 'body'
		const message = issue.message.includes(' ') ? issue.message : t(issue.message, { defaultValue: issue.message })
		const allowed = issue.code === 'invalid_value' ? ` Allowed: ${issue.values.map(String).join(', ')}.` : ''
		;(out[field] ??= []).push(message + allowed)
	}
	return out
}

/** An import error's reason in English, from the same texts the web page shows. */
export function importErrorMessage(code: string, params?: Record<string, string | number>): string {
	return en()(`datasets:importErrors.${code}`, { ...params, defaultValue: code })
}

/** Largest JSON body the API reads (a version's provenance texts together stay far below it). */
export const MAX_JSON_BODY_BYTES = 1024 * 1024

/** A JSON request body, or 415/413/400 errors that say what is wrong with it. */
export async function readJsonBody(request: Request): Promise<unknown> {
	const type = request.headers.get('Content-Type')?.split(';')[0]?.trim().toLowerCase()
	if (type !== 'application/json') throw new ApiError(415, 'unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json".')
	const tooLarge = () => new ApiError(413, 'payload_too_large', `The body is larger than ${MAX_JSON_BODY_BYTES} bytes.`)
	if (Number(request.headers.get('Content-Length')) > MAX_JSON_BODY_BYTES) throw tooLarge()
	const chunks: Uint8Array[] = []
	let size = 0
	const reader = request.body?.getReader()
	for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) {
		size += r.value.byteLength
		if (size > MAX_JSON_BODY_BYTES) {
			await reader!.cancel().catch(() => {})
			throw tooLarge()
		}
		chunks.push(r.value)
	}
	try {
		return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))) as unknown
	} catch {
		throw new ApiError(400, 'invalid_json', 'The body is not valid UTF-8 JSON.')
	}
}

/**
 * The request body as the async iterable runImport reads, hashed (with `context`, e.g. method
 * and path) as it streams past, for Idempotency-Key. The iterator has no `return`, so a parser
 * that stops early leaves the stream open; `finish()` reads what is left (at most `maxBytes`
 * in all) and gives the hash of the whole request.
 */
export function hashedBody(request: Request, context: string, maxBytes: number) {
	const reader = request.body?.getReader()
	const hash = createHash('sha256').update(context).update('\n')
	let bytes = 0
	let done = !reader
	const next = async (): Promise<IteratorResult<Uint8Array>> => {
		if (done || !reader) return { done: true, value: undefined }
		const r = await reader.read()
		if (r.done) {
			done = true
			return { done: true, value: undefined }
		}
		bytes += r.value.byteLength
		hash.update(r.value)
		return { done: false, value: r.value }
	}
	return {
		source: { [Symbol.asyncIterator]: () => ({ next }) } as AsyncIterable<Uint8Array>,
		async finish(): Promise<string> {
			while (!done && bytes <= maxBytes) await next()
			if (!done) {
				done = true
				await reader?.cancel().catch(() => {})
			}
			return hash.digest('hex')
		},
	}
}
