/**
 * Near-duplicate samples (issue #22, decision 052): MinHash signatures over word shingles and
 * locality-sensitive hashing bands.
 *
 * - A text is cut into words exactly as search cuts it (app/domain/search/text.ts), so every
 *   script works: words of space-separated scripts (case and diacritics folded), and overlapping
 *   character bigrams of scripts written without spaces (Chinese, Japanese, Thai, …).
 * - Its shingles are the pairs of consecutive words (SHINGLE = 2), each hashed to 32 bits; a text
 *   of one word has that word as its only shingle. The similarity of two samples is the Jaccard
 *   index of their shingle sets.
 * - The signature is the minimum of each of HASHES seeded 16-bit hash functions over the shingles
 *   (HASHES / 2 multiply-shift mixes, two 16-bit halves each); two signatures agree at a position
 *   with probability equal to the Jaccard index, plus a chance agreement of about 1 / 65,536
 *   (b-bit MinHash), corrected for in estimateJaccard.
 * - BANDS bands of ROWS positions each are hashed (with a salt per import, so identical samples of
 *   other versions never share a band) into 32-bit integers; two samples sharing a band are
 *   candidates. With 32 × 4, a pair at Jaccard 0.6 is a candidate with probability 0.988, at 0.3
 *   with 0.23.
 */
import { words } from '#app/domain/search/text.ts'
import { fmix32 } from '#app/domain/hash.ts'
import { mulberry32 } from '#app/domain/random.ts'

export const SHINGLE = 2
export const HASHES = 128
export const BANDS = 32
export const ROWS = 4
/** The similarity threshold (Jaccard) when none is asked for. */
export const DEFAULT_MIN_SIMILARITY = 0.6
/** The seed of the hash family: changing it changes every stored band, so it never changes. */
const SEED = 0x52544e44

const multipliers = new Int32Array(HASHES)
const offsets = new Int32Array(HASHES)
{
	const random = mulberry32(SEED)
	for (let i = 0; i < HASHES; i++) {
		// Odd multipliers: x ↦ x · a mod 2³² is then a permutation.
		multipliers[i] = (random() * 0x100000000) | 1 | 0
		offsets[i] = (random() * 0x100000000) | 0
	}
}

/** Murmur3's finalizer as a signed 32-bit integer (the bands are stored as PostgreSQL integers). */
const fmix = (h: number): number => fmix32(h) | 0

/** FNV-1a over the UTF-16 code units of a word, finalized. */
function hashWord(word: string): number {
	let h = 0x811c9dc5 | 0
	for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193)
	return fmix(h)
}

/** The hashed shingles of a text (pairs of consecutive words), without repeats, sorted. */
export function shingles(text: string | null | undefined): Uint32Array {
	return text ? shinglesOf(words(text)) : new Uint32Array(0)
}

/** shingles() from a text's words (as words() cuts them). */
export function shinglesOf(ws: readonly string[]): Uint32Array {
	if (!ws.length) return new Uint32Array(0)
	const hashes = ws.map(hashWord)
	const out = new Uint32Array(Math.max(1, hashes.length - SHINGLE + 1))
	if (hashes.length < SHINGLE) out[0] = hashes[0]! >>> 0
	else for (let i = 0; i + SHINGLE <= hashes.length; i++) out[i] = fmix(Math.imul(hashes[i]!, 0x9e3779b1) ^ hashes[i + 1]!) >>> 0
	out.sort()
	let n = 0
	for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[n++] = out[i]!
	return out.subarray(0, n)
}

/** The exact Jaccard index of two shingle sets (as shingles returns them: sorted, no repeats). */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
	if (!a.length && !b.length) return 0
	let i = 0
	let j = 0
	let both = 0
	while (i < a.length && j < b.length) {
		if (a[i] === b[j]) {
			both++
			i++
			j++
		} else if (a[i]! < b[j]!) i++
		else j++
	}
	return both / (a.length + b.length - both)
}

