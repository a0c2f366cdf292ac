import { and, asc, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { webhookDeliveries } from '#db/schema/api.ts'
import { datasetMembers, versions } from '#db/schema/datasets.ts'
import { auditEvents, issues } from '#db/schema/issues.ts'
import { emails, notifications, rounds } from '#db/schema/rounds.ts'
import { type FlagInput } from '#app/domain/review.ts'
import { UseCaseSchema } from '#app/domain/use-case.ts'
import { addComment, type CommentActor } from '#app/models/comment.server.ts'
import { sendPendingNotificationEmails } from '#app/jobs/notification-emails.server.ts'
import { runDueRoundJobs } from '#app/jobs/round-deadlines.server.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { notifyCoveredRounds } from '#app/models/team-notify.server.ts'
import { triageIssue } from '#app/models/triage.server.ts'
import { createUseCase } from '#app/models/use-case.server.ts'
import { changeVersionStatus } from '#app/models/version.server.ts'
import { createWebhook } from '#app/models/webhook.server.ts'
import * as gateRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.gate.ts'
import { action as tokensAction } from '#app/routes/account+/tokens.tsx'
import * as versionRoute from '#app/routes/datasets+/$slug+/versions.$label+/_index.tsx'
import * as datasetRoute from '#app/routes/datasets+/$slug+/_index.tsx'
import * as inboxRoute from '#app/routes/datasets+/$slug+/versions.$label+/issues._index.tsx'
import * as teamRoundRoute from '#app/routes/datasets+/$slug+/versions.$label+/rounds.$roundId.tsx'
import * as inboxRoute2 from '#app/routes/inbox.tsx'
import { action as withdrawAction } from '#app/routes/rounds+/$roundId+/withdraw.tsx'
import { db } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { renderRoute } from '#tests/render-route.ts'
import { account, createRound, joinAs, P, participantOf, sampleIdOf, setRoundStatus, userIdOf, world } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()
beforeAll(() => {
	process.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS = 'true'
	resetEnvCache()
})
afterAll(() => {
	delete process.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS
	delete process.env.NOTIFY_DIGEST_MINUTES
	resetEnvCache()
})

/** Dataset "hints" v1 (4 samples), a maintainer "mia" (Spanish) besides the owner, a round with ana and ben. */
async function setup() {
	const w = await world(4)
	const ownerId = await userIdOf('owner')
	await account('mia', 'es')
	const miaId = await userIdOf('mia')
	await db.insert(datasetMembers).values({ datasetId: w.datasetId, userId: miaId, role: 'maintainer' })
	const roundId = await createRound(w.owner, { overlap: '2' })
	const ana = await joinAs(w.owner, roundId, 'ana', sink.messages)
	const ben = await joinAs(w.owner, roundId, 'ben', sink.messages)
	await setRoundStatus(w.owner, roundId, 'open')
	return { ...w, ownerId, miaId, roundId, cookies: { ana, ben }, actor: { userId: ownerId, datasetId: w.datasetId } }
}
type World = Awaited<ReturnType<typeof setup>>

async function flag(w: World, who: 'ana' | 'ben', externalId: string, over: Partial<FlagInput> = {}) {
	await saveVerdict({ roundId: w.roundId, participantId: await participantOf(w.roundId, who), sampleId: await sampleIdOf(w.versionId, externalId), verdict: { kind: 'flag', flag: flagInput(over) } })
}

const noticesOf = (id: string) =>
	db
		.select({ kind: notifications.kind, params: notifications.params, link: notifications.link, emailState: notifications.emailState })
		.from(notifications)
		.where(and(eq(notifications.userId, id), sql`${notifications.kind} like 'team\\_%'`))
		.orderBy(asc(notifications.createdAt))

const teamEmails = (to: string) =>
	db
		.select({ kind: emails.kind, subject: emails.subject, text: emails.text, language: emails.language })
		.from(emails)
		.where(and(eq(emails.to, to), sql`${emails.kind} like 'team\\_%'`))
		.orderBy(asc(emails.createdAt))

const versionStatus = async (versionId: string) => (await db.select({ status: versions.status }).from(versions).where(eq(versions.id, versionId)))[0]!.status

describe('a blocker on an approved version: the status never contradicts the gate', () => {
	test('approve → new critical flag → page, API and webhook all say blocked, until triaged and approved again', async () => {
		const w = await setup()
		const hook = await createWebhook({ datasetId: w.datasetId, actorId: w.ownerId, url: 'http://127.0.0.1:9/hook', events: ['version.status_changed'] })
		await setRoundStatus(w.owner, w.roundId, 'close')
		expect(await changeVersionStatus({ versionId: w.versionId, datasetId: w.datasetId, actorId: w.ownerId, action: 'approve' })).toMatchObject({ ok: true, to: 'approved' })
		const tokenRes = await run(
			tokensAction,
			new Request(`${TEST_ORIGIN}/account/tokens`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: TEST_ORIGIN, Cookie: w.owner },
				body: new URLSearchParams({ intent: 'create', name: 'ci', datasets: 'hints' }),
			}),
		)
		const token = (tokenRes.data as { created: { token: string } }).created.token
		const gate = async () =>
			(
				await run(
					gateRoute.loader as never,
					new Request(`${TEST_ORIGIN}/api/v1/datasets/hints/versions/v1/gate`, { headers: { Authorization: `Bearer ${token}` } }),
					{},
					{ dataset: 'hints', version: 'v1' },
				)
			).data
		expect(await gate()).toMatchObject({ status: 'approved', blocked: false, blocking_issues: 0 })

		// A flag still arriving from the (reopened) consultation: a critical one.
		await db.update(rounds).set({ status: 'open' }).where(eq(rounds.id, w.roundId))
		await flag(w, 'ana', 'h-002', { severity: 'critical' })
		const [blocker] = await db.select().from(issues).where(eq(issues.versionId, w.versionId))
		expect(blocker).toMatchObject({ number: 1, blocking: true })

		// The database, the API, the webhook, the version page and the dataset page.
		expect(await versionStatus(w.versionId)).toBe('blocked')
		expect(await gate()).toMatchObject({ status: 'blocked', blocked: true, blocking_issues: 1 })
		const deliveries = await db
			.select({ event: webhookDeliveries.event, payload: webhookDeliveries.payload })
			.from(webhookDeliveries)
			.where(eq(webhookDeliveries.webhookId, hook.id))
			.orderBy(asc(webhookDeliveries.createdAt))
		expect(deliveries.at(-1)).toMatchObject({
			event: 'version.status_changed',
			payload: { type: 'version.status_changed', data: { dataset: 'hints', version: 'v1', status: 'blocked', previous_status: 'approved', blocking_issue: 1 } },
		})
		const page = await run(versionRoute.loader as never, getRequest('/datasets/hints/versions/v1', { cookie: w.owner }), {}, P)
		const html = await renderRoute(versionRoute, { path: '/datasets/hints/versions/v1', data: page.data })
		expect(html).toContain('Blocked after approval')
		expect(html).toContain('href="/datasets/hints/versions/v1/issues/1"')
		expect(html).not.toMatch(/>Approved</)
		const ds = await run(datasetRoute.loader as never, getRequest('/datasets/hints', { cookie: w.owner }), {}, { slug: 'hints' })
		expect(await renderRoute(datasetRoute, { path: '/datasets/hints', data: ds.data })).toContain('Blocked after approval')
		const audit = await db.select({ action: auditEvents.action, actorId: auditEvents.actorId, after: auditEvents.after }).from(auditEvents).where(eq(auditEvents.action, 'version.blocked'))
		expect(audit).toEqual([{ action: 'version.blocked', actorId: null, after: { status: 'blocked', issue: '#1' } }])

		// The team is told at once (not in a digest), each member in their language.
		expect((await noticesOf(w.ownerId)).map((n) => n.kind)).toEqual(['team_blocked_after_approval'])
		await sendPendingNotificationEmails(TEST_ORIGIN)
		const [ownerMail] = await teamEmails('owner@example.org')
		expect(ownerMail).toMatchObject({ kind: 'team_alert', subject: 'Hints v1 is blocked after approval', language: 'en' })
		expect(ownerMail!.text).toContain('blocking issue #1 on sample “h-002” arrived')
		expect(await teamEmails('mia@example.org')).toMatchObject([{ kind: 'team_alert', subject: 'Hints v1 está bloqueada tras la aprobación', language: 'es' }])

		// Approving again is refused while the blocker is open; resolved, it passes the gate.
		expect(await changeVersionStatus({ versionId: w.versionId, datasetId: w.datasetId, actorId: w.ownerId, action: 'approve' })).toMatchObject({ ok: false, reason: 'blocked' })
		await triageIssue({
			versionId: w.versionId,
			issueId: blocker!.id,
			actor: w.actor,
			input: { intent: 'resolve', revision: blocker!.revision, resolution: 'removed', publicResponse: 'Removed from the release.', note: '' },
		})
		expect(await versionStatus(w.versionId)).toBe('blocked')
		expect(await gate()).toMatchObject({ status: 'blocked', blocked: true, blocking_issues: 0 })
		expect(await changeVersionStatus({ versionId: w.versionId, datasetId: w.datasetId, actorId: w.ownerId, action: 'approve' })).toMatchObject({ ok: true, to: 'approved' })
		expect(await gate()).toMatchObject({ status: 'approved', blocked: false })

		// Reopening the resolved blocker closes the gate again, and the status follows.
		const [again] = await db.select({ revision: issues.revision }).from(issues).where(eq(issues.id, blocker!.id))
		expect(
			await triageIssue({ versionId: w.versionId, issueId: blocker!.id, actor: w.actor, input: { intent: 'reopen', revision: again!.revision, reason: 'It is still in the file.' } }),
		).toMatchObject({ ok: true })
		expect(await versionStatus(w.versionId)).toBe('blocked')
	})
})

