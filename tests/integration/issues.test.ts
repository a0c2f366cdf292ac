import { and, asc, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { datasetMembers, samples, versions } from '#db/schema/datasets.ts'
import { auditEvents, issueEvents, issues } from '#db/schema/issues.ts'
import { flags } from '#db/schema/reviews.ts'
import { emails, notifications, participants } from '#db/schema/rounds.ts'
import { InboxFilterSchema, type TriageInput } from '#app/domain/issue.ts'
import { type FlagInput } from '#app/domain/review.ts'
import { UseCaseSchema } from '#app/domain/use-case.ts'
import { ProvenanceSchema } from '#app/domain/version.ts'
import { addComment, editComment, type CommentActor } from '#app/models/comment.server.ts'
import { sendPendingNotificationEmails } from '#app/jobs/notification-emails.server.ts'
import { listMyFeedback, remindUntriagedBlockers } from '#app/models/feedback.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { gateCounts } from '#app/models/issue.server.ts'
import { addTemplateFeedback, deleteTemplateFeedback, saveVerdict, withdrawFlag } from '#app/models/review.server.ts'
import { bulkTriage, getIssue, listAffectedGroups, listIssues, triageIssue } from '#app/models/triage.server.ts'
import { createUseCase } from '#app/models/use-case.server.ts'
import { changeVersionStatus, createVersion } from '#app/models/version.server.ts'
import { action as versionAction } from '#app/routes/datasets+/$slug+/versions.$label+/_index.tsx'
import { action as withdrawAction } from '#app/routes/rounds+/$roundId+/withdraw.tsx'
import { db, query } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { account, createRound, joinAs, P, setRoundStatus, world } from '#tests/round-fixtures.ts'
import { formRequest, run } from '#tests/route-utils.ts'
import { startSmtpSink } from '#tests/smtp-sink.ts'

useTestDatabase()

let sink: Awaited<ReturnType<typeof startSmtpSink>>
beforeAll(async () => {
	sink = await startSmtpSink()
	process.env.SMTP_URL = sink.url
	resetEnvCache()
})
afterAll(async () => {
	delete process.env.SMTP_URL
	resetEnvCache()
	await sink.close()
})

// ---------------------------------------------------------------------------------------------
// Set-up: dataset "hints" v1 (h-000…h-003) through the real routes, one open round with two
// community members (ana, ben) and an expert (eve, linguist).

const userId = async (name: string) =>
	(
		await db
			.select({ id: users.id })
			.from(users)
			.where(eq(users.email, `${name}@example.org`))
	)[0]!.id

async function participantOf(roundId: string, name: string) {
	const [row] = await db
		.select({ id: participants.id })
		.from(participants)
		.innerJoin(users, eq(users.id, participants.userId))
		.where(and(eq(participants.roundId, roundId), eq(users.email, `${name}@example.org`)))
	return row!.id
}

async function sampleOf(versionId: string, externalId: string) {
	const [row] = await db
		.select({ id: samples.id, contentHash: samples.contentHash })
		.from(samples)
		.innerJoin(versions, eq(versions.currentImportId, samples.importId))
		.where(and(eq(versions.id, versionId), eq(samples.externalId, externalId)))
	return row!
}

type Who = 'ana' | 'ben' | 'eve'

async function setup(round: Record<string, string> = {}) {
	const { owner, versionId, datasetId } = await world(4)
	const roundId = await createRound(owner, { overlap: '3', ...round })
	const cookies: Record<Who, string> = {
		ana: await joinAs(owner, roundId, 'ana', sink.messages),
		ben: await joinAs(owner, roundId, 'ben', sink.messages),
		eve: await joinAs(owner, roundId, 'eve', sink.messages, 'expert'),
	}
	await setRoundStatus(owner, roundId, 'open')
	const p: Record<Who, string> = { ana: await participantOf(roundId, 'ana'), ben: await participantOf(roundId, 'ben'), eve: await participantOf(roundId, 'eve') }
	const ownerId = await userId('owner')
	return { owner, ownerId, versionId, datasetId, roundId, p, cookies, actor: { userId: ownerId, datasetId } }
}
type World = Awaited<ReturnType<typeof setup>>

const flagInput = (over: Partial<FlagInput> = {}): FlagInput => ({
	intent: 'flag',
	category: 'caricature',
	severity: 'minor',
	affectedGroups: ['older women'],
	rationale: 'Reads as a parody of grandmothers.',
	suggestedRewrite: '',
	quotedSpan: '',
	unsure: false,
	...over,
})

async function flag(w: World, who: Who, externalId: string, over: Partial<FlagInput> = {}, roundId = w.roundId, participantId = w.p[who]) {
	const sample = await sampleOf(w.versionId, externalId)
	await saveVerdict({ roundId, participantId, sampleId: sample.id, verdict: { kind: 'flag', flag: flagInput(over) } })
	return sample.id
}

const issuesOf = (versionId: string) => db.select().from(issues).where(eq(issues.versionId, versionId)).orderBy(asc(issues.number))
const one = async (versionId: string) => {
	const rows = await issuesOf(versionId)
	expect(rows).toHaveLength(1)
	return rows[0]!
}
const byId = async (id: string) => (await db.select().from(issues).where(eq(issues.id, id)))[0]
const eventsOf = (issueId: string) =>
	db
		.select({ kind: issueEvents.kind, note: issueEvents.note, internal: issueEvents.internal, before: issueEvents.before, after: issueEvents.after })
		.from(issueEvents)
		.where(eq(issueEvents.issueId, issueId))
		.orderBy(asc(issueEvents.createdAt))

// The team's own notices (new blocking issue, …: owner-loop.test.ts) are left out where a test counts participants' emails.
const dropTeamNotices = () => db.delete(notifications).where(sql`${notifications.kind} like 'team\\_%'`)

const inboxIds = async (w: World, f: Record<string, string>) => (await listIssues({ versionId: w.versionId, userId: w.ownerId, filter: InboxFilterSchema.parse(f) })).rows.map((r) => r.externalId)

function triage(w: World, issueId: string, input: TriageInput) {
	return triageIssue({ versionId: w.versionId, issueId, actor: w.actor, input })
}

// ---------------------------------------------------------------------------------------------

describe('feedback becomes issues', () => {
	test('a flagged sample makes exactly one issue with all its flags; a second participant’s flag joins it', async () => {
		const w = await setup()
		const sampleId = await flag(w, 'ana', 'h-000')
		await flag(w, 'ana', 'h-000', { category: 'stereotype', severity: 'major', affectedGroups: ['Oaxaca'] })
		let issue = await one(w.versionId)
		expect(issue).toMatchObject({ number: 1, kind: 'sample', sampleId, externalId: 'h-000', status: 'open', blocking: false, blockingReasons: [], flagCount: 2, flaggerCount: 1, maxSeverity: 2 })
		expect(issue.lineageId).toBe(issue.id)
		expect(issue.contentHash).toBe((await sampleOf(w.versionId, 'h-000')).contentHash)

		await flag(w, 'ben', 'h-000', { category: 'erasure' })
		issue = await one(w.versionId)
		expect(issue).toMatchObject({ number: 1, blocking: true, blockingReasons: ['threshold'], flagCount: 3, flaggerCount: 2, maxSeverity: 2 })
		expect(issue.categories).toEqual(['caricature', 'erasure', 'stereotype'])
		expect(issue.severities).toEqual(['major', 'minor'])
		expect(issue.affectedGroups).toEqual(['Oaxaca', 'older women'])
		const linked = await db.select({ issueId: flags.issueId }).from(flags)
		expect(linked).toHaveLength(3)
		expect(linked.every((f) => f.issueId === issue.id)).toBe(true)
		expect((await eventsOf(issue.id)).map((e) => e.kind)).toEqual(['created', 'blocking_changed'])
		expect(await gateCounts(w.versionId)).toEqual({ blocking: 1, open: 1 })
		// A flag on another sample is another issue, numbered next.
		await flag(w, 'ben', 'h-001')
		expect((await issuesOf(w.versionId)).map((i) => [i.number, i.externalId])).toEqual([
			[1, 'h-000'],
			[2, 'h-001'],
		])
	})

	test('participants flagging the same samples at the same moment still make one issue per sample, with every flag', async () => {
		const w = await setup()
		const samples = await Promise.all(['h-000', 'h-001'].map((x) => sampleOf(w.versionId, x)))
		// h-000 has its issue already (the flags join it), h-001 not yet (one of them creates it).
		await saveVerdict({ roundId: w.roundId, participantId: w.p.ana, sampleId: samples[0]!.id, verdict: { kind: 'flag', flag: flagInput() } })
		// allSettled: a failure (deadlock) is reported here, not left running into the next test.
		const outcomes = await Promise.allSettled(
			(['ana', 'ben', 'eve'] as const).flatMap((who) =>
				[...samples, ...samples, ...samples].map((s) => saveVerdict({ roundId: w.roundId, participantId: w.p[who], sampleId: s.id, verdict: { kind: 'flag', flag: flagInput() } })),
			),
		)
		expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason?.cause ?? o))).toEqual([])
		const rows = (await issuesOf(w.versionId)).sort((a, b) => a.externalId!.localeCompare(b.externalId!))
		expect(rows.map((i) => [i.externalId, i.flagCount, i.flaggerCount, i.blocking, i.blockingReasons])).toEqual([
			['h-000', 10, 3, true, ['threshold']],
			['h-001', 9, 3, true, ['threshold']],
		])
		expect(new Set(rows.map((i) => i.number)).size).toBe(2)
		const unlinked = await db
			.select({ id: flags.id })
			.from(flags)
			.where(sql`${flags.issueId} is null`)
		expect(unlinked).toEqual([])
	})

	test('a single community member’s minor flag is never dropped: it makes a non-blocking issue', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-002')
		expect(await one(w.versionId)).toMatchObject({ kind: 'sample', externalId: 'h-002', blocking: false, blockingReasons: [], flagCount: 1, flaggerCount: 1, maxSeverity: 1, severities: ['minor'] })
		expect(await gateCounts(w.versionId)).toEqual({ blocking: 0, open: 1 })
	})

	test('critical blocks; withdrawing it re-evaluates, and an untriaged issue left without flags disappears', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-000', { severity: 'critical' })
		const [critical] = await db.select({ id: flags.id }).from(flags)
		expect(await one(w.versionId)).toMatchObject({ blocking: true, blockingReasons: ['critical'] })
		expect(await gateCounts(w.versionId)).toEqual({ blocking: 1, open: 1 })
		const sampleId = (await sampleOf(w.versionId, 'h-000')).id
		expect(await withdrawFlag({ participantId: w.p.ana, sampleId, flagId: critical!.id })).toBe(true)
		expect(await issuesOf(w.versionId)).toEqual([])
		expect(await gateCounts(w.versionId)).toEqual({ blocking: 0, open: 0 })
	})

	test('withdrawing the critical flag of a triaged issue leaves it, no longer blocking', async () => {
		const w = await setup()
		const sampleId = await flag(w, 'ana', 'h-000', { severity: 'critical' })
		await flag(w, 'ana', 'h-000')
		const issue = await one(w.versionId)
		expect(await triage(w, issue.id, { intent: 'acknowledge', revision: issue.revision })).toMatchObject({ ok: true })
		const [critical] = await db.select({ id: flags.id }).from(flags).where(eq(flags.severity, 'critical'))
		await withdrawFlag({ participantId: w.p.ana, sampleId, flagId: critical!.id })
		const after = await one(w.versionId)
		expect(after).toMatchObject({ id: issue.id, status: 'acknowledged', blocking: false, blockingReasons: [], flagCount: 1, maxSeverity: 1 })
		// The team's open form is now stale: the change bumped the revision.
		expect(after.revision).toBe(issue.revision + 2)
		const events = await eventsOf(issue.id)
		expect(events.at(-1)).toMatchObject({ kind: 'blocking_changed', before: { blocking: true }, after: { blocking: false }, internal: false })
		// The last flag gone: the triaged issue stays, with its history.
		const [last] = await db.select({ id: flags.id }).from(flags)
		await withdrawFlag({ participantId: w.p.ana, sampleId, flagId: last!.id })
		expect(await one(w.versionId)).toMatchObject({ id: issue.id, flagCount: 0, flaggerCount: 0, categories: [] })
	})

	test('"no concerns" replacing a flag re-evaluates the issue', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-001')
		const sampleId = await flag(w, 'ben', 'h-001', { severity: 'critical' })
		expect(await one(w.versionId)).toMatchObject({ blocking: true, blockingReasons: ['critical', 'threshold'], flaggerCount: 2 })
		await saveVerdict({ roundId: w.roundId, participantId: w.p.ben, sampleId, verdict: { kind: 'no_concerns' } })
		expect(await one(w.versionId)).toMatchObject({ blocking: false, blockingReasons: [], flagCount: 1, flaggerCount: 1, maxSeverity: 1 })
		await saveVerdict({ roundId: w.roundId, participantId: w.p.ana, sampleId, verdict: { kind: 'skipped', reason: 'Not sure' } })
		expect(await issuesOf(w.versionId)).toEqual([])
	})

	test('an expert’s major flag blocks, a minor one does not', async () => {
		const w = await setup()
		await flag(w, 'eve', 'h-000', { severity: 'minor' })
		await flag(w, 'eve', 'h-001', { severity: 'major' })
		await flag(w, 'ana', 'h-002', { severity: 'major' })
		const rows = await issuesOf(w.versionId)
		expect(rows.map((i) => [i.externalId, i.blocking, i.blockingReasons])).toEqual([
			['h-000', false, []],
			['h-001', true, ['expert']],
			['h-002', false, []],
		])
	})

	test('template feedback makes a template issue; a template comment never blocks', async () => {
		const w = await setup()
		const feedback = (who: Who, over: Partial<Parameters<typeof addTemplateFeedback>[0]> = {}) =>
			addTemplateFeedback({
				roundId: w.roundId,
				participantId: w.p[who],
				target: 'persona_definitions',
				kind: 'flag',
				category: 'stereotype',
				severity: 'minor',
				rationale: 'All grandmothers bake.',
				quotedSpan: '',
				...over,
			})
		await feedback('ana')
		let issue = await one(w.versionId)
		expect(issue).toMatchObject({ kind: 'template', templateTarget: 'persona_definitions', sampleId: null, blocking: false, flagCount: 1 })
		// Comments (no severity) from two more people: still not a threshold.
		await feedback('ben', { kind: 'comment', category: undefined, severity: undefined, rationale: 'Could use more variety.' })
		await feedback('eve', { kind: 'comment', category: undefined, severity: undefined, rationale: 'Agree with the others.' })
		issue = await one(w.versionId)
		expect(issue).toMatchObject({ blocking: false, blockingReasons: [], flagCount: 3, severities: ['minor'] })
		await feedback('eve', { severity: 'major' })
		issue = await one(w.versionId)
		expect(issue).toMatchObject({ blocking: true, blockingReasons: ['threshold', 'expert'] })
		const [eveFlag] = await db.select({ id: flags.id }).from(flags).where(eq(flags.severity, 'major'))
		expect(await deleteTemplateFeedback({ roundId: w.roundId, participantId: w.p.eve, id: eveFlag!.id })).toBe(true)
		expect(await one(w.versionId)).toMatchObject({ id: issue.id, blocking: false, flagCount: 3 })
		// Another target is another issue.
		await feedback('ana', { target: 'prompt_templates' })
		expect((await issuesOf(w.versionId)).map((i) => i.templateTarget)).toEqual(['persona_definitions', 'prompt_templates'])
	})

	test('an opposed use-case comment makes a use_case issue that blocks where the round says so; editing the stance away un-blocks it', async () => {
		const w = await setup({ opposedBlocks: 'on' })
		const useCase = await createUseCase(w.datasetId, UseCaseSchema.parse({ title: 'Tutoring app', pipelineStage: 'fine_tuning' }), w.ownerId)
		const anaActor: CommentActor = { userId: await userId('ana'), datasetId: w.datasetId, participantId: w.p.ana, roundId: w.roundId }
		// Concerned, supportive: no issue.
		expect(await addComment({ useCaseId: useCase.id, actor: anaActor, stance: 'concerned', body: 'Hmm.' })).toMatchObject({ ok: true })
		expect(await issuesOf(w.versionId)).toEqual([])
		const c = await addComment({ useCaseId: useCase.id, actor: anaActor, stance: 'opposed', body: 'Students should not be taught with caricatures.' })
		if (!c.ok) throw new Error(c.error)
		let issue = await one(w.versionId)
		expect(issue).toMatchObject({ kind: 'use_case', useCaseId: useCase.id, commentId: c.id, blocking: true, blockingReasons: ['opposed'], flagCount: 1, flaggerCount: 1 })
		expect(await gateCounts(w.versionId)).toEqual({ blocking: 1, open: 1 })
		// A reply does not raise another issue.
		await addComment({ useCaseId: useCase.id, actor: anaActor, parentId: c.id, body: 'To add: the tone too.' })
		expect(await issuesOf(w.versionId)).toHaveLength(1)

		await editComment({ useCaseId: useCase.id, commentId: c.id, actor: anaActor, stance: 'concerned', body: 'On reflection, concerned.' })
		expect(await gateCounts(w.versionId)).toEqual({ blocking: 0, open: 0 })
		expect(await issuesOf(w.versionId)).toEqual([])

		// Opposed again; once the team has looked at it, editing the stance away keeps it, not blocking.
		await editComment({ useCaseId: useCase.id, commentId: c.id, actor: anaActor, stance: 'opposed', body: 'No, opposed after all.' })
		issue = await one(w.versionId)
		expect(issue).toMatchObject({ commentId: c.id, blocking: true })
		await triage(w, issue.id, { intent: 'acknowledge', revision: issue.revision })
		await editComment({ useCaseId: useCase.id, commentId: c.id, actor: anaActor, stance: 'question', body: 'Could it be used for adults only?' })
		expect(await one(w.versionId)).toMatchObject({ id: issue.id, status: 'acknowledged', blocking: false, blockingReasons: [], flagCount: 0 })
		expect(await gateCounts(w.versionId)).toEqual({ blocking: 0, open: 1 })

		// In a round where opposed comments do not block, the issue is raised but does not block.
		const quiet = await createRound(w.owner, { title: 'Second look' })
		await joinAs(w.owner, quiet, 'dan', sink.messages)
		await setRoundStatus(w.owner, quiet, 'open')
		const danActor: CommentActor = { userId: await userId('dan'), datasetId: w.datasetId, participantId: await participantOf(quiet, 'dan'), roundId: quiet }
		const d = await addComment({ useCaseId: useCase.id, actor: danActor, stance: 'opposed', body: 'Opposed, but the round does not block.' })
		if (!d.ok) throw new Error(d.error)
		const danIssue = (await issuesOf(w.versionId)).find((i) => i.commentId === d.id)
		expect(danIssue).toMatchObject({ kind: 'use_case', blocking: false, blockingReasons: [] })
	})
})

