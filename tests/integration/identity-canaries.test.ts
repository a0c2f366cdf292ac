import { and, eq, inArray, or, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { webhookDeliveries } from '#db/schema/api.ts'
import { datasets, imports, useCases, versions } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { emails, rounds } from '#db/schema/rounds.ts'
import { sendPendingNotificationEmails } from '#app/jobs/notification-emails.server.ts'
import { remindUntriagedBlockers } from '#app/models/feedback.server.ts'
import { runImport } from '#app/models/import.server.ts'
import * as accountPage from '#app/routes/account+/_index.tsx'
import * as tokensPage from '#app/routes/account+/tokens.tsx'
import * as gateRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.gate.ts'
import * as apiAnnotationsRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.annotations.ts'
import * as apiCroissantRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.croissant[.]json.ts'
import * as apiIssuesRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.issues.ts'
import * as apiSamplesRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.samples.ts'
import * as apiVersionsRoute from '#app/routes/api+/v1.datasets.$dataset.versions._index.ts'
import * as openapiRoute from '#app/routes/api+/v1.openapi[.]json.ts'
import * as datasetPage from '#app/routes/datasets+/$slug+/_index.tsx'
import * as auditPage from '#app/routes/datasets+/$slug+/audit.tsx'
import * as datasetEditPage from '#app/routes/datasets+/$slug+/edit.tsx'
import * as outboxPage from '#app/routes/datasets+/$slug+/outbox.tsx'
import * as teamPage from '#app/routes/datasets+/$slug+/team.tsx'
import * as teamDiscussionPage from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.discussion.tsx'
import * as useCaseEditPage from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.edit.tsx'
import * as useCaseHistoryPage from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.history.tsx'
import * as newUseCasePage from '#app/routes/datasets+/$slug+/use-cases.new.tsx'
import * as versionPage from '#app/routes/datasets+/$slug+/versions.$label+/_index.tsx'
import * as diffPage from '#app/routes/datasets+/$slug+/versions.$label+/diff.tsx'
import * as versionEditPage from '#app/routes/datasets+/$slug+/versions.$label+/edit.tsx'
import * as importProgress from '#app/routes/datasets+/$slug+/versions.$label+/imports.$importId.progress.ts'
import * as importPage from '#app/routes/datasets+/$slug+/versions.$label+/imports.$importId.tsx'
import * as insightsPage from '#app/routes/datasets+/$slug+/versions.$label+/insights.tsx'
import * as issuePage from '#app/routes/datasets+/$slug+/versions.$label+/issues.$number.tsx'
import * as inboxPage from '#app/routes/datasets+/$slug+/versions.$label+/issues._index.tsx'
import * as reportPage from '#app/routes/datasets+/$slug+/versions.$label+/report.tsx'
import * as annotationsCsv from '#app/routes/datasets+/$slug+/versions.$label+/annotations[.]csv.ts'
import * as annotationsJsonl from '#app/routes/datasets+/$slug+/versions.$label+/annotations[.]jsonl.ts'
import * as annotationsParquet from '#app/routes/datasets+/$slug+/versions.$label+/annotations[.]parquet.ts'
import * as croissantJson from '#app/routes/datasets+/$slug+/versions.$label+/croissant[.]json.ts'
import * as datasetCard from '#app/routes/datasets+/$slug+/versions.$label+/dataset-card[.]md.ts'
import * as reportCsv from '#app/routes/datasets+/$slug+/versions.$label+/report[.]csv.ts'
import * as reportJson from '#app/routes/datasets+/$slug+/versions.$label+/report[.]json.ts'
import * as reportMd from '#app/routes/datasets+/$slug+/versions.$label+/report[.]md.ts'
import * as roundPage from '#app/routes/datasets+/$slug+/versions.$label+/rounds.$roundId.tsx'
import * as newRoundPage from '#app/routes/datasets+/$slug+/versions.$label+/rounds.new.tsx'
import * as samplePage from '#app/routes/datasets+/$slug+/versions.$label+/samples.$externalId.tsx'
import * as samplesPage from '#app/routes/datasets+/$slug+/versions.$label+/samples._index.tsx'
import * as newVersionPage from '#app/routes/datasets+/$slug+/versions.new.tsx'
import * as webhooksPage from '#app/routes/datasets+/$slug+/webhooks.tsx'
import * as datasetsPage from '#app/routes/datasets+/_index.tsx'
import * as newDatasetPage from '#app/routes/datasets+/new.tsx'
import * as feedbackPage from '#app/routes/feedback.tsx'
import * as homePage from '#app/routes/_index.tsx'
import * as invitationPage from '#app/routes/invitations.$token.tsx'
import * as notificationsPage from '#app/routes/notifications.tsx'
import * as roundHome from '#app/routes/rounds+/$roundId+/_index.tsx'
import * as consentPage from '#app/routes/rounds+/$roundId+/consent.tsx'
import * as focusPage from '#app/routes/rounds+/$roundId+/review.$externalId.tsx'
import * as templatesPage from '#app/routes/rounds+/$roundId+/templates.tsx'
import * as discussPage from '#app/routes/rounds+/$roundId+/use-cases.$useCaseId.tsx'
import * as withdrawPage from '#app/routes/rounds+/$roundId+/withdraw.tsx'
import * as signupPage from '#app/routes/_auth+/signup.tsx'
import { loader as rootLoader } from '#app/root.tsx'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { db } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { addMaintainer } from '#tests/team-utils.ts'
import { renderRoute, type RouteModule } from '#tests/render-route.ts'
import { cookiesFrom, formRequest, getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { decodeMime, startSmtpSink } from '#tests/smtp-sink.ts'

useTestDatabase()

let sink: Awaited<ReturnType<typeof startSmtpSink>>
beforeAll(async () => {
	sink = await startSmtpSink()
	resetEnvCache()
})
afterAll(async () => {
	delete process.env.SMTP_URL
	resetEnvCache()
	await sink.close()
})
const smtp = (on: boolean) => {
	if (on) process.env.SMTP_URL = sink.url
	else delete process.env.SMTP_URL
	resetEnvCache()
}

// ---------------------------------------------------------------------------------------------
// The canaries: addresses and names that appear nowhere else, so finding one in anything the
// dataset team can read is a leak. Cleo opts in to show her name (the name may appear, her
// address never). Ana changes her name after joining; both of her names are canaries.

const PREFIX = 'canary-7f3a91c2'
type Who = 'ana' | 'ben' | 'cleo' | 'eve' | 'gus' | 'hal'
const EMAIL: Record<Who, string> = {
	ana: `${PREFIX}-ana@example.org`,
	ben: `${PREFIX}-ben@example.org`,
	cleo: `${PREFIX}-cleo@example.org`,
	eve: `${PREFIX}-eve@example.org`,
	gus: `${PREFIX}-gus@example.org`,
	hal: `${PREFIX}-hal@example.org`,
}
const NAME: Record<Who, string> = {
	ana: 'Canarynameq7xana',
	ben: 'Canarynameq7xben',
	cleo: 'Canarynameq7xcleo',
	eve: 'Canarynameq7xeve',
	gus: 'Canarynameq7xgus',
	hal: 'Canarynameq7xhal',
}
const ANA_RENAMED = 'Canarynameq7xanarenamed'
const SHOWN_NAME = NAME.cleo

/** What must never appear (case-insensitive): every address, its local part, its SHA-256, every name but the opted-in one. */
const ADDRESS_NEEDLES = Object.values(EMAIL)
	.flatMap((e) => [e, e.split('@')[0]!, sha256Hex(e)])
	.map((n) => n.toLowerCase())
const NAME_NEEDLES = [...Object.values(NAME).filter((n) => n !== SHOWN_NAME), ANA_RENAMED].map((n) => n.toLowerCase())
const NEEDLES = [...ADDRESS_NEEDLES, ...NAME_NEEDLES]

/**
 * The addresses the team typed itself stay where it typed them — its invitation list (checked
 * separately: the round page is read with that list left out), the outbox of invitation emails and
 * the invitation links it holds — since that list must not change when someone joins (decision
 * 027). Everywhere else, and names everywhere, are leaks.
 */
const typedByTheTeam = (label: string) => / \/datasets\/hints\/outbox /.test(label) || label.includes('/invitations/') || label.startsWith('email invitation')

function leaksIn(text: string, label = ''): string[] {
	const haystack = text.toLowerCase()
	return (typedByTheTeam(label) ? NAME_NEEDLES : NEEDLES).filter((n) => haystack.includes(n))
}

// ---------------------------------------------------------------------------------------------
// Requests through the real routes.

type Fields = Record<string, string | string[]>
function post(path: string, fields: Fields, cookie?: string) {
	const body = new URLSearchParams()
	for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one)
	const req = formRequest(path, {}, { cookie })
	return new Request(req.url, { method: 'POST', headers: req.headers, body })
}

async function signup(email: string, displayName: string) {
	const res = await run(signupPage.action, formRequest('/signup', { email, displayName, password: 'long enough password' }))
	expect(res.status, JSON.stringify(res.data)).toBe(302)
	return cookiesFrom(res.headers)
}

const userId = async (email: string) => (await db.select({ id: users.id }).from(users).where(eq(users.email, email.toLowerCase())))[0]!.id

/** The invitation link's token, read from the email (outbox without SMTP, the sink with it). */
async function invitationToken(email: string) {
	const rows = await db
		.select({ text: emails.text })
		.from(emails)
		.where(and(eq(emails.kind, 'invitation'), eq(emails.to, email.toLowerCase())))
	const fromDb = rows
		.map((r) => /\/invitations\/([A-Za-z0-9_-]+)/.exec(r.text)?.[1])
		.filter(Boolean)
		.at(-1)
	const fromSink = [...sink.messages].reverse().find((m) => m.to.includes(email.toLowerCase()))
	const token = fromDb ?? (fromSink ? /\/invitations\/([A-Za-z0-9_-]+)/.exec(fromSink.decoded)?.[1] : undefined)
	expect(token, `invitation to ${email}`).toBeTruthy()
	return token!
}

const P = { slug: 'hints', label: 'v1' }

async function roundRevision(roundId: string) {
	return String((await db.select({ revision: rounds.revision }).from(rounds).where(eq(rounds.id, roundId)))[0]!.revision)
}

async function issueRevision(label: string, number: number, cookie: string) {
	const res = await run(issuePage.loader, getRequest('/', { cookie }), {}, { ...P, label, number: String(number) })
	expect(res.status).toBe(200)
	return String((res.data as { issue: { revision: number } }).issue.revision)
}

async function triage(cookie: string, number: number, fields: Fields, label = 'v1') {
	const revision = await issueRevision(label, number, cookie)
	const res = await run(issuePage.action, post('/i', { revision, ...fields }, cookie), {}, { ...P, label, number: String(number) })
	// A decision (intent resolve) answers with a redirect to the next untriaged issue.
	expect(res.status, JSON.stringify(res.data)).toBe(fields.intent === 'resolve' ? 302 : 200)
	return res
}

function apiRequest(method: string, path: string, token: string, body?: string, contentType?: string) {
	const headers = new Headers({ Authorization: `Bearer ${token}` })
	if (contentType) headers.set('Content-Type', contentType)
	return new Request(`${TEST_ORIGIN}${path}`, { method, headers, body })
}

// ---------------------------------------------------------------------------------------------
// The consultation, built through the real routes wherever a route exists.

async function consultation() {
	smtp(false)
	const owner = await signup('owner@example.org', 'Olive Owner')
	const maint = await signup('maint@example.org', 'Milo Maintainer')
	const newcomer = await signup('newcomer@example.org', 'Nora Newcomer')
	expect((await run(newDatasetPage.action, post('/d', { name: 'Hints', slug: 'hints', description: 'Tutoring hints.' }, owner))).status).toBe(302)
	expect((await addMaintainer(owner, 'hints', 'maint@example.org', maint)).accepted.status).toBe(302)
	await run(
		newUseCasePage.action,
		post('/u', { title: 'Tutoring app', purpose: 'Fine-tune a hint model', modelUsers: 'Students', deploymentContext: 'A free app', pipelineStage: 'fine_tuning' }, owner),
		{},
		{ slug: 'hints' },
	)
	const [useCase] = await db.select({ id: useCases.id }).from(useCases)
	const provenance = {
		label: 'v1',
		generationMethod: 'persona_simulation',
		modelName: 'Llama',
		promptTemplates: 'You are {persona}. Write a hint.',
		personaDefinitions: 'persona.region: Oaxaca | Amman',
	}
	expect((await run(newVersionPage.action, post('/v', provenance, owner), {}, { slug: 'hints' })).status).toBe(302)
	const [dataset] = await db.select({ id: datasets.id }).from(datasets)
	const [v1] = await db.select({ id: versions.id }).from(versions).where(eq(versions.label, 'v1'))
	const ownerId = await userId('owner@example.org')
	const body = Array.from({ length: 8 }, (_, i) => JSON.stringify({ id: `h-00${i}`, content: `hint ${i}`, metadata: { persona: { region: i % 2 ? 'Amman' : 'Oaxaca' } } })).join('\n')
	await runImport({
		versionId: v1!.id,
		format: 'jsonl',
		filename: 'hints.jsonl',
		userId: ownerId,
		source: (async function* () {
			yield new TextEncoder().encode(body)
		})(),
	})

	// A webhook for every event (never delivered here: the queue itself is what is checked) and tokens.
	const hook = await run(
		webhooksPage.action,
		post('/w', { intent: 'create', url: 'https://hooks.example.org/hook', events: ['version.status_changed', 'issue.created', 'issue.status_changed', 'round.closed'] }, owner),
		{},
		{ slug: 'hints' },
	)
	expect(hook.status, JSON.stringify(hook.data)).toBe(200)
	const token = async (cookie: string) => {
		const res = await run(tokensPage.action, post('/account/tokens', { intent: 'create', name: 'pipeline', datasets: ['hints'] }, cookie))
		expect(res.status, JSON.stringify(res.data)).toBe(200)
		return (res.data as { created: { token: string } }).created.token
	}
	const tokens = { owner: await token(owner), maint: await token(maint) }

	const newRound = async (fields: Fields) => {
		const res = await run(newRoundPage.action, post('/r', { selectionMode: 'all', overlap: '4', blindReview: 'on', blockThreshold: '2', opposedBlocks: 'on', ...fields }, owner), {}, P)
		expect(res.status, JSON.stringify(res.data)).toBe(302)
		return res.headers.get('Location')!.split('/').pop()!
	}
	const validation = await newRound({ stage: 'validation', title: 'Community check' })
	const generation = await newRound({ stage: 'generation', title: 'Steer generation' })
	const invite = (roundId: string, emails: string, role = 'community', expertise = '') =>
		run(roundPage.action, post('/x', { intent: 'invite', emails, role, expertise, message: 'Thank you for helping.' }, owner), {}, { ...P, roundId })

	// Invitations while no SMTP server is configured: they wait in the team's outbox.
	expect((await invite(validation, [EMAIL.ana, EMAIL.ben, EMAIL.cleo.toUpperCase(), EMAIL.hal].join('\n'))).status).toBe(200)
	expect((await invite(validation, `${EMAIL.eve}, expert, linguist`, 'expert', 'linguist')).status).toBe(200)
	// Someone who is not a canary stays pending: their address is the team's to see (a positive control).
	expect((await invite(validation, 'pending.person@example.org')).status).toBe(200)

	// Until they accept, the outbox holds the invitations, addresses included (the check below can see them).
	const before = await run(outboxPage.loader, getRequest('/datasets/hints/outbox', { cookie: owner }), {}, { slug: 'hints' })
	expect(leaksIn(JSON.stringify(before.data))).toEqual(expect.arrayContaining([EMAIL.ana, EMAIL.eve, EMAIL.cleo]))

	// Links the team could have copied from the outbox before the invitations were accepted.
	const links: string[] = []
	const accept = async (cookie: string, email: string) => {
		const t = await invitationToken(email)
		links.push(t)
		const res = await run(invitationPage.action, post(`/invitations/${t}`, { intent: 'accept' }, cookie), {}, { token: t })
		expect(res.status, JSON.stringify(res.data)).toBe(302)
	}
	const consent = async (cookie: string, roundId: string, showName = false) => {
		const res = await run(consentPage.action, post('/c', { agree: 'yes', ...(showName ? { showName: 'on' } : {}) }, cookie), {}, { roundId })
		expect(res.status).toBe(302)
	}
	const cookies = {} as Record<Who, string>
	for (const who of ['ana', 'ben', 'cleo', 'eve', 'hal'] as const) {
		cookies[who] = await signup(EMAIL[who], NAME[who])
		await accept(cookies[who], EMAIL[who])
		if (who !== 'hal') await consent(cookies[who], validation, who === 'cleo')
	}
	// Gus creates his account on the invitation page itself; Eve joins a second round.
	{
		expect((await invite(generation, [`${EMAIL.eve}, expert, linguist`, `${EMAIL.gus}, community`].join('\n'))).status).toBe(200)
		const t = await invitationToken(EMAIL.gus)
		links.push(t)
		const res = await run(invitationPage.action, post(`/invitations/${t}`, { intent: 'signup', displayName: NAME.gus, password: 'long enough password' }), {}, { token: t })
		expect(res.status, JSON.stringify(res.data)).toBe(302)
		cookies.gus = cookiesFrom(res.headers)
		await consent(cookies.gus, generation)
		await accept(cookies.eve, EMAIL.eve)
		await consent(cookies.eve, generation)
	}

	// From here on, email goes through SMTP (the sink).
	smtp(true)
	for (const roundId of [validation, generation]) {
		const res = await run(roundPage.action, post('/x', { intent: 'open', revision: await roundRevision(roundId), confirmed: 'yes' }, owner), {}, { ...P, roundId })
		expect(res.status, JSON.stringify(res.data)).toBe(200)
	}

	// Verdicts and flags in the focus view.
	const verdict = async (who: Who, externalId: string, fields: Fields) => {
		const res = await run(focusPage.action, post(`/rounds/${validation}/review/${externalId}`, fields, cookies[who]), {}, { roundId: validation, externalId })
		expect(res.status, JSON.stringify(res.data)).toBe(302)
	}
	await verdict('ana', 'h-000', { intent: 'flag', category: 'caricature', severity: 'critical', rationale: 'Reads as a parody.', affectedGroups: 'older women', quotedSpan: 'hint' })
	await verdict('ben', 'h-000', { intent: 'flag', category: 'stereotype', severity: 'minor', rationale: 'Flat.' })
	await verdict('cleo', 'h-001', { intent: 'flag', category: 'erasure', severity: 'major', rationale: 'Identity stripped.', suggestedRewrite: 'A better hint.' })
	await verdict('eve', 'h-002', { intent: 'flag', category: 'misrepresentation', severity: 'major', rationale: 'Wrong dialect.' })
	await verdict('ben', 'h-003', { intent: 'flag', category: 'demeaning', severity: 'minor', rationale: 'Mocking.' })
	await verdict('ana', 'h-004', { intent: 'flag', category: 'other', severity: 'minor', rationale: 'Odd.', unsure: 'on' })
	await verdict('ben', 'h-001', { intent: 'no_concerns' })
	await verdict('cleo', 'h-002', { intent: 'skip', skipReason: 'Not my language' })

	// Use-case discussion, with a reply from the team.
	const discuss = async (who: Who, fields: Fields) => {
		const res = await run(discussPage.action, post('/', fields, cookies[who]), {}, { roundId: validation, useCaseId: useCase!.id })
		expect(res.status, JSON.stringify(res.data)).toBe(302)
		return res.headers.get('Location')!.split('#comment-')[1]!
	}
	const anaComment = await discuss('ana', { intent: 'comment', stance: 'opposed', body: 'Children should not learn from caricatures.' })
	await discuss('ben', { intent: 'comment', stance: 'concerned', body: 'Who checks the hints?' })
	await discuss('cleo', { intent: 'comment', stance: 'supportive', body: 'Useful, with care.' })
	const eveComment = await discuss('eve', { intent: 'comment', stance: 'question', body: 'Which dialects?' })
	await discuss('ben', { intent: 'comment', body: 'Agreed.', parentId: anaComment })
	const team = (fields: Fields, cookie = owner) => run(teamDiscussionPage.action, post('/', fields, cookie), {}, { slug: 'hints', useCaseId: useCase!.id })
	expect((await team({ intent: 'comment', parentId: anaComment, body: 'Thanks, we will look into it.' })).status).toBe(302)
	expect((await team({ intent: 'hide', commentId: eveComment, reason: 'Off topic for this thread' }, maint)).status).toBe(302)

	// Feedback on the generator.
	const template = async (who: Who, fields: Fields) => {
		const res = await run(templatesPage.action, post('/t', { intent: 'template_feedback', ...fields }, cookies[who]), {}, { roundId: generation })
		expect(res.status, JSON.stringify(res.data)).toBe(200)
	}
	await template('eve', { target: 'persona_definitions', kind: 'flag', category: 'stereotype', severity: 'major', rationale: 'All grandmothers bake.' })
	await template('gus', { target: 'prompt_templates', kind: 'comment', rationale: 'Ask for regional words.' })

	// Blocking issues nobody has triaged yet: the team gets a reminder (as if a week had passed).
	await remindUntriagedBlockers(new Date(Date.now() + 60 * 86_400_000))

	// Ana renames herself after taking part.
	expect((await run(accountPage.action, post('/account', { displayName: ANA_RENAMED, preferredLanguage: '' }, cookies.ana))).status).toBeLessThan(400)

	// Triage by the owner and the maintainer.
	const maintId = await userId('maint@example.org')
	const numbers = (await db.select({ number: issues.number }).from(issues).where(eq(issues.versionId, v1!.id))).map((i) => i.number).sort((a, b) => a - b)
	expect(numbers.length).toBeGreaterThanOrEqual(6)
	await triage(owner, numbers[0]!, { intent: 'acknowledge' })
	await triage(owner, numbers[0]!, { intent: 'respond', publicResponse: 'We are regenerating this one.' })
	await triage(owner, numbers[0]!, { intent: 'note', note: 'Internal: check the persona prompt.' })
	await triage(owner, numbers[1]!, { intent: 'assign', assignee: maintId })
	await triage(maint, numbers[1]!, { intent: 'blocking', call: 'blocking', reason: 'Policy says identity must stay.' })
	await triage(maint, numbers[2]!, { intent: 'resolve', resolution: 'not_an_issue', publicResponse: 'The dialect is the one spoken in the region.', note: 'Asked a linguist.' })
	await triage(owner, numbers[2]!, { intent: 'reopen', reason: 'A second opinion disagrees.' })
	await triage(maint, numbers[3]!, { intent: 'resolve', resolution: 'documented', publicResponse: 'Written into the known limitations.' })
	const bulk = await run(inboxPage.action, post('/b', { intent: 'bulk_acknowledge', issue: (await openIssues(v1!.id)).map((i) => `${i.id}:${i.revision}`) }, maint), {}, P)
	expect(bulk.status).toBe(303)

	// Leaving: Ana keeps her feedback (without her identity), Ben deletes his.
	expect((await run(withdrawPage.action, post('/w', { feedback: 'keep' }, cookies.ana), {}, { roundId: validation })).status).toBe(302)
	expect((await run(withdrawPage.action, post('/w', { feedback: 'delete' }, cookies.ben), {}, { roundId: validation })).status).toBe(302)

	// Someone whose invitation expired asks for a new link (the team is notified).
	expect((await invite(validation, 'late.person@example.org')).status).toBe(200)
	const lateToken = await invitationToken('late.person@example.org')
	await db.execute(sqlExpire('late.person@example.org'))
	await run(invitationPage.action, post(`/invitations/${lateToken}`, { intent: 'request_new_link' }, newcomer), {}, { token: lateToken })

	// Closing, an approval the maintainer may not force, the owner's override.
	for (const roundId of [validation, generation]) {
		expect((await run(roundPage.action, post('/x', { intent: 'close', revision: await roundRevision(roundId), confirmed: 'yes' }, owner), {}, { ...P, roundId })).status).toBe(200)
	}
	const refused = await run(versionPage.action, post('/a', { intent: 'approve' }, maint), {}, P)
	expect(refused.status).toBe(409)
	const approved = await run(
		versionPage.action,
		post(
			'/a',
			{
				intent: 'approve',
				justification: 'Shipping to the internal evaluation only, blockers are tracked.',
				roundChoice: 'close',
				roundJustification: 'Coverage is enough for an internal evaluation.',
			},
			owner,
		),
		{},
		P,
	)
	expect(approved.status, JSON.stringify(approved.data)).toBe(200)

	// A child version through the API: carry-over brings the issues along, changed samples ask for re-review.
	const created = await run(
		apiVersionsRoute.action,
		apiRequest('POST', '/api/v1/datasets/hints/versions', tokens.owner, JSON.stringify({ label: 'v2', parent: 'v1', generation_method: 'persona_simulation' }), 'application/json'),
		{},
		{ dataset: 'hints' },
	)
	expect(created.status, JSON.stringify(created.data)).toBe(201)
	const childBody =
		Array.from({ length: 7 }, (_, i) => JSON.stringify({ id: `h-00${i}`, content: i === 1 ? 'hint 1, rewritten' : `hint ${i}`, metadata: { persona: { region: i % 2 ? 'Amman' : 'Oaxaca' } } })).join(
			'\n',
		) + '\n'
	const uploaded = await run(
		apiSamplesRoute.action,
		apiRequest('PUT', '/api/v1/datasets/hints/versions/v2/samples', tokens.maint, childBody, 'application/x-ndjson'),
		{},
		{ dataset: 'hints', version: 'v2' },
	)
	expect(uploaded.status, JSON.stringify(uploaded.data)).toBeLessThan(300)

	// Everybody's pending notifications (the team's reminder, participants' updates) are emailed.
	await sendPendingNotificationEmails(TEST_ORIGIN)

	return { owner, maint, cookies, tokens, links, validation, generation, useCaseId: useCase!.id, datasetId: dataset!.id, ownerId, maintId, anaComment }
}

async function openIssues(versionId: string) {
	return db
		.select({ id: issues.id, revision: issues.revision })
		.from(issues)
		.where(and(eq(issues.versionId, versionId), eq(issues.status, 'open')))
}

function sqlExpire(email: string) {
	// The one shortcut: waiting 14 days for an invitation to expire.
	return sql`update invitations set expires_at = now() - interval '1 day' where email = ${email}`
}

// ---------------------------------------------------------------------------------------------
// Everything the team can read, collected as (label, text) pairs.

type Seen = { label: string; text: string }

async function teamView(w: Awaited<ReturnType<typeof consultation>>, as: 'owner' | 'maint'): Promise<Seen[]> {
	const cookie = w[as]
	const seen: Seen[] = []
	const exported: string[] = []
	const see = (label: string, text: string) => seen.push({ label: `${as} ${label}`, text })

	const page = async (mod: RouteModule & { loader: (args: never) => unknown }, path: string, params: Record<string, string>) => {
		const res = await run(mod.loader as never, getRequest(path, { cookie }), {}, params)
		// The round page is read without the invitation list (the addresses the team typed): the rest
		// of it, participants included, must carry none of them.
		const shown = mod === (roundPage as never) && res.data && typeof res.data === 'object' ? { ...(res.data as object), invitations: [] } : res.data
		see(`${path} → ${res.status}`, `${JSON.stringify(shown)}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}`)
		if (res.status === 200 && mod.default && shown && typeof shown === 'object') see(`${path} (HTML)`, await renderRoute(mod, { path, data: shown }))
		return res
	}

	const d = '/datasets/hints'
	await page(datasetsPage as never, '/datasets', {})
	await page(newDatasetPage as never, '/datasets/new', {})
	await page(datasetPage as never, d, { slug: 'hints' })
	await page(datasetEditPage as never, `${d}/edit`, { slug: 'hints' })
	await page(teamPage as never, `${d}/team`, { slug: 'hints' })
	await page(auditPage as never, `${d}/audit`, { slug: 'hints' })
	await page(outboxPage as never, `${d}/outbox`, { slug: 'hints' })
	await page(webhooksPage as never, `${d}/webhooks`, { slug: 'hints' })
	await page(newUseCasePage as never, `${d}/use-cases/new`, { slug: 'hints' })
	await page(newVersionPage as never, `${d}/versions/new`, { slug: 'hints' })
	for (const mod of [teamDiscussionPage, useCaseEditPage, useCaseHistoryPage]) {
		const tail = mod === teamDiscussionPage ? 'discussion' : mod === useCaseEditPage ? 'edit' : 'history'
		await page(mod as never, `${d}/use-cases/${w.useCaseId}/${tail}`, { slug: 'hints', useCaseId: w.useCaseId })
	}
	for (const label of ['v1', 'v2']) {
		const v = `${d}/versions/${label}`
		const params = { slug: 'hints', label }
		await page(versionPage as never, v, params)
		await page(versionEditPage as never, `${v}/edit`, params)
		await page(newRoundPage as never, `${v}/rounds/new`, params)
		await page(samplesPage as never, `${v}/samples`, params)
		await page(diffPage as never, `${v}/diff`, params)
		await page(diffPage as never, `${v}/diff?kind=added`, params)
		await page(insightsPage as never, `${v}/insights`, params)
		for (const roundId of [w.validation, w.generation]) {
			await page(insightsPage as never, `${v}/insights?round=${roundId}`, params)
			await page(roundPage as never, `${v}/rounds/${roundId}`, { ...params, roundId })
		}
		for (const query of [
			'',
			'?status=all',
			'?status=all&blocking=yes',
			'?status=resolved',
			'?status=all&group=older%20women',
			'?status=all&kind=comment',
			'?status=all&assignee=me',
			'?status=all&reReview=yes',
			'?status=all&sort=updated',
		]) {
			await page(inboxPage as never, `${v}/issues${query}`, params)
		}
		const [version] = await db.select({ id: versions.id }).from(versions).where(eq(versions.label, label))
		for (const { number } of await db.select({ number: issues.number }).from(issues).where(eq(issues.versionId, version!.id))) {
			await page(issuePage as never, `${v}/issues/${number}`, { ...params, number: String(number) })
		}
		for (let i = 0; i < 8; i++) await page(samplePage as never, `${v}/samples/h-00${i}`, { ...params, externalId: `h-00${i}` })
		for (const { id } of await db.select({ id: imports.id }).from(imports).where(eq(imports.versionId, version!.id))) {
			await page(importPage as never, `${v}/imports/${id}`, { ...params, importId: id })
			await page(importProgress as never, `${v}/imports/${id}/progress`, { ...params, importId: id })
		}
		await page(reportPage as never, `${v}/report`, params)
		for (const mod of [reportJson, reportCsv, reportMd]) await page(mod as never, `${v}/report.x`, params)
		// The annotations export carries feedback row by row: not even a name shown to the team may ride along.
		for (const mod of [annotationsJsonl, annotationsCsv, annotationsParquet, croissantJson, datasetCard]) {
			const res = await page(mod as never, `${v}/annotations.x`, params)
			expect(res.status).toBe(200)
			const text = typeof res.data === 'string' ? res.data : JSON.stringify(res.data)
			expect(text).not.toContain(SHOWN_NAME)
			exported.push(text)
		}
	}
	for (const [mod, path] of [
		[notificationsPage, '/notifications'],
		[accountPage, '/account'],
		[tokensPage, '/account/tokens'],
		[feedbackPage, '/feedback'],
		[homePage, '/'],
	] as const) {
		await page(mod as never, path, {})
	}
	// Invitation links copied before acceptance, opened afterwards; participants' pages (404 to the team).
	for (const token of w.links) await page(invitationPage as never, `/invitations/${token}`, { token })
	for (const roundId of [w.validation, w.generation]) {
		for (const [mod, path, params] of [
			[roundHome, `/rounds/${roundId}`, { roundId }],
			[templatesPage, `/rounds/${roundId}/templates`, { roundId }],
			[focusPage, `/rounds/${roundId}/review/h-000`, { roundId, externalId: 'h-000' }],
			[discussPage, `/rounds/${roundId}/use-cases/${w.useCaseId}`, { roundId, useCaseId: w.useCaseId }],
		] as const) {
			const res = await page(mod as never, path, params)
			expect(res.status, path).toBe(404)
		}
	}
	const root = await run(rootLoader, getRequest('/', { cookie }))
	see('root loader', JSON.stringify(root.data))

	// Actions the team can take that answer with data.
	// An action's answer, and (given its page) that page rendered with it, as the browser shows it after posting.
	const act = async (
		label: string,
		fn: (args: never) => unknown,
		request: Request,
		params: Record<string, string>,
		shownOn?: { mod: RouteModule & { loader: (args: never) => unknown }; path: string },
	) => {
		const res = await run(fn as never, request, {}, params)
		see(`action ${label} → ${res.status}`, `${JSON.stringify(res.data)}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}`)
		if (shownOn && res.status !== 302) {
			const loaded = await run(shownOn.mod.loader as never, getRequest(shownOn.path, { cookie }), {}, params)
			const data = shownOn.mod === (roundPage as never) ? { ...(loaded.data as object), invitations: [] } : loaded.data
			see(`action ${label} (HTML)`, await renderRoute(shownOn.mod, { path: shownOn.path, data, actionData: res.data }))
		}
		return res
	}
	const r = { ...P, roundId: w.validation }
	await act('invite', roundPage.action, post('/x', { intent: 'invite', emails: `another.${as}@example.org`, role: 'community', expertise: '' }, cookie), r, {
		mod: roundPage as never,
		path: `/datasets/hints/versions/v1/rounds/${w.validation}`,
	})
	await act('round bad intent', roundPage.action, post('/x', { intent: 'reopen', revision: '0' }, cookie), r)
	await act('approve', versionPage.action, post('/a', { intent: 'approve' }, cookie), P, { mod: versionPage as never, path: '/datasets/hints/versions/v1' })
	await act('archive', versionPage.action, post('/a', { intent: 'release' }, cookie), { ...P, label: 'v2' })
	const [first] = await db.select({ number: issues.number }).from(issues).orderBy(issues.number).limit(1)
	const n = { ...P, number: String(first!.number) }
	const attempts: Fields[] = [
		{ intent: 'acknowledge', revision: '0' },
		{ intent: 'respond', revision: await issueRevision('v1', first!.number, cookie), publicResponse: 'Thanks again.' },
		{ intent: 'resolve', revision: '1', resolution: 'not_an_issue' },
		{ intent: 'note', note: `A note by ${as}.` },
	]
	for (const fields of attempts) {
		await act(`issue ${fields.intent}`, issuePage.action, post('/i', fields, cookie), n, { mod: issuePage as never, path: `/datasets/hints/versions/v1/issues/${first!.number}` })
	}
	await act(
		'bulk resolve',
		inboxPage.action,
		post(
			'/b',
			{
				intent: 'bulk_resolve',
				resolution: 'documented',
				issue: (await openIssues((await db.select({ id: versions.id }).from(versions).where(eq(versions.label, 'v2')))[0]!.id)).map((i) => `${i.id}:${i.revision}`),
			},
			cookie,
		),
		{ ...P, label: 'v2' },
	)
	await act('team reply', teamDiscussionPage.action, post('/', { intent: 'comment', parentId: w.anaComment, body: `Reply from ${as}.` }, cookie), { slug: 'hints', useCaseId: w.useCaseId })
	await act('webhook create', webhooksPage.action, post('/w', { intent: 'create', url: `https://hooks.example.org/${as}`, events: ['round.closed'] }, cookie), { slug: 'hints' })
	await act('team add', teamPage.action, post('/t', { intent: 'add', email: 'nobody@example.org' }, cookie), { slug: 'hints' })
	await act('team add participant', teamPage.action, post('/t', { intent: 'add', email: 'newcomer@example.org' }, cookie), { slug: 'hints' })
	await act('token', tokensPage.action, post('/account/tokens', { intent: 'create', name: `t-${as}`, datasets: ['hints'] }, cookie), {})
	await act('mark read', notificationsPage.action, post('/n', {}, cookie), {})

	// The pipeline API with this person's token.
	const token = w.tokens[as]
	for (const label of ['v1', 'v2']) {
		const params = { dataset: 'hints', version: label }
		const base = `/api/v1/datasets/hints/versions/${label}`
		see(`api gate ${label}`, JSON.stringify((await run(gateRoute.loader as never, apiRequest('GET', `${base}/gate`, token), {}, params)).data))
		for (const q of ['', '?format=csv', '?format=parquet']) {
			const res = await run(apiAnnotationsRoute.loader as never, apiRequest('GET', `${base}/annotations${q}`, token), {}, params)
			expect(String(res.data)).not.toContain(SHOWN_NAME)
			see(`api annotations ${label}${q}`, String(res.data))
		}
		see(`api croissant ${label}`, JSON.stringify((await run(apiCroissantRoute.loader as never, apiRequest('GET', `${base}/croissant.json`, token), {}, params)).data))
		for (const q of ['?status=all', '?status=all&limit=1', '']) {
			see(`api issues ${label}${q}`, JSON.stringify((await run(apiIssuesRoute.loader as never, apiRequest('GET', `${base}/issues${q}`, token), {}, params)).data))
		}
	}
	// The checks can see: the export holds the consultation's rationales.
	expect(exported.some((text) => text.includes('"verdict":"flagged"'))).toBe(true)
	see('api openapi', JSON.stringify((await run(openapiRoute.loader as never, apiRequest('GET', '/api/v1/openapi.json', token))).data))
	see(
		'api version exists',
		JSON.stringify(
			(
				await run(
					apiVersionsRoute.action as never,
					apiRequest('POST', '/api/v1/datasets/hints/versions', token, JSON.stringify({ label: 'v1', generation_method: 'other' }), 'application/json'),
					{},
					{ dataset: 'hints' },
				)
			).data,
		),
	)
	return seen
}

describe('identity canaries', () => {
	test('no participant address, hash or (unless shown) name reaches the team: pages, loader data, actions, API, webhooks, emails', async () => {
		const w = await consultation()
		const seen = [...(await teamView(w, 'owner')), ...(await teamView(w, 'maint'))]

		// Every webhook payload queued for the dataset.
		for (const d of await db.select().from(webhookDeliveries)) seen.push({ label: `webhook ${d.event}`, text: JSON.stringify(d) })
		// Every email a team member received: as stored, and as it arrived over SMTP.
		const teamIds = [w.ownerId, w.maintId]
		const teamAddresses = ['owner@example.org', 'maint@example.org']
		const teamEmails = await db
			.select()
			.from(emails)
			.where(or(inArray(emails.recipientUserId, teamIds), inArray(emails.to, teamAddresses)))
		for (const e of teamEmails) seen.push({ label: `email ${e.kind} to ${e.to}`, text: JSON.stringify(e) })
		const delivered = sink.messages.filter((m) => m.to.some((t) => teamAddresses.includes(t)))
		for (const m of delivered) seen.push({ label: `smtp to ${m.to.join(',')}`, text: `${m.raw}\n${decodeMime(m.raw)}` })

		const leaks = seen.flatMap((s) => leaksIn(s.text, s.label).map((needle) => `${s.label}: ${needle}`))
		expect(leaks).toEqual([])

		// The checks can see: the team did receive reminder emails, over SMTP too; the pages were read
		// (HTML included); the opted-in name and a pending invitee's address do show.
		expect(teamEmails.map((e) => e.kind)).toContain('blockers_reminder')
		expect(delivered.length).toBeGreaterThanOrEqual(2)
		expect(seen.filter((s) => s.label.endsWith('(HTML)')).length).toBeGreaterThan(60)
		expect(seen.some((s) => s.label.includes('/rounds/') && s.text.includes(SHOWN_NAME))).toBe(true)
		expect(seen.some((s) => s.label.includes('/issues/') && s.label.endsWith('(HTML)') && s.text.includes(SHOWN_NAME))).toBe(true)
		expect(seen.some((s) => s.text.includes('pending.person@example.org'))).toBe(true)
		expect(seen.filter((s) => s.label.startsWith('owner webhook') || s.label.startsWith('webhook')).length).toBeGreaterThan(3)
		// And the canaries really took part: their addresses went out (to them), their names are stored.
		expect(sink.messages.some((m) => m.to.includes(EMAIL.ana))).toBe(true)
		const stored = await db
			.select({ email: users.email, name: users.displayName })
			.from(users)
			.where(inArray(users.email, Object.values(EMAIL)))
		expect(stored).toHaveLength(6)
		expect(leaksIn(JSON.stringify(stored)).length).toBeGreaterThanOrEqual(2 * 6)
	}, 120_000)
})
