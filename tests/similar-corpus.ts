/**
 * A corpus with planted near-duplicates in three scripts (issue #22): texts of a few clauses, and
 * variants of them with 10–30 % of their words substituted, inserted or deleted and, half the
 * time, two clauses swapped. Latin words are separated by spaces; Arabic words too, in Arabic
 * letters; Chinese is written without spaces (its "words" are one or two characters, as a
 * generator writes them, and the tokenizer cuts the text into character bigrams). Seeded: the same
 * seed gives the same corpus. Used by the quality test and by bench/similar.ts.
 */
import { mulberry32 } from '#app/domain/random.ts'

export type Script = 'latin' | 'han' | 'arabic'
export const SCRIPTS: Script[] = ['latin', 'han', 'arabic']

const LATIN = 'bcdfghjklmnprstvz'
const VOWELS = 'aeiouéàü'

function vocabulary(script: Script, random: () => number, size: number): string[] {
	const out = new Set<string>()
	while (out.size < size) {
		if (script === 'latin') {
			let w = ''
			const syllables = 1 + Math.floor(random() * 3)
			for (let s = 0; s < syllables; s++) w += LATIN[Math.floor(random() * LATIN.length)]! + VOWELS[Math.floor(random() * VOWELS.length)]!
			out.add(w)
		} else if (script === 'arabic') {
			let w = ''
			const letters = 2 + Math.floor(random() * 4)
			for (let s = 0; s < letters; s++) w += String.fromCodePoint(0x0628 + Math.floor(random() * 35))
			out.add(w.replace(/[\u063b-\u0640]/g, 'ل'))
		} else {
			let w = ''
			const chars = 1 + Math.floor(random() * 2)
			for (let s = 0; s < chars; s++) w += String.fromCodePoint(0x4e00 + Math.floor(random() * 3000))
			out.add(w)
		}
	}
	return [...out]
}

export type CorpusText = { id: string; script: Script; text: string; family: number | null }

/** Text as clauses of words; joined per script. */
type Clauses = string[][]

function join(script: Script, clauses: Clauses): string {
	if (script === 'han') return clauses.map((c) => c.join('')).join('，') + '。'
	if (script === 'arabic') return clauses.map((c) => c.join(' ')).join('، ') + '.'
	return clauses.map((c) => c.join(' ')).join(', ') + '.'
}

export function makeCorpus(options: { seed: number; families: number; variantsPerFamily: number; singles: number }): CorpusText[] {
	const random = mulberry32(options.seed)
	const vocab = Object.fromEntries(SCRIPTS.map((s) => [s, vocabulary(s, random, 3000)])) as Record<Script, string[]>
	// Zipf-like: common words are drawn often, so unrelated texts share words but rarely word pairs.
	const word = (script: Script) => vocab[script][Math.floor(vocab[script].length * random() ** 2.5)]!
	const original = (script: Script): Clauses => Array.from({ length: 3 + Math.floor(random() * 3) }, () => Array.from({ length: 6 + Math.floor(random() * 8) }, () => word(script)))
	const variant = (script: Script, base: Clauses): Clauses => {
		const clauses = base.map((c) => c.slice())
		const total = clauses.reduce((n, c) => n + c.length, 0)
		const edits = Math.round(total * (0.1 + random() * 0.2))
		for (let e = 0; e < edits; e++) {
			const c = clauses[Math.floor(random() * clauses.length)]!
			const at = Math.floor(random() * c.length)
			const kind = random()
			if (kind < 0.4) c[at] = word(script)
			else if (kind < 0.7) c.splice(at, 0, word(script))
			else if (c.length > 2) c.splice(at, 1)
		}
		if (random() < 0.5 && clauses.length > 1) {
			const i = Math.floor(random() * clauses.length)
			const j = (i + 1 + Math.floor(random() * (clauses.length - 1))) % clauses.length
			;[clauses[i], clauses[j]] = [clauses[j]!, clauses[i]!]
		}
		return clauses
	}
	const out: CorpusText[] = []
	let family = 0
	for (let f = 0; f < options.families; f++) {
		const script = SCRIPTS[f % SCRIPTS.length]!
		const base = original(script)
		out.push({ id: `f${f}-0`, script, text: join(script, base), family })
		for (let v = 1; v <= options.variantsPerFamily; v++) out.push({ id: `f${f}-${v}`, script, text: join(script, variant(script, base)), family })
		family++
	}
	for (let s = 0; s < options.singles; s++) {
		const script = SCRIPTS[s % SCRIPTS.length]!
		out.push({ id: `s${s}`, script, text: join(script, original(script)), family: null })
	}
	return out
}