describe('triage', () => {
	test('50 parallel edits on the same revision: exactly one wins, the others get a conflict with the current revision', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-000', { severity: 'critical' })
		const issue = await one(w.versionId)
		const outcomes = await Promise.all(
			Array.from({ length: 50 }, (_, i) =>
				triage(w, issue.id, i % 2 ? { intent: 'acknowledge', revision: issue.revision } : { intent: 'respond', revision: issue.revision, publicResponse: `Response number ${i}` }),
			),
		)
		const ok = outcomes.filter((o) => o.ok)
		expect(ok).toEqual([{ ok: true, revision: issue.revision + 1 }])
		const conflicts = outcomes.filter((o) => !o.ok && o.reason === 'conflict')
		expect(conflicts).toHaveLength(49)
		const after = (await byId(issue.id))!
		expect(after.revision).toBe(issue.revision + 1)
		for (const c of conflicts) expect(c).toEqual({ ok: false, reason: 'conflict', current: { revision: after.revision, status: after.status, blocking: true } })
		// Nothing lost, nothing doubled: one event, one audit row, and the winner's change is what is stored.
		const events = (await eventsOf(issue.id)).filter((e) => e.kind === 'acknowledged' || e.kind === 'responded')
		expect(events).toHaveLength(1)
		expect(await db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.targetId, issue.id))).toHaveLength(1)
		if (events[0]!.kind === 'acknowledged') expect(after).toMatchObject({ status: 'acknowledged', publicResponse: '' })
		else expect(after).toMatchObject({ status: 'open', publicResponse: expect.stringMatching(/^Response number \d+$/) })
		// The losers retry on the revision they were told about.
		const told = (conflicts[0] as Extract<(typeof conflicts)[number], { reason: 'conflict' }>).current.revision
		expect(await triage(w, issue.id, { intent: 'respond', revision: told, publicResponse: 'Thanks, we are on it.' })).toEqual({ ok: true, revision: issue.revision + 2 })
	})

	test('triage racing with new flags on the same issue: every action and every flag lands', async () => {
		const w = await setup()
		const sampleId = await flag(w, 'ana', 'h-000')
		const issue = await one(w.versionId)
		const outcomes = await Promise.allSettled([
			...Array.from({ length: 12 }, (_, i) =>
				saveVerdict({ roundId: w.roundId, participantId: w.p[(['ana', 'ben', 'eve'] as const)[i % 3]!], sampleId, verdict: { kind: 'flag', flag: flagInput() } }),
			),
			...Array.from({ length: 12 }, (_, i) => triage(w, issue.id, { intent: 'note', note: `Note ${i}` })),
		])
		expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason?.cause ?? o))).toEqual([])
		expect(await byId(issue.id)).toMatchObject({ flagCount: 13, flaggerCount: 3, blocking: true })
		expect((await eventsOf(issue.id)).filter((e) => e.kind === 'noted')).toHaveLength(12)
	})

	test('the rules: justification, reasons, team-only assignees, reopening, stale and unknown issues', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-000', { severity: 'critical' })
		const issue = await one(w.versionId)
		let rev = issue.revision
		const go = async (input: TriageInput) => {
			const outcome = await triage(w, issue.id, input)
			if (outcome.ok) rev = outcome.revision
			return outcome
		}

		// Not an issue: the flaggers must be told why.
		expect(await go({ intent: 'resolve', revision: rev, resolution: 'not_an_issue', publicResponse: '', note: '' })).toEqual({ ok: false, reason: 'justification_required' })
		expect(await go({ intent: 'resolve', revision: rev, resolution: 'not_an_issue', publicResponse: 'Too short', note: '' })).toEqual({ ok: false, reason: 'justification_required' })
		// Un-blocking (and marking blocking) needs a reason.
		expect(await go({ intent: 'blocking', revision: rev, call: 'not_blocking', reason: '' })).toEqual({ ok: false, reason: 'reason_required' })
		expect(await go({ intent: 'blocking', revision: rev, call: 'not_blocking', reason: 'short' })).toEqual({ ok: false, reason: 'reason_required' })
		expect(await go({ intent: 'blocking', revision: rev, call: 'blocking', reason: '' })).toEqual({ ok: false, reason: 'reason_required' })
		// Assignees come from the dataset team only.
		expect(await go({ intent: 'assign', revision: rev, assignee: await userId('ana') })).toEqual({ ok: false, reason: 'not_team' })
		expect(await go({ intent: 'assign', revision: rev, assignee: crypto.randomUUID() })).toEqual({ ok: false, reason: 'not_team' })
		// Nothing above changed the issue.
		expect(await byId(issue.id)).toMatchObject({ revision: issue.revision, status: 'open', blocking: true, ownerBlocking: null, assigneeId: null, triagedAt: null })
		expect(await db.select().from(auditEvents).where(eq(auditEvents.targetType, 'issue'))).toHaveLength(0)

		expect(await go({ intent: 'assign', revision: rev, assignee: w.ownerId })).toMatchObject({ ok: true })
		expect(await byId(issue.id)).toMatchObject({ assigneeId: w.ownerId, triagedAt: expect.any(Date) })

		expect(await go({ intent: 'blocking', revision: rev, call: 'not_blocking', reason: 'Checked with a linguist: accurate.' })).toMatchObject({ ok: true })
		expect(await byId(issue.id)).toMatchObject({ blocking: false, ownerBlocking: false, blockingReasons: ['critical'] })
		expect(await gateCounts(w.versionId)).toEqual({ blocking: 0, open: 1 })
		expect((await eventsOf(issue.id)).at(-1)).toMatchObject({ kind: 'marked_blocking', note: 'Checked with a linguist: accurate.', internal: true, after: { blocking: false, ownerBlocking: false } })
		// A new flag does not override the team's call.
		await flag(w, 'ben', 'h-000', { severity: 'critical' })
		expect(await byId(issue.id)).toMatchObject({ blocking: false, blockingReasons: ['critical', 'threshold'] })
		// Blocking did not change, so the team's open form is still current.
		expect((await byId(issue.id))!.revision).toBe(rev)
		expect(await go({ intent: 'blocking', revision: rev, call: 'rules', reason: '' })).toMatchObject({ ok: true })
		expect(await byId(issue.id)).toMatchObject({ blocking: true, ownerBlocking: null })

		expect(await go({ intent: 'resolve', revision: rev, resolution: 'not_an_issue', publicResponse: 'The rural framing is accurate here.', note: 'internal: checked' })).toMatchObject({ ok: true })
		expect(await byId(issue.id)).toMatchObject({ status: 'resolved', resolution: 'not_an_issue', publicResponse: 'The rural framing is accurate here.' })
		expect(await gateCounts(w.versionId)).toEqual({ blocking: 0, open: 0 })
		// The justification cannot be blanked afterwards.
		expect(await go({ intent: 'respond', revision: rev, publicResponse: '' })).toEqual({ ok: false, reason: 'justification_required' })
		expect(await go({ intent: 'acknowledge', revision: rev })).toEqual({ ok: false, reason: 'not_allowed' })
		expect(await go({ intent: 'reopen', revision: rev, reason: 'A second expert disagrees.' })).toMatchObject({ ok: true })
		expect(await byId(issue.id)).toMatchObject({ status: 'open', resolution: null, blocking: true })
		expect(await gateCounts(w.versionId)).toEqual({ blocking: 1, open: 1 })
		expect(await go({ intent: 'reopen', revision: rev, reason: '' })).toEqual({ ok: false, reason: 'not_allowed' })

		// Stale, unknown, or another version's issue.
		expect(await go({ intent: 'acknowledge', revision: rev - 1 })).toMatchObject({ ok: false, reason: 'conflict', current: { revision: rev } })
		expect(await triageIssue({ versionId: w.versionId, issueId: crypto.randomUUID(), actor: w.actor, input: { intent: 'acknowledge', revision: 1 } })).toEqual({ ok: false, reason: 'not_found' })
		expect(await triageIssue({ versionId: crypto.randomUUID(), issueId: issue.id, actor: w.actor, input: { intent: 'acknowledge', revision: rev } })).toEqual({ ok: false, reason: 'not_found' })

		const kinds = (await eventsOf(issue.id)).map((e) => e.kind)
		expect(kinds.filter((k) => k !== 'blocking_changed')).toEqual(['created', 'assigned', 'marked_blocking', 'marked_blocking', 'resolved', 'reopened'])
		const audit = await db.select({ action: auditEvents.action, targetLabel: auditEvents.targetLabel }).from(auditEvents).where(eq(auditEvents.targetType, 'issue')).orderBy(asc(auditEvents.createdAt))
		expect(audit.map((a) => a.action)).toEqual(['issue.assigned', 'issue.marked_blocking', 'issue.marked_blocking', 'issue.resolved', 'issue.reopened'])
		expect(audit.every((a) => a.targetLabel === '#1')).toBe(true)
	})

	test('bulkTriage applies what is current and reports conflicts and refusals', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-000')
		await flag(w, 'ana', 'h-001')
		await flag(w, 'ana', 'h-002')
		const [a, b, c] = await issuesOf(w.versionId)
		expect(
			await bulkTriage({
				versionId: w.versionId,
				actor: w.actor,
				items: [
					{ id: a!.id, revision: a!.revision },
					{ id: b!.id, revision: b!.revision - 1 },
					{ id: c!.id, revision: c!.revision },
				],
				input: { intent: 'acknowledge' },
			}),
		).toEqual({
			done: 2,
			conflicts: 1,
			skipped: 0,
		})
		expect((await issuesOf(w.versionId)).map((i) => i.status)).toEqual(['acknowledged', 'open', 'acknowledged'])
		const now = await issuesOf(w.versionId)
		// Acknowledging again is refused (skipped); resolving without the justification too.
		expect(await bulkTriage({ versionId: w.versionId, actor: w.actor, items: now.map((i) => ({ id: i.id, revision: i.revision })), input: { intent: 'acknowledge' } })).toEqual({
			done: 1,
			conflicts: 0,
			skipped: 2,
		})
		const fresh = await issuesOf(w.versionId)
		const items = fresh.map((i) => ({ id: i.id, revision: i.revision }))
		expect(await bulkTriage({ versionId: w.versionId, actor: w.actor, items, input: { intent: 'resolve', resolution: 'not_an_issue', publicResponse: 'no' } })).toEqual({
			done: 0,
			conflicts: 0,
			skipped: 3,
		})
		expect(await bulkTriage({ versionId: w.versionId, actor: w.actor, items, input: { intent: 'resolve', resolution: 'documented', publicResponse: 'Documented in the card.' } })).toEqual({
			done: 3,
			conflicts: 0,
			skipped: 0,
		})
		expect((await issuesOf(w.versionId)).map((i) => [i.status, i.resolution, i.publicResponse])).toEqual(Array(3).fill(['resolved', 'documented', 'Documented in the card.']))
	})
})

