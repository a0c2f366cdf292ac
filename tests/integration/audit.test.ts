import { asc, eq, sql } from 'drizzle-orm'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { I18nextProvider } from 'react-i18next'
// why: a static router stands in for the Remix runtime, so the real page component renders in the test.
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router-dom/server'
import { describe, expect, test } from 'vitest'
import { datasets, useCases, versions } from '#db/schema/datasets.ts'
import { auditEvents } from '#db/schema/issues.ts'
import { invitations, rounds } from '#db/schema/rounds.ts'
import { AUDIT_PAGE_SIZE, recordAudit } from '#app/models/audit.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { loader as overviewLoader } from '#app/routes/datasets+/$slug+/_index.tsx'
import AuditLog, { loader as auditLoader } from '#app/routes/datasets+/$slug+/audit.tsx'
import { action as editDataset } from '#app/routes/datasets+/$slug+/edit.tsx'
import { action as teamAction } from '#app/routes/datasets+/$slug+/team.tsx'
import { action as teamDiscussion } from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.discussion.tsx'
import { action as editUseCase } from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.edit.tsx'
import { action as newUseCase } from '#app/routes/datasets+/$slug+/use-cases.new.tsx'
import { action as editProvenance } from '#app/routes/datasets+/$slug+/versions.$label+/edit.tsx'
import { action as participantDiscussion } from '#app/routes/rounds+/$roundId+/use-cases.$useCaseId.tsx'
import { db } from '#app/utils/db.server.ts'
import { getI18n } from '#app/utils/i18n.server.ts'
import { addMaintainer } from '#tests/team-utils.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { account, createRound, joinAs, P, roundAction, setRoundStatus, world } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()

type AuditView = Awaited<ReturnType<typeof auditLoader>>

const entries = (action: string) =>
	db
		.select({
			actorName: auditEvents.actorName,
			targetType: auditEvents.targetType,
			targetLabel: auditEvents.targetLabel,
			before: auditEvents.before,
			after: auditEvents.after,
			reason: auditEvents.reason,
		})
		.from(auditEvents)
		.where(eq(auditEvents.action, action))
		.orderBy(asc(auditEvents.createdAt), asc(auditEvents.id))

const auditPage = (cookie: string, search = '') => run(auditLoader, getRequest(`/datasets/hints/audit${search}`, { cookie }), {}, { slug: 'hints' })

async function datasetRevision() {
	const [d] = await db.select({ revision: datasets.revision }).from(datasets).where(eq(datasets.slug, 'hints'))
	return String(d!.revision)
}

async function addUseCase(owner: string, title = 'Tutoring app') {
	const res = await run(newUseCase, formRequest('/u', { title, purpose: 'Fine-tune a hint model', pipelineStage: 'fine_tuning' }, { cookie: owner }), {}, { slug: 'hints' })
	expect(res.status).toBe(302)
	const [row] = await db.select({ id: useCases.id }).from(useCases).where(eq(useCases.title, title))
	return row!.id
}

