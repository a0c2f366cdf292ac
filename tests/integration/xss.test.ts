import { readFileSync } from 'node:fs'
import { asc, eq, sql } from 'drizzle-orm'
import { micromark } from 'micromark'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { datasets, imports, useCases, versions } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { comments } from '#db/schema/reviews.ts'
import { emails, participants } from '#db/schema/rounds.ts'
import { sendPendingNotificationEmails } from '#app/jobs/notification-emails.server.ts'
import { remindUntriagedBlockers } from '#app/models/feedback.server.ts'
import * as datasetPage from '#app/routes/datasets+/$slug+/_index.tsx'
import * as auditPage from '#app/routes/datasets+/$slug+/audit.tsx'
import * as datasetEditPage from '#app/routes/datasets+/$slug+/edit.tsx'
import * as outboxPage from '#app/routes/datasets+/$slug+/outbox.tsx'
import * as teamDiscussionPage from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.discussion.tsx'
import * as useCaseEditPage from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.edit.tsx'
import * as useCaseHistoryPage from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.history.tsx'
import * as newUseCasePage from '#app/routes/datasets+/$slug+/use-cases.new.tsx'
import * as versionPage from '#app/routes/datasets+/$slug+/versions.$label+/_index.tsx'
import * as diffPage from '#app/routes/datasets+/$slug+/versions.$label+/diff.tsx'
import * as versionEditPage from '#app/routes/datasets+/$slug+/versions.$label+/edit.tsx'
import * as importRoute from '#app/routes/datasets+/$slug+/versions.$label+/import.tsx'
import * as importPage from '#app/routes/datasets+/$slug+/versions.$label+/imports.$importId.tsx'
import * as insightsPage from '#app/routes/datasets+/$slug+/versions.$label+/insights.tsx'
import * as issuePage from '#app/routes/datasets+/$slug+/versions.$label+/issues.$number.tsx'
import * as inboxPage from '#app/routes/datasets+/$slug+/versions.$label+/issues._index.tsx'
import * as reportPage from '#app/routes/datasets+/$slug+/versions.$label+/report.tsx'
import * as reportCsv from '#app/routes/datasets+/$slug+/versions.$label+/report[.]csv.ts'
import * as reportJson from '#app/routes/datasets+/$slug+/versions.$label+/report[.]json.ts'
import * as reportMd from '#app/routes/datasets+/$slug+/versions.$label+/report[.]md.ts'
import * as roundPage from '#app/routes/datasets+/$slug+/versions.$label+/rounds.$roundId.tsx'
import * as samplePage from '#app/routes/datasets+/$slug+/versions.$label+/samples.$externalId.tsx'
import * as samplesPage from '#app/routes/datasets+/$slug+/versions.$label+/samples._index.tsx'
import * as newVersionPage from '#app/routes/datasets+/$slug+/versions.new.tsx'
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
import { db, query } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { securityHeaders } from '#app/server/security-headers.ts'
import { baseSecurityHeaders, contentSecurityPolicy } from '#app/utils/http-security.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { htmlProblems, renderedText } from '#tests/html-safety.ts'
import { renderRoute, type RouteModule } from '#tests/render-route.ts'
import { account, createRound, joinAs, P, setRoundStatus, world } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { startSmtpSink } from '#tests/smtp-sink.ts'

useTestDatabase()

let sink: Awaited<ReturnType<typeof startSmtpSink>>
beforeAll(async () => {
	sink = await startSmtpSink()
	// Hostile names and expertise must render inert wherever they show: show them with any group size.
	process.env.PSEUDONYMITY_MIN_GROUP = '1'
	resetEnvCache()
})
afterAll(async () => {
	delete process.env.SMTP_URL
	resetEnvCache()
	await sink.close()
})
beforeEach(() => smtp(true))
function smtp(on: boolean) {
	if (on) process.env.SMTP_URL = sink.url
	else delete process.env.SMTP_URL
	resetEnvCache()
}

// ---------------------------------------------------------------------------------------------
// The payloads (one per line; "⏎" is a line break) and how they are batched: each payload carries
// a marker ("zqx12q") so the test can tell it was really shown, as text. Payloads are packed into
// as few values as each field's length limit allows, so one world serves hundreds of payloads.

const PAYLOADS = readFileSync(new URL('../fixtures/xss/payloads.txt', import.meta.url), 'utf8')
	.split('\n')
	.filter((line) => line && !line.startsWith('#!'))
	.map((line) => line.replaceAll('⏎', '\n'))

type Item = { text: string; mark: string }
const ITEMS: Item[] = PAYLOADS.map((text, i) => ({ text, mark: `zqx${i}q` }))
type Chunk = { value: string; marks: string[] }

/** One line of text: payloads side by side, each followed by its marker. */
const inline = (it: Item) => `${it.text.replace(/\n/g, ' ')} ${it.mark}`
/** Markdown: each payload, then its marker in a paragraph of its own. */
const block = (it: Item) => `${it.text}\n\n${it.mark}`

function pack(max: number, format: (it: Item) => string, sep: string, items: Item[] = ITEMS): Chunk[] {
	const chunks: Chunk[] = []
	let value = ''
	let marks: string[] = []
	for (const it of items) {
		let piece = format(it)
		// A payload longer than the field is cut, keeping its marker.
		if (piece.length > max) piece = format({ ...it, text: it.text.slice(0, max - it.mark.length - 4) })
		if (value && value.length + sep.length + piece.length > max) {
			chunks.push({ value, marks })
			value = ''
			marks = []
		}
		value = value ? value + sep + piece : piece
		marks.push(it.mark)
	}
	if (value) chunks.push({ value, marks })
	return chunks
}

// ---------------------------------------------------------------------------------------------
// Checking rendered HTML: problems and missing markers are collected, then asserted at the end,
// so one run lists every place that went wrong.

const failures: string[] = []
const placed = new Map<string, Set<string>>()

function check(label: string, html: string, marks: string[] = [], options: { document?: boolean } = {}) {
	for (const p of htmlProblems(html, options)) failures.push(`${label}: ${p}`)
	if (!marks.length) return
	const text = renderedText(html, options)
	const missing = marks.filter((m) => !text.includes(m))
	if (missing.length) failures.push(`${label}: not shown: ${missing.slice(0, 5).join(' ')}${missing.length > 5 ? ` (+${missing.length - 5})` : ''}`)
	const place = label
		.replace(/\/(samples|review)\/[^/?]+/, '/$1/:id')
		.replace(/\?.*$/, '')
		.replace(/[0-9a-f]{8}-[0-9a-f-]{27}|\d+/g, '#')
	const set = placed.get(place) ?? new Set<string>()
	for (const m of marks) if (!missing.includes(m)) set.add(m)
	placed.set(place, set)
}

