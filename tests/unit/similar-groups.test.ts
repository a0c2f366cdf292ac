import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { type BandGroup, BandGrouper, rankCandidates } from '#app/domain/similar/groups.ts'
import { BANDS } from '#app/domain/similar/minhash.ts'

type Sample = { id: number; bands: number[] }

/** What the grouper promises, the plain way: per band position, a Map of each value's samples (in the order added). */
function referenceGroups(samples: Sample[]): BandGroup[] {
	const out: BandGroup[] = []
	for (let b = 0; b < BANDS; b++) {
		const byValue = new Map<number, number[]>()
		for (const s of samples) byValue.set(s.bands[b]!, [...(byValue.get(s.bands[b]!) ?? []), s.id])
		for (const [value, ids] of byValue) if (ids.length >= 2) out.push({ band: value, sampleIds: ids })
	}
	return out
}

/** Groups as a multiset: the order of the groups is not promised, the order of the ids in a group is. */
const canonical = (groups: Iterable<BandGroup>) => [...groups].map((g) => JSON.stringify([g.band, g.sampleIds])).sort()

function grouped(samples: Sample[], expected?: number): BandGroup[] {
	const grouper = new BandGrouper(expected)
	for (const s of samples) grouper.add(s.id, s.bands)
	expect(grouper.size).toBe(samples.length)
	return [...grouper.groups()]
}

/** BANDS values no other sample has (distinct per `seed`), with chosen positions overridden. */
const distinct = (seed: number, at: Record<number, number> = {}) => Array.from({ length: BANDS }, (_, b) => at[b] ?? 1_000_000 + seed * BANDS + b)

describe('BandGrouper', () => {
	test('groups the values two or more samples share at the same band position, ids in the order added', () => {
		const samples: Sample[] = [
			{ id: 30, bands: distinct(0, { 0: 7, 5: -3 }) },
			{ id: 10, bands: distinct(1, { 0: 7 }) },
			{ id: 20, bands: distinct(2, { 0: 7, 5: -3, 31: 2 ** 31 - 1 }) },
			{ id: 40, bands: distinct(3, { 31: 2 ** 31 - 1 }) },
			{ id: 50, bands: distinct(4) },
		]
		expect(canonical(grouped(samples))).toEqual(
			canonical([
				{ band: 7, sampleIds: [30, 10, 20] },
				{ band: -3, sampleIds: [30, 20] },
				{ band: 2 ** 31 - 1, sampleIds: [20, 40] },
			]),
		)
	})

	test('a value two samples hold at different positions is not a shared band', () => {
		const samples: Sample[] = [
			{ id: 1, bands: distinct(0, { 3: 42, 17: -(2 ** 31) }) },
			{ id: 2, bands: distinct(1, { 17: 42, 3: -(2 ** 31) }) },
		]
		expect(grouped(samples)).toEqual([])
		// The same value at the same position is.
		expect(grouped([...samples, { id: 3, bands: distinct(2, { 17: 42 }) }])).toEqual([{ band: 42, sampleIds: [2, 3] }])
	})

	test('fewer than two samples, or none sharing anything: no group', () => {
		expect(grouped([])).toEqual([])
		expect(grouped([{ id: 1, bands: distinct(0) }])).toEqual([])
		expect(
			grouped([
				{ id: 1, bands: distinct(0) },
				{ id: 2, bands: distinct(1) },
			]),
		).toEqual([])
	})

	test('grows past the capacity it was sized for, keeping what was added before', () => {
		// Sized for 1 (16 at least): 1,000 samples double it six times. In each block of 2 · BANDS samples, sample i
		// shares position i % BANDS with sample i + BANDS.
		const samples: Sample[] = Array.from({ length: 1000 }, (_, i) => ({ id: 5_000_000_000 + i, bands: distinct(i, { [i % BANDS]: Math.floor(i / (2 * BANDS)) }) }))
		const groups = grouped(samples, 1)
		expect(canonical(groups)).toEqual(canonical(referenceGroups(samples)))
		expect(groups.length).toBeGreaterThan(400)
		// Ids beyond 32 bits come back exactly.
		expect(groups.flatMap((g) => g.sampleIds).every((id) => id >= 5_000_000_000 && id < 5_000_001_000 && Number.isInteger(id))).toBe(true)
	})

	test('yields exactly what a Map per band position yields (fast-check)', () => {
		// Few distinct values (and the extremes of a signed 32-bit integer), so samples collide often, at the same and at other positions.
		const value = fc.oneof(fc.constantFrom(0, 1, -1, 7, 2 ** 31 - 1, -(2 ** 31)), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }))
		const bandsArb = fc.array(value, { minLength: BANDS, maxLength: BANDS })
		fc.assert(
			fc.property(
				fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 53 - 1 }), { maxLength: 80 }).chain((ids) => fc.tuple(fc.constant(ids), fc.array(bandsArb, { minLength: ids.length, maxLength: ids.length }))),
				fc.integer({ min: 0, max: 40 }),
				([ids, bandLists], expected) => {
					const samples = ids.map((id, i) => ({ id, bands: bandLists[i]! }))
					expect(canonical(grouped(samples, expected))).toEqual(canonical(referenceGroups(samples)))
				},
			),
			{ numRuns: 300 },
		)
	})

	test('copies of a few texts: every copy is in its text’s group at every position', () => {
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 60 }), (texts) => {
				const samples = texts.map((t, i) => ({ id: i + 1, bands: distinct(t) }))
				const groups = grouped(samples, texts.length)
				const copies = new Map<number, number[]>()
				texts.forEach((t, i) => copies.set(t, [...(copies.get(t) ?? []), i + 1]))
				const expected = [...copies.values()].filter((ids) => ids.length >= 2)
				expect(groups).toHaveLength(expected.length * BANDS)
				expect(canonical(groups)).toEqual(canonical(referenceGroups(samples)))
			}),
			{ numRuns: 100 },
		)
	})
})

