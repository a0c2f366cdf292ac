import { asc, eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { auditEvents, issues } from '#db/schema/issues.ts'
import { flags } from '#db/schema/reviews.ts'
import { notifications } from '#db/schema/rounds.ts'
import { InboxFilterSchema, type TriageInput } from '#app/domain/issue.ts'
import { ProvenanceSchema } from '#app/domain/version.ts'
import { listMyFeedback } from '#app/models/feedback.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { gateCounts } from '#app/models/issue.server.ts'
import { saveVerdict, withdrawFlag } from '#app/models/review.server.ts'
import { bulkTriage, listAffectedGroups, listIssues, triageIssue } from '#app/models/triage.server.ts'
import { createVersion } from '#app/models/version.server.ts'
import { db, query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { byId, eventsOf, flag, inboxIds, issuesOf, issueWorld, one, triage } from '#tests/issue-world.ts'
import { sampleOf, userIdOf } from '#tests/round-fixtures.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

// Triage of issues by the dataset team, the inbox's filters, and open issues carried over to a child version.
// Set-up: tests/issue-world.ts.

useTestDatabase()

const sink = useSmtpSink()
const setup = (round: Record<string, string> = {}) => issueWorld(sink.messages, round)

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
		expect(await go({ intent: 'assign', revision: rev, assignee: await userIdOf('ana') })).toEqual({ ok: false, reason: 'not_team' })
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
		const mine = (await listMyFeedback(await userIdOf('ana'))).rows
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
