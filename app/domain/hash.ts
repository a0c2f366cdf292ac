/** Murmur3's finalizer: a bijection of 32-bit integers in which every input bit moves every output bit (unsigned result). */
export function fmix32(h: number): number {
	h ^= h >>> 16
	h = Math.imul(h, 0x85ebca6b)
	h ^= h >>> 13
	h = Math.imul(h, 0xc2b2ae35)
	h ^= h >>> 16
	return h >>> 0
}
