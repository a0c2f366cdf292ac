import { eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { invitations, participants, rounds } from '#db/schema/rounds.ts'
import { runImport } from '#app/models/import.server.ts'
import { runDueRoundJobs } from '#app/jobs/round-deadlines.server.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newRound } from '#app/routes/datasets+/$slug+/versions.$label+/rounds.new.tsx'
import { action as teamRoundAction, loader as teamRoundLoader } from '#app/routes/datasets+/$slug+/versions.$label+/rounds.$roundId.tsx'
import { action as acceptAction, loader as acceptLoader } from '#app/routes/invitations.$token.tsx'
import { action as consentAction } from '#app/routes/rounds+/$roundId+/consent.tsx'
import { loader as roundHome } from '#app/routes/rounds+/$roundId+/_index.tsx'
import { action as withdrawAction } from '#app/routes/rounds+/$roundId+/withdraw.tsx'
import { action as signupAction } from '#app/routes/_auth+/signup.tsx'
import { action as signoutAction } from '#app/routes/_auth+/signout.tsx'
import { getUser } from '#app/utils/auth.server.ts'
import { db, query } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { cookiesFrom, formRequest, getRequest, run } from '#tests/route-utils.ts'
import { linkIn } from '#tests/smtp-sink.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()

async function account(name: string, language = 'en') {
	const req = formRequest('/signup', { email: `${name}@example.org`, displayName: name, password: 'long enough password' })
	req.headers.set('Accept-Language', language)
	return cookiesFrom((await run(signupAction, req)).headers)
}

async function* chunks(text: string) {
	yield new TextEncoder().encode(text)
}

const P = { slug: 'hints', label: 'v1' }

async function world(sampleCount = 10) {
	const owner = await account('owner')
	await run(newDataset, formRequest('/d', { name: 'Hints', slug: 'hints' }, { cookie: owner }))
	await run(newVersion, formRequest('/v', { label: 'v1', generationMethod: 'templates' }, { cookie: owner }), {}, { slug: 'hints' })
	const me = await getUser(getRequest('/', { cookie: owner }))
	const ds = (await getDatasetForMember({ slug: 'hints', userId: me!.id }))!
	const v = (await getVersion({ datasetId: ds.id, label: 'v1' }))!
	const body = Array.from({ length: sampleCount }, (_, i) =>
		JSON.stringify({ id: `h-${String(i).padStart(3, '0')}`, content: `hint ${i}`, metadata: { persona: { region: i % 2 ? 'Amman' : 'Oaxaca' } } }),
	).join('\n')
	await runImport({ versionId: v.id, format: 'jsonl', filename: 'h.jsonl', userId: me!.id, source: chunks(body) })
	return { owner, versionId: v.id, datasetId: ds.id }
}

async function createRound(owner: string, fields: Record<string, string> = {}) {
	const res = await run(
		newRound,
		formRequest('/r', { stage: 'validation', title: 'Community check', selectionMode: 'all', overlap: '2', blindReview: 'on', blockThreshold: '2', ...fields }, { cookie: owner }),
		{},
		P,
	)
	expect(res.status, JSON.stringify(res.data)).toBe(302)
	return res.headers.get('Location')!.split('/').pop()!
}

async function roundAction(owner: string, roundId: string, fields: Record<string, string>) {
	return run(teamRoundAction, formRequest('/x', fields, { cookie: owner }), {}, { ...P, roundId })
}

async function revisionOf(roundId: string) {
	const [r] = await db.select({ revision: rounds.revision }).from(rounds).where(eq(rounds.id, roundId))
	return String(r!.revision)
}

function tokenFor(email: string) {
	const message = [...sink.messages].reverse().find((m) => m.to.includes(email))
	const link = message ? linkIn(message, /\/invitations\/[A-Za-z0-9_-]+/) : null
	return link?.split('/').pop() ?? null
}

async function joinAs(owner: string, roundId: string, name: string, role = 'community') {
	await roundAction(owner, roundId, { intent: 'invite', emails: `${name}@example.org`, role })
	const token = tokenFor(`${name}@example.org`)!
	const cookie = await account(name)
	const accepted = await run(acceptAction, formRequest(`/invitations/${token}`, { intent: 'accept' }, { cookie }), {}, { token })
	expect(accepted.headers.get('Location')).toBe(`/rounds/${roundId}/consent`)
	const consented = await run(consentAction, formRequest('/c', { agree: 'yes' }, { cookie }), {}, { roundId })
	expect(consented.headers.get('Location')).toBe(`/rounds/${roundId}`)
	return cookie
}

describe('rounds', () => {
	test('samples are selected all, at random (reproducibly, by seed), stratified, or by hand', async () => {
		const { owner } = await world(40)
		const count = async (id: string) => (await db.select({ n: rounds.sampleCount }).from(rounds).where(eq(rounds.id, id)))[0]!.n
		expect(await count(await createRound(owner))).toBe(40)
		const a = await createRound(owner, { selectionMode: 'random', sampleN: '7', seed: '42' })
		const b = await createRound(owner, { selectionMode: 'random', sampleN: '7', seed: '42' })
		const picked = async (id: string) => (await query<{ s: number }>(sql`select sample_id as s from round_samples where round_id = ${id} order by position`)).map((r) => r.s)
		expect(await picked(a)).toHaveLength(7)
		expect(await picked(a)).toEqual(await picked(b))
		expect(await count(await createRound(owner, { selectionMode: 'stratified', attribute: 'persona.region', perValue: '3', seed: '1' }))).toBe(6)
		expect(await count(await createRound(owner, { selectionMode: 'manual', externalIds: 'h-003\nh-001, h-003' }))).toBe(2)
		const bad = await run(
			newRound,
			formRequest('/r', { stage: 'validation', title: 'x', selectionMode: 'manual', externalIds: 'h-001 nope', overlap: '2', blockThreshold: '2' }, { cookie: owner }),
			{},
			P,
		)
		expect(bad.status).toBe(400)
		expect(JSON.stringify(bad.data)).toContain('nope')
	})

	test('opening moves the version into consultation and spreads samples so each gets exactly k reviewers', async () => {
		const { owner, versionId } = await world(10)
		const roundId = await createRound(owner)
		const people = [await joinAs(owner, roundId, 'ana'), await joinAs(owner, roundId, 'ben'), await joinAs(owner, roundId, 'chi'), await joinAs(owner, roundId, 'dee')]
		const opened = await roundAction(owner, roundId, { intent: 'open', revision: await revisionOf(roundId), confirmed: 'yes' })
		expect(opened.status).toBe(200)
		const [v] = await query<{ status: string }>(sql`select status from versions where id = ${versionId}`)
		expect(v?.status).toBe('in_consultation')
		const perSample = await query<{ n: number }>(sql`select count(*)::int as n from assignments where round_id = ${roundId} group by sample_id`)
		expect(perSample).toHaveLength(10)
		expect(perSample.every((r) => r.n === 2)).toBe(true)
		const loads = await Promise.all(people.map(async (cookie) => ((await run(roundHome, getRequest('/', { cookie }), {}, { roundId })).data as { progress: { total: number } }).progress.total))
		expect(loads).toEqual([5, 5, 5, 5])
		// A late joiner takes a fair share; every sample still has exactly k.
		const late = await joinAs(owner, roundId, 'eve')
		const lateLoad = ((await run(roundHome, getRequest('/', { cookie: late }), {}, { roundId })).data as { progress: { total: number } }).progress.total
		expect(lateLoad).toBe(4)
		const after = await query<{ n: number }>(sql`select count(*)::int as n from assignments where round_id = ${roundId} group by sample_id`)
		expect(after.every((r) => r.n === 2)).toBe(true)
		// A withdrawal hands their work back to the others.
		await run(withdrawAction, formRequest('/w', { feedback: 'keep' }, { cookie: people[0]! }), {}, { roundId })
		const [{ n } = { n: 0 }] = await query<{ n: number }>(
			sql`select count(*)::int as n from assignments a join participants p on p.id = a.participant_id where a.round_id = ${roundId} and p.withdrawn_at is not null`,
		)
		expect(n).toBe(0)
		const final = await query<{ n: number }>(sql`select count(*)::int as n from assignments where round_id = ${roundId} group by sample_id`)
		expect(final.every((r) => r.n === 2)).toBe(true)
		expect((await run(roundHome, getRequest('/', { cookie: people[0]! }), {}, { roundId })).status).toBe(404)
		// Everyone was told the round opened, in the app and by email.
		expect(sink.messages.filter((m) => m.decoded.includes('Community check')).length).toBeGreaterThanOrEqual(4)
	})

	test('the team sees pseudonyms only: names appear nowhere they can read unless someone opts in, and a lone expertise is withheld', async () => {
		const { owner } = await world(4)
		const roundId = await createRound(owner, { expertiseOptions: 'linguist\nhistorian' })
		const canaryName = 'canaryzeta'
		const cookie = await joinAs(owner, roundId, canaryName, 'expert')
		await run(consentAction, formRequest('/c', { agree: 'yes', expertise: 'linguist' }, { cookie }), {}, { roundId })
		await roundAction(owner, roundId, { intent: 'open', revision: await revisionOf(roundId), confirmed: 'yes' })
		const data = (await run(teamRoundLoader, getRequest('/', { cookie: owner }), {}, { ...P, roundId })).data as { participants: Record<string, unknown>; invitations: unknown[] }
		const people = JSON.stringify(data.participants)
		expect(people).not.toContain(canaryName)
		// The address the team typed stays in its invitation list; nothing there says who joined.
		expect(JSON.stringify(data.invitations)).toContain(`${canaryName}@example.org`)
		expect(JSON.stringify(data.invitations)).not.toMatch(/accepted|joined/i)
		// One expert who declared linguist: the count is withheld, and no per-person row exists.
		expect(data.participants).toMatchObject({ people: [], groups: [{ role: 'expert', joined: 1 }], expertise: [{ role: 'expert', expertise: 'linguist', count: null }] })
		// Opting in shows the display name, still not the email.
		await run(consentAction, formRequest('/c', { agree: 'yes', showName: 'on' }, { cookie }), {}, { roundId })
		const named = JSON.stringify((await run(teamRoundLoader, getRequest('/', { cookie: owner }), {}, { ...P, roundId })).data)
		expect(named).toContain(`"names":["${canaryName}"]`)
	})
})

describe('invitations', () => {
	test('bad addresses are rejected per line; tokens are stored only hashed; re-inviting resends instead of duplicating', async () => {
		const { owner } = await world(2)
		const roundId = await createRound(owner)
		const res = await roundAction(owner, roundId, {
			intent: 'invite',
			emails: 'email,role\nzoe@example.org\nnot-an-address\nyan@example.org, expert, clinician\nzoe@example.org\nxi@example.org, boss',
			role: 'community',
		})
		const { invite } = res.data as { invite: { results: Array<{ email: string; result: string }>; errors: Array<{ line: number; error: string }> } }
		expect(invite.results.map((r) => r.result)).toEqual(['invited', 'invited'])
		expect(invite.errors).toEqual([
			{ line: 3, input: 'not-an-address', error: 'invite.errors.email' },
			{ line: 5, input: 'zoe@example.org', error: 'invite.errors.duplicate' },
			{ line: 6, input: 'xi@example.org, boss', error: 'invite.errors.role' },
		])
		const token = tokenFor('zoe@example.org')!
		expect(token.length).toBeGreaterThanOrEqual(43)
		const stored = JSON.stringify(await query(sql`select * from invitations`))
		expect(stored).not.toContain(token)
		await roundAction(owner, roundId, { intent: 'invite', emails: 'zoe@example.org', role: 'community' })
		expect(await db.select({ id: invitations.id }).from(invitations).where(eq(invitations.roundId, roundId))).toHaveLength(2)
		const newToken = tokenFor('zoe@example.org')!
		expect(newToken).not.toBe(token)
		expect((await run(acceptLoader, getRequest('/'), {}, { token })).status).toBe(404)
		expect((await run(acceptLoader, getRequest('/'), {}, { token: newToken })).status).toBe(200)
	})

	test('expired, revoked, used, malformed, empty and other-account tokens all fail clearly and change nothing', async () => {
		const { owner } = await world(2)
		const roundId = await createRound(owner)
		await roundAction(owner, roundId, { intent: 'invite', emails: 'a@example.org\nb@example.org\nc@example.org', role: 'community' })
		const [ta, tb, tc] = ['a', 'b', 'c'].map((n) => tokenFor(`${n}@example.org`)!)
		for (const token of ['', 'short', 'x'.repeat(200), '../../etc', ta!.slice(0, -2) + 'zz']) {
			const res = await run(acceptLoader, getRequest('/'), {}, { token })
			expect(res.status).toBe(404)
			expect(res.data).toMatchObject({ state: 'invalid' })
		}
		const [inv] = await db
			.select({ id: invitations.id })
			.from(invitations)
			.where(eq(invitations.emailHash, (await import('#app/utils/crypto.server.ts')).sha256Hex('b@example.org')))
		await roundAction(owner, roundId, { intent: 'revoke', invitationId: inv!.id })
		expect((await run(acceptLoader, getRequest('/'), {}, { token: tb! })).data).toMatchObject({ state: 'revoked' })
		await db.execute(sql`update invitations set expires_at = now() - interval '1 minute' where email = 'c@example.org'`)
		expect((await run(acceptLoader, getRequest('/'), {}, { token: tc! })).data).toMatchObject({ state: 'expired' })
		const mallory = await account('mallory')
		const wrong = await run(acceptAction, formRequest('/i', { intent: 'accept' }, { cookie: mallory }), {}, { token: ta! })
		expect(wrong.status).toBe(403)
		expect(wrong.data).toMatchObject({ error: 'accept.errors.wrong_account' })
		// The invitee creates an account straight from the link; the address is fixed by the invitation.
		const created = await run(acceptAction, formRequest('/i', { intent: 'signup', displayName: 'Aya', password: 'long enough password', email: 'someone-else@example.org' }), {}, { token: ta! })
		expect(created.headers.get('Location')).toBe(`/rounds/${roundId}/consent`)
		const aya = cookiesFrom(created.headers)
		expect((await getUser(getRequest('/', { cookie: aya })))?.email).toBe('a@example.org')
		// To anyone else an accepted link answers exactly as a pending one: acceptance is not observable.
		const again = await run(acceptAction, formRequest('/i', { intent: 'accept' }, { cookie: mallory }), {}, { token: ta! })
		expect(again.status).toBe(403)
		expect(again.data).toMatchObject({ error: 'accept.errors.wrong_account' })
		expect((await run(acceptLoader, getRequest('/'), {}, { token: ta! })).data).toMatchObject({ state: 'pending', invitation: { email: 'a@example.org' } })
		expect(await db.select({ id: participants.id }).from(participants)).toHaveLength(1)
		// Re-inviting someone already taking part sends a new link, as for anyone invited, and does not duplicate them.
		const re = await roundAction(owner, roundId, { intent: 'invite', emails: 'a@example.org', role: 'community' })
		expect((re.data as { invite: { results: Array<{ result: string }> } }).invite.results[0]!.result).toBe('resent')
		expect(await db.select({ id: participants.id }).from(participants)).toHaveLength(1)
	})

	test('the invitation arrives in the language the inviter chose, never the account’s, with a working link', async () => {
		const { owner } = await world(2)
		const roundId = await createRound(owner)
		await account('noor', 'ar')
		await account('sami', 'ar')
		// An existing account's language is not used: it would tell the inviter the account exists.
		await roundAction(owner, roundId, { intent: 'invite', emails: 'sami@example.org', role: 'community', language: '' })
		const english = [...sink.messages].reverse().find((m) => m.to.includes('sami@example.org'))!
		expect(english.decoded).not.toMatch(/[\u0600-\u06FF]/)
		await roundAction(owner, roundId, { intent: 'invite', emails: 'noor@example.org', role: 'community', message: 'Marhaba <b>!</b>', language: 'ar' })
		const mail = [...sink.messages].reverse().find((m) => m.to.includes('noor@example.org'))!
		expect(mail.decoded).toMatch(/[\u0600-\u06FF]/)
		expect(mail.decoded).toContain('dir="rtl"')
		// The owner's words are text: escaped in the HTML part (the plain-text part shows them as typed).
		expect(mail.decoded).toContain('Marhaba &lt;b&gt;!&lt;/b&gt;')
	})

	test('someone who already has an account is asked to sign in, and a wrong account can switch and come back', async () => {
		const { owner } = await world(2)
		const roundId = await createRound(owner)
		const existing = await account('old-timer')
		await roundAction(owner, roundId, { intent: 'invite', emails: 'old-timer@example.org', role: 'community' })
		const token = tokenFor('old-timer@example.org')!
		// The page offers sign-in and sign-up alike: it does not say whether the address has an account.
		const view = (await run(acceptLoader, getRequest('/'), {}, { token })).data
		expect(view).toMatchObject({ state: 'pending', user: null })
		expect(view).not.toHaveProperty('hasAccount')
		const anonymous = await run(acceptAction, formRequest('/i', { intent: 'accept' }), {}, { token })
		expect(anonymous.headers.get('Location')).toBe(`/signin?redirectTo=${encodeURIComponent(`/invitations/${token}`)}`)
		const other = await account('someone')
		const out = await run(signoutAction, formRequest(`/signout?redirectTo=/invitations/${token}`, {}, { cookie: other }))
		expect(out.headers.get('Location')).toBe(`/signin?redirectTo=${encodeURIComponent(`/invitations/${token}`)}`)
		const ok = await run(acceptAction, formRequest('/i', { intent: 'accept' }, { cookie: existing }), {}, { token })
		expect(ok.headers.get('Location')).toBe(`/rounds/${roundId}/consent`)
	})

	test('pending invitations per round are capped', async () => {
		process.env.INVITATION_PENDING_CAP = '2'
		resetEnvCache()
		try {
			const { owner } = await world(2)
			const roundId = await createRound(owner)
			const res = await roundAction(owner, roundId, { intent: 'invite', emails: 'p1@example.org\np2@example.org\np3@example.org', role: 'community' })
			expect((res.data as { invite: { results: Array<{ result: string }> } }).invite.results.map((r) => r.result)).toEqual(['invited', 'invited', 'cap_reached'])
			expect(await db.select({ id: invitations.id }).from(invitations)).toHaveLength(2)
		} finally {
			delete process.env.INVITATION_PENDING_CAP
			resetEnvCache()
		}
	})

	test('a participant of one round gets 404 on another', async () => {
		const { owner } = await world(4)
		const r1 = await createRound(owner)
		const r2 = await createRound(owner, { title: 'Experts first' })
		const cookie = await joinAs(owner, r1, 'pat')
		await roundAction(owner, r2, { intent: 'open', revision: await revisionOf(r2), confirmed: 'yes' })
		await roundAction(owner, r1, { intent: 'open', revision: await revisionOf(r1), confirmed: 'yes' })
		expect((await run(roundHome, getRequest('/', { cookie }), {}, { roundId: r1 })).status).toBe(200)
		expect((await run(roundHome, getRequest('/', { cookie }), {}, { roundId: r2 })).status).toBe(404)
		expect((await run(teamRoundLoader, getRequest('/', { cookie }), {}, { ...P, roundId: r1 })).status).toBe(404)
	})
})

test('48 hours before close, people with work left are reminded once; at close the round closes and they are told', async () => {
	const { owner } = await world(4)
	const closesAt = new Date(Date.now() + 47 * 3_600_000)
	const roundId = await createRound(owner)
	await db.update(rounds).set({ closesAt }).where(eq(rounds.id, roundId))
	await joinAs(owner, roundId, 'rosa')
	await roundAction(owner, roundId, { intent: 'open', revision: await revisionOf(roundId), confirmed: 'yes' })
	const before = sink.messages.length
	expect(await runDueRoundJobs('http://localhost')).toEqual({ reminded: 1, closed: 0, invitationsReminded: 0 })
	expect(await runDueRoundJobs('http://localhost')).toEqual({ reminded: 0, closed: 0, invitationsReminded: 0 })
	expect(sink.messages.slice(before).filter((m) => m.to.includes('rosa@example.org'))).toHaveLength(1)
	expect(await runDueRoundJobs('http://localhost', new Date(closesAt.getTime() + 1000))).toMatchObject({ reminded: 0, closed: 1 })
	const [r] = await db.select({ status: rounds.status }).from(rounds).where(eq(rounds.id, roundId))
	expect(r?.status).toBe('closed')
	const kinds = await query<{ kind: string }>(sql`select kind from notifications order by created_at`)
	// The participant's three, and the team's (written as the round closes): it reached its closing time.
	expect(kinds.map((k) => k.kind)).toEqual(['round_opened', 'round_reminder', 'team_round_closed', 'round_closed'])
})

test('halfway through an invitation’s life, only those who have not joined are reminded, and the team’s list changes alike for all', async () => {
	const { owner } = await world(2)
	const roundId = await createRound(owner)
	await joinAs(owner, roundId, 'joiner')
	await roundAction(owner, roundId, { intent: 'invite', emails: 'waiter@example.org', role: 'community' })
	const list = async () => ((await run(teamRoundLoader, getRequest('/', { cookie: owner }), {}, { ...P, roundId })).data as { invitations: Array<{ email: string; state: string }> }).invitations
	expect((await list()).map((i) => i.state)).toEqual(['sent', 'sent'])
	const before = sink.messages.length
	const halfway = new Date(Date.now() + 8 * 86_400_000)
	expect(await runDueRoundJobs('http://localhost', halfway)).toMatchObject({ invitationsReminded: 1 })
	expect(await runDueRoundJobs('http://localhost', halfway)).toMatchObject({ invitationsReminded: 0 })
	const sent = sink.messages.slice(before)
	expect(sent.map((m) => m.to)).toEqual([['waiter@example.org']])
	expect(linkIn(sent[0]!, /\/invitations\/[A-Za-z0-9_-]+/)).toBeTruthy()
	// Both rows read "reminded": the list does not tell who joined. The reminder is in no outbox.
	expect((await list()).map((i) => i.state)).toEqual(['reminded', 'reminded'])
	const filed = await query<{ dataset_id: string | null }>(sql`select dataset_id from emails where kind = 'invitation_reminder'`)
	expect(filed).toEqual([{ dataset_id: null }])
})
