/** Seeded pseudo-randomness: the same seed gives the same order, so assignments can be reproduced. */

/** mulberry32: tiny, fast and good enough to pick samples; the seed is recorded so a selection can be reproduced. */
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0
	return () => {
		a = (a + 0x6d2b79f5) >>> 0
		let t = a
		t = Math.imul(t ^ (t >>> 15), t | 1)
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
}

/**
 * Seeded Fisher–Yates, run forward and stopped after `take` picks: the first n of a seed's
 * shuffle are the same whatever n is, so raising N only appends samples.
 */
export function seededShuffle<T>(items: readonly T[], seed: number | (() => number), take = items.length): T[] {
	const random = typeof seed === 'number' ? mulberry32(seed) : seed
	const out = items.slice()
	const n = Math.max(0, Math.min(Math.floor(take), out.length))
	for (let i = 0; i < n; i++) {
		const j = i + Math.floor(random() * (out.length - i))
		const picked = out[j]!
		out[j] = out[i]!
		out[i] = picked
	}
	return out.slice(0, n)
}

/** A fresh seed to record with a round (31-bit, positive). */
export function randomSeed(): number {
	const [value] = crypto.getRandomValues(new Uint32Array(1))
	return value! >>> 1 || 1
}
