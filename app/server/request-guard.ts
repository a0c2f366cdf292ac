import { readFileSync } from 'node:fs'
import { type IncomingMessage, type ServerResponse } from 'node:http'
import path from 'node:path'
import { Transform } from 'node:stream'
import { type Request as ExpressRequest, type RequestHandler, type Response as ExpressResponse } from 'express'
import { fallbackLanguage, isSupportedLanguage, type Language, negotiateLanguage, supportedLanguages } from '../domain/language.ts'
import { directionOf } from '../utils/i18n.ts'

/**
 * What the server checks before the app sees a request (docs/security.md, "HTTP hardening"):
 *
 * - `requestGuard`: the URL the app will route is built here, once, from a Host (or a trusted
 *   X-Forwarded-Host) that must be a plain host name and port — and APP_URL's host when APP_URL is
 *   set — and a path that must start with "/"; anything else is a 400. The Origin check and Remix
 *   both read this URL (`res.locals.url`), so they cannot disagree about the path. Cookies whose
 *   value is not valid percent-encoding or holds control characters are dropped. When a response
 *   is finished before its request body was read (a refusal, a 413), the rest of the body is read
 *   and thrown away, so the next request on the keep-alive connection is answered.
 * - `limitBody`: bodies are capped per kind while they are read, before anything is buffered:
 *   forms (FORM_MAX_KB), JSON for the API (1 MiB), sample uploads (IMPORT_MAX_FILE_MB, streamed,
 *   counted as they pass). Over the cap: 413, a translated page or the API's JSON error.
 */

export type BodyLimits = { form: number; json: number; upload: number }

/** What requestGuard and limitBody leave for the origin check and the Remix handler. */
export type GuardedLocals = {
	url?: URL
	/** The whole body of a form or JSON request, read within its limit. */
	body?: Buffer
	/** A sample upload: the request body, counted as it streams. */
	upload?: Transform
	/** The upload went over this limit while the app was reading it. */
	tooLarge?: number
}

// A host name (letters, digits, hyphens, dots; or an IPv6 literal) and an optional port.
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?|\[[0-9a-f:.]{2,45}\])(?::[0-9]{1,5})?$/i
// Bodies of refused requests are read and discarded up to this much; a larger one closes the connection.
export const DRAIN_LIMIT = 128 * 1024 * 1024
const CONTROL = /[\u0000-\u001f\u007f]/

/** The raw host the request names: X-Forwarded-Host when the proxy is trusted (as Express's req.hostname decides), else Host. */
function rawHost(req: ExpressRequest): string | undefined {
	const trust = req.app.get('trust proxy fn') as ((address: string | undefined, i: number) => boolean) | undefined
	const forwarded = req.get('X-Forwarded-Host')
	if (forwarded && trust?.(req.socket.remoteAddress, 0)) return forwarded.split(',')[0]!.trim()
	return req.get('Host')
}

/** The URL Remix routes, or null when the request's host, scheme or target cannot make one. */
export function requestUrl(req: ExpressRequest): URL | null {
	const host = rawHost(req)
	const target = req.originalUrl
	if (!host || !HOST.test(host) || !target.startsWith('/') || target.startsWith('//') || CONTROL.test(target)) return null
	const protocol = req.protocol
	if (protocol !== 'http' && protocol !== 'https') return null
	const port = /:(\d+)$/.exec(host)?.[1]
	if (port !== undefined && Number(port) > 65535) return null
	let url: URL
	try {
		url = new URL(`${protocol}://${host}${target}`)
	} catch {
		return null
	}
	// A path that reads as "//host" once decoded ("/\\", "/%5C"): the router cannot make a location of it.
	if (/^\/(?:\/|%5c)/i.test(url.pathname)) return null
	// Percent-encoding that is not UTF-8 ("%ff", "%c0%af"): no page has such a name, and the router would log it.
	try {
		decodeURIComponent(url.pathname)
	} catch {
		return null
	}
	return url
}

/** The Cookie header without pairs a parser would choke on (bad percent-encoding, control characters). */
export function sanitizeCookieHeader(header: string): string {
	return header
		.split(';')
		.map((pair) => pair.trim())
		.filter((pair) => {
			if (!pair || CONTROL.test(pair)) return false
			const value = pair.slice(pair.indexOf('=') + 1)
			try {
				decodeURIComponent(value)
				return pair.indexOf('=') > 0
			} catch {
				return false
			}
		})
		.join('; ')
}

/** After the response, whatever of the request body is still on the wire is read and discarded (or, past DRAIN_LIMIT, the connection closed). */
export function drainAfterResponse(req: IncomingMessage, res: ServerResponse) {
	res.once('finish', () => {
		if (req.complete || req.destroyed) return
		let seen = 0
		req.unpipe()
		req.removeAllListeners('data')
		req.on('data', (chunk: Buffer) => {
			seen += chunk.byteLength
			if (seen > DRAIN_LIMIT) req.socket.destroy()
		})
		req.on('error', () => {})
		req.resume()
	})
}

