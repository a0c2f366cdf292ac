import { type LoaderFunctionArgs } from '@remix-run/node'
import { apiRoute, notFound } from '#app/utils/api.server.ts'

// Any /api/… URL no API route claims: a JSON 404, whatever the method (never the HTML page).
const unknown = apiRoute(async ({ request }: LoaderFunctionArgs) => {
	throw notFound(`No API endpoint at ${request.method} ${new URL(request.url).pathname}. See /api/v1/openapi.json.`)
})
export const loader = unknown
export const action = unknown
