import fc from 'fast-check'
import { expect, test } from 'vitest'
import { mulberry32 } from '#app/domain/random.ts'
import { BANDS, DEFAULT_MIN_SIMILARITY, HASHES, bands, estimateJaccard, jaccard, saltOf, shingles, signature, similarityIndex, storedSignature, worthComparing } from '#app/domain/similar/minhash.ts'
import { wilsonInterval } from '#app/domain/similar/prevalence.ts'
import { makeCorpus, SCRIPTS } from '#tests/similar-corpus.ts'

test('shingles are pairs of words cut as search cuts them, in every script', () => {
	// Case and diacritics folded, punctuation ignored: the same shingles.
	expect(shingles('Café au lait, s’il vous plaît')).toEqual(shingles('cafe AU lait s’il vous plait'))
	expect(shingles('one two three').length).toBe(2)
	expect(shingles('one').length).toBe(1)
	expect(shingles('').length).toBe(0)
	expect(shingles('… — !').length).toBe(0)
	// Chinese without spaces: character bigrams, then pairs of them.
	expect(shingles('我们今天去公园').length).toBe(5)
	// Arabic short vowels folded.
	expect(shingles('كَتَبَ الوَلَدُ الدَّرْسَ')).toEqual(shingles('كتب الولد الدرس'))
})

test('exact Jaccard of shingle sets', () => {
	const a = shingles('a b c d e')
	const b = shingles('a b c d f')
	// {ab, bc, cd, de} vs {ab, bc, cd, df}: 3 / 5.
	expect(jaccard(a, b)).toBeCloseTo(3 / 5)
	expect(jaccard(a, a)).toBe(1)
	expect(jaccard(a, shingles('x y z'))).toBe(0)
})

test('a signature is deterministic, and its estimate tracks the exact Jaccard', () => {
	const random = mulberry32(11)
	const vocab = Array.from({ length: 400 }, (_, i) => `w${i}`)
	let errors = 0
	for (let trial = 0; trial < 200; trial++) {
		const base = Array.from({ length: 60 }, () => vocab[Math.floor(random() * vocab.length)]!)
		const other = base.map((w) => (random() < 0.2 ? vocab[Math.floor(random() * vocab.length)]! : w))
		const sa = shingles(base.join(' '))
		const sb = shingles(other.join(' '))
		const exact = jaccard(sa, sb)
		const estimate = estimateJaccard(storedSignature(signature(sa)!), storedSignature(signature(sb)!))
		errors += Math.abs(estimate - exact)
	}
	// The standard error at 128 positions is at most 0.044; the mean absolute error is below it.
	expect(errors / 200).toBeLessThan(0.044)
	expect(signature(shingles('a b c'))).toEqual(signature(shingles('a b c')))
	expect(signature(new Uint32Array(0))).toBeNull()
})

test('identical texts share every band within an import, and none across imports', () => {
	fc.assert(
		fc.property(fc.string({ minLength: 1 }), fc.uuid(), fc.uuid(), (text, i1, i2) => {
			const a = similarityIndex(text + ' x', saltOf(i1))!
			const b = similarityIndex(text + ' x', saltOf(i1))!
			expect(a.bands).toEqual(b.bands)
			expect(a.bands).toHaveLength(BANDS)
			expect(a.signature).toHaveLength(HASHES)
			expect(a.signature.every((v) => v >= -32768 && v <= 32767)).toBe(true)
			expect(a.bands.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31)).toBe(true)
			if (i1 !== i2) expect(bands(signature(shingles(text + ' x'))!, saltOf(i2)).filter((v, k) => v === a.bands[k]).length).toBeLessThan(3)
		}),
		{ numRuns: 100 },
	)
})

/**
 * The lookup's pipeline in memory: candidates from shared bands, kept when their estimate is
 * close to the threshold, then compared exactly; against brute force over every pair.
 */
