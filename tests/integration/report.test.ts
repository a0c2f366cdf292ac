import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { type AppLoadContext } from '@remix-run/node'
import { and, eq } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { samples, versions } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { participants } from '#db/schema/rounds.ts'
import { type TriageInput } from '#app/domain/issue.ts'
import { type FlagInput } from '#app/domain/review.ts'
import { UseCaseSchema } from '#app/domain/use-case.ts'
import { addComment } from '#app/models/comment.server.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { getConsultationReportExport, listReportCsvIssues } from '#app/models/report.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { toCsvChunks, toJsonChunks } from '#app/domain/report.ts'
import { triageIssue } from '#app/models/triage.server.ts'
import { createUseCase } from '#app/models/use-case.server.ts'
import { changeVersionStatus, getVersion } from '#app/models/version.server.ts'
import { loader as csvLoader } from '#app/routes/datasets+/$slug+/versions.$label+/report[.]csv.ts'
import { loader as jsonLoader } from '#app/routes/datasets+/$slug+/versions.$label+/report[.]json.ts'
import { loader as mdLoader } from '#app/routes/datasets+/$slug+/versions.$label+/report[.]md.ts'
import { loader as pageLoader } from '#app/routes/datasets+/$slug+/versions.$label+/report.tsx'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { getUser } from '#app/utils/auth.server.ts'
import { db } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { account, createRound, joinAs, P, setRoundStatus } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()

// Names that appear nowhere else, so finding one in an output can only be a leak.
const OWNER = 'magnoliaowner'
const COMMUNITY = ['quetzallicommunity', 'bartholomewcommunity', 'evangelinecommunity'] as const
const EXPERT = 'ottilieexpert'
const SECRETS = ['INTERNAL-NOTE-7f3a the flagger is my neighbour', 'INTERNAL-RESOLVE-NOTE-19c2', 'INTERNAL-BLOCKING-REASON-55e1 policy says so']

/**
 * The fixed consultation of the golden files, built with the real routes and model functions:
 * dataset "hints" v1 with provenance and four samples; one validation round with three community
 * members and one expert (one of whom chose to show their name to the team); flags, an opposed
 * use-case comment; triage with public responses and internal notes; an owner's override.
 */