type Page = RouteModule & { loader: (args: never) => unknown }

/** Runs the page's loader as `cookie`, renders the route component with its data, checks it. */
async function show(mod: Page, path: string, params: Record<string, string>, cookie: string, marks: string[] = []) {
	const res = await run(mod.loader as never, getRequest(path, { cookie }), {}, params)
	if (res.status !== 200) {
		failures.push(`${path}: loader answered ${res.status} ${JSON.stringify(res.data).slice(0, 200)}`)
		return ''
	}
	const html = await renderRoute(mod, { path, data: res.data })
	check(path, html, marks)
	return html
}

type Fields = Record<string, string | string[]>
function post(path: string, fields: Fields, cookie: string) {
	const body = new URLSearchParams()
	for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one)
	const req = formRequest(path, {}, { cookie })
	return new Request(req.url, { method: 'POST', headers: req.headers, body })
}

async function act(fn: (args: never) => unknown, path: string, fields: Fields, cookie: string, params: Record<string, string>, expected = [200, 302]) {
	const res = await run(fn as never, post(path, fields, cookie), {}, params)
	expect(expected, `${path} ${JSON.stringify(fields).slice(0, 200)} → ${res.status} ${JSON.stringify(res.data).slice(0, 300)}`).toContain(res.status)
	return res
}

/** Every email in the table: its HTML part parsed as a document. */
async function checkEmails(label: string) {
	const rows = await db.select({ kind: emails.kind, to: emails.to, html: emails.html }).from(emails)
	for (const e of rows) if (e.html) check(`${label} email ${e.kind} to ${e.to}`, e.html, [], { document: true })
	return rows
}

const V = (label = 'v1') => `/datasets/hints/versions/${label}`
const datasetRevision = async () => String((await db.select({ revision: datasets.revision }).from(datasets).where(eq(datasets.slug, 'hints')))[0]!.revision)

function expectNoFailures() {
	const list = failures.splice(0)
	expect(list).toEqual([])
}

function coverage() {
	return [...placed.entries()].map(([place, set]) => ({ place, payloads: set.size })).sort((a, b) => a.place.localeCompare(b.place))
}

// ---------------------------------------------------------------------------------------------

describe('the payloads', () => {
	test('are at least 300, distinct, and cover each family of attack', () => {
		expect(PAYLOADS.length).toBeGreaterThanOrEqual(300)
		expect(new Set(PAYLOADS).size).toBe(PAYLOADS.length)
		const some = (re: RegExp) => PAYLOADS.filter((p) => re.test(p)).length
		expect(some(/<script/i)).toBeGreaterThan(20)
		expect(some(/\son\w+\s*=/i)).toBeGreaterThan(60)
		expect(some(/javascript:|data:text/i)).toBeGreaterThan(40)
		expect(some(/<svg|<math/i)).toBeGreaterThan(20)
		expect(some(/\]\(\s*<?javascript/i)).toBeGreaterThan(5)
		expect(some(/[\u202A-\u202E\u2066-\u2069]/)).toBeGreaterThan(5)
		expect(some(/[\u200B-\u200D\u2060\uFEFF]/)).toBeGreaterThan(3)
		expect(some(/[ａ-ｚＡ-Ｚ＜＞＝]|[а-я]/)).toBeGreaterThan(4)
		expect(some(/^[=+\-@＝＋－＠\t]/)).toBeGreaterThan(5)
	})

	test('the checker finds what it looks for (and the safe rendering of the same text passes)', () => {
		expect(htmlProblems('<p>x</p><script>alert(1)</script>')).toHaveLength(1)
		expect(htmlProblems('<img src=x onerror=alert(1)>')).toHaveLength(1)
		expect(htmlProblems('<a href=" java\tscript:alert(1)">x</a>')).toHaveLength(1)
		expect(htmlProblems('<svg><a xlink:href="data:text/html,x"><text>x</text></a></svg>')).toHaveLength(1)
		expect(htmlProblems('<form><button formaction="JAVASCRIPT:alert(1)">x</button></form>')).toHaveLength(1)
		expect(htmlProblems('<iframe></iframe><object></object><embed><base href=/><meta http-equiv=refresh content=0>')).toHaveLength(5)
		expect(htmlProblems('<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p><a href="https://example.org/">ok</a>')).toEqual([])
	})
})

