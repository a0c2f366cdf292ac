import { z } from 'zod'
import { flagCategories, severities } from '#app/domain/enums.ts'

export const RATIONALE_MAX = 2000
export const REWRITE_MAX = 4000
export const SPAN_MAX = 1000
export const GROUP_MAX = 100

const text = (max: number) => z.string().trim().max(max, { error: 'validation.tooLong' }).optional().default('')

/** One flag on a sample. A rationale is required for major and critical flags. */
export const FlagSchema = z
	.object({
		intent: z.literal('flag'),
		category: z.enum(flagCategories, { error: 'review:errors.category' }),
		severity: z.enum(severities, { error: 'review:errors.severity' }),
		affectedGroups: z
			.preprocess((v) => (Array.isArray(v) ? v : v == null || v === '' ? [] : [v]), z.array(z.string().trim().max(GROUP_MAX, { error: 'validation.tooLong' })).max(20))
			.transform((groups) => [
				...new Set(
					groups
						.flatMap((g) => g.split(','))
						.map((g) => g.trim())
						.filter(Boolean),
				),
			]),
		rationale: text(RATIONALE_MAX),
		suggestedRewrite: text(REWRITE_MAX),
		quotedSpan: text(SPAN_MAX),
		unsure: z.preprocess((v) => v === 'on' || v === 'true', z.boolean()),
	})
	.superRefine((v, ctx) => {
		if ((v.severity === 'major' || v.severity === 'critical') && !v.rationale) {
			ctx.addIssue({ code: 'custom', path: ['rationale'], message: 'review:errors.rationaleRequired' })
		}
	})
export type FlagInput = z.infer<typeof FlagSchema>

/**
 * The review page's flag form, read with `lists: ['affectedGroups', 'otherGroups']`: the ticked
 * groups and the ones typed under "other" (comma-separated) are one list before `FlagSchema` reads it.
 */
export const FlagFormSchema = z.preprocess((input) => {
	if (typeof input !== 'object' || input === null) return input
	const { otherGroups, ...rest } = input as Record<string, unknown>
	const list = (v: unknown) => (Array.isArray(v) ? v : v == null ? [] : [v])
	return { ...rest, affectedGroups: [...list(rest.affectedGroups), ...list(otherGroups)] }
}, FlagSchema)

/** Taking back one's own flag on the review page (the model checks it is the reviewer's). */
export const WithdrawFlagSchema = z.object({ intent: z.literal('withdraw_flag'), flagId: z.string().default('') })

export const SkipSchema = z.object({ intent: z.literal('skip'), skipReason: text(500) })

/** Verdicts change only while the round is open (quickVerdict checks the same list in SQL). */
export const verdictRoundStatuses: readonly string[] = ['open']

export function canGiveVerdict(roundStatus: string): boolean {
	return verdictRoundStatuses.includes(roundStatus)
}

export type FlagCounts = Partial<Record<(typeof flagCategories)[number], number>>

/**
 * Blind review: others' flags on a sample stay hidden until the participant has given their own
 * verdict (so nobody anchors on them); afterwards only anonymous counts by category are shown.
 * Without blind review, counts show from the start. Never who flagged.
 */
export function visibleOthersFlags(input: { blind: boolean; hasOwnVerdict: boolean; othersCategories: ReadonlyArray<(typeof flagCategories)[number]> }): FlagCounts | null {
	if (input.blind && !input.hasOwnVerdict) return null
	const counts: FlagCounts = {}
	for (const c of input.othersCategories) counts[c] = (counts[c] ?? 0) + 1
	return counts
}

/** Groups suggested for "affected group(s)": string values of the sample's metadata that look like groups. */
export function groupSuggestions(metadata: Record<string, unknown>): string[] {
	const out = new Set<string>()
	const walk = (value: unknown, key: string, depth: number) => {
		if (depth > 3) return
		if (typeof value === 'string' && value.length <= 80 && /group|origin|ethnic|religion|gender|nationality|community|region|country|identity|language|age/i.test(key)) out.add(value)
		else if (value && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) walk(v, k, depth + 1)
	}
	walk(metadata, '', 0)
	return [...out].slice(0, 12)
}

/** Deleting one's own feedback on the generation templates (the model checks it is theirs). */
export const DeleteTemplateFeedbackSchema = z.object({ intent: z.literal('delete'), id: z.string().default('') })

/** Feedback on the generator itself (generation-stage rounds): a flag or a comment on the templates or personas. */
export const TemplateFeedbackSchema = z
	.object({
		intent: z.literal('template_feedback'),
		target: z.enum(['prompt_templates', 'persona_definitions'], { error: 'validation.invalidChoice' }),
		kind: z.enum(['flag', 'comment'], { error: 'validation.invalidChoice' }),
		category: z.preprocess((v) => (v === '' ? undefined : v), z.enum(flagCategories, { error: 'review:errors.category' }).optional()),
		severity: z.preprocess((v) => (v === '' ? undefined : v), z.enum(severities, { error: 'review:errors.severity' }).optional()),
		rationale: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(RATIONALE_MAX, { error: 'validation.tooLong' }),
		quotedSpan: text(SPAN_MAX),
	})
	.superRefine((v, ctx) => {
		if (v.kind === 'flag' && !v.category) ctx.addIssue({ code: 'custom', path: ['category'], message: 'review:errors.category' })
		if (v.kind === 'flag' && !v.severity) ctx.addIssue({ code: 'custom', path: ['severity'], message: 'review:errors.severity' })
	})

/** After a flag, at most this many of the reviewer's own waiting samples like the flagged one are offered (issue #22). */
export const SIMILAR_PROMPT_MAX = 5

/** Which similar samples the prompt offers: a near-identical text, or the same template and the same persona. */
export function offeredAsSimilar(shared: readonly string[]): boolean {
	return shared.includes('text') || (shared.includes('template') && shared.includes('persona'))
}

/** The parts of a flag a "yes, the same" copies (the quote and the rewrite are about the flagged text, so they are not). */
export type SameFlagSource = Pick<FlagInput, 'category' | 'severity' | 'affectedGroups' | 'unsure' | 'rationale'>

/**
 * The flag form's fields for "yes, it has the same problem" on a sample like a flagged one: the
 * same category, severity, groups and unsure mark, and a rationale that opens with `sentence`
 * (which names the flagged sample) followed by the reviewer's own rationale, cut to fit. The
 * page sends these exactly as the flag form would, so the flag is recorded as any other.
 */
export function sameAsFlagFields(flag: SameFlagSource, sentence: string): Record<string, string | string[]> {
	const head = sentence.slice(0, RATIONALE_MAX)
	const own = flag.rationale.trim()
	const rationale = own ? `${head}\n\n${own}`.slice(0, RATIONALE_MAX) : head
	return {
		category: flag.category,
		severity: flag.severity,
		affectedGroups: flag.affectedGroups.slice(0, 20).map((g) => g.slice(0, GROUP_MAX)),
		rationale,
		...(flag.unsure ? { unsure: 'on' } : {}),
	}
}
