import { type LoaderFunctionArgs } from '@remix-run/node'
import { SimilarQuerySchema, similarQueryInput } from '#app/domain/similar/query.ts'
import { findSimilar } from '#app/models/similar.server.ts'
import { ApiError, apiJson, apiRoute, fieldErrors, methodNotAllowed, notFound } from '#app/utils/api.server.ts'
import { requireApiVersion } from '#app/guards/api-token.server.ts'

export const action = methodNotAllowed(['GET'])

/**
 * `GET …/versions/{version}/samples/{externalId}/similar?min=0.6&limit=50` (issue #22): the
 * samples like one sample: near-duplicate texts (exact Jaccard of word pairs ≥ min) and, when the
 * version's provenance marks them, the samples of the same template × persona. While the text
 * index is being built (after an import), only the template × persona matches are there, and
 * `index.status` says so.
 */
export const loader = apiRoute(async ({ request, params }: LoaderFunctionArgs) => {
	const { version } = await requireApiVersion(request, params, 'view')
	const parsed = SimilarQuerySchema.safeParse(similarQueryInput(new URL(request.url).searchParams))
	if (!parsed.success) throw new ApiError(400, 'invalid_query', 'The query string is not valid; see details.fields.', { fields: fieldErrors(parsed.error) })
	const found = await findSimilar({ versionId: version.id, externalId: params.externalId ?? '', min: parsed.data.min })
	if (!found) throw notFound(`Version "${version.label}" has no sample "${params.externalId ?? ''}".`)
	const { index } = found
	return apiJson({
		sample: { id: found.source.externalId },
		min: parsed.data.min,
		total: found.similar.length,
		capped: found.capped,
		index:
			index.status === 'running'
				? { status: index.status, samples_done: index.done, samples_total: index.total }
				: index.status === 'failed'
					? { status: index.status, error: index.error }
					: { status: index.status },
		similar: found.similar.slice(0, parsed.data.limit).map((s) => ({ id: s.externalId, similarity: round(s.similarity), shared: s.shared })),
	})
})

const round = (x: number) => Math.round(x * 1000) / 1000
