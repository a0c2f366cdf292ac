/**
 * The insights dashboard's figures as sums of what each unit (a sample in a round) and each
 * sample's standing in a scope contribute (issue #27, decision 057). Keeping the figures is then
 * moving them by new − old contribution whenever a unit is recounted; nothing here reads a database.
 */

/** What a unit contributes: its reviews and flags, counted. */
export type UnitFigures = {
	/** Verdicts other than skips (m), and of those the flags (a). */
	said: number
	flagged: number
	/** `role:verdict` → verdicts. */
	verdicts: Record<string, number>
	/** `category:severity` → flags. */
	cells: Record<string, number>
	/** category → people who flagged the unit with it. */
	categories: Record<string, number>
}

/** A sample's standing in a scope (a round, or the whole version). */
export type SampleStanding = {
	started: boolean
	covered: boolean
	flagged: boolean
	communityFlaggers: number
	maxSeverity: number
	categories: string[]
	expertAlso: boolean
	externalId: string
	/** attribute → the sample's value (null: the sample lacks the attribute). */
	attrs: Record<string, string | null>
}

export type Counts = Map<string, number>

/** Counter keys are `metric` and `key` joined by a tab (neither holds one). */
export const countKey = (metric: string, key: string) => `${metric}\t${key}`
export function splitCountKey(k: string): { metric: string; key: string } {
	const at = k.indexOf('\t')
	return { metric: k.slice(0, at), key: k.slice(at + 1) }
}

function add(into: Counts, k: string, n: number) {
	if (n) into.set(k, (into.get(k) ?? 0) + n)
}

/** The counters one unit adds to its scopes: verdicts by role, flags by cell, and its agreement pattern when it is pairable (m ≥ 2). */
export function unitCounts(u: UnitFigures | null): Counts {
	const out: Counts = new Map()
	if (!u) return out
	for (const [k, n] of Object.entries(u.verdicts)) add(out, countKey('verdicts', k), n)
	for (const [k, n] of Object.entries(u.cells)) add(out, countKey('cells', k), n)
	if (u.said >= 2) {
		add(out, countKey('agree', `${u.said}:${u.flagged}`), 1)
		for (const [category, a] of Object.entries(u.categories)) if (a > 0) add(out, countKey('agree_cat', `${category}:${u.said}:${a}`), 1)
	}
	return out
}

/** The counters a sample's standing adds to its scope: started, covered, and in the minority signal (flagged by exactly one community member). */
export function standingCounts(s: SampleStanding | null): Counts {
	const out: Counts = new Map()
	if (s?.started) add(out, countKey('coverage', 'started'), 1)
	if (s?.covered) add(out, countKey('coverage', 'covered'), 1)
	if (s?.communityFlaggers === 1) add(out, countKey('minority', 'samples'), 1)
	return out
}

/** Rate rows are keyed `attribute`, missing and value, joined by tabs. */
export const rateKey = (attribute: string, value: string | null) => `${attribute}\t${value === null ? '1' : '0'}\t${value ?? ''}`
export function splitRateKey(k: string): { attribute: string; missing: boolean; value: string } {
	const a = k.indexOf('\t')
	return { attribute: k.slice(0, a), missing: k[a + 1] === '1', value: k.slice(a + 3) }
}

/** A reviewed sample adds one reviewed (and one flagged, if flagged) to the row of its value, for each attribute. */
export function standingRates(s: SampleStanding | null): Map<string, { reviewed: number; flagged: number }> {
	const out = new Map<string, { reviewed: number; flagged: number }>()
	if (!s?.started) return out
	for (const [attribute, value] of Object.entries(s.attrs)) out.set(rateKey(attribute, value), { reviewed: 1, flagged: s.flagged ? 1 : 0 })
	return out
}

/** new − old, without the keys that did not move. */
export function difference(before: Counts, after: Counts): Counts {
	const out: Counts = new Map()
	for (const [k, n] of after) add(out, k, n)
	for (const [k, n] of before) add(out, k, -n)
	for (const [k, n] of out) if (n === 0) out.delete(k)
	return out
}

export function rateDifference(before: ReturnType<typeof standingRates>, after: ReturnType<typeof standingRates>) {
	const out = new Map<string, { reviewed: number; flagged: number }>()
	const move = (k: string, r: number, f: number) => {
		const cur = out.get(k) ?? { reviewed: 0, flagged: 0 }
		out.set(k, { reviewed: cur.reviewed + r, flagged: cur.flagged + f })
	}
	for (const [k, v] of after) move(k, v.reviewed, v.flagged)
	for (const [k, v] of before) move(k, -v.reviewed, -v.flagged)
	for (const [k, v] of out) if (v.reviewed === 0 && v.flagged === 0) out.delete(k)
	return out
}

/** Adds `more` into `into` (the deltas of several units of one batch). */
export function accumulate(into: Counts, more: Counts) {
	for (const [k, n] of more) add(into, k, n)
}

export const severityRank = (severity: string | null) => (severity === 'critical' ? 3 : severity === 'major' ? 2 : severity === 'minor' ? 1 : 0)

/** Whether two standings are the same (the job then leaves the row alone). */
export function sameStanding(a: SampleStanding | null, b: SampleStanding | null): boolean {
	return JSON.stringify(a) === JSON.stringify(b)
}
