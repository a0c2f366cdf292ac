import { type RequestHandler } from 'express'
import { databaseErrorAnswer } from './database-unavailable.ts'
import { cacheControl } from './remix-handler.ts'
import { type GuardedLocals } from './request-guard.ts'

/** What the app's entry module offers for the exchange (app/models/review-sync.server.ts, `answerReviewSync`). */
export type ReviewSyncExchange = (input: { cookie: string; roundId: string; body: string; path: string }) => Promise<{ status: number; body: string; headers: Record<string, string> }>

const SYNC_PATH = /^\/rounds\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/review-sync$/

/**
 * `POST /rounds/:roundId/review-sync`, the verdicts of the focus view's local queue (decision 051),
 * answered here rather than by Remix (decision 058): the exchange is JSON in, JSON out, and needs
 * none of what Remix does for a page — matching the path against every route (a fifth of the
 * CPU a request costs in a profile), a Fetch Request and Response around the body, web streams
 * to write it. Everything every request goes through still runs first (security headers, the
 * request guard, the Origin check, the body limit, compression); this door reads the path the
 * guard built (`res.locals.url`, the one the Origin check read), the body the limit read, and
 * calls the very function the Remix route calls, so both answer the same. Any other spelling of
 * the path goes on to Remix, which answers it with that function too.
 */
export function reviewSyncDoor(exchange: () => ReviewSyncExchange | Promise<ReviewSyncExchange>): RequestHandler {
	return (req, res, next) => {
		if (req.method !== 'POST') return next()
		const locals = res.locals as GuardedLocals
		const url = locals.url
		const match = url ? SYNC_PATH.exec(url.pathname) : null
		if (!url || !match) return next()
		Promise.resolve(exchange())
			.then((answer) => answer({ cookie: req.headers.cookie ?? '', roundId: match[1]!, body: locals.body?.toString('utf8') ?? '', path: url.pathname + url.search }))
			.then((reply) => {
				res.status(reply.status).set(reply.headers)
				cacheControl(req, res, url)
				res.end(reply.body)
			})
			.catch((error: unknown) => {
				// As Remix's loaders and actions answer it.
				const answer = databaseErrorAnswer(error, `POST ${url.pathname}`)
				if (!answer) return next(error)
				res.status(answer.status).set(answer.headers).type('text/plain').end(answer.statusText)
			})
	}
}
