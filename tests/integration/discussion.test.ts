import { eq, sql } from 'drizzle-orm'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { I18nextProvider } from 'react-i18next'
// why: a static router stands in for the Remix runtime, so the real thread component renders in the test.
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router-dom/server'
import { describe, expect, test } from 'vitest'
import { useCases } from '#db/schema/datasets.ts'
import { commentRevisions, comments } from '#db/schema/reviews.ts'
import { rounds } from '#db/schema/rounds.ts'
import { CommentThread, type CommentView } from '#app/components/comment-thread.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { action as newUseCase } from '#app/routes/datasets+/$slug+/use-cases.new.tsx'
import { action as teamAction, loader as teamLoader } from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.discussion.tsx'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newRound } from '#app/routes/datasets+/$slug+/versions.$label+/rounds.new.tsx'
import { action as teamRoundAction } from '#app/routes/datasets+/$slug+/versions.$label+/rounds.$roundId.tsx'
import { action as acceptAction } from '#app/routes/invitations.$token.tsx'
import { action as consentAction } from '#app/routes/rounds+/$roundId+/consent.tsx'
import { action as discussAction, loader as discussLoader } from '#app/routes/rounds+/$roundId+/use-cases.$useCaseId.tsx'
import { action as signupAction } from '#app/routes/_auth+/signup.tsx'
import { runImport } from '#app/models/import.server.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import { getUser } from '#app/utils/auth.server.ts'
import { db } from '#app/utils/db.server.ts'
import { getI18n } from '#app/utils/i18n.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { cookiesFrom, formRequest, getRequest, run } from '#tests/route-utils.ts'
import { linkIn } from '#tests/smtp-sink.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()

// The same set-up as tests/integration/rounds.test.ts: everything through the real routes.
async function account(name: string) {
	return cookiesFrom((await run(signupAction, formRequest('/signup', { email: `${name}@example.org`, displayName: name, password: 'long enough password' }))).headers)
}

async function* chunks(text: string) {
	yield new TextEncoder().encode(text)
}

async function addUseCase(owner: string, slug: string, title: string) {
	await run(
		newUseCase,
		formRequest('/u', { title, purpose: 'Fine-tune a hint model', modelUsers: 'Students', deploymentContext: 'A free app', pipelineStage: 'fine_tuning' }, { cookie: owner }),
		{},
		{ slug },
	)
	const [row] = await db.select({ id: useCases.id }).from(useCases).where(eq(useCases.title, title))
	return row!.id
}

async function world() {
	const owner = await account('owner')
	await run(newDataset, formRequest('/d', { name: 'Hints', slug: 'hints' }, { cookie: owner }))
	await run(newVersion, formRequest('/v', { label: 'v1', generationMethod: 'templates' }, { cookie: owner }), {}, { slug: 'hints' })
	const me = (await getUser(getRequest('/', { cookie: owner })))!
	const ds = (await getDatasetForMember({ slug: 'hints', userId: me.id }))!
	const v = (await getVersion({ datasetId: ds.id, label: 'v1' }))!
	const body = Array.from({ length: 4 }, (_, i) => JSON.stringify({ id: `h-${i}`, content: `hint ${i}` })).join('\n')
	await runImport({ versionId: v.id, format: 'jsonl', filename: 'h.jsonl', userId: me.id, source: chunks(body) })
	const useCaseId = await addUseCase(owner, 'hints', 'Tutoring app')
	return { owner, ownerId: me.id, useCaseId }
}

const P = { slug: 'hints', label: 'v1' }

async function createRound(owner: string, title = 'Community check') {
	const res = await run(newRound, formRequest('/r', { stage: 'validation', title, selectionMode: 'all', overlap: '1', blockThreshold: '2' }, { cookie: owner }), {}, P)
	expect(res.status, JSON.stringify(res.data)).toBe(302)
	return res.headers.get('Location')!.split('/').pop()!
}