describe('text the dataset team writes', () => {
	test('dataset name and description, use cases, provenance, round titles, guidelines and warnings, invitations and their emails, the audit log', async () => {
		// Without SMTP, every email stays in the outbox, which the team reads too.
		smtp(false)
		const { owner } = await world(3)
		const names = pack(120, inline, ' ')
		const titles = pack(200, inline, ' ')
		const invitationMessages = pack(2000, block, '\n\n')
		const expertise = pack(200, (it) => inline({ ...it, text: it.text.replace(/[\n\t]/g, ' ') }), ' ')

		// Dataset names: one dataset per chunk (the list shows them all); "hints" itself is renamed a few times.
		for (const [k, n] of names.entries()) await act(newDatasetPage.action, '/d', { name: n.value, slug: `n${k}`, description: '' }, owner, {})
		await show(
			datasetsPage as Page,
			'/datasets',
			{},
			owner,
			names.flatMap((n) => n.marks),
		)
		for (const n of names.slice(0, 4)) {
			await act(datasetEditPage.action, '/e', { name: n.value, slug: 'hints', description: '', revision: await datasetRevision() }, owner, { slug: 'hints' })
			await show(datasetPage as Page, '/datasets/hints', { slug: 'hints' }, owner, n.marks)
		}

		// Rounds: one per title chunk, the first ones with guidelines (Markdown) and a content warning.
		const guidelines = pack(20_000, block, '\n\n')
		const warnings = pack(2000, inline, ' ')
		const roundIds: string[] = []
		for (const [k, title] of titles.entries()) {
			roundIds.push(await createRound(owner, { title: title.value, selectionMode: 'random', sampleN: '1', guidelines: guidelines[k]?.value ?? '', contentWarning: warnings[k]?.value ?? '' }))
		}
		// Invitations: a message (quoted in the email) per call, each to another round; then one call
		// inviting an expert per line of a pasted list, each with a label the product must drop.
		for (const [k, message] of invitationMessages.entries()) {
			await act(roundPage.action, '/x', { intent: 'invite', emails: `invitee${k}@example.org`, role: 'community', expertise: '', message: message.value }, owner, {
				...P,
				roundId: roundIds[k % roundIds.length]!,
			})
		}
		const list = expertise.map((e, k) => `expert${k}@example.org, expert, ${e.value}`).join('\n')
		const listed = await act(roundPage.action, '/x', { intent: 'invite', emails: list, role: 'expert', expertise: '', message: invitationMessages[0]!.value }, owner, { ...P, roundId: roundIds[0]! })
		expect((listed.data as { invite: { errors: unknown[] } }).invite.errors).toEqual([])
		const invited = invitationMessages.length + expertise.length
		for (const [k, roundId] of roundIds.entries()) {
			if (k >= Math.max(guidelines.length, warnings.length, invitationMessages.length)) break
			const marks = [...titles[k]!.marks, ...(guidelines[k]?.marks ?? [])]
			await show(roundPage as Page, `${V()}/rounds/${roundId}`, { ...P, roundId }, owner, marks)
		}

		// The description (Markdown).
		for (const d of pack(20_000, block, '\n\n')) {
			await act(datasetEditPage.action, '/e', { name: 'Hints', slug: 'hints', description: d.value, revision: await datasetRevision() }, owner, { slug: 'hints' })
			await show(datasetPage as Page, '/datasets/hints', { slug: 'hints' }, owner, d.marks)
			await show(datasetEditPage as Page, '/datasets/hints/edit', { slug: 'hints' }, owner, d.marks)
		}

		// Use cases: one per title chunk, the longer fields spread over the first ones.
		const long = { purpose: pack(5000, block, '\n\n'), modelUsers: pack(5000, inline, ' '), deploymentContext: pack(5000, block, '\n\n'), riskNotes: pack(5000, inline, ' ') }
		const useCaseMarks: string[][] = []
		for (const [k, title] of titles.entries()) {
			const fields = { title: title.value, pipelineStage: 'fine_tuning', ...Object.fromEntries(Object.entries(long).map(([f, chunks]) => [f, chunks[k]?.value ?? ''])) }
			await act(newUseCasePage.action, '/u', fields, owner, { slug: 'hints' })
			useCaseMarks.push([...title.marks, ...Object.values(long).flatMap((chunks) => chunks[k]?.marks ?? [])])
		}
		await show(
			datasetPage as Page,
			'/datasets/hints',
			{ slug: 'hints' },
			owner,
			titles.flatMap((t) => t.marks),
		)
		const created = await db.select({ id: useCases.id, title: useCases.title }).from(useCases).orderBy(asc(useCases.createdAt))
		for (const [k, u] of created.entries()) {
			if (k >= Math.max(...Object.values(long).map((c) => c.length))) break
			const params = { slug: 'hints', useCaseId: u.id }
			await show(useCaseEditPage as Page, `/datasets/hints/use-cases/${u.id}/edit`, params, owner, useCaseMarks[k])
			await show(useCaseHistoryPage as Page, `/datasets/hints/use-cases/${u.id}/history`, params, owner, useCaseMarks[k])
			await show(teamDiscussionPage as Page, `/datasets/hints/use-cases/${u.id}/discussion`, params, owner, titles[k]!.marks)
		}

		// Provenance of new versions (v2…), three short fields and one long one per version.
		const short = pack(200, inline, ' ')
		const limitations = pack(10_000, block, '\n\n')
		const all = pack(50_000, block, '\n\n')
		for (let k = 0; 3 * k < short.length; k++) {
			const label = `v${k + 2}`
			const fields = {
				label,
				parent: 'v1',
				generationMethod: 'persona_simulation',
				modelName: short[3 * k]!.value,
				modelVersion: short[3 * k + 1]?.value ?? '',
				modelProvider: short[3 * k + 2]?.value ?? '',
				promptTemplates: k === 0 ? all[0]!.value : '',
				personaDefinitions: k === 1 ? all[0]!.value : '',
				seedDataDescription: limitations[k]?.value ?? '',
				knownLimitations: limitations[(k + 1) % limitations.length]!.value,
				changelog: k === 2 ? (all[0]?.value.slice(0, 10_000) ?? '') : '',
			}
			await act(newVersionPage.action, '/v', fields, owner, { slug: 'hints' })
			const marks = [...short.slice(3 * k, 3 * k + 3).flatMap((c) => c.marks), ...(limitations[k]?.marks ?? []), ...(k < 2 ? all[0]!.marks : [])]
			const params = { slug: 'hints', label }
			await show(versionPage as Page, V(label), params, owner, marks)
			await checkMarkdownReport(owner, label)
			if (k < 3) {
				await show(versionEditPage as Page, `${V(label)}/edit`, params, owner, marks)
				await show(
					reportPage as Page,
					`${V(label)}/report`,
					params,
					owner,
					short.slice(3 * k, 3 * k + 3).flatMap((c) => c.marks),
				)
			}
		}

		// Lists that gather it all: the version page (its rounds), the datasets list, the outbox, the audit log.
		await show(
			versionPage as Page,
			V(),
			P,
			owner,
			titles.flatMap((t) => t.marks),
		)
		await show(datasetsPage as Page, '/datasets', {}, owner)
		await show(
			insightsPage as Page,
			`${V()}/insights`,
			P,
			owner,
			titles.flatMap((t) => t.marks),
		)
		// The outbox lists the latest 100: the pasted list's emails, which quote the first message.
		await show(outboxPage as Page, '/datasets/hints/outbox', { slug: 'hints' }, owner, invitationMessages[0]!.marks)
		let before = ''
		const auditMarks = new Set<string>()
		for (let pageNo = 0; pageNo < 100; pageNo++) {
			const path = `/datasets/hints/audit${before ? `?before=${encodeURIComponent(before)}` : ''}`
			const html = await show(auditPage as Page, path, { slug: 'hints' }, owner)
			for (const m of renderedText(html).match(/zqx\d+q/g) ?? []) auditMarks.add(m)
			const res = await run(auditPage.loader, getRequest(path, { cookie: owner }), {}, { slug: 'hints' })
			before = (res.data as { older: string | null }).older ?? ''
			if (!before) break
		}
		for (const m of names.slice(0, 4).flatMap((n) => n.marks)) if (!auditMarks.has(m)) failures.push(`audit log: dataset name ${m} not shown`)

		// Every invitation email: safe HTML that still says what the team wrote.
		const sent = await checkEmails('invitations')
		const text = sent.map((e) => renderedText(e.html, { document: true })).join('\n')
		for (const m of [...invitationMessages, ...titles.slice(0, invitationMessages.length), names[3]!].flatMap((c) => c.marks)) if (!text.includes(m)) failures.push(`invitation emails: ${m} not shown`)
		// (Text after the role on a pasted line is dropped: the team attaches no label to a person, decision 027.)
		expect(sent.filter((e) => e.kind === 'invitation').length).toBe(invited)
		expectNoFailures()
	}, 300_000)
})

