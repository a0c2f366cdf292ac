/**
 * Generated worlds for the property tests that hold each fused fast path equal to its ordinary
 * path (tests/integration/fused-paths*.test.ts). A world is a plain description (fast-check
 * arbitraries below) written into the database directly, so that hundreds of them fit in a test
 * run; `copy` prefixes every name, so the same description can be written twice, side by side,
 * and each copy driven by one of the two paths.
 */
import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import { sessions, users } from '#db/schema/accounts.ts'
import { apiTokenDatasets, apiTokens } from '#db/schema/api.ts'
import { datasetMembers, datasets, imports, samples, versions } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { flags, reviews } from '#db/schema/reviews.ts'
import { assignments, notifications, participants, rounds, roundSamples } from '#db/schema/rounds.ts'
import { flagCategories, issueStatuses, roundStatuses, severities, versionStatuses } from '#app/domain/enums.ts'
import { syncSampleIssue } from '#app/models/issue.server.ts'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { db, query } from '#app/utils/db.server.ts'

const USERS = 4

type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never

// ---- Review worlds: rounds, queues, earlier verdicts and flags, and verdicts to give ----

const priorVerdict = fc.oneof(
	fc.constant(null),
	fc.record({ verdict: fc.constantFrom('no_concerns' as const, 'skipped' as const), flags: fc.constant([]) }),
	fc.record({
		verdict: fc.constant('flagged' as const),
		flags: fc.array(fc.record({ category: fc.constantFrom(...flagCategories), severity: fc.constantFrom(...severities) }), { minLength: 1, maxLength: 2 }),
	}),
)
const participantArb = (samples: number) =>
	fc.record({
		user: fc.nat(USERS - 1),
		// Mostly consented and still taking part, so that most verdicts get past the guard.
		consented: fc.constantFrom(true, true, true, false),
		withdrawn: fc.constantFrom(false, false, false, true),
		queue: fc.uniqueArray(fc.record({ sample: fc.nat(samples - 1), prior: priorVerdict }), { selector: (q) => q.sample, minLength: 1, maxLength: samples }),
	})
export const reviewWorld = fc.integer({ min: 1, max: 4 }).chain((sampleCount) =>
	fc.record({
		sampleCount: fc.constant(sampleCount),
		rounds: fc.array(
			fc.record({
				status: fc.constantFrom<(typeof roundStatuses)[number]>('open', 'open', ...roundStatuses),
				participants: fc.uniqueArray(participantArb(sampleCount), { selector: (p) => p.user, minLength: 1, maxLength: 3 }),
			}),
			{ minLength: 1, maxLength: 2 },
		),
		/** Verdicts given in turn, placed by `verdictTarget`. */
		verdicts: fc.array(
			fc.record({
				round: fc.nat(1),
				who: fc.nat(3),
				which: fc.nat(4),
				verdict: fc.oneof(fc.constant({ kind: 'no_concerns' as const }), fc.record({ kind: fc.constant('skipped' as const), reason: fc.constantFrom('unclear', 'not my language') })),
			}),
			{ minLength: 1, maxLength: 5 },
		),
	}),
)
export type ReviewWorld = ValueOf<typeof reviewWorld>

/**
 * Who gives a verdict on what: `who` is one of the round's participants (past them: a user who
 * takes part in nothing), `which` a sample of their queue (past it: any sample, in their queue or
 * not, or an id no sample has), so most verdicts reach a queue and some are refused.
 */
export function verdictTarget(w: ReviewWorld, op: ReviewWorld['verdicts'][number]) {
	const round = op.round % w.rounds.length
	const p = w.rounds[round]!.participants[op.who]
	const sample = p && op.which < p.queue.length ? p.queue[op.which]!.sample : op.which % (w.sampleCount + 1)
	return { round, user: p ? p.user : USERS, externalId: `s-${sample}` }
}

export type Written = { users: string[]; rounds: string[]; datasetId: string; versionId: string }

