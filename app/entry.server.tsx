import { type AppLoadContext, type EntryContext, type HandleErrorFunction } from '@remix-run/node'
import { isRouteErrorResponse, RemixServer } from '@remix-run/react'
import { renderToReadableStream } from 'react-dom/server.browser'
import { I18nextProvider } from 'react-i18next'
import { seedDemoIfEmpty } from '#db/demo.ts'
import { loggableError } from './utils/db-errors.ts'
import { pruneExpiredSessions } from './utils/auth.server.ts'
import { closeDb, migrate } from './utils/db.server.ts'
import { getBrowserLanguage, getI18n, getLanguage } from './utils/i18n.server.ts'
import { isSupportedLanguage } from './utils/i18n.ts'
import { NonceProvider } from './utils/nonce-provider.tsx'
import { pruneLimits } from './utils/rate-limit.server.ts'
import { reapStaleImports } from './jobs/import-reaper.server.ts'
import { startScheduler, stopScheduler } from './jobs/scheduler.server.ts'

const ABORT_DELAY = 5_000

/** The local queue's exchange, which the server answers ahead of Remix (app/server/review-sync-door.ts). */
export { answerReviewSync } from './models/review-sync.server.ts'

/**
 * Called once by the server before it listens: schema up to date, demo seeded on an empty embedded
 * database, the scheduler started. In a cluster only one worker does this (`jobs`); the others
 * start after it and need none of it.
 */
export async function startup({ jobs = true }: { jobs?: boolean } = {}) {
	if (!jobs) return { demo: null }
	await migrate()
	await Promise.all([pruneExpiredSessions(), pruneLimits(), reapStaleImports()])
	const demo = await seedDemoIfEmpty()
	startScheduler()
	return { demo }
}

export async function shutdown() {
	stopScheduler()
	await closeDb()
}

export default async function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext, loadContext: AppLoadContext) {
	const rootData = remixContext.staticHandlerContext.loaderData.root as { language?: string } | undefined
	const language = isSupportedLanguage(rootData?.language)
		? rootData.language
		: await getLanguage(request)
				.catch(() => getBrowserLanguage(request))
				.catch(() => 'en' as const)
	const i18n = getI18n(language)
	const nonce = loadContext.cspNonce ?? ''

	// The whole page is rendered, then answered in one piece: nothing of ours suspends, so streaming
	// the shell first would send the same bytes no sooner (decision 022). The web-stream renderer,
	// not renderToPipeableStream: React 18.3's Node stream encoder writes a whole 2 KiB buffer when a
	// multi-byte character does not fit at its end, unused zero bytes included, so pages had a NUL
	// wherever a non-ASCII character fell on a 2 KiB boundary. The web-stream renderer encodes each
	// piece to bytes first and copies them whole (decision 023). Not renderToString either: Remix's
	// single-fetch hand-over of loader data to the browser is a Suspense boundary that a string
	// render leaves as an empty fallback, and the page never hydrates.
	const abort = new AbortController()
	const timer = setTimeout(() => abort.abort(), ABORT_DELAY)
	let status = responseStatusCode
	try {
		const stream = await renderToReadableStream(
			<NonceProvider value={nonce}>
				<I18nextProvider i18n={i18n}>
					<RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
				</I18nextProvider>
			</NonceProvider>,
			{
				nonce,
				signal: abort.signal,
				onError(error: unknown) {
					status = 500
					if (!abort.signal.aborted) console.error(loggableError(error))
				},
			},
		)
		await stream.allReady
		const body = Buffer.from(await new Response(stream).arrayBuffer())
		responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
		responseHeaders.set('Content-Language', language)
		return new Response(body, { headers: responseHeaders, status })
	} finally {
		clearTimeout(timer)
	}
}

export const handleError: HandleErrorFunction = (error, { request }) => {
	if (request.signal.aborted) return
	// A 4xx the router raised (405 for a POST to a page without an action, 404…): the client's
	// mistake, not ours; its message would put the requested path (user content) in the log.
	if (isRouteErrorResponse(error) && error.status < 500) return
	console.error(loggableError(error))
}
