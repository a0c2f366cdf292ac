import { asc, eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { datasetMembers, versions } from '#db/schema/datasets.ts'
import { auditEvents } from '#db/schema/issues.ts'
import { flags } from '#db/schema/reviews.ts'
import { UseCaseSchema } from '#app/domain/use-case.ts'
import { addComment, editComment, type CommentActor } from '#app/models/comment.server.ts'
import { gateCounts } from '#app/models/issue.server.ts'
import { addTemplateFeedback, deleteTemplateFeedback, saveVerdict, withdrawFlag } from '#app/models/review.server.ts'
import { createUseCase } from '#app/models/use-case.server.ts'
import { changeVersionStatus } from '#app/models/version.server.ts'
import { action as versionAction } from '#app/routes/datasets+/$slug+/versions.$label+/_index.tsx'
import { db } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { eventsOf, flag, issuesOf, issueWorld, one, triage, type Who } from '#tests/issue-world.ts'
import { account, createRound, joinAs, P, participantOf, sampleOf, setRoundStatus, userIdOf } from '#tests/round-fixtures.ts'
import { formRequest, run } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

// Feedback becoming issues (one per sample or template target, blocking rules) and the approval gate they hold.
// Set-up: tests/issue-world.ts.

useTestDatabase()

const sink = useSmtpSink()
const setup = (round: Record<string, string> = {}) => issueWorld(sink.messages, round)

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
		const anaActor: CommentActor = { userId: await userIdOf('ana'), datasetId: w.datasetId, participantId: w.p.ana, roundId: w.roundId }
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
		const danActor: CommentActor = { userId: await userIdOf('dan'), datasetId: w.datasetId, participantId: await participantOf(quiet, 'dan'), roundId: quiet }
		const d = await addComment({ useCaseId: useCase.id, actor: danActor, stance: 'opposed', body: 'Opposed, but the round does not block.' })
		if (!d.ok) throw new Error(d.error)
		const danIssue = (await issuesOf(w.versionId)).find((i) => i.commentId === d.id)
		expect(danIssue).toMatchObject({ kind: 'use_case', blocking: false, blockingReasons: [] })
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
		await db.insert(datasetMembers).values({ datasetId: w.datasetId, userId: await userIdOf('mia'), role: 'maintainer' })
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
