import { describe, expect, test } from 'vitest'
import { type VersionStatus, versionStatuses } from '#app/domain/enums.ts'
import { availableActions, canChangeSamples, transitionVersion, type VersionAction } from '#app/domain/version-status.ts'

const actions: VersionAction[] = ['open_consultation', 'approve', 'release', 'archive']

// The whole table, written out: status × action → next status (or refused).
const expected: Record<VersionStatus, Record<VersionAction, VersionStatus | null>> = {
	draft: { open_consultation: 'in_consultation', approve: null, release: null, archive: 'archived' },
	in_consultation: { open_consultation: 'in_consultation', approve: 'approved', release: null, archive: 'archived' },
	approved: { open_consultation: 'in_consultation', approve: null, release: 'released', archive: 'archived' },
	blocked: { open_consultation: 'in_consultation', approve: 'approved', release: null, archive: 'archived' },
	released: { open_consultation: null, approve: null, release: null, archive: 'archived' },
	archived: { open_consultation: null, approve: null, release: null, archive: null },
}

describe('version lifecycle', () => {
	for (const status of versionStatuses) {
		for (const action of actions) {
			const to = expected[status][action]
			test(`${status} + ${action} → ${to ?? 'refused'}`, () => {
				const result = transitionVersion(status, action, { openBlockingIssues: 0 })
				expect(result).toEqual(to ? { ok: true, to, overridden: 0 } : { ok: false, reason: 'not_allowed' })
				expect(availableActions(status).includes(action)).toBe(to !== null)
			})
		}
	}

	test('a version blocked after approval is approved again only through the gate', () => {
		expect(transitionVersion('blocked', 'approve', { openBlockingIssues: 1 })).toEqual({ ok: false, reason: 'blocked' })
		expect(transitionVersion('blocked', 'approve', { openBlockingIssues: 0 })).toEqual({ ok: true, to: 'approved', overridden: 0 })
	})

	test('approval is refused while blocking issues are open', () => {
		expect(transitionVersion('in_consultation', 'approve', { openBlockingIssues: 2 })).toEqual({ ok: false, reason: 'blocked' })
		expect(transitionVersion('in_consultation', 'approve', { openBlockingIssues: 2, overrideJustification: '   ' })).toEqual({ ok: false, reason: 'blocked' })
	})

	test('an override needs a real written justification, and records how many blockers it overrode', () => {
		expect(transitionVersion('in_consultation', 'approve', { openBlockingIssues: 2, overrideJustification: 'because' })).toEqual({ ok: false, reason: 'justification_required' })
		expect(transitionVersion('in_consultation', 'approve', { openBlockingIssues: 2, overrideJustification: 'Documented in the card as a known limitation.' })).toEqual({
			ok: true,
			to: 'approved',
			overridden: 2,
		})
	})

	test('blocking issues do not stop other actions', () => {
		expect(transitionVersion('in_consultation', 'archive', { openBlockingIssues: 5 })).toMatchObject({ ok: true, to: 'archived' })
	})

	test('samples change only in draft', () => {
		expect(versionStatuses.filter(canChangeSamples)).toEqual(['draft'])
	})
})
