/**
 * How many of an issue's similar samples are affected, from an audit (issue #22): n of the N
 * similar samples are drawn at random without replacement and reviewed; x of them are confirmed.
 * The 95 % interval is Wilson's score interval with the finite-population correction: the
 * sampling variance p(1 − p)/n is multiplied by (N − n)/(N − 1), which Wilson's formula takes as
 * z² · f in place of z². The bounds are then counts, rounded outward, and never below the x
 * confirmed nor above N minus the n − x cleared. When every sample was reviewed (n = N), the
 * interval is the exact count.
 *
 * Wilson's interval covers less than it promises when only 1–3 samples (or all but 1–3) were
 * confirmed: with 20 of 500 reviewed and 25 truly affected it covers 92 %. As Brown, Cai and
 * DasGupta (2001, "Interval estimation for a binomial proportion") recommend, the bound on that
 * side is then the lower of Wilson's and the one-sided Poisson bound (x = 1, 2, 3: 0.0513, 0.3554,
 * 0.8177 expected cases, divided by n), which restores the coverage (tests/unit/similar.test.ts
 * simulates it).
 */

/** One-sided 95 % Poisson lower bounds on the mean for 1, 2 and 3 observed cases (½ χ²₀.₀₅ with 2x degrees of freedom). */
const POISSON_LOW = [0, 0.051293, 0.355362, 0.817691]

const Z95 = 1.959963984540054

export type Prevalence = {
	/** Samples reviewed, confirmed affected, and the population they were drawn from. */
	reviewed: number
	affected: number
	population: number
	/** The point estimate and 95 % bounds, as numbers of samples of the population. */
	estimate: number
	low: number
	high: number
}

export function wilsonInterval(affected: number, reviewed: number, population: number, z = Z95): Prevalence {
	const N = Math.max(0, Math.floor(population))
	const n = Math.min(N, Math.max(0, Math.floor(reviewed)))
	const x = Math.min(n, Math.max(0, Math.floor(affected)))
	if (n === 0) return { reviewed: 0, affected: 0, population: N, estimate: 0, low: 0, high: N }
	const p = x / n
	const f = N > 1 ? (N - n) / (N - 1) : 0
	const z2 = z * z * f
	const denominator = 1 + z2 / n
	const centre = (p + z2 / (2 * n)) / denominator
	const half = (Math.sqrt(z2) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator
	let lower = centre - half
	let upper = centre + half
	if (x >= 1 && x <= 3) lower = Math.min(lower, POISSON_LOW[x]! / n)
	if (n - x >= 1 && n - x <= 3) upper = Math.max(upper, 1 - POISSON_LOW[n - x]! / n)
	const floor = x
	const ceiling = N - (n - x)
	const clamp = (v: number) => Math.min(ceiling, Math.max(floor, v))
	return {
		reviewed: n,
		affected: x,
		population: N,
		estimate: clamp(Math.round(p * N)),
		low: clamp(Math.floor(lower * N)),
		high: clamp(Math.ceil(upper * N)),
	}
}
