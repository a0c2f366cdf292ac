/**
 * Caricature signals (issue #21), computed in one pass over a version's samples.
 *
 * What it finds, in plain words. Take one attribute of the samples' metadata, say `persona.origin`,
 * and one of its values, say "Oaxaca". Compare the words of the samples about Oaxaca with the words
 * of all the other samples that have an origin. A word that the generator uses much more often
 * for Oaxaca than for everyone else "marks" that group: it may be a fair detail, or a caricature.
 *
 * How "much more often" is decided ("Fightin' Words", Monroe, Colaresi & Quinn 2008, eq. 16–22, as
 * used by "Marked Personas", Cheng, Durmus & Jurafsky 2023):
 * - Words are cut as search cuts them (Chinese, Japanese, Thai… as pairs of characters; other
 *   scripts as words, case and accents folded). Stop words of the sample's language ("the", "de",
 *   "的"…) and numbers are not counted.
 * - For each word w, the odds of w in the group's text and in the others' text are compared on a
 *   log scale (the log-odds ratio δ). Before comparing, both sides get extra "pretend" occurrences
 *   of w in proportion to how common w is overall (an informative Dirichlet prior): a word seen
 *   three times cannot look dramatic just because it is rare, and a word that is common everywhere
 *   has odds that cancel out.
 *   δ_w = log((y_iw + α_w) / (n_i + α0 − y_iw − α_w)) − log((y_jw + α_w) / (n_j + α0 − y_jw − α_w)),
 *   with y_iw, y_jw the word's counts in the group (i) and the others (j), n_i, n_j their word
 *   totals, α_w the word's count in the background and α0 the background's word total.
 * - δ is divided by its standard error, σ²_w ≈ 1/(y_iw + α_w) + 1/(y_jw + α_w), giving a z-score:
 *   how many standard errors the word sits above what chance would give. Only words more common
 *   in the group (z > 0) are reported; z becomes a one-sided p-value, 1 − Φ(z).
 * - Thousands of words are tested per value, so some would pass by luck. The Benjamini–Hochberg
 *   procedure keeps the expected share of such false discoveries among the listed words below
 *   `fdr` (5 %). Words seen fewer than `minCount` times in the background are not tested at all.
 *
 * Choices made here:
 * - The background (the prior) is the text of the samples that have the attribute, i.e. the
 *   group plus the others: α_w = y_iw + y_jw and α0 = n_i + n_j, the count-based prior of the
 *   Marked Personas code. When every sample has the attribute this is the whole version. Using the
 *   whole version even when some samples lack the attribute would bias the test: a word found only
 *   in those samples would look like a marker of every small value (δ ≠ 0 with y_iw = y_jw = 0).
 * - Lexical diversity is distinct-2: distinct word bigrams / all word bigrams, a bigram being two
 *   consecutive tokens of one sample, stop words and numbers included (templated phrasing such as
 *   "as a proud" is made of them). Distinct-2 falls as text grows, so a value is compared with the
 *   version's distinct-2 at the same number of samples: nested random subsamples of the version
 *   (each sample is in the first k of them with probability 2^-k, seeded) give distinct-2 at sizes
 *   N, N/2, N/4…, interpolated on log size. A value has low diversity when its distinct-2 is below
 *   0.8 × that and it has at least 20 samples. Distinct bigrams are counted exactly up to 1,024,
 *   then by a HyperLogLog sketch (±1.6 %).
 * - Memory is bounded by the vocabulary, never by the samples: per (attribute, value) term counts
 *   in typed arrays, fixed-size sketches, one dictionary of terms.
 */
import { mulberry32 } from '#app/domain/random.ts'
import { runCharacters, words } from '#app/domain/search/text.ts'
import { Distinct, pairHash, stringHash, TermCounts, TermDictionary, TermRows } from './counts.ts'
import { stopWordLanguage, stopWordsFor } from './stop-words.ts'
import type { AttributeSignals, SignalSample, SignalTerm, SkippedAttribute, ValueSignal, VersionSignals } from './types.ts'

export type SignalOptions = {
	/** Dotted metadata paths (`persona.origin`). */
	attributes: string[]
	/** Benjamini–Hochberg false-discovery rate, in (0, 0.5). */
	fdr?: number
	termsPerValue?: number
	/** An attribute with more distinct values than this is skipped (high_cardinality). */
	maxValues?: number
	/** Terms seen fewer times than this in the background are not tested. */
	minCount?: number
}

