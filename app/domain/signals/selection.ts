/**
 * Aiming a round with the caricature signals (issue #21, item 3; decision 049): a stratified
 * sample over one attribute's values that over-represents the values whose text marks them most,
 * and within each value the samples that contain its marking words.
 *
 * - A value's **strength** is the sum of the z-scores of its strongest `STRENGTH_TERMS` listed
 *   terms (0 when none passed the false-discovery control).
 * - Its **weight** is 1 + strength / `STRENGTH_SCALE`, at most `MAX_VALUE_WEIGHT`: a value with no
 *   signal keeps its plain share, a strongly marked one gets up to four times its share.
 * - **Quotas**: the round's N is shared across values in proportion to samples × weight (largest
 *   remainders, no value above its own number of samples); every value gets at least one sample
 *   when N allows, so no group goes unseen.
 * - **Within a value**, a sample that contains one of the value's first `SELECTION_TERMS` terms
 *   counts `TERM_BOOST` times as much as one that does not (weighted sampling without replacement,
 *   Efraimidis & Spirakis 2006, with keys drawn from the recorded seed): those samples are
 *   over-represented, the others still come up.
 *
 * Everything that decided the selection is recorded with the round (`SignalSelection`), so it is
 * shown, reproduced with the seed, and compared with the verdicts later.
 */

/** Terms of a value summed into its strength. */
export const STRENGTH_TERMS = 5
export const STRENGTH_SCALE = 10
export const MAX_VALUE_WEIGHT = 4
/** A value's terms that make one of its samples "signal-selected" (the first ones, by z). */
export const SELECTION_TERMS = 10
/** How much more a sample containing one of its value's terms counts within its value. */
export const TERM_BOOST = 3

export type SignalValueInput = { value: string; samples: number; terms: Array<{ term: string; z: number }> }

export type SignalWeight = {
	value: string
	/** The value's samples in the version. */
	samples: number
	strength: number
	weight: number
	/** Samples of this value the round takes. */
	quota: number
	/** The value's terms a sample must contain to count as signal-selected. */
	terms: string[]
}

export type SignalSelection = {
	mode: 'signals'
	attribute: string
	n: number
	seed: number
	termBoost: number
	/** When the signals used were computed (they may be computed again after a re-import). */
	computedAt: string
	weights: SignalWeight[]
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

/** Strength, weight and quota of each value for a round of `n` samples (values in the order given). */
export function signalWeights(values: SignalValueInput[], n: number): SignalWeight[] {
	const rows = values.map((v) => {
		const strength = round3(
			[...v.terms]
				.sort((a, b) => b.z - a.z)
				.slice(0, STRENGTH_TERMS)
				.reduce((s, t) => s + Math.max(0, t.z), 0),
		)
		return {
			value: v.value,
			samples: Math.max(0, Math.floor(v.samples)),
			strength,
			weight: round3(Math.min(MAX_VALUE_WEIGHT, 1 + strength / STRENGTH_SCALE)),
			quota: 0,
			terms: v.terms.slice(0, SELECTION_TERMS).map((t) => t.term),
		}
	})
	const total = rows.reduce((s, r) => s + r.samples, 0)
	let left = Math.min(Math.max(0, Math.floor(n)), total)
	// Every value seen once when the round is large enough for that.
	const present = rows.filter((r) => r.samples > 0)
	if (left >= present.length) {
		for (const r of present) r.quota = 1
		left -= present.length
	}
	// The rest in proportion to samples × weight, capped at each value's samples: the share a
	// capped value cannot take goes to the others (at most one pass per value).
	while (left > 0) {
		const open = rows.filter((r) => r.quota < r.samples)
		const mass = open.reduce((s, r) => s + r.samples * r.weight, 0)
		if (open.length === 0 || mass === 0) break
		const ideal = open.map((r) => ({ r, x: (left * r.samples * r.weight) / mass }))
		const capped = ideal.filter(({ r, x }) => r.quota + x >= r.samples)
		if (capped.length) {
			for (const { r } of capped) {
				left -= r.samples - r.quota
				r.quota = r.samples
			}
			continue
		}
		// Largest remainders (ties: the heavier value, then the order given).
		let given = 0
		for (const { r, x } of ideal) {
			const whole = Math.floor(x)
			r.quota += whole
			given += whole
		}
		const order = ideal.map(({ r, x }, i) => ({ r, rest: x - Math.floor(x), i })).sort((a, b) => b.rest - a.rest || b.r.weight - a.r.weight || a.i - b.i)
		for (const { r } of order) {
			if (given >= left) break
			if (r.quota < r.samples) {
				r.quota += 1
				given += 1
			}
		}
		left -= given
		if (given === 0) break
	}
	return rows
}

export function isSignalSelection(params: unknown): params is SignalSelection {
	const p = params as Partial<SignalSelection> | null
	return !!p && p.mode === 'signals' && typeof p.attribute === 'string' && Array.isArray(p.weights)
}