async function consultation() {
	const owner = await account(OWNER)
	await run(newDataset, formRequest('/d', { name: 'Tutoring *hints* <b>', slug: 'hints' }, { cookie: owner }))
	const provenance = {
		label: 'v1',
		generationMethod: 'persona_simulation',
		modelName: 'Llama-3-70B-Instruct',
		modelVersion: '2024-07',
		modelProvider: 'Meta via [a hosted API](https://example.org)',
		promptTemplates: 'You are {persona}. Write a hint for:\n{question}',
		personaDefinitions: 'persona.region: Oaxaca | Amman',
		seedDataDescription: '200 hints written by teachers',
		knownLimitations: 'Regional dialects are flattened.\n\n- Only two regions.',
		changelog: '',
	}
	const created = await run(newVersion, formRequest('/v', provenance, { cookie: owner }), {}, { slug: 'hints' })
	expect(created.status, JSON.stringify(created.data)).toBe(302)
	const me = (await getUser(getRequest('/', { cookie: owner })))!
	const dataset = (await getDatasetForMember({ slug: 'hints', userId: me.id }))!
	const version = (await getVersion({ datasetId: dataset.id, label: 'v1' }))!
	const body = ['Oaxaca', 'Amman', 'Oaxaca', 'Amman'].map((region, i) => JSON.stringify({ id: `h-00${i}`, content: `hint ${i}`, metadata: { persona: { region } } })).join('\n')
	await runImport({
		versionId: version.id,
		format: 'jsonl',
		filename: 'h.jsonl',
		userId: me.id,
		source: (async function* () {
			yield new TextEncoder().encode(body)
		})(),
	})

	const roundId = await createRound(owner, { title: 'Community check | [round 1]', overlap: '3', opposedBlocks: 'on' })
	for (const name of COMMUNITY) await joinAs(owner, roundId, name, sink.messages)
	await joinAs(owner, roundId, EXPERT, sink.messages, 'expert')
	await setRoundStatus(owner, roundId, 'open')
	const participantOf = async (name: string) =>
		(
			await db
				.select({ id: participants.id, userId: participants.userId })
				.from(participants)
				.innerJoin(users, eq(users.id, participants.userId))
				.where(and(eq(participants.roundId, roundId), eq(users.email, `${name}@example.org`)))
		)[0]!
	const [c1, c2, c3, ex] = await Promise.all([...COMMUNITY, EXPERT].map(participantOf))
	// One participant shows their name to the team; the report still must not.
	await db.update(participants).set({ showName: true }).where(eq(participants.id, c1!.id))

	const importId = (await getVersion({ datasetId: dataset.id, label: 'v1' }))!.currentImportId!
	const sampleId = async (externalId: string) =>
		(
			await db
				.select({ id: samples.id })
				.from(samples)
				.where(and(eq(samples.importId, importId), eq(samples.externalId, externalId)))
		)[0]!.id
	const flag = async (p: { id: string }, externalId: string, over: Partial<FlagInput> = {}) =>
		saveVerdict({ roundId, participantId: p.id, sampleId: await sampleId(externalId), verdict: { kind: 'flag', flag: flagInput(over) } })
	await flag(c1!, 'h-000') // #1: two people → blocking (threshold)
	await flag(c2!, 'h-000', { category: 'stereotype', severity: 'major', affectedGroups: ['Oaxaca'] })
	await flag(ex!, 'h-001', { category: 'demeaning', severity: 'critical' }) // #2: critical and expert
	await flag(c3!, 'h-002', { category: 'erasure' }) // #3: one person, minor: not blocking
	const useCase = await createUseCase(dataset.id, UseCaseSchema.parse({ title: 'Tutoring app for [kids](https://evil.example)', pipelineStage: 'fine_tuning' }), me.id)
	const opposed = await addComment({
		useCaseId: useCase.id,
		actor: { userId: c3!.userId, datasetId: dataset.id, participantId: c3!.id, roundId },
		stance: 'opposed',
		body: 'Children should not learn from caricatures.',
	})
	expect(opposed.ok).toBe(true) // #4: opposed → blocking

	const byNumber = async (n: number) =>
		(
			await db
				.select({ id: issues.id, revision: issues.revision })
				.from(issues)
				.where(and(eq(issues.versionId, version.id), eq(issues.number, n)))
		)[0]!
	const triage = async (n: number, input: (revision: number) => TriageInput) => {
		const issue = await byNumber(n)
		expect(await triageIssue({ versionId: version.id, issueId: issue.id, actor: { userId: me.id, datasetId: dataset.id }, input: input(issue.revision) })).toMatchObject({ ok: true })
	}
	await triage(1, () => ({ intent: 'note', note: SECRETS[0]! }))
	await triage(1, (revision) => ({ intent: 'acknowledge', revision }))
	await triage(1, (revision) => ({ intent: 'respond', revision, publicResponse: 'Thank you — we are rewriting the persona prompt for =older= speakers.' }))
	// A response starting with "-": a spreadsheet would read it as a formula, so the CSV neutralises it.
	await triage(2, (revision) => ({ intent: 'respond', revision, publicResponse: '- We removed the slur from the template; the sample is regenerated in v2.' }))
	await triage(3, (revision) => ({
		intent: 'resolve',
		revision,
		resolution: 'documented',
		publicResponse: 'Kept; erasure of regional identity is now listed under known limitations.',
		note: SECRETS[1]!,
	}))
	await triage(4, (revision) => ({ intent: 'blocking', revision, call: 'not_blocking', reason: SECRETS[2]! }))

	await setRoundStatus(owner, roundId, 'close')
	const approved = await changeVersionStatus({
		versionId: version.id,
		datasetId: dataset.id,
		actorId: me.id,
		action: 'approve',
		justification: 'Needed for an internal evaluation only; #1 and #2 are rewritten in v2.',
		mayOverride: true,
	})
	expect(approved).toMatchObject({ ok: true, to: 'approved', overridden: 2 })
	return { owner, dataset, version }
}