async function writeBase(copy: string, sampleCount: number, versionStatus: (typeof versionStatuses)[number] = 'in_consultation'): Promise<Written & { sampleIds: number[] }> {
	const us = await db
		.insert(users)
		.values(Array.from({ length: USERS + 1 }, (_, i) => ({ email: `${copy}-u${i}@fused.test`, displayName: `User ${i}`, passwordHash: 'x' })))
		.returning({ id: users.id })
	const [ds] = await db
		.insert(datasets)
		.values({ slug: `${copy}-ds`, name: 'Fused', createdBy: us[0]!.id })
		.returning({ id: datasets.id })
	const [v] = await db.insert(versions).values({ datasetId: ds!.id, label: 'v1', status: versionStatus, createdBy: us[0]!.id }).returning({ id: versions.id })
	const [imp] = await db.insert(imports).values({ versionId: v!.id, status: 'succeeded', format: 'jsonl', createdBy: us[0]!.id }).returning({ id: imports.id })
	const ss = await db
		.insert(samples)
		.values(
			Array.from({ length: sampleCount }, (_, i) => ({
				importId: imp!.id,
				externalId: `s-${i}`,
				content: `Sample ${i}`,
				metadata: { persona: { origin: i % 2 ? 'Lagos' : 'Lima' } },
				contentHash: `h${i}`,
			})),
		)
		.returning({ id: samples.id })
	await query(sql`update ${versions} set current_import_id = ${imp!.id}, sample_count = ${sampleCount} where id = ${v!.id}`)
	return { users: us.map((u) => u.id), rounds: [], datasetId: ds!.id, versionId: v!.id, sampleIds: ss.map((s) => s.id) }
}

/** Writes a review world under `copy`; issues are made from its flags as the app makes them. */
export async function writeReviewWorld(copy: string, w: ReviewWorld): Promise<Written> {
	const base = await writeBase(copy, w.sampleCount)
	for (const [ri, r] of w.rounds.entries()) {
		const [round] = await db
			.insert(rounds)
			.values({ versionId: base.versionId, stage: 'validation', title: `Round ${ri}`, status: r.status, sampleCount: w.sampleCount, createdBy: base.users[0]! })
			.returning({ id: rounds.id })
		base.rounds.push(round!.id)
		await db.insert(roundSamples).values(base.sampleIds.map((sampleId, i) => ({ roundId: round!.id, sampleId, position: i + 1 })))
		for (const [pi, p] of r.participants.entries()) {
			const [part] = await db
				.insert(participants)
				.values({ roundId: round!.id, userId: base.users[p.user]!, role: 'community', number: pi + 1, consentedAt: p.consented ? new Date() : null, withdrawnAt: p.withdrawn ? new Date() : null })
				.returning({ id: participants.id })
			for (const [qi, q] of p.queue.entries()) {
				const sampleId = base.sampleIds[q.sample]!
				await db.insert(assignments).values({ roundId: round!.id, participantId: part!.id, sampleId, position: qi + 1, completedAt: q.prior ? new Date() : null })
				if (!q.prior) continue
				const [rv] = await db.insert(reviews).values({ roundId: round!.id, participantId: part!.id, sampleId, verdict: q.prior.verdict }).returning({ id: reviews.id })
				if (!q.prior.flags.length) continue
				await db.insert(flags).values(q.prior.flags.map((f) => ({ reviewId: rv!.id, roundId: round!.id, participantId: part!.id, sampleId, category: f.category, severity: f.severity })))
				await db.transaction((tx) => syncSampleIssue(tx, { roundId: round!.id, sampleId }))
			}
		}
	}
	return base
}

