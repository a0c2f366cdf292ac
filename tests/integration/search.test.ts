import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { createDataset } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { browseSamples, countSamples, facetCounts, getFacetKeys, resolveFilters, type SampleFilters } from '#app/models/sample.server.ts'
import { createVersion } from '#app/models/version.server.ts'
import { db } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { emptyProvenance } from '#tests/version-fixtures.ts'

useTestDatabase()

const fixture = readFileSync(new URL('../fixtures/search/multilingual.jsonl', import.meta.url), 'utf8')

async function importFixture() {
	const [owner] = await db.insert(users).values({ email: 'o@example.org', displayName: 'O', passwordHash: 'x' }).returning({ id: users.id })
	const dataset = await createDataset({ slug: 'ml', name: 'ML', description: '', ownerId: owner!.id })
	const v = await createVersion({
		datasetId: dataset!.id,
		label: 'v1',
		parentLabel: null,
		userId: owner!.id,
		...emptyProvenance,
	})
	const outcome = await runImport({
		versionId: v.version!.id,
		format: 'jsonl',
		filename: 'ml.jsonl',
		userId: owner!.id,
		source: (async function* () {
			yield new TextEncoder().encode(fixture)
		})(),
	})
	expect(outcome).toMatchObject({ status: 'succeeded', rows: 37 })
	return outcome.importId
}

describe('search in every script', () => {
	test('words inside sentences, phrases, exclusions and the language filter give exact result sets', async () => {
		const importId = await importFixture()
		const find = async (q: string, more: SampleFilters = {}) => {
			const f = await resolveFilters(importId, { q, ...more })
			const page = await browseSamples(importId, f)
			const ids = page.samples.map((s) => s.externalId).sort()
			// The count the page shows agrees with the list.
			expect(await countSamples(f)).toBe(ids.length)
			return ids
		}
		// Chinese and Japanese: words inside unspaced sentences (学生 five times, not 学者), mixed runs.
		expect(await find('学生')).toEqual(['ja-3', 'zh-1', 'zh-2', 'zh-5', 'zh-7'])
		expect(await find('成都')).toEqual(['zh-1', 'zh-4'])
		expect(await find('喫茶店')).toEqual(['ja-1'])
		expect(await find('在Shanghai')).toEqual(['zh-3'])
		expect(await find('shanghai')).toEqual(['zh-3'])
		expect(await find('Sapporoで')).toEqual(['ja-2'])
		expect(await find('東京')).toEqual(['mix-1'])
		expect(await find('tokyo')).toEqual(['mix-1'])
		// One character: wherever it stands in a run (first, middle or last).
		expect(await find('寮')).toEqual(['ja-3'])
		expect(await find('者')).toEqual(['zh-6'])
		// Korean, Thai, Lao, Khmer, Burmese.
		expect(await find('학생')).toEqual(['ko-1'])
		expect(await find('ภาษา')).toEqual(['th-1'])
		expect(await find('เรียน')).toEqual(['th-1', 'th-2'])
		expect(await find('ພາສາ')).toEqual(['lo-1'])
		expect(await find('ភាសា')).toEqual(['km-1'])
		expect(await find('ဘာသာ')).toEqual(['my-1'])
		// Arabic with and without short vowels; Devanagari words are whole (हिंद is not हिंदी).
		expect(await find('المكتبة')).toEqual(['ar-1', 'ar-2'])
		expect(await find('हिंदी')).toEqual(['hi-1', 'hi-2'])
		expect(await find('हिंद')).toEqual(['hi-3'])
		// Cyrillic (ё folds to е), Greek, Latin with diacritics, case and letters with strokes.
		expect(await find('ежик')).toEqual(['ru-2', 'ru-3'])
		expect(await find('Ёжик')).toEqual(['ru-2', 'ru-3'])
		expect(await find('библиотеке')).toEqual(['ru-1'])
		expect(await find('αθηνα')).toEqual(['el-1'])
		expect(await find('CAFÉ')).toEqual(['en-1', 'en-2', 'fr-1', 'mix-1'])
		expect(await find('strasse')).toEqual(['de-1'])
		expect(await find('viet dang')).toEqual(['vi-1'])
		expect(await find('istanbul')).toEqual(['tr-1'])
		// Phrases keep order and adjacency; all words must match otherwise.
		expect(await find('creme brulee')).toEqual(['en-1', 'fr-2'])
		expect(await find('"crème brûlée"')).toEqual(['fr-2'])
		expect(await find('"brulee crème"')).toEqual([])
		expect(await find('"喫茶店で"')).toEqual(['ja-1'])
		// Exclusions, alone or with words; the language filter combines with both.
		expect(await find('cafe -montreal')).toEqual(['en-1', 'en-2', 'mix-1'])
		expect(await find('学生 -大学')).toEqual(['ja-3', 'zh-2', 'zh-5', 'zh-7'])
		expect(await find('-"the café"', { language: 'en' })).toEqual(['en-2'])
		expect(await find('cafe', { language: 'fr' })).toEqual(['fr-1'])
		expect(await find('学生', { language: 'ja' })).toEqual(['ja-3'])
	})

	test('matched words are marked in the results', async () => {
		const importId = await importFixture()
		const page = await browseSamples(importId, { q: '学生' })
		const marked = (id: string) =>
			page.samples
				.find((s) => s.externalId === id)!
				.snippet.filter((p) => p.hit)
				.map((p) => p.text)
		expect(marked('zh-5')).toEqual(['学生', '学生'])
		expect(
			(await browseSamples(importId, { q: 'cafe' })).samples
				.find((s) => s.externalId === 'fr-1')!
				.snippet.filter((p) => p.hit)
				.map((p) => p.text),
		).toEqual(['café'])
		expect(
			(await browseSamples(importId, { q: 'المكتبة' })).samples
				.find((s) => s.externalId === 'ar-2')!
				.snippet.filter((p) => p.hit)
				.map((p) => p.text),
		).toEqual(['المَكتبةِ'])
	})
})

