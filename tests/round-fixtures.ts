import { and, eq } from 'drizzle-orm'
import { expect } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { samples, versions } from '#db/schema/datasets.ts'
import { participants, rounds } from '#db/schema/rounds.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newRound } from '#app/routes/datasets+/$slug+/versions.$label+/rounds.new.tsx'
import { action as teamRoundAction } from '#app/routes/datasets+/$slug+/versions.$label+/rounds.$roundId.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { action as acceptAction } from '#app/routes/invitations.$token.tsx'
import { action as consentAction } from '#app/routes/rounds+/$roundId+/consent.tsx'
import { action as signupAction } from '#app/routes/_auth+/signup.tsx'
import { action as tokensAction } from '#app/routes/account+/tokens.tsx'
import { getUser } from '#app/utils/auth.server.ts'
import { db } from '#app/utils/db.server.ts'
import { cookiesFrom, formRequest, getRequest, run, TEST_ORIGIN } from './route-utils.ts'
import { linkIn, type Received } from './smtp-sink.ts'

/** A small consultation built through the real routes: owner, dataset "hints", version v1 with samples. */
export async function account(name: string, language = 'en') {
	const req = formRequest('/signup', { email: `${name}@example.org`, displayName: name, password: 'long enough password' })
	req.headers.set('Accept-Language', language)
	return cookiesFrom((await run(signupAction, req)).headers)
}

export const P = { slug: 'hints', label: 'v1' }

export async function world(sampleCount = 10) {
	const owner = await account('owner')
	await run(newDataset, formRequest('/d', { name: 'Hints', slug: 'hints' }, { cookie: owner }))
	await run(newVersion, formRequest('/v', { label: 'v1', generationMethod: 'templates' }, { cookie: owner }), {}, { slug: 'hints' })
	const me = await getUser(getRequest('/', { cookie: owner }))
	const ds = (await getDatasetForMember({ slug: 'hints', userId: me!.id }))!
	const v = (await getVersion({ datasetId: ds.id, label: 'v1' }))!
	const body = Array.from({ length: sampleCount }, (_, i) =>
		JSON.stringify({ id: `h-${String(i).padStart(3, '0')}`, content: `hint ${i}`, metadata: { persona: { region: i % 2 ? 'Amman' : 'Oaxaca' } } }),
	).join('\n')
	await runImport({
		versionId: v.id,
		format: 'jsonl',
		filename: 'h.jsonl',
		userId: me!.id,
		source: (async function* () {
			yield new TextEncoder().encode(body)
		})(),
	})
	return { owner, versionId: v.id, datasetId: ds.id }
}

export async function createRound(owner: string, fields: Record<string, string> = {}) {
	const res = await run(
		newRound,
		formRequest('/r', { stage: 'validation', title: 'Community check', selectionMode: 'all', overlap: '2', blindReview: 'on', blockThreshold: '2', ...fields }, { cookie: owner }),
		{},
		P,
	)
	expect(res.status, JSON.stringify(res.data)).toBe(302)
	return res.headers.get('Location')!.split('/').pop()!
}

export async function roundAction(owner: string, roundId: string, fields: Record<string, string>) {
	return run(teamRoundAction, formRequest('/x', fields, { cookie: owner }), {}, { ...P, roundId })
}

export async function setRoundStatus(owner: string, roundId: string, intent: 'open' | 'close') {
	const [r] = await db.select({ revision: rounds.revision }).from(rounds).where(eq(rounds.id, roundId))
	return roundAction(owner, roundId, { intent, revision: String(r!.revision), confirmed: 'yes' })
}

export function tokenFrom(messages: Received[], email: string) {
	const message = [...messages].reverse().find((m) => m.to.includes(email))
	return (message ? linkIn(message, /\/invitations\/[A-Za-z0-9_-]+/) : null)?.split('/').pop() ?? null
}

/** Invites `name`, who signs up, accepts from the emailed link and consents. */
export async function joinAs(owner: string, roundId: string, name: string, messages: Received[], role = 'community') {
	await roundAction(owner, roundId, { intent: 'invite', emails: `${name}@example.org`, role, expertise: role === 'expert' ? 'linguist' : '' })
	const token = tokenFrom(messages, `${name}@example.org`)!
	const cookie = await account(name)
	await run(acceptAction, formRequest(`/invitations/${token}`, { intent: 'accept' }, { cookie }), {}, { token })
	await run(consentAction, formRequest('/c', { agree: 'yes' }, { cookie }), {}, { roundId })
	return cookie
}

/** The id of the account `name` (name@example.org). */
export async function userIdOf(name: string) {
	const [row] = await db
		.select({ id: users.id })
		.from(users)
		.where(eq(users.email, `${name}@example.org`))
	return row!.id
}

/** The participant id of `name` (name@example.org) in a round. */
export async function participantOf(roundId: string, name: string) {
	const [row] = await db
		.select({ id: participants.id })
		.from(participants)
		.innerJoin(users, eq(users.id, participants.userId))
		.where(and(eq(participants.roundId, roundId), eq(users.email, `${name}@example.org`)))
	return row!.id
}

/** A sample of a version's current import, by its external id. */
export async function sampleOf(versionId: string, externalId: string) {
	const [row] = await db
		.select({ id: samples.id, contentHash: samples.contentHash })
		.from(samples)
		.innerJoin(versions, eq(versions.currentImportId, samples.importId))
		.where(and(eq(versions.id, versionId), eq(samples.externalId, externalId)))
	return row!
}

export const sampleIdOf = async (versionId: string, externalId: string) => (await sampleOf(versionId, externalId)).id

/** An API token for the "hints" dataset, created on the tokens page as its owner would (the secret is shown once). */
export async function apiTokenFor(ownerCookie: string, name: string, dataset = 'hints') {
	const created = await run(
		tokensAction,
		new Request(`${TEST_ORIGIN}/account/tokens`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: TEST_ORIGIN, Cookie: ownerCookie },
			body: new URLSearchParams([
				['intent', 'create'],
				['name', name],
				['datasets', dataset],
			]),
		}),
	)
	return (created.data as { created: { token: string } }).created.token
}
