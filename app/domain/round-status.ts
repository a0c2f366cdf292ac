import { type RoundStatus } from '#app/domain/enums.ts'

export type RoundAction = 'open' | 'close' | 'reopen'

export type RoundTransitionContext = {
	/** Why a closed round is opened again (kept in round_events). */
	reason?: string | null
	/** Samples the round would put in front of reviewers. */
	sampleCount: number
	now: Date
	closesAt: Date | null
}

export type RoundTransitionResult = { ok: true; to: RoundStatus } | { ok: false; reason: 'not_allowed' | 'reason_required' | 'no_samples' | 'closes_in_past' }

const allowed: Record<RoundStatus, Partial<Record<RoundAction, RoundStatus>>> = {
	draft: { open: 'open' },
	open: { close: 'closed' },
	closed: { reopen: 'open' },
}

export const MIN_REOPEN_REASON_LENGTH = 10

/** The round lifecycle: draft → open → closed, and closed → open again with a written reason. */
export function transitionRound(from: RoundStatus, action: RoundAction, ctx: RoundTransitionContext): RoundTransitionResult {
	const to = allowed[from][action]
	if (!to) return { ok: false, reason: 'not_allowed' }
	if (action === 'open' && ctx.sampleCount <= 0) return { ok: false, reason: 'no_samples' }
	if (action === 'reopen' && (ctx.reason?.trim() ?? '').length < MIN_REOPEN_REASON_LENGTH) {
		return { ok: false, reason: 'reason_required' }
	}
	// A round that would open already past its close date could take no reviews; a reopened one needs a new date first.
	if (to === 'open' && ctx.closesAt && ctx.closesAt.getTime() <= ctx.now.getTime()) {
		return { ok: false, reason: 'closes_in_past' }
	}
	return { ok: true, to }
}

export function availableRoundActions(from: RoundStatus): RoundAction[] {
	return Object.keys(allowed[from]) as RoundAction[]
}
