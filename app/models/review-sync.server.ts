/**
 * The focus view's local queue (with JavaScript, decision 051): one exchange of
 * `POST /rounds/:roundId/review-sync`. The verdicts waiting in the browser, in order, each with its
 * idempotency key, and how many samples to add to the page's queue; the answer is what became of
 * each verdict and the samples to add — nothing else, so no loader runs again. With no verdicts it
 * only loads samples (when the page opens). With `similarOf` it also lists the reviewer's waiting
 * samples like that one (the prompt after a flag). Only the signed-in reviewer's own queue in this
 * round: anything else is 404.
 *
 * Two doors lead here and both call `answerReviewSync`: the server's own route, ahead of Remix
 * (app/server/review-sync-door.ts: no route matching, no Request or Response objects, no loader),
 * and the Remix resource route (`app/routes/rounds+/$roundId+/review-sync.ts`), which answers any
 * URL the server's door does not take as its own.
 */
import { FlagFormSchema, SkipSchema, visibleOthersFlags } from '#app/domain/review.ts'
import { type SimilarItem, type SyncInput, SyncRequestSchema, type SyncResult, type SyncVerdict } from '#app/domain/review-sync.ts'
import { freshSessionUserSql, sessionIdOfCookie, userOfCookie } from '#app/utils/auth.server.ts'
import { fieldErrorsOf, isUuid } from '#app/utils/misc.ts'
import { getReviewTarget, type QueuedSample, quickSync, type QuickVerdict, quickVerdict, reviewQueue, type ReviewTarget, saveVerdict, verdictRefusal } from './review.server.ts'
import { similarPending } from './similar-review.server.ts'

const NOT_FOUND = Symbol('not found')

async function record(roundId: string, userId: string, v: SyncVerdict): Promise<{ result: SyncResult; target: ReviewTarget | null } | typeof NOT_FOUND> {
	const at = { roundId, userId, externalId: v.externalId }
	const result = (status: SyncResult['status'], target: ReviewTarget | null, fieldErrors?: SyncResult['fieldErrors']) => ({
		result: { key: v.key, status, ...(fieldErrors ? { fieldErrors } : {}) },
		target,
	})
	const read = quickOf(v)
	if (read && 'fieldErrors' in read) return result('invalid', null, read.fieldErrors)
	const quick = read?.verdict
	let target: ReviewTarget | null
	if (quick) {
		// The common case in one statement: guard, key, verdict.
		const done = await quickVerdict({ ...at, key: v.key, verdict: quick })
		if (done.reviewId) return result('recorded', done.target)
		if (done.replayed) return result('replayed', done.target)
		target = done.target
	} else target = await getReviewTarget(at)
	if (!target) return NOT_FOUND
	const refused = verdictRefusal(target)
	if (refused) return result(refused, target)
	const ids = { roundId: target.round.id, participantId: target.participant.id, sampleId: target.assignment!.sampleId, key: v.key }
	let id: string | null
	if (quick) {
		// "No concerns" or "skip" over an earlier verdict with flags (their issues are re-evaluated).
		id = await saveVerdict({ ...ids, verdict: quick })
	} else {
		const parsed = FlagFormSchema.safeParse({ ...v.fields, intent: 'flag' })
		if (!parsed.success) return result('invalid', target, fieldErrorsOf(parsed.error))
		id = await saveVerdict({ ...ids, verdict: { kind: 'flag', flag: parsed.data } })
	}
	return result(id ? 'recorded' : 'replayed', target)
}

/**
 * "No concerns" or "skip" as the one-statement paths record it, its fields read by the schema the
 * no-JavaScript form is read with; the skip form's errors; null for a flag.
 */
function quickOf(v: SyncVerdict): { verdict: QuickVerdict } | { fieldErrors: Record<string, string[]> } | null {
	if (v.intent === 'flag') return null
	if (v.intent === 'no_concerns') return { verdict: { kind: 'no_concerns' } }
	const skip = SkipSchema.safeParse({ ...v.fields, intent: 'skip' })
	return skip.success ? { verdict: { kind: 'skipped', reason: skip.data.skipReason } } : { fieldErrors: fieldErrorsOf(skip.error) }
}

async function refill(target: ReviewTarget, input: { have: string[]; want: number; after: number }) {
	const refused = verdictRefusal(target)
	if (refused && refused !== 'sample_gone') return []
	const queue = await reviewQueue({
		participantId: target.participant.id,
		roundId: target.round.id,
		...input,
		n: input.want,
		withOthers: !target.round.blindReview,
	})
	return shown(target, queue)
}

/** The samples as the page gets them: other reviewers' flags only where the round shows them before one's own verdict. */
const shown = (target: ReviewTarget, queue: QueuedSample[]) =>
	queue.map(({ others, ...sample }) => ({ ...sample, others: visibleOthersFlags({ blind: target.round.blindReview, hasOwnVerdict: false, othersCategories: others }) }))

