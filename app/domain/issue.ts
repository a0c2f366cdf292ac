import { z } from 'zod'
import { type IssueKind, type IssueStatus, type Resolution } from '#app/domain/enums.ts'

export const resolutionValues = ['removed', 'regenerated', 'documented', 'not_an_issue', 'use_case_revised', 'use_case_narrowed'] as const satisfies readonly Resolution[]

/**
 * The resolutions that make sense for each kind of issue, in the order the form offers them. A
 * sample (or a template) can be dropped or generated again; a use case cannot — it is revised,
 * withdrawn or narrowed, or its risk is documented as a limitation. "Not an issue" fits all.
 */
const resolutionsByKind: Record<IssueKind, readonly Resolution[]> = {
	sample: ['removed', 'regenerated', 'documented', 'not_an_issue'],
	template: ['removed', 'regenerated', 'documented', 'not_an_issue'],
	use_case: ['use_case_revised', 'use_case_narrowed', 'documented', 'not_an_issue'],
}

export function resolutionsFor(kind: IssueKind): readonly Resolution[] {
	return resolutionsByKind[kind]
}

export function resolutionFits(kind: IssueKind, resolution: Resolution): boolean {
	return resolutionsByKind[kind].includes(resolution)
}

/**
 * The triage lifecycle: open → acknowledged → resolved (with a resolution), and a resolved issue
 * can be reopened. Acknowledging is optional: an open issue may be resolved directly.
 */
export type IssueAction = { type: 'acknowledge' } | { type: 'resolve'; resolution: Resolution; publicResponse: string; kind: IssueKind } | { type: 'reopen' }

export type IssueTransition = { ok: true; status: IssueStatus; resolution: Resolution | null } | { ok: false; reason: 'not_allowed' | 'justification_required' | 'resolution_unfit' }

export const MIN_REASON_LENGTH = 10

export function transitionIssue(from: IssueStatus, action: IssueAction): IssueTransition {
	switch (action.type) {
		case 'acknowledge':
			return from === 'open' ? { ok: true, status: 'acknowledged', resolution: null } : { ok: false, reason: 'not_allowed' }
		case 'resolve':
			if (from === 'resolved') return { ok: false, reason: 'not_allowed' }
			if (!resolutionFits(action.kind, action.resolution)) return { ok: false, reason: 'resolution_unfit' }
			// "Not an issue" tells the flaggers why; the response is that justification.
			if (action.resolution === 'not_an_issue' && action.publicResponse.trim().length < MIN_REASON_LENGTH) return { ok: false, reason: 'justification_required' }
			return { ok: true, status: 'resolved', resolution: action.resolution }
		case 'reopen':
			return from === 'resolved' ? { ok: true, status: 'open', resolution: null } : { ok: false, reason: 'not_allowed' }
	}
}

/** The team's call on blocking: un-blocking needs a written reason, and so does marking blocking. */
export function checkBlockingCall(call: 'blocking' | 'not_blocking' | 'rules', reason: string): 'ok' | 'reason_required' {
	if (call === 'rules') return 'ok'
	return reason.trim().length >= MIN_REASON_LENGTH ? 'ok' : 'reason_required'
}

const text = (max: number) => z.string().trim().max(max, { error: 'validation.tooLong' })

