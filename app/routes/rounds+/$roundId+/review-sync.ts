import { type ActionFunctionArgs } from '@remix-run/node'
import { answerReviewSync } from '#app/models/review-sync.server.ts'

/**
 * The focus view's local queue (with JavaScript, decision 051): `POST /rounds/:roundId/review-sync`.
 * The exchange itself is app/models/review-sync.server.ts. In production and in development the
 * server answers this URL before Remix does (app/server/review-sync-door.ts, decision 058); this
 * route answers what that door leaves to Remix (another spelling of the path) with the same
 * function, and is what the tests of the exchange call.
 */

export type { SyncAnswer } from '#app/models/review-sync.server.ts'

export async function action({ request, params }: ActionFunctionArgs) {
	if (request.method !== 'POST') return new Response('Method not allowed', { status: 405, headers: { 'Cache-Control': 'no-store' } })
	const url = new URL(request.url)
	const reply = await answerReviewSync({ cookie: request.headers.get('Cookie') ?? '', roundId: params.roundId ?? '', body: await request.text(), path: url.pathname + url.search })
	return new Response(reply.body || null, { status: reply.status, headers: reply.headers })
}
