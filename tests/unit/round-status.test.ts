import { describe, expect, test } from 'vitest'
import { type RoundStatus, roundStatuses } from '#app/domain/enums.ts'
import { availableRoundActions, transitionRound, type RoundAction } from '#app/domain/round-status.ts'

const actions: RoundAction[] = ['open', 'close', 'reopen']
const now = new Date('2025-03-01T12:00:00Z')
const later = new Date('2025-03-15T12:00:00Z')
const earlier = new Date('2025-02-15T12:00:00Z')
const reason = 'Two invited experts could not join in time.'
const ok = { reason, sampleCount: 10, now, closesAt: later }

// The whole table, written out: status × action → next status (or refused).
const expected: Record<RoundStatus, Record<RoundAction, RoundStatus | null>> = {
	draft: { open: 'open', close: null, reopen: null },
	open: { open: null, close: 'closed', reopen: null },
	closed: { open: null, close: null, reopen: 'open' },
}

describe('round lifecycle', () => {
	for (const status of roundStatuses) {
		for (const action of actions) {
			const to = expected[status][action]
			test(`${status} + ${action} → ${to ?? 'refused'}`, () => {
				expect(transitionRound(status, action, ok)).toEqual(to ? { ok: true, to } : { ok: false, reason: 'not_allowed' })
				expect(availableRoundActions(status).includes(action)).toBe(to !== null)
			})
		}
	}

	test('a round opens only with samples to show', () => {
		expect(transitionRound('draft', 'open', { ...ok, sampleCount: 0 })).toEqual({ ok: false, reason: 'no_samples' })
		expect(transitionRound('draft', 'open', { ...ok, sampleCount: 1 })).toEqual({ ok: true, to: 'open' })
	})

	test('a round opens only if its close date is still ahead (or unset)', () => {
		expect(transitionRound('draft', 'open', { ...ok, closesAt: earlier })).toEqual({ ok: false, reason: 'closes_in_past' })
		expect(transitionRound('draft', 'open', { ...ok, closesAt: now })).toEqual({ ok: false, reason: 'closes_in_past' })
		expect(transitionRound('draft', 'open', { ...ok, closesAt: null })).toEqual({ ok: true, to: 'open' })
	})

	test('reopening needs a written reason of at least 10 characters, trimmed', () => {
		for (const r of [undefined, null, '', '          ', '  too short  ']) {
			expect(transitionRound('closed', 'reopen', { ...ok, reason: r })).toEqual({ ok: false, reason: 'reason_required' })
		}
		expect(transitionRound('closed', 'reopen', { ...ok, reason: '  1234567890 ' })).toEqual({ ok: true, to: 'open' })
	})

	test('a reopened round whose close date has passed must get a new date first', () => {
		expect(transitionRound('closed', 'reopen', { ...ok, closesAt: earlier })).toEqual({ ok: false, reason: 'closes_in_past' })
		expect(transitionRound('closed', 'reopen', { ...ok, closesAt: null })).toEqual({ ok: true, to: 'open' })
	})

	test('the missing reason is reported before the stale date', () => {
		expect(transitionRound('closed', 'reopen', { ...ok, reason: '', closesAt: earlier })).toEqual({ ok: false, reason: 'reason_required' })
	})

	test('closing needs nothing but an open round', () => {
		expect(transitionRound('open', 'close', { sampleCount: 0, now, closesAt: earlier })).toEqual({ ok: true, to: 'closed' })
	})

	test('refusals name the transition before its context', () => {
		expect(transitionRound('open', 'open', { sampleCount: 0, now, closesAt: earlier })).toEqual({ ok: false, reason: 'not_allowed' })
		expect(transitionRound('draft', 'reopen', { sampleCount: 0, now, closesAt: earlier })).toEqual({ ok: false, reason: 'not_allowed' })
	})
})