describe('facets from the whole version', () => {
	// 300 samples: region (non-ASCII values, uneven counts), persona.identity (25 values: more than the
	// top 20), a unique ref per sample (a search field, not a list).
	const regions = ['Bogotá', 'Île-de-France', '東京', 'القاهرة', 'Lagos']
	const identities = Array.from({ length: 25 }, (_, i) => `identity-${String(i).padStart(2, '0')}${i === 24 ? '-ñandú' : ''}`)
	const rows = Array.from({ length: 300 }, (_, i) => ({
		id: `f-${String(i).padStart(3, '0')}`,
		content: i % 3 ? `sample ${i} about tea` : `sample ${i} about 学生`,
		language: i % 4 ? 'es' : 'en',
		metadata: {
			region: regions[i % 7 < 3 ? 0 : i % 7 < 5 ? 1 : i % 7 < 6 ? 2 : (i % 2) + 3],
			persona: { identity: identities[24 - Math.min(24, Math.floor(Math.sqrt(i * 2)))] },
			ref: `ref-${i}`,
		},
	}))
	/** What the counts must be, computed here from the rows themselves. */
	const expected = (key: 'region' | 'identity', keep: (r: (typeof rows)[number]) => boolean) => {
		const counts = new Map<string, number>()
		for (const r of rows.filter(keep)) {
			const v = key === 'region' ? r.metadata.region! : r.metadata.persona.identity!
			counts.set(v, (counts.get(v) ?? 0) + 1)
		}
		return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([value, count]) => ({ value, count }))
	}

	async function importRows() {
		const [owner] = await db.insert(users).values({ email: 'f@example.org', displayName: 'F', passwordHash: 'x' }).returning({ id: users.id })
		const dataset = await createDataset({ slug: 'facets', name: 'Facets', description: '', ownerId: owner!.id })
		const v = await createVersion({
			datasetId: dataset!.id,
			label: 'v1',
			parentLabel: null,
			userId: owner!.id,
			...emptyProvenance,
		})
		const body = rows.map((r) => JSON.stringify(r)).join('\n')
		const outcome = await runImport({
			versionId: v.version!.id,
			format: 'jsonl',
			filename: 'f.jsonl',
			userId: owner!.id,
			source: (async function* () {
				yield new TextEncoder().encode(body)
			})(),
		})
		expect(outcome.status).toBe('succeeded')
		return outcome.importId
	}

	test('exact counts in count order, top 20 with the rest findable, non-ASCII values, ids as a search field', async () => {
		const importId = await importRows()
		const keys = await getFacetKeys(importId)
		expect(keys.map((k) => [k.key, k.kind, k.distinct])).toEqual([
			['persona.identity', 'list', 25],
			['ref', 'search', 300],
			['region', 'list', 5],
		])
		const all = await facetCounts(await resolveFilters(importId, {}))
		expect(all.get('region')).toEqual({ key: 'region', distinct: 5, values: expected('region', () => true) })
		expect(all.get('region')!.values.map((v) => v.value)).toEqual(expect.arrayContaining(['東京', 'القاهرة', 'Île-de-France', 'Bogotá']))
		const identity = all.get('persona.identity')!
		expect(identity.distinct).toBe(25)
		expect(identity.values).toEqual(expected('identity', () => true).slice(0, 20))
		expect(all.has('ref')).toBe(false)
		// The rarest value is beyond the top 20, and found by searching within the key (folded) or by "more".
		const rare = identities[24]!
		expect(identity.values.some((v) => v.value === rare)).toBe(false)
		const found = await facetCounts(await resolveFilters(importId, {}), { find: { 'persona.identity': 'NANDU' } })
		expect(found.get('persona.identity')!.values).toEqual([{ value: rare, count: expected('identity', () => true).find((v) => v.value === rare)!.count }])
		const more = await facetCounts(await resolveFilters(importId, {}), { more: 'persona.identity' })
		expect(more.get('persona.identity')!.values).toEqual(expected('identity', () => true))
		// A search-field key filters by its exact value.
		const byRef = await browseSamples(importId, { attributes: [{ path: 'ref', value: 'ref-42' }] })
		expect(byRef.samples.map((s) => s.externalId)).toEqual(['f-042'])
	})

	test('counts follow the filters: every other key’s filters and the search, alternatives within a key', async () => {
		const importId = await importRows()
		const inRegion =
			(...names: string[]) =>
			(r: (typeof rows)[number]) =>
				names.includes(r.metadata.region!)
		const f1 = await resolveFilters(importId, { attributes: [{ path: 'region', value: '東京' }] })
		const c1 = await facetCounts(f1)
		expect(c1.get('persona.identity')!.values).toEqual(expected('identity', inRegion('東京')).slice(0, 20))
		// Its own key still shows every region's count (choosing another region adds to the set).
		expect(c1.get('region')!.values).toEqual(expected('region', () => true))
		expect(await countSamples(f1)).toBe(rows.filter(inRegion('東京')).length)
		// Two regions: either one; with an identity too: both keys, each counted without its own filter.
		const two = { path: 'region', value: '東京' }
		const f2 = await resolveFilters(importId, { attributes: [two, { path: 'region', value: 'Lagos' }, { path: 'persona.identity', value: 'identity-05' }] })
		const withIdentity = (r: (typeof rows)[number]) => r.metadata.persona.identity === 'identity-05'
		const c2 = await facetCounts(f2)
		expect(c2.get('region')!.values).toEqual(expected('region', withIdentity))
		expect(c2.get('persona.identity')!.values).toEqual(expected('identity', inRegion('東京', 'Lagos')).slice(0, 20))
		expect(await countSamples(f2)).toBe(rows.filter((r) => inRegion('東京', 'Lagos')(r) && withIdentity(r)).length)
		// The search and the language filter count too.
		const f3 = await resolveFilters(importId, { q: '学生', language: 'es' })
		const searched = (r: (typeof rows)[number]) => r.content.includes('学生') && r.language === 'es'
		expect((await facetCounts(f3)).get('region')!.values).toEqual(expected('region', searched))
		expect(await countSamples(f3)).toBe(rows.filter(searched).length)
	})
})
