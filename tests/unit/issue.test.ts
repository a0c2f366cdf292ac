import { describe, expect, test } from 'vitest'
import { type IssueStatus, issueKinds, issueStatuses, resolutions } from '#app/domain/enums.ts'
import {
	attributeFilter,
	checkBlockingCall,
	InboxFilterSchema,
	MIN_REASON_LENGTH,
	resolutionFits,
	resolutionsFor,
	resolutionValues,
	transitionIssue,
	TriageSchema,
	type IssueAction,
} from '#app/domain/issue.ts'

const justification = 'The rural framing is accurate for this region.'

// Every action, with each resolution written out: the table below names them.
const actions: Record<string, IssueAction> = {
	acknowledge: { type: 'acknowledge' },
	// Each resolution on a kind of issue it fits (which fit which is tested below).
	...Object.fromEntries(resolutions.map((r) => [`resolve:${r}`, { type: 'resolve', resolution: r, publicResponse: justification, kind: r.startsWith('use_case_') ? 'use_case' : 'sample' }])),
	reopen: { type: 'reopen' },
}

// status × action → next status (or refused): open → acknowledged → resolved, resolved → open.
const expected: Record<IssueStatus, Record<string, IssueStatus | null>> = {
	open: {
		acknowledge: 'acknowledged',
		'resolve:removed': 'resolved',
		'resolve:regenerated': 'resolved',
		'resolve:documented': 'resolved',
		'resolve:not_an_issue': 'resolved',
		'resolve:use_case_revised': 'resolved',
		'resolve:use_case_narrowed': 'resolved',
		reopen: null,
	},
	acknowledged: {
		acknowledge: null,
		'resolve:removed': 'resolved',
		'resolve:regenerated': 'resolved',
		'resolve:documented': 'resolved',
		'resolve:not_an_issue': 'resolved',
		'resolve:use_case_revised': 'resolved',
		'resolve:use_case_narrowed': 'resolved',
		reopen: null,
	},
	resolved: {
		acknowledge: null,
		'resolve:removed': null,
		'resolve:regenerated': null,
		'resolve:documented': null,
		'resolve:not_an_issue': null,
		'resolve:use_case_revised': null,
		'resolve:use_case_narrowed': null,
		reopen: 'open',
	},
}

describe('issue lifecycle', () => {
	test('the table covers every status and action', () => {
		expect(Object.keys(expected).sort()).toEqual([...issueStatuses].sort())
		for (const s of issueStatuses) expect(Object.keys(expected[s]).sort()).toEqual(Object.keys(actions).sort())
		expect([...resolutionValues]).toEqual([...resolutions])
	})

	for (const from of issueStatuses) {
		for (const [name, action] of Object.entries(actions)) {
			const to = expected[from][name]
			test(`${from} + ${name} → ${to ?? 'refused'}`, () => {
				const resolution = action.type === 'resolve' ? action.resolution : null
				expect(transitionIssue(from, action)).toEqual(to ? { ok: true, status: to, resolution: to === 'resolved' ? resolution : null } : { ok: false, reason: 'not_allowed' })
			})
		}
	}

	describe('"not an issue" needs a justification the flaggers can read', () => {
		for (const from of ['open', 'acknowledged'] as const) {
			test(`from ${from}`, () => {
				const resolve = (publicResponse: string) => transitionIssue(from, { type: 'resolve', resolution: 'not_an_issue', publicResponse, kind: 'sample' })
				expect(resolve('')).toEqual({ ok: false, reason: 'justification_required' })
				expect(resolve('too short')).toEqual({ ok: false, reason: 'justification_required' })
				// Padding does not count.
				expect(resolve(`   ${'x'.repeat(MIN_REASON_LENGTH - 1)}     `)).toEqual({ ok: false, reason: 'justification_required' })
				expect(resolve('x'.repeat(MIN_REASON_LENGTH))).toEqual({ ok: true, status: 'resolved', resolution: 'not_an_issue' })
			})
		}

		test('the other resolutions need no response', () => {
			for (const resolution of ['removed', 'regenerated', 'documented'] as const) {
				expect(transitionIssue('open', { type: 'resolve', resolution, publicResponse: '', kind: 'sample' })).toEqual({ ok: true, status: 'resolved', resolution })
			}
		})

		test('an already resolved issue is refused as not allowed, not as a missing justification', () => {
			expect(transitionIssue('resolved', { type: 'resolve', resolution: 'not_an_issue', publicResponse: '', kind: 'sample' })).toEqual({ ok: false, reason: 'not_allowed' })
		})
	})
})