const golden = path.resolve('tests/fixtures/report')

/** Ids and instants change every run; the golden files hold placeholders for them. */
function normalise(text: string) {
	return text
		.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
		.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, '<instant>')
		.replace(/\d{4}-\d{2}-\d{2}/g, '<date>')
}

/** Compares with tests/fixtures/report/<name>; UPDATE_GOLDEN=1 (re)writes the file instead. */
function expectGolden(name: string, actual: string) {
	const file = path.join(golden, name)
	if (process.env.UPDATE_GOLDEN === '1') {
		mkdirSync(golden, { recursive: true })
		writeFileSync(file, normalise(actual))
		return
	}
	expect(existsSync(file), `${file} is missing: run once with UPDATE_GOLDEN=1 and review it`).toBe(true)
	expect(normalise(actual)).toBe(readFileSync(file, 'utf8'))
}

const context = { cspNonce: '', clientIp: '198.51.100.7' } as AppLoadContext
type Loader = (args: { request: Request; params: Record<string, string>; context: AppLoadContext }) => Promise<unknown>
async function download(loader: Loader, cookie: string, ext: string) {
	const res = (await loader({ request: getRequest(`/datasets/hints/versions/v1/report.${ext}`, { cookie }), params: P, context })) as Response
	expect(res).toBeInstanceOf(Response)
	return { res, text: await res.text() }
}

