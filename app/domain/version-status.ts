import { type VersionStatus } from '#app/domain/enums.ts'
import { approvalGate } from '#app/domain/gate.ts'

export type VersionAction = 'open_consultation' | 'approve' | 'release' | 'archive'

export type TransitionContext = {
	/** Blocking issues still open on the version (the approval gate). */
	openBlockingIssues: number
	/** An owner's written reason to approve despite open blocking issues. */
	overrideJustification?: string | null
}

export type TransitionResult = { ok: true; to: VersionStatus; overridden: number } | { ok: false; reason: 'not_allowed' | 'blocked' | 'justification_required' }

const allowed: Record<VersionStatus, Partial<Record<VersionAction, VersionStatus>>> = {
	draft: { open_consultation: 'in_consultation', archive: 'archived' },
	in_consultation: { open_consultation: 'in_consultation', approve: 'approved', archive: 'archived' },
	approved: { open_consultation: 'in_consultation', release: 'released', archive: 'archived' },
	// Blocked after approval (a blocker arrived): approving again passes the gate once more.
	blocked: { open_consultation: 'in_consultation', approve: 'approved', archive: 'archived' },
	released: { archive: 'archived' },
	archived: {},
}

/**
 * The version lifecycle: draft → in_consultation → approved → released, and archived from any.
 * An approved or released version whose gate closes again (a blocking issue arrived) is moved to
 * `blocked` by the system (`blocksAfterApproval`, app/domain/gate.ts), never by a person (decision 029).
 */
export function transitionVersion(from: VersionStatus, action: VersionAction, ctx: TransitionContext): TransitionResult {
	const to = allowed[from][action]
	if (!to) return { ok: false, reason: 'not_allowed' }
	if (action !== 'approve') return { ok: true, to, overridden: 0 }
	const gate = approvalGate(ctx.openBlockingIssues, ctx.overrideJustification)
	return gate.ok ? { ok: true, to, overridden: gate.overridden } : gate
}

export function availableActions(from: VersionStatus): VersionAction[] {
	return Object.keys(allowed[from]) as VersionAction[]
}

/** Samples are frozen once a version leaves draft: feedback points at them. */
export function canChangeSamples(status: VersionStatus): boolean {
	return status === 'draft'
}
