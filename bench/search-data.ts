/**
 * Multilingual samples for bench/search.ts: text in eight scripts (Latin with diacritics, Cyrillic,
 * Arabic, Devanagari, Chinese, Japanese, Thai, Korean; the last four written without spaces) and
 * nine metadata keys, one of them (persona.identity) with 5,000 distinct values at a million rows
 * and one (ref) unique per sample. Words follow a skewed distribution, so some are common and
 * some rare. Deterministic: the same rows every run.
 */
export const SCRIPTS = ['fr', 'ru', 'ar', 'hi', 'zh', 'ja', 'th', 'ko'] as const
export type Script = (typeof SCRIPTS)[number]
const UNSPACED = new Set<Script>(['zh', 'ja', 'th'])
const VOCABULARY = 2000

export function makeRandom(seed = 42) {
	// mulberry32: a float LCG loses precision past 2^53 and can fall into a short cycle.
	let a = seed >>> 0
	return () => {
		a = (a + 0x6d2b79f5) >>> 0
		let t = a
		t = Math.imul(t ^ (t >>> 15), t | 1)
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
}

const range = (from: number, count: number, r: () => number) => String.fromCodePoint(from + Math.floor(r() * count))
const pick = <T>(list: readonly T[], r: () => number) => list[Math.floor(r() * list.length)]!
const syllables: Record<'fr' | 'ru' | 'ar' | 'hi', string[]> = {
	fr: ['ca', 'fé', 'ño', 'lu', 'ré', 'mi', 'sø', 'bar', 'tel', 'çu', 'gü', 'na', 'ïs', 'po', 'zé', 'ka', 'ri', 'mo', 'den', 'las', 'è', 'ô'],
	ru: ['ка', 'ми', 'ло', 'ре', 'ёж', 'ти', 'на', 'вол', 'сн', 'пу', 'да', 'го', 'жи', 'щу', 'бы'],
	ar: ['مك', 'تب', 'كا', 'سل', 'عر', 'بي', 'نو', 'حم', 'قل', 'دي', 'فة', 'لا'],
	hi: ['कि', 'ता', 'ब', 'हि', 'न्दी', 'मे', 'रा', 'स', 'ना', 'घ', 'र', 'क्ष', 'त्र'],
}

/** Each script's words, most common first. */
export function vocabularies(): Record<Script, string[]> {
	const r = makeRandom(7)
	const out = {} as Record<Script, string[]>
	for (const script of SCRIPTS) {
		const seen = new Set<string>()
		while (seen.size < VOCABULARY) {
			let w = ''
			const n = 1 + Math.floor(r() * 3) + (script === 'fr' || script === 'ru' || script === 'ar' || script === 'hi' ? 1 : 0)
			for (let i = 0; i < n; i++) {
				if (script === 'zh') w += range(0x4e00, 3000, r)
				else if (script === 'ja') w += r() < 0.5 ? range(0x3041, 80, r) : range(0x4e00, 2000, r)
				else if (script === 'th') w += range(0x0e01, 46, r) + (r() < 0.5 ? range(0x0e34, 4, r) : 'า')
				else if (script === 'ko') w += range(0xac00, 11172, r)
				else w += pick(syllables[script], r)
			}
			if (script === 'zh' || script === 'ko') while ([...w].length < 2) w += script === 'zh' ? range(0x4e00, 3000, r) : range(0xac00, 11172, r)
			seen.add(w)
		}
		out[script] = [...seen]
	}
	return out
}

const REGIONS = ['Bogotá', 'Île-de-France', '東京', 'القاهرة', 'Lagos', 'Mumbai', 'São Paulo', 'Москва', 'Chiang Mai', '서울', 'Oaxaca', 'Kraków']
const TOPICS = Array.from({ length: 30 }, (_, i) => ['santé', 'éducation', 'работа', 'سكن', 'परिवार', '交通', 'ครอบครัว', '날씨'][i % 8] + (i >= 8 ? ` ${i}` : ''))

export type BenchSample = { id: string; content: string; language: Script; metadata: Record<string, unknown> }

export function* samples(rows: number, vocab: Record<Script, string[]>): Generator<BenchSample> {
	const r = makeRandom(42)
	for (let i = 0; i < rows; i++) {
		const language = SCRIPTS[i % SCRIPTS.length]!
		const words = vocab[language]
		const n = 20 + Math.floor(r() * 20)
		const parts: string[] = []
		for (let w = 0; w < n; w++) parts.push(words[Math.floor(words.length * r() ** 3)]!)
		const content = UNSPACED.has(language) ? parts.join('').replace(/(.{30})/gu, '$1。') : parts.join(' ')
		yield {
			id: `s-${String(i).padStart(8, '0')}`,
			content,
			language,
			metadata: {
				region: REGIONS[Math.floor(REGIONS.length * r() ** 2)],
				persona: { identity: `identité ${Math.floor(5000 * r() ** 2)}`, age: 18 + (i % 60), gender: ['f', 'm', 'x', 'n/a'][i % 4] },
				prompt_id: `p${i % 50}`,
				model: ['alpha', 'beta', 'gamma', 'delta', 'épsilon'][i % 5],
				topic: TOPICS[Math.floor(TOPICS.length * r())],
				quality: r() < 0.8,
				ref: `r-${i}`,
			},
		}
	}
}