describe('owner notifications', () => {
	test('new blocking issue, opposed comment, withdrawal: every team member who did not opt out, in the app; one digest email per person', async () => {
		const w = await setup()
		// mia opts out of this dataset.
		await db
			.update(datasetMembers)
			.set({ notify: false })
			.where(and(eq(datasetMembers.datasetId, w.datasetId), eq(datasetMembers.userId, w.miaId)))
		await flag(w, 'ana', 'h-000', { severity: 'major' })
		expect(await noticesOf(w.ownerId)).toEqual([])
		// A second person: the threshold makes it blocking (an issue that becomes blocking).
		await flag(w, 'ben', 'h-000')
		// A new blocking issue at once.
		await flag(w, 'ben', 'h-001', { severity: 'critical' })
		const useCase = await createUseCase(w.datasetId, UseCaseSchema.parse({ title: 'Tutoring older learners', purpose: 'Hints for a tutoring app.', pipelineStage: 'evaluation' }), w.ownerId)
		const anaActor: CommentActor = { userId: await userIdOf('ana'), datasetId: w.datasetId, participantId: await participantOf(w.roundId, 'ana'), roundId: w.roundId }
		expect(await addComment({ useCaseId: useCase.id, actor: anaActor, stance: 'opposed', body: 'This should not be used for grading.' })).toMatchObject({ ok: true })
		expect((await run(withdrawAction, formRequest('/w', { feedback: 'keep' }, { cookie: w.cookies.ben }), {}, { roundId: w.roundId })).status).toBe(302)

		const owner = await noticesOf(w.ownerId)
		expect(owner.map((n) => n.kind)).toEqual(['team_issue_became_blocking', 'team_issue_blocking', 'team_opposed_comment', 'team_reviewer_withdrew'])
		expect(owner[2]).toMatchObject({ params: { issueKind: 'use_case', item: 'Tutoring older learners', number: 3 }, link: '/datasets/hints/versions/v1/issues/3', emailState: 'pending' })
		expect(owner[3]).toMatchObject({ link: `/datasets/hints/versions/v1/rounds/${w.roundId}` })
		expect(await noticesOf(w.miaId)).toEqual([])

		// One email for the four, through the SMTP server.
		const before = sink.messages.length
		await sendPendingNotificationEmails(TEST_ORIGIN)
		const mails = await teamEmails('owner@example.org')
		expect(mails).toHaveLength(1)
		expect(mails[0]).toMatchObject({ kind: 'team_digest', subject: '4 updates on your datasets' })
		expect(mails[0]!.text).toContain('Hints v1: a participant opposes use case “Tutoring older learners” (issue #3).')
		expect(mails[0]!.text).toContain(`${TEST_ORIGIN}/inbox`)
		expect(sink.messages.slice(before).filter((m) => m.to.includes('owner@example.org'))).toHaveLength(1)

		// Within NOTIFY_DIGEST_MINUTES, a further notice waits for the next digest; an urgent one does not.
		await flag(w, 'ana', 'h-003', { severity: 'critical' })
		await sendPendingNotificationEmails(TEST_ORIGIN)
		expect(await teamEmails('owner@example.org')).toHaveLength(1)
		expect((await noticesOf(w.ownerId)).at(-1)).toMatchObject({ kind: 'team_issue_blocking', emailState: 'pending' })
		// The interval over (the digest is dated an hour back), it goes.
		await db
			.update(users)
			.set({ teamDigestAt: sql`now() - interval '61 minutes'` })
			.where(eq(users.id, w.ownerId))
		await sendPendingNotificationEmails(TEST_ORIGIN)
		expect((await teamEmails('owner@example.org')).map((m) => m.subject)).toEqual(['4 updates on your datasets', 'An update on your datasets'])
	})

	test('a round reaching its coverage target, and its closing time, are told once', async () => {
		const w = await setup()
		const review = async (who: 'ana' | 'ben', externalId: string) =>
			saveVerdict({ roundId: w.roundId, participantId: await participantOf(w.roundId, who), sampleId: await sampleIdOf(w.versionId, externalId), verdict: { kind: 'no_concerns' } })
		for (const id of ['h-000', 'h-001', 'h-002', 'h-003']) await review('ana', id)
		expect(await notifyCoveredRounds()).toBe(0)
		for (const id of ['h-000', 'h-001', 'h-002', 'h-003']) await review('ben', id)
		expect(await notifyCoveredRounds()).toBe(1)
		expect(await notifyCoveredRounds()).toBe(0)
		await db
			.update(rounds)
			.set({ closesAt: sql`now() - interval '1 minute'` })
			.where(eq(rounds.id, w.roundId))
		await runDueRoundJobs(TEST_ORIGIN)
		expect((await noticesOf(w.ownerId)).map((n) => n.kind)).toEqual(['team_round_covered', 'team_round_closed'])
		expect((await noticesOf(w.miaId)).map((n) => n.kind)).toEqual(['team_round_covered', 'team_round_closed'])
	})
})

