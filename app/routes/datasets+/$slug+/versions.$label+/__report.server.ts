import { type LoaderFunctionArgs } from '@remix-run/node'
import { REPORT_NAMESPACES, reportFilename } from '#app/domain/report.ts'
import { getConsultationReport, getConsultationReportExport, listReportCsvIssues } from '#app/models/report.server.ts'
import { getT } from '#app/utils/i18n.server.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'

/** The version guard, then the report (any team member who may view the version may read it). */
export async function requireReport(request: Request, params: LoaderFunctionArgs['params'], options: { issueLimit?: number } = {}) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	return getConsultationReport({ dataset, version, issueLimit: options.issueLimit })
}

/** The version guard, then the report with its issues to stream (every issue, read as the download is written). */
export async function requireReportExport(request: Request, params: LoaderFunctionArgs['params']) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	return getConsultationReportExport({ dataset, version })
}

/** The version guard, then the CSV's issue rows to stream. */
export async function requireReportCsv(request: Request, params: LoaderFunctionArgs['params']) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	return { dataset: { slug: dataset.slug }, version: { label: version.label }, issues: listReportCsvIssues({ versionId: version.id }) }
}

/** The reader's language, for the Markdown download. */
export function reportT(request: Request) {
	return getT(request, REPORT_NAMESPACES)
}

/**
 * A download of the report; private to the team, so never cached by shared caches. A streamed
 * body is read as the client takes it (`pull`), so a slow reader holds back the database reads
 * instead of piling the report up in memory; a client that goes away stops them.
 */
export function reportDownload(report: { dataset: { slug: string }; version: { label: string } }, ext: 'json' | 'csv' | 'md', body: string | AsyncIterable<string>, contentType: string) {
	return new Response(typeof body === 'string' ? body : textStream(body), {
		headers: {
			'Content-Type': contentType,
			'Content-Disposition': `attachment; filename="${reportFilename(report, ext)}"`,
			'Cache-Control': 'private, no-store',
			'X-Content-Type-Options': 'nosniff',
		},
	})
}

function textStream(chunks: AsyncIterable<string>): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder()
	const it = chunks[Symbol.asyncIterator]()
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			try {
				const { value, done } = await it.next()
				if (done) controller.close()
				else controller.enqueue(encoder.encode(value))
			} catch (error) {
				controller.error(error)
			}
		},
		async cancel() {
			await it.return?.()
		},
	})
}
