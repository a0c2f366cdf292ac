import { describe, expect, test } from 'vitest'
import { directionOf, isSupportedLanguage } from '#app/utils/i18n.ts'

describe('text direction from a BCP 47 tag', () => {
	test.each([
		['ar', 'rtl'],
		['ar-EG', 'rtl'],
		['he', 'rtl'],
		['fa-IR', 'rtl'],
		['ur', 'rtl'],
		['en', 'ltr'],
		['es-419', 'ltr'],
		['fr', 'ltr'],
		['az-Arab', 'rtl'],
		['ku-Latn', 'ltr'],
		['pa-Arab-PK', 'rtl'],
		[null, 'ltr'],
		['', 'ltr'],
	])('%s → %s', (tag, dir) => expect(directionOf(tag)).toBe(dir))
})

test('only the four shipped languages are supported', () => {
	expect(['en', 'es', 'fr', 'ar'].every(isSupportedLanguage)).toBe(true)
	expect(isSupportedLanguage('de')).toBe(false)
	expect(isSupportedLanguage('EN')).toBe(false)
	expect(isSupportedLanguage(undefined)).toBe(false)
})
