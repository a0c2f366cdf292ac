/**
 * The large consultation of issue #9 for bench:scale, seeded set-based by tests/plan-utils.ts
 * `seedScale`: 10 datasets with one version each of 100,000 samples (1,000,000 samples), two open
 * rounds per version that each review a random 20% of it (20,000 samples) with two reviewers per
 * sample, 2,000 reviewers (100 per round, 10% experts). 60% of the 800,000 assignments are
 * reviewed; 17% of the reviews flag the sample with one to four flags (≈ 200,000 flags), 4% skip.
 * Four comments per participant and use case, a fifth of them answered (≈ 19,000 comments).
 */
import { type ScaleConfig } from '#tests/plan-utils.ts'

export const BENCH_SCALE: ScaleConfig = {
	datasets: 10,
	samplesPerVersion: 100_000,
	reviewers: 2_000,
	round1Samples: 20_000,
	round2Samples: 20_000,
	selection: 'random',
	reviewedPercent: 60,
	flaggedPercent: 17,
	skippedPercent: 4,
	commentsPerUseCase: 4,
}

/** `BENCH_SCALE` shrunk by `factor` (samples, round sizes and reviewers), for a quick run while developing. */
export function scaledDown(factor: number): ScaleConfig {
	if (factor <= 1) return BENCH_SCALE
	const by = (n: number) => Math.max(1, Math.round(n / factor))
	return {
		...BENCH_SCALE,
		samplesPerVersion: by(BENCH_SCALE.samplesPerVersion),
		round1Samples: by(BENCH_SCALE.round1Samples!),
		round2Samples: by(BENCH_SCALE.round2Samples),
		reviewers: Math.max(40, by(BENCH_SCALE.reviewers)),
	}
}
