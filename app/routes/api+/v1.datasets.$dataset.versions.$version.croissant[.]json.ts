import { type LoaderFunctionArgs } from '@remix-run/node'
import { toCroissant } from '#app/domain/croissant.ts'
import { getDatasetDocumentation } from '#app/models/documentation.server.ts'
import { apiRoute, methodNotAllowed } from '#app/utils/api.server.ts'
import { requireApiVersion } from '#app/guards/api-token.server.ts'
import { appOrigin } from '#app/utils/origin.server.ts'

export const action = methodNotAllowed(['GET'])

/** `GET …/versions/{version}/croissant.json`: Croissant 1.1 JSON-LD with the RAI 1.0 fields (decision 034). */
export const loader = apiRoute(async ({ request, params }: LoaderFunctionArgs) => {
	const { dataset, version } = await requireApiVersion(request, params, 'view')
	const doc = await getDatasetDocumentation({ dataset, version, origin: appOrigin(request) })
	return new Response(`${JSON.stringify(toCroissant(doc), null, 2)}\n`, { headers: { 'Content-Type': 'application/ld+json; charset=utf-8', 'Cache-Control': 'no-store' } })
})
