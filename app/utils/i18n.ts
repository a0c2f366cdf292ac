/** Language settings shared by server and browser code; the list itself is a domain enumeration. */
import { supportedLanguages } from '#app/domain/enums.ts'

export type Language = (typeof supportedLanguages)[number]
export const fallbackLanguage: Language = 'en'
export const defaultNamespace = 'common'

/** Each language's name in itself, for the switcher. */
export const languageNames: Record<Language, string> = {
	en: 'English',
	es: 'Español',
	fr: 'Français',
	ar: 'العربية',
}

export function isSupportedLanguage(value: unknown): value is Language {
	return typeof value === 'string' && (supportedLanguages as readonly string[]).includes(value)
}

// Scripts written right to left, by BCP 47 primary language subtag (also used for sample text).
const rtl = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'ha-arab', 'he', 'iw', 'khw', 'ks', 'ku-arab', 'ps', 'sd', 'syr', 'ug', 'ur', 'yi'])
const rtlScripts = new Set(['arab', 'hebr', 'syrc', 'thaa', 'nkoo', 'adlm', 'rohg'])

export function directionOf(language: string | null | undefined): 'ltr' | 'rtl' {
	if (!language) return 'ltr'
	const parts = language.toLowerCase().split(/[-_]/)
	const script = parts.find((p) => p.length === 4)
	if (script) return rtlScripts.has(script) ? 'rtl' : 'ltr'
	return rtl.has(parts[0] ?? '') ? 'rtl' : 'ltr'
}
