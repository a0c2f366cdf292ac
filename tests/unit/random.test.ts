import { expect, test } from 'vitest'
import { randomSeed, seededShuffle } from '#app/domain/random.ts'

test('a seed reproduces the same shuffle; another seed gives another', () => {
	const items = Array.from({ length: 50 }, (_, i) => i)
	expect(seededShuffle(items, 7)).toEqual(seededShuffle(items, 7))
	expect(seededShuffle(items, 7)).not.toEqual(seededShuffle(items, 8))
	expect([...seededShuffle(items, 7)].sort((a, b) => a - b)).toEqual(items)
})

test('taking fewer keeps the same prefix, so raising N only appends', () => {
	const items = Array.from({ length: 30 }, (_, i) => i)
	expect(seededShuffle(items, 3, 10)).toEqual(seededShuffle(items, 3).slice(0, 10))
})

test('fresh seeds are positive 31-bit integers', () => {
	for (let i = 0; i < 100; i++) {
		const s = randomSeed()
		expect(Number.isInteger(s) && s > 0 && s < 2 ** 31).toBe(true)
	}
})
