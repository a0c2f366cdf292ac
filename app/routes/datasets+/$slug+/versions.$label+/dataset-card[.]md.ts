import { type LoaderFunctionArgs } from '@remix-run/node'
import { toDatasetCard } from '#app/domain/dataset-card.ts'
import { REPORT_NAMESPACES, toMarkdown } from '#app/domain/report.ts'
import { getFixedT } from '#app/utils/i18n.server.ts'
import { documentationDownload, requireDocumentation } from './__documentation.server.ts'

/** A Hugging Face dataset card (README.md) filled from the consultation, in English as the Hub's cards are (decision 034). */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const doc = await requireDocumentation(request, params)
	const consultation = toMarkdown(doc.report, getFixedT('en', REPORT_NAMESPACES))
	return documentationDownload(doc, 'README.md', 'text/markdown; charset=utf-8', toDatasetCard(doc, consultation))
}