/** A value's distinct-2 below this share of the version's (at the same size) is low diversity… */
export const LOW_DIVERSITY_RATIO = 0.8
/** …when the value has at least this many samples. */
export const LOW_DIVERSITY_MIN_SAMPLES = 20
const MAX_LEVEL = 24
const VALUE_DISTINCT_LIMIT = 10_000

type ValueState = { index: number; samples: number; tokens: number; bigrams: number; distinct: Distinct; terms: TermCounts }
type AttributeState = { attribute: string; path: string[]; values: Map<string, ValueState> | null; list: ValueState[]; seen: Distinct }
type Level = { samples: number; bigrams: number; distinct: Distinct }

const TERM = 1
const DROPPED = 2
/** No value of the attribute, in a sample's record of value indexes. */
const NO_VALUE = 0xffff

export class SignalAccumulator {
	private readonly fdr: number
	private readonly termsPerValue: number
	private readonly maxValues: number
	private readonly minCount: number
	private readonly attributes: AttributeState[]
	private samples = 0
	/** Nested random subsamples of the version: level k holds each sample with probability 2^-k. */
	private readonly levels: Level[] = []
	private readonly random = mulberry32(21)
	/** The dictionary: term → id (ids from 1) and back. */
	private readonly dictionary = new TermDictionary()
	/** Per term id: counted (TERM) or not (DROPPED) in the stop-word language `kindLanguage` (0: not classified yet). */
	private kinds = new Uint8Array(1024)
	private kindLanguage = new Uint8Array(1024)
	private readonly languages = new Map<string, number>()
	/** The rows of the terms counted per value (seen `minCount` times): a large value's table is indexed by them. */
	private readonly rows = new TermRows()
	/**
	 * Rare terms wait. Most distinct terms of a large corpus occur only a few times (in text without
	 * spaces, most character bigrams), and a term seen fewer than `minCount` times in all is never
	 * tested nor listed. So a term's occurrences are kept per sample as pending entries until its
	 * total reaches `minCount`; then they go to the values' tables, and later ones straight there.
	 * The tables then hold the terms that can matter, not every term once per attribute. The result
	 * is the same: a term's count in a value is the sum of the same occurrences, only added later.
	 */
	private totals = new Uint32Array(1024)
	private pendingHead = new Int32Array(1024)
	/** Pending entries from 1 (0 ends a list): next entry, sample record, occurrences; freed entries are reused. */
	private pendingNext = new Int32Array(1024)
	private pendingRecord = new Int32Array(1024)
	private pendingCount = new Uint32Array(1024)
	private pendingUsed = 1
	private pendingFree = 0
	/** Per sample with pending entries, its value's index in each attribute (NO_VALUE: none). */
	private records = new Uint16Array(1024)
	private recordCount = 0
	private readonly sampleStates: Array<ValueState | null>
	// Buffers reused from sample to sample.
	private scratch = new Uint32Array(1024)
	private idBuffer = new Int32Array(1024)
	private hashBuffer = new Uint32Array(1024)
	private touched = new Int32Array(1024)

	constructor(options: SignalOptions) {
		this.fdr = options.fdr ?? 0.05
		this.termsPerValue = options.termsPerValue ?? 25
		this.maxValues = options.maxValues ?? 50
		this.minCount = options.minCount ?? 5
		if (!(this.fdr > 0 && this.fdr < 0.5)) throw new RangeError('fdr must be between 0 and 0.5')
		if (this.maxValues >= NO_VALUE) throw new RangeError(`maxValues must be below ${NO_VALUE}`)
		this.attributes = [...new Set(options.attributes)].map((attribute) => ({
			attribute,
			path: attribute.split('.'),
			values: new Map(),
			list: [],
			seen: new Distinct(VALUE_DISTINCT_LIMIT),
		}))
		this.sampleStates = this.attributes.map(() => null)
	}

