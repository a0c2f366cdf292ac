import { describe, expect, test } from 'vitest'
import { mulberry32 } from '#app/domain/random.ts'
import { runCharacters, words } from '#app/domain/search/text.ts'
import { logOddsZ, SignalAccumulator, upperTail } from '#app/domain/signals/compute.ts'
import { TermDictionary } from '#app/domain/signals/counts.ts'
import { stopWordLanguage, stopWordsFor } from '#app/domain/signals/stop-words.ts'
import type { SignalSample, SignalTerm } from '#app/domain/signals/types.ts'

/**
 * The accumulator keeps its counts compactly (a dictionary in typed arrays, rare terms set aside
 * until they reach minCount, per-value tables that turn dense when large). This is the same
 * computation written the plain way — maps of strings, every sample's words counted at once — and
 * the two must list the same terms with the same z, counts and samples.
 */
function reference(samples: SignalSample[], attributes: string[], { minCount = 5, fdr = 0.05, termsPerValue = 25 } = {}) {
	const order = new Map<string, number>()
	const isTerm = (w: string, language: string) => {
		if (/^\p{N}+$/u.test(w)) return false
		const stop = stopWordsFor(language)
		if (stop.has(w)) return false
		const chars = runCharacters(w)
		return !(chars?.length === 2 && stop.has(chars[0]!) && stop.has(chars[1]!))
	}
	type Value = { samples: number; tokens: number; counts: Map<string, { count: number; samples: number }> }
	const perAttribute = attributes.map(() => new Map<string, Value>())
	for (const s of samples) {
		const lexemes = words(s.text)
		for (const w of lexemes) if (!order.has(w)) order.set(w, order.size + 1)
		const language = stopWordLanguage(s.language)
		const terms = lexemes.filter((w) => isTerm(w, language))
		const counts = new Map<string, number>()
		for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1)
		attributes.forEach((attribute, a) => {
			let v: unknown = s.metadata
			for (const key of attribute.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined
			if (typeof v !== 'string') return
			const value = perAttribute[a]!.get(v) ?? { samples: 0, tokens: 0, counts: new Map() }
			perAttribute[a]!.set(v, value)
			value.samples++
			value.tokens += terms.length
			for (const [t, n] of counts) {
				const c = value.counts.get(t) ?? { count: 0, samples: 0 }
				c.count += n
				c.samples++
				value.counts.set(t, c)
			}
		})
	}
	return perAttribute.map((values) => {
		const background = new Map<string, number>()
		let total = 0
		for (const v of values.values()) {
			total += v.tokens
			for (const [t, c] of v.counts) background.set(t, (background.get(t) ?? 0) + c.count)
		}
		const tested = [...background.values()].filter((n) => n >= minCount).length
		const out = new Map<string, { samples: number; terms: SignalTerm[] }>()
		for (const [value, v] of values) {
			const candidates: Array<SignalTerm & { p: number }> = []
			for (const [term, c] of v.counts) {
				const all = background.get(term)!
				if (all < minCount) continue
				const z = logOddsZ(c.count, v.tokens, all - c.count, total - v.tokens, all, total)
				if (!(z > 0)) continue
				const p = upperTail(z)
				if (p <= fdr) candidates.push({ term, z, count: c.count, samples: c.samples, p })
			}
			candidates.sort((a, b) => b.z - a.z || order.get(a.term)! - order.get(b.term)!)
			let passing = 0
			for (let k = 1; k <= candidates.length; k++) if (candidates[k - 1]!.p <= (k * fdr) / tested) passing = k
			out.set(value, { samples: v.samples, terms: candidates.slice(0, Math.min(passing, termsPerValue)).map(({ term, z, count, samples }) => ({ term, z, count, samples })) })
		}
		return out
	})
}

