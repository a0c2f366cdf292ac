import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { assign, rebalance, type Assignment, type RebalanceInput } from '#app/domain/assignment.ts'

const key = (a: Assignment) => `${a.sampleId}:${a.participantId}`
const people = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `p${from + i}`)
const range = (n: number) => Array.from({ length: n }, (_, i) => 100 + i)

function loads(rows: Assignment[], participantIds: string[]): number[] {
	const counts = new Map(participantIds.map((p) => [p, 0]))
	for (const row of rows) if (counts.has(row.participantId)) counts.set(row.participantId, counts.get(row.participantId)! + 1)
	return [...counts.values()]
}
const spread = (values: number[]) => (values.length === 0 ? 0 : Math.max(...values) - Math.min(...values))

function reviewersBySample(rows: Assignment[]): Map<number, string[]> {
	const out = new Map<number, string[]>()
	for (const row of rows) out.set(row.sampleId, [...(out.get(row.sampleId) ?? []), row.participantId])
	return out
}

/** Applies a rebalance and checks invariants (a)–(e); returns the rows afterwards. */
function applyAndCheck(input: RebalanceInput, result: { add: Assignment[]; remove: Assignment[] }): Assignment[] {
	const before = new Map([...input.current, ...input.completed].map((a) => [key(a), a]))
	const done = new Set(input.completed.map(key))
	for (const a of result.remove) expect(before.has(key(a))).toBe(true)
	for (const a of result.add) expect(before.has(key(a))).toBe(false)
	expect(new Set(result.add.map(key)).size).toBe(result.add.length)
	const removed = new Set(result.remove.map(key))
	// (a) completed work is never moved or removed
	for (const k of done) expect(removed.has(k)).toBe(false)
	const after = [...[...before.values()].filter((a) => !removed.has(key(a))), ...result.add]
	const active = new Set(input.participantIds)
	const bySample = reviewersBySample(after)
	for (const sampleId of input.sampleIds) {
		const reviewers = bySample.get(sampleId) ?? []
		// (e) never twice the same person on a sample
		expect(new Set(reviewers).size).toBe(reviewers.length)
		const completers = reviewers.filter((p) => done.has(`${sampleId}:${p}`))
		const withdrawnCompleters = completers.filter((p) => !active.has(p)).length
		// (b) only active people hold pending work
		for (const p of reviewers) expect(active.has(p) || done.has(`${sampleId}:${p}`)).toBe(true)
		// (c) k reviewers, or as many as there are people who could review it; completed reviews count
		const target = Math.min(input.k, active.size + withdrawnCompleters)
		expect(reviewers.length).toBe(Math.max(target, completers.length))
		expect(reviewers.length).toBeGreaterThanOrEqual(Math.min(input.k, active.size))
	}
	return after
}

const pendingOf = (rows: Assignment[], completed: Assignment[]) => {
	const done = new Set(completed.map(key))
	return rows.filter((a) => !done.has(key(a)))
}

/** (d), the part a test can see: no single pending review could move to someone two or more below its holder. */
function noDirectImprovement(rows: Assignment[], completed: Assignment[], participantIds: string[]) {
	const pending = pendingOf(rows, completed)
	const counts = loads(pending, participantIds)
	const load = new Map(participantIds.map((p, i) => [p, counts[i]!]))
	const holds = new Set(rows.map(key))
	for (const a of pending) {
		for (const p of participantIds) {
			if (load.get(a.participantId)! - load.get(p)! >= 2) expect(holds.has(`${a.sampleId}:${p}`)).toBe(true)
		}
	}
}

const arbRound = fc.record({
	samples: fc.integer({ min: 0, max: 300 }),
	participants: fc.integer({ min: 0, max: 40 }),
	k: fc.integer({ min: 1, max: 5 }),
	seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
})

describe('assign', () => {
	test('6 samples, 3 people, overlap 2: everyone reviews 4', () => {
		const rows = assign({ sampleIds: range(6), participantIds: ['ana', 'bo', 'chen'], k: 2, seed: 1 })
		expect(rows).toHaveLength(12)
		expect(loads(rows, ['ana', 'bo', 'chen'])).toEqual([4, 4, 4])
		for (const reviewers of reviewersBySample(rows).values()) expect(new Set(reviewers).size).toBe(2)
	})

	test('every sample gets min(k, P) distinct reviewers, loads differ by at most one, deterministically', () => {
		fc.assert(
			fc.property(arbRound, ({ samples, participants, k, seed }) => {
				const input = { sampleIds: range(samples), participantIds: people(participants), k, seed }
				const rows = assign(input)
				const bySample = reviewersBySample(rows)
				for (const sampleId of input.sampleIds) {
					const reviewers = bySample.get(sampleId) ?? []
					expect(reviewers.length).toBe(Math.min(k, participants))
					expect(new Set(reviewers).size).toBe(reviewers.length)
				}
				expect(spread(loads(rows, input.participantIds))).toBeLessThanOrEqual(1)
				expect(assign(input)).toEqual(rows)
			}),
		)
	})

	test('the seed changes who is dealt first', () => {
		const first = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => assign({ sampleIds: [1], participantIds: people(5), k: 1, seed })[0]!.participantId))
		expect(first.size).toBeGreaterThan(1)
	})
})