describe('the inbox', () => {
	test('filters (status, blocking, severity, category, group, nested metadata attribute, assignee) and sorts', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-000', { severity: 'critical', affectedGroups: ['older women'] })
		await flag(w, 'ben', 'h-001', { category: 'stereotype', affectedGroups: ['Amman families'] })
		await flag(w, 'eve', 'h-002', { severity: 'major', affectedGroups: ['rural teachers'] })
		const [, h1] = await issuesOf(w.versionId)
		await triage(w, h1!.id, { intent: 'assign', revision: h1!.revision, assignee: w.ownerId })
		const list = async (f: Record<string, string> = {}) => listIssues({ versionId: w.versionId, userId: w.ownerId, filter: InboxFilterSchema.parse(f) })
		const ids = async (f: Record<string, string> = {}) => (await list(f)).rows.map((r) => r.externalId)

		const all = await list()
		expect(all.rows.map((r) => r.externalId)).toEqual(['h-002', 'h-001', 'h-000'])
		expect(all.matching).toBe(3)
		expect(all.counts).toEqual({ open: 3, acknowledged: 0, resolved: 0, blockingOpen: 2, all: 3 })
		expect(await ids({ blocking: 'yes' })).toEqual(['h-002', 'h-000'])
		expect(await ids({ blocking: 'no' })).toEqual(['h-001'])
		expect(await ids({ severity: 'minor' })).toEqual(['h-001'])
		expect(await ids({ category: 'stereotype' })).toEqual(['h-001'])
		expect(await ids({ group: 'older women' })).toEqual(['h-000'])
		expect(await ids({ attribute: 'persona.region=Amman' })).toEqual(['h-001'])
		expect(await ids({ attribute: 'persona.region=Oaxaca' })).toEqual(['h-002', 'h-000'])
		expect(await ids({ attribute: 'persona.region' })).toEqual(['h-002', 'h-001', 'h-000'])
		expect(await ids({ assignee: 'me' })).toEqual(['h-001'])
		expect(await ids({ assignee: 'none' })).toEqual(['h-002', 'h-000'])
		expect(await ids({ sort: 'severity' })).toEqual(['h-000', 'h-002', 'h-001'])
		expect(await ids({ sort: 'oldest' })).toEqual(['h-000', 'h-001', 'h-002'])
		expect((await list({ kind: 'template' })).matching).toBe(0)

		const current = (await byId(h1!.id))!
		await triage(w, h1!.id, { intent: 'resolve', revision: current.revision, resolution: 'documented', publicResponse: '', note: '' })
		expect(await ids()).toEqual(['h-002', 'h-000'])
		expect(await ids({ status: 'resolved' })).toEqual(['h-001'])
		expect(await ids({ status: 'all' })).toEqual(['h-002', 'h-001', 'h-000'])
		expect((await list()).counts).toEqual({ open: 2, acknowledged: 0, resolved: 1, blockingOpen: 2, all: 3 })
		// Another version's inbox is empty.
		expect((await listIssues({ versionId: crypto.randomUUID(), userId: w.ownerId, filter: InboxFilterSchema.parse({ status: 'all' }) })).rows).toEqual([])
	})

	test('the group list: every group named on an issue of the version, any status, gone with the last flag naming it', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-000', { affectedGroups: ['rural teachers', 'older women'] })
		const h1 = await flag(w, 'ben', 'h-001', { affectedGroups: ['Amman families'] })
		await flag(w, 'eve', 'h-002', { affectedGroups: ['older women'] })
		expect(await listAffectedGroups(w.versionId)).toEqual(['Amman families', 'older women', 'rural teachers'])
		expect(await listAffectedGroups(crypto.randomUUID())).toEqual([])
		// A second flag naming another group adds it; resolving an issue keeps its groups listed.
		await flag(w, 'ana', 'h-002', { affectedGroups: ['young fathers'] })
		const [i0] = await issuesOf(w.versionId)
		await triage(w, i0!.id, { intent: 'resolve', revision: i0!.revision, resolution: 'documented', publicResponse: '', note: '' })
		expect(await listAffectedGroups(w.versionId)).toEqual(['Amman families', 'older women', 'rural teachers', 'young fathers'])
		// The only flag naming a group withdrawn: the group leaves the list (its untriaged issue is gone too).
		const [benFlag] = await db.select({ id: flags.id }).from(flags).where(eq(flags.participantId, w.p.ben))
		await withdrawFlag({ participantId: w.p.ben, sampleId: h1, flagId: benFlag!.id })
		const h2 = (await sampleOf(w.versionId, 'h-002')).id
		await saveVerdict({ roundId: w.roundId, participantId: w.p.ana, sampleId: h2, verdict: { kind: 'no_concerns' } })
		expect(await listAffectedGroups(w.versionId)).toEqual(['older women', 'rural teachers'])
		expect(await inboxIds(w, { group: 'older women', status: 'all' })).toEqual(['h-002', 'h-000'])
	})
})

