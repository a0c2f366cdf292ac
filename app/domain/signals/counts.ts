/**
 * The bounded counters behind caricature signals (issue #21): term counts per attribute value in
 * typed arrays, and distinct counts that are exact while small and a HyperLogLog sketch after.
 */
import { fmix32 } from '#app/domain/hash.ts'

/**
 * The rows of the terms that can be counted per value (those seen `minCount` times), numbered in
 * the order they got there: a value's dense table is indexed by row.
 */
export class TermRows {
	count = 0
	/** Per term id, its row + 1 (0: no row yet). */
	private rowOf = new Int32Array(1024)
	/** Per row, its term id. */
	ids = new Int32Array(1024)

	/** The term's row, given one if it has none. */
	add(id: number): number {
		if (id >= this.rowOf.length) this.rowOf = grownTo(this.rowOf, Math.max(id + 1, this.rowOf.length * 2))
		const known = this.rowOf[id]!
		if (known) return known - 1
		const row = this.count++
		if (row >= this.ids.length) this.ids = grownTo(this.ids, this.ids.length * 2)
		this.ids[row] = id
		this.rowOf[id] = row + 1
		return row
	}

	/** The term's row, or -1. */
	row(id: number): number {
		return id < this.rowOf.length ? this.rowOf[id]! - 1 : -1
	}
}

/** Rows per page of a dense table (pages are allocated as rows appear, never copied). */
const PAGE_BITS = 14
const PAGE = 1 << PAGE_BITS

/**
 * Occurrences and containing samples per term id (ids start at 1; 0 marks an empty slot). Two
 * layouts, the same answers:
 * - sparse: open addressing on one typed array, a slot being [id, counts] side by side (one cache
 *   line per probe), 8 bytes a slot at a load of 0.4–0.8;
 * - dense (only with `rows`): one 32-bit word per term row, in pages of 16,384 rows. A table moves
 *   from sparse to dense when it holds more than a quarter of the rows: then dense is the smaller
 *   (4 bytes a row against about 13 a term), and a large value's table holds most terms.
 * The counts are packed in one 32-bit word, occurrences in the high half and samples in the low
 * half, and a term that reaches 65,535 of either moves to a small map of wide counts. A million
 * samples × 8 attributes × 50 values can hold tens of millions of (value, term) pairs; nearly all
 * of them count less than 65,535.
 */
export class TermCounts {
	size = 0
	private slots: Uint32Array
	private capacity: number
	private shift: number
	private pages: Uint32Array[] | null = null
	/** Counts of the terms whose packed word is WIDE: [occurrences, samples]. */
	private wide: Map<number, [number, number]> | null = null

	constructor(
		capacity = 64,
		private readonly rows: TermRows | null = null,
	) {
		const bits = Math.max(4, Math.ceil(Math.log2(capacity)))
		this.shift = 32 - bits
		this.capacity = 1 << bits
		this.slots = new Uint32Array(this.capacity * 2)
	}

	private slot(id: number): number {
		const mask = this.capacity - 1
		const slots = this.slots
		let i = Math.imul(id, 0x9e3779b1) >>> this.shift
		while (slots[i * 2] !== 0 && slots[i * 2] !== id) i = (i + 1) & mask
		return i * 2
	}

	add(id: number, count: number, docs: number): void {
		const pages = this.pages
		if (pages) {
			const row = this.rows!.add(id)
			const page = (pages[row >>> PAGE_BITS] ??= new Uint32Array(PAGE))
			const at = row & (PAGE - 1)
			const packed = page[at]!
			if (packed === 0) this.size++
			page[at] = this.packed(id, packed, count, docs)
			return
		}
		if ((this.size + 1) * 5 > this.capacity * 4) this.grow()
		if (this.pages) return this.add(id, count, docs)
		const at = this.slot(id)
		const slots = this.slots
		if (slots[at] === 0) {
			slots[at] = id
			this.size++
		}
		slots[at + 1] = this.packed(id, slots[at + 1]!, count, docs)
	}

