import { asc, eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { datasetMembers } from '#db/schema/datasets.ts'
import { emails, notifications, participants } from '#db/schema/rounds.ts'
import { type TriageInput } from '#app/domain/issue.ts'
import { sendPendingNotificationEmails } from '#app/jobs/notification-emails.server.ts'
import { listMyFeedback, remindUntriagedBlockers } from '#app/models/feedback.server.ts'
import { addTemplateFeedback } from '#app/models/review.server.ts'
import { getIssue } from '#app/models/triage.server.ts'
import { action as withdrawAction } from '#app/routes/rounds+/$roundId+/withdraw.tsx'
import { db, query } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { byId, dropTeamNotices, flag, issuesOf, issueWorld, one, triage } from '#tests/issue-world.ts'
import { account, createRound, joinAs, participantOf, setRoundStatus, userIdOf } from '#tests/round-fixtures.ts'
import { formRequest, run } from '#tests/route-utils.ts'
import { startSmtpSink } from '#tests/smtp-sink.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

// Closing the loop with participants (their feedback page, notices, emails) and the retries of notification emails.
// Set-up: tests/issue-world.ts.

useTestDatabase()

const sink = useSmtpSink()
const setup = (round: Record<string, string> = {}) => issueWorld(sink.messages, round)

describe('closing the loop', () => {
	test('"My feedback": own flags with status and public response, never internal notes, others’ feedback or other rounds', async () => {
		const w = await setup()
		const anaId = await userIdOf('ana')
		await flag(w, 'ana', 'h-000', { rationale: 'ANA-RATIONALE grandmothers' })
		await flag(w, 'ben', 'h-000', { rationale: 'BEN-RATIONALE rural' })
		await addTemplateFeedback({ roundId: w.roundId, participantId: w.p.ben, target: 'prompt_templates', kind: 'comment', rationale: 'BEN-TEMPLATE-COMMENT', quotedSpan: '' })
		// Another round of the same version that Ana is not in.
		const other = await createRound(w.owner, { title: 'Other round', overlap: '1' })
		await joinAs(w.owner, other, 'dan', sink.messages)
		await setRoundStatus(w.owner, other, 'open')
		await flag(w, 'ana', 'h-000', { rationale: 'DAN-RATIONALE elsewhere' }, other, await participantOf(other, 'dan'))

		const issue = (await issuesOf(w.versionId)).find((i) => i.kind === 'sample')!
		let rev = issue.revision
		const go = async (input: TriageInput) => {
			const r = await triage(w, issue.id, input)
			expect(r).toMatchObject({ ok: true })
			if (r.ok) rev = r.revision
		}
		await go({ intent: 'note', note: 'INTERNAL-NOTE-7f3a: the generator team says this is a known bug' })
		await go({ intent: 'acknowledge', revision: rev })
		await go({ intent: 'respond', revision: rev, publicResponse: 'Thank you, we will document it.' })
		await go({ intent: 'resolve', revision: rev, resolution: 'documented', publicResponse: '', note: 'INTERNAL-RESOLVE-9c2e do not share' })
		await go({ intent: 'blocking', revision: rev, call: 'blocking', reason: 'INTERNAL-BLOCKING-REASON-4d1b' })

		const { rows, more } = await listMyFeedback(anaId)
		expect(more).toBe(false)
		expect(rows).toHaveLength(1)
		expect(rows[0]).toMatchObject({
			type: 'flag',
			round_id: w.roundId,
			round_title: 'Community check',
			dataset: 'Hints',
			version: 'v1',
			item: 'h-000',
			category: 'caricature',
			severity: 'minor',
			excerpt: 'ANA-RATIONALE grandmothers',
			issue_number: 1,
			issue_version: 'v1',
			status: 'resolved',
			resolution: 'documented',
			public_response: 'Thank you, we will document it.',
		})
		const json = JSON.stringify(rows)
		for (const secret of [
			'INTERNAL-NOTE-7f3a',
			'INTERNAL-RESOLVE-9c2e',
			'INTERNAL-BLOCKING-REASON-4d1b',
			'BEN-RATIONALE',
			'BEN-TEMPLATE-COMMENT',
			'DAN-RATIONALE',
			other,
			'@example.org',
			'blocking',
		]) {
			expect(json, secret).not.toContain(secret)
		}
		// Ben sees his flag and template comment, not Ana's; Dan only his own round; the owner nothing.
		const ben = JSON.stringify((await listMyFeedback(await userIdOf('ben'))).rows)
		expect(ben).toContain('BEN-RATIONALE')
		expect(ben).toContain('BEN-TEMPLATE-COMMENT')
		expect(ben).not.toContain('ANA-RATIONALE')
		expect(ben).not.toContain('DAN-RATIONALE')
		const dan = (await listMyFeedback(await userIdOf('dan'))).rows
		expect(dan.map((r) => [r.round_id, r.excerpt])).toEqual([[other, 'DAN-RATIONALE elsewhere']])
		expect((await listMyFeedback(w.ownerId)).rows).toEqual([])
	})

	test('the issue page shows flag authors only by role, number and expertise', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-000', { rationale: 'Caricature.' })
		await flag(w, 'eve', 'h-000', { severity: 'major', rationale: 'The dialect is wrong.' })
		const detail = await getIssue({ versionId: w.versionId, number: 1 })
		expect(detail).not.toBeNull()
		expect(detail!.issue).toMatchObject({ number: 1, blocking: true, blockingReasons: ['threshold', 'expert'] })
		expect(detail!.sample).toMatchObject({ externalId: 'h-000' })
		// One community member and one expert have given feedback, fewer than PSEUDONYMITY_MIN_GROUP of
		// either: each reads "a community member" / "an expert", without a number or an expertise.
		expect(detail!.flags.map((f) => ({ role: f.role, number: f.number, expertise: f.expertise, name: f.name }))).toEqual([
			{ role: 'community', number: null, expertise: '', name: null },
			{ role: 'expert', number: null, expertise: '', name: null },
		])
		const json = JSON.stringify(detail)
		expect(json).not.toMatch(/@/)
		for (const id of [await userIdOf('ana'), await userIdOf('eve'), w.p.ana, w.p.eve]) expect(json).not.toContain(id)
		expect(json).not.toMatch(/"(ana|eve)"/)
		// Scoped to the version: the same number elsewhere does not exist.
		expect(await getIssue({ versionId: crypto.randomUUID(), number: 1 })).toBeNull()
		// A participant who opted in is shown by name.
		await db.update(participants).set({ showName: true }).where(eq(participants.id, w.p.eve))
		expect((await getIssue({ versionId: w.versionId, number: 1 }))!.flags.map((f) => f.name)).toEqual([null, 'eve'])
	})

	test('notification emails: one per person, in their language, not filed under the dataset, sent once', async () => {
		const w = await setup()
		await db.update(users).set({ preferredLanguage: 'fr' }).where(eq(users.email, 'ben@example.org'))
		await flag(w, 'ana', 'h-000')
		await flag(w, 'ben', 'h-000')
		await flag(w, 'eve', 'h-000')
		// Eve leaves the round (keeping her feedback): she is not written to any more.
		expect((await run(withdrawAction, formRequest('/w', { feedback: 'keep' }, { cookie: w.cookies.eve }), {}, { roundId: w.roundId })).status).toBe(302)
		expect((await db.select({ withdrawnAt: participants.withdrawnAt }).from(participants).where(eq(participants.id, w.p.eve)))[0]!.withdrawnAt).not.toBeNull()
		const issue = await one(w.versionId)
		await triage(w, issue.id, { intent: 'acknowledge', revision: issue.revision })
		await triage(w, issue.id, { intent: 'respond', revision: issue.revision + 1, publicResponse: 'We are rewriting it.' })
		await dropTeamNotices()
		const pending = await db.select({ userId: notifications.userId, kind: notifications.kind, emailState: notifications.emailState }).from(notifications).where(eq(notifications.emailState, 'pending'))
		expect(pending).toHaveLength(4)
		expect(new Set(pending.map((n) => n.kind))).toEqual(new Set(['issue_acknowledged', 'issue_responded']))
		expect(pending.map((n) => n.userId)).not.toContain(await userIdOf('eve'))

		const start = sink.messages.length
		expect(await sendPendingNotificationEmails('https://rt.example.org')).toEqual({ emails: 2, notifications: 4 })
		const sent = sink.messages.slice(start)
		expect(sent.map((m) => m.to).sort()).toEqual([['ana@example.org'], ['ben@example.org']])
		const toBen = sent.find((m) => m.to.includes('ben@example.org'))!
		const toAna = sent.find((m) => m.to.includes('ana@example.org'))!
		expect(toBen.raw).toMatch(/^Content-Language: fr\r?$/m)
		expect(toAna.raw).toMatch(/^Content-Language: en\r?$/m)
		expect(toAna.decoded).toContain('https://rt.example.org/feedback')
		expect(toAna.decoded).toContain('h-000')
		expect(toAna.decoded).not.toContain('ben@')
		const rows = await db
			.select({ to: emails.to, kind: emails.kind, language: emails.language, datasetId: emails.datasetId, status: emails.status, subject: emails.subject })
			.from(emails)
			.where(eq(emails.kind, 'feedback_updates'))
			.orderBy(asc(emails.to))
		expect(rows).toEqual([
			{ to: 'ana@example.org', kind: 'feedback_updates', language: 'en', datasetId: null, status: 'sent', subject: '2 updates on your feedback' },
			{ to: 'ben@example.org', kind: 'feedback_updates', language: 'fr', datasetId: null, status: 'sent', subject: '2 nouvelles concernant vos retours' },
		])
		expect(await db.select({ id: notifications.id }).from(notifications).where(eq(notifications.emailState, 'pending'))).toEqual([])
		expect(await db.select({ id: notifications.id }).from(notifications).where(eq(notifications.emailState, 'sent'))).toHaveLength(4)

		expect(await sendPendingNotificationEmails('https://rt.example.org')).toEqual({ emails: 0, notifications: 0 })
		expect(sink.messages.length).toBe(start + 2)
	})

	test('someone both on the team and a participant gets the reminder and their feedback updates as separate emails', async () => {
		const w = await setup()
		await db.insert(datasetMembers).values({ datasetId: w.datasetId, userId: await userIdOf('ana'), role: 'maintainer' })
		await flag(w, 'ana', 'h-000', { severity: 'critical' })
		await flag(w, 'ana', 'h-001')
		const [, minor] = await issuesOf(w.versionId)
		await triage(w, minor!.id, { intent: 'acknowledge', revision: minor!.revision })
		await db.execute(sql`update issues set created_at = now() - interval '8 days'`)
		expect(await remindUntriagedBlockers()).toEqual({ versions: 1 })
		await dropTeamNotices()
		const start = sink.messages.length
		await sendPendingNotificationEmails('https://rt.example.org')
		const rows = await db
			.select({ to: emails.to, kind: emails.kind, text: emails.text })
			.from(emails)
			.where(sql`${emails.kind} in ('feedback_updates', 'blockers_reminder')`)
			.orderBy(asc(emails.to), asc(emails.kind))
		expect(rows.map((r) => [r.to, r.kind])).toEqual([
			['ana@example.org', 'blockers_reminder'],
			['ana@example.org', 'feedback_updates'],
			['owner@example.org', 'blockers_reminder'],
		])
		// Every line is translated: no raw keys.
		for (const r of rows) expect(r.text).not.toMatch(/feedbackUpdates\.|blockersReminder\./)
		expect(rows[1]!.text).not.toContain('blocking issue')
		expect(sink.messages.length).toBe(start + 3)
	})

	test('untriaged blocking issues older than ISSUE_REMINDER_DAYS remind the team once', async () => {
		const w = await setup()
		await account('mia')
		await db.insert(datasetMembers).values({ datasetId: w.datasetId, userId: await userIdOf('mia'), role: 'maintainer' })
		await flag(w, 'ana', 'h-000', { severity: 'critical' })
		await flag(w, 'ana', 'h-001')
		await flag(w, 'ana', 'h-002', { severity: 'critical' })
		const [blocker, minor, triaged] = await issuesOf(w.versionId)
		await triage(w, triaged!.id, { intent: 'acknowledge', revision: triaged!.revision })
		const age = (days: number) => db.execute(sql`update issues set created_at = now() - make_interval(days => ${days}) where version_id = ${w.versionId}`)
		const reminders = () => db.select({ userId: notifications.userId, params: notifications.params, link: notifications.link }).from(notifications).where(eq(notifications.kind, 'blockers_untriaged'))

		await age(6)
		expect(await remindUntriagedBlockers()).toEqual({ versions: 0 })
		expect(await reminders()).toEqual([])

		await age(8)
		// A fresh blocker does not count yet.
		await flag(w, 'eve', 'h-003', { severity: 'major' })
		expect(await remindUntriagedBlockers()).toEqual({ versions: 1 })
		const first = await reminders()
		expect(first.map((r) => r.userId).sort()).toEqual([w.ownerId, await userIdOf('mia')].sort())
		for (const r of first) {
			expect(r.params).toMatchObject({ dataset: 'Hints', version: 'v1', count: 1, days: 7, slug: 'hints' })
			expect(r.link).toBe('/datasets/hints/versions/v1/issues?blocking=yes&status=open')
		}
		expect(await byId(blocker!.id)).toMatchObject({ remindedAt: expect.any(Date) })
		expect(await byId(minor!.id)).toMatchObject({ remindedAt: null })
		expect(await byId(triaged!.id)).toMatchObject({ remindedAt: null })

		// Not again on the next pass.
		expect(await remindUntriagedBlockers()).toEqual({ versions: 0 })
		expect(await reminders()).toHaveLength(2)

		// The team is emailed (not as participants).
		const start = sink.messages.length
		// (Ana also gets hers, about the acknowledged issue.)
		await dropTeamNotices()
		expect(await sendPendingNotificationEmails('https://rt.example.org')).toEqual({ emails: 3, notifications: 3 })
		expect(await db.select({ kind: emails.kind, datasetId: emails.datasetId }).from(emails).where(eq(emails.kind, 'blockers_reminder'))).toEqual([
			{ kind: 'blockers_reminder', datasetId: null },
			{ kind: 'blockers_reminder', datasetId: null },
		])
		const toTeam = sink.messages.slice(start).filter((m) => !m.to.includes('ana@example.org'))
		expect(toTeam.map((m) => m.to[0]).sort()).toEqual(['mia@example.org', 'owner@example.org'])
		expect(toTeam.every((m) => m.decoded.includes('https://rt.example.org/datasets/hints/versions/v1/issues'))).toBe(true)

		// As many days later, still untouched: reminded again, now with both blockers.
		const later = new Date(Date.now() + 8 * 86_400_000)
		expect(await remindUntriagedBlockers(later)).toEqual({ versions: 1 })
		const again = await reminders()
		expect(again).toHaveLength(4)
		expect(again.filter((r) => r.params.count === 2)).toHaveLength(2)
	})
})