describe('the consultation report', () => {
	test('JSON, CSV and Markdown match the golden files, with the right headers', async () => {
		const { owner } = await consultation()

		const json = await download(jsonLoader, owner, 'json')
		expect(json.res.headers.get('Content-Type')).toBe('application/json; charset=utf-8')
		expect(json.res.headers.get('Content-Disposition')).toBe('attachment; filename="hints-v1-consultation.json"')
		expect(json.res.headers.get('Cache-Control')).toBe('private, no-store')
		expectGolden('consultation.json', json.text)

		const csv = await download(csvLoader, owner, 'csv')
		expect(csv.res.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
		expect(csv.res.headers.get('Content-Disposition')).toBe('attachment; filename="hints-v1-consultation.csv"')
		// Decoding dropped the BOM; the bytes start with it.
		const bytes = new Uint8Array(await ((await csvLoader({ request: getRequest('/x', { cookie: owner }), params: P, context })) as Response).arrayBuffer())
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
		expect(csv.text.split('\r\n')).toHaveLength(6) // header, four issues, the final CRLF
		expectGolden('consultation.csv', csv.text)

		const md = await download(mdLoader, owner, 'md')
		expect(md.res.headers.get('Content-Type')).toBe('text/markdown; charset=utf-8')
		expect(md.res.headers.get('Content-Disposition')).toBe('attachment; filename="hints-v1-consultation.md"')
		expectGolden('consultation.md', md.text)

		// What the report says, beyond the golden text.
		const report = JSON.parse(json.text)
		expect(report.participation).toEqual({ community: { count: 3, shown: 'exact' }, expert: { count: null, shown: 'fewer_than_min' }, minGroupSize: 3 })
		expect(report.summary).toMatchObject({ issues: 4, open: 2, acknowledged: 1, resolved: 1, blocking: 2, resolutions: { documented: 1 } })
		expect(report.issues.map((i: { number: number; blocking: boolean; teamCall: string | null }) => [i.number, i.blocking, i.teamCall])).toEqual([
			[1, true, null],
			[2, true, null],
			[3, false, null],
			[4, false, 'not_blocking'],
		])
		expect(report.overrides.current).toMatchObject({ overriddenBlockers: 2, blockers: [1, 2], justification: 'Needed for an internal evaluation only; #1 and #2 are rewritten in v2.' })
		expect(report.overrides.history).toHaveLength(1)
		expect(report.gate).toEqual({ status: 'approved', blocked: true, blockingIssues: 2, openIssues: 3 })
		expect(md.text).toContain('| Community check \\| \\[round 1\\] | 3 | fewer than 3 |')
		expect(csv.text).toContain('"\'- We removed the slur')
	})

	test('no participant or team identity and no internal note in any output or in the page’s loader data', async () => {
		const { owner } = await consultation()
		const outputs = {
			json: (await download(jsonLoader, owner, 'json')).text,
			csv: (await download(csvLoader, owner, 'csv')).text,
			md: (await download(mdLoader, owner, 'md')).text,
			page: JSON.stringify((await run(pageLoader, getRequest('/datasets/hints/versions/v1/report', { cookie: owner }), {}, P)).data),
		}
		const people = await db.select({ email: users.email, name: users.displayName }).from(users)
		expect(people.map((p) => p.name).sort()).toEqual([...COMMUNITY, EXPERT, OWNER].sort())
		const forbidden = [...people.flatMap((p) => [p.email, p.name]), ...SECRETS, ...SECRETS.map((s) => s.slice(0, 20)), 'Reads as a parody', 'Children should not learn']
		for (const [name, text] of Object.entries(outputs)) {
			expect(text.length, name).toBeGreaterThan(500)
			for (const f of forbidden) expect(text.toLowerCase(), `${name} contains ${f}`).not.toContain(f.toLowerCase())
			expect(text, name).not.toMatch(/@example\.org/)
		}
		// What is public is there.
		for (const text of Object.values(outputs)) expect(text).toContain('erasure of regional identity')
	})

	test('only the dataset team may read it: anyone else gets 404 from the page and every download', async () => {
		const { owner } = await consultation()
		const stranger = await account('strangerperson')
		for (const loader of [pageLoader, jsonLoader, csvLoader, mdLoader] as Loader[]) {
			const res = await run(loader, getRequest('/datasets/hints/versions/v1/report', { cookie: stranger }), {}, P)
			expect(res.status).toBe(404)
		}
		const anonymous = await run(jsonLoader as Loader, getRequest('/datasets/hints/versions/v1/report.json'), {}, P)
		expect(anonymous.status).toBe(302)
		const missing = await run(jsonLoader as Loader, getRequest('/x', { cookie: owner }), {}, { slug: 'hints', label: 'v9' })
		expect(missing.status).toBe(404)
	})

	test('the streamed downloads read their issues in batches (a cursor on PostgreSQL, pages on PGlite); the JSON stops at the issues its summary counted', async () => {
		const { owner, dataset, version } = await consultation()
		const json = (await download(jsonLoader, owner, 'json')).text
		const csv = (await download(csvLoader, owner, 'csv')).text
		const joined = async (chunks: AsyncIterable<string>) => {
			let text = ''
			for await (const c of chunks) text += c
			return text
		}
		const fresh = async (batch: number) =>
			getConsultationReportExport({ dataset, version: (await getVersion({ datasetId: dataset.id, label: 'v1' }))!, batch, now: new Date(JSON.parse(json).generatedAt) })
		for (const batch of [1, 3, 4, 1000]) {
			const a = await fresh(batch)
			expect(await joined(toJsonChunks(a.report, a.issues)), `batch ${batch}`).toBe(json)
			expect(await joined(toCsvChunks(a.report, listReportCsvIssues({ versionId: version.id, batch }))), `batch ${batch}`).toBe(csv) // the text of the response, without its BOM
		}
		// An issue numbered after the summary was counted (as a new one would be) is not listed under it.
		const late = await fresh(1)
		await db
			.update(issues)
			.set({ number: 99 })
			.where(and(eq(issues.versionId, version.id), eq(issues.number, 4)))
		const listed = []
		for await (const b of late.issues) listed.push(...b.map((i) => i.number))
		expect(listed).toEqual([1, 2, 3])
	})

	test('a version back in consultation shows the earlier override as lapsed', async () => {
		const { owner, version } = await consultation()
		await db.update(versions).set({ status: 'in_consultation', overriddenBlockers: 0, overrideJustification: null }).where(eq(versions.id, version.id))
		const report = JSON.parse((await download(jsonLoader, owner, 'json')).text)
		expect(report.overrides.current).toBeNull()
		expect(report.overrides.history).toHaveLength(1)
		expect((await download(mdLoader, owner, 'md')).text).toContain('No override is in force now')
	})
})
