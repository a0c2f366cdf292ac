import { type LoaderFunctionArgs } from '@remix-run/node'
import { annotationContentTypes, annotationFormats, annotationsFilename, type AnnotationFormat } from '#app/domain/annotations.ts'
import { annotationsBody } from '#app/models/annotations.server.ts'
import { ApiError, apiRoute, methodNotAllowed } from '#app/utils/api.server.ts'
import { requireApiVersion } from '#app/guards/api-token.server.ts'
import { streamedDownload } from '#app/utils/download.server.ts'

export const action = methodNotAllowed(['GET'])

/** `GET …/versions/{version}/annotations?format=jsonl|csv|parquet`: every verdict as its own row, streamed (decision 033). */
export const loader = apiRoute(async ({ request, params }: LoaderFunctionArgs) => {
	const { dataset, version } = await requireApiVersion(request, params, 'view')
	const format = new URL(request.url).searchParams.get('format') ?? 'jsonl'
	if (!(annotationFormats as readonly string[]).includes(format)) {
		throw new ApiError(400, 'invalid_query', 'The query string is not valid; see details.fields.', { fields: { format: [`Allowed: ${annotationFormats.join(', ')}.`] } })
	}
	const f = format as AnnotationFormat
	return streamedDownload(annotationsFilename(dataset.slug, version.label, f), annotationContentTypes[f], annotationsBody({ versionId: version.id, versionLabel: version.label, format: f }))
})