	add(sample: SignalSample) {
		this.samples++
		const lexemes = words(sample.text)
		const n = lexemes.length
		if (this.idBuffer.length < n) {
			this.idBuffer = new Int32Array(n * 2)
			this.hashBuffer = new Uint32Array(n * 2)
			this.touched = new Int32Array(n * 2)
		}
		const ids = this.idBuffer
		for (let i = 0; i < n; i++) ids[i] = this.intern(lexemes[i]!)
		const hashes = this.hashBuffer
		const bigrams = Math.max(0, n - 1)
		for (let i = 1; i < n; i++) hashes[i - 1] = pairHash(ids[i - 1]!, ids[i]!)

		const language = stopWordLanguage(sample.language)
		const languageIndex = this.languageIndex(language)
		const kinds = this.kinds
		const kindLanguage = this.kindLanguage
		const scratch = this.scratch
		const touched = this.touched
		let distinctTerms = 0
		let tokens = 0
		for (let i = 0; i < n; i++) {
			const id = ids[i]!
			let kind = kinds[id]!
			if (kindLanguage[id] !== languageIndex) {
				// why: a term met in another language's samples before is classified again (its stop words differ).
				kind = kinds[id] = this.classify(id, language)
				kindLanguage[id] = languageIndex
			}
			if (kind !== TERM) continue
			tokens++
			if (scratch[id] === 0) touched[distinctTerms++] = id
			scratch[id]!++
		}

		let r = this.random()
		for (let k = 0; k <= MAX_LEVEL; k++) {
			const level = (this.levels[k] ??= { samples: 0, bigrams: 0, distinct: new Distinct() })
			level.samples++
			level.bigrams += bigrams
			level.distinct.addAll(hashes, bigrams)
			if (r >= 0.5) break
			r *= 2
		}

		const states = this.sampleStates
		for (let a = 0; a < this.attributes.length; a++) {
			const attribute = this.attributes[a]!
			states[a] = null
			const value = valueAt(sample.metadata, attribute.path)
			if (value === null) continue
			attribute.seen.add(stringHash(value))
			if (!attribute.values) continue
			let state = attribute.values.get(value)
			if (!state) {
				if (attribute.values.size >= this.maxValues) {
					// Too many values to be categories: drop the counts, keep counting distinct values.
					attribute.values = null
					attribute.list = []
					continue
				}
				state = { index: attribute.list.length, samples: 0, tokens: 0, bigrams: 0, distinct: new Distinct(), terms: new TermCounts(64, this.rows) }
				attribute.values.set(value, state)
				attribute.list.push(state)
			}
			state.samples++
			state.tokens += tokens
			state.bigrams += bigrams
			state.distinct.addAll(hashes, bigrams)
			states[a] = state
		}

		let record = -1
		for (let i = 0; i < distinctTerms; i++) {
			const id = touched[i]!
			const count = scratch[id]!
			scratch[id] = 0
			const before = this.totals[id]!
			this.totals[id] = before + count
			if (before + count < this.minCount) {
				if (record < 0) record = this.record()
				this.pend(id, record, count)
				continue
			}
			if (before < this.minCount) this.promote(id)
			for (let a = 0; a < states.length; a++) states[a]?.terms.add(id, count, 1)
		}
	}

	/** This sample's value index in each attribute, kept for its pending entries. */
	private record(): number {
		const width = this.attributes.length
		if ((this.recordCount + 1) * width > this.records.length) this.records = grown(this.records, (this.recordCount + 1) * width * 2)
		const at = this.recordCount * width
		for (let a = 0; a < width; a++) this.records[at + a] = this.sampleStates[a]?.index ?? NO_VALUE
		return this.recordCount++
	}

	private pend(id: number, record: number, count: number) {
		let entry = this.pendingFree
		if (entry) this.pendingFree = this.pendingNext[entry]!
		else {
			entry = this.pendingUsed++
			if (entry >= this.pendingNext.length) {
				const size = this.pendingNext.length * 2
				this.pendingNext = grown(this.pendingNext, size)
				this.pendingRecord = grown(this.pendingRecord, size)
				this.pendingCount = grown(this.pendingCount, size)
			}
		}
		this.pendingNext[entry] = this.pendingHead[id]!
		this.pendingRecord[entry] = record
		this.pendingCount[entry] = count
		this.pendingHead[id] = entry
	}

