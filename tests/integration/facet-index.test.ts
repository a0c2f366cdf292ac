/**
 * Facet counts from a version's columns in memory (decision 053) are exactly the database's recount
 * under the same filters: random versions, random filters (values of one key are alternatives, keys
 * combine, the search, the language, search fields, values in no dictionary, "more", searching
 * within a key), and what happens when a version's sample set is replaced.
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { createDataset } from '#app/models/dataset.server.ts'
import { facetIndex } from '#app/models/facet-index.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { countSamples, countSamplesSql, facetCounts, facetCountsSql, resolveFilters, type SampleFilters } from '#app/models/sample.server.ts'
import { createVersion } from '#app/models/version.server.ts'
import { db } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { emptyProvenance } from '#tests/version-fixtures.ts'

useTestDatabase()

const WORDS = ['tea', 'café', '学生', 'เรียน', 'книга', 'مكتبة', 'river', 'सड़क']
const COLORS = ['red', 'Rot', 'rouge', '赤', 'أحمر', 'ñandú', 'azul']
const LANGUAGES = ['en', 'es', 'zh', null] as const

type Row = { id: string; content: string; language?: string; metadata: Record<string, unknown> }

const rowArb = fc.record({
	words: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 }),
	language: fc.constantFrom(...LANGUAGES),
	color: fc.option(fc.constantFrom(...COLORS), { nil: undefined }),
	size: fc.constantFrom<unknown>(1, 2, 3, 10, 'L', true, false, undefined),
	group: fc.option(fc.constantFrom('α', 'β', 'γ', 'δ'), { nil: undefined }),
	tier: fc.constantFrom('gold', 'silver'),
	// More values than the top 20: a chosen value beyond them is still listed.
	topic: fc.integer({ min: 0, max: 29 }),
})
const versionArb = fc.array(rowArb, { minLength: 1, maxLength: 60 }).map((rows) =>
	rows.map((r, i): Row => ({
		id: `s-${String(i).padStart(3, '0')}`,
		content: r.words.join(' '),
		...(r.language ? { language: r.language } : {}),
		metadata: {
			...(r.color !== undefined ? { color: r.color } : {}),
			...(r.size !== undefined ? { size: r.size } : {}),
			topic: `t${r.topic}`,
			persona: { ...(r.group !== undefined ? { group: r.group } : {}), tier: r.tier },
			// Unique per sample: a search field (or, with few samples, a key not offered), matched in the metadata.
			ref: `ref-${i}`,
		},
	})),
)

let datasets = 0
async function importVersion(rows: Row[], versionId?: string) {
	let owner: string
	if (!versionId) {
		const [user] = await db
			.insert(users)
			.values({ email: `f${++datasets}@example.org`, displayName: 'F', passwordHash: 'x' })
			.returning({ id: users.id })
		owner = user!.id
		const dataset = await createDataset({ slug: `facets-${datasets}`, name: 'Facets', description: '', ownerId: owner })
		const v = await createVersion({ datasetId: dataset!.id, label: 'v1', parentLabel: null, userId: owner, ...emptyProvenance })
		versionId = v.version!.id
	} else {
		const [user] = await db.select({ id: users.id }).from(users).limit(1)
		owner = user!.id
	}
	const body = rows.map((r) => JSON.stringify(r)).join('\n')
	const outcome = await runImport({
		versionId,
		format: 'jsonl',
		filename: 'f.jsonl',
		userId: owner,
		source: (async function* () {
			yield new TextEncoder().encode(body)
		})(),
	})
	expect(outcome.status).toBe('succeeded')
	return { importId: outcome.importId, versionId }
}

const KEYS = ['color', 'size', 'persona.group', 'persona.tier', 'ref', 'topic']
/** Filters drawn from values that exist, values that don't, and literals typed as text ("10", "true"). */
const filterArb = fc.record({
	attributes: fc.array(
		fc.oneof(
			fc.record({ path: fc.constant('color'), value: fc.constantFrom(...COLORS, 'purple') }),
			fc.record({ path: fc.constant('size'), value: fc.constantFrom('1', '2', '3', '10', 'L', 'true', 'false', '010') }),
			fc.record({ path: fc.constant('persona.group'), value: fc.constantFrom('α', 'β', 'γ', 'δ') }),
			fc.record({ path: fc.constant('persona.tier'), value: fc.constantFrom('gold', 'silver') }),
			fc.record({ path: fc.constant('topic'), value: fc.integer({ min: 0, max: 31 }).map((i) => `t${i}`) }),
			fc.record({ path: fc.constant('ref'), value: fc.integer({ min: 0, max: 70 }).map((i) => `ref-${i}`) }),
		),
		{ maxLength: 4 },
	),
	language: fc.option(fc.constantFrom('en', 'es', 'zh', 'xx'), { nil: null }),
	q: fc.option(
		fc.oneof(
			fc.constantFrom(...WORDS),
			fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...WORDS)).map(([a, b]) => `${a} -${b}`),
		),
		{ nil: null },
	),
	more: fc.option(fc.constantFrom(...KEYS), { nil: null }),
	find: fc.option(fc.record({ key: fc.constantFrom(...KEYS), text: fc.constantFrom('R', 'nandu', 'a', '1', 'x', 'ILV') }), { nil: null }),
})

