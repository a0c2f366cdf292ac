import { describe, expect, test } from 'vitest'
import { mulberry32, seededShuffle } from '#app/domain/random.ts'
import { chatText, logOddsZ, SignalAccumulator, upperTail } from '#app/domain/signals/compute.ts'
import { TermCounts } from '#app/domain/signals/counts.ts'
import { stopWordLanguage, stopWordsFor } from '#app/domain/signals/stop-words.ts'
import type { SignalSample, VersionSignals } from '#app/domain/signals/types.ts'

const ORIGINS = ['Oaxaca', 'Lagos', 'Dhaka', 'Lima']

/** Pseudo-words from syllables (none an English stop word): a shared vocabulary with no meaning to bias it. */
function vocabulary(size: number): string[] {
	const syllables = ['ka', 'to', 'mi', 'ru', 'sen', 'la', 'vo', 'dri', 'pel', 'gan', 'zu', 'fey', 'nor', 'qui', 'bex']
	const stop = stopWordsFor('eng')
	const out = new Set<string>()
	const random = mulberry32(7)
	while (out.size < size) {
		const w = Array.from({ length: 2 + Math.floor(random() * 2) }, () => syllables[Math.floor(random() * syllables.length)]).join('')
		if (!stop.has(w)) out.add(w)
	}
	return [...out]
}

/**
 * 3,000 samples over four origins (750 each): 12–20 words from a shared vocabulary with "the" and
 * "and" between them; `planted` is in 30 % of Oaxaca's samples and 2 % of the others'.
 */
function plantedEnglish(seed = 1): Array<{ text: string; origin: string }> {
	const random = mulberry32(seed)
	const vocab = vocabulary(300)
	const out: Array<{ text: string; origin: string }> = []
	for (let i = 0; i < 3000; i++) {
		const origin = ORIGINS[i % 4]!
		const words: string[] = []
		const length = 12 + Math.floor(random() * 9)
		for (let k = 0; k < length; k++) words.push(vocab[Math.floor(random() * vocab.length)]!, k % 3 ? 'the' : 'and')
		if (random() < (origin === 'Oaxaca' ? 0.3 : 0.02)) words.splice(Math.floor(random() * words.length), 0, 'lantern')
		out.push({ text: words.join(' '), origin })
	}
	return out
}

/** The same in Chinese: runs of 24 characters from a set of 40, the planted word 灯笼 (lantern) inside the run. */
function plantedChinese(seed = 2): Array<{ text: string; origin: string }> {
	const stop = stopWordsFor('zho')
	const chars = [...'山水花鸟鱼虫云雨风雪春夏秋冬星河海林木石田米茶酒书画琴棋剑刀马牛羊猪狗猫龙虎凤鹤松竹梅兰菊桃李杏柳'].filter((c) => !stop.has(c)).slice(0, 40)
	const random = mulberry32(seed)
	const out: Array<{ text: string; origin: string }> = []
	for (let i = 0; i < 3000; i++) {
		const origin = ORIGINS[i % 4]!
		let text = Array.from({ length: 24 }, () => chars[Math.floor(random() * chars.length)]).join('')
		if (random() < (origin === 'Oaxaca' ? 0.3 : 0.02)) {
			const at = Math.floor(random() * text.length)
			text = text.slice(0, at) + '灯笼' + text.slice(at)
		}
		out.push({ text: text + '。', origin })
	}
	return out
}

function signals(rows: Array<{ text: string; origin: string }>, language: string | null, options: Partial<ConstructorParameters<typeof SignalAccumulator>[0]> = {}): VersionSignals {
	const acc = new SignalAccumulator({ attributes: ['persona.origin'], ...options })
	for (const row of rows) acc.add({ text: row.text, language, metadata: { persona: { origin: row.origin } } })
	return acc.result()
}