describe('rebalance', () => {
	test('a late joiner takes pending work from the others', () => {
		const base = { sampleIds: range(6), k: 1, seed: 3, completed: [] }
		const current = assign({ ...base, participantIds: ['ana', 'bo'] })
		const input = { ...base, participantIds: ['ana', 'bo', 'chen'], current }
		const result = rebalance(input)
		expect(result.add).toHaveLength(2)
		expect(result.add.every((a) => a.participantId === 'chen')).toBe(true)
		expect(result.remove).toHaveLength(2)
		expect(loads(applyAndCheck(input, result), input.participantIds)).toEqual([2, 2, 2])
	})

	test("a withdrawn person's completed reviews stay and still count; their pending work moves", () => {
		const sampleIds = range(4)
		const current = assign({ sampleIds, participantIds: ['ana', 'bo', 'chen'], k: 2, seed: 5 })
		const completed = current.filter((a) => a.participantId === 'chen').slice(0, 1)
		const input = { sampleIds, participantIds: ['ana', 'bo'], k: 2, seed: 5, current, completed }
		const result = rebalance(input)
		expect(result.remove.filter((a) => a.participantId === 'chen')).toHaveLength(current.filter((a) => a.participantId === 'chen').length - 1)
		const after = applyAndCheck(input, result)
		expect(after).toContainEqual(completed[0])
		expect(reviewersBySample(after).get(completed[0]!.sampleId)).toHaveLength(2)
	})

	test('from nothing, it is a fresh assignment', () => {
		const input = { sampleIds: range(9), participantIds: people(4), k: 2, seed: 11 }
		expect(rebalance({ ...input, current: [], completed: [] })).toEqual({ add: assign(input), remove: [] })
	})

	test('after a late joiner: invariants hold, loads even out, and a second run changes nothing', () => {
		fc.assert(
			fc.property(arbRound, fc.integer({ min: 1, max: 3 }), ({ samples, participants, k, seed }, joiners) => {
				const sampleIds = range(samples)
				const current = assign({ sampleIds, participantIds: people(participants), k, seed })
				const input = { sampleIds, participantIds: people(participants + joiners), k, seed, current, completed: [] }
				const result = rebalance(input)
				const after = applyAndCheck(input, result)
				expect(spread(loads(after, input.participantIds))).toBeLessThanOrEqual(1)
				expect(rebalance(input)).toEqual(result)
				expect(rebalance({ ...input, current: [...current].reverse() })).toEqual(result)
				expect(rebalance({ ...input, current: after })).toEqual({ add: [], remove: [] })
			}),
		)
	})

	test('after a withdrawal: invariants hold and loads even out', () => {
		fc.assert(
			fc.property(arbRound, fc.nat(), ({ samples, participants, k, seed }, who) => {
				const sampleIds = range(samples)
				const everyone = people(participants + 1)
				const current = assign({ sampleIds, participantIds: everyone, k, seed })
				const remaining = everyone.filter((_, i) => i !== who % everyone.length)
				const input = { sampleIds, participantIds: remaining, k, seed, current, completed: [] }
				const after = applyAndCheck(input, rebalance(input))
				expect(after.some((a) => !remaining.includes(a.participantId))).toBe(false)
				expect(spread(loads(after, remaining))).toBeLessThanOrEqual(1)
			}),
		)
	})

	test('after completions, joiners and a withdrawal: completed work is untouched and pending work is spread', () => {
		fc.assert(
			fc.property(arbRound, fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.infiniteStream(fc.boolean()), ({ samples, participants, k, seed }, joiners, withdraw, coin) => {
				const sampleIds = range(samples)
				const current = assign({ sampleIds, participantIds: people(participants), k, seed })
				const completed = current.filter(() => coin.next().value)
				const active = [...people(participants).slice(withdraw ? 1 : 0), ...people(joiners, participants)]
				const input = { sampleIds, participantIds: active, k, seed, current, completed }
				const result = rebalance(input)
				const after = applyAndCheck(input, result)
				for (const a of completed) expect(after).toContainEqual(a)
				noDirectImprovement(after, completed, active)
				expect(rebalance(input)).toEqual(result)
				expect(rebalance({ ...input, current: after })).toEqual({ add: [], remove: [] })
			}),
			{ numRuns: 60 },
		)
	})

	test('lowering k drops pending reviews, never completed ones', () => {
		const sampleIds = range(5)
		const current = assign({ sampleIds, participantIds: people(4), k: 3, seed: 2 })
		const completed = current.slice(0, 6)
		const input = { sampleIds, participantIds: people(4), k: 1, seed: 2, current, completed }
		const after = applyAndCheck(input, rebalance(input))
		for (const reviewers of reviewersBySample(after).values()) expect(reviewers.length).toBeGreaterThanOrEqual(1)
	})
})