	/** A term reached `minCount`: its earlier occurrences go to the tables of their samples' values. */
	private promote(id: number) {
		this.rows.add(id)
		const width = this.attributes.length
		let entry = this.pendingHead[id]!
		this.pendingHead[id] = 0
		while (entry) {
			const at = this.pendingRecord[entry]! * width
			for (let a = 0; a < width; a++) {
				const index = this.records[at + a]!
				const state = index === NO_VALUE ? undefined : this.attributes[a]!.list[index]
				state?.terms.add(id, this.pendingCount[entry]!, 1)
			}
			const next = this.pendingNext[entry]!
			this.pendingNext[entry] = this.pendingFree
			this.pendingFree = entry
			entry = next
		}
	}

	result(): VersionSignals {
		const attributes: AttributeSignals[] = []
		const skipped: SkippedAttribute[] = []
		for (const attribute of this.attributes) {
			if (!attribute.values) skipped.push({ attribute: attribute.attribute, reason: 'high_cardinality', distinct: Math.max(this.maxValues + 1, attribute.seen.estimate()) })
			else if (attribute.values.size < 2) skipped.push({ attribute: attribute.attribute, reason: 'single_value', distinct: attribute.values.size })
			else attributes.push({ attribute: attribute.attribute, values: this.attributeValues(attribute.values) })
		}
		const all = this.levels[0]
		return {
			samples: this.samples,
			distinct2: all ? ratio(all.distinct.estimate(), all.bigrams) : 0,
			attributes,
			skipped,
			method: { prior: 'informative-dirichlet', fdr: this.fdr, termsPerValue: this.termsPerValue, maxValues: this.maxValues, minCount: this.minCount },
		}
	}

