/**
 * One world for the authorization matrix and the CSRF / safe-method suites: two datasets with
 * everything a route can point at (versions, rounds, issues, comments, imports, webhooks, tokens)
 * and one person or token per principal. Built through the real routes where that is how people
 * make things (accounts, datasets, versions, rounds, invitations, consent, comments) and through
 * the models where a route would only add set-up noise (imports, flags, webhooks, tokens).
 */
import { and, asc, eq, sql } from 'drizzle-orm'
import { expect } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { datasets, imports, samples, useCases, versions } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { comments, flags } from '#db/schema/reviews.ts'
import { emails, invitations, participants, rounds } from '#db/schema/rounds.ts'
import { createApiToken, revokeApiToken } from '#app/models/api-token.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { stageParquetUpload } from '#app/models/parquet-mapping.server.ts'
import { computePendingSignals } from '#app/jobs/signals.server.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { createWebhook } from '#app/models/webhook.server.ts'
import { action as newUseCase } from '#app/routes/datasets+/$slug+/use-cases.new.tsx'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as roundAction } from '#app/routes/datasets+/$slug+/versions.$label+/rounds.$roundId.tsx'
import { action as newRound } from '#app/routes/datasets+/$slug+/versions.$label+/rounds.new.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { action as acceptAction } from '#app/routes/invitations.$token.tsx'
import { action as consentAction } from '#app/routes/rounds+/$roundId+/consent.tsx'
import { action as discussAction } from '#app/routes/rounds+/$roundId+/use-cases.$useCaseId.tsx'
import { action as signupAction } from '#app/routes/_auth+/signup.tsx'
import { startSession } from '#app/utils/auth.server.ts'
import { db } from '#app/utils/db.server.ts'
import { mappingFixture } from '#tests/parquet-fixtures.ts'
import { flagInput } from '#tests/flag-input.ts'
import { addMaintainer } from '#tests/team-utils.ts'
import { cookiesFrom, formRequest, run, TEST_ORIGIN, type RouteResult } from '#tests/route-utils.ts'

export const principals = ['anonymous', 'stranger', 'invitee', 'participant', 'otherParticipant', 'expert', 'owner', 'maintainer', 'otherOwner', 'token', 'otherToken', 'revokedToken'] as const
export type Principal = (typeof principals)[number]
export type PersonPrincipal = Exclude<Principal, 'anonymous' | 'token' | 'otherToken' | 'revokedToken'>
export type TokenPrincipal = Extract<Principal, 'token' | 'otherToken' | 'revokedToken'>

export const PASSWORD = 'long enough password'

/** Who each person principal is: the world's accounts. */
const people: Record<PersonPrincipal, string> = {
	stranger: 'sam',
	invitee: 'ivy',
	participant: 'pia',
	otherParticipant: 'pat',
	expert: 'eli',
	owner: 'ada',
	maintainer: 'mia',
	otherOwner: 'bob',
}
export const emailOf = (name: string) => `${name}@example.org`
/** An account no principal is: the sign-in form logs into it. */
export const SIGNIN_ACCOUNT = 'sol'

async function signup(name: string) {
	const res = await run(signupAction, formRequest('/signup', { email: emailOf(name), displayName: name, password: PASSWORD }))
	expect(res.status, `sign-up ${name}`).toBe(302)
	const [row] = await db
		.select({ id: users.id })
		.from(users)
		.where(eq(users.email, emailOf(name)))
	return { id: row!.id, cookie: cookiesFrom(res.headers) }
}

async function ok(label: string, promise: Promise<RouteResult>, status = 302) {
	const res = await promise
	expect(res.status, `${label}: ${JSON.stringify(res.data)}`).toBe(status)
	return res
}

function chunks(text: string) {
	return (async function* () {
		yield new TextEncoder().encode(text)
	})()
}

const jsonl = (prefix: string, n: number, variant = '') =>
	Array.from({ length: n }, (_, i) =>
		JSON.stringify({ id: `${prefix}-${String(i).padStart(3, '0')}`, content: `${prefix} sample ${i}${variant}`, metadata: { persona: { region: i % 2 ? 'Amman' : 'Oaxaca' } } }),
	).join('\n')