/**
 * The common exchange — one "no concerns" or "skip" and a refill, from a session valid as it
 * stands — in one statement (quickSync): the session, the guard, the key, the verdict and the
 * samples to add. Null when it is not that case, or when that statement wrote nothing (not signed
 * in, not theirs, a conflict, earlier flags): the long way then answers, and gives the same answer
 * it would have given alone.
 */
async function quickExchange(cookie: string, roundId: string, input: SyncInput): Promise<SyncAnswer | null> {
	const [v] = input.verdicts
	if (!v || input.verdicts.length !== 1 || input.similarOf !== undefined) return null
	const read = quickOf(v)
	const sessionId = sessionIdOfCookie(cookie)
	if (!read || !('verdict' in read) || !sessionId) return null
	const done = await quickSync({
		roundId,
		user: freshSessionUserSql(sessionId),
		externalId: v.externalId,
		key: v.key,
		verdict: read.verdict,
		refill: { have: input.have, want: input.want, after: input.after },
	})
	if (!done.signedIn || !done.target || !(done.reviewId || done.replayed)) return null
	return { results: [{ key: v.key, status: done.reviewId ? 'recorded' : 'replayed' }], queue: shown(done.target, done.queue) }
}

export type SyncAnswer = { results: SyncResult[]; queue: Awaited<ReturnType<typeof refill>>; similar?: SimilarItem[] | null }

/**
 * One exchange for the signed-in user `userId`, its input already checked (SyncRequestSchema);
 * null when this round is not theirs to review (404).
 */
export async function syncReview({ roundId, userId, input }: { roundId: string; userId: string; input: SyncInput }): Promise<SyncAnswer | null> {
	const results: SyncResult[] = []
	let target: ReviewTarget | null = null
	// In order, one after the other: a later verdict on the same sample replaces an earlier one as it would have online.
	for (const v of input.verdicts) {
		const done = await record(roundId, userId, v)
		if (done === NOT_FOUND) return null
		results.push(done.result)
		target = done.target ?? target
	}
	if (input.want > 0 && !target) target = await getReviewTarget({ roundId, userId, externalId: '' })
	if (!target && input.want > 0) return null
	const queue = target && input.want > 0 ? await refill(target, input) : []
	// After the verdicts: a flag sent in this request is already recorded when its similar samples are looked up.
	let similar: SimilarItem[] | null | undefined
	if (input.similarOf !== undefined) {
		const of = await getReviewTarget({ roundId, userId, externalId: input.similarOf })
		if (!of) return null
		similar = verdictRefusal(of) ? null : await similarPending({ roundId: of.round.id, participantId: of.participant.id, externalId: input.similarOf })
	}
	return { results, queue, ...(similar === undefined ? {} : { similar }) }
}

/** What either door sends back: a status, a body, and the headers that go with it. */
export type SyncReply = { status: number; body: string; headers: Record<string, string> }

const plain = (status: number, body: string): SyncReply => ({ status, body, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } })

/**
 * The whole exchange from what arrived: the Cookie header, the round in the URL, the JSON body.
 * Signed out: a redirect to sign-in that comes back (the page keeps its verdicts waiting). A round
 * that is not the reviewer's: 404; a body that does not parse: 400.
 */
export async function answerReviewSync({ cookie, roundId, body, path }: { cookie: string; roundId: string; body: string; path: string }): Promise<SyncReply> {
	let json: unknown = null
	try {
		json = JSON.parse(body)
	} catch {
		// Not JSON: refused below, once the session is known.
	}
	const parsed = SyncRequestSchema.safeParse(json)
	const quick = parsed.success && isUuid(roundId) ? await quickExchange(cookie, roundId, parsed.data) : null
	if (quick) return answered(quick)
	const { userId, setCookie } = await userOfCookie(cookie)
	const withCookie = (reply: SyncReply): SyncReply => (setCookie ? { ...reply, headers: { ...reply.headers, 'Set-Cookie': setCookie } } : reply)
	if (!userId) return withCookie({ status: 302, body: '', headers: { Location: `/signin?${new URLSearchParams({ redirectTo: path })}`, 'Cache-Control': 'no-store' } })
	if (!isUuid(roundId)) return withCookie(plain(404, 'Not found'))
	if (!parsed.success) return withCookie(plain(400, 'Bad request'))
	const answer = await syncReview({ roundId, userId, input: parsed.data })
	return withCookie(answer ? answered(answer) : plain(404, 'Not found'))
}

const answered = (answer: SyncAnswer): SyncReply => ({ status: 200, body: JSON.stringify(answer), headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' } })
