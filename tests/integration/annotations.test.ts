import { and, eq } from 'drizzle-orm'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { samples } from '#db/schema/datasets.ts'
import { flags } from '#db/schema/reviews.ts'
import { participants } from '#db/schema/rounds.ts'
import { ANNOTATION_COLUMNS, type AnnotationRow } from '#app/domain/annotations.ts'
import { type FlagInput } from '#app/domain/review.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { addTemplateFeedback, saveVerdict, withdrawFlag } from '#app/models/review.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import * as apiAnnotations from '#app/routes/api+/v1.datasets.$dataset.versions.$version.annotations.ts'
import { loader as csvLoader } from '#app/routes/datasets+/$slug+/versions.$label+/annotations[.]csv.ts'
import { loader as jsonlLoader } from '#app/routes/datasets+/$slug+/versions.$label+/annotations[.]jsonl.ts'
import { loader as parquetLoader } from '#app/routes/datasets+/$slug+/versions.$label+/annotations[.]parquet.ts'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { action as withdrawAction } from '#app/routes/rounds+/$roundId+/withdraw.tsx'
import { getUser } from '#app/utils/auth.server.ts'
import { db } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { account, apiTokenFor, createRound, joinAs, P, setRoundStatus } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()

// Names found nowhere else: seeing one in an export can only be a leak.
const OWNER = 'annotowner'
const COMMUNITY = ['wilhelminaann', 'bartholomewann', 'evangelineann', 'ptolemyann'] as const
const EXPERT = 'ottoliaexpertann'

/**
 * Dataset "hints" v1: a text sample, a chat sample and a formula-like one; a round where four
 * community members and one expert review. The fourth community member withdraws and deletes
 * their feedback; another takes back one flag. Everyone's identity is in the database, never in
 * the export.
 */
async function consultation() {
	const owner = await account(OWNER)
	await run(newDataset, formRequest('/d', { name: 'Hints', slug: 'hints' }, { cookie: owner }))
	await run(newVersion, formRequest('/v', { label: 'v1', generationMethod: 'persona_simulation' }, { cookie: owner }), {}, { slug: 'hints' })
	const me = (await getUser(getRequest('/', { cookie: owner })))!
	const dataset = (await getDatasetForMember({ slug: 'hints', userId: me.id }))!
	const version = (await getVersion({ datasetId: dataset.id, label: 'v1' }))!
	const lines = [
		{ id: 'h-000', content: 'Grandma Rosa bakes tamales all day.', language: 'en', metadata: { persona: { region: 'Oaxaca', age: '60s' }, prompt_id: 't3' } },
		{
			id: 'h-001',
			messages: [
				{ role: 'user', content: '¿Qué comes?' },
				{ role: 'assistant', content: 'Arepas, siempre.' },
			],
			language: 'es',
			metadata: { persona: { region: 'Caracas' } },
		},
		{ id: 'h-002', content: '=HYPERLINK("https://evil.example","click")', metadata: {} },
		{ id: 'h-003', content: 'plain', metadata: {} },
	]
	await runImport({
		versionId: version.id,
		format: 'jsonl',
		filename: 'h.jsonl',
		userId: me.id,
		source: (async function* () {
			yield new TextEncoder().encode(lines.map((l) => JSON.stringify(l)).join('\n'))
		})(),
	})

	const roundId = await createRound(owner, { title: 'Check [1]', overlap: '5' })
	const cookies: Record<string, string> = {}
	for (const name of COMMUNITY) cookies[name] = await joinAs(owner, roundId, name, sink.messages)
	cookies[EXPERT] = await joinAs(owner, roundId, EXPERT, sink.messages, 'expert')
	await setRoundStatus(owner, roundId, 'open')
	const participantOf = async (name: string) =>
		(
			await db
				.select({ id: participants.id, userId: participants.userId, number: participants.number })
				.from(participants)
				.innerJoin(users, eq(users.id, participants.userId))
				.where(and(eq(participants.roundId, roundId), eq(users.email, `${name}@example.org`)))
		)[0]!
	const [a, b, c, d, ex] = await Promise.all([...COMMUNITY, EXPERT].map(participantOf))
	// One shows their name to the team: the export must not.
	await db.update(participants).set({ showName: true }).where(eq(participants.id, a!.id))
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

	// h-000: a flags twice, b sees no concerns (disagreement stays), c skips.
	await flag(a!, 'h-000')
	await flag(a!, 'h-000', {
		category: 'stereotype',
		severity: 'major',
		affectedGroups: ['Oaxaca', 'older women'],
		quotedSpan: '=tamales all day',
		suggestedRewrite: '+Rosa teaches chemistry.',
		unsure: true,
	})
	await saveVerdict({ roundId, participantId: b!.id, sampleId: await sampleId('h-000'), verdict: { kind: 'no_concerns' } })
	await saveVerdict({ roundId, participantId: c!.id, sampleId: await sampleId('h-000'), verdict: { kind: 'skipped', reason: 'Not my language' } })
	// h-001: the expert flags it critical.
	await flag(ex!, 'h-001', { category: 'demeaning', severity: 'critical', affectedGroups: ['Venezuelans'] })
	// h-002: b flags, then takes the flag back: no row.
	await flag(b!, 'h-002', { rationale: 'TAKEN-BACK-FLAG' })
	const [takenRow] = await db.select({ id: flags.id }).from(flags).where(eq(flags.rationale, 'TAKEN-BACK-FLAG'))
	expect(await withdrawFlag({ participantId: b!.id, sampleId: await sampleId('h-002'), flagId: takenRow!.id })).toBeTruthy()
	// d flags h-003 and then withdraws with their feedback deleted: no row, and not counted.
	await flag(d!, 'h-003', { rationale: 'DELETED-ON-WITHDRAWAL' })
	expect((await run(withdrawAction, formRequest('/w', { feedback: 'delete' }, { cookie: cookies[COMMUNITY[3]] }), {}, { roundId })).status).toBe(302)
	// Template feedback from c.
	await addTemplateFeedback({
		roundId,
		participantId: c!.id,
		target: 'persona_definitions',
		kind: 'flag',
		category: 'caricature',
		severity: 'major',
		rationale: 'Every persona from Oaxaca bakes.',
		quotedSpan: '',
	})

	return { owner, me, dataset, version, roundId, a: a!, b: b!, c: c!, ex: ex!, identities: await identities() }
}

