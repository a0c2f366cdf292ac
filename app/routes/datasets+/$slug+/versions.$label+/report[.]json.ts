import { type LoaderFunctionArgs } from '@remix-run/node'
import { toJsonChunks } from '#app/domain/report.ts'
import { reportDownload, requireReportExport } from './__report.server.ts'

/** The consultation report as JSON (format `roundtable.consultation-report/1`), every issue included, streamed from the database. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { report, issues } = await requireReportExport(request, params)
	return reportDownload(report, 'json', toJsonChunks(report, issues), 'application/json; charset=utf-8')
}