/** What a review world holds after its verdicts, by names the two copies share. */
export async function reviewState(copy: string) {
	const where = sql`u.email like ${`${copy}-%`}`
	const [row] = await query<{ state: unknown }>(sql`
		select json_build_object(
			'reviews', (select json_agg(json_build_array(split_part(u.email, '-', 2), r.title, s.external_id, rv.verdict, rv.skip_reason, rv.revision) order by split_part(u.email, '-', 2), r.title, s.external_id)
				from ${reviews} rv join ${participants} p on p.id = rv.participant_id join ${users} u on u.id = p.user_id join ${rounds} r on r.id = rv.round_id join ${samples} s on s.id = rv.sample_id where ${where}),
			'assignments', (select json_agg(json_build_array(split_part(u.email, '-', 2), r.title, s.external_id, a.position, a.completed_at is not null) order by split_part(u.email, '-', 2), r.title, s.external_id)
				from ${assignments} a join ${participants} p on p.id = a.participant_id join ${users} u on u.id = p.user_id join ${rounds} r on r.id = a.round_id join ${samples} s on s.id = a.sample_id where ${where}),
			'flags', (select json_agg(json_build_array(split_part(u.email, '-', 2), r.title, s.external_id, f.category, f.severity, i.number) order by split_part(u.email, '-', 2), r.title, s.external_id, f.category::text, f.severity::text)
				from ${flags} f join ${participants} p on p.id = f.participant_id join ${users} u on u.id = p.user_id join ${rounds} r on r.id = f.round_id join ${samples} s on s.id = f.sample_id
				left join ${issues} i on i.id = f.issue_id where ${where}),
			'issues', (select json_agg(json_build_array(i.number, i.external_id, i.status, i.blocking, i.blocking_reasons, i.flag_count, i.flagger_count, i.max_severity, i.categories, i.severities) order by i.number)
				from ${issues} i join ${versions} v on v.id = i.version_id join ${datasets} d on d.id = v.dataset_id where d.slug = ${`${copy}-ds`})
		) as state`)
	return row!.state
}

/** A token of the app's shape (`rt_` and 43 base64url characters). */
export const newToken = () => `rt_${randomBytes(32).toString('base64url')}`

// ---- Gate worlds: tokens, teams, versions and their issues ----

export const gateWorld = fc.record({
	/** The dataset's team: each user's role, or not on it. */
	team: fc.array(fc.constantFrom(null, 'owner' as const, 'maintainer' as const, 'maintainer' as const), { minLength: USERS, maxLength: USERS }),
	/** Labelled v1, v2, … in order. */
	versions: fc.array(
		fc.record({
			status: fc.constantFrom(...versionStatuses),
			issues: fc.array(fc.record({ status: fc.constantFrom(...issueStatuses), blocking: fc.boolean(), triaged: fc.boolean() }), { maxLength: 8 }),
		}),
		{ minLength: 1, maxLength: 3 },
	),
	// Mostly live tokens scoped to the dataset, so that many calls get as far as the counts.
	tokens: fc.array(fc.record({ user: fc.nat(USERS - 1), scoped: fc.constantFrom(true, true, true, false), revoked: fc.constantFrom(false, false, false, true), usedRecently: fc.boolean() }), {
		minLength: 1,
		maxLength: 3,
	}),
	/** Requests to the gate: which token (past the last: an unknown one, 3: a malformed one; null: no header), which dataset and version, and the token's count in this minute before it. */
	calls: fc.array(
		fc.record({
			token: fc.option(fc.nat(3), { nil: null }),
			dataset: fc.constantFrom('own', 'own', 'own', 'other', ''),
			label: fc.constantFrom('v1', 'v1', 'v2', 'v3', 'v9', ''),
			countBefore: fc.constantFrom(0, 0, 1, 5, 58, 59, 60, 61, 200),
			windowAgeSeconds: fc.constantFrom(0, 30, 61),
		}),
		{ minLength: 1, maxLength: 4 },
	),
})
export type GateWorld = ValueOf<typeof gateWorld>