describe('planted words', () => {
	test('a word in 30 % of one value’s samples and 2 % elsewhere is that value’s top term, z > 5 (English)', () => {
		const result = signals(plantedEnglish(), 'en')
		expect(result.samples).toBe(3000)
		expect(result.skipped).toEqual([])
		const [origin] = result.attributes
		expect(origin!.attribute).toBe('persona.origin')
		const oaxaca = origin!.values.find((v) => v.value === 'Oaxaca')!
		expect(oaxaca.samples).toBe(750)
		expect(oaxaca.share).toBe(0.25)
		expect(oaxaca.terms[0]!.term).toBe('lantern')
		expect(oaxaca.terms[0]!.z).toBeGreaterThan(5)
		expect(oaxaca.terms[0]!.samples).toBeGreaterThan(180)
		expect(oaxaca.terms[0]!.samples).toBeLessThan(270)
		// Each sample carries it once: occurrences equal samples.
		expect(oaxaca.terms[0]!.count).toBe(oaxaca.terms[0]!.samples)
		// Under-represented elsewhere, never listed there.
		for (const v of origin!.values) if (v.value !== 'Oaxaca') expect(v.terms.map((t) => t.term)).not.toContain('lantern')
		// The stop words between the words are never terms, however common.
		for (const v of origin!.values) expect(v.terms.map((t) => t.term)).not.toContain('the')
	})

	test('the same in Chinese: the planted two-character word is the top term (a character bigram)', () => {
		const result = signals(plantedChinese(), 'zh-Hans')
		const oaxaca = result.attributes[0]!.values.find((v) => v.value === 'Oaxaca')!
		expect(oaxaca.terms[0]!.term).toBe('灯笼')
		expect(oaxaca.terms[0]!.z).toBeGreaterThan(5)
		for (const v of result.attributes[0]!.values) if (v.value !== 'Oaxaca') expect(v.terms.map((t) => t.term)).not.toContain('灯笼')
	})

	test('with the labels shuffled across samples, no term passes for any value', () => {
		for (const [rows, language] of [
			[plantedEnglish(), 'en'],
			[plantedChinese(), 'zh'],
		] as const) {
			const labels = seededShuffle(
				rows.map((r) => r.origin),
				2023,
			)
			const result = signals(
				rows.map((r, i) => ({ text: r.text, origin: labels[i]! })),
				language,
			)
			expect(result.attributes[0]!.values).toHaveLength(4)
			for (const v of result.attributes[0]!.values) expect(v.terms).toEqual([])
		}
	})
})

