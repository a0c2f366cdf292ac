/**
 * Statistics for the insights dashboard: pure functions, no database. The model aggregates in SQL
 * and hands these functions counts, so a million-sample round never reaches JavaScript row by row.
 */

export type Interval = { low: number; high: number; rate: number }

/**
 * Wilson score interval for a binomial proportion (Wilson 1927; Newcombe 1998, method 3). Unlike
 * the normal approximation it stays inside [0, 1] and behaves at 0/n and n/n, which small
 * attribute groups hit all the time. Null when there is nothing to estimate (n = 0).
 */
export function wilsonInterval(successes: number, n: number, z = 1.96): Interval | null {
	if (!Number.isFinite(n) || n <= 0) return null
	if (successes < 0 || successes > n) throw new RangeError(`successes must be within 0…n (got ${successes} of ${n})`)
	const p = successes / n
	const z2 = z * z
	const denominator = 1 + z2 / n
	const centre = (p + z2 / (2 * n)) / denominator
	const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
	// Clamp away floating-point dust at the edges (0/n must give exactly 0, n/n exactly 1).
	return { rate: p, low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === n ? 1 : Math.min(1, centre + half) }
}

/**
 * How alpha is read (Krippendorff 2004): 0.800 or more is reliable, 0.667 to 0.800 allows
 * tentative conclusions, below 0.667 is low.
 */
export const ALPHA_THRESHOLDS = [0.8, 0.667] as const

export function alphaReading(alpha: number): 'reliable' | 'tentative' | 'low' {
	return alpha >= ALPHA_THRESHOLDS[0] ? 'reliable' : alpha >= ALPHA_THRESHOLDS[1] ? 'tentative' : 'low'
}

/**
 * How many decimals `value` is shown with next to a reading against `thresholds`: three (the
 * thresholds' own precision, so 0.67 never stands beside "below 0.667"), and one more each time
 * rounding would put the shown figure on the other side of a threshold than the value itself
 * (0.6666 is shown as 0.6666, not as 0.667 beside "low").
 */
export function thresholdDecimals(value: number, thresholds: readonly number[] = ALPHA_THRESHOLDS): number {
	for (let d = 3; d < 10; d++) {
		// Rounded as Intl.NumberFormat rounds for display (from the shortest decimal form, unlike toFixed).
		const shown = Number(new Intl.NumberFormat('en', { maximumFractionDigits: d, useGrouping: false }).format(value))
		if (thresholds.every((t) => shown >= t === value >= t)) return d
	}
	return 10
}

/** An agreement figure in `lang`'s digits: at least three decimals, more only where a threshold needs them. */
export function formatAgreement(value: number, lang: string): string {
	return new Intl.NumberFormat(lang, { minimumFractionDigits: 3, maximumFractionDigits: thresholdDecimals(value) }).format(value)
}

/** One unit's values summarised as how many coders gave each value; `weight` = how many units look like this. */
export type ValueCounts = { counts: Readonly<Record<string, number>>; weight?: number }

export type AlphaResult = {
	/** Null when alpha is undefined: no pairable unit, or no variation at all (expected disagreement 0). */
	alpha: number | null
	reason: 'no_pairable_units' | 'no_variation' | null
	/** Units with at least two values. */
	pairableUnits: number
	/** Values in those units (Krippendorff's n). */
	pairableValues: number
}

/**
 * Krippendorff's alpha for nominal data from per-unit value counts (Krippendorff 2011, "Computing
 * Krippendorff's Alpha-Reliability", section C). Only counts matter for nominal data, so units
 * with the same counts can be passed once with a weight — which is how the model feeds it
 * (`group by` the counts in SQL).
 *
 * With o_ck the coincidence matrix (each ordered pair of values within a unit of m values adds
 * 1/(m−1)), n_c its margins and n = Σ n_c:  alpha = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k.
 */
export function alphaNominalFromCounts(units: Iterable<ValueCounts>): AlphaResult {
	let pairableUnits = 0
	let n = 0
	let disagreement = 0 // Σ_{c≠k} o_ck
	const margins = new Map<string, number>()
	for (const unit of units) {
		const weight = unit.weight ?? 1
		if (weight <= 0) continue
		const entries = Object.entries(unit.counts).filter(([, c]) => c > 0)
		const m = entries.reduce((sum, [, c]) => sum + c, 0)
		if (m < 2) continue
		pairableUnits += weight
		n += m * weight
		// Ordered pairs of different values: m² − Σ n_uc², each worth 1/(m−1).
		const same = entries.reduce((sum, [, c]) => sum + c * c, 0)
		disagreement += (weight * (m * m - same)) / (m - 1)
		for (const [value, c] of entries) margins.set(value, (margins.get(value) ?? 0) + c * weight)
	}
	if (pairableUnits === 0) return { alpha: null, reason: 'no_pairable_units', pairableUnits: 0, pairableValues: 0 }
	const expected = n * n - [...margins.values()].reduce((sum, c) => sum + c * c, 0) // Σ_{c≠k} n_c·n_k
	if (expected === 0) return { alpha: null, reason: 'no_variation', pairableUnits, pairableValues: n }
	return { alpha: 1 - ((n - 1) * disagreement) / expected, reason: null, pairableUnits, pairableValues: n }
}

/**
 * Krippendorff's alpha (nominal) over units given as their coders' values; `null`/`undefined` is
 * a missing value. Units with fewer than two values are not pairable and are left out. Returns
 * null when alpha is undefined (see `alphaNominalFromCounts`).
 */
export function krippendorffAlphaNominal(units: ReadonlyArray<ReadonlyArray<string | number | boolean | null | undefined>>): number | null {
	return alphaNominalFromCounts(
		units.map((values) => {
			const counts: Record<string, number> = {}
			for (const v of values) if (v !== null && v !== undefined) counts[String(v)] = (counts[String(v)] ?? 0) + 1
			return { counts }
		}),
	).alpha
}

/** Fewest people a count may describe before it is withheld (a group of one or two is identifiable). */
export const SMALL_GROUP = 3

/** A count of people, or null ("fewer than 3") when small enough to point at someone. */
export function protectCount(n: number, min = SMALL_GROUP): number | null {
	return n >= min ? n : null
}

/**
 * Counts of people per group plus their total, with small groups withheld. The total is shown
 * only when every group is: otherwise "total − the shown groups" would give the withheld one away.
 */
export function protectGroupCounts<K extends string>(counts: Readonly<Record<K, number>>, min = SMALL_GROUP): { groups: Record<K, number | null>; total: number | null } {
	const groups = {} as Record<K, number | null>
	let total = 0
	let withheld = false
	for (const key of Object.keys(counts) as K[]) {
		groups[key] = protectCount(counts[key], min)
		if (groups[key] === null) withheld = true
		total += counts[key]
	}
	return { groups, total: withheld ? null : protectCount(total, min) }
}
