import { type LoaderFunctionArgs } from '@remix-run/node'
import { toCroissant } from '#app/domain/croissant.ts'
import { documentationDownload, requireDocumentation } from './__documentation.server.ts'

/** The version as Croissant 1.1 JSON-LD with the RAI 1.0 fields (decision 034). */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const doc = await requireDocumentation(request, params)
	return documentationDownload(doc, 'croissant.json', 'application/ld+json; charset=utf-8', `${JSON.stringify(toCroissant(doc), null, 2)}\n`)
}