/** Writes a gate world under `copy` (a second dataset, "<copy>-other", with the same team, is never in a token's scope); returns the plain tokens. */
export async function writeGateWorld(copy: string, w: GateWorld) {
	const base = await writeBase(copy, 1, w.versions[0]!.status)
	const [other] = await db
		.insert(datasets)
		.values({ slug: `${copy}-other`, name: 'Other', createdBy: base.users[0]! })
		.returning({ id: datasets.id })
	const members = w.team.flatMap((role, i) => (role ? [{ userId: base.users[i]!, role }] : []))
	if (members.length)
		await db.insert(datasetMembers).values(
			members.flatMap((m) => [
				{ ...m, datasetId: base.datasetId },
				{ ...m, datasetId: other!.id },
			]),
		)
	for (const [vi, v] of w.versions.entries()) {
		// The first version is the base's own v1.
		const versionId =
			vi === 0
				? base.versionId
				: (
						await db
							.insert(versions)
							.values({ datasetId: base.datasetId, label: `v${vi + 1}`, status: v.status, createdBy: base.users[0]! })
							.returning({ id: versions.id })
					)[0]!.id
		if (!v.issues.length) continue
		await db.insert(issues).values(
			v.issues.map((x, i) => ({
				versionId,
				number: i + 1,
				kind: 'sample' as const,
				externalId: `s-${i}`,
				lineageId: crypto.randomUUID(),
				status: x.status,
				resolution: x.status === 'resolved' ? ('documented' as const) : null,
				blocking: x.blocking,
				blockingReasons: x.blocking ? ['critical'] : [],
				triagedAt: x.triaged ? new Date() : null,
			})),
		)
	}
	const plain: string[] = []
	for (const [ti, t] of w.tokens.entries()) {
		const token = newToken()
		plain.push(token)
		const [row] = await db
			.insert(apiTokens)
			.values({
				userId: base.users[t.user]!,
				name: `t${ti}`,
				tokenHash: sha256Hex(token),
				prefix: token.slice(0, 8),
				revokedAt: t.revoked ? new Date() : null,
				lastUsedAt: t.usedRecently ? new Date() : null,
			})
			.returning({ id: apiTokens.id })
		if (t.scoped) await db.insert(apiTokenDatasets).values({ tokenId: row!.id, datasetId: base.datasetId })
	}
	return { ...base, tokens: plain }
}

// ---- Session worlds: sessions, unread and read notifications, team membership ----

export const sessionWorld = fc.record({
	users: fc.array(
		fc.record({
			language: fc.constantFrom(null, 'en', 'ar'),
			onTeam: fc.boolean(),
			notifications: fc.array(fc.boolean(), { maxLength: 6 }),
			/** Days until the session expires (negative: expired); null: no session. */
			session: fc.option(fc.constantFrom(-2, 1, 10, 29), { nil: null }),
		}),
		{ minLength: 1, maxLength: USERS },
	),
})
export type SessionWorld = ValueOf<typeof sessionWorld>

/** Writes a session world under `copy`; returns each user's id and session id (as in the cookie; null: none). */
export async function writeSessionWorld(copy: string, w: SessionWorld) {
	const base = await writeBase(copy, 1)
	const out: { userId: string; sessionId: string | null }[] = []
	for (const [i, u] of w.users.entries()) {
		const userId = base.users[i]!
		await query(sql`update ${users} set preferred_language = ${u.language} where id = ${userId}`)
		if (u.onTeam) await db.insert(datasetMembers).values({ datasetId: base.datasetId, userId, role: i === 0 ? 'owner' : 'maintainer' })
		if (u.notifications.length) await db.insert(notifications).values(u.notifications.map((read, k) => ({ userId, kind: 'test', params: { k }, readAt: read ? new Date() : null })))
		let sessionId: string | null = null
		if (u.session !== null) {
			sessionId = `${copy}${i}${crypto.randomUUID().replaceAll('-', '')}`.slice(0, 40)
			await db.insert(sessions).values({ id: sha256Hex(sessionId), userId, expiresAt: new Date(Date.now() + u.session * 86_400_000) })
		}
		out.push({ userId, sessionId })
	}
	return out
}
