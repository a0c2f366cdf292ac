import { type AppLoadContext, type EntryContext, type HandleErrorFunction } from '@remix-run/node'
import { isRouteErrorResponse, RemixServer } from '@remix-run/react'
import { renderToString } from 'react-dom/server'
import { I18nextProvider } from 'react-i18next'
import { seedDemoIfEmpty } from '#db/demo.ts'
import { loggableError } from './utils/db-errors.ts'
import { pruneExpiredSessions } from './utils/auth.server.ts'
import { closeDb, migrate } from './utils/db.server.ts'
import { getBrowserLanguage, getI18n, getLanguage } from './utils/i18n.server.ts'
import { isSupportedLanguage } from './utils/i18n.ts'
import { NonceProvider } from './utils/nonce-provider.tsx'
import { pruneLimits } from './utils/rate-limit.server.ts'
import { startRoundScheduler, stopRoundScheduler } from './models/round-flow.server.ts'
import { reapStaleImports } from './models/import.server.ts'

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

	// The whole page is rendered into one string, then answered in one piece. Nothing suspends
	// (every loader's data is there before rendering), so streaming the shell first would send the
	// same bytes no sooner (decision 022). renderToString, not renderToPipeableStream: React 18.3's
	// Node stream encoder writes a whole 2 KiB buffer when a multi-byte character does not fit at
	// its end, unused zero bytes included, so pages had a NUL wherever a non-ASCII character fell on
	// a 2 KiB boundary (decision 023). A string holds characters, not bytes: nothing can split one.
	const html = renderToString(
		<NonceProvider value={nonce}>
			<I18nextProvider i18n={i18n}>
				<RemixServer context={remixContext} url={request.url} nonce={nonce} />
			</I18nextProvider>
		</NonceProvider>,
	)
	responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
	responseHeaders.set('Content-Language', language)
	return new Response(Buffer.from(`<!DOCTYPE html>${html}`, 'utf8'), { headers: responseHeaders, status: responseStatusCode })
}

export const handleError: HandleErrorFunction = (error, { request }) => {
	if (request.signal.aborted) return
	// A 4xx the router raised (405 for a POST to a page without an action, 404…): the client's
	// mistake, not ours; its message would put the requested path (user content) in the log.
	if (isRouteErrorResponse(error) && error.status < 500) return
	console.error(loggableError(error))
}
