import { type RequestHandler } from 'express'
import { isMutationAllowed } from '../utils/http-security.ts'

/**
 * The Origin check (app/utils/http-security.ts) as the server applies it to every request; its
 * own module so the tests run the very middleware the server uses.
 *
 * The path is read as Remix will route it (@remix-run/express parses `originalUrl` with the URL
 * parser, which resolves dot segments), not as Express's raw `req.path`: otherwise
 * `/api/../datasets/x/edit` would pass as an /api/ path and still reach a cookie-reading action.
 */
export function originCheck(appUrl: string | undefined): RequestHandler {
	const configured = appUrl ? new URL(appUrl).origin : null
	return (req, res, next) => {
		const expectedOrigin = configured ?? `${req.protocol}://${req.get('host')}`
		const url = `http://localhost${req.originalUrl}`
		// Unparseable: Remix will not route it either; checked as a non-API path.
		const pathname = URL.canParse(url) ? new URL(url).pathname : ''
		if (isMutationAllowed({ method: req.method, pathname, origin: req.get('origin'), expectedOrigin })) return next()
		res.status(403).type('text/plain').send('403 Forbidden: this request did not come from Roundtable itself (Origin check).')
	}
}