	/** The packed word after adding; past 65,535 the counts move to the wide map. */
	private packed(id: number, packed: number, count: number, docs: number): number {
		if (packed !== WIDE) {
			const occurrences = (packed >>> 16) + count
			const samples = (packed & 0xffff) + docs
			if (occurrences < 0xffff && samples < 0xffff) return ((occurrences << 16) | samples) >>> 0
			;(this.wide ??= new Map()).set(id, [occurrences, samples])
			return WIDE
		}
		const wide = this.wide!.get(id)!
		wide[0] += count
		wide[1] += docs
		return WIDE
	}

	/** The packed word of a term (0 when never seen). */
	private word(id: number): number {
		if (this.pages) {
			const row = this.rows!.row(id)
			return row < 0 ? 0 : (this.pages[row >>> PAGE_BITS]?.[row & (PAGE - 1)] ?? 0)
		}
		const at = this.slot(id)
		return this.slots[at] === id ? this.slots[at + 1]! : 0
	}

	/** Occurrences of a term (0 when never seen). */
	count(id: number): number {
		const packed = this.word(id)
		return packed === WIDE ? this.wide!.get(id)![0] : packed >>> 16
	}

	/** Every term with its occurrences and samples (in no particular order). */
	forEach(visit: (id: number, occurrences: number, samples: number) => void) {
		const emit = (id: number, packed: number) => {
			if (packed === WIDE) {
				const [occurrences, samples] = this.wide!.get(id)!
				visit(id, occurrences, samples)
			} else visit(id, packed >>> 16, packed & 0xffff)
		}
		if (this.pages) {
			const ids = this.rows!.ids
			for (let p = 0; p < this.pages.length; p++) {
				const page = this.pages[p]
				if (!page) continue
				for (let at = 0; at < PAGE; at++) if (page[at] !== 0) emit(ids[(p << PAGE_BITS) + at]!, page[at]!)
			}
			return
		}
		const slots = this.slots
		for (let s = 0; s < slots.length; s += 2) if (slots[s] !== 0) emit(slots[s]!, slots[s + 1]!)
	}

	private grow() {
		const old = this.slots
		if (this.rows && this.size * 4 > this.rows.count) {
			// Dense from now on: the pages hold what the slots held.
			this.pages = []
			this.slots = new Uint32Array(0)
			this.capacity = 0
			for (let j = 0; j < old.length; j += 2) {
				if (old[j] === 0) continue
				const row = this.rows.row(old[j]!)
				;(this.pages[row >>> PAGE_BITS] ??= new Uint32Array(PAGE))[row & (PAGE - 1)] = old[j + 1]!
			}
			return
		}
		this.capacity *= 2
		this.shift--
		this.slots = new Uint32Array(this.capacity * 2)
		for (let j = 0; j < old.length; j += 2) {
			if (old[j] === 0) continue
			const at = this.slot(old[j]!)
			this.slots[at] = old[j]!
			this.slots[at + 1] = old[j + 1]!
		}
	}
}

/** A copy of a typed array in a larger one. */
function grownTo<T extends Int32Array | Uint32Array | Uint16Array>(array: T, size: number): T {
	const out = new (array.constructor as new (n: number) => T)(size)
	out.set(array)
	return out
}

/** The packed word of a term whose counts are in the wide map. */
const WIDE = 0xffffffff

const P = 12
const M = 1 << P

/**
 * How many distinct 32-bit hashes were added: exact (a set) up to `limit`, then a HyperLogLog
 * sketch of 4,096 one-byte registers (standard error about 1.6 %), whatever the count.
 */
export class Distinct {
	private exact: Set<number> | null = new Set()
	private registers: Uint8Array | null = null

	constructor(private readonly limit = 1024) {}

	add(hash: number) {
		if (this.exact) {
			this.exact.add(hash)
			if (this.exact.size > this.limit) {
				const hashes = this.exact
				this.exact = null
				this.registers = new Uint8Array(M)
				for (const h of hashes) this.add(h)
			}
			return
		}
		const registers = this.registers!
		const index = hash >>> (32 - P)
		const rank = Math.clz32((hash << P) | (1 << (P - 1))) + 1
		if (rank > registers[index]!) registers[index] = rank
	}