type Filter = typeof filterArb extends fc.Arbitrary<infer T> ? T : never
async function sameAsDatabase(importId: string, filter: Filter) {
	const filters: SampleFilters = { attributes: filter.attributes, language: filter.language, q: filter.q }
	const options = { more: filter.more, find: filter.find ? { [filter.find.key]: filter.find.text } : {} }
	// Each path gets its own resolved filters (an evaluation is remembered per resolved request).
	const [ours, n] = await (async () => {
		const f = await resolveFilters(importId, filters)
		return Promise.all([facetCounts(f, options), countSamples(f)])
	})()
	const f = await resolveFilters(importId, filters)
	expect(ours).toEqual(await facetCountsSql(f, options))
	expect(n).toBe(await countSamplesSql(f))
	// Same keys in both, whatever the order of the map.
	expect([...ours.keys()].sort()).toEqual([...(await facetCountsSql(f, options)).keys()].sort())
}

describe('facet counts from the columns in memory', () => {
	test('equal the database’s recount for random versions and random filters', async () => {
		const versions = fc.sample(versionArb, { numRuns: 3, seed: 20261205 })
		// One version large enough for a search field and for keys beyond the top values.
		versions.push(
			Array.from({ length: 200 }, (_, i) => versions[i % versions.length]![i % versions[i % versions.length]!.length]!).map((r, i) => ({
				...r,
				id: `b-${i}`,
				metadata: { ...r.metadata, ref: `ref-${i}` },
			})),
		)
		for (const rows of versions) {
			const { importId } = await importVersion(rows)
			const index = await facetIndex(importId)
			expect(index?.n).toBe(rows.length)
			await fc.assert(
				fc.asyncProperty(filterArb, async (filter) => sameAsDatabase(importId, filter)),
				{ numRuns: 40 },
			)
		}
	})

	test('a hand-checked case: alternatives within a key, keys combined, a search field, a number typed as text', async () => {
		const rows: Row[] = [
			{ id: 'a', content: 'tea', language: 'en', metadata: { color: 'red', size: 1, ref: 'x1' } },
			{ id: 'b', content: 'tea café', language: 'es', metadata: { color: 'azul', size: 1, ref: 'x2' } },
			{ id: 'c', content: 'café', language: 'es', metadata: { color: 'red', size: 2, ref: 'x3' } },
			{ id: 'd', content: 'river', metadata: { color: '赤', size: 2, ref: 'x4' } },
			{ id: 'e', content: 'tea', language: 'en', metadata: { color: '赤', ref: 'x5' } },
		]
		const { importId } = await importVersion(rows)
		const f = await resolveFilters(importId, {
			attributes: [
				{ path: 'color', value: 'red' },
				{ path: 'color', value: '赤' },
				{ path: 'size', value: '2' },
			],
		})
		const counts = await facetCounts(f)
		// color counted under size = 2 only: c (red), d (赤); size counted under color ∈ {red, 赤}: a, c, d.
		expect(counts.get('color')!.distinct).toBe(2)
		expect(counts.get('color')!.values).toEqual(
			expect.arrayContaining([
				{ value: 'red', count: 1 },
				{ value: '赤', count: 1 },
			]),
		)
		expect(counts).toEqual(await facetCountsSql(f))
		expect(counts.get('size')).toEqual({
			key: 'size',
			distinct: 2,
			values: [
				{ value: '2', count: 2 },
				{ value: '1', count: 1 },
			],
		})
		expect(await countSamples(f)).toBe(2)
		// The ref key (a search field here matched in the metadata) with the search.
		const g = await resolveFilters(importId, { q: 'tea', attributes: [{ path: 'ref', value: 'x5' }] })
		expect(await facetCounts(g)).toEqual(await facetCountsSql(g))
		expect(await countSamples(g)).toBe(1)
	})

	test('a chosen value beyond the top 20 is still listed, with its count', async () => {
		// 25 topics, t0 the most common (26 samples) … t24 the rarest (2).
		const rows: Row[] = Array.from({ length: 25 }, (_, t) => Array.from({ length: 26 - t }, () => t))
			.flat()
			.map((t, i) => ({ id: `k-${i}`, content: 'tea', metadata: { topic: `t${String(t).padStart(2, '0')}`, ref: `ref-${i}` } }))
		const { importId } = await importVersion(rows)
		const f = await resolveFilters(importId, { attributes: [{ path: 'topic', value: 't24' }] })
		const topic = (await facetCounts(f)).get('topic')!
		expect(topic.distinct).toBe(25)
		expect(topic.values).toHaveLength(21)
		expect(topic.values[20]).toEqual({ value: 't24', count: 2 })
		expect(await facetCounts(f)).toEqual(await facetCountsSql(f))
	})

	test('a replaced sample set is counted afresh, and the replaced one is no longer read from memory', async () => {
		const first: Row[] = Array.from({ length: 30 }, (_, i) => ({ id: `r-${i}`, content: 'tea', metadata: { color: i < 15 ? 'red' : i < 25 ? 'rouge' : 'Rot', ref: `ref-${i}` } }))
		const { importId: before, versionId } = await importVersion(first)
		const f = await resolveFilters(before, { attributes: [{ path: 'color', value: 'red' }] })
		expect((await facetCounts(f)).get('color')!.values).toEqual([
			{ value: 'red', count: 15 },
			{ value: 'rouge', count: 10 },
			{ value: 'Rot', count: 5 },
		])
		expect(await facetIndex(before)).not.toBeNull()
		// A new file for the same version: a new sample set, the old rows deleted.
		const second: Row[] = Array.from({ length: 30 }, (_, i) => ({ id: `r-${i}`, content: 'tea', metadata: { color: i < 20 ? 'red' : 'azul', ref: `ref-${i}` } }))
		const { importId: after } = await importVersion(second, versionId)
		expect(after).not.toBe(before)
		const g = await resolveFilters(after, { attributes: [{ path: 'color', value: 'red' }] })
		expect((await facetCounts(g)).get('color')!.values).toEqual([
			{ value: 'red', count: 20 },
			{ value: 'azul', count: 10 },
		])
		expect(await countSamples(g)).toBe(20)
		// The replaced set's rows are gone: nothing is served from memory for it, and the database agrees.
		expect(await facetIndex(before)).toBeNull()
		const old = await resolveFilters(before, { attributes: [{ path: 'color', value: 'red' }] })
		expect(await facetCounts(old)).toEqual(await facetCountsSql(old))
		expect(await countSamples(old)).toBe(0)
	})
})
