import { PassThrough } from 'node:stream'
import { createReadableStreamFromReadable, type AppLoadContext, type EntryContext, type HandleErrorFunction } from '@remix-run/node'
import { RemixServer } from '@remix-run/react'
import { isbot } from 'isbot'
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
	const ready = isbot(request.headers.get('user-agent') ?? '') ? 'onAllReady' : 'onShellReady'

	return new Promise<Response>((resolve, reject) => {
		let shellRendered = false
		const { pipe, abort } = renderToPipeableStream(
			<NonceProvider value={nonce}>
				<I18nextProvider i18n={i18n}>
					<RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
				</I18nextProvider>
			</NonceProvider>,
			{
				nonce,
				[ready]() {
					shellRendered = true
					const body = new PassThrough()
					responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
					responseHeaders.set('Content-Language', language)
					resolve(
						new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }),
					)
					pipe(body)
				},
				onShellError(error: unknown) {
					reject(error)
				},
				onError(error: unknown) {
					responseStatusCode = 500
					if (shellRendered) console.error(error)
				},
			},
		)
		setTimeout(abort, ABORT_DELAY)
	})
}

export const handleError: HandleErrorFunction = (error, { request }) => {
	if (request.signal.aborted) return
	console.error(error)
}
