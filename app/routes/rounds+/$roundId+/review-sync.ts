import { type ActionFunctionArgs } from '@remix-run/node'
import { canGiveVerdict, FlagFormSchema, SkipSchema, visibleOthersFlags } from '#app/domain/review.ts'
import { type SimilarItem, type SyncResult, type SyncVerdict, SyncRequestSchema } from '#app/domain/review-sync.ts'
import { getReviewTarget, quickVerdict, reviewQueue, saveVerdict } from '#app/models/review.server.ts'
import { similarPending } from '#app/models/similar-review.server.ts'
import { requireUser } from '#app/utils/auth.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { parseForm } from '#app/routes/__form.server.ts'

/**
 * The focus view's local queue (with JavaScript, decision 051). POST: the verdicts waiting in the
 * browser, in order, each with its idempotency key, and how many samples to add to the page's
 * queue; the answer is what became of each verdict and the samples to add — nothing else, so no
 * loader runs again. With no verdicts it only loads samples (when the page opens). With `similarOf`
 * it also lists the reviewer's waiting samples like that one (the prompt after a flag).
 * Only the signed-in reviewer's own queue in this round: anything else is 404.
 */

type Target = NonNullable<Awaited<ReturnType<typeof getReviewTarget>>>

const UUID = /^[0-9a-f-]{36}$/i

/** A conflict of the verdict's target, or null when the verdict may be recorded. */
function conflict(target: Target): SyncResult['status'] | null {
	if (!target.participant.consented || target.participant.withdrawn) return 'reviewer_gone'
	if (!canGiveVerdict(target.round.status)) return 'closed'
	if (!target.assignment) return 'sample_gone'
	return null
}

function formOf(fields: SyncVerdict['fields'], intent: string) {
	const form = new FormData()
	form.set('intent', intent)
	for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) form.append(name, v)
	return form
}

async function record(roundId: string, userId: string, v: SyncVerdict): Promise<{ result: SyncResult; target: Target | null }> {
	const at = { roundId, userId, externalId: v.externalId }
	const result = (status: SyncResult['status'], target: Target | null, fieldErrors?: SyncResult['fieldErrors']) => ({
		result: { key: v.key, status, ...(fieldErrors ? { fieldErrors } : {}) },
		target,
	})
	const form = formOf(v.fields, v.intent)
	let quick: Awaited<ReturnType<typeof quickVerdict>> | null = null
	if (v.intent === 'no_concerns' || v.intent === 'skip') {
		const skip = v.intent === 'skip' ? parseForm(form, SkipSchema) : null
		if (skip && !skip.ok) return result('invalid', null, skip.fieldErrors)
		// The common case in one statement: guard, key, verdict.
		quick = await quickVerdict({ ...at, key: v.key, verdict: skip?.ok ? { kind: 'skipped', reason: skip.value.skipReason } : { kind: 'no_concerns' } })
		if (quick.reviewId) return result('recorded', quick.target)
		if (quick.replayed) return result('replayed', quick.target)
	}
	const target = quick ? quick.target : await getReviewTarget(at)
	invariantResponse(target, 'Not found', { status: 404 })
	const refused = conflict(target)
	if (refused) return result(refused, target)
	const ids = { roundId: target.round.id, participantId: target.participant.id, sampleId: target.assignment!.sampleId, key: v.key }
	let id: string | null
	if (v.intent === 'flag') {
		const parsed = parseForm(form, FlagFormSchema, { lists: ['affectedGroups', 'otherGroups'] })
		if (!parsed.ok) return result('invalid', target, parsed.fieldErrors)
		id = await saveVerdict({ ...ids, verdict: { kind: 'flag', flag: parsed.value } })
	} else {
		// "No concerns" or "skip" over an earlier verdict with flags (their issues are re-evaluated).
		const skip = parseForm(form, SkipSchema)
		id = await saveVerdict({ ...ids, verdict: skip.ok && v.intent === 'skip' ? { kind: 'skipped', reason: skip.value.skipReason } : { kind: 'no_concerns' } })
	}
	return result(id ? 'recorded' : 'replayed', target)
}

async function refill(target: Target, input: { have: string[]; want: number; after: number }) {
	if (conflict(target) && conflict(target) !== 'sample_gone') return []
	const queue = await reviewQueue({
		participantId: target.participant.id,
		roundId: target.round.id,
		...input,
		n: input.want,
		withOthers: !target.round.blindReview,
	})
	return queue.map(({ others, ...sample }) => ({ ...sample, others: visibleOthersFlags({ blind: target.round.blindReview, hasOwnVerdict: false, othersCategories: others }) }))
}

/** The reviewer's samples still waiting that are like one of theirs ("Do these look the same?", issue #22); null when they may not give verdicts on it. */
async function similarOf(roundId: string, userId: string, externalId: string): Promise<SimilarItem[] | null> {
	const target = await getReviewTarget({ roundId, userId, externalId })
	invariantResponse(target, 'Not found', { status: 404 })
	if (conflict(target)) return null
	return similarPending({ roundId: target.round.id, participantId: target.participant.id, externalId })
}

export type SyncAnswer = { results: SyncResult[]; queue: Awaited<ReturnType<typeof refill>>; similar?: SimilarItem[] | null }

const headers = { 'Cache-Control': 'no-store' }

export async function action({ request, params }: ActionFunctionArgs) {
	const user = await requireUser(request)
	const roundId = params.roundId ?? ''
	invariantResponse(UUID.test(roundId), 'Not found', { status: 404 })
	invariantResponse(request.method === 'POST', 'Method not allowed', { status: 405 })
	const parsed = SyncRequestSchema.safeParse(await request.json().catch(() => null))
	invariantResponse(parsed.success, 'Bad request', { status: 400 })
	const input = parsed.data
	const results: SyncResult[] = []
	let target: Target | null = null
	// In order, one after the other: a later verdict on the same sample replaces an earlier one as it would have online.
	for (const v of input.verdicts) {
		const done = await record(roundId, user.id, v)
		results.push(done.result)
		target = done.target ?? target
	}
	if (input.want > 0 && !target) target = await getReviewTarget({ roundId, userId: user.id, externalId: '' })
	invariantResponse(target || !input.want, 'Not found', { status: 404 })
	const queue = target && input.want > 0 ? await refill(target, input) : []
	// After the verdicts: a flag sent in this request is already recorded when its similar samples are looked up.
	const similar = input.similarOf === undefined ? undefined : await similarOf(roundId, user.id, input.similarOf)
	return Response.json({ results, queue, ...(similar === undefined ? {} : { similar }) } satisfies SyncAnswer, { headers })
}
