import { describe, expect, test } from 'vitest'
import { FlagSchema, groupSuggestions, visibleOthersFlags } from '#app/domain/review.ts'

describe('blind review', () => {
	const others = ['caricature', 'caricature', 'stereotype'] as const
	test('hides others’ flags until one’s own verdict, in a blind round', () => {
		expect(visibleOthersFlags({ blind: true, hasOwnVerdict: false, othersCategories: others })).toBeNull()
	})
	test('then shows anonymous counts by category', () => {
		expect(visibleOthersFlags({ blind: true, hasOwnVerdict: true, othersCategories: others })).toEqual({ caricature: 2, stereotype: 1 })
	})
	test('shows counts from the start when the round is not blind', () => {
		expect(visibleOthersFlags({ blind: false, hasOwnVerdict: false, othersCategories: others })).toEqual({ caricature: 2, stereotype: 1 })
		expect(visibleOthersFlags({ blind: false, hasOwnVerdict: false, othersCategories: [] })).toEqual({})
	})
	test('every combination either hides everything or shows exact counts', () => {
		for (const blind of [true, false])
			for (const own of [true, false]) {
				const r = visibleOthersFlags({ blind, hasOwnVerdict: own, othersCategories: others })
				if (blind && !own) expect(r).toBeNull()
				else expect(Object.values(r!).reduce((a, b) => a + b, 0)).toBe(others.length)
			}
	})
})

describe('flag form', () => {
	const base = { intent: 'flag', category: 'caricature', severity: 'minor', unsure: 'on' }
	test('a minor flag needs no rationale; groups are split, trimmed and deduplicated', () => {
		const r = FlagSchema.safeParse({ ...base, affectedGroups: ['Oaxaca, older women', ' Oaxaca '] })
		expect(r.success && r.data).toMatchObject({ affectedGroups: ['Oaxaca', 'older women'], unsure: true })
	})
	test('major and critical flags need a rationale', () => {
		for (const severity of ['major', 'critical']) {
			const r = FlagSchema.safeParse({ ...base, severity })
			expect(r.error?.issues[0]).toMatchObject({ path: ['rationale'], message: 'review:errors.rationaleRequired' })
		}
	})
	test('an unknown category or an oversized rationale is refused', () => {
		expect(FlagSchema.safeParse({ ...base, category: 'rude' }).error?.issues[0]?.message).toBe('review:errors.category')
		expect(FlagSchema.safeParse({ ...base, rationale: 'x'.repeat(2001) }).error?.issues[0]?.message).toBe('validation.tooLong')
	})
})

test('group suggestions come from identity-like metadata', () => {
	expect(groupSuggestions({ persona: { origin: 'Oaxaca', age: '60s', role: 'nurse' }, target_group: 'Afro-Colombian women', prompt_id: 't3' }).sort()).toEqual([
		'60s',
		'Afro-Colombian women',
		'Oaxaca',
	])
})
