import { type AppLoadContext, createReadableStreamFromReadable, createRequestHandler, type ServerBuild, writeReadableStreamToWritable } from '@remix-run/node'
import { type Request as ExpressRequest, type RequestHandler, type Response as ExpressResponse } from 'express'
import { type GuardedLocals, tooLarge } from './request-guard.ts'

/**
 * Remix behind Express, as @remix-run/express does it, except for what the guards decided: the
 * Request gets the URL requestGuard built (the one the Origin check read) and the body limitBody
 * read within its limit (or the counted upload stream); an upload that went over its limit while
 * the app read it is answered 413, whatever the app made of the error. Caching: every response to
 * a request with a session cookie is `private, no-store` (Back after sign-out shows nothing
 * signed-in); pages and `.data` without their own Cache-Control are `no-store` (every page has a
 * form, if only the language switcher's).
 */
export function remixHandler({
	build,
	mode,
	getLoadContext,
}: {
	build: ServerBuild | (() => Promise<ServerBuild>)
	mode: string
	getLoadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext
}): RequestHandler {
	const handle = createRequestHandler(build, mode)
	return async (req, res, next) => {
		try {
			const locals = res.locals as GuardedLocals
			const url = locals.url ?? new URL(`${req.protocol}://${req.get('host')}${req.originalUrl}`)
			let controller: AbortController | null = new AbortController()
			const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers: remixHeaders(req.headers), signal: controller.signal }
			if (req.method !== 'GET' && req.method !== 'HEAD') {
				init.body = (locals.body as Uint8Array<ArrayBuffer> | undefined) ?? createReadableStreamFromReadable(locals.upload ?? req)
				init.duplex = 'half'
			}
			res.on('finish', () => (controller = null))
			res.on('close', () => controller?.abort())
			const response = await handle(new Request(url.href, init), getLoadContext(req, res))
			if (locals.tooLarge !== undefined) {
				await response.body?.cancel().catch(() => {})
				return tooLarge(req, res, locals.tooLarge, true)
			}
			res.statusMessage = response.statusText
			res.status(response.status)
			for (const [key, value] of response.headers.entries()) res.append(key, value)
			cacheControl(req, res, url)
			if (response.body) await writeReadableStreamToWritable(response.body, res)
			else res.end()
		} catch (error) {
			next(error)
		}
	}
}

const SESSION_COOKIE = /(?:^|;\s*)(?:__Host-)?roundtable_session=/

/** Every answer to a request with a session cookie is `private, no-store`; pages, `.data` and redirects without their own Cache-Control are `no-store`. */
export function cacheControl(req: ExpressRequest, res: ExpressResponse, url: URL) {
	if (SESSION_COOKIE.test(req.headers.cookie ?? '')) return void res.set('Cache-Control', 'private, no-store')
	if (res.get('Cache-Control')) return
	const type = String(res.get('Content-Type') ?? '')
	if (type.startsWith('text/html') || url.pathname.endsWith('.data') || res.statusCode >= 300) res.set('Cache-Control', 'no-store')
}

function remixHeaders(requestHeaders: ExpressRequest['headers']): Headers {
	const headers = new Headers()
	for (const [key, values] of Object.entries(requestHeaders)) {
		if (!values) continue
		if (Array.isArray(values)) for (const value of values) headers.append(key, value)
		else headers.set(key, values)
	}
	return headers
}
