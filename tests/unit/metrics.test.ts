import { describe, expect, test } from 'vitest'
import { alphaNominalFromCounts, alphaReading, formatAgreement, krippendorffAlphaNominal, thresholdDecimals, protectCount, protectGroupCounts, wilsonInterval } from '#app/domain/metrics.ts'

describe('wilsonInterval', () => {
	// Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table II,
	// method 3 (Wilson score, no continuity correction), to four decimals.
	test.each([
		[81, 263, 0.2553, 0.3662],
		[15, 148, 0.0624, 0.1605],
		[0, 20, 0, 0.1611],
		[1, 29, 0.0061, 0.1718],
	])('%i/%i matches Newcombe’s table', (x, n, low, high) => {
		const ci = wilsonInterval(x, n)!
		expect(ci.rate).toBeCloseTo(x / n, 10)
		expect(ci.low).toBeCloseTo(low, 4)
		expect(ci.high).toBeCloseTo(high, 4)
	})

	// The usual z = 1.96 table for n = 10 (e.g. Agresti & Coull 1998; any Wilson calculator).
	test.each([
		[0, 10, 0, 0.2775],
		[5, 10, 0.2366, 0.7634],
		[10, 10, 0.7225, 1],
	])('%i/%i', (x, n, low, high) => {
		const ci = wilsonInterval(x, n)!
		expect(ci.low).toBeCloseTo(low, 4)
		expect(ci.high).toBeCloseTo(high, 4)
	})

	test('stays within [0, 1], hits the edges exactly, and is symmetric in x ↔ n − x', () => {
		expect(wilsonInterval(0, 1)).toMatchObject({ rate: 0, low: 0 })
		expect(wilsonInterval(1, 1)).toMatchObject({ rate: 1, high: 1 })
		for (let n = 1; n <= 40; n++) {
			for (let x = 0; x <= n; x++) {
				const a = wilsonInterval(x, n)!
				const b = wilsonInterval(n - x, n)!
				expect(a.low).toBeGreaterThanOrEqual(0)
				expect(a.high).toBeLessThanOrEqual(1)
				expect(a.low).toBeLessThanOrEqual(a.rate)
				expect(a.high).toBeGreaterThanOrEqual(a.rate)
				expect(a.low).toBeCloseTo(1 - b.high, 12)
			}
		}
	})

	test('a wider z gives a wider interval; more data a narrower one', () => {
		const w95 = wilsonInterval(5, 10)!
		const w99 = wilsonInterval(5, 10, 2.576)!
		expect(w99.high - w99.low).toBeGreaterThan(w95.high - w95.low)
		const big = wilsonInterval(500, 1000)!
		expect(big.high - big.low).toBeLessThan(w95.high - w95.low)
	})

	test('nothing to estimate with n = 0; impossible counts are refused', () => {
		expect(wilsonInterval(0, 0)).toBeNull()
		expect(() => wilsonInterval(3, 2)).toThrow(RangeError)
		expect(() => wilsonInterval(-1, 2)).toThrow(RangeError)
	})
})