describe('resolutions fit the kind of issue', () => {
	// kind × resolution → offered? A use case is not dropped or regenerated; a sample is not "revised".
	const fits: Record<(typeof issueKinds)[number], Record<(typeof resolutions)[number], boolean>> = {
		sample: { removed: true, regenerated: true, documented: true, not_an_issue: true, use_case_revised: false, use_case_narrowed: false },
		template: { removed: true, regenerated: true, documented: true, not_an_issue: true, use_case_revised: false, use_case_narrowed: false },
		use_case: { removed: false, regenerated: false, documented: true, not_an_issue: true, use_case_revised: true, use_case_narrowed: true },
	}

	test('the table covers every kind and resolution', () => {
		expect(Object.keys(fits).sort()).toEqual([...issueKinds].sort())
		for (const k of issueKinds) expect(Object.keys(fits[k]).sort()).toEqual([...resolutions].sort())
	})

	for (const kind of issueKinds) {
		test(`${kind}: the form offers exactly the fitting ones, and resolving with another is refused`, () => {
			expect([...resolutionsFor(kind)].sort()).toEqual(resolutions.filter((r) => fits[kind][r]).sort())
			for (const resolution of resolutions) {
				expect(resolutionFits(kind, resolution)).toBe(fits[kind][resolution])
				const outcome = transitionIssue('open', { type: 'resolve', resolution, publicResponse: justification, kind })
				expect(outcome).toEqual(fits[kind][resolution] ? { ok: true, status: 'resolved', resolution } : { ok: false, reason: 'resolution_unfit' })
			}
		})
	}

	test('an unfit resolution is refused before the "not an issue" justification is looked at', () => {
		expect(transitionIssue('open', { type: 'resolve', resolution: 'regenerated', publicResponse: '', kind: 'use_case' })).toEqual({ ok: false, reason: 'resolution_unfit' })
	})
})

describe("the team's blocking call", () => {
	test('back to the rules needs no reason', () => {
		expect(checkBlockingCall('rules', '')).toBe('ok')
	})

	test('marking blocking or not blocking needs a written reason of 10+ characters (trimmed)', () => {
		for (const call of ['blocking', 'not_blocking'] as const) {
			expect(checkBlockingCall(call, '')).toBe('reason_required')
			expect(checkBlockingCall(call, '  short  ')).toBe('reason_required')
			expect(checkBlockingCall(call, ` ${'x'.repeat(MIN_REASON_LENGTH - 1)}          `)).toBe('reason_required')
			expect(checkBlockingCall(call, 'x'.repeat(MIN_REASON_LENGTH))).toBe('ok')
			expect(checkBlockingCall(call, 'Reviewed with the linguist: accurate.')).toBe('ok')
		}
	})
})

describe('attributeFilter', () => {
	test('a flat key', () => {
		expect(attributeFilter('region=Oaxaca')).toEqual({ region: 'Oaxaca' })
	})

	test('dotted keys reach into nested objects', () => {
		expect(attributeFilter('persona.origin=Oaxaca')).toEqual({ persona: { origin: 'Oaxaca' } })
		expect(attributeFilter('a.b.c.d=x')).toEqual({ a: { b: { c: { d: 'x' } } } })
	})

	test('each key segment is trimmed and empty segments are ignored; the value is kept as written', () => {
		expect(attributeFilter('  persona..origin. =Oaxaca ')).toEqual({ persona: { origin: 'Oaxaca ' } })
		expect(attributeFilter('persona . origin=Oaxaca')).toEqual({ persona: { origin: 'Oaxaca' } })
		expect(attributeFilter('note=a=b')).toEqual({ note: 'a=b' })
		expect(attributeFilter('region=')).toEqual({ region: '' })
	})

	test('malformed input is null, never a filter on everything', () => {
		for (const bad of ['', 'region', '=Oaxaca', '   =x', '.=x', '...=x', ' . . =x']) expect(attributeFilter(bad), bad).toBeNull()
	})

	test('the result is safe to send as a JSON containment (no prototype tricks)', () => {
		const f = attributeFilter('__proto__.polluted=yes')
		expect(JSON.parse(JSON.stringify(f))).toEqual(JSON.parse('{"__proto__":{"polluted":"yes"}}'))
		expect(({} as Record<string, unknown>).polluted).toBeUndefined()
	})
})