describe('the z-score', () => {
	/*
	 * Value a: 20 × "apple apple banana"; value b: 20 × "banana cherry" and 20 × "cherry apple".
	 * Group a: apple 40, banana 20, n_a = 60. Group b: apple 20, banana 20, cherry 40, n_b = 80.
	 * Background (both): apple 60, banana 40, cherry 40, α0 = 140.
	 * apple in a: δ = ln((40+60)/(60+140−40−60)) − ln((20+60)/(80+140−20−60)) = ln(100/100) − ln(80/140)
	 *   = ln(1.75) = 0.5596158; σ² = 1/100 + 1/80 = 0.0225, σ = 0.15; z = 3.7307719.
	 * cherry in b: δ = ln((40+40)/(80+140−40−40)) − ln((0+40)/(60+140−0−40)) = ln(80/140) − ln(40/160)
	 *   = −0.5596158 + 1.3862944 = 0.8266786; σ² = 1/80 + 1/40 = 0.0375, σ = 0.1936492; z = 4.2689498.
	 */
	test('matches the formula computed by hand to 3 decimals', () => {
		const acc = new SignalAccumulator({ attributes: ['group'] })
		for (let i = 0; i < 20; i++) {
			acc.add({ text: 'apple apple banana', language: 'en', metadata: { group: 'a' } })
			acc.add({ text: 'banana cherry', language: 'en', metadata: { group: 'b' } })
			acc.add({ text: 'cherry apple', language: 'en', metadata: { group: 'b' } })
		}
		const [group] = acc.result().attributes
		const a = group!.values.find((v) => v.value === 'a')!
		const b = group!.values.find((v) => v.value === 'b')!
		expect(a.terms.map((t) => t.term)).toEqual(['apple'])
		expect(a.terms[0]!.z).toBeCloseTo(3.7307719, 3)
		expect(a.terms[0]).toMatchObject({ count: 40, samples: 20 })
		expect(b.terms.map((t) => t.term)).toEqual(['cherry'])
		expect(b.terms[0]!.z).toBeCloseTo(4.2689498, 3)
		expect(b.terms[0]).toMatchObject({ count: 40, samples: 40 })
		expect(logOddsZ(40, 60, 20, 80, 60, 140)).toBeCloseTo(3.7307719, 6)
		// One-sided p-values: 1 − Φ(1.959964) = 0.025, 1 − Φ(5) = 2.8665e-7.
		expect(upperTail(1.959964)).toBeCloseTo(0.025, 6)
		expect(upperTail(5) / 2.8665157e-7).toBeCloseTo(1, 5)
		expect(upperTail(-1)).toBeCloseTo(1 - 0.1586553, 6)
	})

	test('Benjamini–Hochberg counts every tested term', () => {
		// The corpus above × 3, plus 1,000 words each once in a and once in b. apple in a: z = 2.989, p = 0.0014:
		// it passes when 3 terms are tested (the fillers, seen twice, are under minCount 3) and fails when the
		// fillers are tested too (minCount 1: the best term needs p ≤ 0.05/1003 = 5e-5).
		const run = (minCount: number) => {
			const acc = new SignalAccumulator({ attributes: ['group'], minCount })
			for (let i = 0; i < 60; i++) {
				acc.add({ text: 'apple apple banana', language: 'en', metadata: { group: 'a' } })
				acc.add({ text: 'banana cherry', language: 'en', metadata: { group: 'b' } })
				acc.add({ text: 'cherry apple', language: 'en', metadata: { group: 'b' } })
			}
			for (let i = 0; i < 1000; i++) {
				acc.add({ text: `filler${i}x`, language: 'en', metadata: { group: 'a' } })
				acc.add({ text: `filler${i}x`, language: 'en', metadata: { group: 'b' } })
			}
			return acc.result().attributes[0]!.values.find((v) => v.value === 'a')!.terms
		}
		const [apple] = run(3)
		expect(apple!.term).toBe('apple')
		expect(apple!.z).toBeCloseTo(2.989, 3)
		expect(run(1)).toEqual([])
	})
})

