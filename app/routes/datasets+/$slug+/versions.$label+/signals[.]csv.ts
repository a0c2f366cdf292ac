import { type LoaderFunctionArgs } from '@remix-run/node'
import { signalsCsv } from '#app/domain/signals/csv.ts'
import { getSignalSummary, getSignalValues } from '#app/models/signals.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'

/** The Signals page's table for one attribute (?attribute=), formula-safe; private to the team, never cached by shared caches. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	const summary = await getSignalSummary(version.id)
	invariantResponse(summary, 'Not found', { status: 404 })
	const wanted = new URL(request.url).searchParams.get('attribute')
	const attribute = summary.attributes.find((a) => a === wanted) ?? (wanted ? null : (summary.attributes[0] ?? null))
	invariantResponse(attribute, 'Not found', { status: 404 })
	const values = await getSignalValues(version.id, attribute)
	const name = `${dataset.slug}-${version.label}-signals-${attribute}`.replace(/[^\w.-]+/g, '_')
	return new Response(`\uFEFF${signalsCsv(attribute, summary.distinct2, values)}`, {
		headers: {
			'Content-Type': 'text/csv; charset=utf-8',
			'Content-Disposition': `attachment; filename="${name}.csv"`,
			'Cache-Control': 'private, no-store',
			'X-Content-Type-Options': 'nosniff',
		},
	})
}
