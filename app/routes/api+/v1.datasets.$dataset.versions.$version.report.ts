import { type LoaderFunctionArgs } from '@remix-run/node'
import { REPORT_NAMESPACES, reportFilename, toCsvChunks, toJsonChunks, toMarkdown } from '#app/domain/report.ts'
import { getConsultationReport, getConsultationReportExport, listReportCsvIssues } from '#app/models/report.server.ts'
import { ApiError, apiRoute, methodNotAllowed } from '#app/utils/api.server.ts'
import { requireApiVersion } from '#app/guards/api-token.server.ts'
import { streamedDownload } from '#app/utils/download.server.ts'
import { getFixedT } from '#app/utils/i18n.server.ts'

export const action = methodNotAllowed(['GET'])

const formats = ['json', 'csv', 'md'] as const
const types = { json: 'application/json; charset=utf-8', csv: 'text/csv; charset=utf-8', md: 'text/markdown; charset=utf-8' } as const

/**
 * `GET …/versions/{version}/report?format=json|csv|md`: the consultation report as the report page
 * downloads it (decisions 014, 018) — JSON and CSV streamed, the Markdown section in English.
 */
export const loader = apiRoute(async ({ request, params }: LoaderFunctionArgs) => {
	const { dataset, version } = await requireApiVersion(request, params, 'view')
	const format = new URL(request.url).searchParams.get('format') ?? 'json'
	if (!(formats as readonly string[]).includes(format))
		throw new ApiError(400, 'invalid_query', 'The query string is not valid; see details.fields.', { fields: { format: [`Allowed: ${formats.join(', ')}.`] } })
	const f = format as (typeof formats)[number]
	const names = { dataset: { slug: dataset.slug }, version: { label: version.label } }
	const filename = reportFilename(names, f)
	if (f === 'csv') return streamedDownload(filename, types.csv, toCsvChunks(names, listReportCsvIssues({ versionId: version.id })))
	if (f === 'md') {
		const report = await getConsultationReport({ dataset, version, issueLimit: 500 })
		return streamedDownload(filename, types.md, once(toMarkdown(report, getFixedT('en', REPORT_NAMESPACES))))
	}
	const { report, issues } = await getConsultationReportExport({ dataset, version })
	return streamedDownload(filename, types.json, toJsonChunks(report, issues))
})

async function* once(text: string) {
	yield text
}