async function importInto(versionId: string, userId: string, body: string) {
	const outcome = await runImport({ versionId, format: 'jsonl', filename: 'world.jsonl', userId, source: chunks(body) })
	expect(outcome.status).toBe('succeeded')
	return outcome.importId
}

async function versionOf(slug: string, label: string) {
	const [row] = await db
		.select({ id: versions.id })
		.from(versions)
		.innerJoin(datasets, eq(datasets.id, versions.datasetId))
		.where(and(eq(datasets.slug, slug), eq(versions.label, label)))
	return row!
}

async function sampleId(importId: string, externalId: string) {
	const [row] = await db
		.select({ id: samples.id })
		.from(samples)
		.where(and(eq(samples.importId, importId), eq(samples.externalId, externalId)))
	return row!.id
}

async function participantId(roundId: string, userId: string) {
	const [row] = await db
		.select({ id: participants.id })
		.from(participants)
		.where(and(eq(participants.roundId, roundId), eq(participants.userId, userId)))
	return row!.id
}

async function invitationToken(email: string) {
	const rows = await db
		.select({ text: emails.text })
		.from(emails)
		.where(and(eq(emails.to, email), eq(emails.kind, 'invitation')))
	const token = rows.map((r) => /\/invitations\/([A-Za-z0-9_-]+)/.exec(r.text)?.[1]).find(Boolean)
	expect(token, `invitation link for ${email}`).toBeTruthy()
	return token!
}

async function roundRevision(roundId: string) {
	const [r] = await db.select({ revision: rounds.revision }).from(rounds).where(eq(rounds.id, roundId))
	return String(r!.revision)
}

type DatasetSetup = { owner: { id: string; cookie: string }; slug: string; name: string; prefix: string; label: string; stage: 'generation' | 'validation' }

/** A dataset with a version of 6 samples, a use case, a webhook and a round (not yet open). */
async function dataset(s: DatasetSetup) {
	const cookie = s.owner.cookie
	await ok(`dataset ${s.slug}`, run(newDataset, formRequest('/d', { name: s.name, slug: s.slug }, { cookie })))
	const [d] = await db.select({ id: datasets.id }).from(datasets).where(eq(datasets.slug, s.slug))
	const provenance = { generationMethod: 'persona_simulation', promptTemplates: 'Write as {persona}.', personaDefinitions: 'A grandmother from {region}.' }
	await ok('version', run(newVersion, formRequest('/v', { label: s.label, ...provenance }, { cookie }), {}, { slug: s.slug }))
	const version = await versionOf(s.slug, s.label)
	const importId = await importInto(version.id, s.owner.id, jsonl(s.prefix, 6))
	await ok('use case', run(newUseCase, formRequest('/u', { title: `${s.name} tutoring`, purpose: 'Fine-tune a hint model', pipelineStage: 'fine_tuning' }, { cookie }), {}, { slug: s.slug }))
	const [uc] = await db.select({ id: useCases.id }).from(useCases).where(eq(useCases.datasetId, d!.id))
	const useCaseId = uc!.id
	const hook = await createWebhook({ datasetId: d!.id, actorId: s.owner.id, url: `https://hooks.example.org/${s.slug}`, events: ['issue.created', 'version.status_changed'] })
	const created = await ok(
		'round',
		run(
			newRound,
			formRequest('/r', { stage: s.stage, title: `${s.name} check`, selectionMode: 'all', overlap: '2', blindReview: 'on', blockThreshold: '2' }, { cookie }),
			{},
			{ slug: s.slug, label: s.label },
		),
	)
	const roundId = created.headers.get('Location')!.split('/').pop()!
	return { datasetId: d!.id, versionId: version.id, importId, useCaseId, webhookId: hook.id, roundId }
}

async function invite(owner: string, slug: string, label: string, roundId: string, email: string, role: 'community' | 'expert' = 'community') {
	await ok(
		`invite ${email}`,
		run(roundAction, formRequest('/x', { intent: 'invite', emails: email, role, expertise: role === 'expert' ? 'linguist' : '' }, { cookie: owner }), {}, { slug, label, roundId }),
		200,
	)
	return invitationToken(email)
}

