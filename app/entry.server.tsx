import { Writable } from 'node:stream'
import { type AppLoadContext, type EntryContext, type HandleErrorFunction } from '@remix-run/node'
import { RemixServer } from '@remix-run/react'
import { renderToPipeableStream } from 'react-dom/server'
import { I18nextProvider } from 'react-i18next'
import { seedDemoIfEmpty } from '#db/demo.ts'
import { pruneExpiredSessions } from './utils/auth.server.ts'
import { closeDb, migrate } from './utils/db.server.ts'
import { getBrowserLanguage, getI18n, getLanguage } from './utils/i18n.server.ts'
import { isSupportedLanguage } from './utils/i18n.ts'
import { NonceProvider } from './utils/nonce-provider.tsx'
import { pruneLimits } from './utils/rate-limit.server.ts'
import { startRoundScheduler, stopRoundScheduler } from './models/round-flow.server.ts'
import { reapStaleImports } from './models/import.server.ts'

const ABORT_DELAY = 5_000

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
	startRoundScheduler()
	return { demo }
}

export async function shutdown() {
	stopRoundScheduler()
	await closeDb()
}

export default async function handleRequest(
	request: Request,
	responseStatusCode: number,
	responseHeaders: Headers,
	remixContext: EntryContext,
	loadContext: AppLoadContext,
) {
	const rootData = remixContext.staticHandlerContext.loaderData.root as { language?: string } | undefined
	const language = isSupportedLanguage(rootData?.language) ? rootData.language : await getLanguage(request).catch(() => getBrowserLanguage(request)).catch(() => 'en' as const)
	const i18n = getI18n(language)
	const nonce = loadContext.cspNonce ?? ''

	// The whole page is rendered into one buffer, then answered in one piece. Nothing suspends
	// (every loader's data is there before rendering), so streaming the shell first would send
	// the same bytes no sooner; as ~15 small chunks it cost a stream hop, a web-stream hop and a
	// write each (decision 022).
	return new Promise<Response>((resolve, reject) => {
		let shellRendered = false
		let timer: NodeJS.Timeout | undefined
		const chunks: Buffer[] = []
		const sink = new Writable({
			write(chunk: Buffer, _encoding, done) {
				chunks.push(chunk)
				done()
			},
			final(done) {
				clearTimeout(timer)
				responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
				responseHeaders.set('Content-Language', language)
				resolve(new Response(Buffer.concat(chunks), { headers: responseHeaders, status: responseStatusCode }))
				done()
			},
		})
		const { pipe, abort } = renderToPipeableStream(
			<NonceProvider value={nonce}>
				<I18nextProvider i18n={i18n}>
					<RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
				</I18nextProvider>
			</NonceProvider>,
			{
				nonce,
				onShellReady() {
					shellRendered = true
				},
				onAllReady() {
					pipe(sink)
				},
				onShellError(error: unknown) {
					clearTimeout(timer)
					reject(error)
				},
				onError(error: unknown) {
					responseStatusCode = 500
					if (shellRendered) console.error(error)
				},
			},
		)
		timer = setTimeout(abort, ABORT_DELAY)
	})
}

export const handleError: HandleErrorFunction = (error, { request }) => {
	if (request.signal.aborted) return
	console.error(error)
}
