import { type LoaderFunctionArgs } from '@remix-run/node'
import { resources } from '#app/utils/i18n.server.ts'
import { isSupportedLanguage } from '#app/utils/i18n.ts'

/** Translation files for the browser's i18next (the server already rendered the page with them). */
export async function loader({ params }: LoaderFunctionArgs) {
	const { lng, ns } = params
	// Own keys only: "constructor" or "toString" is not a namespace.
	const files = isSupportedLanguage(lng) ? resources[lng] : undefined
	const body = files && ns && Object.hasOwn(files, ns) ? files[ns] : undefined
	if (!body) return Response.json({ error: { code: 'not_found', message: 'No such translation file' } }, { status: 404 })
	return Response.json(body, { headers: { 'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400' } })
}