describe('InboxFilterSchema', () => {
	const defaults = { status: 'unresolved', blocking: 'any', kind: 'any', category: '', severity: '', group: '', attribute: '', assignee: 'any', reReview: 'any', sort: 'newest', page: 1 }

	test('an empty query string gives the defaults', () => {
		expect(InboxFilterSchema.parse({})).toEqual(defaults)
	})

	test('valid values are kept', () => {
		const input = {
			status: 'resolved',
			blocking: 'yes',
			kind: 'use_case',
			category: 'caricature',
			severity: 'critical',
			group: 'older women',
			attribute: 'persona.region=Amman',
			assignee: 'me',
			reReview: 'yes',
			sort: 'severity',
			page: '3',
		}
		expect(InboxFilterSchema.parse(input)).toEqual({ ...input, page: 3 })
		for (const status of ['unresolved', 'open', 'acknowledged', 'resolved', 'all']) expect(InboxFilterSchema.parse({ status }).status).toBe(status)
		for (const sort of ['newest', 'oldest', 'flaggers', 'severity', 'updated']) expect(InboxFilterSchema.parse({ sort }).sort).toBe(sort)
	})

	test('anything wrong falls back to the default instead of failing the page', () => {
		const junk = {
			status: 'deleted',
			blocking: 'maybe',
			kind: 'flag',
			category: 'x'.repeat(41),
			severity: 'huge',
			group: 'g'.repeat(201),
			attribute: 'a'.repeat(301),
			assignee: 'someone',
			reReview: 'no',
			sort: 'random',
			page: 'two',
		}
		expect(InboxFilterSchema.parse(junk)).toEqual(defaults)
		expect(InboxFilterSchema.safeParse({ status: ['open', 'resolved'] }).success).toBe(true)
		for (const page of ['0', '-1', '2.5', '10001', '', 'NaN']) expect(InboxFilterSchema.parse({ page }).page, page).toBe(1)
		expect(InboxFilterSchema.parse({ page: '10000' }).page).toBe(10_000)
	})
})

describe('TriageSchema', () => {
	test('parses each intent with its defaults', () => {
		expect(TriageSchema.parse({ intent: 'acknowledge', revision: '4' })).toEqual({ intent: 'acknowledge', revision: 4 })
		expect(TriageSchema.parse({ intent: 'resolve', revision: '1', resolution: 'documented' })).toEqual({ intent: 'resolve', revision: 1, resolution: 'documented', publicResponse: '', note: '' })
		expect(TriageSchema.parse({ intent: 'blocking', revision: '2', call: 'not_blocking', reason: '  why  ' })).toEqual({ intent: 'blocking', revision: 2, call: 'not_blocking', reason: 'why' })
		expect(TriageSchema.parse({ intent: 'assign', revision: '2' })).toEqual({ intent: 'assign', revision: 2, assignee: '' })
	})

	test('refuses unknown intents, resolutions, calls, a non-uuid assignee and an empty note', () => {
		expect(TriageSchema.safeParse({ intent: 'delete', revision: '1' }).success).toBe(false)
		expect(TriageSchema.safeParse({ intent: 'resolve', revision: '1', resolution: 'ignored' }).success).toBe(false)
		expect(TriageSchema.safeParse({ intent: 'blocking', revision: '1', call: 'maybe' }).success).toBe(false)
		expect(TriageSchema.safeParse({ intent: 'assign', revision: '1', assignee: 'bob' }).success).toBe(false)
		expect(TriageSchema.safeParse({ intent: 'note', note: '   ' }).success).toBe(false)
		expect(TriageSchema.safeParse({ intent: 'acknowledge', revision: 'abc' }).success).toBe(false)
	})
})
