import { and, eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { imports, samples, versions } from '#db/schema/datasets.ts'
import { sampleBandGroups, versionSimilarity } from '#db/schema/similar.ts'
import { buildNextSimilarity, buildPendingSimilarity } from '#app/jobs/similar.server.ts'
import { DEFAULT_MIN_SIMILARITY, jaccard, shingles } from '#app/domain/similar/minhash.ts'
import { createApiToken } from '#app/models/api-token.server.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { claimSimilarity, findSimilar, getSimilarityState, storeSimilarity } from '#app/models/similar.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import { loader as similarLoader } from '#app/routes/api+/v1.datasets.$dataset.versions.$version.samples_.$externalId.similar.ts'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { getUser } from '#app/utils/auth.server.ts'
import { db, query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { responseProblems } from '#tests/openapi-validator.ts'
import { account } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'
import { makeCorpus, SCRIPTS, type Script } from '#tests/similar-corpus.ts'

useTestDatabase()

const P = { slug: 'near', label: 'v1' }
const API_PATH = '/api/v1/datasets/{dataset}/versions/{version}/samples/{externalId}/similar'

/** Words no other text of the file uses, so unrelated texts share no word pair. */
const words = (prefix: string, n: number) => Array.from({ length: n }, (_, k) => `${prefix}${k}`)
const BASE = words('base', 40)
/** BASE with the words at these positions replaced: each replaced word takes two of its 39 word pairs and brings two new ones. */
const edited = (positions: number[], tag: string) => BASE.map((w, k) => (positions.includes(k) ? `${tag}${k}` : w)).join(' ')
const T0 = words('tmpl', 30)

type Row = { id: string; content: string; metadata?: Record<string, unknown> }

/**
 * a-0 and its planted near-duplicates: a-3 a copy (1), a-1 one word changed (37/41), a-2 three words
 * (33/45); a-4 ten words (19/59), below the threshold. t-0 … t-4 carry template × persona metadata
 * (t-1 and t-2 share both with t-0, t-3 only the template, t-4 only the persona); t-5 shares t-0's text
 * but neither key. Thirty fillers of words of their own.
 */
function file(): Row[] {
	const rows: Row[] = [
		{ id: 'a-0', content: BASE.join(' ') },
		{ id: 'a-1', content: edited([20], 'one') },
		{ id: 'a-2', content: edited([8, 20, 32], 'three') },
		{ id: 'a-3', content: BASE.join(' ') },
		{ id: 'a-4', content: edited([2, 6, 10, 14, 18, 22, 26, 30, 34, 38], 'ten') },
		{ id: 't-0', content: T0.join(' '), metadata: { template: 'greet', persona: { name: 'Ana', age: 30 } } },
		{ id: 't-1', content: words('tone', 12).join(' '), metadata: { template: 'greet', persona: { name: 'Ana', age: 41 } } },
		{ id: 't-2', content: words('ttwo', 12).join(' '), metadata: { template: 'greet', persona: { name: 'Ana' } } },
		{ id: 't-3', content: words('tthree', 12).join(' '), metadata: { template: 'greet', persona: { name: 'Bo' } } },
		{ id: 't-4', content: words('tfour', 12).join(' '), metadata: { template: 'bye', persona: { name: 'Ana' } } },
		{ id: 't-5', content: T0.map((w, k) => (k === 15 ? 'changed' : w)).join(' '), metadata: { template: 'bye', persona: { name: 'Cy' } } },
	]
	for (let i = 0; i < 30; i++) rows.push({ id: `f-${String(i).padStart(2, '0')}`, content: words(`fill${i}x`, 20).join(' ') })
	return rows
}
const FILE = file()
const text = (id: string) => FILE.find((r) => r.id === id)!.content
const exact = (a: string, b: string) => jaccard(shingles(text(a)), shingles(text(b)))
const round3 = (x: number) => Math.round(x * 1000) / 1000
/** Identical texts share every band: at least this many stored groups hold both (32, fewer only if two positions' values coincide). */
const BANDS_OF_A_COPY = 31

async function importRows(versionId: string, userId: string, rows: Array<Record<string, unknown>>) {
	const body = rows.map((r) => JSON.stringify(r)).join('\n')
	const outcome = await runImport({
		versionId,
		format: 'jsonl',
		filename: 'near.jsonl',
		userId,
		source: (async function* () {
			yield new TextEncoder().encode(body)
		})(),
	})
	expect(outcome.status).toBe('succeeded')
	return outcome
}

/** Owner, dataset, version (template and persona keys marked through the new-version form), the file imported, an API token. */
async function setup({ rows = FILE as Array<Record<string, unknown>>, keys = { templateKey: 'template', personaKey: 'persona.name' } as Record<string, string> | null } = {}) {
	const owner = await account('owner')
	await run(newDataset, formRequest('/d', { name: 'Near', slug: P.slug }, { cookie: owner }))
	const fields: Record<string, string> = { label: P.label, generationMethod: 'templates' }
	if (keys) Object.assign(fields, keys)
	const created = await run(newVersion, formRequest('/v', fields, { cookie: owner }), {}, { slug: P.slug })
	expect(created.status, JSON.stringify(created.data)).toBe(302)
	const me = (await getUser(getRequest('/', { cookie: owner })))!
	const dataset = (await getDatasetForMember({ slug: P.slug, userId: me.id }))!
	const version = (await getVersion({ datasetId: dataset.id, label: P.label }))!
	const outcome = await importRows(version.id, me.id, rows)
	const token = await createApiToken({ userId: me.id, name: 'pipeline', datasetSlugs: [P.slug] })
	if (!('token' in token)) throw new Error('no token')
	return { owner, userId: me.id, versionId: version.id, importId: outcome.importId!, token: token.token.token }
}

type SimilarBody = {
	sample: { id: string }
	min: number
	total: number
	capped: boolean
	index: { status: string; samples_done?: number; samples_total?: number; error?: string }
	similar: Array<{ id: string; similarity: number; shared: string[] }>
}

async function apiGet(token: string, externalId: string, search = '') {
	const res = await run(
		similarLoader,
		getRequest(`/api/v1/datasets/${P.slug}/versions/${P.label}/samples/${encodeURIComponent(externalId)}/similar${search}`, { headers: { Authorization: `Bearer ${token}` } }),
		{},
		{ dataset: P.slug, version: P.label, externalId },
	)
	// Whatever it answers is exactly what the OpenAPI document says.
	expect(responseProblems('get', API_PATH, res.status, res.data, res.headers)).toEqual([])
	return { status: res.status, body: res.data as SimilarBody, data: res.data }
}

const groupsOf = async (importId: string) => db.select().from(sampleBandGroups).where(eq(sampleBandGroups.importId, importId))
const idOf = async (importId: string, externalId: string) =>
	(
		await db
			.select({ id: samples.id })
			.from(samples)
			.where(and(eq(samples.importId, importId), eq(samples.externalId, externalId)))
	)[0]!.id

describe('similar samples (issue #22)', () => {
	test('the import queues the index; until it is built only template × persona matches are listed; the job builds it; then the planted near-duplicates, exact, most similar first', async () => {
		const w = await setup()
		const version = await db.select({ templateKey: versions.templateKey, personaKey: versions.personaKey }).from(versions).where(eq(versions.id, w.versionId))
		expect(version).toEqual([{ templateKey: 'template', personaKey: 'persona.name' }])

		// Queued in the import's own transaction.
		expect(await getSimilarityState(w.versionId)).toEqual({ status: 'queued', total: FILE.length })
		const [queuedRow] = await db.select().from(versionSimilarity).where(eq(versionSimilarity.versionId, w.versionId))
		expect(queuedRow).toMatchObject({ importId: w.importId, status: 'queued', samplesDone: 0, samplesTotal: FILE.length, attempts: 0, groups: null, computedAt: null })
		expect(await groupsOf(w.importId)).toEqual([])

		// Before the job: no text match for a-0, though it has four planted near-duplicates …
		const early = await apiGet(w.token, 'a-0')
		expect(early.status).toBe(200)
		expect(early.body).toEqual({ sample: { id: 'a-0' }, min: DEFAULT_MIN_SIMILARITY, total: 0, capped: false, index: { status: 'queued' }, similar: [] })
		// … but t-0's template × persona (both keys: t-3 has only the template, t-4 only the persona; t-5 only the text).
		const earlyT = await apiGet(w.token, 't-0')
		expect(earlyT.body.index).toEqual({ status: 'queued' })
		expect(earlyT.body.similar).toEqual([
			{ id: 't-1', similarity: 0, shared: ['template', 'persona'] },
			{ id: 't-2', similarity: 0, shared: ['template', 'persona'] },
		])
		expect(earlyT.body.total).toBe(2)

		// A claimed index says how far it got.
		const claim = (await claimSimilarity())!
		expect(claim).toMatchObject({ versionId: w.versionId, importId: w.importId, attempts: 1, total: FILE.length })
		expect(await claimSimilarity()).toBeNull()
		expect((await apiGet(w.token, 'a-0')).body.index).toEqual({ status: 'running', samples_done: 0, samples_total: FILE.length })
		// Given back as if its process died long ago, so the job claims it again.
		await db
			.update(versionSimilarity)
			.set({ heartbeatAt: new Date(Date.now() - 3_600_000) })
			.where(eq(versionSimilarity.versionId, w.versionId))

		// Small batches: several progress writes, then the groups in one transaction.
		expect(await buildNextSimilarity({ batch: 8 })).toEqual({ versionId: w.versionId, status: 'succeeded' })
		expect(await buildNextSimilarity()).toBeNull()
		const [row] = await db.select().from(versionSimilarity).where(eq(versionSimilarity.versionId, w.versionId))
		expect(row).toMatchObject({ status: 'succeeded', samplesDone: FILE.length, samplesTotal: FILE.length, attempts: 2, error: null })
		expect(row!.computedAt).toBeInstanceOf(Date)
		const state = await getSimilarityState(w.versionId)
		expect(state).toEqual({ status: 'succeeded', computedAt: row!.computedAt!.toISOString() })

		// The stored groups: a-0 and its copy a-3 share every band; nothing of a filler is in any group.
		const groups = await groupsOf(w.importId)
		expect(groups.length).toBeGreaterThanOrEqual(BANDS_OF_A_COPY)
		expect(row!.groups).toBeGreaterThanOrEqual(groups.length)
		const [a0, a3, filler] = await Promise.all([idOf(w.importId, 'a-0'), idOf(w.importId, 'a-3'), idOf(w.importId, 'f-07')])
		expect(groups.filter((g) => g.sampleIds.map(Number).includes(a0) && g.sampleIds.map(Number).includes(a3)).length).toBeGreaterThanOrEqual(BANDS_OF_A_COPY)
		expect(groups.some((g) => g.sampleIds.map(Number).includes(filler))).toBe(false)
		for (const g of groups) expect(g.sampleIds.length).toBeGreaterThanOrEqual(2)

		// The model: exact Jaccard, the planted ones above the threshold, a-4 (19/59) not.
		expect(exact('a-0', 'a-1')).toBeCloseTo(37 / 41, 10)
		expect(exact('a-0', 'a-2')).toBeCloseTo(33 / 45, 10)
		expect(exact('a-0', 'a-4')).toBeCloseTo(19 / 59, 10)
		const found = (await findSimilar({ versionId: w.versionId, externalId: 'a-0', min: DEFAULT_MIN_SIMILARITY }))!
		expect(found.source).toEqual({ id: a0, externalId: 'a-0' })
		expect(found.similar.map((s) => [s.externalId, s.similarity, s.shared])).toEqual([
			['a-3', 1, ['text']],
			['a-1', exact('a-0', 'a-1'), ['text']],
			['a-2', exact('a-0', 'a-2'), ['text']],
		])
		expect(found.similar[0]!.contentHash).toMatch(/^[0-9a-f]{64}$/)
		expect(found.capped).toBe(false)

		// The API: the same, rounded, with total and the index state.
		const ready = await apiGet(w.token, 'a-0')
		expect(ready.status).toBe(200)
		expect(ready.body).toEqual({
			sample: { id: 'a-0' },
			min: 0.6,
			total: 3,
			capped: false,
			index: { status: 'succeeded' },
			similar: [
				{ id: 'a-3', similarity: 1, shared: ['text'] },
				{ id: 'a-1', similarity: round3(37 / 41), shared: ['text'] },
				{ id: 'a-2', similarity: round3(33 / 45), shared: ['text'] },
			],
		})
		for (const s of ready.body.similar) expect(s.similarity).toBeGreaterThanOrEqual(0.6)
		// Seen from a near-duplicate, a-0 is found too (the lookup is symmetric).
		// a-0 and a-3 at 37/41 (ties by id), a-2 at 33/45.
		expect((await apiGet(w.token, 'a-1')).body.similar.map((s) => [s.id, s.similarity])).toEqual([
			['a-0', round3(37 / 41)],
			['a-3', round3(37 / 41)],
			['a-2', round3(33 / 45)],
		])
		// limit pages the list, total still counts them all; min raises the bar.
		const one = await apiGet(w.token, 'a-0', '?limit=1')
		expect(one.body).toMatchObject({ total: 3, similar: [{ id: 'a-3' }] })
		expect((await apiGet(w.token, 'a-0', '?min=0.8&limit=200')).body).toMatchObject({ min: 0.8, total: 2, similar: [{ id: 'a-3' }, { id: 'a-1' }] })
		expect((await apiGet(w.token, 'a-0', '?min=1')).body).toMatchObject({ min: 1, total: 1, similar: [{ id: 'a-3' }] })
		// Blank fields are the defaults (a GET form sends them).
		expect((await apiGet(w.token, 'a-0', '?min=&limit=')).body).toMatchObject({ min: 0.6, total: 3 })

		// t-0: its near-duplicate t-5 by text (first, the most similar), t-1 and t-2 by template × persona.
		const t = await apiGet(w.token, 't-0')
		expect(t.body.similar).toEqual([
			{ id: 't-5', similarity: round3(exact('t-0', 't-5')), shared: ['text'] },
			{ id: 't-1', similarity: 0, shared: ['template', 'persona'] },
			{ id: 't-2', similarity: 0, shared: ['template', 'persona'] },
		])
		// A filler: nothing like it.
		expect((await apiGet(w.token, 'f-03')).body).toMatchObject({ total: 0, similar: [], index: { status: 'succeeded' } })
	})

	test('a bad query is a 400 naming the fields; an unknown sample, version or dataset a 404; another dataset’s token sees nothing', async () => {
		const w = await setup()
		for (const [search, fields] of [
			['?min=2', ['min']],
			['?min=0.05', ['min']],
			['?min=abc', ['min']],
			['?limit=0', ['limit']],
			['?limit=201', ['limit']],
			['?limit=2.5', ['limit']],
			['?min=2&limit=0', ['limit', 'min']],
		] as const) {
			const res = await apiGet(w.token, 'a-0', search)
			expect(res.status, search).toBe(400)
			const error = (res.data as { error: { code: string; details: { fields: Record<string, string[]> } } }).error
			expect(error.code).toBe('invalid_query')
			expect(Object.keys(error.details.fields).sort(), search).toEqual([...fields])
			// In words (the schema's translation keys, in English), not the keys themselves.
			expect(error.details.fields.min ?? [], search).toEqual((fields as readonly string[]).includes('min') ? ['Enter a similarity from 0.1 to 1.'] : [])
			expect(error.details.fields.limit ?? [], search).toEqual((fields as readonly string[]).includes('limit') ? ['Enter a whole number from 1 to 200.'] : [])
		}
		const missing = await apiGet(w.token, 'nope')
		expect(missing.status).toBe(404)
		expect(missing.data).toMatchObject({ error: { code: 'not_found' } })
		expect(JSON.stringify(missing.data)).toContain('nope')
		const noVersion = await run(
			similarLoader,
			getRequest(`/api/v1/datasets/${P.slug}/versions/v9/samples/a-0/similar`, { headers: { Authorization: `Bearer ${w.token}` } }),
			{},
			{ dataset: P.slug, version: 'v9', externalId: 'a-0' },
		)
		expect(noVersion.status).toBe(404)
		expect(responseProblems('get', API_PATH, 404, noVersion.data, noVersion.headers)).toEqual([])

		const stranger = await account('stranger')
		await run(newDataset, formRequest('/d', { name: 'Other', slug: 'other' }, { cookie: stranger }))
		const strangerId = (await getUser(getRequest('/', { cookie: stranger })))!.id
		const other = await createApiToken({ userId: strangerId, name: 'other', datasetSlugs: ['other'] })
		if (!('token' in other)) throw new Error('no token')
		const denied = await apiGet(other.token.token, 'a-0')
		expect(denied.status).toBe(404)
		expect(JSON.stringify(denied.data)).not.toContain('a-3')
		// POST is not a way in.
		const post = await run(
			(await import('#app/routes/api+/v1.datasets.$dataset.versions.$version.samples_.$externalId.similar.ts')).action,
			new Request(`http://localhost:3000/api/v1/datasets/${P.slug}/versions/${P.label}/samples/a-0/similar`, { method: 'POST', headers: { Authorization: `Bearer ${w.token}` } }),
			{},
			{ dataset: P.slug, version: P.label, externalId: 'a-0' },
		)
		expect(post.status).toBe(405)
	})

	test('without template and persona keys, metadata alone matches nothing', async () => {
		const w = await setup({ keys: null })
		expect((await apiGet(w.token, 't-0')).body).toMatchObject({ total: 0, similar: [], index: { status: 'queued' } })
		// The scheduler's pass builds what is queued, then finds nothing more.
		expect(await buildPendingSimilarity()).toEqual([{ versionId: w.versionId, status: 'succeeded' }])
		expect(await buildPendingSimilarity()).toEqual([])
		expect((await apiGet(w.token, 't-0')).body.similar).toEqual([{ id: 't-5', similarity: round3(exact('t-0', 't-5')), shared: ['text'] }])
	})

	test('template × persona means the same values: a persona object with one more field, or a template list with one more item, is another one', async () => {
		const ana = { name: 'Ana', age: 30 }
		const rows = [
			{ id: 'p-0', content: words('pzero', 10).join(' '), metadata: { template: 'greet', persona: ana } },
			{ id: 'p-1', content: words('pone', 10).join(' '), metadata: { template: 'greet', persona: { age: 30, name: 'Ana' } } },
			{ id: 'p-2', content: words('ptwo', 10).join(' '), metadata: { template: 'greet', persona: { ...ana, city: 'Lima' } } },
			{ id: 'p-3', content: words('pthree', 10).join(' '), metadata: { template: ['greet', 'ask'], persona: ana } },
			{ id: 'p-4', content: words('pfour', 10).join(' '), metadata: { template: ['greet', 'ask', 'bye'], persona: ana } },
			{ id: 'p-5', content: words('pfive', 10).join(' '), metadata: { template: ['greet', 'ask'], persona: ana } },
		]
		const w = await setup({ rows, keys: { templateKey: 'template', personaKey: 'persona' } })
		expect((await apiGet(w.token, 'p-0')).body.similar).toEqual([{ id: 'p-1', similarity: 0, shared: ['template', 'persona'] }])
		expect((await apiGet(w.token, 'p-3')).body.similar).toEqual([{ id: 'p-5', similarity: 0, shared: ['template', 'persona'] }])
		// Nothing is listed that shares neither text nor both keys.
		for (const id of ['p-2', 'p-4']) expect((await apiGet(w.token, id)).body).toMatchObject({ total: 0, similar: [] })
	})

	test('a re-import queues the index again and drops the old sample set’s groups; a run that was building the old one is superseded', async () => {
		const w = await setup()
		expect(await buildNextSimilarity()).toMatchObject({ status: 'succeeded' })
		expect((await groupsOf(w.importId)).length).toBeGreaterThan(0)

		const again = await importRows(w.versionId, w.userId, FILE)
		expect(await getSimilarityState(w.versionId)).toEqual({ status: 'queued', total: FILE.length })
		expect(await groupsOf(w.importId)).toEqual([])
		expect(await groupsOf(again.importId!)).toEqual([])
		expect((await apiGet(w.token, 'a-0')).body).toMatchObject({ total: 0, index: { status: 'queued' } })

		// A run waiting for an import under way (its claim kept) while the version is re-imported: superseded, nothing written.
		const [live] = await db.insert(imports).values({ versionId: w.versionId, format: 'jsonl', status: 'running' }).returning({ id: imports.id })
		const job = buildNextSimilarity({ yieldPollMs: 10 })
		for (let i = 0; i < 200 && (await getSimilarityState(w.versionId)).status !== 'running'; i++) await new Promise((resolve) => setTimeout(resolve, 10))
		expect(await getSimilarityState(w.versionId)).toEqual({ status: 'running', done: 0, total: FILE.length })
		const third = await importRows(w.versionId, w.userId, FILE)
		await db.update(imports).set({ status: 'failed' }).where(eq(imports.id, live!.id))
		expect(await job).toEqual({ versionId: w.versionId, status: 'superseded' })
		expect(await getSimilarityState(w.versionId)).toEqual({ status: 'queued', total: FILE.length })
		const left = await query<{ n: number }>(sql`select count(*)::int as n from ${sampleBandGroups}`)
		expect(left[0]!.n).toBe(0)

		// The new sample set's index is built, and read.
		expect(await buildNextSimilarity()).toEqual({ versionId: w.versionId, status: 'succeeded' })
		const [row] = await db.select({ importId: versionSimilarity.importId }).from(versionSimilarity).where(eq(versionSimilarity.versionId, w.versionId))
		expect(row!.importId).toBe(third.importId)
		expect((await groupsOf(third.importId!)).length).toBeGreaterThan(0)
		expect((await apiGet(w.token, 'a-0')).body).toMatchObject({ total: 3, index: { status: 'succeeded' }, similar: [{ id: 'a-3' }, { id: 'a-1' }, { id: 'a-2' }] })
	})

	test('a stale claim stores nothing; a band value two groups share is stored as one row holding both', async () => {
		const w = await setup()
		const claim = (await claimSimilarity())!
		const [a, b, c, d] = await Promise.all(['a-0', 'a-1', 'a-2', 'a-3'].map((id) => idOf(w.importId, id)))
		// The same value at two band positions, in one statement's batch.
		const groups = [
			{ band: 5, sampleIds: [a!, b!] },
			{ band: -7, sampleIds: [a!, c!] },
			{ band: 5, sampleIds: [c!, d!] },
		]
		expect(await storeSimilarity(claim, groups, 4)).toBe(true)
		const stored = (await groupsOf(w.importId)).map((g) => [g.band, g.sampleIds.map(Number).sort((x, y) => x - y)]).sort((x, y) => Number(x[0]) - Number(y[0]))
		expect(stored).toEqual([
			[-7, [a!, c!].sort((x, y) => x - y)],
			[5, [a!, b!, c!, d!].sort((x, y) => x - y)],
		])
		// The claim is spent (succeeded): storing again with it writes nothing.
		await db.delete(sampleBandGroups)
		expect(await storeSimilarity(claim, groups, 4)).toBe(false)
		expect(await groupsOf(w.importId)).toEqual([])
	})
})

describe('quality on a corpus of planted near-duplicates, through the import and the job', () => {
	test('in Latin, Chinese and Arabic: recall ≥ 0.9 and precision ≥ 0.95 against brute-force exact Jaccard at 0.6', async () => {
		const corpus = makeCorpus({ seed: 2207, families: 240, variantsPerFamily: 3, singles: 1800 })
		expect(corpus.length).toBe(2760)
		const w = await setup({ rows: corpus.map((c) => ({ id: c.id, content: c.text, language: c.script === 'han' ? 'zh' : c.script === 'arabic' ? 'ar' : 'fr' })), keys: null })
		expect(await buildNextSimilarity()).toEqual({ versionId: w.versionId, status: 'succeeded' })

		const min = DEFAULT_MIN_SIMILARITY
		const sets = corpus.map((c) => shingles(c.text))
		const perScript = Object.fromEntries(SCRIPTS.map((s) => [s, { truth: 0, found: 0, correct: 0 }])) as Record<Script, { truth: number; found: number; correct: number }>
		// The first text of each family, looked up against every text of the corpus.
		for (let i = 0; i < corpus.length; i++) {
			const source = corpus[i]!
			if (!source.id.endsWith('-0')) continue
			const truth = new Map<string, number>()
			for (let j = 0; j < corpus.length; j++) {
				if (j === i) continue
				const similarity = jaccard(sets[i]!, sets[j]!)
				if (similarity >= min) truth.set(corpus[j]!.id, similarity)
			}
			const found = (await findSimilar({ versionId: w.versionId, externalId: source.id, min }))!
			const reported = found.similar.filter((s) => s.shared.includes('text'))
			const tally = perScript[source.script]
			tally.truth += truth.size
			tally.found += reported.length
			for (const s of reported) {
				// Exact, not estimated: the brute force's own number.
				expect(s.similarity).toBe(jaccard(sets[i]!, shingles(corpus.find((c) => c.id === s.externalId)!.text)))
				if (truth.has(s.externalId)) tally.correct++
			}
			expect(found.capped).toBe(false)
		}
		for (const s of SCRIPTS) {
			const { truth, found, correct } = perScript[s]
			// The corpus does plant pairs above the threshold in every script.
			expect(truth, s).toBeGreaterThan(40)
			expect(correct / truth, `${s} recall`).toBeGreaterThanOrEqual(0.9)
			expect(correct / found, `${s} precision`).toBeGreaterThanOrEqual(0.95)
		}
	})
})