describe('krippendorffAlphaNominal', () => {
	const _ = null
	test('Krippendorff (2011), section C: 4 observers × 12 units, nominal, missing values: alpha = 0.743', () => {
		const A = [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _]
		const B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3]
		const C = [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _]
		const D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _]
		const units = A.map((a, i) => [a, B[i], C[i], D[i]])
		expect(krippendorffAlphaNominal(units)).toBeCloseTo(0.743, 3)
		// Unit 12 has a single value: not pairable. n = 40 pairable values, as in the paper.
		const counts = units.map((u) => ({ counts: Object.fromEntries([1, 2, 3, 4, 5].map((v) => [String(v), u.filter((x) => x === v).length])) }))
		expect(alphaNominalFromCounts(counts)).toMatchObject({ pairableUnits: 11, pairableValues: 40, reason: null })
	})

	test('Krippendorff (2011), section A: binary data, two observers: alpha = 0.095', () => {
		const A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
		const B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
		expect(krippendorffAlphaNominal(A.map((a, i) => [a, B[i]]))).toBeCloseTo(0.095, 3)
	})

	test('Krippendorff (2011), section B: nominal data, two observers: alpha = 0.692', () => {
		const A = 'aabbdcccedda'.split('')
		const B = 'babbbccceddd'.split('')
		expect(krippendorffAlphaNominal(A.map((a, i) => [a, B[i]]))).toBeCloseTo(0.692, 3)
	})

	test('perfect agreement with variation between units is 1', () => {
		expect(
			krippendorffAlphaNominal([
				['flagged', 'flagged'],
				['no', 'no', 'no'],
				['flagged', 'flagged', null],
			]),
		).toBe(1)
	})

	test('no variation at all: alpha is undefined, not 1', () => {
		expect(
			krippendorffAlphaNominal([
				['no', 'no'],
				['no', 'no', 'no'],
			]),
		).toBeNull()
		expect(alphaNominalFromCounts([{ counts: { no: 3 } }])).toMatchObject({ alpha: null, reason: 'no_variation', pairableUnits: 1, pairableValues: 3 })
	})

	test('a single unit: undefined without variation, 0 with an even split', () => {
		expect(krippendorffAlphaNominal([['a', 'a']])).toBeNull()
		expect(krippendorffAlphaNominal([['a', 'b']])).toBe(0)
	})

	test('units with fewer than two values are not pairable', () => {
		expect(alphaNominalFromCounts([])).toMatchObject({ alpha: null, reason: 'no_pairable_units', pairableUnits: 0 })
		expect(krippendorffAlphaNominal([['a'], [null, 'b'], [], [undefined, undefined]])).toBeNull()
		// Adding unpairable units never changes alpha.
		const base = [
			['a', 'b'],
			['a', 'a'],
			['b', 'b', 'b'],
		]
		expect(krippendorffAlphaNominal([...base, ['a'], ['b', null]])).toBe(krippendorffAlphaNominal(base))
	})

	test('weighted counts equal the repeated units (how the model feeds it from SQL)', () => {
		const units = [
			['f', 'n'],
			['f', 'n'],
			['f', 'n'],
			['n', 'n'],
			['n', 'n'],
			['f', 'f', 'n'],
			['f', 'f', 'n'],
		]
		const weighted = alphaNominalFromCounts([
			{ counts: { f: 1, n: 1 }, weight: 3 },
			{ counts: { n: 2 }, weight: 2 },
			{ counts: { f: 2, n: 1 }, weight: 2 },
			{ counts: { f: 1 }, weight: 9 },
		])
		expect(weighted.alpha).toBeCloseTo(krippendorffAlphaNominal(units)!, 12)
		expect(weighted.pairableUnits).toBe(7)
	})

	test('systematic disagreement goes below zero', () => {
		expect(
			krippendorffAlphaNominal([
				['a', 'b'],
				['a', 'b'],
				['b', 'a'],
				['b', 'a'],
			]),
		).toBeLessThan(0)
	})
})

describe('small groups are never counted exactly', () => {
	test('a count below three is withheld', () => {
		expect([0, 1, 2, 3, 10].map((n) => protectCount(n))).toEqual([null, null, null, 3, 10])
	})

	test('the total is withheld whenever a group is, so it cannot be subtracted back', () => {
		expect(protectGroupCounts({ community: 10, expert: 4 })).toEqual({ groups: { community: 10, expert: 4 }, total: 14 })
		expect(protectGroupCounts({ community: 10, expert: 1 })).toEqual({ groups: { community: 10, expert: null }, total: null })
		expect(protectGroupCounts({ community: 2, expert: 2 })).toEqual({ groups: { community: null, expert: null }, total: null })
	})
})

describe('agreement figures next to their threshold', () => {
	test('three decimals, so the figure and the reading agree at 0.667 and 0.800', () => {
		expect(formatAgreement(0.667, 'en')).toBe('0.667')
		expect(alphaReading(0.667)).toBe('tentative')
		expect(formatAgreement(0.66, 'en')).toBe('0.660')
		expect(alphaReading(0.66)).toBe('low')
		expect(formatAgreement(0.8, 'en')).toBe('0.800')
		expect(alphaReading(0.8)).toBe('reliable')
		expect(formatAgreement(0.7432, 'en')).toBe('0.743')
		expect(formatAgreement(-0.25, 'en')).toBe('-0.250')
	})

	test('a value just below a threshold is never rounded up onto it', () => {
		// Two decimals gave "0.67 — below 0.667"; three alone would give "0.667 — below 0.667".
		expect(alphaReading(0.6666)).toBe('low')
		expect(thresholdDecimals(0.6666)).toBe(4)
		expect(formatAgreement(0.6666, 'en')).toBe('0.6666')
		expect(formatAgreement(0.66695, 'en')).toBe('0.66695')
		expect(formatAgreement(0.79951, 'en')).toBe('0.7995')
		expect(alphaReading(0.79951)).toBe('tentative')
		// Just above: rounding down would not cross, so three decimals stay.
		expect(formatAgreement(0.6674, 'en')).toBe('0.667')
	})

	test('for any value, the shown figure reads the same against every threshold as the value', () => {
		for (let i = 0; i <= 20_000; i++) {
			const value = 0.6 + i / 100_000
			const shown = Number(formatAgreement(value, 'en'))
			expect(alphaReading(shown), `${value} shown as ${shown}`).toBe(alphaReading(value))
		}
	})

	test('in the reader’s digits', () => {
		expect(formatAgreement(0.6666, 'ar-EG')).toBe('٠٫٦٦٦٦')
		expect(formatAgreement(0.667, 'fr')).toBe('0,667')
	})
})
