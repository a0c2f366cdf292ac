/** The languages the interface is translated into: a user's preferred language is one of these. */
import { supportedLanguages } from './enums.ts'

export { supportedLanguages }
export type Language = (typeof supportedLanguages)[number]
export const fallbackLanguage: Language = 'en'

export function isSupportedLanguage(value: unknown): value is Language {
	return typeof value === 'string' && (supportedLanguages as readonly string[]).includes(value)
}
