import { type FlagInput } from '#app/domain/review.ts'

/** A valid flag as a participant submits it (a minor caricature of older women); override what a test is about. */
export const flagInput = (over: Partial<FlagInput> = {}): FlagInput => ({
	intent: 'flag',
	category: 'caricature',
	severity: 'minor',
	affectedGroups: ['older women'],
	rationale: 'Reads as a parody of grandmothers.',
	suggestedRewrite: '',
	quotedSpan: '',
	unsure: false,
	...over,
})