describe('the approval gate', () => {
	test('approval is refused with the list of blockers; a maintainer cannot override; an owner can, with a justification', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-000', { severity: 'critical' })
		await flag(w, 'ben', 'h-001')
		const [blocker] = await issuesOf(w.versionId)
		const status = async () =>
			(
				await db
					.select({ status: versions.status, overriddenBlockers: versions.overriddenBlockers, overrideJustification: versions.overrideJustification })
					.from(versions)
					.where(eq(versions.id, w.versionId))
			)[0]!
		expect(await status()).toMatchObject({ status: 'in_consultation', overriddenBlockers: 0 })
		const approve = (justification: string | null, mayOverride: boolean) =>
			changeVersionStatus({ versionId: w.versionId, datasetId: w.datasetId, actorId: w.ownerId, action: 'approve', justification, mayOverride })
		const justification = 'Approved for internal evaluation only; sample removed in v2.'

		const refused = await approve(null, true)
		expect(refused).toMatchObject({ ok: false, reason: 'blocked' })
		expect(refused.blockers).toEqual([{ id: blocker!.id, number: 1, kind: 'sample', externalId: 'h-000', templateTarget: null, reasons: ['critical'], status: 'open' }])

		// A maintainer: their justification is not an override.
		expect(await approve(justification, false)).toMatchObject({ ok: false, reason: 'blocked', blockers: [{ number: 1 }] })
		const mia = await account('mia')
		await db.insert(datasetMembers).values({ datasetId: w.datasetId, userId: await userId('mia'), role: 'maintainer' })
		const viaRoute = await run(versionAction, formRequest('/v', { intent: 'approve', justification }, { cookie: mia }), {}, P)
		expect(viaRoute.status).toBe(409)
		expect(viaRoute.data).toMatchObject({ error: 'errors.transition.blocked', blockers: [{ number: 1, externalId: 'h-000' }] })

		// An owner: a justification of 20+ characters.
		expect(await approve('Fine for now, ok.', true)).toMatchObject({ ok: false, reason: 'justification_required', blockers: [{ number: 1 }] })
		expect(await status()).toMatchObject({ status: 'in_consultation', overriddenBlockers: 0, overrideJustification: null })
		// Opening the round already logged the version's move into consultation.
		const baseline = (await db.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.targetType, 'version'))).length
		const versionAudit = async () => (await db.select().from(auditEvents).where(eq(auditEvents.targetType, 'version')).orderBy(asc(auditEvents.createdAt))).slice(baseline)
		expect(await versionAudit()).toEqual([])

		expect(await approve(`  ${justification}  `, true)).toMatchObject({ ok: true, to: 'approved', overridden: 1 })
		expect(await status()).toEqual({ status: 'approved', overriddenBlockers: 1, overrideJustification: justification })
		const audit = await versionAudit()
		expect(audit).toHaveLength(1)
		expect(audit[0]).toMatchObject({
			datasetId: w.datasetId,
			versionId: w.versionId,
			actorId: w.ownerId,
			actorName: 'owner',
			action: 'version.approved_with_override',
			targetLabel: 'v1',
			reason: justification,
			before: { status: 'in_consultation' },
			after: { status: 'approved', overriddenBlockers: 1, blockers: ['#1'] },
		})

		// Back in consultation, with the blocker resolved, approval needs no override.
		expect(await changeVersionStatus({ versionId: w.versionId, datasetId: w.datasetId, actorId: w.ownerId, action: 'open_consultation' })).toMatchObject({ ok: true })
		expect(await status()).toMatchObject({ status: 'in_consultation', overriddenBlockers: 0, overrideJustification: null })
		await triage(w, blocker!.id, { intent: 'resolve', revision: blocker!.revision, resolution: 'documented', publicResponse: '', note: '' })
		expect(await approve(null, false)).toMatchObject({ ok: true, to: 'approved', overridden: 0 })
		expect((await versionAudit()).map((a) => a.action)).toEqual(['version.approved_with_override', 'version.in_consultation', 'version.approved'])
	})
})