test('planted near-duplicates in Latin, Chinese and Arabic: recall ≥ 0.9 and precision ≥ 0.95 against brute force', () => {
	const corpus = makeCorpus({ seed: 2026, families: 150, variantsPerFamily: 3, singles: 300 })
	const salt = saltOf('00000000-0000-0000-0000-000000000001')
	const sets = corpus.map((c) => shingles(c.text))
	const index = corpus.map((c) => similarityIndex(c.text, salt))
	const buckets = new Map<number, number[]>()
	index.forEach((entry, i) => entry?.bands.forEach((b, k) => buckets.set(b * 64 + k, [...(buckets.get(b * 64 + k) ?? []), i])))
	const min = DEFAULT_MIN_SIMILARITY
	let truth = 0
	let found = 0
	let correct = 0
	const perScript = Object.fromEntries(SCRIPTS.map((s) => [s, { truth: 0, hit: 0 }]))
	for (let i = 0; i < corpus.length; i++) {
		const candidates = new Set<number>()
		index[i]!.bands.forEach((b, k) => buckets.get(b * 64 + k)!.forEach((j) => j !== i && candidates.add(j)))
		const reported = new Set([...candidates].filter((j) => worthComparing(estimateJaccard(index[i]!.signature, index[j]!.signature), min) && jaccard(sets[i]!, sets[j]!) >= min))
		for (let j = 0; j < corpus.length; j++) {
			if (j === i) continue
			const relevant = jaccard(sets[i]!, sets[j]!) >= min
			if (relevant) {
				truth++
				perScript[corpus[i]!.script]!.truth++
				if (reported.has(j)) perScript[corpus[i]!.script]!.hit++
			}
			if (reported.has(j)) {
				found++
				if (relevant) correct++
			}
		}
	}
	// The corpus does plant pairs above the threshold, in every script.
	for (const s of SCRIPTS) expect(perScript[s]!.truth).toBeGreaterThan(30)
	expect(truth).toBeGreaterThan(200)
	const recall = correct / truth
	const precision = correct / found
	expect(recall).toBeGreaterThanOrEqual(0.9)
	expect(precision).toBeGreaterThanOrEqual(0.95)
	for (const s of SCRIPTS) expect(perScript[s]!.hit / perScript[s]!.truth).toBeGreaterThanOrEqual(0.9)
})

test('the prevalence interval: bounds are counts, within what the audit proved', () => {
	const all = wilsonInterval(20, 20, 20)
	expect([all.low, all.estimate, all.high]).toEqual([20, 20, 20])
	const none = wilsonInterval(0, 20, 500)
	expect(none.low).toBe(0)
	expect(none.high).toBeGreaterThan(0)
	expect(none.high).toBeLessThanOrEqual(480)
	const half = wilsonInterval(10, 20, 400)
	expect(half.low).toBeGreaterThanOrEqual(10)
	expect(half.low).toBeLessThan(200)
	expect(half.high).toBeGreaterThan(200)
	expect(half.high).toBeLessThanOrEqual(390)
	expect(wilsonInterval(0, 0, 50)).toMatchObject({ low: 0, high: 50 })
})

test('over 1,000 seeded simulated audits the 95 % interval covers the true count at least 93 % of the time', () => {
	const random = mulberry32(22)
	const scenarios = [
		{ N: 40, K: 6, n: 20 },
		{ N: 200, K: 100, n: 20 },
		{ N: 500, K: 25, n: 20 },
		{ N: 300, K: 3, n: 20 },
		{ N: 300, K: 290, n: 20 },
		{ N: 60, K: 12, n: 40 },
		{ N: 1000, K: 700, n: 20 },
		{ N: 120, K: 30, n: 50 },
	]
	for (const { N, K, n } of scenarios) {
		let covered = 0
		for (let run = 0; run < 1000; run++) {
			// Draw n of N without replacement, K of them affected.
			let affectedLeft = K
			let left = N
			let x = 0
			for (let d = 0; d < n; d++) {
				if (random() < affectedLeft / left) {
					x++
					affectedLeft--
				}
				left--
			}
			const interval = wilsonInterval(x, n, N)
			if (interval.low <= K && K <= interval.high) covered++
		}
		expect(covered / 1000, `N=${N} K=${K} n=${n}`).toBeGreaterThanOrEqual(0.93)
	}
})
