import { type LoaderFunctionArgs } from '@remix-run/node'
import { type ConsultationReport, REPORT_NAMESPACES, reportFilename } from '#app/domain/report.ts'
import { getConsultationReport } from '#app/models/report.server.ts'
import { getT } from '#app/utils/i18n.server.ts'
import { requireVersion } from '#app/utils/permissions.server.ts'

/** The version guard, then the report (any team member who may view the version may read it). */
export async function requireReport(request: Request, params: LoaderFunctionArgs['params'], options: { issueLimit?: number } = {}) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	return getConsultationReport({ dataset, version, issueLimit: options.issueLimit })
}

/** The reader's language, for the Markdown download. */
export function reportT(request: Request) {
	return getT(request, REPORT_NAMESPACES)
}

/** A download of the report; private to the team, so never cached by shared caches. */
export function reportDownload(report: ConsultationReport, ext: 'json' | 'csv' | 'md', body: string, contentType: string) {
	return new Response(body, {
		headers: {
			'Content-Type': contentType,
			'Content-Disposition': `attachment; filename="${reportFilename(report, ext)}"`,
			'Cache-Control': 'private, no-store',
			'X-Content-Type-Options': 'nosniff',
		},
	})
}
