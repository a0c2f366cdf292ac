import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { MAX_VALUE_WEIGHT, SELECTION_TERMS, signalWeights, STRENGTH_TERMS } from '#app/domain/signals/selection.ts'

const term = (t: string, z: number) => ({ term: t, z })

describe('signalWeights (decision 049)', () => {
	test('strength sums the five strongest z; weight is 1 + strength / 10, at most 4; the terms kept are the first ten', () => {
		const terms = Array.from({ length: 12 }, (_, i) => term(`w${i}`, 12 - i))
		const [v] = signalWeights([{ value: 'a', samples: 100, terms }], 10)
		expect(v!.strength).toBe(12 + 11 + 10 + 9 + 8)
		expect(v!.weight).toBe(MAX_VALUE_WEIGHT)
		expect(v!.terms).toEqual(terms.slice(0, SELECTION_TERMS).map((t) => t.term))
		const [weak] = signalWeights([{ value: 'b', samples: 10, terms: [term('x', 4), term('y', 2.5)] }], 5)
		expect(weak!.strength).toBe(6.5)
		expect(weak!.weight).toBe(1.65)
		const [none] = signalWeights([{ value: 'c', samples: 10, terms: [] }], 5)
		expect(none).toMatchObject({ strength: 0, weight: 1, terms: [] })
		expect(STRENGTH_TERMS).toBe(5)
	})

	test('quotas: proportional to samples × weight, at least one per value, capped at a value’s samples, summing to N', () => {
		const values = [
			{ value: 'marked', samples: 100, terms: [term('a', 10), term('b', 10)] },
			{ value: 'plain', samples: 100, terms: [] },
			{ value: 'tiny', samples: 2, terms: [] },
		]
		const w = signalWeights(values, 40)
		const q = Object.fromEntries(w.map((x) => [x.value, x.quota]))
		expect(q.marked! + q.plain! + q.tiny!).toBe(40)
		// marked weighs 3, plain 1: after one each, 37 left split 300:100:2.
		expect(q.marked).toBeGreaterThan(2.5 * q.plain!)
		expect(q.tiny).toBeGreaterThanOrEqual(1)
		// A round larger than the version takes every sample.
		expect(signalWeights(values, 10_000).map((x) => x.quota)).toEqual([100, 100, 2])
		// A round smaller than the number of values: the heaviest values first.
		expect(signalWeights(values, 1).map((x) => x.quota)).toEqual([1, 0, 0])
	})

	test('for any values and N, the quotas sum to min(N, all samples) and none exceeds its value’s samples', () => {
		fc.assert(
			fc.property(
				fc.array(fc.record({ samples: fc.integer({ min: 0, max: 500 }), zs: fc.array(fc.double({ min: 0, max: 40, noNaN: true }), { maxLength: 12 }) }), { minLength: 1, maxLength: 30 }),
				fc.integer({ min: 0, max: 5000 }),
				(rows, n) => {
					const w = signalWeights(
						rows.map((r, i) => ({ value: `v${i}`, samples: r.samples, terms: r.zs.map((z, j) => term(`t${j}`, z)) })),
						n,
					)
					const total = rows.reduce((s, r) => s + r.samples, 0)
					expect(w.reduce((s, x) => s + x.quota, 0)).toBe(Math.min(n, total))
					for (const x of w) {
						expect(x.quota).toBeGreaterThanOrEqual(0)
						expect(x.quota).toBeLessThanOrEqual(x.samples)
						expect(x.weight).toBeGreaterThanOrEqual(1)
						expect(x.weight).toBeLessThanOrEqual(MAX_VALUE_WEIGHT)
					}
					const present = w.filter((x) => x.samples > 0)
					if (n >= present.length) for (const x of present) expect(x.quota).toBeGreaterThanOrEqual(1)
				},
			),
			{ numRuns: 300 },
		)
	})
})
