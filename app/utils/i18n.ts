/** Language settings shared by server and browser code. */
import { type Language } from '#app/domain/language.ts'

// The language list is a domain fact (account settings validate against it); re-exported here so
// the i18n set-up and its callers read one module.
export { fallbackLanguage, isSupportedLanguage, type Language, supportedLanguages } from '#app/domain/language.ts'
export const defaultNamespace = 'common'

/** Each language's name in itself, for the switcher. */
export const languageNames: Record<Language, string> = {
	en: 'English',
	es: 'Español',
	fr: 'Français',
	ar: 'العربية',
	hi: 'हिन्दी',
	ur: 'اردو',
	sw: 'Kiswahili',
	'zh-Hans': '简体中文',
	id: 'Bahasa Indonesia',
	'pt-BR': 'Português (Brasil)',
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
