/**
 * The dataset team as the adversary (issue 18, decision 027). A curious owner uses only what the
 * team can read — its HTML pages, loader data (the `.data` responses), exports, webhooks, the API,
 * its notifications and its outbox — to link pseudonyms or feedback to the addresses it invited.
 *
 * The scenario is played twice on identical timelines that differ in one secret only: which invited
 * address is behind each "slot" (world A: the i-th address accepts i-th; world B: the reverse
 * order). Each slot joins at its own moment, declares an expertise, then flags its own sample and
 * comments once. If everything the team can read is the same in both worlds (once per-run noise —
 * ids, tokens, clock times and the random pseudonym numbers — is masked), the team's view does not
 * depend on who is who, so no attack on it can link better than chance. Each attack the owner tries
 * is also run directly and stated next to its assertion.
 */
import { and, desc, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { webhookDeliveries } from '#db/schema/api.ts'
import { users } from '#db/schema/accounts.ts'
import { useCases, versions } from '#db/schema/datasets.ts'
import { emails, rounds } from '#db/schema/rounds.ts'
import { runImport } from '#app/models/import.server.ts'
import * as tokensPage from '#app/routes/account+/tokens.tsx'
import * as apiIssuesRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.issues.ts'
import * as datasetPage from '#app/routes/datasets+/$slug+/_index.tsx'
import * as auditPage from '#app/routes/datasets+/$slug+/audit.tsx'
import * as outboxPage from '#app/routes/datasets+/$slug+/outbox.tsx'
import * as teamDiscussionPage from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.discussion.tsx'
import * as newUseCasePage from '#app/routes/datasets+/$slug+/use-cases.new.tsx'
import * as versionPage from '#app/routes/datasets+/$slug+/versions.$label+/_index.tsx'
import { refreshInsightFigures } from '#app/models/insight-upkeep.server.ts'
import * as insightsPage from '#app/routes/datasets+/$slug+/versions.$label+/insights.tsx'
import * as issuePage from '#app/routes/datasets+/$slug+/versions.$label+/issues.$number.tsx'
import * as issuesPage from '#app/routes/datasets+/$slug+/versions.$label+/issues._index.tsx'
import * as reportJson from '#app/routes/datasets+/$slug+/versions.$label+/report[.]json.ts'
import * as reportMd from '#app/routes/datasets+/$slug+/versions.$label+/report[.]md.ts'
import * as roundPage from '#app/routes/datasets+/$slug+/versions.$label+/rounds.$roundId.tsx'
import * as newRoundPage from '#app/routes/datasets+/$slug+/versions.$label+/rounds.new.tsx'
import * as newVersionPage from '#app/routes/datasets+/$slug+/versions.new.tsx'
import * as webhooksPage from '#app/routes/datasets+/$slug+/webhooks.tsx'
import * as newDatasetPage from '#app/routes/datasets+/new.tsx'
import * as invitationPage from '#app/routes/invitations.$token.tsx'
import * as notificationsPage from '#app/routes/notifications.tsx'
import * as roundHome from '#app/routes/rounds+/$roundId+/_index.tsx'
import * as consentPage from '#app/routes/rounds+/$roundId+/consent.tsx'
import * as focusPage from '#app/routes/rounds+/$roundId+/review.$externalId.tsx'
import * as discussPage from '#app/routes/rounds+/$roundId+/use-cases.$useCaseId.tsx'
import * as signupPage from '#app/routes/_auth+/signup.tsx'
import * as verifyPage from '#app/routes/_auth+/signup_.verify.tsx'
import { db } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { renderRoute, type RouteModule } from '#tests/render-route.ts'
import { cookiesFrom, formRequest, getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { startSmtpSink } from '#tests/smtp-sink.ts'

useTestDatabase()

let sink: Awaited<ReturnType<typeof startSmtpSink>>
beforeAll(async () => {
	sink = await startSmtpSink()
	process.env.SIGNUP_EMAIL_VERIFICATION = 'auto'
	process.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS = 'false'
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

const MIN = 3 // PSEUDONYMITY_MIN_GROUP's default
const N = MIN + 2
const ADDRESSES = Array.from({ length: N }, (_, i) => `invitee-${i + 1}-q8z@example.org`)
/** Every kind of label the owner can type on an invite line: references, names, markup, notes. */
const LABELS = ['ref-alice-q8z', 'Aunt of Bob q8z', '<b>q8z-bold</b>', 'q8z “quoted” label', 'q8z-phone-555-0101']
const EXPERTISE = ['linguist', 'linguist', 'linguist', 'historian', ''] // by slot: three share one, one is alone
const P = { slug: 'hints', label: 'v1' }

type Fields = Record<string, string | string[]>
function post(path: string, fields: Fields, cookie?: string) {
	const body = new URLSearchParams()
	for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one)
	const req = formRequest(path, {}, { cookie })
	return new Request(req.url, { method: 'POST', headers: req.headers, body })
}

async function ownerAccount() {
	smtp(false) // the owner's own account, made before email is configured (one step)
	const res = await run(signupPage.action, formRequest('/signup', { email: 'owner@example.org', displayName: 'Olive', password: 'long enough password' }))
	expect(res.status).toBe(302)
	return cookiesFrom(res.headers)
}

/** A participant signs up the way the product now requires with SMTP: a code sent to the address. */
async function signUpWithCode(email: string, name: string) {
	const start = await run(signupPage.action, formRequest('/signup', { email, displayName: name, password: 'long enough password' }))
	expect(start.status, JSON.stringify(start.data)).toBe(302)
	const id = new URL(start.headers.get('Location')!, TEST_ORIGIN).searchParams.get('id')!
	const mail = [...sink.messages].reverse().find((m) => m.to.includes(email))!
	const code = /code is (\d{8})/.exec(mail.decoded)![1]!
	const done = await run(verifyPage.action, formRequest('/signup/verify', { id, code }))
	expect(done.status, JSON.stringify(done.data)).toBe(302)
	return { cookie: cookiesFrom(done.headers), code }
}

/** The invitation link as it sits in the team's outbox (invitations were sent without SMTP). */
async function outboxToken(email: string) {
	const [row] = await db
		.select({ text: emails.text })
		.from(emails)
		.where(and(eq(emails.kind, 'invitation'), eq(emails.to, email)))
		.orderBy(desc(emails.createdAt))
		.limit(1)
	return /\/invitations\/([A-Za-z0-9_-]+)/.exec(row!.text)![1]!
}

type Snapshot = Map<string, string>

/** Everything the team can read right now, page by page (loader data, and the HTML it renders to). */
async function teamView(owner: string, w: { roundId: string; useCaseId: string; apiToken: string; tokens: string[] }): Promise<Snapshot> {
	const seen: Snapshot = new Map()
	// The insights job has counted every verdict (the dashboard lags them by seconds, decision 057), so its figures are compared too.
	await refreshInsightFigures()
	const page = async (mod: RouteModule & { loader: (args: never) => unknown }, path: string, params: Record<string, string>, html = true) => {
		const res = await run(mod.loader as never, getRequest(path, { cookie: owner }), {}, params)
		seen.set(`${path} data`, JSON.stringify(res.data))
		if (html && res.status === 200 && mod.default && res.data && typeof res.data === 'object') seen.set(`${path} html`, await renderRoute(mod, { path, data: res.data }))
		return res
	}
	const v = '/datasets/hints/versions/v1'
	await page(datasetPage as never, '/datasets/hints', { slug: 'hints' })
	await page(outboxPage as never, '/datasets/hints/outbox', { slug: 'hints' })
	await page(auditPage as never, '/datasets/hints/audit', { slug: 'hints' })
	await page(versionPage as never, v, P)
	await page(roundPage as never, `${v}/rounds/${w.roundId}`, { ...P, roundId: w.roundId })
	await page(insightsPage as never, `${v}/insights?round=${w.roundId}`, P)
	await page(issuesPage as never, `${v}/issues?status=all`, P)
	await page(teamDiscussionPage as never, `/datasets/hints/use-cases/${w.useCaseId}/discussion`, { slug: 'hints', useCaseId: w.useCaseId })
	const list = (await run(issuesPage.loader as never, getRequest(`${v}/issues?status=all`, { cookie: owner }), {}, P)).data as { issues?: Array<{ number: number }>; rows?: Array<{ number: number }> }
	for (const { number } of list.issues ?? list.rows ?? []) await page(issuePage as never, `${v}/issues/${number}`, { ...P, number: String(number) })
	await page(reportJson as never, `${v}/report.json`, P, false)
	await page(reportMd as never, `${v}/report.md`, P, false)
	await page(notificationsPage as never, '/notifications', {})
	// The links the team holds (from its outbox), opened as the team.
	for (const [i, token] of w.tokens.entries()) await page(invitationPage as never, `/invitations/slot-link-${i}`, { token })
	const api = await run(
		apiIssuesRoute.loader as never,
		new Request(`${TEST_ORIGIN}/api/v1/datasets/hints/versions/v1/issues?status=all`, { headers: { Authorization: `Bearer ${w.apiToken}` } }),
		{},
		{ dataset: 'hints', version: 'v1' },
	)
	seen.set('api issues', JSON.stringify(api.data))
	seen.set(
		'webhook payloads',
		JSON.stringify((await db.select({ event: webhookDeliveries.event, payload: webhookDeliveries.payload }).from(webhookDeliveries).orderBy(webhookDeliveries.createdAt)).map((d) => d)),
	)
	return seen
}

type Step = { name: string; kind: 'invite' | 'join' | 'feedback'; slot?: number; view: Snapshot; at: { from: number; to: number } }
type World = { steps: Step[]; order: number[]; codes: string[] }

/** One world: `order[slot]` is the index of the address behind that slot. */
async function playWorld(order: number[]): Promise<World> {
	const owner = await ownerAccount()
	expect((await run(newDatasetPage.action, post('/d', { name: 'Hints', slug: 'hints', description: 'Tutoring hints.' }, owner))).status).toBe(302)
	await run(newUseCasePage.action, post('/u', { title: 'Tutoring app', purpose: 'Fine-tune a hint model', pipelineStage: 'fine_tuning' }, owner), {}, { slug: 'hints' })
	const [useCase] = await db.select({ id: useCases.id }).from(useCases)
	expect((await run(newVersionPage.action, post('/v', { label: 'v1', generationMethod: 'templates' }, owner), {}, { slug: 'hints' })).status).toBe(302)
	const [version] = await db.select({ id: versions.id }).from(versions)
	const [ownerRow] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'owner@example.org'))
	const body = Array.from({ length: 2 * N }, (_, i) => JSON.stringify({ id: `h-${String(i).padStart(2, '0')}`, content: `hint ${i}` })).join('\n')
	await runImport({
		versionId: version!.id,
		format: 'jsonl',
		filename: 'h.jsonl',
		userId: ownerRow!.id,
		source: (async function* () {
			yield new TextEncoder().encode(body)
		})(),
	})
	const hook = await run(
		webhooksPage.action,
		post('/w', { intent: 'create', url: 'https://hooks.example.org/h', events: ['issue.created', 'issue.status_changed', 'round.closed'] }, owner),
		{},
		{ slug: 'hints' },
	)
	expect(hook.status).toBe(200)
	const tok = await run(tokensPage.action, post('/account/tokens', { intent: 'create', name: 'pipeline', datasets: ['hints'] }, owner))
	const apiToken = (tok.data as { created: { token: string } }).created.token
	const created = await run(
		newRoundPage.action,
		post('/r', { stage: 'validation', title: 'Community check', selectionMode: 'all', overlap: '1', blindReview: 'on', blockThreshold: '2', expertiseOptions: 'linguist\nhistorian' }, owner),
		{},
		P,
	)
	expect(created.status, JSON.stringify(created.data)).toBe(302)
	const roundId = created.headers.get('Location')!.split('/').pop()!
	// The same assignment in both worlds (the seed is otherwise random per round).
	await db.update(rounds).set({ assignmentSeed: 7 }).where(eq(rounds.id, roundId))
	const r = { ...P, roundId }

	// Invitations with every kind of label the form accepts, while email waits in the outbox.
	const lines = ADDRESSES.map((a, i) => [`${a}, community, ${LABELS[i]}`, `${a};community;${LABELS[i]}`, `${a}\tcommunity\t${LABELS[i]}`][i % 3]!).join('\n')
	const invited = await run(roundPage.action, post('/x', { intent: 'invite', emails: lines, role: 'community', expertise: LABELS[0]!, message: 'Thank you.' }, owner), {}, r)
	expect((invited.data as { invite: { results: unknown[] } }).invite.results).toHaveLength(N)
	const tokens = await Promise.all(ADDRESSES.map(outboxToken))
	const w = { roundId, useCaseId: useCase!.id, apiToken, tokens }
	const revision = String((await db.select({ revision: rounds.revision }).from(rounds).where(eq(rounds.id, roundId)))[0]!.revision)
	expect((await run(roundPage.action, post('/x', { intent: 'open', revision, confirmed: 'yes' }, owner), {}, r)).status).toBe(200)

	const steps: Step[] = []
	const snap = async (name: string, kind: Step['kind'], at: Step['at'], slot?: number) => steps.push({ name, kind, slot, at, view: await teamView(owner, w) })
	await snap('invited', 'invite', { from: 0, to: 0 })

	// From here email goes out over SMTP: participants prove their address to sign up.
	smtp(true)
	const codes: string[] = []
	const cookies: string[] = []
	for (let slot = 0; slot < N; slot++) {
		// Each acceptance at its own moment, at least a second away from anything else.
		await new Promise((resolve) => setTimeout(resolve, 1100))
		const from = Date.now()
		const address = ADDRESSES[order[slot]!]!
		const { cookie, code } = await signUpWithCode(address, `Person ${slot}`)
		codes.push(code)
		const token = tokens[order[slot]!]!
		const accepted = await run(invitationPage.action, post(`/invitations/${token}`, { intent: 'accept' }, cookie), {}, { token })
		expect(accepted.headers.get('Location')).toBe(`/rounds/${roundId}/consent`)
		const consent = await run(consentPage.action, post('/c', { agree: 'yes', expertise: EXPERTISE[slot]! }, cookie), {}, { roundId })
		expect(consent.status).toBe(302)
		cookies.push(cookie)
		const to = Date.now()
		await new Promise((resolve) => setTimeout(resolve, 1100))
		await snap(`slot ${slot} joined`, 'join', { from, to }, slot)
	}

	// Each flags a distinct sample (their own queue's first) and comments once, one at a time.
	for (let slot = 0; slot < N; slot++) {
		const home = (await run(roundHome.loader, getRequest(`/rounds/${roundId}`, { cookie: cookies[slot] }), {}, { roundId })).data as { queue: Array<{ externalId: string }> }
		const externalId = home.queue[0]!.externalId
		const flagged = await run(
			focusPage.action,
			post(`/rounds/${roundId}/review/${externalId}`, { intent: 'flag', category: 'stereotype', severity: 'major', rationale: `Slot ${slot} finds this flat.` }, cookies[slot]),
			{},
			{ roundId, externalId },
		)
		expect(flagged.status, JSON.stringify(flagged.data)).toBe(302)
		const said = await run(
			discussPage.action,
			post('/', { intent: 'comment', stance: 'concerned', body: `Slot ${slot} asks who checks the hints.` }, cookies[slot]),
			{},
			{ roundId, useCaseId: useCase!.id },
		)
		expect(said.status, JSON.stringify(said.data)).toBe(302)
		await snap(`slot ${slot} gave feedback`, 'feedback', { from: 0, to: 0 }, slot)
	}
	return { steps, order, codes }
}

/** Per-run noise masked: ids, tokens, clock times, and pseudonym numbers (drawn at random on purpose). */
function mask(text: string) {
	return text
		.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
		.replace(/\/(invitations|signup\/verify)\/[A-Za-z0-9_-]{20,}/g, '/$1/<token>')
		.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?/g, '<time>')
		.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?([+-]\d\d)?/g, '<time>')
		.replace(/\b\d{1,2}:\d\d(:\d\d)?\b/g, '<hh:mm>')
		.replace(/(Community member|Expert) \d+/g, '$1 <n>')
		.replace(/"number":\d+/g, '"number":<n>')
		.replace(/rt_[A-Za-z0-9_-]{6,}/g, '<api-token>')
}

