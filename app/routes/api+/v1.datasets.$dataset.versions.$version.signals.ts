import { type LoaderFunctionArgs } from '@remix-run/node'
import { getSignalFlagRates, type FlagShare } from '#app/models/signal-flags.server.ts'
import { getSignals, getSignalValues } from '#app/models/signals.server.ts'
import { ApiError, apiJson, apiRoute, methodNotAllowed, notFound } from '#app/utils/api.server.ts'
import { requireApiVersion } from '#app/guards/api-token.server.ts'

export const action = methodNotAllowed(['GET'])

/**
 * `GET …/versions/{version}/signals?attribute=<key>`: one attribute's caricature signals (issue #21),
 * as the Signals page shows them. 409 while they are queued or computing (or when the computation
 * failed), with the state in details; 404 when nothing was imported or the attribute was not
 * computed (details.attributes lists those that were).
 */
export const loader = apiRoute(async ({ request, params }: LoaderFunctionArgs) => {
	const { version } = await requireApiVersion(request, params, 'view')
	const attribute = new URL(request.url).searchParams.get('attribute')
	if (!attribute) throw new ApiError(400, 'invalid_query', 'The query string is not valid; see details.fields.', { fields: { attribute: ['Required: a metadata key, e.g. persona.group.'] } })
	const { state, summary } = await getSignals(version.id)
	if (!summary) {
		if (state.status === 'none') throw notFound(`Version "${version.label}" has no samples, so no signals.`)
		if (state.status === 'failed') throw new ApiError(409, 'conflict', `The signals could not be computed: ${state.error}`, { status: 'failed', error: state.error })
		const progress = state.status === 'running' ? { samples_done: state.done, samples_total: state.total } : { samples_done: 0, samples_total: state.status === 'queued' ? state.total : 0 }
		throw new ApiError(409, 'conflict', 'The signals are still being computed; retry later.', { status: state.status, ...progress }, { 'Retry-After': '30' })
	}
	if (!summary.attributes.includes(attribute)) {
		const skipped = summary.skipped.find((s) => s.attribute === attribute)
		throw new ApiError(404, 'not_found', skipped ? `Attribute "${attribute}" was not compared (${skipped.reason}).` : `Attribute "${attribute}" has no signals.`, {
			attributes: summary.attributes,
		})
	}
	const values = await getSignalValues(version.id, attribute)
	// One query over the version's reviewed samples only: present once there are verdicts.
	const rates = await getSignalFlagRates(version.id, attribute, values)
	return apiJson({
		attribute,
		computed_at: summary.computedAt,
		values: values.map((v) => ({ value: v.value, samples: v.samples, distinct2: v.distinct2, terms: v.terms.map((t) => ({ term: t.term, z: t.z, count: t.count })) })),
		...(rates ? { flag_rates: rates.map((r) => ({ value: r.value, with_terms: flagShare(r.withTerms), without_terms: flagShare(r.withoutTerms) })) } : {}),
	})
})

const flagShare = (s: FlagShare) => ({ reviewed: s.reviewed, flagged: s.flagged, share: s.interval?.rate ?? null, low: s.interval?.low ?? null, high: s.interval?.high ?? null })
