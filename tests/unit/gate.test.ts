import { describe, expect, test } from 'vitest'
import { issueStatuses, versionStatuses } from '#app/domain/enums.ts'
import { approvalGate, blocksAfterApproval, isApprovedStatus, isGateBlocked, isOpenBlocker, MIN_JUSTIFICATION_LENGTH } from '#app/domain/gate.ts'
import { transitionVersion } from '#app/domain/version-status.ts'

describe('open blockers', () => {
	test('a blocking issue holds the gate until it is resolved; acknowledging is not fixing', () => {
		const table = issueStatuses.flatMap((status) => [true, false].map((blocking) => ({ status, blocking, open: isOpenBlocker({ status, blocking }) })))
		expect(table).toEqual([
			{ status: 'open', blocking: true, open: true },
			{ status: 'open', blocking: false, open: false },
			{ status: 'acknowledged', blocking: true, open: true },
			{ status: 'acknowledged', blocking: false, open: false },
			{ status: 'resolved', blocking: true, open: false },
			{ status: 'resolved', blocking: false, open: false },
		])
	})
})

describe('the pipeline gate', () => {
	test('open only for an approved or released version without open blockers', () => {
		expect(versionStatuses.filter(isApprovedStatus)).toEqual(['approved', 'released'])
		for (const status of versionStatuses) {
			const usable = status === 'approved' || status === 'released'
			expect(isGateBlocked(status, 0), status).toBe(!usable)
			expect(isGateBlocked(status, 1), status).toBe(true)
			expect(isGateBlocked(status, 7), status).toBe(true)
		}
	})

	test('only an approved or released version is taken out of approval by a new blocker', () => {
		expect(versionStatuses.filter(blocksAfterApproval)).toEqual(['approved', 'released'])
	})
})

describe('the approval gate', () => {
	const long = 'Documented in the card as a known limitation.'

	test('passes without open blockers, whatever the justification', () => {
		for (const justification of [undefined, null, '', 'short', long]) expect(approvalGate(0, justification)).toEqual({ ok: true, overridden: 0 })
	})

	test('open blockers refuse it without a justification (blank counts as none)', () => {
		for (const justification of [undefined, null, '', '   \n\t']) expect(approvalGate(2, justification)).toEqual({ ok: false, reason: 'blocked' })
	})

	test('an override needs at least MIN_JUSTIFICATION_LENGTH characters, not counting surrounding spaces', () => {
		const exact = 'x'.repeat(MIN_JUSTIFICATION_LENGTH)
		expect(approvalGate(3, exact.slice(1))).toEqual({ ok: false, reason: 'justification_required' })
		expect(approvalGate(3, `   ${exact.slice(1)}   `)).toEqual({ ok: false, reason: 'justification_required' })
		expect(approvalGate(3, exact)).toEqual({ ok: true, overridden: 3 })
		expect(approvalGate(1, long)).toEqual({ ok: true, overridden: 1 })
	})

	test('the version lifecycle approves through it, and only the approval', () => {
		for (const blockers of [0, 1, 4]) {
			for (const justification of [null, 'because', long]) {
				const gate = approvalGate(blockers, justification)
				const approved = transitionVersion('in_consultation', 'approve', { openBlockingIssues: blockers, overrideJustification: justification })
				expect(approved).toEqual(gate.ok ? { ok: true, to: 'approved', overridden: gate.overridden } : gate)
				expect(transitionVersion('in_consultation', 'archive', { openBlockingIssues: blockers, overrideJustification: justification })).toEqual({ ok: true, to: 'archived', overridden: 0 })
			}
		}
	})
})
