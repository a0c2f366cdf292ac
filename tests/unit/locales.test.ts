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

// Words that are the same in these languages; anything else identical to English is a leak.
const sameEverywhere = new Set(['Roundtable', 'Email', 'E-mail', 'English', 'Español', 'Français', 'العربية', 'OK'])

describe('translations', () => {
	test('every supported language has a folder and no unknown one exists', () => {
		expect(readdirSync(root).sort()).toEqual([...supportedLanguages].sort())
	})

	for (const lng of others) {
		for (const ns of namespaces) {
			test(`${lng}/${ns}.json has every key English has`, () => {
				const en = load('en', ns)
				const other = load(lng, ns)
				const missing = Object.keys(en).filter((k) => !(k in other))
				expect(missing).toEqual([])
			})

			test(`${lng}/${ns}.json leaks no English and keeps every {{placeholder}}`, () => {
				const en = load('en', ns)
				const other = load(lng, ns)
				const leaks = Object.keys(en).filter((k) => other[k] === en[k] && !sameEverywhere.has(en[k]!))
				expect(leaks).toEqual([])
				for (const [key, text] of Object.entries(en)) {
					const placeholders = text.match(/{{\s*\w+\s*}}/g) ?? []
					// Languages name 0, 1 and 2 in words ("عينتان"): those plural forms may leave {{count}} out.
					const countInWords = /_(zero|one|two)$/.test(key)
					for (const p of placeholders) if (!(countInWords && /{{\s*count\s*}}/.test(p))) expect(other[key] ?? '', `${lng}:${ns}.${key}`).toContain(p)
				}
			})
		}
	}

	test('Arabic strings are written in Arabic script', () => {
		for (const ns of namespaces) {
			const ar = load('ar', ns)
			const latinOnly = Object.entries(ar).filter(([, v]) => !/[\u0600-\u06FF]/.test(v) && !sameEverywhere.has(v))
			expect(latinOnly).toEqual([])
		}
	})
})
