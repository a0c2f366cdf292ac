import { describe, expect, test } from 'vitest'
import { matchLanguage, negotiateLanguage } from '#app/domain/language.ts'
import { directionOf, isSupportedLanguage, supportedLanguages } from '#app/utils/i18n.ts'

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

test('the ten shipped languages are supported, by their exact tags', () => {
	expect(['en', 'es', 'fr', 'ar', 'hi', 'ur', 'sw', 'zh-Hans', 'id', 'pt-BR'].every(isSupportedLanguage)).toBe(true)
	expect(isSupportedLanguage('de')).toBe(false)
	expect(isSupportedLanguage('EN')).toBe(false)
	expect(isSupportedLanguage('pt')).toBe(false)
	expect(isSupportedLanguage(undefined)).toBe(false)
})

test('Urdu reads right to left, the other new languages left to right', () => {
	expect(supportedLanguages.filter((l) => directionOf(l) === 'rtl')).toEqual(['ar', 'ur'])
})

describe('a regional or other-script tag falls back to the supported language of the same language', () => {
	test.each([
		['pt', 'pt-BR'],
		['pt-PT', 'pt-BR'],
		['pt-br', 'pt-BR'],
		['pt_BR', 'pt-BR'],
		['zh', 'zh-Hans'],
		['zh-CN', 'zh-Hans'],
		['zh-SG', 'zh-Hans'],
		['zh-Hant', 'zh-Hans'],
		['zh-TW', 'zh-Hans'],
		['zh-hans-cn', 'zh-Hans'],
		['es-419', 'es'],
		['en-GB', 'en'],
		['ur-PK', 'ur'],
		['hi-IN', 'hi'],
		['sw-KE', 'sw'],
		['in', 'id'],
		['id-ID', 'id'],
		['de', null],
		['*', null],
		['', null],
	])('%s → %s', (tag, lng) => expect(matchLanguage(tag)).toBe(lng))
})

describe('Accept-Language picks the best range that matches, by quality', () => {
	test.each([
		['pt-PT,pt;q=0.9,en;q=0.8', 'pt-BR'],
		['de-DE,de;q=0.9,zh-TW;q=0.8,en;q=0.5', 'zh-Hans'],
		['de, sw;q=0.1, fr;q=0.2', 'fr'],
		['en;q=0, ur', 'ur'],
		['en;q=0', null],
		['ja, ko', null],
		['hi;q=0.5, id;q=0.5', 'hi'],
		['*', null],
		[null, null],
	])('%s → %s', (header, lng) => expect(negotiateLanguage(header)).toBe(lng))
})