describe('guards on actions that freeze or decide', () => {
	test('approving with a round open needs an explicit choice and a reason, kept in the audit log', async () => {
		const w = await setup()
		const approve = (fields: Record<string, string>) => run(versionRoute.action as never, formRequest('/v', { intent: 'approve', ...fields }, { cookie: w.owner }), {}, P)
		const refused = await approve({})
		expect(refused.status).toBe(409)
		expect(refused.data).toMatchObject({ error: null, guard: [{ id: w.roundId, title: 'Community check', status: 'open', covered: 0, sampleCount: 4 }] })
		expect(await versionStatus(w.versionId)).toBe('in_consultation')
		expect((await approve({ roundChoice: 'keep_open', roundJustification: 'too short' })).data).toMatchObject({ error: 'errors.roundGuard.justification' })
		const why = 'The evaluation run starts Monday; late reviews feed v2.'
		expect((await approve({ roundChoice: 'keep_open', roundJustification: why })).status).toBe(200)
		expect(await versionStatus(w.versionId)).toBe('approved')
		const [round] = await db.select({ status: rounds.status }).from(rounds).where(eq(rounds.id, w.roundId))
		expect(round!.status).toBe('open')
		const [audit] = await db.select({ after: auditEvents.after, reason: auditEvents.reason }).from(auditEvents).where(eq(auditEvents.action, 'version.approved'))
		expect(audit).toEqual({ after: { status: 'approved', roundChoice: 'keep_open', rounds: ['Community check'], roundJustification: why }, reason: why })
	})

	test('"close the round and approve" closes it first; a closed round below coverage still asks', async () => {
		const w = await setup()
		const approve = (fields: Record<string, string>) => run(versionRoute.action as never, formRequest('/v', { intent: 'approve', ...fields }, { cookie: w.owner }), {}, P)
		expect((await approve({ roundChoice: 'close', roundJustification: 'Enough reviews for this internal release.' })).status).toBe(200)
		const [round] = await db.select({ status: rounds.status, closedAt: rounds.closedAt }).from(rounds).where(eq(rounds.id, w.roundId))
		expect(round).toMatchObject({ status: 'closed', closedAt: expect.any(Date) })
		expect(await versionStatus(w.versionId)).toBe('approved')
		// Back in consultation without a new round: the closed round is still below its target.
		await changeVersionStatus({ versionId: w.versionId, datasetId: w.datasetId, actorId: w.ownerId, action: 'open_consultation' })
		const again = await approve({})
		expect(again.data).toMatchObject({ guard: [{ status: 'closed', covered: 0, sampleCount: 4 }] })
		expect((await approve({ roundChoice: 'keep_open', roundJustification: 'No round is open, so this is not a choice.' })).data).toMatchObject({ error: 'errors.roundGuard.choice' })
	})

	test('opening and closing a round, and bulk "not an issue", are done only when confirmed', async () => {
		const { owner, versionId } = await world(4)
		const roundId = await createRound(owner)
		const post = (fields: Record<string, string>) => run(teamRoundRoute.action as never, formRequest('/x', fields, { cookie: owner }), {}, { ...P, roundId })
		const revision = async () => String((await db.select({ revision: rounds.revision }).from(rounds).where(eq(rounds.id, roundId)))[0]!.revision)
		const unconfirmed = await post({ intent: 'open', revision: await revision() })
		expect(unconfirmed.data).toMatchObject({
			confirm: {
				intent: 'open',
				fields: [
					['intent', 'open'],
					['revision', expect.any(String)],
				],
			},
		})
		expect((await db.select({ status: rounds.status }).from(rounds).where(eq(rounds.id, roundId)))[0]!.status).toBe('draft')
		// The confirmation page renders a form that posts the same fields, confirmed.
		const page = await run(teamRoundRoute.loader as never, getRequest('/r', { cookie: owner }), {}, { ...P, roundId })
		const html = await renderRoute(teamRoundRoute, { path: `/datasets/hints/versions/v1/rounds/${roundId}`, data: page.data, actionData: unconfirmed.data })
		expect(html).toContain('Opening the round freezes the version’s samples')
		expect(html).toMatch(/<input type="hidden" name="confirmed" value="yes"\/>/)
		expect(html).toContain('Yes, open the round')
		await post({ intent: 'open', revision: await revision(), confirmed: 'yes' })
		expect((await db.select({ status: rounds.status }).from(rounds).where(eq(rounds.id, roundId)))[0]!.status).toBe('open')
		expect(await versionStatus(versionId)).toBe('in_consultation')
		expect((await post({ intent: 'close', revision: await revision() })).data).toMatchObject({ confirm: { intent: 'close' } })
		expect((await db.select({ status: rounds.status }).from(rounds).where(eq(rounds.id, roundId)))[0]!.status).toBe('open')
		await post({ intent: 'close', revision: await revision(), confirmed: 'yes' })
		const closed = await run(teamRoundRoute.loader as never, getRequest('/r', { cookie: owner }), {}, { ...P, roundId })
		const closedHtml = await renderRoute(teamRoundRoute, { path: `/datasets/hints/versions/v1/rounds/${roundId}`, data: closed.data })
		expect(closedHtml).toContain('Closed on')
	})

	test('bulk "not an issue" asks first; bulk actions answer with a redirect that leaves no ?index', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-000')
		await flag(w, 'ana', 'h-001')
		const rows = await db.select({ id: issues.id, revision: issues.revision }).from(issues).where(eq(issues.versionId, w.versionId))
		const body = new URLSearchParams({ intent: 'bulk_resolve', resolution: 'not_an_issue', publicResponse: 'These read as intended by the authors.' })
		for (const r of rows) body.append('issue', `${r.id}:${r.revision}`)
		const post = (extra: Record<string, string> = {}) => {
			const b = new URLSearchParams(body)
			for (const [k, v] of Object.entries(extra)) b.set(k, v)
			return run(
				inboxRoute.action as never,
				new Request(`${TEST_ORIGIN}/datasets/hints/versions/v1/issues?index&status=unresolved`, {
					method: 'POST',
					headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: TEST_ORIGIN, Cookie: w.owner },
					body: b,
				}),
				{},
				P,
			)
		}
		const asked = await post()
		expect(asked.data).toMatchObject({ confirm: { count: 2 } })
		expect((await db.select({ status: issues.status }).from(issues).where(eq(issues.versionId, w.versionId))).map((i) => i.status)).toEqual(['open', 'open'])
		const done = await post({ confirmed: 'yes' })
		expect(done.status).toBe(303)
		expect(done.headers.get('Location')).toBe('/datasets/hints/versions/v1/issues?status=unresolved&done=2&conflicts=0&skipped=0')
		expect((await db.select({ status: issues.status }).from(issues).where(eq(issues.versionId, w.versionId))).map((i) => i.status)).toEqual(['resolved', 'resolved'])
	})
})

