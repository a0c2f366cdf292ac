/**
 * Search text for every script (decision 031). Samples and queries go through the same tokenizer:
 * - Scripts written without spaces between words (Chinese, Japanese, Korean, Thai, Lao, Khmer,
 *   Burmese) are indexed as overlapping bigrams of characters (a character with its combining
 *   marks), so any word of two or more characters is found wherever it stands inside a sentence,
 *   whatever a dictionary would have cut; a one-character query matches as a prefix.
 * - Other scripts are cut into words (letters, digits and combining marks), lower-cased, with
 *   diacritics folded where a reader would expect it: Latin and Greek accents, Cyrillic ё → е,
 *   Arabic short vowels and tatweel. Devanagari vowel signs and the like are letters, never folded.
 * The sample's lexemes with their positions are written at import time as a tsvector literal, so
 * PostgreSQL's own parser never re-cuts them, and a query becomes a tsquery literal the same way.
 */

/** A run of a script without spaces between words (with the marks that belong to it). */
const SCRIPTS = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}\\u30fc\\u3005'
const CONTINUOUS = new RegExp(`[${SCRIPTS}]`, 'u')
/** A continuous run, or a word of any other script (letters, digits and the marks on them). */
const TOKEN = new RegExp(`(?:[${SCRIPTS}][\\p{M}\\u200c\\u200d]*)+|(?:(?![${SCRIPTS}])[\\p{L}\\p{N}])(?:(?![${SCRIPTS}])[\\p{L}\\p{N}\\p{M}\\u200c\\u200d])*`, 'gu')
/** One character of a continuous run: a base and the marks on it. */
const CHARACTER = /\P{M}[\p{M}\u200c\u200d]*/gu
const MAX_CHARS = 100_000
const MAX_LEXEME = 100
/** tsvector positions stop at 16,383. */
const MAX_POSITION = 16_383

const STROKES: Record<string, string> = { ß: 'ss', ı: 'i', ς: 'σ', đ: 'd', ł: 'l', ø: 'o' }

export type Token = { lexeme: string; position: number; start: number; end: number; prefix?: boolean }

/** Lower case and the diacritic folding described above, for one word of a space-separated script. */
export function foldWord(word: string): string {
	if (/^[\x00-\x7f]*$/.test(word)) return word.toLowerCase()
	let folded = folds.get(word)
	if (folded !== undefined) return folded
	folded = foldSlow(word)
	if (folds.size >= 100_000) folds.clear()
	folds.set(word, folded)
	return folded
}

/** Words repeat: each distinct one is folded once (bounded). */
const folds = new Map<string, string>()

function foldSlow(word: string): string {
	const folded = word
		.normalize('NFKD')
		.replace(/(?<=[\p{Script=Latin}\p{Script=Greek}]\p{M}*)\p{M}/gu, '')
		.replace(/(?<=[еЕ])\u0308/g, '')
		.replace(/[\u064b-\u065f\u0670\u0640]/g, '')
		.normalize('NFC')
		.toLowerCase()
	// Letters with a stroke have no decomposition to fold.
	return folded.replace(/[ßıςđłø]/g, (c) => STROKES[c]!)
}

/**
 * The tokens of a text, in order. A continuous run of n ≥ 2 characters gives its n − 1 bigrams at
 * consecutive positions, and (for a sample, not a query) its last character at the last bigram's
 * position, so that a one-character query finds it. A run of one character gives that character;
 * in a query it is a prefix (it may begin a bigram).
 */
export function tokenize(input: string, mode: 'sample' | 'query' = 'sample'): Token[] {
	const text = input.length > MAX_CHARS ? input.slice(0, MAX_CHARS) : input
	const tokens: Token[] = []
	let position = 0
	// The token being read: a word (kind 1) from `start`, or a continuous run (kind 3) as its characters.
	let kind = 0
	let start = 0
	let chars: string[] = []
	const close = (end: number) => {
		if (kind === 1) {
			const lexeme = foldWord(text.slice(start, end))
			if (lexeme.length <= MAX_LEXEME) {
				position = Math.min(position + 1, MAX_POSITION)
				tokens.push({ lexeme, position, start, end })
			}
		} else if (kind === 3) {
			// Compatibility forms (half-width katakana, compatibility ideographs) as their usual ones.
			if (chars.some((c) => c.codePointAt(0)! >= 0xf900)) chars = [...chars.join('').normalize('NFKC').matchAll(CHARACTER)].map((c) => c[0])
			if (chars.length === 1) {
				position = Math.min(position + 1, MAX_POSITION)
				tokens.push({ lexeme: chars[0]!, position, start, end, prefix: mode === 'query' })
			} else {
				for (let i = 0; i < chars.length - 1; i++) {
					position = Math.min(position + 1, MAX_POSITION)
					tokens.push({ lexeme: chars[i]! + chars[i + 1]!, position, start, end })
				}
				if (mode === 'sample') tokens.push({ lexeme: chars[chars.length - 1]!, position, start, end })
			}
			chars = []
		}
		kind = 0
	}
	for (let i = 0; i < text.length;) {
		const cp = text.codePointAt(i)!
		const width = cp > 0xffff ? 2 : 1
		const c = classOf(cp)
		if (c === MARK) {
			if (kind === 3) chars[chars.length - 1] += text.slice(i, i + width)
		} else if (c === RUN) {
			if (kind !== 3) {
				close(i)
				kind = 3
				start = i
			}
			chars.push(text.slice(i, i + width))
		} else if (c === WORD) {
			if (kind !== 1) {
				close(i)
				kind = 1
				start = i
			}
		} else if (kind) close(i)
		i += width
	}
	close(text.length)
	return tokens
}