	private attributeValues(values: Map<string, ValueState>): ValueSignal[] {
		// The background: the text of every sample that has the attribute.
		let total = 0
		let largest = 0
		for (const state of values.values()) {
			total += state.tokens
			largest = Math.max(largest, state.terms.size)
		}
		const background = new TermCounts(largest * 2)
		for (const state of values.values()) state.terms.forEach((id, occurrences) => background.add(id, occurrences, 0))
		let tested = 0
		background.forEach((_, occurrences) => {
			if (occurrences >= this.minCount) tested++
		})

		const out: ValueSignal[] = []
		const points = this.baselinePoints()
		for (const [value, state] of values) {
			const distinct2 = ratio(state.distinct.estimate(), state.bigrams)
			const baseline = baselineDistinct2(points, state.samples)
			out.push({
				value,
				samples: state.samples,
				share: state.samples / this.samples,
				distinct2,
				lowDiversity: state.samples >= LOW_DIVERSITY_MIN_SAMPLES && state.bigrams > 0 && distinct2 < LOW_DIVERSITY_RATIO * baseline,
				terms: this.markedTerms(state, background, total, tested),
			})
		}
		return out.sort((a, b) => b.samples - a.samples || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
	}

	/** The value's terms passing Benjamini–Hochberg among the `tested` terms, by z descending. */
	private markedTerms(state: ValueState, background: TermCounts, total: number, tested: number): SignalTerm[] {
		const ni = state.tokens
		const nj = total - ni
		// Only p ≤ fdr can pass (k·fdr/m ≤ fdr); terms absent from the value have z < 0 and are not listed.
		const candidates: Array<{ id: number; z: number; p: number; count: number; samples: number }> = []
		state.terms.forEach((id, count, samples) => {
			const all = background.count(id)
			if (all < this.minCount) return
			const z = logOddsZ(count, ni, all - count, nj, all, total)
			if (!(z > 0)) return
			const p = upperTail(z)
			if (p <= this.fdr) candidates.push({ id, z, p, count, samples })
		})
		candidates.sort((a, b) => b.z - a.z || a.id - b.id)
		let passing = 0
		for (let k = 1; k <= candidates.length; k++) if (candidates[k - 1]!.p <= (k * this.fdr) / tested) passing = k
		return candidates.slice(0, Math.min(passing, this.termsPerValue)).map((c) => ({ term: this.dictionary.lexeme(c.id), z: c.z, count: c.count, samples: c.samples }))
	}

	/** The nested subsamples' sizes (log) and distinct-2, estimated once for all values. */
	private baselinePoints(): Point[] {
		return this.levels.filter((l) => l.samples > 0 && l.bigrams > 0).map((l) => ({ size: Math.log(l.samples), d: ratio(l.distinct.estimate(), l.bigrams) }))
	}

	private intern(lexeme: string): number {
		const id = this.dictionary.intern(lexeme)
		if (id >= this.scratch.length) {
			const size = this.scratch.length * 2
			this.scratch = grown(this.scratch, size)
			this.totals = grown(this.totals, size)
			this.pendingHead = grown(this.pendingHead, size)
			this.kinds = grown(this.kinds, size)
			this.kindLanguage = grown(this.kindLanguage, size)
		}
		return id
	}

	/** A stop-word language's number, from 1. */
	private languageIndex(language: string): number {
		let index = this.languages.get(language)
		if (index === undefined) {
			index = this.languages.size + 1
			if (index > 255) throw new RangeError('more than 255 stop-word languages')
			this.languages.set(language, index)
		}
		return index
	}

	/** Numbers and stop words are not terms; in scripts without spaces, neither is a pair of two one-character stop words (的是). */
	private classify(id: number, language: string): number {
		const lexeme = this.dictionary.lexeme(id)
		if (/^\p{N}+$/u.test(lexeme)) return DROPPED
		const stop = stopWordsFor(language)
		if (stop.has(lexeme)) return DROPPED
		const chars = runCharacters(lexeme)
		if (chars?.length === 2 && stop.has(chars[0]!) && stop.has(chars[1]!)) return DROPPED
		return TERM
	}
}

/**
 * The weighted log-odds z-score of a word (Monroe et al. 2008, eq. 16–22): counts yi of nᵢ words
 * in the group and yj of nj in the others, prior α_w = alpha of α0 = alpha0.
 */
export function logOddsZ(yi: number, ni: number, yj: number, nj: number, alpha: number, alpha0: number): number {
	const delta = Math.log((yi + alpha) / (ni + alpha0 - yi - alpha)) - Math.log((yj + alpha) / (nj + alpha0 - yj - alpha))
	return delta / Math.sqrt(1 / (yi + alpha) + 1 / (yj + alpha))
}

/** 1 − Φ(z), the one-sided p-value (erfc with relative error below 1.2e-7, so small tails stay accurate). */
export function upperTail(z: number): number {
	const x = z / Math.SQRT2
	const a = Math.abs(x)
	const t = 1 / (1 + 0.5 * a)
	const erfc =
		t *
		Math.exp(
			-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
		)
	return 0.5 * (x >= 0 ? erfc : 2 - erfc)
}

/** The turns of the given roles, joined: what a chat sample contributes (the assistant's turns by default). */
export function chatText(messages: ReadonlyArray<{ role: string; content: string }>, roles: readonly string[] = ['assistant']): string {
	return messages
		.filter((m) => roles.includes(m.role))
		.map((m) => m.content)
		.join('\n')
}

/** The scalar at a dotted path as a string; arrays, objects, null and missing keys are no value. */
function valueAt(metadata: Record<string, unknown> | null, path: string[]): string | null {
	let v: unknown = metadata
	for (const key of path) {
		if (!v || typeof v !== 'object' || Array.isArray(v)) return null
		v = (v as Record<string, unknown>)[key]
	}
	if (typeof v === 'string') return v
	if (typeof v === 'number' || typeof v === 'boolean') return String(v)
	return null
}

type Point = { size: number; d: number }

/** The version's distinct-2 over a random subsample of `samples` samples (interpolated between the nested subsamples). */
function baselineDistinct2(points: Point[], samples: number): number {
	if (!points.length) return 0
	const size = Math.log(samples)
	if (size >= points[0]!.size) return points[0]!.d
	for (let k = 0; k + 1 < points.length; k++) {
		const a = points[k]!
		const b = points[k + 1]!
		if (size >= b.size) return a.size === b.size ? a.d : b.d + ((a.d - b.d) * (size - b.size)) / (a.size - b.size)
	}
	return points[points.length - 1]!.d
}

/** A copy of a typed array in a larger one. */
function grown<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(array: T, size: number): T {
	const out = new (array.constructor as new (n: number) => T)(size)
	out.set(array)
	return out
}

function ratio(distinct: number, total: number): number {
	return total > 0 ? Math.min(1, distinct / total) : 0
}