describe('carry-over to a child version', () => {
	test('unchanged, removed and changed samples; a regenerated one is re-reviewed; re-importing replaces', async () => {
		const w = await setup()
		await flag(w, 'ana', 'h-000', { severity: 'critical' })
		await flag(w, 'ana', 'h-001')
		await flag(w, 'ana', 'h-002', { severity: 'major' })
		await flag(w, 'ben', 'h-003')
		await flag(w, 'eve', 'h-001')
		const parent = await issuesOf(w.versionId)
		const [p0, p1, p2, p3] = parent
		expect(parent.map((i) => i.externalId)).toEqual(['h-000', 'h-001', 'h-002', 'h-003'])
		await triage(w, p0!.id, { intent: 'acknowledge', revision: p0!.revision })
		await triage(w, p0!.id, { intent: 'respond', revision: p0!.revision + 1, publicResponse: 'We are rewriting the persona.' })
		await triage(w, p3!.id, { intent: 'resolve', revision: p3!.revision, resolution: 'regenerated', publicResponse: 'Regenerated in v2.', note: '' })
		const triaged = await issuesOf(w.versionId)
		expect(triaged.map((i) => i.status)).toEqual(['acknowledged', 'open', 'open', 'resolved'])
		const created = await createVersion({ ...ProvenanceSchema.parse({ generationMethod: 'templates' }), datasetId: w.datasetId, label: 'v2', parentLabel: 'v1', userId: w.ownerId })
		if (!created.version) throw new Error(String(created.error))
		const v2 = created.version.id
		const before = await db
			.select({ id: notifications.id })
			.from(notifications)
			.where(sql`${notifications.kind} in ('issue_re_review', 'issue_removed')`)
		expect(before).toEqual([])

		const file = [
			{ id: 'h-000', content: 'hint 0', metadata: { persona: { region: 'Oaxaca' } } },
			{ id: 'h-002', content: 'hint 2, rewritten without the caricature', metadata: { persona: { region: 'Lagos' } } },
			{ id: 'h-003', content: 'hint 3, regenerated' },
			{ id: 'h-004', content: 'hint 4' },
		]
			.map((r) => JSON.stringify(r))
			.join('\n')
		const importV2 = () =>
			runImport({
				versionId: v2,
				format: 'jsonl',
				filename: 'v2.jsonl',
				userId: w.ownerId,
				source: (async function* () {
					yield new TextEncoder().encode(file)
				})(),
			})
		expect(await importV2()).toMatchObject({ status: 'succeeded' })

		const check = async () => {
			const child = await issuesOf(v2)
			expect(child.map((i) => i.externalId)).toEqual(['h-000', 'h-001', 'h-002', 'h-003'])
			const [c0, c1, c2, c3] = child
			const s0 = await sampleOf(v2, 'h-000')
			expect(s0.contentHash).toBe(p0!.contentHash)
			expect(c0).toMatchObject({
				kind: 'sample',
				sampleId: s0.id,
				carriedFromId: p0!.id,
				lineageId: p0!.lineageId,
				contentHash: p0!.contentHash,
				status: 'acknowledged',
				blocking: true,
				blockingReasons: ['critical'],
				publicResponse: 'We are rewriting the persona.',
				needsReReview: false,
				flagCount: 1,
			})
			expect(c1).toMatchObject({ sampleId: null, carriedFromId: p1!.id, lineageId: p1!.lineageId, status: 'resolved', resolution: 'removed', needsReReview: false })
			const s2 = await sampleOf(v2, 'h-002')
			expect(s2.contentHash).not.toBe(p2!.contentHash)
			// The flags were on the earlier text: they do not block the new one.
			expect(c2).toMatchObject({ sampleId: s2.id, carriedFromId: p2!.id, contentHash: s2.contentHash, status: 'open', resolution: null, needsReReview: true, blocking: false, flagCount: 0 })
			expect(c3).toMatchObject({ sampleId: (await sampleOf(v2, 'h-003')).id, carriedFromId: p3!.id, status: 'open', resolution: null, needsReReview: true, publicResponse: 'Regenerated in v2.' })
			expect((await eventsOf(c2!.id)).map((e) => e.kind)).toEqual(['carried_over', 'needs_re_review'])
			expect((await eventsOf(c0!.id)).map((e) => e.kind)).toEqual(['carried_over'])
			expect(await gateCounts(v2)).toEqual({ blocking: 1, open: 3 })
			// The inbox of v2: attribute filter on the child's samples (a removed one matches none), the lineage's groups.
			const v2ids = async (attribute: string) => (await listIssues({ versionId: v2, userId: w.ownerId, filter: InboxFilterSchema.parse({ status: 'all', attribute }) })).rows.map((r) => r.externalId)
			expect(await v2ids('persona.region=Oaxaca')).toEqual(['h-000'])
			expect(await v2ids('persona.region=Lagos')).toEqual(['h-002'])
			expect(await v2ids('persona.region=Amman')).toEqual([])
			expect([c0, c1, c2, c3].map((i) => i!.sampleMetadata)).toEqual([{ persona: { region: 'Oaxaca' } }, null, { persona: { region: 'Lagos' } }, {}])
			expect(await listAffectedGroups(v2)).toEqual(['older women'])
			return child
		}
		const first = await check()
		// The parent is untouched.
		expect((await issuesOf(w.versionId)).map((i) => [i.id, i.status, i.blocking])).toEqual(triaged.map((i) => [i.id, i.status, i.blocking]))

		// Flaggers of changed samples are asked to look again; of removed ones, told.
		const notices = await query<{ email: string; kind: string; version: string; item: string }>(sql`
			select u.email, n.kind, n.params->>'version' as version, n.params->>'item' as item from notifications n join users u on u.id = n.user_id
			where n.kind in ('issue_re_review', 'issue_removed') order by u.email, n.params->>'item'`)
		expect(notices).toEqual([
			{ email: 'ana@example.org', kind: 'issue_removed', version: 'v2', item: 'h-001' },
			{ email: 'ana@example.org', kind: 'issue_re_review', version: 'v2', item: 'h-002' },
			{ email: 'ben@example.org', kind: 'issue_re_review', version: 'v2', item: 'h-003' },
			{ email: 'eve@example.org', kind: 'issue_removed', version: 'v2', item: 'h-001' },
		])

		// Ana's "My feedback" follows the lineage into v2.
		const mine = (await listMyFeedback(await userId('ana'))).rows
		expect(mine.find((r) => r.item === 'h-002')).toMatchObject({ issue_version: 'v2', status: 'open', needs_re_review: true })
		expect(mine.find((r) => r.item === 'h-001')).toMatchObject({ issue_version: 'v2', status: 'resolved', resolution: 'removed' })

		// Re-importing the draft replaces what the first import carried, and tells nobody again
		// what they were already told (same outcome for the same parent issues).
		expect(await importV2()).toMatchObject({ status: 'succeeded' })
		const second = await check()
		expect(second.map((i) => i.id).filter((id) => first.some((f) => f.id === id))).toEqual([])
		expect(
			await db
				.select({ n: sql<number>`count(*)::int` })
				.from(issues)
				.where(eq(issues.versionId, v2)),
		).toEqual([{ n: 4 }])
		const noticesAfter = await query<{ n: number }>(sql`select count(*)::int as n from notifications where kind in ('issue_re_review', 'issue_removed')`)
		expect(noticesAfter).toEqual([{ n: notices.length }])
	})
})

