import { type versionStatuses } from '#db/schema/datasets.ts'

export type VersionStatus = (typeof versionStatuses)[number]
export type VersionAction = 'open_consultation' | 'approve' | 'release' | 'archive'

export type TransitionContext = {
	/** Blocking issues still open on the version (the approval gate). */
	openBlockingIssues: number
	/** An owner's written reason to approve despite open blocking issues. */
	overrideJustification?: string | null
}

export type TransitionResult =
	| { ok: true; to: VersionStatus; overridden: number }
	| { ok: false; reason: 'not_allowed' | 'blocked' | 'justification_required' }

const allowed: Record<VersionStatus, Partial<Record<VersionAction, VersionStatus>>> = {
	draft: { open_consultation: 'in_consultation', archive: 'archived' },
	in_consultation: { open_consultation: 'in_consultation', approve: 'approved', archive: 'archived' },
	approved: { open_consultation: 'in_consultation', release: 'released', archive: 'archived' },
	// Blocked after approval (a blocker arrived): approving again passes the gate once more.
	blocked: { open_consultation: 'in_consultation', approve: 'approved', archive: 'archived' },
	released: { archive: 'archived' },
	archived: {},
}

export const MIN_JUSTIFICATION_LENGTH = 20

/**
 * The version lifecycle: draft → in_consultation → approved → released, and archived from any.
 * An approved or released version whose gate closes again (a blocking issue arrived) is moved to
 * `blocked` by the system (`blocksAfterApproval`), never by a person (decision 029).
 */
export function transitionVersion(from: VersionStatus, action: VersionAction, ctx: TransitionContext): TransitionResult {
	const to = allowed[from][action]
	if (!to) return { ok: false, reason: 'not_allowed' }
	if (action === 'approve' && ctx.openBlockingIssues > 0) {
		const justification = ctx.overrideJustification?.trim() ?? ''
		if (!justification) return { ok: false, reason: 'blocked' }
		if (justification.length < MIN_JUSTIFICATION_LENGTH) return { ok: false, reason: 'justification_required' }
		return { ok: true, to, overridden: ctx.openBlockingIssues }
	}
	return { ok: true, to, overridden: 0 }
}

export function availableActions(from: VersionStatus): VersionAction[] {
	return Object.keys(allowed[from]) as VersionAction[]
}

/** Samples are frozen once a version leaves draft: feedback points at them. */
export function canChangeSamples(status: VersionStatus): boolean {
	return status === 'draft'
}

/** Statuses a new blocker takes away: the gate was open, so the status would contradict it. */
export function blocksAfterApproval(status: VersionStatus): boolean {
	return status === 'approved' || status === 'released'
}
