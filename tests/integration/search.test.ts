import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { createDataset } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { browseSamples, countSamples, resolveFilters, type SampleFilters } from '#app/models/sample.server.ts'
import { createVersion } from '#app/models/version.server.ts'
import { db } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'

useTestDatabase()

const fixture = readFileSync(new URL('../fixtures/search/multilingual.jsonl', import.meta.url), 'utf8')

async function importFixture() {
	const [owner] = await db.insert(users).values({ email: 'o@example.org', displayName: 'O', passwordHash: 'x' }).returning({ id: users.id })
	const dataset = await createDataset({ slug: 'ml', name: 'ML', description: '', ownerId: owner!.id })
	const v = await createVersion({ datasetId: dataset!.id, label: 'v1', parentLabel: null, userId: owner!.id, generationMethod: 'other', modelName: '', modelVersion: '', modelProvider: '', promptTemplates: '', personaDefinitions: '', seedDataDescription: '', knownLimitations: '', changelog: '' })
	const outcome = await runImport({ versionId: v.version!.id, format: 'jsonl', filename: 'ml.jsonl', userId: owner!.id, source: (async function* () { yield new TextEncoder().encode(fixture) })() })
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
		const marked = (id: string) => page.samples.find((s) => s.externalId === id)!.snippet.filter((p) => p.hit).map((p) => p.text)
		expect(marked('zh-5')).toEqual(['学生', '学生'])
		expect((await browseSamples(importId, { q: 'cafe' })).samples.find((s) => s.externalId === 'fr-1')!.snippet.filter((p) => p.hit).map((p) => p.text)).toEqual(['café'])
		expect((await browseSamples(importId, { q: 'المكتبة' })).samples.find((s) => s.externalId === 'ar-2')!.snippet.filter((p) => p.hit).map((p) => p.text)).toEqual(['المَكتبةِ'])
	})
})