/** Rows of the round page's people table come sorted by their random number: compare them as a set. */
function canonical(label: string, text: string) {
	const masked = mask(text)
	// Audit entries made in the same instant come in either order.
	if (label.includes('/audit') && label.endsWith(' data')) {
		const data = JSON.parse(masked) as { entries: unknown[] }
		data.entries = data.entries.map((e) => JSON.stringify(e)).sort()
		return JSON.stringify(data)
	}
	if (label.includes('/audit'))
		return masked
			.split(/(?=<li|<tr)/)
			.sort()
			.join('')
	if (!label.includes('/rounds/')) return masked
	if (label.endsWith(' data')) {
		const data = JSON.parse(masked.replace(/"number":<n>/g, '"number":0')) as { participants?: { people?: unknown[] } }
		if (data.participants?.people) data.participants.people = data.participants.people.map((p) => JSON.stringify(p)).sort()
		return JSON.stringify(data)
	}
	return masked.replace(/<tbody>([\s\S]*?)<\/tbody>/g, (_m, rows: string) => `<tbody>${rows.split('</tr>').sort().join('</tr>')}</tbody>`)
}

const worlds: World[] = []

describe('the dataset team as adversary', () => {
	test('world A: the i-th invited address accepts i-th', async () => {
		worlds[0] = await playWorld([0, 1, 2, 3, 4])
	}, 180_000)

	test('world B: the same timeline with the addresses behind the slots reversed', async () => {
		worlds[1] = await playWorld([4, 3, 2, 1, 0])
	}, 180_000)

	test('attack 1 — labels: nothing the team typed next to an address reaches any page, export, API answer or webhook', () => {
		for (const world of worlds) {
			for (const step of world.steps) {
				for (const [label, text] of step.view) {
					for (const typed of LABELS) expect(text.includes(typed) || text.includes(typed.replace(/</g, '&lt;')), `${step.name} · ${label} shows “${typed}”`).toBe(false)
				}
			}
		}
	})

	test('attack 2 — diffing the invitation list, outbox, audit log and held links across each acceptance: nothing changes, so no address is singled out', () => {
		for (const world of worlds) {
			for (let i = 1; i < world.steps.length; i++) {
				const [before, after] = [world.steps[i - 1]!, world.steps[i]!]
				if (after.kind !== 'join') continue
				const round = [...after.view.keys()].find((k) => k.includes('/rounds/') && k.endsWith(' data'))!
				const invitationsOf = (s: Step) => JSON.stringify((JSON.parse(s.view.get(round)!) as { invitations: unknown }).invitations)
				expect(invitationsOf(after), `${after.name}: the invitation list changed`).toBe(invitationsOf(before))
				for (const [label, text] of after.view) {
					if (label.includes('/outbox') || label.includes('/audit') || label.includes('/invitations/slot-link-')) expect(text, `${after.name}: ${label} changed`).toBe(before.view.get(label))
				}
				// What did change (the counts of who joined) names no address.
				for (const [label, text] of after.view) {
					if (text === before.view.get(label)) continue
					for (const address of ADDRESSES) {
						if (label.includes('/rounds/') && label.endsWith(' data')) expect(JSON.stringify((JSON.parse(text) as { participants: unknown }).participants)).not.toContain(address)
						else if (!label.includes('/rounds/')) expect(text, `${after.name}: ${label}`).not.toContain(address)
					}
				}
			}
		}
	})

	test('attack 3 — timestamps: no page, export, API answer or webhook carries a time from any acceptance window', () => {
		const times = (text: string) => [...text.matchAll(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g)].map((m) => Date.parse(m[0]))
		for (const world of worlds) {
			const windows = world.steps.filter((s) => s.kind === 'join').map((s) => s.at)
			const last = world.steps.at(-1)!
			for (const [label, text] of last.view) {
				for (const t of times(text)) {
					const hit = windows.find((w) => t >= w.from - 50 && t <= w.to + 50)
					expect(hit, `${label} carries ${new Date(t).toISOString()}, inside an acceptance`).toBeUndefined()
				}
			}
		}
	})

	test('attack 4 — below the threshold: with 1 and 2 people having given feedback, no flag or comment carries a per-person pseudonym', () => {
		for (const world of worlds) {
			const below = world.steps.filter((s) => s.kind === 'feedback' && s.slot! < MIN - 1)
			expect(below).toHaveLength(MIN - 1)
			for (const step of below) {
				for (const [label, text] of step.view) {
					// (The outbox holds the invitation email, whose wording gives "Community member 3" as an example.)
					if (!label.includes('/outbox')) expect(text, `${step.name} · ${label}`).not.toMatch(/Community member \d/)
					if (label.includes('/rounds/') && label.endsWith(' data')) expect(JSON.parse(text)).toMatchObject({ participants: { people: [] } })
				}
				const issueHtml = [...step.view].filter(([l]) => /\/issues\/\d+ html/.test(l))
				expect(issueHtml.length).toBeGreaterThan(0)
				for (const [, html] of issueHtml) expect(html).toContain('A community member')
			}
			// At the threshold pseudonyms appear; the lone "historian" never shows next to anyone.
			const above = world.steps.filter((s) => s.kind === 'feedback' && s.slot! >= MIN - 1)
			expect([...above.at(-1)!.view].some(([l, t]) => !l.includes('/outbox') && /Community member \d/.test(t))).toBe(true)
			expect([...above.at(-1)!.view].filter(([l]) => /\/issues\/\d+ html/.test(l)).some(([, t]) => /· (<!-- -->)?<bdi>linguist<\/bdi>/.test(t))).toBe(true)
			for (const step of world.steps) for (const [label, text] of step.view) if (!label.includes('/rounds/')) expect(text, `${step.name} · ${label}`).not.toContain('historian')
		}
	})

	test('attack 5 — everything at once: the team’s whole view is the same in both worlds, so who is behind a pseudonym or a flag is no better than a guess (1 in k)', () => {
		const [a, b] = worlds as [World, World]
		expect(a.steps.map((s) => s.name)).toEqual(b.steps.map((s) => s.name))
		for (let i = 0; i < a.steps.length; i++) {
			const [sa, sb] = [a.steps[i]!, b.steps[i]!]
			expect([...sa.view.keys()].map(mask), sa.name).toEqual([...sb.view.keys()].map(mask))
			const other = new Map([...sb.view].map(([label, text]) => [mask(label), text]))
			for (const [label, text] of sa.view) {
				expect(canonical(label, text), `${sa.name} · ${mask(label)} differs between the worlds`).toBe(canonical(label, other.get(mask(label))!))
			}
		}
		// The guess a naive owner makes — "the n-th pseudonym to appear is the n-th address I invited" —
		// is right for every slot in world A and for one in five in world B: the view cannot tell them apart.
		const fixedPoints = (order: number[]) => order.filter((addr, slot) => addr === slot).length
		expect([fixedPoints(a.order), fixedPoints(b.order)]).toEqual([N, 1])
	})

	test('the sign-up codes never reach anything the team can read (the outbox included)', () => {
		for (const world of worlds) {
			for (const step of world.steps) for (const [label, text] of step.view) for (const code of world.codes) expect(text.includes(code), `${step.name} · ${label}`).toBe(false)
		}
	})
})