async function join(person: { id: string; cookie: string }, token: string, roundId: string) {
	await ok('accept', run(acceptAction, formRequest(`/invitations/${token}`, { intent: 'accept' }, { cookie: person.cookie }), {}, { token }))
	await ok('consent', run(consentAction, formRequest('/c', { agree: 'yes' }, { cookie: person.cookie }), {}, { roundId }))
}

async function open(owner: string, slug: string, label: string, roundId: string) {
	await ok('open', run(roundAction, formRequest('/x', { intent: 'open', revision: await roundRevision(roundId), confirmed: 'yes' }, { cookie: owner }), {}, { slug, label, roundId }), 200)
}

async function comment(cookie: string, roundId: string, useCaseId: string, body: string) {
	await ok('comment', run(discussAction, formRequest('/c', { intent: 'comment', stance: 'question', body }, { cookie }), {}, { roundId, useCaseId }))
	const [row] = await db.select({ id: comments.id }).from(comments).where(eq(comments.body, body))
	return row!.id
}

export async function buildWorld() {
	const acct = {} as Record<PersonPrincipal, { id: string; cookie: string }>
	for (const [principal, name] of Object.entries(people) as Array<[PersonPrincipal, string]>) acct[principal] = await signup(name)
	await signup(SIGNIN_ACCOUNT)

	// Dataset "alpha": owner ada, maintainer mia; v1 in consultation (a generation-stage round with
	// a community member and an expert), v2 a draft child of v1; one blocking issue, one comment.
	const a = await dataset({ owner: acct.owner, slug: 'alpha', name: 'Alpha', prefix: 'a', label: 'v1', stage: 'generation' })
	{
		// Team membership is an invitation the maintainer accepts (decision 028).
		const { invited, accepted } = await addMaintainer(acct.owner.cookie, 'alpha', emailOf(people.maintainer), acct.maintainer.cookie)
		await ok('maintainer invited', Promise.resolve(invited), 200)
		await ok('maintainer accepted', Promise.resolve(accepted), 302)
	}
	const participantToken = await invite(acct.owner.cookie, 'alpha', 'v1', a.roundId, emailOf(people.participant))
	const expertToken = await invite(acct.owner.cookie, 'alpha', 'v1', a.roundId, emailOf(people.expert), 'expert')
	const inviteeToken = await invite(acct.owner.cookie, 'alpha', 'v1', a.roundId, emailOf(people.invitee))
	// A link nobody in the world holds an account for: accepting it is always the wrong account.
	const spareToken = await invite(acct.owner.cookie, 'alpha', 'v1', a.roundId, 'spare@example.org')
	await join(acct.participant, participantToken, a.roundId)
	await join(acct.expert, expertToken, a.roundId)
	await open(acct.owner.cookie, 'alpha', 'v1', a.roundId)
	await ok('v2', run(newVersion, formRequest('/v', { label: 'v2', parent: 'v1', generationMethod: 'templates' }, { cookie: acct.owner.cookie }), {}, { slug: 'alpha' }))
	const v2 = await versionOf('alpha', 'v2')
	await importInto(v2.id, acct.owner.id, jsonl('a', 6, ' (revised)'))
	// A Parquet upload waiting for its column mapping (decision 047).
	const stagedUploadId = await stageParquetUpload({
		versionId: v2.id,
		filename: 'v2.parquet',
		userId: acct.owner.id,
		source: (async function* () {
			yield mappingFixture()
		})(),
		maxBytes: 1 << 20,
	})
	const pia = await participantId(a.roundId, acct.participant.id)
	await saveVerdict({ roundId: a.roundId, participantId: pia, sampleId: await sampleId(a.importId, 'a-001'), verdict: { kind: 'flag', flag: flagInput({ severity: 'critical' }) } })
	const commentId = await comment(acct.participant.cookie, a.roundId, a.useCaseId, 'Who reads these hints?')

	// Dataset "beta": owner bob; b1 in consultation with its own participant, five issues (alpha's
	// v1 never gets that many, so #5 exists only here), a comment, a pending invitation, and b2, a draft whose
	// upload crashed mid-way (a "running" import nobody heartbeats any more).
	const b = await dataset({ owner: acct.otherOwner, slug: 'beta', name: 'Beta', prefix: 'b', label: 'b1', stage: 'validation' })
	const patToken = await invite(acct.otherOwner.cookie, 'beta', 'b1', b.roundId, emailOf(people.otherParticipant))
	await invite(acct.otherOwner.cookie, 'beta', 'b1', b.roundId, 'spare-b@example.org')
	await join(acct.otherParticipant, patToken, b.roundId)
	await open(acct.otherOwner.cookie, 'beta', 'b1', b.roundId)
	const pat = await participantId(b.roundId, acct.otherParticipant.id)
	for (let i = 0; i < 5; i++) {
		await saveVerdict({ roundId: b.roundId, participantId: pat, sampleId: await sampleId(b.importId, `b-00${i}`), verdict: { kind: 'flag', flag: flagInput() } })
	}
	const otherCommentId = await comment(acct.otherParticipant.cookie, b.roundId, b.useCaseId, 'Is this for children?')
	await ok('b2', run(newVersion, formRequest('/v', { label: 'b2', parent: 'b1', generationMethod: 'templates' }, { cookie: acct.otherOwner.cookie }), {}, { slug: 'beta' }))
	const b2 = await versionOf('beta', 'b2')
	const [crashed] = await db
		.insert(imports)
		.values({
			versionId: b2.id,
			status: 'running',
			format: 'jsonl',
			filename: 'crashed.jsonl',
			createdBy: acct.otherOwner.id,
			startedAt: sql`now() - interval '1 hour'`,
			heartbeatAt: sql`now() - interval '1 hour'`,
		})
		.returning({ id: imports.id })

	// Tokens: one for alpha, one for beta (its owner's), one for alpha that was revoked.
	const token = await createApiToken({ userId: acct.owner.id, name: 'alpha pipeline', datasetSlugs: ['alpha'] })
	const revoked = await createApiToken({ userId: acct.owner.id, name: 'old alpha pipeline', datasetSlugs: ['alpha'] })
	const otherToken = await createApiToken({ userId: acct.otherOwner.id, name: 'beta pipeline', datasetSlugs: ['beta'] })
	if (!('token' in token) || !('token' in revoked) || !('token' in otherToken)) throw new Error('token set-up failed')
	expect(await revokeApiToken({ userId: acct.owner.id, tokenId: revoked.token.id })).toBe(true)

	// The signals job, as the scheduler would run it after the imports: the Signals page and its CSV have data.
	await computePendingSignals()
	const issueRows = await db.select({ id: issues.id, versionId: issues.versionId, number: issues.number, revision: issues.revision }).from(issues).orderBy(asc(issues.number))
	const aIssues = issueRows.filter((i) => i.versionId === a.versionId)
	const bIssues = issueRows.filter((i) => i.versionId === b.versionId)
	const [otherFlag] = await db.select({ id: flags.id }).from(flags).where(eq(flags.roundId, b.roundId)).limit(1)
	const [otherInvitation] = await db
		.select({ id: invitations.id })
		.from(invitations)
		.where(and(eq(invitations.roundId, b.roundId), eq(invitations.status, 'pending')))

	return {
		accounts: acct,
		tokens: { token: token.token.token, otherToken: otherToken.token.token, revokedToken: revoked.token.token } satisfies Record<TokenPrincipal, string>,
		a: { ...a, slug: 'alpha', label: 'v1', draftLabel: 'v2', issue: aIssues[0]!, commentId, inviteeToken, participantToken, spareToken, stagedUploadId },
		b: {
			...b,
			slug: 'beta',
			label: 'b1',
			issues: bIssues,
			commentId: otherCommentId,
			flagId: otherFlag!.id,
			invitationId: otherInvitation!.id,
			tokenId: otherToken.token.id,
			crashedImportId: crashed!.id,
		},
	}
}
export type World = Awaited<ReturnType<typeof buildWorld>>

/** A new session for the person, as a Cookie header value. */
export async function freshCookie(userId: string) {
	return cookiesFrom(await startSession(new Request(TEST_ORIGIN), userId))
}

export const isPerson = (p: Principal): p is PersonPrincipal => p !== 'anonymous' && !isToken(p)
export const isToken = (p: Principal): p is TokenPrincipal => p === 'token' || p === 'otherToken' || p === 'revokedToken'
