/**
 * Stop words per sample language for caricature signals (issue #21), from the `stopword` package
 * (MIT, 60 languages keyed by ISO 639-3), folded as search folds words so they meet the tokens
 * they are meant to remove. Its lists are short function-word lists (English: 108 words); broader
 * lists such as stopwords-iso's English (1,298 words) remove `man`, `old`, `young`, `home`,
 * `poor`, `proud` — the very words a caricature is made of (decision 044).
 */
import { createRequire } from 'node:module'
import { runCharacters, words } from '#app/domain/search/text.ts'

// why: loaded the CommonJS way (its `main`), which works alike under tsx, vitest and the server bundle.
const lists = createRequire(import.meta.url)('stopword') as Record<string, unknown>
/** A primary language subtag (ISO 639-1, or an old or macro-language code) → the package's ISO 639-3 list. */
const CODES: Record<string, string> = {
	af: 'afr',
	ar: 'ara',
	bn: 'ben',
	br: 'bre',
	bg: 'bul',
	ca: 'cat',
	cs: 'ces',
	da: 'dan',
	de: 'deu',
	el: 'ell',
	en: 'eng',
	eo: 'epo',
	et: 'est',
	eu: 'eus',
	fa: 'fas',
	pes: 'fas',
	fi: 'fin',
	fr: 'fra',
	ga: 'gle',
	gl: 'glg',
	gu: 'guj',
	ha: 'hau',
	he: 'heb',
	iw: 'heb',
	hi: 'hin',
	hr: 'hrv',
	hu: 'hun',
	hy: 'hye',
	id: 'ind',
	in: 'ind',
	it: 'ita',
	ja: 'jpn',
	ko: 'kor',
	ku: 'kur',
	la: 'lat',
	lv: 'lav',
	lt: 'lit',
	mr: 'mar',
	ms: 'msa',
	zsm: 'msa',
	my: 'mya',
	nl: 'nld',
	nb: 'nob',
	no: 'nob',
	nn: 'nob',
	pa: 'panGu',
	pl: 'pol',
	pt: 'por',
	ro: 'ron',
	ru: 'rus',
	sk: 'slk',
	sl: 'slv',
	so: 'som',
	st: 'sot',
	es: 'spa',
	sw: 'swa',
	sv: 'swe',
	tl: 'tgl',
	fil: 'tgl',
	th: 'tha',
	tr: 'tur',
	uk: 'ukr',
	ur: 'urd',
	vi: 'vie',
	yo: 'yor',
	zh: 'zho',
	cmn: 'zho',
	yue: 'zho',
	zu: 'zul',
}

/** The stop-word list a language tag uses: its primary language (`zh-Hans` → zho), Brazilian Portuguese its own (`pt-BR` → porBr), English when unknown or absent. */
export function stopWordLanguage(tag: string | null | undefined): string {
	const parts = (tag ?? '').trim().toLowerCase().split(/[-_]/)
	if (parts[0] === 'pt' && parts.includes('br')) return 'porBr'
	const code = CODES[parts[0] ?? '']
	return code && Array.isArray(lists[code]) ? code : 'eng'
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
	for (const word of (lists[language] as string[] | undefined) ?? []) {
		const tokens = words(word)
		if (tokens.length === 1 || tokens.every((t) => runCharacters(t) === null)) {
			for (const t of tokens) set.add(t)
		}
	}
	cache.set(language, set)
	return set
}
