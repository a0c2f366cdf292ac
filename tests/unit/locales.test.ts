import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { supportedLanguages } from '#app/domain/enums.ts'

const root = path.resolve('locales')
const flatten = (o: Record<string, unknown>, prefix = ''): Record<string, string> =>
	Object.fromEntries(Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? Object.entries(flatten(v as Record<string, unknown>, `${prefix}${k}.`)) : [[`${prefix}${k}`, String(v)]])))
const load = (lng: string, ns: string) => flatten(JSON.parse(readFileSync(path.join(root, lng, `${ns}.json`), 'utf8')))
const namespaces = readdirSync(path.join(root, 'en'))
	.filter((f) => f.endsWith('.json'))
	.map((f) => f.replace(/\.json$/, ''))
const others = supportedLanguages.filter((l) => l !== 'en')

// Proper nouns, formats and language names: the same in every language. Anything else identical to English is a leak.
const sameEverywhere = new Set(['Roundtable', 'Email', 'E-mail', 'OK', 'JSON', 'CSV', 'JSONL', 'Parquet', 'Markdown', 'API', 'URL', 'CLI', 'English', 'Español', 'Français', 'العربية'])

/** Words a language writes exactly as English does (Indonesian abbreviates "nomor" as "No."). */
const sameIn: Partial<Record<string, Set<string>>> = { id: new Set(['No.']) }
const isSame = (lng: string, text: string) => sameEverywhere.has(text) || (sameIn[lng]?.has(text) ?? false)

const PLURAL = /^(.*)_(zero|one|two|few|many|other)$/
/** A key's plural base when English gives it plural forms (`foo_one` + `foo_other`), else null. */
const pluralBase = (en: Record<string, string>, key: string) => {
	const m = PLURAL.exec(key)
	return m && `${m[1]}_other` in en ? m[1]! : null
}
/** The keys a language must have: English's, with each plural key in the language's own categories (CLDR, through Intl.PluralRules). */
function expectedKeys(en: Record<string, string>, lng: string) {
	const categories = new Intl.PluralRules(lng).resolvedOptions().pluralCategories
	const keys = new Set<string>()
	for (const key of Object.keys(en)) {
		const base = pluralBase(en, key)
		if (base) for (const c of categories) keys.add(`${base}_${c}`)
		else keys.add(key)
	}
	return keys
}
/** The English text a translated key stands for (a plural form stands for English's "other"). */
const sourceOf = (en: Record<string, string>, key: string) => en[key] ?? (PLURAL.exec(key) ? en[`${PLURAL.exec(key)![1]}_other`] : undefined)
const placeholders = (text: string) => (text.match(/{{[^}]+}}/g) ?? []).map((p) => p.replace(/\s+/g, ''))
const tags = (text: string) => (text.match(/<\/?\d+>/g) ?? []).sort()

/** Each language's own script: at least one letter of it in every string that is not a proper noun. */
const scripts: Partial<Record<string, RegExp>> = { ar: /\p{Script=Arabic}/u, ur: /\p{Script=Arabic}/u, hi: /\p{Script=Devanagari}/u, 'zh-Hans': /\p{Script=Han}/u }

describe('translations', () => {
	test('every supported language has a folder and no unknown one exists', () => {
		expect(
			readdirSync(root, { withFileTypes: true })
				.filter((d) => d.isDirectory())
				.map((d) => d.name)
				.sort(),
		).toEqual([...supportedLanguages].sort())
	})

	test('English gives every plural key both its forms', () => {
		for (const ns of namespaces) {
			const en = load('en', ns)
			const lonely = Object.keys(en).filter((k) => /_(one)$/.test(k) && !(k.replace(/_one$/, '_other') in en))
			expect(lonely, ns).toEqual([])
		}
	})

	for (const lng of others) {
		describe(lng, () => {
			for (const ns of namespaces) {
				test(`${ns}.json has every key, with exactly the plural forms ${lng} needs (${new Intl.PluralRules(lng).resolvedOptions().pluralCategories.join(', ')})`, () => {
					const en = load('en', ns)
					const other = load(lng, ns)
					const wanted = expectedKeys(en, lng)
					expect({ missing: [...wanted].filter((k) => !(k in other)), unknown: Object.keys(other).filter((k) => !wanted.has(k)) }).toEqual({ missing: [], unknown: [] })
				})

				test(`${ns}.json leaks no English and keeps every {{placeholder}} and <n> tag`, () => {
					const en = load('en', ns)
					const other = load(lng, ns)
					const leaks = Object.keys(other).filter((k) => other[k] === sourceOf(en, k) && !isSame(lng, other[k]!))
					expect(leaks).toEqual([])
					for (const [key, text] of Object.entries(other)) {
						const source = sourceOf(en, key)
						if (source === undefined) continue
						// Languages name 0, 1 and 2 in words ("عينتان"): those plural forms may leave the count out.
						const countInWords = /_(zero|one|two)$/.test(key)
						// A zero form says there is nothing ("no unresolved issues"): it may leave out every count.
						const nothing = key.endsWith('_zero')
						const own = placeholders(text)
						for (const p of placeholders(source)) if (!nothing && !(countInWords && p.startsWith('{{count'))) expect(own, `${lng}:${ns}.${key} lacks ${p}`).toContain(p)
						for (const p of own) expect(placeholders(source).concat('{{count}}', '{{count,number}}'), `${lng}:${ns}.${key} has an unknown ${p}`).toContain(p)
						expect(tags(text), `${lng}:${ns}.${key}`).toEqual(tags(source))
					}
				})
			}

			const script = scripts[lng]
			if (script)
				test(`strings are written in ${lng}'s own script`, () => {
					for (const ns of namespaces) {
						const own = load(lng, ns)
						// Letters outside the placeholders only: "{{covered}} / {{total}}" has none to write.
						const foreign = Object.entries(own).filter(([, v]) => !script.test(v) && !isSame(lng, v) && /\p{L}{2}/u.test(v.replace(/{{[^}]*}}/g, '')))
						expect(foreign, ns).toEqual([])
					}
				})
		})
	}
})
