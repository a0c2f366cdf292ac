import { describe, expect, test } from 'vitest'
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
