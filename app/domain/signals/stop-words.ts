/**
 * Stop words per sample language for caricature signals (issue #21), from stopwords-iso (58
 * languages), folded as search folds words so they meet the tokens they are meant to remove.
 */
import { createRequire } from 'node:module'
import { runCharacters, words } from '#app/domain/search/text.ts'

// why: the package is one JSON file; Node's ESM loader wants `with { type: 'json' }` for it, which the
// server bundle (esbuild, packages external) drops, so it is loaded the CommonJS way.
const lists = createRequire(import.meta.url)('stopwords-iso') as Record<string, string[]>
/** Old or macro-language codes for the lists' ISO 639-1 codes. */
const ALIASES: Record<string, string> = { in: 'id', iw: 'he', nb: 'no', nn: 'no', fil: 'tl', cmn: 'zh', yue: 'zh', zsm: 'ms', pes: 'fa' }

/** The stop-word list a language tag uses: its primary language (`pt-BR` → `pt`, `zh-Hans` → `zh`), English when unknown or absent. */
export function stopWordLanguage(tag: string | null | undefined): string {
	const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? ''
	const code = ALIASES[primary] ?? primary
	return Object.hasOwn(lists, code) ? code : 'en'
}

const cache = new Map<string, Set<string>>()

/**
 * A language's stop words as tokens. A stop word of a space-separated script gives every word
 * the tokenizer cuts it into ("don't" → don, t), since those are what a text containing it
 * yields; one of a script without spaces counts only when it is one token (one character or a
 * two-character bigram) — the bigrams inside a longer one (一方面 → 方面) are often content words.
 */
export function stopWordsFor(language: string): Set<string> {
	let set = cache.get(language)
	if (set) return set
	set = new Set()
	for (const word of lists[language] ?? []) {
		const tokens = words(word)
		if (tokens.length === 1 || tokens.every((t) => runCharacters(t) === null)) {
			for (const t of tokens) set.add(t)
		}
	}
	cache.set(language, set)
	return set
}