/** The dataset-card Markdown, rendered the most permissive way (raw HTML and any link allowed), must hold no markup of the user's. */
async function checkMarkdownReport(cookie: string, label: string, marks: string[] = []) {
	const res = await run(reportMd.loader as never, getRequest(`${V(label)}/report.md`, { cookie }), {}, { slug: 'hints', label })
	expect(res.status).toBe(200)
	const md = String(res.data)
	const html = micromark(md, { allowDangerousHtml: true, allowDangerousProtocol: true })
	check(`${V(label)}/report.md`, html, marks)
	const tags = [...html.matchAll(/<([a-z][a-z0-9]*)/gi)].map((m) => m[1]!.toLowerCase())
	const foreign = tags.filter((t) => !['h2', 'h3', 'h4', 'p', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'blockquote', 'pre', 'code', 'strong', 'em', 'br', 'hr'].includes(t))
	if (foreign.length) failures.push(`${V(label)}/report.md: markup from user text: ${[...new Set(foreign)].join(', ')}`)
	return md
}

// ---------------------------------------------------------------------------------------------

/** A sample file through the real upload form (multipart, as a browser sends it); the redirect's target. */
async function uploadTo(cookie: string, label: string, filename: string, body: string) {
	const form = new FormData()
	form.append('file', new File([body], filename, { type: 'application/octet-stream' }))
	const request = new Request(`${TEST_ORIGIN}${V(label)}/import`, { method: 'POST', headers: { Origin: TEST_ORIGIN, Cookie: cookie }, body: form })
	const res = await run(importRoute.action as never, request, {}, { slug: 'hints', label })
	expect(res.status, JSON.stringify(res.data)).toBe(302)
	return res.headers.get('Location')!
}
const upload = async (cookie: string, label: string, filename: string, body: string) => (await uploadTo(cookie, label, filename, body)).split('/').pop()!

function isUrl(value: string) {
	try {
		const u = new URL(value)
		return u.protocol === 'https:' && u.hostname === 'img.example'
	} catch {
		return false
	}
}

