/**
 * The bounded counters behind caricature signals (issue #21): term counts per attribute value in
 * typed arrays, and distinct counts that are exact while small and a HyperLogLog sketch after.
 */

/**
 * Occurrences and containing samples per term id (ids start at 1; 0 marks an empty slot). Open
 * addressing on one typed array, a slot being [id, counts] side by side (one cache line per probe):
 * the counts are packed in one 32-bit word, occurrences in the high half and samples in the low
 * half, and a term that reaches 65,535 of either moves to a small map of wide counts. 8 bytes a
 * slot against ~80 for a Map entry, because a million samples × 8 attributes × 50 values can hold
 * tens of millions of (value, term) pairs; nearly all of them count less than 65,535.
 */
export class TermCounts {
	size = 0
	private slots: Uint32Array
	private capacity: number
	private shift: number
	/** Counts of the terms whose packed word is WIDE: [occurrences, samples]. */
	private wide: Map<number, [number, number]> | null = null

	constructor(capacity = 64) {
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

	add(id: number, count: number, docs: number) {
		if ((this.size + 1) * 5 > this.capacity * 4) this.grow()
		const at = this.slot(id)
		const slots = this.slots
		if (slots[at] === 0) {
			slots[at] = id
			this.size++
		}
		const packed = slots[at + 1]!
		if (packed !== WIDE) {
			const occurrences = (packed >>> 16) + count
			const samples = (packed & 0xffff) + docs
			if (occurrences < 0xffff && samples < 0xffff) {
				slots[at + 1] = ((occurrences << 16) | samples) >>> 0
				return
			}
			slots[at + 1] = WIDE
			;(this.wide ??= new Map()).set(id, [occurrences, samples])
			return
		}
		const wide = this.wide!.get(id)!
		wide[0] += count
		wide[1] += docs
	}

	/** Occurrences of a term (0 when never seen). */
	count(id: number): number {
		const at = this.slot(id)
		if (this.slots[at] !== id) return 0
		const packed = this.slots[at + 1]!
		return packed === WIDE ? this.wide!.get(id)![0] : packed >>> 16
	}

	/** Every term with its occurrences and samples, in slot order. */
	forEach(visit: (id: number, occurrences: number, samples: number) => void) {
		const slots = this.slots
		for (let s = 0; s < slots.length; s += 2) {
			const id = slots[s]!
			if (id === 0) continue
			const packed = slots[s + 1]!
			if (packed === WIDE) {
				const [occurrences, samples] = this.wide!.get(id)!
				visit(id, occurrences, samples)
			} else visit(id, packed >>> 16, packed & 0xffff)
		}
	}

	private grow() {
		const old = this.slots
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

/** murmur3's finaliser: every input bit moves every output bit. */
function fmix32(h: number): number {
	h ^= h >>> 16
	h = Math.imul(h, 0x85ebca6b)
	h ^= h >>> 13
	h = Math.imul(h, 0xc2b2ae35)
	h ^= h >>> 16
	return h >>> 0
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
