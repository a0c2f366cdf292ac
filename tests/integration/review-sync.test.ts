import { type Server } from 'node:http'
import { type AddressInfo } from 'node:net'
import { sql } from 'drizzle-orm'
import express from 'express'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { answerReviewSync, syncReview } from '#app/models/review-sync.server.ts'
import { originCheck } from '#app/server/origin-check.ts'
import { limitBody, requestGuard } from '#app/server/request-guard.ts'
import { reviewSyncDoor } from '#app/server/review-sync-door.ts'
import { type SyncRequest, SyncRequestSchema } from '#app/domain/review-sync.ts'
import { action as syncAction, type SyncAnswer } from '#app/routes/rounds+/$roundId+/review-sync.ts'
import { query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { createRound, joinAs, setRoundStatus, userIdOf, world } from '#tests/round-fixtures.ts'
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
	test("one verdict with its refill (one statement) answers what the long way answers, other reviewers' flags and skip reasons included", async () => {
		const { owner } = await world(16)
		// Two reviewers per sample, without blind review: the refill shows other reviewers' flags.
		const roundId = await createRound(owner, { overlap: '2', blindReview: '' })
		const ana = await joinAs(owner, roundId, 'ana', sink.messages)
		const ben = await joinAs(owner, roundId, 'ben', sink.messages)
		await setRoundStatus(owner, roundId, 'open')
		const anaQueue = await queueOf('ana', roundId)
		const benQueue = await queueOf('ben', roundId)
		const shared = benQueue.find((id) => anaQueue.indexOf(id) >= 2)!
		expect(shared).toBeDefined()
		expect((await sync(ben, roundId, { verdicts: [{ key: key(40), externalId: shared, intent: 'flag', fields: flag }] })).status).toBe(200)
		const [a, b] = anaQueue as [string, string]
		const body: SyncRequest = { verdicts: [{ key: key(41), externalId: a, intent: 'no_concerns', fields: {} }], have: [a], want: 20, after: 0 }
		const quick = (await sync(ana, roundId, body)).data as SyncAnswer
		expect(quick.results).toEqual([{ key: key(41), status: 'recorded' }])
		expect(quick.queue.map((s) => s.externalId)).toEqual(anaQueue.slice(1))
		expect(quick.queue.find((s) => s.externalId === shared)!.others).toEqual({ caricature: 1 })
		// The long way (a verdict at a time, then the refill), with the same key: nothing written, the same samples.
		const long = await syncReview({ roundId, userId: await userIdOf('ana'), input: SyncRequestSchema.parse(body) })
		expect(long!.results).toEqual([{ key: key(41), status: 'replayed' }])
		expect(long!.queue).toEqual(quick.queue)
		// A skip with its reason, the same way.
		const skipped = (await sync(ana, roundId, { verdicts: [{ key: key(42), externalId: b, intent: 'skip', fields: { skipReason: 'Later' } }], have: [b], want: 1, after: 1 })).data as SyncAnswer
		expect(skipped.results).toEqual([{ key: key(42), status: 'recorded' }])
		expect(skipped.queue.map((s) => s.externalId)).toEqual([anaQueue[2]])
		const [row] = await query<{ verdict: string; skip_reason: string }>(sql`select verdict, skip_reason from reviews r join samples s on s.id = r.sample_id where s.external_id = ${b}`)
		expect(row).toEqual({ verdict: 'skipped', skip_reason: 'Later' })
	})

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

/**
 * The server's own door for the exchange (app/server/review-sync-door.ts, decision 058): the
 * middleware the server runs for every request, then the door, then a last handler standing where
 * Remix stands (it only says that a request got past the door).
 */
describe('review-sync, answered ahead of Remix', () => {
	let server: Server
	let base = ''
	const reachedRemix: string[] = []
	beforeAll(async () => {
		const app = express()
		app.use(requestGuard({ appUrl: undefined }))
		app.use(originCheck(undefined))
		app.use(limitBody({ form: 256 * 1024, json: 1024 * 1024, upload: 1024 * 1024 }))
		app.use(reviewSyncDoor(() => answerReviewSync))
		app.use((req, res) => {
			reachedRemix.push(`${req.method} ${req.originalUrl}`)
			res.status(299).end()
		})
		server = app.listen(0, '127.0.0.1')
		await new Promise((r) => server.once('listening', r))
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
	})
	afterAll(() => new Promise<void>((r) => server.close(() => r())))

	const post = (path: string, cookie: string, body: unknown, origin = base) =>
		fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/json', Origin: origin, Cookie: cookie }, body: JSON.stringify(body) })

	test('the door and the Remix route are one exchange: a verdict recorded through one is a replay through the other', async () => {
		const { roundId, ana } = await setup()
		const [a, b] = (await queueOf('ana', roundId)) as [string, string]
		const body: SyncRequest = { verdicts: [{ key: key(30), externalId: a, intent: 'no_concerns', fields: {} }], have: [a], want: 1, after: -1 }
		const res = await post(`/rounds/${roundId}/review-sync`, ana, body)
		expect(res.status).toBe(200)
		expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
		// A session cookie: never stored by a cache on the way.
		expect(res.headers.get('cache-control')).toBe('private, no-store')
		const answer = (await res.json()) as SyncAnswer
		expect(answer.results).toEqual([{ key: key(30), status: 'recorded' }])
		expect(answer.queue.map((s) => s.externalId)).toEqual([b])
		expect(reachedRemix).toEqual([])
		const again = await sync(ana, roundId, body)
		expect((again.data as SyncAnswer).results).toEqual([{ key: key(30), status: 'replayed' }])
		expect(await stored()).toEqual({ reviews: 1, flags: 0 })
	})

	test('what every request goes through still holds: the Origin check, sign-in, and anything not exactly its path goes on', async () => {
		const { roundId, ana } = await setup()
		const [a] = (await queueOf('ana', roundId)) as [string]
		const body: SyncRequest = { verdicts: [{ key: key(31), externalId: a, intent: 'no_concerns', fields: {} }] }
		// Another site's page posting with the reviewer's cookie: refused before the door.
		expect((await post(`/rounds/${roundId}/review-sync`, ana, body, 'https://evil.example')).status).toBe(403)
		// Signed out: to sign-in, and back here after.
		const signedOut = await post(`/rounds/${roundId}/review-sync`, '', body)
		expect(signedOut.status).toBe(302)
		expect(signedOut.headers.get('location')).toBe(`/signin?redirectTo=${encodeURIComponent(`/rounds/${roundId}/review-sync`)}`)
		expect((await post(`/rounds/${roundId}/review-sync`, ana, { verdicts: 'no' })).status).toBe(400)
		expect(await stored()).toEqual({ reviews: 0, flags: 0 })
		// Another spelling of the path, or another method: left to Remix (whose route answers with the same function).
		await post(`/rounds/${roundId.toUpperCase()}/review-sync`, ana, body)
		await post(`/rounds/${roundId}/review-sync/`, ana, body)
		await fetch(`${base}/rounds/${roundId}/review-sync`)
		expect(reachedRemix.splice(0)).toEqual([`POST /rounds/${roundId.toUpperCase()}/review-sync`, `POST /rounds/${roundId}/review-sync/`, `GET /rounds/${roundId}/review-sync`])
		expect(await stored()).toEqual({ reviews: 0, flags: 0 })
	})

	test("a session is checked by lucia's rules: one in the second half of its life is extended with a new cookie, an expired one signs out", async () => {
		const { roundId, ana } = await setup()
		const [a, b] = (await queueOf('ana', roundId)) as [string, string]
		const expiry = async () =>
			(
				await query<{ days: number }>(
					sql`select (extract(epoch from max(expires_at) - now()) / 86400)::float8 as days from sessions s join users u on u.id = s.user_id where u.email = 'ana@example.org'`,
				)
			)[0]!.days
		await query(sql`update sessions set expires_at = now() + interval '2 days' where user_id = (select id from users where email = 'ana@example.org')`)
		const extended = await post(`/rounds/${roundId}/review-sync`, ana, { verdicts: [{ key: key(32), externalId: a, intent: 'no_concerns', fields: {} }] })
		expect(extended.status).toBe(200)
		expect(extended.headers.get('set-cookie')).toMatch(/roundtable_session=[^;]+;.*Max-Age=2592000/)
		expect(await expiry()).toBeGreaterThan(29)
		await query(sql`update sessions set expires_at = now() - interval '1 minute' where user_id = (select id from users where email = 'ana@example.org')`)
		const expired = await post(`/rounds/${roundId}/review-sync`, ana, { verdicts: [{ key: key(33), externalId: b, intent: 'no_concerns', fields: {} }] })
		expect(expired.status).toBe(302)
		expect(expired.headers.get('set-cookie')).toMatch(/roundtable_session=;.*Max-Age=0/)
		expect(await stored()).toEqual({ reviews: 1, flags: 0 })
	})
})