describe('the log is append-only', () => {
	test('the database refuses to change or remove an entry', async () => {
		const { datasetId } = await world(2)
		await recordAudit({ datasetId, actorId: null, action: 'dataset.updated', targetType: 'dataset', before: { name: 'A' }, after: { name: 'B' } })
		// drizzle wraps the driver's error; the trigger's message is its cause.
		const refusal = (p: Promise<unknown>) =>
			p.then(
				() => 'accepted',
				(e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
			)
		expect(await refusal(db.execute(sql`update audit_events set action = 'forged'`))).toMatch(/append-only/)
		expect(await refusal(db.execute(sql`delete from audit_events`))).toMatch(/append-only/)
		expect(await entries('forged')).toHaveLength(0)
		expect(await entries('dataset.updated')).toEqual([expect.objectContaining({ before: { name: 'A' }, after: { name: 'B' } })])
	})
})

describe('owner actions leave one entry each', () => {
	test('editing the dataset records who and the changed fields only; long texts by name only', async () => {
		const { owner } = await world(2)
		const edit = async (fields: Record<string, string>) =>
			run(editDataset, formRequest('/e', { slug: 'hints', description: '', ...fields, revision: await datasetRevision() }, { cookie: owner }), {}, { slug: 'hints' })
		expect((await edit({ name: 'Hints for tutors' })).status).toBe(302)
		expect(await entries('dataset.updated')).toEqual([
			{ actorName: 'owner', targetType: 'dataset', targetLabel: 'Hints for tutors', before: { name: 'Hints' }, after: { name: 'Hints for tutors' }, reason: '' },
		])
		// Saving without a change, or on a stale revision, adds nothing.
		expect((await edit({ name: 'Hints for tutors' })).status).toBe(302)
		expect((await run(editDataset, formRequest('/e', { name: 'Stale', slug: 'hints', revision: '1' }, { cookie: owner }), {}, { slug: 'hints' })).status).toBe(409)
		expect(await entries('dataset.updated')).toHaveLength(1)
		const long = 'A very long description. '.repeat(30)
		expect((await edit({ name: 'Hints for tutors', description: long })).status).toBe(302)
		const [, second] = await entries('dataset.updated')
		expect(second).toMatchObject({ before: {}, after: { longFields: ['description'] } })
		expect(JSON.stringify(second)).not.toContain('very long')
	})

	test('adding and removing a maintainer names them by display name, never by email', async () => {
		const { owner } = await world(2)
		const mira = await account('mira')
		// Joining the team is an invitation mira accepts; the entry is the owner's act, and the invitation itself names nobody.
		const { invited: add } = await addMaintainer(owner, 'hints', 'mira@example.org', mira)
		expect(add.status).toBe(200)
		expect(await entries('team.invited')).toEqual([expect.objectContaining({ actorName: 'owner', targetLabel: '', after: { role: 'maintainer' } })])
		expect(await entries('team.member_added')).toEqual([{ actorName: 'owner', targetType: 'team', targetLabel: 'mira', before: null, after: { role: 'maintainer' }, reason: '' }])
		// Adding again changes nothing and records nothing.
		await run(teamAction, formRequest('/t', { intent: 'add', email: 'mira@example.org' }, { cookie: owner }), {}, { slug: 'hints' })
		expect(await entries('team.member_added')).toHaveLength(1)
		const [member] = await db.select({ id: auditEvents.targetId }).from(auditEvents).where(eq(auditEvents.action, 'team.member_added'))
		expect((await run(teamAction, formRequest('/t', { intent: 'remove', userId: member!.id }, { cookie: owner }), {}, { slug: 'hints' })).status).toBe(200)
		expect(await entries('team.member_removed')).toEqual([{ actorName: 'owner', targetType: 'team', targetLabel: 'mira', before: { role: 'maintainer' }, after: null, reason: '' }])
		const all = await db.select({ row: sql<string>`${auditEvents}::text` }).from(auditEvents)
		expect(JSON.stringify(all)).not.toContain('mira@example.org')
	})

	test('a version, its import and a provenance edit are recorded', async () => {
		const { owner } = await world(3)
		expect(await entries('version.created')).toEqual([expect.objectContaining({ actorName: 'owner', targetLabel: 'v1', after: { label: 'v1', parent: null } })])
		expect(await entries('import.started')).toEqual([expect.objectContaining({ targetLabel: 'h.jsonl', after: { version: 'v1', filename: 'h.jsonl' } })])
		expect(await entries('import.succeeded')).toEqual([expect.objectContaining({ actorName: 'owner', after: { version: 'v1', filename: 'h.jsonl', rows: 3 } })])
		const [v] = await db.select({ id: versions.id, revision: versions.revision }).from(versions)
		await runImport({
			versionId: v!.id,
			format: 'jsonl',
			filename: 'bad.jsonl',
			userId: null,
			source: (async function* () {
				yield new TextEncoder().encode('{"id": 1}\n')
			})(),
		})
		expect(await entries('import.failed')).toEqual([expect.objectContaining({ actorName: '', targetLabel: 'bad.jsonl', after: { version: 'v1', filename: 'bad.jsonl', rows: 0, errors: 1 } })])
		const prompts = 'Write as a {{persona}}. '.repeat(40)
		const res = await run(editProvenance, formRequest('/p', { generationMethod: 'templates', modelName: 'aux-7b', promptTemplates: prompts, revision: String(v!.revision) }, { cookie: owner }), {}, P)
		expect(res.status).toBe(302)
		expect(await entries('version.provenance_updated')).toEqual([
			expect.objectContaining({ actorName: 'owner', targetLabel: 'v1', before: { modelName: '' }, after: { modelName: 'aux-7b', longFields: ['promptTemplates'] } }),
		])
	})

	test('use cases: created, then edited with the changed fields', async () => {
		const { owner } = await world(2)
		const id = await addUseCase(owner)
		expect(await entries('use_case.created')).toEqual([expect.objectContaining({ actorName: 'owner', targetLabel: 'Tutoring app', after: { title: 'Tutoring app', pipelineStage: 'fine_tuning' } })])
		const res = await run(
			editUseCase,
			formRequest('/u', { title: 'Tutoring app', purpose: 'Evaluate hints', pipelineStage: 'evaluation', revision: '1' }, { cookie: owner }),
			{},
			{ slug: 'hints', useCaseId: id },
		)
		expect(res.status).toBe(302)
		expect(await entries('use_case.updated')).toEqual([
			expect.objectContaining({ before: { purpose: 'Fine-tune a hint model', pipelineStage: 'fine_tuning' }, after: { purpose: 'Evaluate hints', pipelineStage: 'evaluation' } }),
		])
	})

	test('rounds: created, opened (which starts consultation), closed and reopened with a reason', async () => {
		const { owner } = await world(4)
		const roundId = await createRound(owner)
		expect(await entries('round.created')).toEqual([expect.objectContaining({ actorName: 'owner', targetLabel: 'Community check', after: expect.objectContaining({ samples: 4, selection: 'all' }) })])
		expect((await setRoundStatus(owner, roundId, 'open')).status).toBe(200)
		expect(await entries('round.opened')).toEqual([{ actorName: 'owner', targetType: 'round', targetLabel: 'Community check', before: { status: 'draft' }, after: { status: 'open' }, reason: '' }])
		expect(await entries('version.in_consultation')).toEqual([expect.objectContaining({ before: { status: 'draft' }, after: { status: 'in_consultation' } })])
		await setRoundStatus(owner, roundId, 'close')
		const [r] = await db.select({ revision: rounds.revision }).from(rounds).where(eq(rounds.id, roundId))
		expect((await roundAction(owner, roundId, { intent: 'reopen', reason: 'Two experts asked for more time', revision: String(r!.revision) })).status).toBe(200)
		expect(await entries('round.closed')).toHaveLength(1)
		expect(await entries('round.reopened')).toEqual([expect.objectContaining({ before: { status: 'closed' }, after: { status: 'open' }, reason: 'Two experts asked for more time' })])
	})

	test('invitations: sent as a count per role, revoked and resent, never with an address', async () => {
		const { owner } = await world(2)
		const roundId = await createRound(owner)
		await roundAction(owner, roundId, { intent: 'invite', emails: 'lola@example.org\nsam@example.org', role: 'expert', expertise: 'linguist' })
		expect(await entries('invitation.sent')).toEqual([expect.objectContaining({ actorName: 'owner', targetLabel: 'Community check', after: { role: 'expert', count: 2, resent: 0 } })])
		const [lola] = await db.select({ id: invitations.id }).from(invitations).where(eq(invitations.email, 'lola@example.org'))
		expect((await roundAction(owner, roundId, { intent: 'resend', invitationId: lola!.id })).status).toBe(200)
		expect((await roundAction(owner, roundId, { intent: 'revoke', invitationId: lola!.id })).status).toBe(200)
		expect(await entries('invitation.resent')).toEqual([expect.objectContaining({ after: { role: 'expert', sentCount: 2 } })])
		expect(await entries('invitation.revoked')).toEqual([expect.objectContaining({ before: { status: 'pending' }, after: { status: 'revoked', role: 'expert' } })])
		const all = await db.select({ row: sql<string>`${auditEvents}::text` }).from(auditEvents)
		expect(JSON.stringify(all)).not.toMatch(/lola@|sam@/)
	})

	test("hiding a comment records the reason and the use case, not the comment's words", async () => {
		const { owner } = await world(2)
		const useCaseId = await addUseCase(owner)
		const roundId = await createRound(owner)
		const ana = await joinAs(owner, roundId, 'ana', sink.messages)
		await setRoundStatus(owner, roundId, 'open')
		const posted = await run(participantDiscussion, formRequest('/c', { intent: 'comment', stance: 'opposed', body: 'an abusive remark' }, { cookie: ana }), {}, { roundId, useCaseId })
		const commentId = posted.headers.get('Location')!.split('#comment-')[1]!
		const hidden = await run(teamDiscussion, formRequest('/h', { intent: 'hide', commentId, reason: 'Insults another participant' }, { cookie: owner }), {}, { slug: 'hints', useCaseId })
		expect(hidden.status).toBe(302)
		expect(await entries('comment.hidden')).toEqual([
			{ actorName: 'owner', targetType: 'comment', targetLabel: 'Tutoring app', before: { hidden: false }, after: { hidden: true }, reason: 'Insults another participant' },
		])
		expect(JSON.stringify(await entries('comment.hidden'))).not.toContain('abusive')
	})
})

describe('the audit page', () => {
	test('owners and maintainers read it; anyone else gets 404; no participant email ever shows', async () => {
		const { owner } = await world(2)
		const roundId = await createRound(owner)
		const ana = await joinAs(owner, roundId, 'ana', sink.messages)
		const mira = await account('mira')
		await addMaintainer(owner, 'hints', 'mira@example.org', mira)
		const outsider = await account('outsider')

		const asOwner = await auditPage(owner)
		expect(asOwner.status).toBe(200)
		const view = asOwner.data as AuditView
		const actions = view.entries.map((e) => e.action)
		expect(actions[0]).toBe('team.member_added')
		expect(actions).toEqual(expect.arrayContaining(['dataset.created', 'version.created', 'round.created', 'invitation.sent']))
		// Newest first.
		const times = view.entries.map((e) => e.createdAt)
		expect([...times].sort().reverse()).toEqual(times)
		expect(view.entries.find((e) => e.action === 'invitation.sent')).toMatchObject({ actorName: 'owner', after: { role: 'community', count: 1 } })
		expect(JSON.stringify(view)).not.toContain('ana@example.org')

		const asMaintainer = await auditPage(mira)
		expect(asMaintainer.status).toBe(200)
		expect((asMaintainer.data as AuditView).entries).toHaveLength(view.entries.length)
		expect((await auditPage(outsider)).status).toBe(404)
		expect((await auditPage(ana)).status).toBe(404)

		// The dataset page links to it for the team.
		expect(((await run(overviewLoader, getRequest('/', { cookie: mira }), {}, { slug: 'hints' })).data as { canViewAudit: boolean }).canViewAudit).toBe(true)
	})

	test('pages through entries written in the same instant without skipping or repeating any', async () => {
		const { owner, datasetId } = await world(2)
		const extra = AUDIT_PAGE_SIZE + 7
		// One transaction: every entry gets the same created_at, so only the id orders them.
		await db.transaction(async (tx) => {
			for (let i = 0; i < extra; i++) await recordAudit({ datasetId, actorId: null, action: 'round.closed', targetType: 'round', targetLabel: `r${i}` }, tx)
		})
		const [{ total } = { total: 0 }] = await db
			.select({ total: sql<number>`count(*)::int` })
			.from(auditEvents)
			.where(eq(auditEvents.datasetId, datasetId))
		const first = (await auditPage(owner)).data as AuditView
		expect(first.entries).toHaveLength(AUDIT_PAGE_SIZE)
		expect(first.older).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z~[0-9a-f-]{36}$/)
		const second = (await auditPage(owner, `?before=${encodeURIComponent(first.older!)}`)).data as AuditView
		expect(second.older).toBeNull()
		const ids = [...first.entries, ...second.entries].map((e) => e.id)
		expect(ids).toHaveLength(total)
		expect(new Set(ids).size).toBe(total)
		expect((await auditPage(owner, '?before=yesterday')).status).toBe(400)
	})

	test('renders a captioned table whose values are plain text, in the reader language', async () => {
		const { owner } = await world(2)
		const edit = async (name: string) => run(editDataset, formRequest('/e', { name, slug: 'hints', revision: await datasetRevision() }, { cookie: owner }), {}, { slug: 'hints' })
		await edit('<img src=x onerror=alert(1)>')
		const html = async (language: 'en' | 'ar') => {
			const data = (await auditPage(owner)).data as AuditView
			const handler = createStaticHandler([{ id: 'audit', path: '/datasets/hints/audit', loader: () => data, element: createElement(AuditLog) }])
			const context = await handler.query(new Request('http://localhost/datasets/hints/audit'))
			if (context instanceof Response) throw context
			const router = createStaticRouter(handler.dataRoutes, context)
			return renderToString(createElement(I18nextProvider, { i18n: getI18n(language) }, createElement(StaticRouterProvider, { router, context, hydrate: false })))
		}
		const en = await html('en')
		expect(en).toContain('<caption')
		expect(en.match(/<th scope="col"/g)).toHaveLength(6)
		expect(en).toContain('Dataset edited')
		expect(en).not.toContain('<img')
		expect(en).toContain('&lt;img src=x onerror=alert(1)&gt;')
		expect(en).toMatch(/<time dateTime="\d{4}-\d\d-\d\dT[^"]+Z"/)
		expect(await html('ar')).toContain('عُدّلت مجموعة البيانات')
	})
})
