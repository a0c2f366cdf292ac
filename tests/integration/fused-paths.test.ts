/**
 * The fused fast paths give the same answers and leave the same rows as the ordinary paths they
 * stand for (issue #26 item 7), over generated worlds (tests/fused-worlds.ts). Each world is
 * written twice, side by side; one copy is driven through the fast path, the other through the
 * ordinary one, and what each answered and left is compared by the names the copies share.
 * - The one-statement verdict (`quickVerdict`, the review page's action for "no concerns" and
 *   "skip") against the target lookup, guard, `saveVerdict` and `nextPending`.
 * - The one-statement gate (`gateLookup` through `requireApiGate`) against `requireApiVersion(…,
 *   'view')` and `gateCounts`: token, rate limit, scope, team, version, counts.
 * - The session lookup with the unread count and team flag fused in (lucia's adapter) against
 *   the session row, the user row, `unreadCount` and the team's membership rows.
 */
import { and, eq, gt, sql } from 'drizzle-orm'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { rateLimits, sessions, users } from '#db/schema/accounts.ts'
import { apiTokens } from '#db/schema/api.ts'
import { datasetMembers } from '#db/schema/datasets.ts'
import { canGiveVerdict } from '#app/domain/review.ts'
import { gateCounts } from '#app/models/issue.server.ts'
import { unreadCount } from '#app/models/notification.server.ts'
import { getReviewTarget, nextPending, saveVerdict } from '#app/models/review.server.ts'
import { action as reviewAction } from '#app/routes/rounds+/$roundId+/review.$externalId.tsx'
import { ApiError } from '#app/utils/api.server.ts'
import { requireApiGate, requireApiVersion } from '#app/guards/api-token.server.ts'
import { getUser, isOnTeam } from '#app/utils/auth.server.ts'
import { getUnreadCount } from '#app/guards/session.server.ts'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { db, query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import {
	type GateWorld,
	gateWorld,
	newToken,
	type ReviewWorld,
	reviewState,
	reviewWorld,
	sessionWorld,
	verdictTarget,
	writeGateWorld,
	writeReviewWorld,
	writeSessionWorld,
} from '#tests/fused-worlds.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'

// A small limit, so generated counts fall on both sides of it.
process.env.API_RATE_LIMIT_PER_MINUTE = '60'

useTestDatabase()

/** Worlds per property (FUSED_RUNS multiplies them, for a longer search). Review worlds are the costliest to write. */
const SCALE = Number(process.env.FUSED_RUNS ?? 1)
const RUNS = { verdict: 15 * SCALE, gate: 25 * SCALE, session: 25 * SCALE }
/** Generous: a loaded machine writes worlds several times slower. */
const TIMEOUT = 180_000 * SCALE
let worlds = 0
/** Two fresh name prefixes for one generated world. */
const copies = () => {
	worlds++
	return [`a${worlds}`, `b${worlds}`] as const
}

const COOKIE = 'roundtable_session'
async function signedIn(userId: string) {
	const id = crypto.randomUUID().replaceAll('-', '')
	await db.insert(sessions).values({ id: sha256Hex(id), userId, expiresAt: new Date(Date.now() + 10 * 86_400_000) })
	return `${COOKIE}=${id}`
}

describe('the one-statement verdict', () => {
	type Op = ReviewWorld['verdicts'][number]
	type Outcome = { status: number; location: string | null }
	type Placed = { round: number; user: number; externalId: string; verdict: Op['verdict'] }
	const pick = (w: { rounds: string[]; users: string[] }, op: Placed) => ({ roundId: w.rounds[op.round]!, userId: w.users[op.user]!, externalId: op.externalId })
	/** Round ids differ between the copies: named by their place instead. */
	const named = (rounds: string[], o: Outcome): Outcome => ({ ...o, location: o.location && rounds.reduce((l, id, i) => l.replaceAll(id, `R${i}`), o.location) })

	/** The review page's action as a browser posts it: "no concerns" and "skip" take the fast path. */
	async function fast(w: { rounds: string[]; users: string[] }, op: Placed): Promise<Outcome> {
		const { roundId, userId, externalId } = pick(w, op)
		const fields: Record<string, string> = op.verdict.kind === 'no_concerns' ? { intent: 'no_concerns' } : { intent: 'skip', skipReason: op.verdict.reason }
		const res = await run(reviewAction, formRequest(`/rounds/${roundId}/review/${externalId}`, fields, { cookie: await signedIn(userId) }), {}, { roundId, externalId })
		return named(w.rounds, { status: res.status, location: res.headers.get('Location') })
	}

	/** The ordinary path: the guard's lookup and its checks, then saveVerdict, then the next sample still waiting. */
	async function ordinary(w: { rounds: string[]; users: string[] }, op: Placed): Promise<Outcome> {
		const { roundId, userId, externalId } = pick(w, op)
		const target = await getReviewTarget({ roundId, userId, externalId })
		if (!target || target.participant.withdrawn) return { status: 404, location: null }
		if (!target.participant.consented) return named(w.rounds, { status: 302, location: `/rounds/${roundId}/consent` })
		if (!target.assignment) return { status: 404, location: null }
		if (!canGiveVerdict(target.round.status)) return { status: 409, location: null }
		await saveVerdict({ roundId: target.round.id, participantId: target.participant.id, sampleId: target.assignment.sampleId, verdict: op.verdict })
		const next = await nextPending(target.participant.id, target.assignment.position)
		const base = `/rounds/${target.round.id}/review`
		return named(w.rounds, { status: 302, location: next ? `${base}/${encodeURIComponent(next)}` : base })
	}

	const reachesTheWrite: ReviewWorld = {
		sampleCount: 2,
		rounds: [
			{
				status: 'open',
				participants: [
					{
						user: 0,
						consented: true,
						withdrawn: false,
						queue: [
							{ sample: 0, prior: null },
							{ sample: 1, prior: null },
						],
					},
				],
			},
		],
		verdicts: [
			{ round: 0, who: 0, which: 0, verdict: { kind: 'no_concerns' } },
			{ round: 0, who: 0, which: 1, verdict: { kind: 'skipped', reason: 'unclear' } },
		],
	}

	test(
		'answers and leaves reviews, queues, flags and issues as the ordinary path does',
		async () => {
			let recorded = 0
			await fc.assert(
				fc.asyncProperty(reviewWorld, async (world) => {
					const [a, b] = copies()
					const wa = await writeReviewWorld(a, world)
					const wb = await writeReviewWorld(b, world)
					expect(await reviewState(a)).toEqual(await reviewState(b))
					for (const given of world.verdicts) {
						const op = { ...verdictTarget(world, given), verdict: given.verdict }
						const [x, y] = [await fast(wa, op), await ordinary(wb, op)]
						expect(x, JSON.stringify(op)).toEqual(y)
						if (x.status === 302 && !x.location?.endsWith('/consent')) recorded++
					}
					expect(await reviewState(a)).toEqual(await reviewState(b))
				}),
				// Generated worlds reach the write only now and then (an open round, a consented
				// participant, a sample of their queue): this one always does, so a run that drew
				// only refusals still checks the write.
				{ numRuns: RUNS.verdict, examples: [[reachesTheWrite]] },
			)
			// The worlds reached the fast path's write, not only its refusals.
			expect(recorded).toBeGreaterThan(0)
		},
		TIMEOUT,
	)
})

describe('the one-statement gate', () => {
	type Answer = { ok: unknown } | { error: { status: number; code: string; message: string; headers?: Record<string, string>; details?: unknown } }
	const answer = async (copy: string, datasetId: string, fn: () => Promise<unknown>): Promise<Answer> => {
		let out: Answer
		try {
			out = { ok: await fn() }
		} catch (e) {
			if (!(e instanceof ApiError)) throw e
			out = { error: { status: e.status, code: e.code, message: e.message, headers: e.headers, details: e.details } }
		}
		// The copies' names and ids differ: the same answer reads the same once they are named alike.
		return JSON.parse(JSON.stringify(out).replaceAll(`${copy}-`, 'X-').replaceAll(datasetId, 'D')) as Answer
	}
	const gateRequest = (token: string | null) => getRequest('/api/v1/gate', { headers: token ? { Authorization: `Bearer ${token}` } : {} })

	/** Sets the token's count in this minute (0: no row), as the call before this one left it. */
	async function setCount(token: string | null, count: number, ageSeconds: number) {
		if (!token) return
		const [t] = await db
			.select({ id: apiTokens.id })
			.from(apiTokens)
			.where(eq(apiTokens.tokenHash, sha256Hex(token)))
		if (!t) return
		await db.delete(rateLimits).where(eq(rateLimits.key, `api:${t.id}`))
		if (count) await query(sql`insert into ${rateLimits} (key, count, window_started_at) values (${`api:${t.id}`}, ${count}, now() - make_interval(secs => ${ageSeconds}))`)
	}
	/** What a call leaves: the token's count and whether its last use is recent. */
	async function left(token: string | null) {
		if (!token) return null
		const [row] = await query<{ count: number | null; used: boolean }>(sql`
			select (select count from ${rateLimits} where key = 'api:' || t.id) as count, coalesce(t.last_used_at > now() - interval '1 minute', false) as used
			from ${apiTokens} t where t.token_hash = ${sha256Hex(token)}`)
		return row ?? null
	}

	/**
	 * A world drawn at random answers "ok" only when a live, scoped token of a team member asks for
	 * an existing version under its limit; in a short run that can fail to come up. This one, run
	 * first, surely gives each kind of answer: the counts, 401 (no token), 404 (a dataset outside
	 * the token's scope) and 429 (over the minute's limit).
	 */
	const answersEveryWay: GateWorld = {
		team: ['owner', null, null, null],
		versions: [{ status: 'in_consultation', issues: [{ status: 'open', blocking: true, triaged: false }] }],
		tokens: [{ user: 0, scoped: true, revoked: false, usedRecently: false }],
		calls: [
			{ token: 0, dataset: 'own', label: 'v1', countBefore: 0, windowAgeSeconds: 0 },
			{ token: null, dataset: 'own', label: 'v1', countBefore: 0, windowAgeSeconds: 0 },
			{ token: 0, dataset: 'other', label: 'v1', countBefore: 0, windowAgeSeconds: 0 },
			{ token: 0, dataset: 'own', label: 'v1', countBefore: 200, windowAgeSeconds: 0 },
		],
	}

	test(
		'answers every token, scope, team, version and rate limit as requireApiVersion and gateCounts do',
		async () => {
			const seen = new Set<string>()
			await fc.assert(
				fc.asyncProperty(gateWorld, async (world) => {
					const [a, b] = copies()
					const wa = await writeGateWorld(a, world)
					const wb = await writeGateWorld(b, world)
					for (const call of world.calls) {
						const params = (copy: string) => ({ dataset: call.dataset === '' ? '' : `${copy}-${call.dataset === 'own' ? 'ds' : 'other'}`, version: call.label })
						const unknown = newToken()
						const tokenOf = (w: { tokens: string[] }) => (call.token === null ? null : (w.tokens[call.token] ?? (call.token === 3 ? 'rt_malformed' : unknown)))
						const [ta, tb] = [tokenOf(wa), tokenOf(wb)]
						await setCount(ta, call.countBefore, call.windowAgeSeconds)
						await setCount(tb, call.countBefore, call.windowAgeSeconds)
						const fast = await answer(a, wa.datasetId, async () => {
							const { principal, dataset, version } = await requireApiGate(gateRequest(ta), params(a))
							return { principal: principal.tokenId.length > 0, dataset, version }
						})
						const ordinary = await answer(b, wb.datasetId, async () => {
							const { principal, dataset, version } = await requireApiVersion(gateRequest(tb), params(b), 'view')
							return {
								principal: principal.tokenId.length > 0,
								dataset: { id: dataset.id, slug: dataset.slug, role: dataset.role },
								version: { label: version.label, status: version.status, ...(await gateCounts(version.id)) },
							}
						})
						expect(fast, JSON.stringify(call)).toEqual(ordinary)
						expect(await left(ta)).toEqual(await left(tb))
						seen.add('ok' in fast ? 'ok' : String(fast.error.status))
					}
				}),
				{ numRuns: RUNS.gate, examples: [[answersEveryWay]] },
			)
			// Every kind of answer came up: the gate's counts, 401, 404 and 429.
			expect([...seen].sort()).toEqual(expect.arrayContaining(['401', '404', '429', 'ok']))
		},
		TIMEOUT,
	)
})

describe('the session lookup with the unread count', () => {
	test(
		'finds the same user, unread count and team as the session row, unreadCount and the membership rows',
		async () => {
			const seen = { signedIn: 0, unread: 0, team: 0 }
			await fc.assert(
				fc.asyncProperty(sessionWorld, async (world) => {
					const [a] = copies()
					const written = await writeSessionWorld(a, world)
					for (const { userId, sessionId } of written) {
						const req = getRequest('/', { cookie: sessionId ? `${COOKIE}=${sessionId}` : '' })
						const fast = { user: await getUser(req), unread: await getUnreadCount(req), team: await isOnTeam(req) }
						// The ordinary path: the live session row, its user, then each count on its own.
						const [live] = sessionId
							? await db
									.select({ userId: sessions.userId })
									.from(sessions)
									.where(and(eq(sessions.id, sha256Hex(sessionId)), gt(sessions.expiresAt, new Date())))
							: []
						const [user] = live
							? await db.select({ id: users.id, email: users.email, displayName: users.displayName, preferredLanguage: users.preferredLanguage }).from(users).where(eq(users.id, live.userId))
							: []
						const ordinary = {
							user: user ?? null,
							unread: user ? await unreadCount(user.id) : 0,
							team: user
								? (
										await db
											.select({ n: sql<number>`count(*)::int` })
											.from(datasetMembers)
											.where(eq(datasetMembers.userId, user.id))
									)[0]!.n > 0
								: false,
						}
						expect(fast).toEqual(ordinary)
						if (fast.user) {
							expect(fast.user.id).toBe(userId)
							seen.signedIn++
							if (fast.unread) seen.unread++
							if (fast.team) seen.team++
						}
					}
				}),
				// One world surely signed in, on the team and with something unread, whatever is drawn.
				{ numRuns: RUNS.session, examples: [[{ users: [{ language: 'ar', onTeam: true, notifications: [false, true], session: 10 }] }]] },
			)
			expect(seen.signedIn && seen.unread && seen.team).toBeGreaterThan(0)
		},
		TIMEOUT,
	)
})
