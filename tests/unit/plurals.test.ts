import { describe, expect, test } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { supportedLanguages } from '#app/domain/enums.ts'
import { getFixedT } from '#app/utils/i18n.server.ts'

const row = (lng: 'en' | 'ar', feedback: number, people: number) => {
	const t = getFixedT(lng, 'issues')
	return t('inbox.row', { feedback: t('inbox.rowFeedback', { count: feedback }), people: t('inbox.rowPeople', { count: people }) })
}

describe('an issue’s feedback count follows each language’s plural rules', () => {
	test('English: one and other, for each number separately', () => {
		expect(row('en', 1, 1)).toBe('1 piece of feedback from 1 person')
		expect(row('en', 3, 1)).toBe('3 pieces of feedback from 1 person')
		expect(row('en', 3, 2)).toBe('3 pieces of feedback from 2 people')
	})

	test('Arabic: all six forms (zero, one, two, few, many, other)', () => {
		expect([0, 1, 2, 3, 11, 100].map((n) => row('ar', n, n))).toEqual([
			'لا ملاحظات من لا أحد',
			'1 ملاحظة من 1 شخص',
			'ملاحظتان من شخصين',
			'3 ملاحظات من 3 أشخاص',
			'11 ملاحظةً من 11 شخصًا',
			'100 ملاحظة من 100 شخص',
		])
	})
})

describe('every language resolves every plural key for every count', () => {
	const en = (ns: string) => JSON.parse(readFileSync(path.resolve('locales/en', `${ns}.json`), 'utf8')) as Record<string, unknown>
	const pluralKeys = (o: Record<string, unknown>, prefix = ''): string[] =>
		Object.entries(o).flatMap(([k, v]) =>
			v && typeof v === 'object' ? pluralKeys(v as Record<string, unknown>, `${prefix}${k}.`) : k.endsWith('_other') ? [`${prefix}${k.slice(0, -'_other'.length)}`] : [],
		)
	const namespaces = readdirSync(path.resolve('locales/en')).map((f) => f.replace(/\.json$/, ''))

	for (const lng of supportedLanguages)
		test(`${lng}: 0, 1, 2, 3, 11, 21, 100 and 1,000,000 each give a sentence, never a key or a bare placeholder`, () => {
			for (const ns of namespaces) {
				const t = getFixedT(lng, ns)
				for (const key of pluralKeys(en(ns)))
					for (const count of [0, 1, 2, 3, 11, 21, 100, 1_000_000]) {
						const text = t(key, { count, name: 'N', total: 5, blocking: 1, version: 'v1', dataset: 'D', title: 'T', feedback: 'F', people: 'P' })
						expect(text, `${lng}:${ns}:${key} for ${count}`).not.toBe(key)
						expect(text, `${lng}:${ns}:${key} for ${count}`).not.toMatch(/{{\s*count/)
						expect(text.trim().length, `${lng}:${ns}:${key} for ${count}`).toBeGreaterThan(0)
					}
			}
		})

	test('each count takes the form its language’s rules name: Hindi and Urdu one/other, Chinese and Indonesian other, Portuguese many for a million', () => {
		const file = (lng: string) => JSON.parse(readFileSync(path.resolve('locales', lng, 'issues.json'), 'utf8')) as { inbox: Record<string, string> }
		const expected = (lng: string, form: string, n: number) => file(lng).inbox[`rowFeedback_${form}`]!.replace(/{{count(, number)?}}/, new Intl.NumberFormat(lng).format(n))
		const said = (lng: (typeof supportedLanguages)[number], n: number) => getFixedT(lng, 'issues')('inbox.rowFeedback', { count: n })
		for (const lng of ['hi', 'ur'] as const) {
			expect(said(lng, 1)).toBe(expected(lng, 'one', 1))
			expect(said(lng, 5)).toBe(expected(lng, 'other', 5))
		}
		for (const lng of ['zh-Hans', 'id'] as const) expect([said(lng, 1), said(lng, 5)]).toEqual([expected(lng, 'other', 1), expected(lng, 'other', 5)])
		expect([said('pt-BR', 1), said('pt-BR', 5), said('pt-BR', 1_000_000)]).toEqual([expected('pt-BR', 'one', 1), expected('pt-BR', 'other', 5), expected('pt-BR', 'many', 1_000_000)])
	})

	test('counts are written as the reader writes numbers (Intl): lakh grouping in Hindi, spaces in French, dots in Indonesian', () => {
		const said = (lng: (typeof supportedLanguages)[number]) => getFixedT(lng, 'issues')('inbox.rowFeedback', { count: 1_000_000 })
		expect(said('hi')).toContain('10,00,000')
		expect(said('fr')).toContain('1\u202f000\u202f000')
		expect(said('id')).toContain('1.000.000')
		expect(said('en')).toContain('1,000,000')
	})
})
