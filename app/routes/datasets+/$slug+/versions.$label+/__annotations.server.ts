import { type LoaderFunctionArgs } from '@remix-run/node'
import { annotationContentTypes, annotationsFilename, type AnnotationFormat } from '#app/domain/annotations.ts'
import { annotationsBody } from '#app/models/annotations.server.ts'
import { streamedDownload } from '#app/utils/download.server.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'

/** The version guard (any team member who may view the version, as for the report), then the export. */
export async function annotationsDownload(request: Request, params: LoaderFunctionArgs['params'], format: AnnotationFormat) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	const body = annotationsBody({ versionId: version.id, versionLabel: version.label, format })
	return streamedDownload(annotationsFilename(dataset.slug, version.label, format), annotationContentTypes[format], body)
}
