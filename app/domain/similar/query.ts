import { z } from 'zod'
import { DEFAULT_MIN_SIMILARITY } from './minhash.ts'
import { MAX_SIMILAR_LIMIT } from './status.ts'

/** The similar-samples query of the pages and the API: threshold (Jaccard, 0.1–1) and page size. */
export const SimilarQuerySchema = z.object({
	min: z.coerce.number({ error: 'validation.similarMin' }).min(0.1, { error: 'validation.similarMin' }).max(1, { error: 'validation.similarMin' }).default(DEFAULT_MIN_SIMILARITY),
	limit: z.coerce
		.number({ error: 'validation.similarLimit' })
		.int({ error: 'validation.similarLimit' })
		.min(1, { error: 'validation.similarLimit' })
		.max(MAX_SIMILAR_LIMIT, { error: 'validation.similarLimit' })
		.default(50),
})
export type SimilarQuery = z.infer<typeof SimilarQuerySchema>

/** The query string's values, blanks as absent (a form sends an empty field). */
export function similarQueryInput(params: URLSearchParams): Record<string, string> {
	const out: Record<string, string> = {}
	for (const key of ['min', 'limit']) {
		const value = params.get(key)
		if (value !== null && value.trim() !== '') out[key] = value.trim()
	}
	return out
}

/** The audit form: how many to draw (1–200), into which round ("new" or a round id), the new round's title. */
export const AuditFormSchema = z
	.object({
		size: z.coerce
			.number({ error: 'similar.errors.audit_size' })
			.int({ error: 'similar.errors.audit_size' })
			.min(1, { error: 'similar.errors.audit_size' })
			.max(200, { error: 'similar.errors.audit_size' }),
		round: z.string().trim().min(1, { error: 'similar.errors.audit_round' }),
		title: z.string().trim().max(200, { error: 'similar.errors.audit_title' }).default(''),
	})
	.refine((v) => v.round !== 'new' || v.title.length > 0, { error: 'similar.errors.audit_title', path: ['title'] })

/** The pages' reading of the query: what was asked, or the defaults when it was not valid (`invalid` says so beside the field). */
export function similarQueryOrDefault(params: URLSearchParams): SimilarQuery & { invalid: boolean } {
	const parsed = SimilarQuerySchema.safeParse(similarQueryInput(params))
	return parsed.success ? { ...parsed.data, invalid: false } : { ...SimilarQuerySchema.parse({}), invalid: true }
}