/** 8,000 samples in English, French and Chinese, skewed vocabularies, numbers and stop words, a few words planted per value; three attributes (one nested and sometimes missing). */
function corpus(): SignalSample[] {
	const random = mulberry32(2026)
	const syllables = ['ka', 'to', 'mi', 'ru', 'sen', 'la', 'vo', 'dri', 'pel', 'gan', 'zu', 'fey', 'nor', 'qui', 'bex', 'é', 'ço']
	const latin = Array.from({ length: 3000 }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * syllables.length)]).join(''))
	const han = [...'山水花鸟鱼虫云雨风雪春夏秋冬星河海林木石田米茶酒书画琴棋剑刀马牛羊猪狗猫龙虎凤鹤松竹梅兰菊桃李杏柳灯笼']
	const groups = ['a', 'b', 'c']
	const regions = Array.from({ length: 15 }, (_, i) => `region ${i}`)
	const out: SignalSample[] = []
	for (let i = 0; i < 8000; i++) {
		const group = groups[Math.floor(3 * random())]!
		const region = i % 300 === 0 ? 'remote' : regions[Math.floor(15 * random() ** 2)]!
		const language = ['en', 'fr', 'zh'][i % 3]!
		let text: string
		if (language === 'zh') {
			text = Array.from({ length: 20 + Math.floor(random() * 20) }, () => han[Math.floor(han.length * random() ** 2)]).join('')
			if (random() < 0.3) text += group === 'a' ? '灯笼' : '的是'
			text += `。${i % 100}`
		} else {
			const n = 10 + Math.floor(random() * 25)
			const parts = Array.from({ length: n }, (_, k) => (k % 4 === 3 ? (language === 'en' ? 'the' : 'les') : latin[Math.floor(latin.length * random() ** 3)]!))
			if (random() < 0.25) parts.push(`planted${regions.indexOf(region)}`)
			if (random() < 0.2) parts.push(String(i % 37))
			text = parts.join(' ')
		}
		out.push({ text, language, metadata: { group, region, ...(i % 7 ? { persona: { origin: groups[(i + (random() < 0.3 ? 1 : 0)) % 3] } } : {}) } })
	}
	return out
}

describe('the compact accumulator gives what the plain computation gives', () => {
	test('same terms, z, counts and samples for every value of every attribute (dense and sparse tables, set-aside rare terms, three languages)', () => {
		const samples = corpus()
		const attributes = ['group', 'region', 'persona.origin']
		const acc = new SignalAccumulator({ attributes })
		for (const s of samples) acc.add(s)
		// Both layouts are exercised: the large values' tables went dense, the rare regions' stayed sparse.
		const states = (acc as unknown as { attributes: Array<{ list: Array<{ terms: { pages: unknown } }> }> }).attributes.flatMap((a) => a.list)
		expect(states.some((s) => s.terms.pages)).toBe(true)
		expect(states.some((s) => !s.terms.pages)).toBe(true)
		const result = acc.result()
		const expected = reference(samples, attributes)
		expect(result.attributes.map((a) => a.attribute)).toEqual(attributes)
		let listed = 0
		result.attributes.forEach((a, k) => {
			expect(new Set(a.values.map((v) => v.value))).toEqual(new Set(expected[k]!.keys()))
			for (const v of a.values) {
				const want = expected[k]!.get(v.value)!
				expect(v.samples).toBe(want.samples)
				expect(v.terms, `${a.attribute} = ${v.value}`).toEqual(want.terms)
				listed += v.terms.length
			}
		})
		expect(listed).toBeGreaterThan(20)
	})
})

describe('the term dictionary', () => {
	test('ids from 1 in first-seen order, the same id again for the same term, and the term back, for any strings (surrogates, empty, long)', () => {
		const dictionary = new TermDictionary()
		const random = mulberry32(5)
		const terms = new Map<string, number>()
		const seen: string[] = []
		const pick = () => {
			const kind = random()
			if (kind < 0.1) return ''
			if (kind < 0.2) return 'x'.repeat(5000 + Math.floor(random() * 5000))
			const n = 1 + Math.floor(random() * 4)
			return Array.from({ length: n }, () => String.fromCharCode(Math.floor(random() * 0xffff))).join('')
		}
		for (let i = 0; i < 20_000; i++) {
			const term = i % 3 ? pick() : seen.length ? seen[Math.floor(random() * seen.length)]! : pick()
			const id = dictionary.intern(term)
			if (!terms.has(term)) {
				expect(id).toBe(terms.size + 1)
				terms.set(term, id)
				seen.push(term)
			} else expect(id).toBe(terms.get(term))
		}
		expect(dictionary.size).toBe(terms.size + 1)
		for (const [term, id] of terms) expect(dictionary.lexeme(id)).toBe(term)
	})
})