/** Every triage form on the issue page (one per `intent`), and the bulk form in the inbox. */
export const TriageSchema = z.discriminatedUnion('intent', [
	z.object({ intent: z.literal('acknowledge'), revision: z.coerce.number().int() }),
	z.object({ intent: z.literal('assign'), revision: z.coerce.number().int(), assignee: z.uuid({ error: 'validation.invalidChoice' }).or(z.literal('')).default('') }),
	z.object({
		intent: z.literal('blocking'),
		revision: z.coerce.number().int(),
		call: z.enum(['blocking', 'not_blocking', 'rules'], { error: 'validation.invalidChoice' }),
		reason: text(2000).default(''),
	}),
	z.object({
		intent: z.literal('resolve'),
		revision: z.coerce.number().int(),
		resolution: z.enum(resolutionValues, { error: 'validation.invalidChoice' }),
		publicResponse: text(4000).default(''),
		note: text(4000).default(''),
	}),
	z.object({ intent: z.literal('reopen'), revision: z.coerce.number().int(), reason: text(2000).default('') }),
	z.object({ intent: z.literal('respond'), revision: z.coerce.number().int(), publicResponse: text(4000).default('') }),
	z.object({ intent: z.literal('note'), note: text(4000).pipe(z.string().min(1, { error: 'validation.required' })) }),
])
export type TriageInput = z.infer<typeof TriageSchema>
/** The inbox's ticked issues, each "id:revision" as the list showed it; malformed entries are dropped. */
const bulkItems = z
	.array(z.string())
	.transform((values) =>
		values
			.map((v) => v.split(':'))
			.filter(([id, rev]) => /^[0-9a-f-]{36}$/i.test(id ?? '') && /^\d+$/.test(rev ?? ''))
			.map(([id, rev]) => ({ id: id!, revision: Number(rev) })),
	)
	.pipe(z.array(z.object({ id: z.string(), revision: z.number() })).min(1, { error: 'bulk.noneSelected' }))

/** Bulk acknowledge in the inbox (read with `lists: ['issue']`). */
export const BulkAcknowledgeSchema = z.object({ issue: bulkItems })

/** Bulk resolve in the inbox: dismissing as "not an issue" needs a public answer of ten characters or more. */
export const BulkResolveSchema = z
	.object({
		issue: bulkItems,
		resolution: z.enum(resolutionValues, { error: 'bulk.resolutionRequired' }),
		publicResponse: z
			.string()
			.default('')
			.transform((v) => v.trim().slice(0, 4000)),
	})
	.refine((v) => v.resolution !== 'not_an_issue' || v.publicResponse.length >= 10, { error: 'bulk.justificationRequired', path: ['publicResponse'] })

/** The issue page's intents, one triage form each. */
export const triageIntents = TriageSchema.options.map((o) => o.shape.intent.value)

export const INBOX_PAGE_SIZE = 50

export const issueSorts = ['newest', 'oldest', 'flaggers', 'severity', 'updated'] as const
export type IssueSort = (typeof issueSorts)[number]

/** The inbox filters, read from the query string (a GET form, so they survive a reload and a link). */
export const InboxFilterSchema = z.object({
	status: z.enum(['unresolved', 'open', 'acknowledged', 'resolved', 'all']).catch('unresolved'),
	blocking: z.enum(['any', 'yes', 'no']).catch('any'),
	kind: z.enum(['any', 'sample', 'template', 'use_case']).catch('any'),
	category: z.string().max(40).catch(''),
	severity: z.enum(['', 'minor', 'major', 'critical']).catch(''),
	group: z.string().max(200).catch(''),
	// "key=value" on the sample's metadata (dotted keys reach into nested objects).
	attribute: z.string().max(300).catch(''),
	assignee: z.enum(['any', 'me', 'none']).catch('any'),
	reReview: z.enum(['any', 'yes']).catch('any'),
	sort: z.enum(issueSorts).catch('newest'),
	page: z.coerce.number().int().min(1).max(10_000).catch(1),
})
export type InboxFilter = z.infer<typeof InboxFilterSchema>

/** "persona.origin=Oaxaca" → a containment object for `metadata @> …`, or null if malformed. */
export function attributeFilter(attribute: string): Record<string, unknown> | null {
	const at = attribute.indexOf('=')
	if (at <= 0) return null
	const path = attribute
		.slice(0, at)
		.split('.')
		.map((k) => k.trim())
		.filter(Boolean)
	const value = attribute.slice(at + 1)
	if (!path.length) return null
	let out: unknown = value
	for (const key of [...path].reverse()) out = { [key]: out }
	return out as Record<string, unknown>
}
