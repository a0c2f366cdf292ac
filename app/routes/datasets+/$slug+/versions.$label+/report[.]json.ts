import { type LoaderFunctionArgs } from '@remix-run/node'
import { toJson } from '#app/domain/report.ts'
import { reportDownload, requireReport } from './__report.server.ts'

/** The consultation report as JSON (format `roundtable.consultation-report/1`), every issue included. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const report = await requireReport(request, params)
	return reportDownload(report, 'json', toJson(report), 'application/json; charset=utf-8')
}
