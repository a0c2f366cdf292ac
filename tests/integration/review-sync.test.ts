import { sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { type SyncRequest } from '#app/domain/review-sync.ts'
import { action as syncAction, type SyncAnswer } from '#app/routes/rounds+/$roundId+/review-sync.ts'
import { query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { createRound, joinAs, setRoundStatus, world } from '#tests/round-fixtures.ts'
import { run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()

async function setup() {
	const { owner } = await world(16)
	const roundId = await createRound(owner, { overlap: '1' })
	const ana = await joinAs(owner, roundId, 'ana', sink.messages)
	const ben = await joinAs(owner, roundId, 'ben', sink.messages)
	await setRoundStatus(owner, roundId, 'open')
	return { owner, roundId, ana, ben }
}

/** What the focus view's local queue sends: the verdicts waiting, in order, and the queue refill. */
async function sync(cookie: string, roundId: string, body: SyncRequest) {
	const request = new Request(`${TEST_ORIGIN}/rounds/${roundId}/review-sync`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Origin: TEST_ORIGIN, Cookie: cookie },
		body: JSON.stringify(body),
	})
	return run(syncAction, request, {}, { roundId })
}

const queueOf = async (name: string, roundId: string) =>
	(
		await query<{ external_id: string }>(sql`
			select s.external_id from assignments a join samples s on s.id = a.sample_id join participants p on p.id = a.participant_id
			join users u on u.id = p.user_id where u.email = ${`${name}@example.org`} and p.round_id = ${roundId} order by a.position`)
	).map((r) => r.external_id)

const stored = async () => ({
	reviews: (await query<{ n: number }>(sql`select count(*)::int as n from reviews`))[0]!.n,
	flags: (await query<{ n: number }>(sql`select count(*)::int as n from flags`))[0]!.n,
})

const key = (n: number) => `key-${String(n).padStart(8, '0')}`
const flag = { category: 'caricature', severity: 'critical', rationale: 'Reads as a parody.', quotedSpan: 'hint', affectedGroups: ['older women'] }

describe('review-sync', () => {
	test('verdicts are recorded in order, each key once however often it is sent, and the answer refills the queue', async () => {
		const { roundId, ana } = await setup()
		const queue = await queueOf('ana', roundId)
		expect(queue.length).toBeGreaterThanOrEqual(8)
		const [a, b, c] = queue as [string, string, string]
		const body: SyncRequest = {
			verdicts: [
				{ key: key(1), externalId: a, intent: 'no_concerns', fields: {} },
				{ key: key(2), externalId: b, intent: 'flag', fields: flag },
				{ key: key(3), externalId: c, intent: 'skip', fields: { skipReason: 'Later' } },
			],
			have: [a, b, c],
			want: 5,
		}
		const first = await sync(ana, roundId, body)
		expect(first.status).toBe(200)
		const answer = first.data as SyncAnswer
		expect(answer.results.map((r) => r.status)).toEqual(['recorded', 'recorded', 'recorded'])
		// The refill leaves out what the page holds and what is done: the rest of the queue, in order.
		expect(answer.queue.map((s) => s.externalId)).toEqual(queue.slice(3, 8))
		expect(answer.queue[0]).toMatchObject({ externalId: queue[3], content: expect.any(String) as string })
		expect(await stored()).toEqual({ reviews: 3, flags: 1 })
		// The same request again (a lost answer, a reload with verdicts waiting): recorded once.
		const again = await sync(ana, roundId, body)
		expect((again.data as SyncAnswer).results.map((r) => r.status)).toEqual(['replayed', 'replayed', 'replayed'])
		expect(await stored()).toEqual({ reviews: 3, flags: 1 })
		const [{ revisions }] = (await query<{ revisions: number }>(sql`select sum(revision)::int as revisions from reviews`)) as [{ revisions: number }]
		expect(revisions).toBe(3)
		// A new key on a sample with a flag: "no concerns" replaces the flag (as the form post does).
		const edit = await sync(ana, roundId, { verdicts: [{ key: key(4), externalId: b, intent: 'no_concerns', fields: {} }] })
		expect((edit.data as SyncAnswer).results[0]!.status).toBe('recorded')
		expect(await stored()).toEqual({ reviews: 3, flags: 0 })
		const replayEdit = await sync(ana, roundId, { verdicts: [{ key: key(4), externalId: b, intent: 'no_concerns', fields: {} }] })
		expect((replayEdit.data as SyncAnswer).results[0]!.status).toBe('replayed')
		// Two flags on one sample with two keys: both kept; the second key replayed adds nothing.
		const twoFlags = [
			{ key: key(5), externalId: a, intent: 'flag' as const, fields: flag },
			{ key: key(6), externalId: a, intent: 'flag' as const, fields: { ...flag, category: 'stereotype', quotedSpan: '' } },
		]
		expect(((await sync(ana, roundId, { verdicts: twoFlags })).data as SyncAnswer).results.map((r) => r.status)).toEqual(['recorded', 'recorded'])
		expect(((await sync(ana, roundId, { verdicts: twoFlags })).data as SyncAnswer).results.map((r) => r.status)).toEqual(['replayed', 'replayed'])
		expect(await stored()).toEqual({ reviews: 3, flags: 2 })
	})

	test('racing copies of one verdict record it once', async () => {
		const { roundId, ana } = await setup()
		const [a] = (await queueOf('ana', roundId)) as [string]
		const body: SyncRequest = { verdicts: [{ key: key(7), externalId: a, intent: 'flag', fields: flag }] }
		const answers = await Promise.all([sync(ana, roundId, body), sync(ana, roundId, body), sync(ana, roundId, body)])
		expect(answers.map((r) => (r.data as SyncAnswer).results[0]!.status).sort()).toEqual(['recorded', 'replayed', 'replayed'])
		expect(await stored()).toEqual({ reviews: 1, flags: 1 })
	})

	test('conflicts are answered per verdict, and nothing is written for them', async () => {
		const { owner, roundId, ana, ben } = await setup()
		const [a, b] = (await queueOf('ana', roundId)) as [string, string]
		const [benFirst] = (await queueOf('ben', roundId)) as [string]
		// A sample not (or no longer) in the reviewer's queue, and a refused flag, beside one that is recorded.
		const mixed = await sync(ana, roundId, {
			verdicts: [
				{ key: key(10), externalId: benFirst, intent: 'no_concerns', fields: {} },
				{ key: key(11), externalId: a, intent: 'flag', fields: { category: 'caricature', severity: 'major' } },
				{ key: key(12), externalId: b, intent: 'no_concerns', fields: {} },
			],
		})
		expect(mixed.status).toBe(200)
		const results = (mixed.data as SyncAnswer).results
		expect(results.map((r) => r.status)).toEqual(['sample_gone', 'invalid', 'recorded'])
		expect(results[1]!.fieldErrors?.rationale).toEqual(['review:errors.rationaleRequired'])
		expect(await stored()).toEqual({ reviews: 1, flags: 0 })
		// A key refused once is not used up: the corrected verdict with the same key is recorded.
		expect(((await sync(ana, roundId, { verdicts: [{ key: key(11), externalId: a, intent: 'flag', fields: flag }] })).data as SyncAnswer).results[0]!.status).toBe('recorded')
		// The round closed: each verdict says so.
		await setRoundStatus(owner, roundId, 'close')
		const closed = await sync(ana, roundId, { verdicts: [{ key: key(13), externalId: a, intent: 'no_concerns', fields: {} }], want: 5 })
		expect((closed.data as SyncAnswer).results.map((r) => r.status)).toEqual(['closed'])
		expect((closed.data as SyncAnswer).queue).toEqual([])
		// The reviewer withdrawn (in another round's state, as after "leave the round").
		await query(sql`update participants set withdrawn_at = now() where user_id = (select id from users where email = 'ben@example.org')`)
		const gone = await sync(ben, roundId, { verdicts: [{ key: key(14), externalId: benFirst, intent: 'skip', fields: { skipReason: '' } }] })
		expect((gone.data as SyncAnswer).results.map((r) => r.status)).toEqual(['reviewer_gone'])
		expect(await stored()).toEqual({ reviews: 2, flags: 1 })
	})

	test("only the signed-in reviewer's own queue in this round: others are 404, and the refill is theirs only", async () => {
		const { owner, roundId, ana, ben } = await setup()
		const anaQueue = await queueOf('ana', roundId)
		const benQueue = await queueOf('ben', roundId)
		// Refill only: the reviewer's own waiting samples, never another's.
		const refill = (await sync(ben, roundId, { verdicts: [], want: 20 })).data as SyncAnswer
		expect(refill.queue.map((s) => s.externalId)).toEqual(benQueue)
		expect(refill.queue.some((s) => anaQueue.includes(s.externalId))).toBe(false)
		// The owner takes no part in the round; a round id that is not one; signed out.
		expect((await sync(owner, roundId, { verdicts: [{ key: key(20), externalId: anaQueue[0]!, intent: 'no_concerns', fields: {} }], want: 5 })).status).toBe(404)
		expect((await sync(ana, 'not-a-round', { verdicts: [], want: 5 })).status).toBe(404)
		expect((await sync(ana, '00000000-0000-4000-8000-000000000000', { verdicts: [{ key: key(21), externalId: anaQueue[0]!, intent: 'no_concerns', fields: {} }] })).status).toBe(404)
		const signedOut = await sync('', roundId, { verdicts: [{ key: key(22), externalId: anaQueue[0]!, intent: 'no_concerns', fields: {} }] })
		expect(signedOut.status).toBe(302)
		// A malformed body or key is refused whole.
		expect((await sync(ana, roundId, { verdicts: [{ key: 'x', externalId: anaQueue[0]!, intent: 'no_concerns', fields: {} }] })).status).toBe(400)
		expect(await stored()).toEqual({ reviews: 0, flags: 0 })
	})
})