describe('owner screens', () => {
	test('the version page counts a round’s participants', async () => {
		const w = await setup()
		const page = await run(versionRoute.loader as never, getRequest('/datasets/hints/versions/v1', { cookie: w.owner }), {}, P)
		expect((page.data as { rounds: Array<{ participants: number }> }).rounds.map((r) => r.participants)).toEqual([2])
	})
})

describe('the inbox', () => {
	test('across my datasets: untriaged blockers oldest first, versions blocked after approval, rounds closing soon with coverage, new comments; one click to acknowledge', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-001', { severity: 'critical' })
		await flag(w, 'ben', 'h-000', { severity: 'critical' })
		await db
			.update(rounds)
			.set({ closesAt: sql`now() + interval '5 hours'` })
			.where(eq(rounds.id, w.roundId))
		await saveVerdict({ roundId: w.roundId, participantId: await participantOf(w.roundId, 'ana'), sampleId: await sampleIdOf(w.versionId, 'h-002'), verdict: { kind: 'no_concerns' } })
		await saveVerdict({ roundId: w.roundId, participantId: await participantOf(w.roundId, 'ben'), sampleId: await sampleIdOf(w.versionId, 'h-002'), verdict: { kind: 'no_concerns' } })
		const useCase = await createUseCase(w.datasetId, UseCaseSchema.parse({ title: 'Tutoring older learners', pipelineStage: 'evaluation' }), w.ownerId)
		const anaActor: CommentActor = { userId: await userIdOf('ana'), datasetId: w.datasetId, participantId: await participantOf(w.roundId, 'ana'), roundId: w.roundId }
		await addComment({ useCaseId: useCase.id, actor: anaActor, stance: 'supportive', body: 'Helpful for my grandmother.' })

		const load = async (cookie: string) => (await run(inboxRoute2.loader as never, getRequest('/inbox', { cookie }), {}, {})).data as Awaited<ReturnType<typeof inboxRoute2.loader>>
		const inbox = await load(w.owner)
		expect(inbox.blockers.map((b) => [b.number, b.item, b.dataset, b.version])).toEqual([
			[1, 'h-001', 'Hints', 'v1'],
			[2, 'h-000', 'Hints', 'v1'],
		])
		expect(inbox.closing).toMatchObject([{ id: w.roundId, covered: 1, sample_count: 4 }])
		expect(inbox.comments).toMatchObject([{ title: 'Tutoring older learners', stance: 'supportive', excerpt: 'Helpful for my grandmother.' }])
		expect(inbox.memberships).toEqual([{ slug: 'hints', name: 'Hints', notify: true }])
		// Someone on no team has an empty inbox.
		expect(await load(w.cookies.ana)).toMatchObject({ blockers: [], blocked: [], closing: [], comments: [], memberships: [] })

		// One click: acknowledged, gone from the list.
		const first = inbox.blockers[0]!
		const ack = await run(inboxRoute2.action as never, formRequest('/inbox', { intent: 'acknowledge', issue: first.id, revision: String(first.revision) }, { cookie: w.owner }))
		expect(ack.data).toEqual({ done: 'inbox.acknowledged', error: null })
		expect((await load(w.owner)).blockers.map((b) => b.number)).toEqual([2])
		// Not a team member's issue: 404.
		expect((await run(inboxRoute2.action as never, formRequest('/inbox', { intent: 'acknowledge', issue: first.id, revision: '9' }, { cookie: w.cookies.ana }))).status).toBe(404)

		// A version blocked after approval shows with its first blocker.
		await triageIssue({
			versionId: w.versionId,
			issueId: inbox.blockers[1]!.id,
			actor: w.actor,
			input: { intent: 'resolve', revision: inbox.blockers[1]!.revision, resolution: 'removed', publicResponse: 'Removed.', note: '' },
		})
		const [ackd] = await db.select({ id: issues.id, revision: issues.revision }).from(issues).where(eq(issues.id, first.id))
		await triageIssue({
			versionId: w.versionId,
			issueId: ackd!.id,
			actor: w.actor,
			input: { intent: 'resolve', revision: ackd!.revision, resolution: 'documented', publicResponse: 'Documented.', note: '' },
		})
		await db.update(versions).set({ status: 'approved' }).where(eq(versions.id, w.versionId))
		await flag(w, 'ana', 'h-003', { severity: 'critical' })
		expect((await load(w.owner)).blocked).toMatchObject([{ slug: 'hints', version: 'v1', first_blocker: 3, blocking: 1 }])

		// Turning a dataset's notifications off, from the inbox.
		await run(inboxRoute2.action as never, formRequest('/inbox', { intent: 'notify', dataset: 'hints', notify: 'off' }, { cookie: w.owner }))
		expect((await load(w.owner)).memberships).toEqual([{ slug: 'hints', name: 'Hints', notify: false }])
	})
})
