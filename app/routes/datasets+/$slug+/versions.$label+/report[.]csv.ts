import { type LoaderFunctionArgs } from '@remix-run/node'
import { toCsv, toCsvRows } from '#app/domain/report.ts'
import { reportDownload, requireReport } from './__report.server.ts'

/** One row per issue, formula-safe; the BOM makes spreadsheet apps read it as UTF-8. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const report = await requireReport(request, params)
	return reportDownload(report, 'csv', `\uFEFF${toCsv(toCsvRows(report))}`, 'text/csv; charset=utf-8')
}
