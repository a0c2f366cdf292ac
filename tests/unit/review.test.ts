import { describe, expect, test } from 'vitest'
import { FlagSchema, groupSuggestions, offeredAsSimilar, RATIONALE_MAX, sameAsFlagFields, visibleOthersFlags } from '#app/domain/review.ts'

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

describe('"Do these look the same?" (issue #22)', () => {
	test('offers a near-identical text, or the same template and persona together; never one of them alone', () => {
		expect(offeredAsSimilar(['text'])).toBe(true)
		expect(offeredAsSimilar(['text', 'template'])).toBe(true)
		expect(offeredAsSimilar(['template', 'persona'])).toBe(true)
		expect(offeredAsSimilar(['template'])).toBe(false)
		expect(offeredAsSimilar(['persona'])).toBe(false)
		expect(offeredAsSimilar([])).toBe(false)
	})

	test('a yes copies category, severity, groups and unsure; the rationale names the flagged sample, then the reviewer’s own, within the limit', () => {
		const flag = { category: 'caricature' as const, severity: 'critical' as const, affectedGroups: ['older women'], unsure: true, rationale: 'Reads as a parody.' }
		const fields = sameAsFlagFields(flag, 'The same problem as sample a-1, which I flagged.')
		expect(fields).toEqual({
			category: 'caricature',
			severity: 'critical',
			affectedGroups: ['older women'],
			rationale: 'The same problem as sample a-1, which I flagged.\n\nReads as a parody.',
			unsure: 'on',
		})
		// What the flag form's schema makes of them: the same flag (so a major or critical one keeps its required rationale).
		expect(FlagSchema.parse({ intent: 'flag', ...fields })).toMatchObject({ ...flag, rationale: fields.rationale, quotedSpan: '', suggestedRewrite: '' })
		expect(sameAsFlagFields({ ...flag, unsure: false, rationale: '' }, 'Same.')).toEqual({ category: 'caricature', severity: 'critical', affectedGroups: ['older women'], rationale: 'Same.' })
		const long = sameAsFlagFields({ ...flag, rationale: 'x'.repeat(RATIONALE_MAX) }, 'Same.')
		expect(long.rationale).toHaveLength(RATIONALE_MAX)
		expect(FlagSchema.safeParse({ intent: 'flag', ...long }).success).toBe(true)
	})
})