const OTHER = 0
const WORD = 1
const MARK = 2
const RUN = 3
const classes = new Map<number, number>()
/** What a code point is to the tokenizer (memoized: a text uses few distinct ones). */
function classOf(cp: number): number {
	if (cp < 0x80) return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) ? WORD : OTHER
	let c = classes.get(cp)
	if (c !== undefined) return c
	const ch = String.fromCodePoint(cp)
	c = /[\p{M}\u200c\u200d]/u.test(ch) ? MARK : CONTINUOUS.test(ch) ? RUN : /[\p{L}\p{N}]/u.test(ch) ? WORD : OTHER
	if (classes.size < 100_000) classes.set(cp, c)
	return c
}

/**
 * The words of a text as caricature signals count them (issue #21): a sample's lexemes without the
 * extra last character of a continuous run (there only so that a one-character query finds it),
 * so a run of n ≥ 2 characters gives its n − 1 bigrams and a run of one character that character.
 */
export function words(input: string): string[] {
	return tokenize(input, 'query').map((t) => t.lexeme)
}

/** The characters (a base with its marks) of a lexeme of a script written without spaces, or null for a word of any other script. */
export function runCharacters(lexeme: string): string[] | null {
	if (!CONTINUOUS.test(lexeme)) return null
	return Array.from(lexeme.matchAll(CHARACTER), (m) => m[0])
}

const quote = (lexeme: string) => (lexeme.includes("'") || lexeme.includes('\\') ? `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${lexeme}'`)

/** A sample's text as a tsvector literal (`'a':1,4 'b':2`), cast by the database without re-parsing. */
export function searchVector(text: string | null | undefined): string {
	if (!text) return ''
	// The database sorts the lexemes and merges repeated ones (keeping at most 256 positions each).
	let out = ''
	for (const t of tokenize(text)) out += quote(t.lexeme) + ':' + t.position + ' '
	return out
}

/** The text of a sample that search reads: its content, or the contents of its turns. */
export function searchableText(sample: { content?: string | null; messages?: Array<{ content: string }> | null }): string {
	if (sample.content != null) return sample.content
	return (sample.messages ?? []).map((m) => m.content).join('\n')
}

export type ParsedQuery = {
	/** A tsquery literal, or null when the query has no word at all. */
	tsquery: string | null
	/** What to highlight: folded words, and continuous runs as they are written. */
	words: string[]
	runs: string[]
}

/** One term's tokens as a tsquery phrase (`'a' <-> 'b'`), keeping the distance between them. */
function phrase(tokens: Token[]): string {
	let out = ''
	let last = 0
	for (const t of tokens) {
		const lexeme = quote(t.lexeme) + (t.prefix ? ':*' : '')
		if (!out) out = lexeme
		else out += ` <${Math.max(1, t.position - last)}> ${lexeme}`
		last = t.position
	}
	return tokens.length > 1 ? `(${out})` : out
}

/**
 * The search box: words (all must match), "quoted phrases" (in this order, adjacent), and
 * -word or -"phrase" (must not match). Each term is cut like a sample's text, so a run of Chinese
 * is a phrase of its bigrams and "naïve-café" a phrase of two words.
 */
export function parseQuery(q: string): ParsedQuery {
	const parts: string[] = []
	const words = new Set<string>()
	const runs = new Set<string>()
	for (const m of q.slice(0, 500).matchAll(/(-?)"([^"]*)"?|(-?)(\S+)/g)) {
		const negative = (m[1] ?? m[3]) === '-'
		const term = m[2] ?? m[4] ?? ''
		const tokens = tokenize(term, 'query')
		if (!tokens.length) continue
		parts.push(negative ? `!${phrase(tokens)}` : phrase(tokens))
		if (negative) continue
		for (const r of term.matchAll(TOKEN)) {
			if (CONTINUOUS.test(r[0][0]!)) runs.add(r[0])
			else words.add(foldWord(r[0]))
		}
	}
	// Only exclusions: everything but those.
	if (parts.length && parts.every((p) => p.startsWith('!'))) return { tsquery: parts.join(' & '), words: [], runs: [] }
	return { tsquery: parts.length ? parts.join(' & ') : null, words: [...words], runs: [...runs] }
}

export type Highlighted = Array<{ text: string; hit: boolean }>

/** Cuts a snippet into plain and matched parts: query words (folded) and continuous runs as written. */
export function highlight(text: string, query: Pick<ParsedQuery, 'words' | 'runs'>): Highlighted {
	if (!query.words.length && !query.runs.length) return [{ text, hit: false }]
	const marked = new Uint8Array(text.length)
	const words = new Set(query.words)
	for (const m of text.matchAll(TOKEN)) {
		if (!CONTINUOUS.test(m[0][0]!) && words.has(foldWord(m[0]))) marked.fill(1, m.index, m.index + m[0].length)
	}
	for (const run of query.runs) {
		for (let i = text.indexOf(run); i >= 0; i = text.indexOf(run, i + run.length)) marked.fill(1, i, i + run.length)
	}
	const out: Highlighted = []
	let from = 0
	for (let i = 1; i <= text.length; i++) {
		if (i === text.length || marked[i] !== marked[from]) {
			out.push({ text: text.slice(from, i), hit: marked[from] === 1 })
			from = i
		}
	}
	return out
}