describe('what is counted', () => {
	test('stop words (folded, per language) and numbers are never terms', () => {
		expect(stopWordLanguage('pt-BR')).toBe('porBr')
		expect(stopWordLanguage('pt-PT')).toBe('por')
		expect(stopWordLanguage('zh-Hans')).toBe('zho')
		expect(stopWordLanguage('ur')).toBe('urd')
		expect(stopWordLanguage(null)).toBe('eng')
		expect(stopWordLanguage('tlh')).toBe('eng')
		// Short function-word lists: the words caricatures are made of are never removed.
		for (const word of ['man', 'woman', 'old', 'young', 'home', 'poor', 'proud', 'world', 'good']) expect(stopWordsFor('eng').has(word), word).toBe(false)
		// Folded as tokens are: "Não" in a text is the stop word "não" folded to "nao".
		expect(stopWordsFor('porBr').has('nao')).toBe(true)
		const acc = new SignalAccumulator({ attributes: ['g'] })
		for (let i = 0; i < 200; i++) {
			const planted = i % 2 === 0
			acc.add({ text: planted ? 'Não NÃO 2024 quinoa' : 'harbor', language: 'pt-BR', metadata: { g: planted ? 'x' : 'y' } })
			acc.add({ text: planted ? 'The THE the 1,5 quinoa' : 'harbor', language: null, metadata: { g: planted ? 'x' : 'y' } })
			// A pair of one-character stop words (的, 是) is not a term either.
			acc.add({ text: planted ? '的是 quinoa' : 'harbor', language: 'zh', metadata: { g: planted ? 'x' : 'y' } })
		}
		const x = acc.result().attributes[0]!.values.find((v) => v.value === 'x')!
		expect(x.terms.map((t) => t.term)).toEqual(['quinoa'])
	})

	test('a high-cardinality attribute is skipped with its distinct count, a single-valued one too; nested keys are read', () => {
		const acc = new SignalAccumulator({ attributes: ['id', 'kind', 'persona.origin', 'persona', 'tags', 'missing'], maxValues: 50 })
		for (let i = 0; i < 300; i++) {
			acc.add({ text: 'harbor lantern', language: 'en', metadata: { id: i, kind: 'chat', persona: { origin: i % 3 ? 'Lima' : 'Lagos' }, tags: ['a'] } })
		}
		const result = acc.result()
		expect(result.skipped).toEqual([
			{ attribute: 'id', reason: 'high_cardinality', distinct: 300 },
			{ attribute: 'kind', reason: 'single_value', distinct: 1 },
			// An object, an array or nothing is no categorical value.
			{ attribute: 'persona', reason: 'single_value', distinct: 0 },
			{ attribute: 'tags', reason: 'single_value', distinct: 0 },
			{ attribute: 'missing', reason: 'single_value', distinct: 0 },
		])
		expect(result.attributes.map((a) => a.attribute)).toEqual(['persona.origin'])
		expect(result.attributes[0]!.values.map((v) => [v.value, v.samples])).toEqual([
			['Lima', 200],
			['Lagos', 100],
		])
	})

	test('samples without the attribute are not in its comparison', () => {
		const acc = new SignalAccumulator({ attributes: ['g'] })
		// "orchard" only in samples without g: it marks no value (with the whole version as the prior it would mark the smaller one).
		for (let i = 0; i < 300; i++) acc.add({ text: 'orchard orchard orchard', language: 'en', metadata: null })
		for (let i = 0; i < 300; i++) acc.add({ text: 'harbor lantern', language: 'en', metadata: { g: i % 4 ? 'big' : 'small' } })
		const result = acc.result()
		expect(result.samples).toBe(600)
		for (const v of result.attributes[0]!.values) expect(v.terms).toEqual([])
		expect(result.attributes[0]!.values.map((v) => v.share)).toEqual([0.375, 0.125])
	})

	test('chat samples use the assistant’s turns unless told otherwise', () => {
		const messages = [
			{ role: 'system', content: 'Be brief.' },
			{ role: 'user', content: 'Tell me about Lagos.' },
			{ role: 'assistant', content: 'Lagos is vibrant.' },
			{ role: 'user', content: 'More?' },
			{ role: 'assistant', content: 'It is busy.' },
		]
		expect(chatText(messages)).toBe('Lagos is vibrant.\nIt is busy.')
		expect(chatText(messages, ['user', 'assistant'])).toBe('Tell me about Lagos.\nLagos is vibrant.\nMore?\nIt is busy.')
	})
})

describe('lexical diversity', () => {
	test('distinct-2 per value and the version; a value repeating one template is low diversity', () => {
		const random = mulberry32(5)
		const vocab = vocabulary(400)
		const pick = () => vocab[Math.floor(random() * vocab.length)]!
		const acc = new SignalAccumulator({ attributes: ['g'] })
		for (let i = 0; i < 400; i++) {
			const g = ['varied', 'varied2', 'templated'][i % 3]!
			const text = g === 'templated' ? `as a proud ${pick()} i cherish my heritage ${pick()}` : Array.from({ length: 9 }, pick).join(' ')
			acc.add({ text, language: 'en', metadata: { g } })
		}
		// Exact while small: 2 samples "a b c" and "a b d" → bigrams ab, bc, ab, bd: 3 distinct of 4.
		const small = new SignalAccumulator({ attributes: [] })
		small.add({ text: 'alpha beta gamma', language: 'en', metadata: null })
		small.add({ text: 'alpha beta delta', language: 'en', metadata: null })
		expect(small.result().distinct2).toBe(0.75)

		const result = acc.result()
		const byValue = Object.fromEntries(result.attributes[0]!.values.map((v) => [v.value, v]))
		expect(byValue.templated!.lowDiversity).toBe(true)
		expect(byValue.templated!.distinct2).toBeLessThan(0.5)
		expect(byValue.varied!.lowDiversity).toBe(false)
		expect(byValue.varied2!.lowDiversity).toBe(false)
		expect(byValue.varied!.distinct2).toBeGreaterThan(0.9)
		expect(result.distinct2).toBeGreaterThan(byValue.templated!.distinct2)
	})

	test('fewer than 20 samples are never called low diversity', () => {
		const acc = new SignalAccumulator({ attributes: ['g'] })
		for (let i = 0; i < 19; i++) acc.add({ text: 'as a proud heritage keeper', language: 'en', metadata: { g: 'small' } })
		for (let i = 0; i < 200; i++) acc.add({ text: `word${i} other${i} more${i}`, language: 'en', metadata: { g: 'big' } })
		const small = acc.result().attributes[0]!.values.find((v) => v.value === 'small')!
		expect(small.distinct2).toBeLessThan(0.1)
		expect(small.lowDiversity).toBe(false)
	})
})