	/** The first n hashes of a buffer. */
	addAll(hashes: Uint32Array, n: number) {
		let i = 0
		for (; i < n && this.exact; i++) this.add(hashes[i]!)
		const registers = this.registers
		if (!registers) return
		for (; i < n; i++) {
			const hash = hashes[i]!
			const index = hash >>> (32 - P)
			const rank = Math.clz32((hash << P) | (1 << (P - 1))) + 1
			if (rank > registers[index]!) registers[index] = rank
		}
	}

	estimate(): number {
		if (this.exact) return this.exact.size
		const registers = this.registers!
		let sum = 0
		let zeros = 0
		for (let i = 0; i < M; i++) {
			sum += 2 ** -registers[i]!
			if (registers[i] === 0) zeros++
		}
		let e = ((0.7213 / (1 + 1.079 / M)) * M * M) / sum
		if (e <= 2.5 * M && zeros > 0) e = M * Math.log(M / zeros)
		else if (e > 2 ** 32 / 30) e = -(2 ** 32) * Math.log(1 - e / 2 ** 32)
		return Math.round(e)
	}
}

/** A hash of an ordered pair of term ids (a word bigram). */
export function pairHash(a: number, b: number): number {
	let h = Math.imul(a ^ 0x5bd1e995, 0xcc9e2d51)
	h = (h << 15) | (h >>> 17)
	return fmix32(Math.imul(h, 0x1b873593) ^ b)
}

/** FNV-1a of a string, finalised. */
export function stringHash(s: string): number {
	let h = 0x811c9dc5
	for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
	return fmix32(h)
}

/**
 * The dictionary of terms, string → id (ids from 1) and back, in typed arrays: the terms' UTF-16
 * code units one after another, where each starts, its hash, and an open-addressing table of ids.
 * About 4 bytes a character and 14 a term, where a Map of strings costs some 70 a term; a million
 * samples of text without spaces, cut into character pairs, give millions of distinct terms.
 */
export class TermDictionary {
	/** The next id; ids 1 … size − 1 are taken. */
	size = 1
	private chars = new Uint16Array(1 << 16)
	/** Where term id's characters start; they end where id + 1's start. */
	private starts = new Int32Array(1024)
	private hashes = new Uint32Array(1024)
	private table = new Int32Array(1 << 12)

	/** The term's id, given one if it is new. */
	intern(term: string): number {
		const n = term.length
		let h = 0x811c9dc5
		for (let i = 0; i < n; i++) h = Math.imul(h ^ term.charCodeAt(i), 0x01000193)
		h = fmix32(h)
		const table = this.table
		const mask = table.length - 1
		let slot = h & mask
		for (let id = table[slot]!; id !== 0; id = table[slot]!) {
			if (this.hashes[id] === h && this.equals(id, term)) return id
			slot = (slot + 1) & mask
		}
		const id = this.size++
		if (this.size >= this.starts.length) {
			this.starts = grownTo(this.starts, this.starts.length * 2)
			this.hashes = grownTo(this.hashes, this.hashes.length * 2)
		}
		const start = this.starts[id]!
		if (start + n > this.chars.length) this.chars = grownTo(this.chars, Math.max(this.chars.length * 2, start + n))
		for (let i = 0; i < n; i++) this.chars[start + i] = term.charCodeAt(i)
		this.starts[id + 1] = start + n
		this.hashes[id] = h
		table[slot] = id
		if (this.size * 2 > table.length) this.rehash()
		return id
	}

	/** The term of an id. */
	lexeme(id: number): string {
		const start = this.starts[id]!
		const end = this.starts[id + 1]!
		let out = ''
		for (let at = start; at < end; at += 4096) out += String.fromCharCode(...this.chars.subarray(at, Math.min(end, at + 4096)))
		return out
	}

	private equals(id: number, term: string): boolean {
		const start = this.starts[id]!
		if (this.starts[id + 1]! - start !== term.length) return false
		for (let i = 0; i < term.length; i++) if (this.chars[start + i] !== term.charCodeAt(i)) return false
		return true
	}

	private rehash() {
		const table = new Int32Array(this.table.length * 2)
		const mask = table.length - 1
		for (let id = 1; id < this.size; id++) {
			let slot = this.hashes[id]! & mask
			while (table[slot] !== 0) slot = (slot + 1) & mask
			table[slot] = id
		}
		this.table = table
	}
}