/**
 * The MinHash signature of a shingle set (HASHES minima of 16-bit hash values), or null for no
 * shingles. One multiply-xorshift of a shingle gives two hash functions, its low and its high 16
 * bits (halves of a well-mixed 32-bit value are as good as independent): HASHES / 2 mixes a
 * shingle instead of HASHES, half the import's cost (decision 052). A 16-bit minimum is what the
 * database stores anyway (b-bit MinHash); two shingles of a text tie at a minimum with chance
 * about 1 / 65,536 per pair, which the estimate corrects for with the chance agreements.
 */
export function signature(set: Uint32Array): Uint32Array | null {
	if (!set.length) return null
	const half = HASHES / 2
	const sig = new Uint32Array(HASHES).fill(0xffff)
	for (let k = 0; k < set.length; k++) {
		const x = set[k]! | 0
		for (let i = 0; i < half; i++) {
			const v = Math.imul(x ^ offsets[i]!, multipliers[i]!)
			const hi = v >>> 16
			const lo = (v ^ hi) & 0xffff
			if (lo < sig[i]!) sig[i] = lo
			if (hi < sig[i + half]!) sig[i + half] = hi
		}
	}
	return sig
}

/** A 32-bit salt from an import's id: the same sample text gets other band values in another import. */
export function saltOf(importId: string): number {
	return hashWord(importId)
}

/** The BANDS band values of a signature (signed 32-bit, as PostgreSQL's integer stores them). */
export function bands(sig: Uint32Array, salt: number): number[] {
	const out: number[] = new Array(BANDS)
	for (let b = 0; b < BANDS; b++) {
		let h = fmix(salt ^ Math.imul(b + 1, 0x9e3779b1))
		for (let r = 0; r < ROWS; r++) h = fmix(Math.imul(h, 31) ^ sig[b * ROWS + r]!)
		out[b] = h
	}
	return out
}

/** The signature as stored: each 16-bit minimum as a signed smallint. */
export function storedSignature(sig: Uint32Array): number[] {
	const out: number[] = new Array(sig.length)
	for (let i = 0; i < sig.length; i++) out[i] = (sig[i]! << 16) >> 16
	return out
}

/** The estimated Jaccard index of two stored signatures (the share of agreeing positions, chance agreements removed). */
export function estimateJaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
	const n = Math.min(a.length, b.length)
	if (!n) return 0
	let same = 0
	for (let i = 0; i < n; i++) if (a[i] === b[i]) same++
	const chance = 1 / 65536
	return Math.max(0, (same / n - chance) / (1 - chance))
}

/** What the importer stores for a sample's text: its signature and bands, or nulls when it has no words. */
export function similarityIndex(text: string | null | undefined, salt: number): { signature: number[]; bands: number[] } | null {
	return similarityIndexOf(text ? words(text) : [], salt)
}

/** similarityIndex() from a text's words (the importer has them from cutting the text for search). */
export function similarityIndexOf(ws: readonly string[], salt: number): { signature: number[]; bands: number[] } | null {
	const sig = signature(shinglesOf(ws))
	if (!sig) return null
	return { signature: storedSignature(sig), bands: bands(sig, salt) }
}

/** A Postgres array literal of integers ({1,-2,3}), as COPY and a ::int[] cast read it. */
export function intArrayLiteral(values: readonly number[]): string {
	return `{${values.join(',')}}`
}

/**
 * How far below the threshold a candidate's estimate may fall and still have its text compared:
 * the estimate from 128 positions has a standard error of at most 0.044, so 0.15 (3.4 errors)
 * loses almost no pair at or above the threshold, and drops the many candidates far below it
 * before any text is read.
 */
export const ESTIMATE_MARGIN = 0.15

/** Whether a candidate's estimated similarity is close enough to the threshold to compare its text. */
export function worthComparing(estimate: number, min: number): boolean {
	return estimate >= min - ESTIMATE_MARGIN
}