describe('bounded counting', () => {
	test('term counts stay exact past 65,535 occurrences or samples (packed counts move to wide ones)', () => {
		const counts = new TermCounts()
		for (let i = 0; i < 70_000; i++) {
			counts.add(1, 2, 1)
			counts.add(2 + (i % 300), 1, 1)
		}
		const seen = new Map<number, [number, number]>()
		counts.forEach((id, occurrences, samples) => seen.set(id, [occurrences, samples]))
		expect(seen.get(1)).toEqual([140_000, 70_000])
		expect(counts.count(1)).toBe(140_000)
		expect(seen.get(2)).toEqual([234, 234])
		expect(seen.size).toBe(301)
		expect(counts.count(9999)).toBe(0)
	})

	test('a term that reaches minCount late is counted with its earlier occurrences, in the values of their samples', () => {
		// "lanterns" occurs in 4 samples (below minCount 5: kept aside), then in 40 more, all of value x.
		const acc = new SignalAccumulator({ attributes: ['other'], minCount: 5 })
		for (let i = 0; i < 4; i++) acc.add({ text: 'lanterns harbor', language: 'en', metadata: { other: 'x' } })
		for (let i = 0; i < 200; i++) acc.add({ text: 'harbor tide', language: 'en', metadata: { other: 'y' } })
		for (let i = 0; i < 40; i++) acc.add({ text: 'lanterns lanterns tide', language: 'en', metadata: { other: 'x' } })
		const x = acc.result().attributes[0]!.values.find((v) => v.value === 'x')!
		expect(x.terms.find((t) => t.term === 'lanterns')).toMatchObject({ count: 84, samples: 44 })
	})
})

test('add() keeps no sample: nothing reachable from the accumulator is a sample, its metadata or its text', () => {
	const acc = new SignalAccumulator({ attributes: ['g'] })
	const samples: SignalSample[] = []
	for (let i = 0; i < 500; i++) {
		const sample = { text: `unique sentence number ${i} about harbor lanterns ${i % 7}`, language: 'en', metadata: { g: i % 2 ? 'odd' : 'even' } }
		samples.push(sample)
		acc.add(sample)
	}
	const forbidden = new Set<unknown>([...samples, ...samples.map((s) => s.metadata), ...samples.map((s) => s.text)])
	const seen = new Set<unknown>()
	let arrays = 0
	const walk = (v: unknown) => {
		if (forbidden.has(v)) throw new Error('the accumulator holds a sample')
		if (v === null || typeof v !== 'object' || seen.has(v)) return
		seen.add(v)
		if (ArrayBuffer.isView(v)) return
		if (Array.isArray(v) && v.length >= 500 && v.every((x) => typeof x === 'object')) arrays++
		if (v instanceof Map)
			for (const [k, x] of v) {
				walk(k)
				walk(x)
			}
		else if (v instanceof Set) for (const x of v) walk(x)
		else for (const x of Object.values(v)) walk(x)
	}
	walk(acc)
	expect(seen.size).toBeGreaterThan(5)
	expect(arrays).toBe(0)
	// And the result does not change when the samples are changed afterwards.
	const before = JSON.stringify(acc.result())
	for (const s of samples) s.text = 'changed'
	expect(JSON.stringify(acc.result())).toBe(before)
})