async function roundAction(owner: string, roundId: string, intent: string, fields: Record<string, string> = {}) {
	const [r] = await db.select({ revision: rounds.revision }).from(rounds).where(eq(rounds.id, roundId))
	// Opening and closing are confirmed (the dialog's `confirmed=yes`).
	return run(teamRoundAction, formRequest('/x', { intent, revision: String(r!.revision), confirmed: 'yes', ...fields }, { cookie: owner }), {}, { ...P, roundId })
}

async function joinAs(owner: string, roundId: string, name: string, role = 'community') {
	await run(teamRoundAction, formRequest('/x', { intent: 'invite', emails: `${name}@example.org`, role, expertise: role === 'expert' ? 'linguist' : '' }, { cookie: owner }), {}, { ...P, roundId })
	const message = [...sink.messages].reverse().find((m) => m.to.includes(`${name}@example.org`))!
	const token = linkIn(message, /\/invitations\/[A-Za-z0-9_-]+/)!
		.split('/')
		.pop()!
	const cookie = await account(name)
	await run(acceptAction, formRequest(`/invitations/${token}`, { intent: 'accept' }, { cookie }), {}, { token })
	const consented = await run(consentAction, formRequest('/c', { agree: 'yes' }, { cookie }), {}, { roundId })
	expect(consented.headers.get('Location')).toBe(`/rounds/${roundId}`)
	return cookie
}

/** A world with an open round and two community members in it. */
async function openRound() {
	const w = await world()
	const roundId = await createRound(w.owner)
	const ana = await joinAs(w.owner, roundId, 'ana')
	const ben = await joinAs(w.owner, roundId, 'ben')
	expect((await roundAction(w.owner, roundId, 'open')).status).toBe(200)
	const at = { roundId, useCaseId: w.useCaseId }
	const view = async (cookie: string, params = at) => run(discussLoader, getRequest('/', { cookie }), {}, params)
	const thread = async (cookie: string) => ((await view(cookie)).data as { comments: CommentView[] }).comments
	const post = (cookie: string, fields: Record<string, string>, params = at) => run(discussAction, formRequest('/', fields, { cookie }), {}, params)
	const team = { slug: 'hints', useCaseId: w.useCaseId }
	const teamView = async () => run(teamLoader, getRequest('/', { cookie: w.owner }), {}, team)
	const teamPost = (fields: Record<string, string>, cookie = w.owner) => run(teamAction, formRequest('/', fields, { cookie }), {}, team)
	return { ...w, roundId, ana, ben, view, thread, post, teamView, teamPost }
}

const idOf = (res: { status: number; headers: Headers; data: unknown }) => {
	expect(res.status, JSON.stringify(res.data)).toBe(302)
	return res.headers.get('Location')!.split('#comment-')[1]!
}
const formErrors = (res: { data: unknown }) => (res.data as { result: { error: Record<string, string[]> } }).result.error
const count = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(comments))[0]!.n

async function renderThread(list: CommentView[], mode: 'participant' | 'team' = 'participant') {
	const handler = createStaticHandler([{ id: 'thread', path: '/', element: createElement(CommentThread, { comments: list, mode, canPost: true, last: undefined }) }])
	const context = await handler.query(new Request('http://localhost/'))
	if (context instanceof Response) throw context
	const router = createStaticRouter(handler.dataRoutes, context)
	return renderToString(createElement(I18nextProvider, { i18n: getI18n('en') }, createElement(StaticRouterProvider, { router, context, hydrate: false })))
}

