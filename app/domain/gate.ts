/**
 * The gate: may this version be used? One rule, read by the approval (app/models/version.server.ts
 * and the version page), the pipeline API's gate, the report and the blocked-after-approval status.
 * Queries count the issues that hold it with the SQL twin of `isOpenBlocker`
 * (app/guards/gate-sql.server.ts), so they and this file say the same thing.
 */
import { type IssueStatus, type VersionStatus } from '#app/domain/enums.ts'

/** An owner's written reason to approve past open blockers (and to approve past unfinished rounds). */
export const MIN_JUSTIFICATION_LENGTH = 20

/**
 * An issue holds the gate while it blocks and is unresolved. Acknowledging is not fixing: an
 * acknowledged blocker still holds it. Resolving it (e.g. as `documented`) releases it.
 */
export function isOpenBlocker(issue: { blocking: boolean; status: IssueStatus }): boolean {
	return issue.blocking && issue.status !== 'resolved'
}

/** The statuses in which a version is usable once no blocker is open. */
export function isApprovedStatus(status: VersionStatus): boolean {
	return status === 'approved' || status === 'released'
}

/**
 * May a pipeline use this version? Only an `approved` or `released` version with no open blocker.
 * An owner's override approves the version for people but does not open this gate: its blockers
 * still count here until the team resolves them (e.g. as `documented`), because a pipeline that
 * trains unattended should stop on every known blocker. `draft`, `in_consultation`, `blocked` and
 * `archived` are always blocked.
 */
export function isGateBlocked(status: VersionStatus, openBlockers: number): boolean {
	return !isApprovedStatus(status) || openBlockers > 0
}

/**
 * Approval past open blockers: refused without a justification, and with one shorter than
 * MIN_JUSTIFICATION_LENGTH; otherwise it passes and records how many blockers it overrode.
 * Pass a justification only for someone allowed to override (`override_gate`).
 */
export type ApprovalGate = { ok: true; overridden: number } | { ok: false; reason: 'blocked' | 'justification_required' }

export function approvalGate(openBlockers: number, overrideJustification?: string | null): ApprovalGate {
	if (openBlockers <= 0) return { ok: true, overridden: 0 }
	const justification = overrideJustification?.trim() ?? ''
	if (!justification) return { ok: false, reason: 'blocked' }
	if (justification.length < MIN_JUSTIFICATION_LENGTH) return { ok: false, reason: 'justification_required' }
	return { ok: true, overridden: openBlockers }
}

/**
 * A new blocker on a version in one of these statuses closes a gate that was open, so the version
 * becomes `blocked` (by the system, never by a person) until it is approved again (decision 029).
 */
export function blocksAfterApproval(status: VersionStatus): boolean {
	return isApprovedStatus(status)
}
