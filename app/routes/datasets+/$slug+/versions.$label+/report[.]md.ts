import { type LoaderFunctionArgs } from '@remix-run/node'
import { toMarkdown } from '#app/domain/report.ts'
import { reportDownload, reportT, requireReport } from './__report.server.ts'

// A dataset card is read, not queried: past this many issues it lists the first ones and says so.
const CARD_ISSUE_LIMIT = 500

/** The "Community consultation" section for a dataset card, in the reader's language. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const report = await requireReport(request, params, { issueLimit: CARD_ISSUE_LIMIT })
	const { t } = await reportT(request)
	return reportDownload(report, 'md', toMarkdown(report, t), 'text/markdown; charset=utf-8')
}
