/**
 * Account privacy (issue 18, decision 028), through the real SMTP path: a sign-up proves its
 * address by a code sent to it when SMTP is configured (plainly and through an invitation link),
 * the form answers alike whether or not an account exists, and joining a dataset team is an
 * invitation the invitee accepts, with nothing about their account shown to the inviter before.
 */
import { and, eq, isNull } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { datasetMembers, versions } from '#db/schema/datasets.ts'
import { runImport } from '#app/models/import.server.ts'
import { emails } from '#db/schema/rounds.ts'
import * as teamPage from '#app/routes/datasets+/$slug+/team.tsx'
import * as outboxPage from '#app/routes/datasets+/$slug+/outbox.tsx'
import * as newRoundPage from '#app/routes/datasets+/$slug+/versions.$label+/rounds.new.tsx'
import * as roundPage from '#app/routes/datasets+/$slug+/versions.$label+/rounds.$roundId.tsx'
import * as newVersionPage from '#app/routes/datasets+/$slug+/versions.new.tsx'
import * as newDatasetPage from '#app/routes/datasets+/new.tsx'
import * as invitationPage from '#app/routes/invitations.$token.tsx'
import * as acceptTeamPage from '#app/routes/team-invitations.$token.tsx'
import * as signupPage from '#app/routes/_auth+/signup.tsx'
import * as verifyPage from '#app/routes/_auth+/signup_.verify.tsx'
import { getUser } from '#app/utils/auth.server.ts'
import { db } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { cookiesFrom, formRequest, getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { startSmtpSink } from '#tests/smtp-sink.ts'
import { teamInvitationToken } from '#tests/team-utils.ts'

useTestDatabase()

let sink: Awaited<ReturnType<typeof startSmtpSink>>
beforeAll(async () => {
	sink = await startSmtpSink()
	process.env.SIGNUP_EMAIL_VERIFICATION = 'auto'
	resetEnvCache()
})
afterAll(async () => {
	delete process.env.SMTP_URL
	process.env.SIGNUP_EMAIL_VERIFICATION = 'off'
	resetEnvCache()
	await sink.close()
})
const smtp = (on: boolean) => {
	if (on) process.env.SMTP_URL = sink.url
	else delete process.env.SMTP_URL
	resetEnvCache()
}

const PASSWORD = 'long enough password'
const lastMailTo = (email: string) => [...sink.messages].reverse().find((m) => m.to.includes(email))
const codeIn = (text: string) => /code is (\d{8})/.exec(text)?.[1] ?? null
const accountOf = async (email: string) => (await db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0] ?? null

async function startSignup(email: string, extra: Record<string, string> = {}, language = 'en') {
	const req = formRequest('/signup', { email, displayName: 'Someone', password: PASSWORD, ...extra })
	req.headers.set('Accept-Language', language)
	const res = await run(signupPage.action, req)
	expect(res.status, JSON.stringify(res.data)).toBe(302)
	const location = new URL(res.headers.get('Location')!, TEST_ORIGIN)
	expect(location.pathname).toBe('/signup/verify')
	return location.searchParams.get('id')!
}
const verify = (id: string, code: string) => run(verifyPage.action, formRequest('/signup/verify', { id, code }))

/** An account made the one-step way (before SMTP is configured), for people who already have one. */
async function existingAccount(email: string, preferredLanguage?: string) {
	smtp(false)
	const req = formRequest('/signup', { email, displayName: email.split('@')[0]!, password: PASSWORD })
	if (preferredLanguage) req.headers.set('Accept-Language', preferredLanguage)
	const res = await run(signupPage.action, req)
	expect(res.status).toBe(302)
	smtp(true)
	return cookiesFrom(res.headers)
}

describe('sign-up proves the address when SMTP is configured', () => {
	test('no account until the emailed code comes back; wrong codes fail and five tries use it up', async () => {
		smtp(true)
		const id = await startSignup('new.person@example.org')
		expect(await accountOf('new.person@example.org')).toBeNull()
		const mail = lastMailTo('new.person@example.org')!
		const code = codeIn(mail.decoded)!
		expect(code).toMatch(/^\d{8}$/)
		// The code's email is filed under no dataset: no team's outbox can show it.
		const stored = await db.select({ datasetId: emails.datasetId, kind: emails.kind }).from(emails).where(eq(emails.to, 'new.person@example.org'))
		expect(stored).toEqual([{ datasetId: null, kind: 'signup_code' }])
		const wrong = await verify(id, code === '00000000' ? '11111111' : '00000000')
		expect(wrong.status).toBe(400)
		expect(wrong.data).toMatchObject({ error: 'auth:verify.errors.wrong_code' })
		const ok = await verify(id, code)
		expect(ok.status).toBe(302)
		expect((await getUser(getRequest('/', { cookie: cookiesFrom(ok.headers) })))?.email).toBe('new.person@example.org')
		// Single use.
		expect((await verify(id, code)).status).toBe(400)

		const id2 = await startSignup('guesser@example.org')
		const real = codeIn(lastMailTo('guesser@example.org')!.decoded)!
		for (let i = 0; i < 5; i++) expect((await verify(id2, String(i).padStart(8, '9'))).status).toBe(400)
		expect((await verify(id2, real)).data).toMatchObject({ error: 'auth:verify.errors.expired' })
		expect(await accountOf('guesser@example.org')).toBeNull()
	})

	test('an address that already has an account gets the same answer; its owner is told by email, with no code', async () => {
		await existingAccount('taken@example.org')
		const before = sink.messages.length
		const id = await startSignup('taken@example.org')
		expect(id).toMatch(/^[0-9a-f-]{36}$/)
		const mail = lastMailTo('taken@example.org')!
		expect(sink.messages.length).toBe(before + 1)
		expect(codeIn(mail.decoded)).toBeNull()
		expect(mail.decoded).toContain('already has one')
		for (const guess of ['00000000', '12345678']) expect((await verify(id, guess)).status).toBe(400)
		expect(await db.select({ id: users.id }).from(users).where(eq(users.email, 'taken@example.org'))).toHaveLength(1)
	})

	test('without SMTP, sign-up stays one step (npm start with no settings works)', async () => {
		smtp(false)
		const res = await run(signupPage.action, formRequest('/signup', { email: 'offline@example.org', displayName: 'Off', password: PASSWORD }))
		expect(res.status).toBe(302)
		expect(res.headers.get('Location')).toBe('/')
		expect(await accountOf('offline@example.org')).not.toBeNull()
		smtp(true)
	})
})

async function datasetWithRound(owner: string) {
	expect((await run(newDatasetPage.action, formRequest('/d', { name: 'Hints', slug: 'hints' }, { cookie: owner }))).status).toBe(302)
	expect((await run(newVersionPage.action, formRequest('/v', { label: 'v1', generationMethod: 'templates' }, { cookie: owner }), {}, { slug: 'hints' })).status).toBe(302)
	const [version] = await db.select({ id: versions.id }).from(versions)
	const ownerId = (await getUser(getRequest('/', { cookie: owner })))!.id
	await runImport({
		versionId: version!.id,
		format: 'jsonl',
		filename: 'h.jsonl',
		userId: ownerId,
		source: (async function* () {
			yield new TextEncoder().encode('{"id":"h-1","content":"hint"}\n')
		})(),
	})
	const created = await run(
		newRoundPage.action,
		formRequest('/r', { stage: 'validation', title: 'Check', selectionMode: 'all', overlap: '1', blockThreshold: '2' }, { cookie: owner }),
		{},
		{ slug: 'hints', label: 'v1' },
	)
	return created.headers.get('Location')?.split('/').pop() ?? null
}

describe('invitation links', () => {
	test('signing up from an invitation link needs the code sent to the invited address; whoever holds the link cannot create the account', async () => {
		const owner = await existingAccount('owner@example.org')
		const roundId = await datasetWithRound(owner)
		expect(roundId).toBeTruthy()
		smtp(false) // the invitation waits in the outbox: the team holds the link
		await run(roundPage.action, formRequest('/x', { intent: 'invite', emails: 'invitee@example.org', role: 'community' }, { cookie: owner }), {}, { slug: 'hints', label: 'v1', roundId: roundId! })
		const [row] = await db
			.select({ text: emails.text })
			.from(emails)
			.where(and(eq(emails.kind, 'invitation'), eq(emails.to, 'invitee@example.org')))
		const token = /\/invitations\/([A-Za-z0-9_-]+)/.exec(row!.text)![1]!
		smtp(true)
		// The link holder tries to create the invitee's account with a password of their choosing.
		const attempt = await run(invitationPage.action, formRequest(`/invitations/${token}`, { intent: 'signup', displayName: 'Not them', password: 'attacker password!' }), {}, { token })
		expect(attempt.status).toBe(302)
		expect(new URL(attempt.headers.get('Location')!, TEST_ORIGIN).pathname).toBe('/signup/verify')
		expect(await accountOf('invitee@example.org')).toBeNull()
		// The code went to the invited address, never to the team's outbox.
		const code = codeIn(lastMailTo('invitee@example.org')!.decoded)!
		const outbox = JSON.stringify((await run(outboxPage.loader, getRequest('/', { cookie: owner }), {}, { slug: 'hints' })).data)
		expect(outbox).not.toContain(code)
		expect(
			await db
				.select({ id: emails.id })
				.from(emails)
				.where(and(eq(emails.kind, 'signup_code'), isNull(emails.datasetId))),
		).toHaveLength(1)
		// The invitee, who reads that mailbox, finishes it and is back on the link to accept.
		const id = new URL(attempt.headers.get('Location')!, TEST_ORIGIN).searchParams.get('id')!
		const done = await verify(id, code)
		expect(done.headers.get('Location')).toBe(`/invitations/${token}`)
		const cookie = cookiesFrom(done.headers)
		const accepted = await run(invitationPage.action, formRequest(`/invitations/${token}`, { intent: 'accept' }, { cookie }), {}, { token })
		expect(accepted.headers.get('Location')).toBe(`/rounds/${roundId}/consent`)
	})
})

describe('dataset teams', () => {
	test('adding someone sends an invitation they accept; nothing about their account shows before, and the email is in the inviter’s language', async () => {
		smtp(true)
		const owner = await existingAccount('owner@example.org')
		const member = await existingAccount('mia@example.org', 'ar')
		await datasetWithRound(owner)
		const invite = (email: string, language: string) => run(teamPage.action, formRequest('/t', { intent: 'add', email, language }, { cookie: owner }), {}, { slug: 'hints' })
		const withAccount = await invite('mia@example.org', 'es')
		const withoutAccount = await invite('nobody@example.org', 'es')
		// The same answer either way.
		expect(withAccount.status).toBe(withoutAccount.status)
		expect(withAccount.data).toEqual(withoutAccount.data)
		// The page the inviter sees lists the address it typed, and nothing about the account.
		const miaId = (await accountOf('mia@example.org'))!.id
		const page = JSON.stringify((await run(teamPage.loader, getRequest('/', { cookie: owner }), {}, { slug: 'hints' })).data)
		expect(page).toContain('mia@example.org')
		expect(page).not.toContain(miaId)
		expect(page).not.toContain('"displayName":"mia"')
		expect(await db.select().from(datasetMembers)).toHaveLength(1)
		// Both emails over SMTP in Spanish, the inviter's choice — not the account's Arabic.
		for (const email of ['mia@example.org', 'nobody@example.org']) {
			const mail = lastMailTo(email)!
			expect(mail.decoded).toContain('Content-Language: es')
			expect(mail.decoded).not.toMatch(/[\u0600-\u06FF]/)
		}
		// Someone else cannot accept it; the invitee can, once.
		const token = await teamInvitationToken('mia@example.org')
		const stranger = await existingAccount('stranger@example.org')
		const wrong = await run(acceptTeamPage.action, formRequest(`/team-invitations/${token}`, {}, { cookie: stranger }), {}, { token })
		expect(wrong.status).toBe(403)
		const ok = await run(acceptTeamPage.action, formRequest(`/team-invitations/${token}`, {}, { cookie: member }), {}, { token })
		expect(ok.headers.get('Location')).toBe('/datasets/hints')
		expect(await db.select().from(datasetMembers).where(eq(datasetMembers.userId, miaId))).toHaveLength(1)
		expect((await run(acceptTeamPage.action, formRequest(`/team-invitations/${token}`, {}, { cookie: member }), {}, { token })).status).toBe(410)
		// Now a member, the name shows on the team page.
		expect(JSON.stringify((await run(teamPage.loader, getRequest('/', { cookie: owner }), {}, { slug: 'hints' })).data)).toContain('"displayName":"mia"')
	})
})
