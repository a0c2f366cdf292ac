import { and, count, eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { demoAccounts, DEMO_PASSWORD, seedDemo } from '#db/demo.ts'
import { users } from '#db/schema/accounts.ts'
import { datasets, useCases, versions } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { comments, flags, reviews } from '#db/schema/reviews.ts'
import { assignments, participants, rounds } from '#db/schema/rounds.ts'
import * as reportPage from '#app/routes/datasets+/$slug+/versions.$label+/report.tsx'
import * as roundHome from '#app/routes/rounds+/$roundId+/_index.tsx'
import { action as signinAction } from '#app/routes/_auth+/signin.tsx'
import { db, query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { renderRoute } from '#tests/render-route.ts'
import { cookiesFrom, formRequest, getRequest, run } from '#tests/route-utils.ts'

// One seed for the whole file: the tests read what it made (and the last one seeds again).
useTestDatabase({ emptyBeforeEach: false })

async function signIn(email: string) {
	const res = await run(signinAction, formRequest('/signin', { email, password: DEMO_PASSWORD, redirectTo: '/' }))
	expect(res.status).toBe(302)
	return cookiesFrom(res.headers)
}

async function roundOf(slug: string) {
	const rows = await db
		.select({ id: rounds.id, status: rounds.status, versionId: rounds.versionId, title: rounds.title })
		.from(rounds)
		.innerJoin(versions, eq(versions.id, rounds.versionId))
		.innerJoin(datasets, eq(datasets.id, versions.datasetId))
		.where(eq(datasets.slug, slug))
	expect(rows).toHaveLength(1)
	return rows[0]!
}

/** Every row count of every table: what "seeding again changes nothing" compares. */
async function tableCounts() {
	const tables = await query<{ tablename: string }>(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`)
	const out: Record<string, number> = {}
	for (const { tablename } of tables) {
		const [row] = await query<{ n: number }>(sql.raw(`select count(*)::int as n from "${tablename}"`))
		out[tablename] = row!.n
	}
	return out
}

describe('the demo shows a consultation', () => {
	test('seeding an empty database makes a round in progress and a closed one', async () => {
		const started = performance.now()
		await seedDemo()
		console.log(`demo seeded in ${Math.round(performance.now() - started)} ms`)
		const open = await roundOf('simulated-user-conversations')
		const closed = await roundOf('workplace-emails')
		expect(open.status).toBe('open')
		expect(closed.status).toBe('closed')
		// The e2e journeys make their own rounds on tutoring-hints: the demo leaves it as imported.
		const [hints] = await db
			.select({ n: count() })
			.from(rounds)
			.innerJoin(versions, eq(versions.id, rounds.versionId))
			.innerJoin(datasets, eq(datasets.id, versions.datasetId))
			.where(eq(datasets.slug, 'tutoring-hints'))
		expect(hints!.n).toBe(0)
	})

	test('the open round has reviews from the demo reviewers and from pseudonymous participants, flags in several categories', async () => {
		const open = await roundOf('simulated-user-conversations')
		const reviewers = await db
			.selectDistinct({ email: users.email, role: participants.role })
			.from(reviews)
			.innerJoin(participants, eq(participants.id, reviews.participantId))
			.innerJoin(users, eq(users.id, participants.userId))
			.where(eq(reviews.roundId, open.id))
		const emails = reviewers.map((r) => r.email)
		expect(emails).toContain('rami.reviewer@roundtable.test')
		expect(emails).toContain('lucia.expert@roundtable.test')
		expect(emails.filter((e) => e.endsWith('@participants.roundtable.test')).length).toBeGreaterThanOrEqual(5)
		expect(new Set(reviewers.map((r) => r.role))).toEqual(new Set(['community', 'expert']))
		const categories = await db.selectDistinct({ c: flags.category }).from(flags).where(eq(flags.roundId, open.id))
		expect(categories.length).toBeGreaterThanOrEqual(3)
		const verdicts = await db.selectDistinct({ v: reviews.verdict }).from(reviews).where(eq(reviews.roundId, open.id))
		expect(verdicts.map((v) => v.v).sort()).toEqual(['flagged', 'no_concerns', 'skipped'])
	})

	test('blocking issues, some triaged and some waiting; a discussion with opposed and supportive comments', async () => {
		const open = await roundOf('simulated-user-conversations')
		const rows = await db
			.select({ status: issues.status, blocking: issues.blocking, kind: issues.kind, triaged: sql<boolean>`${issues.triagedAt} is not null` })
			.from(issues)
			.where(eq(issues.versionId, open.versionId))
		const blocking = rows.filter((r) => r.blocking)
		expect(blocking.length).toBeGreaterThanOrEqual(3)
		expect(rows.some((r) => r.status === 'acknowledged')).toBe(true)
		expect(rows.some((r) => r.status === 'resolved')).toBe(true)
		expect(blocking.filter((r) => r.status === 'open' && !r.triaged).length).toBeGreaterThanOrEqual(2)
		// The opposed comment raised a use-case issue.
		expect(rows.some((r) => r.kind === 'use_case' && r.blocking)).toBe(true)
		const thread = await db
			.select({ stance: comments.stance, depth: comments.depth, fromTeam: comments.fromTeam })
			.from(comments)
			.innerJoin(useCases, eq(useCases.id, comments.useCaseId))
			.where(and(eq(comments.roundId, open.id), eq(useCases.title, 'Harms evaluation of a general-purpose chatbot')))
		const stances = thread.filter((c) => c.depth === 0).map((c) => c.stance)
		expect(stances).toContain('opposed')
		expect(stances).toContain('supportive')
		expect(thread.some((c) => c.depth > 0 && c.fromTeam)).toBe(true)
		expect(thread.some((c) => c.depth > 0 && !c.fromTeam)).toBe(true)
	})

	test('each demo reviewer has samples waiting, and their round page lists them', async () => {
		const open = await roundOf('simulated-user-conversations')
		for (const account of demoAccounts.filter((a) => a.role !== 'owner')) {
			const [row] = await db
				.select({ waiting: sql<number>`count(*) filter (where ${assignments.completedAt} is null)::int`, done: sql<number>`count(*) filter (where ${assignments.completedAt} is not null)::int` })
				.from(assignments)
				.innerJoin(participants, eq(participants.id, assignments.participantId))
				.innerJoin(users, eq(users.id, participants.userId))
				.where(and(eq(assignments.roundId, open.id), eq(users.email, account.email)))
			expect(row!.waiting, account.email).toBeGreaterThan(0)
			expect(row!.done, account.email).toBe(2)
			const cookie = await signIn(account.email)
			const res = await run(roundHome.loader, getRequest(`/rounds/${open.id}`, { cookie }), {}, { roundId: open.id })
			expect(res.status).toBe(200)
			const html = await renderRoute(roundHome, { path: `/rounds/${open.id}`, data: res.data })
			expect(html).toContain(open.title)
			expect(html).toContain(`/rounds/${open.id}/review/`)
		}
	})

	test('the closed round’s report renders for the owner, every issue resolved', async () => {
		const closed = await roundOf('workplace-emails')
		const rows = await db.select({ status: issues.status, resolution: issues.resolution }).from(issues).where(eq(issues.versionId, closed.versionId))
		expect(rows.length).toBeGreaterThanOrEqual(3)
		expect(rows.every((r) => r.status === 'resolved')).toBe(true)
		const cookie = await signIn('ada.owner@roundtable.test')
		const path = '/datasets/workplace-emails/versions/v1/report'
		const res = await run(reportPage.loader, getRequest(path, { cookie }), {}, { slug: 'workplace-emails', label: 'v1' })
		expect(res.status).toBe(200)
		const html = await renderRoute(reportPage, { path, data: res.data })
		expect(html).toContain('Pilot review of persona emails')
		expect(html).toContain('Removed. The persona prompt no longer asks')
		// Pseudonymous participants stay pseudonymous in the report.
		expect(html).not.toContain('participants.roundtable.test')
		expect(html).not.toContain('Yesenia')
	})

	test('seeding again changes nothing', async () => {
		const before = await tableCounts()
		await seedDemo()
		expect(await tableCounts()).toEqual(before)
	})
})
