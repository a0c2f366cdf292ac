/**
 * When does feedback block a version? DESIGN.md's rules, as one pure function the issue model
 * calls whenever a flag or comment is added, edited or withdrawn.
 *
 * An issue blocks when any of:
 * - `critical`: a critical flag;
 * - `threshold`: flags from at least N distinct people (the round's setting, default 2);
 * - `expert`: a major-or-critical flag from an expert;
 * - `opposed`: an "opposed" use-case comment, in a round that says opposed comments block;
 * - `owner`: the dataset team marked it blocking.
 * The team may also mark it not blocking (with a written reason); that wins over the rules, and
 * the reasons the rules found are still reported so the page can say what was overruled.
 * "Unsure" flags count like any other: a hesitant community member is still heard.
 */
import { type BlockingReason, type ParticipantRole, type Severity, type Stance } from '#app/domain/enums.ts'

export type FeedbackFlag = {
	/** The person (account), so one person flagging twice, or in two rounds, counts once. */
	personId: string
	role: ParticipantRole
	/** Null for template comments (they have no severity and never block by themselves). */
	severity: Severity | null
	kind: 'flag' | 'comment'
	/** The round's "≥ N distinct flaggers" setting. */
	threshold: number
}

export type FeedbackComment = { stance: Stance; opposedBlocks: boolean }

export type BlockingInput = {
	flags: readonly FeedbackFlag[]
	comments?: readonly FeedbackComment[]
	/** null: follow the rules; true/false: the team's call. */
	ownerBlocking: boolean | null
}

export type BlockingResult = { blocking: boolean; reasons: BlockingReason[]; overruled: boolean }

const severityRank: Record<Severity, number> = { minor: 1, major: 2, critical: 3 }

export function severityValue(s: Severity | null | undefined): number {
	return s ? severityRank[s] : 0
}

/** The reasons the rules alone find, in a fixed order. */
export function ruleReasons(input: Pick<BlockingInput, 'flags' | 'comments'>): BlockingReason[] {
	const flags = input.flags.filter((f) => f.kind === 'flag')
	const reasons: BlockingReason[] = []
	if (flags.some((f) => f.severity === 'critical')) reasons.push('critical')
	if (flags.length) {
		const people = new Set(flags.map((f) => f.personId)).size
		// Flags from several rounds: the strictest threshold among them applies.
		const threshold = Math.max(1, Math.min(...flags.map((f) => f.threshold)))
		if (people >= threshold) reasons.push('threshold')
	}
	if (flags.some((f) => f.role === 'expert' && severityValue(f.severity) >= severityRank.major)) reasons.push('expert')
	if ((input.comments ?? []).some((c) => c.stance === 'opposed' && c.opposedBlocks)) reasons.push('opposed')
	return reasons
}

export function evaluateBlocking(input: BlockingInput): BlockingResult {
	const reasons = ruleReasons(input)
	if (input.ownerBlocking === true) return { blocking: true, reasons: [...reasons, 'owner'], overruled: false }
	if (input.ownerBlocking === false) return { blocking: false, reasons, overruled: reasons.length > 0 }
	return { blocking: reasons.length > 0, reasons, overruled: false }
}
