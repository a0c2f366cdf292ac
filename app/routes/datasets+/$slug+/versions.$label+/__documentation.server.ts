import { type LoaderFunctionArgs } from '@remix-run/node'
import { type DatasetDocumentation } from '#app/domain/documentation.ts'
import { getDatasetDocumentation } from '#app/models/documentation.server.ts'
import { appOrigin } from '#app/utils/origin.server.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'

/** The version guard (any team member who may view the version, as for the report), then the documentation facts. */
export async function requireDocumentation(request: Request, params: LoaderFunctionArgs['params']) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	return getDatasetDocumentation({ dataset, version, origin: appOrigin(request) })
}

/** `<slug>-<label>-<file>` as an attachment, private to the team. */
export function documentationDownload(doc: DatasetDocumentation, file: string, contentType: string, body: string) {
	const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_')
	return new Response(body, {
		headers: {
			'Content-Type': contentType,
			'Content-Disposition': `attachment; filename="${safe(doc.dataset.slug)}-${safe(doc.report.version.label)}-${file}"`,
			'Cache-Control': 'private, no-store',
			'X-Content-Type-Options': 'nosniff',
		},
	})
}