describe('notification email retries', () => {
	const origin = 'https://rt.example.org'
	const params = { dataset: 'Hints', version: 'v1', number: 1, item: 'h-000' }
	type QueueRow = { email: string; state: string | null; attempts: number; due_in: number | null; claimed: boolean }
	const queue = () =>
		query<QueueRow>(sql`
			select u.email, n.email_state as state, n.email_attempts as attempts,
				extract(epoch from n.email_next_attempt_at - now())::float8 as due_in, n.email_claimed_at is not null as claimed
			from ${notifications} n join ${users} u on u.id = n.user_id
			where n.email_state is not null order by u.email, n.created_at`)
	const delivered = (start: number, to: string) => sink.messages.slice(start).filter((m) => m.to.includes(to))
	const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000)
	const makeDue = () => db.execute(sql`update ${notifications} set email_next_attempt_at = now() - interval '1 second' where email_next_attempt_at is not null`)

	/** Runs `fn` with SMTP_URL pointing at a port nothing listens on any more (connection refused). */
	async function smtpDown<T>(fn: () => Promise<T>) {
		const down = await startSmtpSink()
		await down.close()
		process.env.SMTP_URL = down.url
		resetEnvCache()
		try {
			return await fn()
		} finally {
			process.env.SMTP_URL = sink.url
			resetEnvCache()
		}
	}

	/** A person with one issue update waiting to be emailed (or in the state `over` sets). */
	async function waiting(name: string, over: Partial<typeof notifications.$inferInsert> = {}) {
		await account(name)
		await db.insert(notifications).values({ userId: await userIdOf(name), kind: 'issue_acknowledged', params, link: '/feedback', emailState: 'pending', ...over })
	}

	test('SMTP unreachable: back to pending with a later attempt; not retried before it; then delivered once', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-000')
		const issue = await one(w.versionId)
		await triage(w, issue.id, { intent: 'acknowledge', revision: issue.revision })
		expect(await queue()).toEqual([{ email: 'ana@example.org', state: 'pending', attempts: 0, due_in: null, claimed: false }])

		expect(await smtpDown(() => sendPendingNotificationEmails(origin))).toEqual({ emails: 0, notifications: 0 })
		const [failed] = await queue()
		expect(failed).toMatchObject({ state: 'pending', attempts: 1, claimed: false })
		// 1 min, plus up to 10 % spread.
		expect(failed!.due_in).toBeGreaterThan(50)
		expect(failed!.due_in).toBeLessThanOrEqual(66)
		// The failed delivery is in the outbox, as every email is.
		expect(await db.select({ status: emails.status }).from(emails).where(eq(emails.kind, 'feedback_updates'))).toEqual([{ status: 'failed' }])

		// SMTP is back, but the next attempt is not due yet.
		const start = sink.messages.length
		expect(await sendPendingNotificationEmails(origin)).toEqual({ emails: 0, notifications: 0 })
		expect(sink.messages.length).toBe(start)
		expect(await queue()).toMatchObject([{ state: 'pending', attempts: 1 }])

		await makeDue()
		expect(await sendPendingNotificationEmails(origin)).toEqual({ emails: 1, notifications: 1 })
		const got = delivered(start, 'ana@example.org')
		expect(got).toHaveLength(1)
		expect(got[0]!.decoded).toContain('h-000')
		expect(got[0]!.decoded).toContain('acknowledged')
		expect(await queue()).toEqual([{ email: 'ana@example.org', state: 'sent', attempts: 2, due_in: expect.any(Number), claimed: false }])
		expect(sink.messages.length).toBe(start + 1)

		expect(await sendPendingNotificationEmails(origin)).toEqual({ emails: 0, notifications: 0 })
		expect(sink.messages.length).toBe(start + 1)
	})

	test('retried after 1 min, 5 min, 30 min, 2 h and 6 h; failed after the sixth attempt and never claimed again', async () => {
		await waiting('zoe')
		const schedule = [60, 300, 1800, 7200, 21600]
		for (const [i, seconds] of schedule.entries()) {
			expect(await smtpDown(() => sendPendingNotificationEmails(origin))).toEqual({ emails: 0, notifications: 0 })
			const [row] = await queue()
			expect(row).toMatchObject({ state: 'pending', attempts: i + 1, claimed: false })
			expect(row!.due_in).toBeGreaterThan(seconds - 10)
			expect(row!.due_in).toBeLessThanOrEqual(seconds * 1.1)
			await makeDue()
		}
		expect(await smtpDown(() => sendPendingNotificationEmails(origin))).toEqual({ emails: 0, notifications: 0 })
		expect(await queue()).toMatchObject([{ state: 'failed', attempts: 6, claimed: false }])
		expect(await db.select({ status: emails.status }).from(emails).where(eq(emails.to, 'zoe@example.org'))).toEqual(Array.from({ length: 6 }, () => ({ status: 'failed' })))

		// Final: however due it looks, and with SMTP working, it is not claimed again.
		await makeDue()
		const start = sink.messages.length
		expect(await sendPendingNotificationEmails(origin)).toEqual({ emails: 0, notifications: 0 })
		expect(delivered(start, 'zoe@example.org')).toEqual([])
		expect(await queue()).toMatchObject([{ state: 'failed', attempts: 6 }])
	})

	test('a claim left unfinished past the lease is sent by the next pass; a fresh one is left alone; one on its last attempt fails', async () => {
		await waiting('kim', { emailState: 'sending', emailAttempts: 1, emailClaimedAt: minutesAgo(11) })
		await waiting('lea', { emailState: 'sending', emailAttempts: 1, emailClaimedAt: minutesAgo(1) })
		await waiting('max', { emailState: 'sending', emailAttempts: 6, emailClaimedAt: minutesAgo(11) })
		const start = sink.messages.length
		expect(await sendPendingNotificationEmails(origin)).toEqual({ emails: 1, notifications: 1 })
		expect(delivered(start, 'kim@example.org')).toHaveLength(1)
		expect(sink.messages.length).toBe(start + 1)
		expect(await queue()).toMatchObject([
			{ email: 'kim@example.org', state: 'sent', attempts: 2, claimed: false },
			{ email: 'lea@example.org', state: 'sending', attempts: 1, claimed: true },
			{ email: 'max@example.org', state: 'failed', attempts: 6, claimed: false },
		])
		expect(await sendPendingNotificationEmails(origin)).toEqual({ emails: 0, notifications: 0 })
		expect(sink.messages.length).toBe(start + 1)
	})

	test('a pass past its time budget hands the persons it did not reach back, unattempted', async () => {
		await waiting('kim', { createdAt: minutesAgo(2) })
		await waiting('lea')
		const start = sink.messages.length
		expect(await sendPendingNotificationEmails(origin, 200, 0)).toEqual({ emails: 1, notifications: 1 })
		expect(await queue()).toMatchObject([
			{ email: 'kim@example.org', state: 'sent', attempts: 1, claimed: false },
			{ email: 'lea@example.org', state: 'pending', attempts: 0, due_in: null, claimed: false },
		])
		expect(await sendPendingNotificationEmails(origin)).toEqual({ emails: 1, notifications: 1 })
		expect(sink.messages.slice(start).map((m) => m.to[0])).toEqual(['kim@example.org', 'lea@example.org'])
	})

	test('passes running at once (several instances) send each email once', async () => {
		for (const name of ['kim', 'lea', 'max', 'zoe']) await waiting(name)
		const start = sink.messages.length
		const results = await Promise.all([1, 2, 3].map(() => sendPendingNotificationEmails(origin)))
		expect(results.reduce((n, r) => n + r.emails, 0)).toBe(4)
		expect(
			sink.messages
				.slice(start)
				.map((m) => m.to[0])
				.sort(),
		).toEqual(['kim@example.org', 'lea@example.org', 'max@example.org', 'zoe@example.org'])
		expect((await queue()).every((r) => r.state === 'sent' && r.attempts === 1)).toBe(true)
	})
})
