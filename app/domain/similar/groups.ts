/**
 * Building and reading an import's band groups (issue #22, decision 055): the band values that at
 * least two samples share, with those samples.
 *
 * BandGrouper keeps every sample's BANDS band values in one typed array (4 bytes each: 128 MB at a
 * million samples, sized up front from the import's row count), then groups one band position at
 * a time: the position's values are sorted with their sample's index packed into the same float64
 * (value · 2^k + index, exact below 2^53), so equal values end up side by side without a Map of
 * a million keys. Values of different positions are never grouped together: a value a sample has
 * at position 3 and another at position 17 is a coincidence of the hash, not a shared band.
 */
import { BANDS } from './minhash.ts'

export type BandGroup = { band: number; sampleIds: number[] }

export class BandGrouper {
	#bands: Int32Array
	#ids: Float64Array
	#n = 0

	constructor(expected = 1024) {
		const capacity = Math.max(16, expected)
		this.#bands = new Int32Array(capacity * BANDS)
		this.#ids = new Float64Array(capacity)
	}

	get size(): number {
		return this.#n
	}

	/** A sample's BANDS band values (from bands() of minhash.ts); a sample without words is not added. */
	add(sampleId: number, bandValues: ArrayLike<number>) {
		if (this.#n === this.#ids.length) {
			const ids = new Float64Array(this.#ids.length * 2)
			ids.set(this.#ids)
			this.#ids = ids
			const bands = new Int32Array(this.#bands.length * 2)
			bands.set(this.#bands)
			this.#bands = bands
		}
		const base = this.#n * BANDS
		for (let b = 0; b < BANDS; b++) this.#bands[base + b] = bandValues[b]! | 0
		this.#ids[this.#n++] = sampleId
	}

	/** Every band value at least two samples share at one position, with those samples (in the order they were added). */
	*groups(): Generator<BandGroup> {
		const n = this.#n
		if (n < 2) return
		const bits = Math.max(1, Math.ceil(Math.log2(n)))
		const packed = bits + 32 <= 53
		const scale = 2 ** bits
		const keys = new Float64Array(n)
		const order = packed ? null : new Uint32Array(n)
		for (let b = 0; b < BANDS; b++) {
			const valueAt = (i: number) => this.#bands[i * BANDS + b]!
			if (packed) {
				for (let i = 0; i < n; i++) keys[i] = (valueAt(i) >>> 0) * scale + i
				keys.sort()
			} else {
				for (let i = 0; i < n; i++) order![i] = i
				order!.sort((x, y) => (valueAt(x) >>> 0) - (valueAt(y) >>> 0) || x - y)
			}
			const indexAt = (k: number) => (packed ? keys[k]! % scale : order![k]!)
			let start = 0
			while (start < n) {
				const value = valueAt(indexAt(start))
				let end = start + 1
				while (end < n && valueAt(indexAt(end)) === value) end++
				if (end - start >= 2) {
					const sampleIds: number[] = []
					for (let k = start; k < end; k++) sampleIds.push(this.#ids[indexAt(k)]!)
					yield { band: value, sampleIds }
				}
				start = end
			}
		}
	}
}

/**
 * The candidates of a lookup: the samples in the groups of the source's band values, the most
 * shared bands first (ties by sample id), without the source, at most `max`.
 */
export function rankCandidates(groups: ReadonlyArray<ReadonlyArray<number>>, sourceId: number, max: number): number[] {
	const shared = new Map<number, number>()
	for (const ids of groups) for (const id of ids) if (id !== sourceId) shared.set(id, (shared.get(id) ?? 0) + 1)
	return [...shared.entries()]
		.sort((a, b) => b[1] - a[1] || a[0] - b[0])
		.slice(0, max)
		.map(([id]) => id)
}