describe('closing the loop', () => {
	test('"My feedback": own flags with status and public response, never internal notes, others’ feedback or other rounds', async () => {
		const w = await setup()
		const anaId = await userId('ana')
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
		const ben = JSON.stringify((await listMyFeedback(await userId('ben'))).rows)
		expect(ben).toContain('BEN-RATIONALE')
		expect(ben).toContain('BEN-TEMPLATE-COMMENT')
		expect(ben).not.toContain('ANA-RATIONALE')
		expect(ben).not.toContain('DAN-RATIONALE')
		const dan = (await listMyFeedback(await userId('dan'))).rows
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
		for (const id of [await userId('ana'), await userId('eve'), w.p.ana, w.p.eve]) expect(json).not.toContain(id)
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
		expect(pending.map((n) => n.userId)).not.toContain(await userId('eve'))

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
		await db.insert(datasetMembers).values({ datasetId: w.datasetId, userId: await userId('ana'), role: 'maintainer' })
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
		await db.insert(datasetMembers).values({ datasetId: w.datasetId, userId: await userId('mia'), role: 'maintainer' })
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
		expect(first.map((r) => r.userId).sort()).toEqual([w.ownerId, await userId('mia')].sort())
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
		await db.insert(notifications).values({ userId: await userId(name), kind: 'issue_acknowledged', params, link: '/feedback', emailState: 'pending', ...over })
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
