/**
 * Planted data for the caricature-signal tests (issue #21): a deterministic generator and a plain
 * English vocabulary (no stop words), from which every sample draws its words at random.
 */
export const GROUPS = ['north', 'south', 'east'] as const
export const PLANTED = 'saffron'
export const FILLER = (
	'river mountain garden window market bicycle teacher kitchen letter morning village harbour library pencil orchard meadow ' +
	'lantern basket engine blanket carpet ladder mirror pocket rabbit saddle tunnel violin wagon anchor bridge candle desert'
).split(' ')

/** A small linear congruential generator, so the planted data is the same on every run. */
export function lcg(seed: number) {
	let s = seed >>> 0
	return () => {
		s = (Math.imul(s, 1664525) + 1013904223) >>> 0
		return s / 2 ** 32
	}
}
