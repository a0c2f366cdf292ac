/**
 * Multilingual samples for bench/search.ts: text in eight scripts (Latin with diacritics, Cyrillic,
 * Arabic, Devanagari, Chinese, Japanese, Thai, Korean; the last four written without spaces) and
 * nine metadata keys, one of them (persona.identity) with 5,000 distinct values at a million rows
 * and one (ref) unique per sample. Words follow a skewed distribution, so some are common and
 * some rare. Deterministic: the same rows every run. templatedSamples() (at the end) writes the
 * same scripts' words as templated text with near-duplicate families, for bench/similar.ts.
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

export type TemplatedSample = BenchSample & { family: number | null }

/**
 * Templated samples with planted near-duplicate families, for bench/similar.ts (issue #22): each
 * text opens with one of its script's 40 prompt templates (8 fixed words, 2 of them slots filled
 * per sample), then 2–4 clauses of 6–12 words from the script's vocabulary. About `familyShare` of
 * the samples belong to families of 2–50 (most small, a few large), spread over the file: a family's
 * first text and variants of it with 10–30 % of the words substituted, inserted or deleted and, half
 * the time, two clauses swapped (as tests/similar-corpus.ts plants them), all of one template and
 * persona. The rest are distinct texts; those of one template still share its opening. Metadata
 * names the template and the persona (one of 500). Deterministic: the same rows every run.
 */
export function* templatedSamples(rows: number, vocab: Record<Script, string[]>, familyShare = 0.1): Generator<TemplatedSample> {
	const r = makeRandom(2207)
	// Which rows are family members: a random permutation's first rows, dealt to families in turn.
	const familyAt = new Int32Array(rows).fill(-1)
	const order = new Uint32Array(rows)
	for (let i = 0; i < rows; i++) order[i] = i
	for (let i = rows - 1; i > 0; i--) {
		const j = Math.floor(r() * (i + 1))
		const t = order[i]!
		order[i] = order[j]!
		order[j] = t
	}
	const target = Math.round(rows * familyShare)
	let families = 0
	for (let placed = 0; placed < target; families++) {
		const size = Math.min(target - placed, 2 + Math.floor(49 * r() ** 3))
		if (size < 2) break
		for (let k = 0; k < size; k++) familyAt[order[placed++]!] = families
	}
	const templates = SCRIPTS.map((script) =>
		Array.from({ length: 40 }, () => Array.from({ length: 8 }, (_, k) => (k === 2 || k === 6 ? null : vocab[script][Math.floor(vocab[script].length * r() ** 1.5)]!))),
	)
	const word = (script: Script, random: () => number) => vocab[script][Math.floor(vocab[script].length * random() ** 2.5)]!
	type Text = { script: Script; template: number; persona: number; clauses: string[][] }
	const original = (random: () => number, script: Script): Text => {
		const template = Math.floor(random() * 40)
		const opening = templates[SCRIPTS.indexOf(script)]![template]!.map((w) => w ?? word(script, random))
		const body = Array.from({ length: 2 + Math.floor(random() * 3) }, () => Array.from({ length: 6 + Math.floor(random() * 7) }, () => word(script, random)))
		return { script, template, persona: Math.floor(random() * 500), clauses: [opening, ...body] }
	}
	const variant = (random: () => number, base: Text): Text => {
		const clauses = base.clauses.map((c) => c.slice())
		const total = clauses.reduce((n, c) => n + c.length, 0)
		const edits = Math.round(total * (0.1 + random() * 0.2))
		for (let e = 0; e < edits; e++) {
			const c = clauses[Math.floor(random() * clauses.length)]!
			const at = Math.floor(random() * c.length)
			const kind = random()
			if (kind < 0.4) c[at] = word(base.script, random)
			else if (kind < 0.7) c.splice(at, 0, word(base.script, random))
			else if (c.length > 2) c.splice(at, 1)
		}
		// Two clauses of the body swapped (the opening stays first).
		if (random() < 0.5 && clauses.length > 2) {
			const i = 1 + Math.floor(random() * (clauses.length - 1))
			const j = 1 + ((i - 1 + 1 + Math.floor(random() * (clauses.length - 2))) % (clauses.length - 1))
			;[clauses[i], clauses[j]] = [clauses[j]!, clauses[i]!]
		}
		return { ...base, clauses }
	}
	const join = ({ script, clauses }: Text) => (UNSPACED.has(script) ? clauses.map((c) => c.join('')).join('，') + '。' : clauses.map((c) => c.join(' ')).join(script === 'ar' ? '، ' : ', ') + '.')
	const members = new Uint16Array(families)
	for (let i = 0; i < rows; i++) {
		const family = familyAt[i]! >= 0 ? familyAt[i]! : null
		let text: Text
		if (family === null) text = original(r, SCRIPTS[i % SCRIPTS.length]!)
		else {
			// A family's first text is made again from its own seed for each member; member 0 is it unchanged.
			const base = original(makeRandom(1_000_003 + family), SCRIPTS[family % SCRIPTS.length]!)
			const k = members[family]!++
			text = k === 0 ? base : variant(makeRandom(2_000_003 + family * 64 + k), base)
		}
		yield {
			id: `s-${String(i).padStart(8, '0')}`,
			content: join(text),
			language: text.script,
			metadata: { template: `${text.script}-${text.template}`, persona: `persona ${text.persona}`, model: ['alpha', 'beta', 'gamma'][i % 3] },
			family,
		}
	}
}
