import { seededShuffle } from '#app/domain/random.ts'

export type Assignment = { participantId: string; sampleId: number }

export type AssignInput = { sampleIds: number[]; participantIds: string[]; k: number; seed: number }

export type RebalanceInput = AssignInput & {
	/** Existing rows; they may reference withdrawn participants. */
	current: Assignment[]
	/** Reviews already given: never moved, never removed. */
	completed: Assignment[]
}

const keyOf = (a: Assignment) => `${a.sampleId}\u0000${a.participantId}`

/**
 * A fresh assignment: each sample gets min(k, P) distinct participants and loads differ by at most
 * one. Slots are dealt round-robin over a seeded shuffle of the participants, so consecutive slots
 * of a sample land on distinct people and the seed decides who is dealt first.
 */
export function assign({ sampleIds, participantIds, k, seed }: AssignInput): Assignment[] {
	const people = seededShuffle([...new Set(participantIds)], seed)
	const perSample = Math.max(0, Math.min(Math.floor(k), people.length))
	const out: Assignment[] = []
	let slot = 0
	for (const sampleId of new Set(sampleIds)) {
		for (let j = 0; j < perSample; j++) out.push({ participantId: people[slot++ % people.length]!, sampleId })
	}
	return out
}

/**
 * The change that brings existing assignments back in line after people join or withdraw:
 * completed reviews stay; a withdrawn person's pending work goes to others; each sample gets
 * min(k, people who could review it) reviewers (completed reviews of withdrawn people count);
 * pending work flows from the most to the least loaded until no move can even it out further.
 */
export function rebalance(input: RebalanceInput): { add: Assignment[]; remove: Assignment[] } {
	const sampleIds = [...new Set(input.sampleIds)]
	const active = seededShuffle([...new Set(input.participantIds)], input.seed)
	const rank = new Map(active.map((p, i) => [p, i]))
	const position = new Map(sampleIds.map((s, i) => [s, i]))
	const k = Math.max(0, Math.floor(input.k))

	const existing = new Map<string, Assignment>()
	for (const a of [...input.current, ...input.completed]) existing.set(keyOf(a), a)
	const done = new Set(input.completed.map(keyOf))

	// holders: every kept reviewer of a sample; pending: what each active person still has to do.
	const holders = new Map(sampleIds.map((s) => [s, new Set<string>()]))
	const withdrawnDone = new Map(sampleIds.map((s) => [s, 0]))
	const pending = new Map(active.map((p) => [p, new Set<number>()]))
	for (const a of existing.values()) {
		const reviewers = holders.get(a.sampleId)
		if (!reviewers) continue
		if (done.has(keyOf(a))) {
			reviewers.add(a.participantId)
			if (!rank.has(a.participantId)) withdrawnDone.set(a.sampleId, withdrawnDone.get(a.sampleId)! + 1)
			continue
		}
		const queue = pending.get(a.participantId)
		if (!queue) continue
		reviewers.add(a.participantId)
		queue.add(a.sampleId)
	}

	// Nothing to preserve (a round's first assignment): deal it exactly as assign() would.
	const nothingKept = [...holders.values()].every((r) => r.size === 0)
	if (nothingKept) return diff(existing, done, position, rank, assign(input))

	const load = (p: string) => pending.get(p)!.size
	const byLoad = (a: string, b: string) => load(a) - load(b) || rank.get(a)! - rank.get(b)!
	const give = (from: string | null, to: string | null, sampleId: number) => {
		const reviewers = holders.get(sampleId)!
		if (from) {
			reviewers.delete(from)
			pending.get(from)!.delete(sampleId)
		}
		if (to) {
			reviewers.add(to)
			pending.get(to)!.add(sampleId)
		}
	}

	for (const sampleId of sampleIds) {
		const reviewers = holders.get(sampleId)!
		const target = Math.min(k, active.length + withdrawnDone.get(sampleId)!)
		// Too many (k was lowered): drop pending reviews, most loaded people first.
		const droppable = [...reviewers].filter((p) => pending.get(p)?.has(sampleId)).sort((a, b) => byLoad(b, a))
		while (reviewers.size > target && droppable.length > 0) give(droppable.shift()!, null, sampleId)
		// Too few: the least loaded people who do not review it yet.
		while (reviewers.size < target) {
			const next = active.filter((p) => !reviewers.has(p)).sort(byLoad)[0]
			if (!next) break
			give(null, next, sampleId)
		}
	}

	balance(active, pending, holders, position, give)

	const final: Assignment[] = []
	for (const sampleId of sampleIds) {
		for (const participantId of holders.get(sampleId)!) final.push({ participantId, sampleId })
	}
	return diff(existing, done, position, rank, final)
}

/**
 * Moves pending work along chains of people (u gives a sample to x, x gives another to v, …)
 * whenever that lowers someone two or more above the end of the chain. When no chain is left,
 * the spread of pending loads is as small as the per-sample constraints allow.
 */
function balance(active: string[], pending: Map<string, Set<number>>, holders: Map<number, Set<string>>, position: Map<number, number>, give: (from: string, to: string, sampleId: number) => void) {
	const load = (p: string) => pending.get(p)!.size
	// Later samples move first: they are furthest down the giver's queue.
	const queueOf = (p: string) => [...pending.get(p)!].sort((a, b) => position.get(b)! - position.get(a)!)
	const findChain = (source: string): Array<{ from: string; to: string; sampleId: number }> | null => {
		const via = new Map<string, { from: string; sampleId: number }>()
		const seen = new Set([source])
		const queue = [source]
		while (queue.length > 0) {
			const from = queue.shift()!
			const samples = queueOf(from)
			for (const to of active) {
				if (seen.has(to)) continue
				const sampleId = samples.find((s) => !holders.get(s)!.has(to))
				if (sampleId === undefined) continue
				seen.add(to)
				via.set(to, { from, sampleId })
				if (load(to) <= load(source) - 2) {
					const chain = []
					for (let node = to; node !== source; node = via.get(node)!.from) chain.push({ to: node, ...via.get(node)! })
					return chain
				}
				queue.push(to)
			}
		}
		return null
	}
	for (;;) {
		const min = Math.min(...active.map(load))
		const sources = active.filter((p) => load(p) >= min + 2).sort((a, b) => load(b) - load(a))
		let chain = null
		for (const source of sources) if ((chain = findChain(source))) break
		if (!chain) return
		for (const step of chain) give(step.from, step.to, step.sampleId)
	}
}

function diff(existing: Map<string, Assignment>, done: Set<string>, position: Map<number, number>, rank: Map<string, number>, final: Assignment[]): { add: Assignment[]; remove: Assignment[] } {
	const keep = new Set(final.map(keyOf))
	const order = (a: Assignment, b: Assignment) =>
		(position.get(a.sampleId) ?? Infinity) - (position.get(b.sampleId) ?? Infinity) ||
		a.sampleId - b.sampleId ||
		(rank.get(a.participantId) ?? Infinity) - (rank.get(b.participantId) ?? Infinity) ||
		(a.participantId < b.participantId ? -1 : a.participantId > b.participantId ? 1 : 0)
	const add = final.filter((a) => !existing.has(keyOf(a))).map(({ participantId, sampleId }) => ({ participantId, sampleId }))
	const remove = [...existing.entries()].filter(([key]) => !keep.has(key) && !done.has(key)).map(([, { participantId, sampleId }]) => ({ participantId, sampleId }))
	return { add: add.sort(order), remove: remove.sort(order) }
}
