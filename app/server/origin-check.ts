import { type RequestHandler } from 'express'
import { isMutationAllowed } from '../utils/http-security.ts'
import { type GuardedLocals } from './request-guard.ts'

/**
 * The Origin check (app/utils/http-security.ts) as the server applies it to every request; its
 * own module so the tests run the very middleware the server uses.
 *
 * The path and the expected origin are those of the URL Remix will route: the one requestGuard
 * built (`res.locals.url`, from a validated Host and the raw target, dot segments resolved by the
 * URL parser), so `/api/../datasets/x/edit` cannot pass as an /api/ path and a malformed Host
 * cannot make the two disagree. Without requestGuard in front (some tests), the same is computed
 * from the request; a target that does not parse is checked as a non-API path.
 */
export function originCheck(appUrl: string | undefined): RequestHandler {
	const configured = appUrl ? new URL(appUrl).origin : null
	return (req, res, next) => {
		const url = (res.locals as GuardedLocals).url
		const expectedOrigin = configured ?? url?.origin ?? `${req.protocol}://${req.get('host')}`
		const fallback = `http://localhost${req.originalUrl}`
		const pathname = url ? url.pathname : URL.canParse(fallback) ? new URL(fallback).pathname : ''
		if (isMutationAllowed({ method: req.method, pathname, origin: req.get('origin'), expectedOrigin })) return next()
		res.status(403).type('text/plain').send('403 Forbidden: this request did not come from Roundtable itself (Origin check).')
	}
}