describe('use-case discussion', () => {
	test('top-level comments need a stance; replies nest two levels deep and no deeper', async () => {
		const w = await openRound()
		const missing = await w.post(w.ana, { intent: 'comment', body: 'Worried about this' })
		expect(missing.status).toBe(400)
		expect(formErrors(missing).stance).toEqual(['discussion:errors.stanceRequired'])
		const top = await w.post(w.ana, { intent: 'comment', stance: 'concerned', body: 'Worried about this' })
		const topId = idOf(top)
		expect(top.headers.get('Location')).toBe(`/rounds/${w.roundId}/use-cases/${w.useCaseId}#comment-${topId}`)
		const reply = idOf(await w.post(w.ben, { intent: 'comment', stance: 'opposed', body: 'I oppose it', parentId: topId }))
		const deep = idOf(await w.post(w.ana, { intent: 'comment', body: 'Why?', parentId: reply }))
		const tooDeep = await w.post(w.ben, { intent: 'comment', body: 'Because', parentId: deep })
		expect(tooDeep.status).toBe(400)
		expect(formErrors(tooDeep)['']).toEqual(['discussion:errors.tooDeep'])
		expect(await count()).toBe(3)
		const list = await w.thread(w.ben)
		expect(list.map((c) => [c.depth, c.stance, c.parentId, c.mine])).toEqual([
			[0, 'concerned', null, false],
			[1, 'opposed', topId, true],
			[2, null, reply, false],
		])
		// Two community members have given feedback, fewer than PSEUDONYMITY_MIN_GROUP: no per-person pseudonym.
		expect(list.map((c) => c.author)).toEqual([
			{ role: 'community', number: null, expertise: '', name: null },
			{ role: 'community', number: null, expertise: '', name: null },
			{ role: 'community', number: null, expertise: '', name: null },
		])
		// Other participants never receive an email or an account id.
		const page = JSON.stringify((await w.view(w.ben)).data)
		expect(page).not.toContain('ana@example.org')
		expect(page).not.toContain('"authorId"')
		expect((await w.post(w.ana, { intent: 'hide', commentId: topId, reason: 'nope' })).status).toBe(400)
		expect((await w.post(w.ana, { intent: 'shout', body: 'x' })).status).toBe(400)
	})

	test('markdown with HTML is stored and returned as typed, and rendered as text by the Markdown component', async () => {
		const w = await openRound()
		const body = 'This is **unfair**. <script>alert("x")</script> <img src=x onerror="alert(1)"> [link](javascript:alert(1))'
		const id = idOf(await w.post(w.ana, { intent: 'comment', stance: 'opposed', body }))
		const [row] = await db.select({ body: comments.body }).from(comments).where(eq(comments.id, id))
		expect(row!.body).toBe(body)
		const list = await w.thread(w.ben)
		expect(list[0]!.body).toBe(body)
		const html = await renderThread(list)
		expect(html).toContain('<strong>unfair</strong>')
		expect(html).toContain('&lt;script&gt;')
		expect(html).toContain('&lt;img src=x')
		expect(html).not.toMatch(/<script|<img|href="javascript:/i)
		expect(html).toContain('A community member')
	})

	test('editing keeps earlier versions; only the author edits; a closed round is read-only', async () => {
		const w = await openRound()
		const id = idOf(await w.post(w.ana, { intent: 'comment', stance: 'concerned', body: 'first' }))
		idOf(await w.post(w.ana, { intent: 'edit', commentId: id, stance: 'question', body: 'second' }))
		idOf(await w.post(w.ana, { intent: 'edit', commentId: id, stance: 'question', body: 'third' }))
		const noStance = await w.post(w.ana, { intent: 'edit', commentId: id, body: 'fourth' })
		expect(formErrors(noStance)['']).toEqual(['discussion:errors.stanceRequired'])
		const stranger = await w.post(w.ben, { intent: 'edit', commentId: id, stance: 'supportive', body: 'hijacked' })
		expect(stranger.status).toBe(404)
		const [c] = await w.thread(w.ben)
		expect(c).toMatchObject({ body: 'third', stance: 'question', revision: 3, mine: false })
		expect(c!.editedAt).not.toBeNull()
		expect(c!.history.map((h) => [h.revision, h.stance, h.body])).toEqual([
			[1, 'concerned', 'first'],
			[2, 'question', 'second'],
		])
		const html = await renderThread([c!])
		expect(html).toContain('<details')
		expect(html).toContain('2 earlier versions')
		expect(html).toContain('edited')
		await roundAction(w.owner, w.roundId, 'close')
		expect((await w.post(w.ana, { intent: 'edit', commentId: id, stance: 'question', body: 'late' })).status).toBe(409)
		expect((await w.view(w.ana)).data).toMatchObject({ canPost: false })
		expect((await w.thread(w.ana))[0]!.body).toBe('third')
	})

	test('authors delete only their own comments; the replies stay', async () => {
		const w = await openRound()
		const id = idOf(await w.post(w.ana, { intent: 'comment', stance: 'concerned', body: 'mine to delete' }))
		idOf(await w.post(w.ana, { intent: 'edit', commentId: id, stance: 'concerned', body: 'mine to delete, edited' }))
		const reply = idOf(await w.post(w.ben, { intent: 'comment', body: 'a reply', parentId: id }))
		const notYours = await w.post(w.ben, { intent: 'delete', commentId: id })
		expect(notYours.status).toBe(404)
		expect((await w.thread(w.ana))[0]).toMatchObject({ deleted: false, body: 'mine to delete, edited' })
		expect(idOf(await w.post(w.ana, { intent: 'delete', commentId: id }))).toBe(id)
		const [gone, kept] = await w.thread(w.ben)
		expect(gone).toMatchObject({ id, deleted: true, body: null, stance: null, history: [] })
		expect(kept).toMatchObject({ id: reply, parentId: id, body: 'a reply' })
		expect(await renderThread([gone!, kept!])).toContain('Deleted by its author.')
		expect(await db.select({ id: commentRevisions.id }).from(commentRevisions)).toEqual([])
		expect((await w.post(w.ana, { intent: 'edit', commentId: id, stance: 'concerned', body: 'back' })).status).toBe(400)
		expect(formErrors(await w.post(w.ben, { intent: 'comment', body: 'x', parentId: id }))['']).toEqual(['discussion:errors.parentUnavailable'])
		expect((await w.post(w.ana, { intent: 'delete', commentId: id })).status).toBe(404)
	})

	test('the team replies as the dataset team and hides with a reason; the hidden body reaches nobody', async () => {
		const w = await openRound()
		const abuse = 'an abusive remark about ben'
		const id = idOf(await w.post(w.ana, { intent: 'comment', stance: 'opposed', body: abuse }))
		expect((await w.teamView()).status).toBe(200)
		const teamReply = idOf(await w.teamPost({ intent: 'comment', parentId: id, body: 'Thanks, we will look into it.' }))
		const [row] = await db
			.select({ fromTeam: comments.fromTeam, participantId: comments.participantId, roundId: comments.roundId, depth: comments.depth })
			.from(comments)
			.where(eq(comments.id, teamReply))
		expect(row).toEqual({ fromTeam: true, participantId: null, roundId: w.roundId, depth: 1 })
		const seen = (await w.thread(w.ben)).find((c) => c.id === teamReply)!
		expect(seen).toMatchObject({ fromTeam: true, author: null, stance: null })
		expect(await renderThread([seen])).toContain('Dataset team')
		// The team does not start threads of its own.
		expect((await w.teamPost({ intent: 'comment', stance: 'supportive', body: 'Hello' })).status).toBe(404)
		expect(formErrors(await w.teamPost({ intent: 'hide', commentId: id })).reason).toEqual(['validation.required'])
		expect(formErrors(await w.teamPost({ intent: 'hide', commentId: id, reason: 'no' })).reason).toEqual(['discussion:errors.reasonLength'])
		expect((await w.thread(w.ben))[0]!.body).toBe(abuse)
		expect((await w.teamPost({ intent: 'hide', commentId: id, reason: 'x'.repeat(501) })).status).toBe(400)
		// Participants cannot reach the team's page or its actions.
		expect((await w.teamPost({ intent: 'hide', commentId: id, reason: 'Insults' }, w.ben)).status).toBe(404)
		expect(idOf(await w.teamPost({ intent: 'hide', commentId: id, reason: 'Insults another participant' }))).toBe(id)
		const [stored] = await db.select({ body: comments.body, hiddenBy: comments.hiddenBy, reason: comments.hiddenReason }).from(comments).where(eq(comments.id, id))
		expect(stored).toEqual({ body: abuse, hiddenBy: w.ownerId, reason: 'Insults another participant' })
		for (const res of [await w.teamView(), await w.view(w.ana), await w.view(w.ben)]) {
			expect(JSON.stringify(res.data)).not.toContain(abuse)
			const c = (res.data as { comments: CommentView[] }).comments.find((x) => x.id === id)
			expect(c).toMatchObject({ hidden: true, hiddenReason: 'Insults another participant', body: null, stance: null })
		}
		const html = await renderThread((await w.thread(w.ana)).filter((c) => c.id === id))
		expect(html).toContain('Hidden by the dataset team: <bdi>Insults another participant</bdi>')
		// Hidden stays hidden: the author can neither edit nor delete it away.
		expect((await w.post(w.ana, { intent: 'edit', commentId: id, stance: 'opposed', body: 'sorry' })).status).toBe(400)
		expect((await w.post(w.ana, { intent: 'delete', commentId: id })).status).toBe(404)
		expect((await w.teamPost({ intent: 'hide', commentId: id, reason: 'Again' })).status).toBe(404)
		expect((await w.teamPost({ intent: 'wave' })).status).toBe(400)
	})

	test('canary: the team page carries no participant email, and a name only if they opted in', async () => {
		const w = await openRound()
		const canary = 'canaryzeta'
		const cookie = await joinAs(w.owner, w.roundId, canary, 'expert')
		idOf(await w.post(cookie, { intent: 'comment', stance: 'question', body: 'Who reviews the hints?' }))
		const page = JSON.stringify((await w.teamView()).data)
		expect(page).not.toContain(canary)
		expect(page).toContain('"role":"expert"')
		// The team types no expertise for a person: nothing it might have written shows.
		expect(page).not.toContain('linguist')
		expect(JSON.stringify((await w.view(w.ana)).data)).not.toContain(canary)
		await run(consentAction, formRequest('/c', { agree: 'yes', showName: 'on' }, { cookie }), {}, { roundId: w.roundId })
		const named = (await w.teamView()).data as { comments: CommentView[] }
		expect(JSON.stringify(named)).toContain(`"name":"${canary}"`)
		expect(JSON.stringify(named)).not.toContain(`${canary}@example.org`)
		// A lone expert: no number, no expertise; the name they chose to show is shown, isolated (FSI … PDI).
		expect(await renderThread(named.comments, 'team')).toContain(`An expert (\u2068${canary}\u2069)`)
	})

	test('participants of another round, strangers and other datasets’ use cases get 404', async () => {
		const w = await openRound()
		const id = idOf(await w.post(w.ana, { intent: 'comment', stance: 'supportive', body: 'Round one' }))
		const r2 = await createRound(w.owner, 'Second round')
		const mo = await joinAs(w.owner, r2, 'mo')
		await roundAction(w.owner, r2, 'open')
		expect((await w.view(mo)).status).toBe(404)
		expect((await w.post(mo, { intent: 'comment', stance: 'opposed', body: 'sneaky' })).status).toBe(404)
		const stranger = await account('stranger')
		expect((await w.view(stranger)).status).toBe(404)
		expect((await w.post(stranger, { intent: 'comment', stance: 'opposed', body: 'sneaky' })).status).toBe(404)
		// In their own round the same use case has its own thread; round one's comments are out of reach.
		const own = { roundId: r2, useCaseId: w.useCaseId }
		expect(((await w.view(mo, own)).data as { comments: unknown[] }).comments).toEqual([])
		expect((await w.post(mo, { intent: 'comment', body: 'reply across', parentId: id }, own)).status).toBe(404)
		expect((await w.post(mo, { intent: 'delete', commentId: id }, own)).status).toBe(404)
		// A use case of another dataset, or no use case at all.
		await run(newDataset, formRequest('/d', { name: 'Other', slug: 'other' }, { cookie: w.owner }))
		const foreign = await addUseCase(w.owner, 'other', 'Elsewhere')
		expect((await w.view(w.ana, { roundId: w.roundId, useCaseId: foreign })).status).toBe(404)
		expect((await w.post(w.ana, { intent: 'comment', stance: 'opposed', body: 'x' }, { roundId: w.roundId, useCaseId: foreign })).status).toBe(404)
		expect((await w.view(w.ana, { roundId: w.roundId, useCaseId: 'nope' })).status).toBe(404)
		expect((await run(teamLoader, getRequest('/', { cookie: w.owner }), {}, { slug: 'hints', useCaseId: foreign })).status).toBe(404)
		expect(await count()).toBe(1)
	})
})