describe('rankCandidates', () => {
	test('the most shared groups first, ties by id, never the source', () => {
		const groups = [
			[1, 2, 3],
			[2, 3, 1],
			[3, 5, 1],
			[9, 4],
		]
		// Seen from 1: 3 is in three of the groups, 2 in two, then 4, 5 and 9 in one each.
		expect(rankCandidates(groups, 1, 100)).toEqual([3, 2, 4, 5, 9])
		expect(rankCandidates(groups, 3, 100)).toEqual([1, 2, 4, 5, 9])
		expect(rankCandidates([[7, 7]], 7, 10)).toEqual([])
		expect(rankCandidates([], 1, 10)).toEqual([])
	})

	test('at most max, keeping the best', () => {
		const groups = [
			[1, 2, 3, 4],
			[1, 4, 3],
			[1, 4],
		]
		expect(rankCandidates(groups, 1, 2)).toEqual([4, 3])
		expect(rankCandidates(groups, 1, 1)).toEqual([4])
		expect(rankCandidates(groups, 1, 0)).toEqual([])
		expect(rankCandidates(groups, 1, 3)).toEqual([4, 3, 2])
	})

	test('agrees with counting every group’s ids (fast-check)', () => {
		fc.assert(
			fc.property(fc.array(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 8 }), { maxLength: 32 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 40 }), (groups, source, max) => {
				const counts = new Map<number, number>()
				for (const g of groups) for (const id of g) if (id !== source) counts.set(id, (counts.get(id) ?? 0) + 1)
				const ranked = rankCandidates(groups, source, max)
				expect(ranked.length).toBe(Math.min(max, counts.size))
				expect(new Set(ranked).size).toBe(ranked.length)
				expect(ranked).not.toContain(source)
				for (let k = 1; k < ranked.length; k++) {
					const [a, b] = [ranked[k - 1]!, ranked[k]!]
					expect(counts.get(a)! > counts.get(b)! || (counts.get(a) === counts.get(b) && a < b)).toBe(true)
				}
				// Nothing left out beats the last one kept.
				const last = ranked[ranked.length - 1]
				if (last !== undefined) for (const [id, n] of counts) if (!ranked.includes(id)) expect(n < counts.get(last)! || (n === counts.get(last) && id > last)).toBe(true)
			}),
			{ numRuns: 300 },
		)
	})
})
