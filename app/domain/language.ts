/** The languages the interface is translated into: a user's preferred language is one of these. */
import { z } from 'zod'
import { supportedLanguages } from './enums.ts'

export { supportedLanguages }
export type Language = (typeof supportedLanguages)[number]
export const fallbackLanguage: Language = 'en'

export function isSupportedLanguage(value: unknown): value is Language {
	return typeof value === 'string' && (supportedLanguages as readonly string[]).includes(value)
}

/** The language switch: an unsupported language or an unsafe return path is ignored, never refused. */
export const LanguageSwitchSchema = z.object({
	lng: z.enum(supportedLanguages).optional().catch(undefined),
	redirectTo: z.string().optional().catch(undefined),
})