export function requestGuard({ appUrl }: { appUrl: string | undefined }): RequestHandler {
	const appHost = appUrl ? new URL(appUrl).host : null
	return (req, res, next) => {
		drainAfterResponse(req, res)
		const url = requestUrl(req)
		// Health checks come from load balancers by address, not by the public name.
		if (!url || (appHost && url.host !== appHost && url.pathname !== '/healthz')) return errorPage(req, res, 400)
		;(res.locals as GuardedLocals).url = url
		if (req.headers.cookie !== undefined) req.headers.cookie = sanitizeCookieHeader(req.headers.cookie)
		next()
	}
}

type Kind = keyof BodyLimits

/** Which limit a request body falls under: the two sample uploads, the API's JSON, or a form. */
export function bodyKind(method: string, pathname: string): Kind {
	if (pathname.startsWith('/api/')) return method === 'PUT' && pathname.endsWith('/samples') ? 'upload' : 'json'
	return method === 'POST' && /^\/datasets\/[^/]+\/versions\/[^/]+\/import\/?$/.test(pathname) ? 'upload' : 'form'
}

export function limitBody(limits: BodyLimits): RequestHandler {
	return (req, res, next) => {
		if (req.method === 'GET' || req.method === 'HEAD') return next()
		const locals = res.locals as GuardedLocals
		const pathname = locals.url?.pathname ?? ''
		const kind = bodyKind(req.method, pathname)
		const limit = limits[kind]
		const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length'])
		if (declared !== null && declared > limit) return tooLarge(req, res, limit, declared > DRAIN_LIMIT)
		if (kind === 'upload') {
			let seen = 0
			const counter = new Transform({
				transform(chunk: Buffer, _encoding, done) {
					seen += chunk.byteLength
					if (seen <= limit) return done(null, chunk)
					locals.tooLarge = limit
					done(new Error('request body over its limit'))
				},
			})
			req.pipe(counter)
			locals.upload = counter
			return next()
		}
		const chunks: Buffer[] = []
		let size = 0
		let over = false
		const onData = (chunk: Buffer) => {
			size += chunk.byteLength
			if (size > limit) {
				over = true
				cleanup()
				return tooLarge(req, res, limit, false)
			}
			chunks.push(chunk)
		}
		const onEnd = () => {
			cleanup()
			if (over) return
			locals.body = Buffer.concat(chunks, size)
			next()
		}
		const onAbort = () => cleanup()
		const cleanup = () => {
			req.off('data', onData)
			req.off('end', onEnd)
			req.off('error', onAbort)
			req.off('aborted', onAbort)
		}
		req.on('data', onData)
		req.on('end', onEnd)
		req.on('error', onAbort)
		req.on('aborted', onAbort)
	}
}

/** The 413: the API's JSON error on /api/, else a translated page; the rest of the body is drained, or, when huge, the connection closed. */
export function tooLarge(req: ExpressRequest, res: ExpressResponse, limit: number, close: boolean) {
	if (res.headersSent) return
	if (close) res.set('Connection', 'close')
	const pathname = (res.locals as GuardedLocals).url?.pathname ?? ''
	if (pathname.startsWith('/api/')) {
		res
			.status(413)
			.set('Cache-Control', 'no-store')
			.json({ error: { code: 'payload_too_large', message: `The body is larger than ${limit} bytes.` } })
		return
	}
	errorPage(req, res, 413)
}

// ---------------------------------------------------------------------------------------------
// A translated error page for requests the app never sees (it has no database or session).

type Texts = { title: string; body: string; home: string }
const KEYS = { 400: 'badRequest', 413: 'tooLarge' } as const
let texts: Record<Language, Record<keyof typeof KEYS, Texts>> | undefined

function loadTexts() {
	const out = {} as Record<Language, Record<keyof typeof KEYS, Texts>>
	for (const lng of supportedLanguages) {
		const common = JSON.parse(readFileSync(path.resolve('locales', lng, 'common.json'), 'utf8')) as { errorPage: Record<string, { title: string; body: string }> & { home: string } }
		const page = common.errorPage
		out[lng] = { 400: { ...page[KEYS[400]]!, home: page.home }, 413: { ...page[KEYS[413]]!, home: page.home } }
	}
	return out
}

/** The switcher's cookie (Remix's cookie encoding: base64 of a JSON string), then Accept-Language. */
function languageOf(req: ExpressRequest): Language {
	const cookie = /(?:^|;\s*)lng=([^;]*)/.exec(req.headers.cookie ?? '')?.[1]
	if (cookie) {
		try {
			const value = JSON.parse(Buffer.from(decodeURIComponent(cookie), 'base64').toString('utf8')) as unknown
			if (isSupportedLanguage(value)) return value
		} catch {
			// a cookie we did not write: ignored
		}
	}
	return negotiateLanguage(req.headers['accept-language']) ?? fallbackLanguage
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export function errorPage(req: ExpressRequest, res: ExpressResponse, status: keyof typeof KEYS) {
	texts ??= loadTexts()
	const lng = languageOf(req)
	const t = texts[lng][status]
	const dir = directionOf(lng)
	res
		.status(status)
		.set({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Language': lng, 'Cache-Control': 'no-store' })
		.send(
			`<!DOCTYPE html><html lang="${lng}" dir="${dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(t.title)}</title></head>` +
				`<body><main><h1>${escapeHtml(t.title)}</h1><p>${escapeHtml(t.body)}</p><p><a href="/">${escapeHtml(t.home)}</a></p></main></body></html>`,
		)
}