/** Every email, name and user id in the database: none may appear in an export. */
async function identities() {
	const rows = await db.select({ id: users.id, email: users.email, name: users.displayName }).from(users)
	return rows.flatMap((r) => [r.id, r.email, r.name]).filter((s) => s.length > 3)
}

async function bodyOf(res: Response): Promise<Uint8Array> {
	return new Uint8Array(await res.arrayBuffer())
}

const download = async (loader: typeof jsonlLoader, cookie: string) => (await loader({ request: getRequest('/x', { cookie }), params: P, context: {} } as never)) as Response

function parseJsonl(bytes: Uint8Array): AnnotationRow[] {
	return new TextDecoder()
		.decode(bytes)
		.split('\n')
		.filter(Boolean)
		.map((l) => JSON.parse(l) as AnnotationRow)
}

describe('the annotations export', () => {
	test('JSONL: every verdict its own row, with sample, round, pseudonym, flag and issue; nothing deleted or taken back; no identity', async () => {
		const w = await consultation()
		const res = await download(jsonlLoader, w.owner)
		expect(res.status).toBe(200)
		expect(res.headers.get('Content-Type')).toMatch(/^application\/x-ndjson/)
		expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="hints-v1-annotations.jsonl"')
		expect(res.headers.get('Cache-Control')).toBe('private, no-store')
		const bytes = await bodyOf(res)
		const rows = parseJsonl(bytes)
		for (const row of rows) expect(Object.keys(row)).toEqual([...ANNOTATION_COLUMNS])
		const text = new TextDecoder().decode(bytes)
		for (const secret of [...w.identities, 'TAKEN-BACK-FLAG', 'DELETED-ON-WITHDRAWAL']) expect(text).not.toContain(secret)

		// a: 2 flags on h-000; b: no concerns; c: skipped and one template flag; the expert: 1 flag.
		expect(rows.map((r) => [r.sample_id ?? r.template_target, r.verdict, r.role])).toEqual([
			['h-000', 'flagged', 'community'],
			['h-000', 'flagged', 'community'],
			['h-000', 'no_concerns', 'community'],
			['h-000', 'skipped', 'community'],
			['h-001', 'flagged', 'expert'],
			['persona_definitions', 'flagged', 'community'],
		])
		const [a1, a2, noConcerns, skipped, expert, template] = rows as [AnnotationRow, AnnotationRow, AnnotationRow, AnnotationRow, AnnotationRow, AnnotationRow]
		// Three community members gave feedback (the one who deleted theirs does not count): pseudonyms shown.
		expect(a1.pseudonym).toBe(`Community member ${w.a.number}`)
		expect(a2.pseudonym).toBe(a1.pseudonym)
		expect(noConcerns.pseudonym).toBe(`Community member ${w.b.number}`)
		expect(template.pseudonym).toBe(`Community member ${w.c.number}`)
		// One expert: fewer than 3, so no pseudonym; the role stays.
		expect(expert.pseudonym).toBeNull()
		expect(a2).toMatchObject({
			version: 'v1',
			round: 'Check [1]',
			round_stage: 'validation',
			content: 'Grandma Rosa bakes tamales all day.',
			messages: null,
			language: 'en',
			metadata: { persona: { region: 'Oaxaca', age: '60s' }, prompt_id: 't3' },
			category: 'stereotype',
			severity: 'major',
			affected_groups: ['Oaxaca', 'older women'],
			quote: '=tamales all day',
			rewrite: '+Rosa teaches chemistry.',
			unsure: true,
			skip_reason: null,
			issue_status: 'open',
			issue_resolution: null,
		})
		expect(a2.issue_number).toBe(a1.issue_number)
		expect(typeof a1.issue_number).toBe('number')
		expect(noConcerns).toMatchObject({ category: null, rationale: null, affected_groups: [], issue_number: null, unsure: null })
		expect(skipped).toMatchObject({ verdict: 'skipped', skip_reason: 'Not my language', issue_number: null })
		expect(expert).toMatchObject({
			sample_id: 'h-001',
			content: null,
			messages: [
				{ role: 'user', content: '¿Qué comes?' },
				{ role: 'assistant', content: 'Arepas, siempre.' },
			],
			severity: 'critical',
			issue_blocking: true,
		})
		expect(template).toMatchObject({ sample_id: null, content: null, metadata: null, template_target: 'persona_definitions', rationale: 'Every persona from Oaxaca bakes.' })
	})

	test('CSV: the same rows, formula-like cells neutralised, no identity', async () => {
		const w = await consultation()
		const res = await download(csvLoader, w.owner)
		expect(res.headers.get('Content-Type')).toMatch(/^text\/csv/)
		const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await bodyOf(res))
		expect(text.startsWith('\uFEFF"version","round","round_stage","sample_id"')).toBe(true)
		expect(text.split('\r\n').filter(Boolean)).toHaveLength(7)
		expect(text).toContain(`"'=tamales all day"`)
		expect(text).toContain(`"'+Rosa teaches chemistry."`)
		expect(text).toContain('"Oaxaca; older women"')
		expect(text).toContain('"{""persona"":{""age"":""60s"",""region"":""Oaxaca""},""prompt_id"":""t3""}"')
		for (const secret of w.identities) expect(text).not.toContain(secret)
	})

	test('Parquet: the same rows, typed and nested (messages a list of structs), read back with a Parquet reader', async () => {
		const w = await consultation()
		const jsonl = parseJsonl(await bodyOf(await download(jsonlLoader, w.owner)))
		const res = await download(parquetLoader, w.owner)
		expect(res.headers.get('Content-Type')).toBe('application/vnd.apache.parquet')
		const bytes = await bodyOf(res)
		const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
		const meta = parquetMetadata(file)
		expect(meta.key_value_metadata).toContainEqual({ key: 'roundtable.format', value: 'roundtable.annotations/1' })
		const rows = (await parquetReadObjects({ file })) as Array<Record<string, unknown>>
		expect(rows).toHaveLength(jsonl.length)
		rows.forEach((row, i) => {
			const expected = jsonl[i]!
			// A null list or JSON value reads back as undefined.
			expect(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v ?? null]))).toEqual(expected)
		})
		const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
		for (const secret of w.identities) expect(text).not.toContain(secret)
	})

	test('only the team: a participant and a stranger get 404', async () => {
		await consultation()
		const stranger = await account('strangerann')
		const participant = await account('participantann')
		for (const cookie of [stranger, participant]) await expect(download(jsonlLoader, cookie)).rejects.toMatchObject({ status: 404 })
	})

	test('the API: a scoped token downloads each format; a bad format is 400; another dataset is 404', async () => {
		const w = await consultation()
		const created = await apiTokenFor(w.owner, 'ci')
		const token = created
		const call = (query: string, dataset = 'hints') =>
			apiAnnotations.loader({
				request: new Request(`${TEST_ORIGIN}/api/v1/datasets/${dataset}/versions/v1/annotations${query}`, { headers: { Authorization: `Bearer ${token}` } }),
				params: { dataset, version: 'v1' },
				context: {},
			} as never)
		const jsonl = parseJsonl(await bodyOf(await call('')))
		expect(jsonl).toHaveLength(6)
		const csv = await call('?format=csv')
		expect(csv.headers.get('Content-Disposition')).toBe('attachment; filename="hints-v1-annotations.csv"')
		expect(
			new TextDecoder()
				.decode(await bodyOf(csv))
				.split('\r\n')
				.filter(Boolean),
		).toHaveLength(7)
		const parquet = await bodyOf(await call('?format=parquet'))
		expect(new TextDecoder().decode(parquet.slice(0, 4))).toBe('PAR1')
		const bad = await call('?format=xlsx')
		expect(bad.status).toBe(400)
		expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_query')
		expect((await call('', 'other')).status).toBe(404)
	})

	test('an empty version exports nothing but a CSV header and a valid, empty Parquet file', async () => {
		const owner = await account(OWNER)
		await run(newDataset, formRequest('/d', { name: 'Hints', slug: 'hints' }, { cookie: owner }))
		await run(newVersion, formRequest('/v', { label: 'v1', generationMethod: 'other' }, { cookie: owner }), {}, { slug: 'hints' })
		expect(await bodyOf(await download(jsonlLoader, owner))).toHaveLength(0)
		expect(
			new TextDecoder()
				.decode(await bodyOf(await download(csvLoader, owner)))
				.split('\r\n')
				.filter(Boolean),
		).toHaveLength(1)
		const bytes = await bodyOf(await download(parquetLoader, owner))
		const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
		expect(await parquetReadObjects({ file })).toEqual([])
	})
})
