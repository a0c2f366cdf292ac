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
import { type ApiErrorCode } from '#app/domain/api.ts'
import { databaseUnavailableCode, invalidInputCode, loggableError } from './db-errors.ts'
import { getFixedT } from './i18n.server.ts'

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

const codeByStatus: Record<number, ApiErrorCode> = {
	400: 'bad_request',
	401: 'unauthenticated',
	403: 'forbidden',
	404: 'not_found',
	405: 'method_not_allowed',
	409: 'conflict',
	413: 'payload_too_large',
}

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