describe('samples, from a real import', () => {
	test('ids, content, chats, metadata (keys and values), image URLs and alt text, file names and import errors', async () => {
		const owner = await account('owner')
		await act(newDatasetPage.action, '/d', { name: 'Hints', slug: 'hints' }, owner, {})
		await act(newVersionPage.action, '/v', { label: 'v1', generationMethod: 'templates' }, owner, { slug: 'hints' })

		// File names: each upload's name is a chunk of payloads (refused as an unknown format, recorded all the same).
		// A name with ";" or "=" cannot be read by the multipart parser: the person is told so (not a 500).
		// Remix keeps what follows the last "/" or "\\" (a browser may send a path): those are spaces here.
		const badName = await uploadTo(owner, 'v1', '<img src=x onerror=alert(1)>; persona=oaxaca.jsonl', 'x')
		expect(badName).toBe(`${V()}?notice=badname`)
		expect(await show(versionPage as Page, badName, P, owner)).toContain('could not be read')
		// Browsers send '"' as %22, and names are kept to 255 characters: 150 leave room.
		const filenames = pack(150, (it) => inline({ ...it, text: it.text.replace(/[;=/\\]/g, ' ') }), ' ')
		const importIds: Array<{ id: string; marks: string[] }> = []
		for (const f of filenames) importIds.push({ id: await upload(owner, 'v1', `${f.value}.txt`, 'x'), marks: f.marks })

		// A file refused line by line: ids repeated (the error names the id), image URLs that are not http(s).
		const bad = ITEMS.flatMap((it, i) => {
			const line = JSON.stringify({ id: `${it.text.slice(0, 200)} ${it.mark}`, content: 'x' })
			return i % 3 === 0 ? [line, line] : [line, JSON.stringify({ id: `img-${i}`, content: 'x', image_url: it.text })]
		}).join('\n')
		const failed = await upload(owner, 'v1', `refused ${ITEMS[0]!.text}.jsonl`, bad)

		// The real sample file: one sample per payload.
		const languages = ['en', 'ar', 'he', 'fr', 'und', 'zh-Hant']
		const lines = ITEMS.map((it, i) => {
			const rec: Record<string, unknown> = { id: `${it.text.slice(0, 200)} ${it.mark}` }
			if (i % 4 === 1)
				rec.messages = [
					{ role: it.text.slice(0, 100) || 'user', content: `${it.text} ${it.mark}` },
					{ role: 'assistant', content: it.text },
				]
			else rec.content = `${it.text}\n${it.mark}`
			rec.language = languages[i % languages.length]
			rec.metadata = { persona: { origin: it.text.slice(0, 80), age: it.mark }, note: `${it.text} ${it.mark}`, ...(i % 25 === 0 ? { [it.text.slice(0, 40)]: it.mark } : {}), prompt: { id: i % 7 } }
			const url = `https://img.example/${it.text}`
			if (i % 3 === 0 && isUrl(url)) rec.image_url = url
			if (i % 3 === 0) rec.image_alt = `${it.text} ${it.mark}`
			return JSON.stringify(rec)
		})
		const good = await upload(owner, 'v1', `${ITEMS[1]!.text} samples.jsonl`, lines.join('\n'))

		const [v1] = await db.select({ id: versions.id, currentImportId: versions.currentImportId, sampleCount: versions.sampleCount }).from(versions).where(eq(versions.label, 'v1'))
		expect(v1!.currentImportId).toBe(good)
		expect(v1!.sampleCount).toBe(ITEMS.length)
		const [failedRow] = await db.select({ status: imports.status, errorCount: imports.errorCount }).from(imports).where(eq(imports.id, failed))
		expect(failedRow).toMatchObject({ status: 'failed' })
		expect(failedRow!.errorCount).toBeGreaterThan(100)

		for (const { id, marks } of importIds) await show(importPage as Page, `${V()}/imports/${id}`, { ...P, importId: id }, owner, marks)
		await show(importPage as Page, `${V()}/imports/${failed}`, { ...P, importId: failed }, owner)
		await show(importPage as Page, `${V()}/imports/${good}`, { ...P, importId: good }, owner)
		await show(versionPage as Page, V(), P, owner)

		// Every sample's own page, and the browsing list page by page.
		const ids = ITEMS.map((it) => `${it.text.slice(0, 200)} ${it.mark}`)
		for (const [i, id] of ids.entries()) await show(samplePage as Page, `${V()}/samples/${encodeURIComponent(id)}`, { ...P, externalId: id }, owner, [ITEMS[i]!.mark])
		let after = ''
		for (let pageNo = 0; pageNo < 50; pageNo++) {
			const path = `${V()}/samples${after ? `?after=${encodeURIComponent(after)}` : ''}`
			await show(samplesPage as Page, path, P, owner)
			const res = await run(samplesPage.loader, getRequest(path, { cookie: owner }), {}, P)
			after = (res.data as { page: { nextCursor: string | null } }).page.nextCursor ?? ''
			if (!after) break
		}
		await show(samplesPage as Page, `${V()}/samples?q=${encodeURIComponent('<script')}&attr=${encodeURIComponent(`persona.origin:${ITEMS[0]!.text}`)}`, P, owner)
		await show(inboxPage as Page, `${V()}/issues`, P, owner)
		await show(insightsPage as Page, `${V()}/insights?attribute=persona.origin`, P, owner)
		await show(insightsPage as Page, `${V()}/insights?attribute=note`, P, owner)

		// A child version: the diff lists ids added, removed and changed.
		await act(newVersionPage.action, '/v', { label: 'v2', parent: 'v1', generationMethod: 'templates' }, owner, { slug: 'hints' })
		const child = ITEMS.flatMap((it, i) =>
			i % 5 === 0 ? [] : [JSON.stringify({ id: i % 5 === 1 ? `new ${it.text.slice(0, 200)} ${it.mark}` : ids[i], content: i % 5 === 2 ? `changed ${it.text}` : `${it.text}\n${it.mark}` })],
		)
		await upload(owner, 'v2', 'child.jsonl', child.join('\n'))
		for (const kind of ['added', 'removed', 'changed']) {
			let cursor = ''
			for (let pageNo = 0; pageNo < 50; pageNo++) {
				const path = `${V('v2')}/diff?kind=${kind}${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`
				await show(diffPage as Page, path, { slug: 'hints', label: 'v2' }, owner)
				const res = await run(diffPage.loader, getRequest(path, { cookie: owner }), {}, { slug: 'hints', label: 'v2' })
				cursor = (res.data as { page: { nextCursor: string | null } }).page.nextCursor ?? ''
				if (!cursor) break
			}
		}

		// The reviewer's focus view of every sample (one reviewer, so all of them are in her queue).
		const warning = pack(2000, inline, ' ')[0]!
		const roundId = await createRound(owner, { overlap: '1', contentWarning: warning.value })
		const ana = await joinAs(owner, roundId, 'ana', sink.messages)
		await setRoundStatus(owner, roundId, 'open')
		// The warning is acknowledged at consent (below); the focus view shows it only to those who ask.
		for (const [i, id] of ids.entries()) {
			await show(focusPage as Page, `/rounds/${roundId}/review/${encodeURIComponent(id)}`, { roundId, externalId: id }, ana, [ITEMS[i]!.mark])
		}
		await show(consentPage as Page, `/rounds/${roundId}/consent`, { roundId }, ana, warning.marks)
		await show(roundHome as Page, `/rounds/${roundId}`, { roundId }, ana)
		expectNoFailures()
		const shown = coverage().filter((c) => /samples\/|review\//.test(c.place))
		expect(shown.reduce((a, c) => a + c.payloads, 0)).toBeGreaterThanOrEqual(2 * ITEMS.length)
	}, 300_000)
})

// ---------------------------------------------------------------------------------------------

describe('what participants write, and what the team answers them', () => {
	test('opted-in names, comments, flags (rationale, rewrite, quoted span, groups), template feedback, public responses, notes; My feedback, the report, emails', async () => {
		const SAMPLES = 30
		const { owner } = await world(SAMPLES)
		// The dataset's name is a payload too: it reaches participants' pages and every email.
		await act(datasetEditPage.action, '/e', { name: '<img src=x onerror=alert(1)> [x](javascript:alert(1)) Hints', slug: 'hints', description: '', revision: await datasetRevision() }, owner, {
			slug: 'hints',
		})
		const all = pack(50_000, block, '\n\n')[0]!
		const revision = String((await db.select({ revision: versions.revision }).from(versions))[0]!.revision)
		await act(versionEditPage.action, '/v', { generationMethod: 'templates', promptTemplates: all.value, personaDefinitions: ITEMS.map(inline).join('\n'), revision }, owner, P)
		const useCasesMade = pack(5000, block, '\n\n')
		for (const [k, c] of useCasesMade.entries())
			await act(newUseCasePage.action, '/u', { title: `Use ${k}`, purpose: c.value, modelUsers: c.value, deploymentContext: c.value, pipelineStage: 'evaluation' }, owner, { slug: 'hints' })
		const useCaseIds = (await db.select({ id: useCases.id }).from(useCases).orderBy(asc(useCases.createdAt))).map((u) => u.id)

		// Long guidelines (Markdown) on the generation round: the validation round's page is rendered many times below.
		const guidelines = pack(20_000, block, '\n\n')[0]!
		const validation = await createRound(owner, { overlap: '4', guidelines: '[Read this](javascript:alert(1)) <b>first</b>' })
		const generation = await createRound(owner, { stage: 'generation', title: 'Steer generation', overlap: '2', guidelines: guidelines.value })
		const who = ['ana', 'ben', 'cleo', 'eve'] as const
		const cookies = {} as Record<(typeof who)[number], string>
		for (const name of who) cookies[name] = await joinAs(owner, validation, name, sink.messages, name === 'eve' ? 'expert' : 'community')
		for (const name of ['cleo', 'eve'] as const) {
			await act(roundPage.action, '/x', { intent: 'invite', emails: `${name}@example.org`, role: name === 'eve' ? 'expert' : 'community', expertise: name === 'eve' ? 'linguist' : '' }, owner, {
				...P,
				roundId: generation,
			})
			const message = [...sink.messages].reverse().find((m) => m.to.includes(`${name}@example.org`))!
			const token = /\/invitations\/([A-Za-z0-9_-]+)/.exec(message.decoded)![1]!
			await act(invitationPage.action, `/invitations/${token}`, { intent: 'accept' }, cookies[name], { token })
		}
		// Everyone shows their name to the team.
		for (const name of who) {
			for (const roundId of name === 'cleo' || name === 'eve' ? [validation, generation] : [validation])
				await act(consentPage.action, '/c', { agree: 'yes', showName: 'on' }, cookies[name], { roundId })
		}
		await setRoundStatus(owner, validation, 'open')
		await setRoundStatus(owner, generation, 'open')
		const externalIds = (
			await query<{ external_id: string }>(sql`select external_id from samples s join versions v on v.current_import_id = s.import_id where v.label = 'v1' order by external_id`)
		).map((r) => r.external_id)

		// Flags: sample 0 gets one from everyone (its issue page shows all four names); then one flag per chunk.
		const rationales = pack(2000, block, '\n\n')
		const rewrites = pack(4000, block, '\n\n')
		const spans = pack(1000, inline, ' ')
		// Affected groups: up to 20 per flag, 100 characters each (a comma separates groups, so none inside one).
		const groups: Chunk[] = []
		for (let k = 0; k < ITEMS.length; k += 20) {
			const batch = ITEMS.slice(k, k + 20)
			groups.push({ value: batch.map((it) => `${it.text.replace(/[,\n]/g, ' ').slice(0, 90)} ${it.mark}`).join('\u0000'), marks: batch.map((it) => it.mark) })
		}
		const flagCount = Math.max(rationales.length, rewrites.length, spans.length, groups.length)
		expect(flagCount + 1).toBeLessThanOrEqual(SAMPLES)
		const flag = (name: (typeof who)[number], externalId: string, fields: Fields) =>
			act(
				focusPage.action,
				`/rounds/${validation}/review/${externalId}`,
				{ intent: 'flag', category: 'stereotype', severity: 'major', ...fields },
				cookies[name],
				{ roundId: validation, externalId },
				[302],
			)
		for (const name of who) await flag(name, externalIds[0]!, { rationale: `${name}: ${ITEMS[0]!.text}` })
		for (let k = 0; k < flagCount; k++) {
			await flag(who[k % who.length]!, externalIds[k + 1]!, {
				severity: k % 5 === 0 ? 'critical' : 'major',
				rationale: rationales[k]?.value ?? 'See above.',
				suggestedRewrite: rewrites[k]?.value ?? '',
				quotedSpan: spans[k]?.value ?? '',
				affectedGroups: groups[k]?.value.split('\u0000') ?? [],
				...(k % 3 === 0 ? { unsure: 'on' } : {}),
			})
		}
		// Blocking issues nobody has triaged yet: the team is reminded (as if a week had passed).
		await remindUntriagedBlockers(new Date(Date.now() + 60 * 86_400_000))
		await act(
			focusPage.action,
			`/rounds/${validation}/review/${externalIds[flagCount + 1]}`,
			{ intent: 'skip', skipReason: ITEMS.slice(0, 10).map(inline).join(' ').slice(0, 500) },
			cookies.ana,
			{ roundId: validation, externalId: externalIds[flagCount + 1]! },
			[302],
		)

		// Template feedback in the generation round.
		const tRationales = pack(2000, block, '\n\n')
		const tSpans = pack(1000, inline, ' ')
		for (let k = 0; k < Math.max(tRationales.length, tSpans.length); k++) {
			const flagIt = k % 2 === 0
			await act(
				templatesPage.action,
				'/t',
				{
					intent: 'template_feedback',
					target: k % 3 === 0 ? 'persona_definitions' : 'prompt_templates',
					kind: flagIt ? 'flag' : 'comment',
					...(flagIt ? { category: 'caricature', severity: 'minor' } : {}),
					rationale: tRationales[k]?.value ?? 'See the quote.',
					quotedSpan: tSpans[k]?.value ?? '',
				},
				k % 2 ? cookies.cleo : cookies.eve,
				{ roundId: generation },
			)
		}

		// Comments (Markdown), replies, the team's replies, and hiding with a reason.
		const bodies = pack(5000, block, '\n\n')
		const stances = ['opposed', 'concerned', 'supportive', 'question']
		const commentIds: string[] = []
		for (const [k, b] of bodies.entries()) {
			const useCaseId = useCaseIds[k % useCaseIds.length]!
			const res = await act(discussPage.action, '/', { intent: 'comment', stance: stances[k % 4]!, body: b.value }, cookies[who[k % 4]!], { roundId: validation, useCaseId }, [302])
			const id = res.headers.get('Location')!.split('#comment-')[1]!
			commentIds.push(id)
			await act(discussPage.action, '/', { intent: 'comment', body: bodies[(k + 1) % bodies.length]!.value, parentId: id }, cookies[who[(k + 1) % 4]!], { roundId: validation, useCaseId }, [302])
			await act(teamDiscussionPage.action, '/', { intent: 'comment', parentId: id, body: bodies[(k + 2) % bodies.length]!.value }, owner, { slug: 'hints', useCaseId }, [302])
		}
		// A short thread where everyone speaks, for following their names below.
		await act(newUseCasePage.action, '/u', { title: 'Names', pipelineStage: 'evaluation' }, owner, { slug: 'hints' })
		const namesThread = (await db.select({ id: useCases.id }).from(useCases).where(eq(useCases.title, 'Names')))[0]!.id
		for (const name of who)
			await act(discussPage.action, '/', { intent: 'comment', stance: 'question', body: `Hello from ${name}` }, cookies[name], { roundId: validation, useCaseId: namesThread }, [302])
		const reasons = pack(500, inline, ' ')
		for (const [k, r] of reasons.entries()) {
			const useCaseId = useCaseIds[0]!
			const res = await act(discussPage.action, '/', { intent: 'comment', stance: 'question', body: `To be hidden ${k}` }, cookies.ben, { roundId: validation, useCaseId }, [302])
			const id = res.headers.get('Location')!.split('#comment-')[1]!
			await act(teamDiscussionPage.action, '/', { intent: 'hide', commentId: id, reason: r.value }, owner, { slug: 'hints', useCaseId }, [302])
		}

		// Triage: public responses, internal notes, blocking reasons, reopening reasons.
		const [v1] = await db.select({ id: versions.id }).from(versions).where(eq(versions.label, 'v1'))
		const numbers = (await db.select({ number: issues.number }).from(issues).where(eq(issues.versionId, v1!.id)).orderBy(asc(issues.number))).map((i) => i.number)
		const responses = pack(4000, block, '\n\n')
		const notes = pack(4000, block, '\n\n')
		const blockingReasons = pack(2000, inline, ' ')
		const triage = async (number: number, fields: Fields) => {
			const page = await run(issuePage.loader, getRequest('/', { cookie: owner }), {}, { ...P, number: String(number) })
			const rev = String((page.data as { issue: { revision: number } }).issue.revision)
			await act(issuePage.action, '/i', { revision: rev, ...fields }, owner, { ...P, number: String(number) })
		}
		const ownerId = (await db.select({ id: users.id }).from(users).where(eq(users.email, 'owner@example.org')))[0]!.id
		for (let k = 0; k < Math.max(responses.length, notes.length, blockingReasons.length); k++) {
			const n = numbers[k % numbers.length]!
			if (responses[k]) await triage(n, { intent: 'respond', publicResponse: responses[k]!.value })
			if (notes[k]) await triage(n, { intent: 'note', note: notes[k]!.value })
			if (blockingReasons[k]) await triage(numbers[(k + 1) % numbers.length]!, { intent: 'blocking', call: k % 2 ? 'blocking' : 'not_blocking', reason: blockingReasons[k]!.value })
		}
		await triage(numbers[0]!, { intent: 'assign', assignee: ownerId })
		for (let k = 0; k < responses.length; k++) {
			await triage(numbers[(k + 2) % numbers.length]!, {
				intent: 'resolve',
				resolution: k % 2 ? 'documented' : 'not_an_issue',
				publicResponse: responses[k]!.value,
				note: notes[k % notes.length]!.value,
			})
			await triage(numbers[(k + 2) % numbers.length]!, { intent: 'reopen', reason: blockingReasons[k % blockingReasons.length]!.value })
		}
		await sendPendingNotificationEmails(TEST_ORIGIN)

		// Opted-in display names, a handful at a time (the team's own names too: they show as assignee and in the history).
		// The expert's field of expertise (as the team typed it when inviting) changes along too.
		const displayNames = pack(80, inline, ' ')
		const fields = pack(200, inline, ' ')
		const people = [...who.map((n) => `${n}@example.org`), 'owner@example.org']
		const eveIds = (await query<{ id: string }>(sql`select p.id from participants p join users u on u.id = p.user_id where u.email = 'eve@example.org'`)).map((r) => r.id)
		for (let k = 0, step = 0; k < displayNames.length || step < fields.length; k += people.length, step++) {
			const batch = displayNames.slice(k, k + people.length)
			for (const [j, name] of batch.entries()) await db.update(users).set({ displayName: name.value }).where(eq(users.email, people[j]!))
			const field = fields[step]
			if (field) for (const id of eveIds) await db.update(participants).set({ expertise: field.value }).where(eq(participants.id, id))
			const marks = [...batch.flatMap((b) => b.marks), ...(field?.marks ?? [])]
			const participantMarks = [...batch.slice(0, who.length).flatMap((b) => b.marks), ...(field?.marks ?? [])]
			await show(roundPage as Page, `${V()}/rounds/${validation}`, { ...P, roundId: validation }, owner, participantMarks)
			await show(issuePage as Page, `${V()}/issues/${numbers[0]}`, { ...P, number: String(numbers[0]) }, owner, marks)
			await show(teamDiscussionPage as Page, `/datasets/hints/use-cases/${namesThread}/discussion`, { slug: 'hints', useCaseId: namesThread }, owner, participantMarks)
		}

		// Every page where this text is read.
		for (const n of numbers) await show(issuePage as Page, `${V()}/issues/${n}`, { ...P, number: String(n) }, owner)
		const issueMarks = [...rationales, ...rewrites, ...spans, ...notes, ...blockingReasons, ...tRationales, ...tSpans].flatMap((c) => c.marks)
		const issueText = (await Promise.all(numbers.map(async (n) => renderedText(await show(issuePage as Page, `${V()}/issues/${n}`, { ...P, number: String(n) }, owner))))).join('\n')
		for (const m of issueMarks) if (!issueText.includes(m)) failures.push(`issue pages: ${m} not shown`)
		for (const q of ['', '?status=all', `?status=all&group=${encodeURIComponent(groups[0]!.value.split('\u0000')[0]!)}`]) await show(inboxPage as Page, `${V()}/issues${q}`, P, owner)
		for (const useCaseId of useCaseIds) {
			await show(teamDiscussionPage as Page, `/datasets/hints/use-cases/${useCaseId}/discussion`, { slug: 'hints', useCaseId }, owner)
			for (const name of who) await show(discussPage as Page, `/rounds/${validation}/use-cases/${useCaseId}`, { roundId: validation, useCaseId }, cookies[name])
		}
		const threadText = (
			await Promise.all(
				useCaseIds.map(async (useCaseId) => renderedText(await show(teamDiscussionPage as Page, `/datasets/hints/use-cases/${useCaseId}/discussion`, { slug: 'hints', useCaseId }, owner))),
			)
		).join('\n')
		for (const m of [...bodies, ...reasons].flatMap((c) => c.marks)) if (!threadText.includes(m)) failures.push(`discussion: ${m} not shown`)
		expect(
			await db
				.select({ id: comments.id })
				.from(comments)
				.where(sql`${comments.hiddenAt} is not null`),
		).toHaveLength(reasons.length)

		for (const name of who) {
			await show(feedbackPage as Page, '/feedback', {}, cookies[name])
			await show(notificationsPage as Page, '/notifications', {}, cookies[name])
			await show(homePage as Page, '/', {}, cookies[name])
			await show(roundHome as Page, `/rounds/${validation}`, { roundId: validation }, cookies[name], name === 'ana' ? useCasesMade.flatMap((c) => c.marks) : [])
			for (const externalId of externalIds.slice(0, flagCount + 2)) {
				const res = await run(focusPage.loader, getRequest('/', { cookie: cookies[name] }), {}, { roundId: validation, externalId })
				if (res.status === 200) await show(focusPage as Page, `/rounds/${validation}/review/${externalId}`, { roundId: validation, externalId }, cookies[name])
			}
		}
		for (const name of ['cleo', 'eve'] as const) {
			await show(roundHome as Page, `/rounds/${generation}`, { roundId: generation }, cookies[name], [...all.marks, ...guidelines.marks])
			await show(templatesPage as Page, `/rounds/${generation}/templates`, { roundId: generation }, cookies[name], all.marks)
		}
		await show(notificationsPage as Page, '/notifications', {}, owner)
		await show(insightsPage as Page, `${V()}/insights`, P, owner)
		await show(versionPage as Page, V(), P, owner)
		await show(roundPage as Page, `${V()}/rounds/${generation}`, { ...P, roundId: generation }, owner)

		// The report: the page, the dataset-card Markdown, the CSV and the JSON.
		const responseMarks = responses.flatMap((c) => c.marks)
		await show(reportPage as Page, `${V()}/report`, P, owner, responseMarks)
		await checkMarkdownReport(owner, 'v1', responseMarks)
		const csv = await run(reportCsv.loader as never, getRequest(`${V()}/report.csv`, { cookie: owner }), {}, P)
		expect(csv.headers.get('Content-Type')).toMatch(/^text\/csv/)
		expect(csv.headers.get('X-Content-Type-Options')).toBe('nosniff')
		expect(csv.headers.get('Content-Disposition')).toMatch(/^attachment; filename="[A-Za-z0-9._-]+"$/)
		const cells = parseCsv(String(csv.data).replace(/^\uFEFF/, ''))
		const formulas = cells.flat().filter((c) => /^[\t\r]/.test(c) || /^\s*[=+\-@＝＋－＠﹦﹢﹣﹫]/u.test(c))
		expect(formulas).toEqual([])
		for (const m of responseMarks) if (!cells.flat().some((c) => c.includes(m))) failures.push(`report.csv: ${m} not in any cell`)
		const json = await run(reportJson.loader as never, getRequest(`${V()}/report.json`, { cookie: owner }), {}, P)
		expect(json.headers.get('Content-Type')).toMatch(/^application\/json/)
		expect(json.headers.get('Content-Disposition')).toMatch(/^attachment;/)

		// Every email sent: round opened, feedback updates, the team's reminder and digest, invitations.
		const sent = await checkEmails('participation')
		expect(new Set(sent.map((e) => e.kind))).toEqual(new Set(['invitation', 'round_opened', 'feedback_updates', 'blockers_reminder', 'team_digest']))
		expectNoFailures()
		expect(await db.select({ id: participants.id }).from(participants).where(eq(participants.showName, true))).toHaveLength(6)
	}, 300_000)
})

/** RFC 4180, as the report writes it (every cell quoted, CRLF between records). */
function parseCsv(text: string): string[][] {
	const rows: string[][] = []
	let row: string[] = []
	let i = 0
	while (i < text.length) {
		expect(text[i], `CSV cell at ${i}`).toBe('"')
		let cell = ''
		i++
		for (;;) {
			const q = text.indexOf('"', i)
			expect(q).toBeGreaterThanOrEqual(0)
			cell += text.slice(i, q)
			if (text[q + 1] === '"') {
				cell += '"'
				i = q + 2
			} else {
				i = q + 1
				break
			}
		}
		row.push(cell)
		if (text[i] === ',') i++
		else {
			expect(text.slice(i, i + 2)).toBe('\r\n')
			i += 2
			rows.push(row)
			row = []
		}
	}
	return rows
}

describe('Content-Security-Policy', () => {
	test('HTML responses carry a policy that refuses inline and injected script, plugins, framing and base rewriting', () => {
		const nonce = 'bm9uY2Utb2YtdGVzdA=='
		const csp = contentSecurityPolicy(nonce)
		const directives = new Map(
			csp
				.split(';')
				.map((d) => d.trim().split(/\s+/))
				.map(([name, ...values]) => [name!, values]),
		)
		expect(directives.get('script-src')).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"])
		expect(directives.get('object-src')).toEqual(["'none'"])
		expect(directives.get('base-uri')).toEqual(["'none'"])
		expect(directives.get('frame-ancestors')).toEqual(["'none'"])
		expect(directives.get('form-action')).toEqual(["'self'"])
		expect(directives.get('default-src')).toEqual(["'self'"])
		expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|data:[^;]*script/)
		// Over HTTPS, the same plus upgrade-insecure-requests; nonces differ per response.
		expect(contentSecurityPolicy(nonce, { https: true })).toBe(`${csp}; upgrade-insecure-requests`)
		expect(contentSecurityPolicy('other')).not.toContain(nonce)
		expect(baseSecurityHeaders()).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY' })
	})

	test('the server middleware puts that policy, with a fresh nonce, on every response (HTML documents included)', () => {
		const respond = () => {
			const headers: Record<string, string> = {}
			const res = {
				locals: {} as Record<string, unknown>,
				set(name: string | Record<string, string>, value?: string) {
					if (typeof name === 'string') headers[name] = value!
					else Object.assign(headers, name)
					return res
				},
			}
			let called = false
			// why: the middleware only reads req.secure and writes headers; a stand-in avoids an HTTP server here (hygiene.test.ts runs one).
			securityHeaders()({ secure: false } as never, res as never, () => void (called = true))
			expect(called).toBe(true)
			return { headers, nonce: String(res.locals.cspNonce) }
		}
		const a = respond()
		const b = respond()
		expect(a.nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/)
		expect(a.nonce).not.toBe(b.nonce)
		expect(a.headers['Content-Security-Policy']).toBe(contentSecurityPolicy(a.nonce))
		expect(a.headers['X-Content-Type-Options']).toBe('nosniff')
	})
})
