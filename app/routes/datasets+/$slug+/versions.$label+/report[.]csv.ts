import { type LoaderFunctionArgs } from '@remix-run/node'
import { toCsvChunks } from '#app/domain/report.ts'
import { reportDownload, requireReportCsv } from './__report.server.ts'

/** One row per issue, formula-safe, streamed from the database; the BOM makes spreadsheet apps read it as UTF-8. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { issues, ...report } = await requireReportCsv(request, params)
	return reportDownload(report, 'csv', withBom(toCsvChunks(report, issues)), 'text/csv; charset=utf-8')
}

async function* withBom(chunks: AsyncIterable<string>) {
	yield '\uFEFF'
	yield* chunks
}
