/** The languages the interface is translated into: a user's preferred language is one of these. */
import { z } from 'zod'
import { supportedLanguages } from './enums.ts'

export { supportedLanguages }
export type Language = (typeof supportedLanguages)[number]
export const fallbackLanguage: Language = 'en'

export function isSupportedLanguage(value: unknown): value is Language {
	return typeof value === 'string' && (supportedLanguages as readonly string[]).includes(value)
}

/**
 * The supported language a BCP 47 tag asks for, or null: the tag itself (any case, `_` or `-`),
 * else the supported language of the same primary language — `pt`, `pt-PT` and `pt-AO` read
 * Brazilian Portuguese; `zh`, `zh-CN`, `zh-SG`, `zh-Hant` and `zh-TW` read Simplified Chinese
 * (decision 043: one written Chinese is better than English for a reader of either script);
 * `es-419` reads Spanish, `en-GB` English, `ur-PK` Urdu, `in` (the old code) Indonesian.
 */
export function matchLanguage(tag: string | null | undefined): Language | null {
	if (!tag) return null
	const wanted = tag.trim().replace(/_/g, '-').toLowerCase()
	if (!wanted || wanted === '*') return null
	const exact = supportedLanguages.find((l) => l.toLowerCase() === wanted)
	if (exact) return exact
	const primary = wanted.split('-')[0]!
	const alias: Record<string, string> = { in: 'id', cmn: 'zh' }
	const base = alias[primary] ?? primary
	return supportedLanguages.find((l) => l.toLowerCase().split('-')[0] === base) ?? null
}

/**
 * The best supported language for an Accept-Language header: ranges by quality (ties keep their
 * order), each matched by `matchLanguage`; `q=0` refuses a range. Null when none matches.
 */
export function negotiateLanguage(acceptLanguage: string | null | undefined): Language | null {
	if (!acceptLanguage) return null
	const ranges = acceptLanguage
		.slice(0, 1000)
		.split(',')
		.map((part, i) => {
			const [range = '', ...params] = part.trim().split(';')
			const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined)
			return { range: range.trim(), q: q === undefined ? 1 : Number(q), i }
		})
		.filter((r) => r.range && Number.isFinite(r.q) && r.q > 0)
		.sort((a, b) => b.q - a.q || a.i - b.i)
	for (const r of ranges) {
		const match = matchLanguage(r.range)
		if (match) return match
	}
	return null
}

/** The language switch: an unsupported language or an unsafe return path is ignored, never refused. */
export const LanguageSwitchSchema = z.object({
	lng: z.enum(supportedLanguages).optional().catch(undefined),
	redirectTo: z.string().optional().catch(undefined),
})
