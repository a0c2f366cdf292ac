import { describe, expect, test } from 'vitest'
import { type BlockingReason, type Severity } from '#app/domain/enums.ts'
import { evaluateBlocking, ruleReasons, severityValue, type FeedbackComment, type FeedbackFlag } from '#app/domain/blocking.ts'

const flag = (personId: string, severity: Severity, over: Partial<FeedbackFlag> = {}): FeedbackFlag => ({ personId, role: 'community', severity, kind: 'flag', threshold: 2, ...over })
const templateComment = (personId: string, over: Partial<FeedbackFlag> = {}): FeedbackFlag => ({ personId, role: 'community', severity: null, kind: 'comment', threshold: 2, ...over })
const opposed = (opposedBlocks = true): FeedbackComment => ({ stance: 'opposed', opposedBlocks })

describe('severityValue', () => {
	test('orders severities and maps none to 0', () => {
		expect([null, undefined, 'minor', 'major', 'critical'].map((s) => severityValue(s as Severity | null))).toEqual([0, 0, 1, 2, 3])
	})
})

describe('each rule alone', () => {
	test('no feedback: nothing blocks', () => {
		expect(ruleReasons({ flags: [] })).toEqual([])
		expect(evaluateBlocking({ flags: [], ownerBlocking: null })).toEqual({ blocking: false, reasons: [], overruled: false })
	})

	test('a single community minor flag makes no reason (below a threshold of 2)', () => {
		expect(evaluateBlocking({ flags: [flag('a', 'minor')], ownerBlocking: null })).toEqual({ blocking: false, reasons: [], overruled: false })
		expect(ruleReasons({ flags: [flag('a', 'major')] })).toEqual([])
	})

	test('critical: one critical flag from one community member blocks', () => {
		expect(evaluateBlocking({ flags: [flag('a', 'critical')], ownerBlocking: null })).toEqual({ blocking: true, reasons: ['critical'], overruled: false })
	})

	test('threshold: N distinct people block, N − 1 do not', () => {
		expect(ruleReasons({ flags: [flag('a', 'minor'), flag('b', 'minor')] })).toEqual(['threshold'])
		const three = (n: number) => [flag('a', 'minor', { threshold: n }), flag('b', 'minor', { threshold: n }), flag('c', 'minor', { threshold: n })]
		expect(ruleReasons({ flags: three(3) })).toEqual(['threshold'])
		expect(ruleReasons({ flags: three(4) })).toEqual([])
		expect(ruleReasons({ flags: [flag('a', 'minor', { threshold: 1 })] })).toEqual(['threshold'])
	})

	test('threshold: the same person flagging twice (or in two rounds) counts once', () => {
		expect(ruleReasons({ flags: [flag('a', 'minor'), flag('a', 'major')] })).toEqual([])
		expect(ruleReasons({ flags: [flag('a', 'minor', { threshold: 2 }), flag('a', 'minor', { threshold: 3 })] })).toEqual([])
		expect(ruleReasons({ flags: [flag('a', 'minor'), flag('a', 'minor'), flag('b', 'minor')] })).toEqual(['threshold'])
	})

	test('threshold: the strictest (lowest) threshold among the rounds applies', () => {
		// Two people, one round says 3, the other 2: two is enough.
		expect(ruleReasons({ flags: [flag('a', 'minor', { threshold: 3 }), flag('b', 'minor', { threshold: 2 })] })).toEqual(['threshold'])
		expect(ruleReasons({ flags: [flag('a', 'minor', { threshold: 3 }), flag('b', 'minor', { threshold: 5 })] })).toEqual([])
		// A one-person round makes a single flag enough, whatever the other round says.
		expect(ruleReasons({ flags: [flag('a', 'minor', { threshold: 5 }), flag('a', 'minor', { threshold: 1 })] })).toEqual(['threshold'])
	})

	test('threshold: a nonsensical threshold below 1 still needs one person', () => {
		expect(ruleReasons({ flags: [flag('a', 'minor', { threshold: 0 })] })).toEqual(['threshold'])
		expect(ruleReasons({ flags: [templateComment('a', { threshold: 0 })] })).toEqual([])
	})

	test('expert: a major or critical flag from an expert blocks, a minor one does not', () => {
		expect(ruleReasons({ flags: [flag('e', 'major', { role: 'expert' })] })).toEqual(['expert'])
		expect(ruleReasons({ flags: [flag('e', 'critical', { role: 'expert' })] })).toEqual(['critical', 'expert'])
		expect(ruleReasons({ flags: [flag('e', 'minor', { role: 'expert' })] })).toEqual([])
	})

	test('expert vs community: the same major flag from a community member is not an expert reason', () => {
		expect(ruleReasons({ flags: [flag('c', 'major', { role: 'community' })] })).toEqual([])
		expect(ruleReasons({ flags: [flag('c', 'major', { role: 'community' }), flag('e', 'minor', { role: 'expert' })] })).toEqual(['threshold'])
	})

	test('opposed: an opposed use-case comment blocks only where the round says so', () => {
		expect(evaluateBlocking({ flags: [], comments: [opposed(true)], ownerBlocking: null })).toEqual({ blocking: true, reasons: ['opposed'], overruled: false })
		expect(evaluateBlocking({ flags: [], comments: [opposed(false)], ownerBlocking: null })).toEqual({ blocking: false, reasons: [], overruled: false })
		for (const stance of ['concerned', 'supportive', 'question'] as const) {
			expect(ruleReasons({ flags: [], comments: [{ stance, opposedBlocks: true }] })).toEqual([])
		}
		expect(ruleReasons({ flags: [], comments: [opposed(false), opposed(true)] })).toEqual(['opposed'])
	})

	test('template "comment" feedback never counts as a flag, whatever else it says', () => {
		const comments = [templateComment('a'), templateComment('b'), templateComment('c', { role: 'expert', severity: 'critical' }), templateComment('d', { threshold: 1 })]
		expect(ruleReasons({ flags: comments })).toEqual([])
		// …nor towards the threshold next to a real flag.
		expect(ruleReasons({ flags: [flag('a', 'minor'), templateComment('b')] })).toEqual([])
		expect(ruleReasons({ flags: [flag('a', 'minor'), templateComment('b', { threshold: 1 })] })).toEqual([])
	})

	test('"unsure" is not an input: an unsure critical flag blocks like any other', () => {
		expect(ruleReasons({ flags: [{ ...flag('a', 'critical'), unsure: true } as FeedbackFlag] })).toEqual(['critical'])
	})

	test('all reasons together come in a fixed order', () => {
		const flags = [flag('a', 'critical'), flag('b', 'minor'), flag('e', 'major', { role: 'expert' })]
		expect(ruleReasons({ flags, comments: [opposed()] })).toEqual(['critical', 'threshold', 'expert', 'opposed'])
		expect(evaluateBlocking({ flags: [...flags].reverse(), comments: [opposed()], ownerBlocking: true }).reasons).toEqual(['critical', 'threshold', 'expert', 'opposed', 'owner'])
	})
})

describe("the team's call", () => {
	test('marked blocking: blocks with no feedback at all, reason "owner"', () => {
		expect(evaluateBlocking({ flags: [], ownerBlocking: true })).toEqual({ blocking: true, reasons: ['owner'], overruled: false })
		expect(evaluateBlocking({ flags: [flag('a', 'minor')], ownerBlocking: true })).toEqual({ blocking: true, reasons: ['owner'], overruled: false })
	})

	test('marked blocking on top of the rules keeps their reasons', () => {
		expect(evaluateBlocking({ flags: [flag('a', 'critical')], ownerBlocking: true })).toEqual({ blocking: true, reasons: ['critical', 'owner'], overruled: false })
	})

	test('marked not blocking wins over the rules, and says it overruled them', () => {
		expect(evaluateBlocking({ flags: [flag('a', 'critical')], comments: [opposed()], ownerBlocking: false })).toEqual({ blocking: false, reasons: ['critical', 'opposed'], overruled: true })
	})

	test('marked not blocking where the rules found nothing overrules nothing', () => {
		expect(evaluateBlocking({ flags: [flag('a', 'minor')], ownerBlocking: false })).toEqual({ blocking: false, reasons: [], overruled: false })
	})

	test('back to the rules (null) follows them again', () => {
		const input = { flags: [flag('a', 'critical')] }
		expect(evaluateBlocking({ ...input, ownerBlocking: false }).blocking).toBe(false)
		expect(evaluateBlocking({ ...input, ownerBlocking: null }).blocking).toBe(true)
	})
})

describe('every combination of a small domain', () => {
	// Each flag: person × role × (severity or template comment) × round threshold.
	const options: FeedbackFlag[] = []
	for (const personId of ['a', 'b'])
		for (const role of ['community', 'expert'] as const)
			for (const sev of ['minor', 'major', 'critical', null] as const)
				for (const threshold of [1, 2, 3]) options.push(sev ? flag(personId, sev, { role, threshold }) : templateComment(personId, { role, threshold }))
	const flagSets: FeedbackFlag[][] = [[]]
	for (const x of options) flagSets.push([x])
	for (const x of options) for (const y of options) flagSets.push([x, y])
	const commentSets: FeedbackComment[][] = [[], [opposed(true)], [opposed(false)], [{ stance: 'concerned', opposedBlocks: true }], [opposed(false), { stance: 'question', opposedBlocks: true }]]
	const calls = [null, true, false] as const

	// An independent statement of DESIGN.md's rules, to compare with.
	function oracle(flags: FeedbackFlag[], comments: FeedbackComment[]): BlockingReason[] {
		const real = flags.filter((f) => f.kind === 'flag')
		const out: BlockingReason[] = []
		if (real.some((f) => f.severity === 'critical')) out.push('critical')
		const people = new Set(real.map((f) => f.personId))
		if (real.length && people.size >= Math.min(...real.map((f) => f.threshold))) out.push('threshold')
		if (real.some((f) => f.role === 'expert' && (f.severity === 'major' || f.severity === 'critical'))) out.push('expert')
		if (comments.some((c) => c.stance === 'opposed' && c.opposedBlocks)) out.push('opposed')
		return out
	}

	test(`${flagSets.length * commentSets.length * calls.length} inputs keep the invariants`, () => {
		let checked = 0
		const seen = { blocking: 0, notBlocking: 0, overruled: 0 }
		for (const flags of flagSets) {
			for (const comments of commentSets) {
				const rules = ruleReasons({ flags, comments })
				expect(rules, JSON.stringify({ flags, comments })).toEqual(oracle(flags, comments))
				expect(new Set(rules).size).toBe(rules.length)
				// Adding a template comment never changes anything.
				expect(ruleReasons({ flags: [...flags, templateComment('z', { threshold: 1 })], comments })).toEqual(rules)
				for (const ownerBlocking of calls) {
					const r = evaluateBlocking({ flags, comments, ownerBlocking })
					const ctx = JSON.stringify({ flags, comments, ownerBlocking })
					if (ownerBlocking === true) {
						expect(r.blocking, ctx).toBe(true)
						expect(r.reasons, ctx).toEqual([...rules, 'owner'])
						expect(r.overruled, ctx).toBe(false)
					} else if (ownerBlocking === false) {
						expect(r.blocking, ctx).toBe(false)
						expect(r.reasons, ctx).toEqual(rules)
						expect(r.overruled, ctx).toBe(rules.length > 0)
					} else {
						expect(r.blocking, ctx).toBe(rules.length > 0)
						expect(r.reasons, ctx).toEqual(rules)
						expect(r.overruled, ctx).toBe(false)
						expect(r.reasons).not.toContain('owner')
					}
					seen[r.blocking ? 'blocking' : 'notBlocking']++
					if (r.overruled) seen.overruled++
					checked++
				}
			}
		}
		expect(checked).toBe(flagSets.length * commentSets.length * calls.length)
		// The domain really exercises both outcomes and the overrule.
		expect(seen.blocking).toBeGreaterThan(1000)
		expect(seen.notBlocking).toBeGreaterThan(1000)
		expect(seen.overruled).toBeGreaterThan(100)
	})

	test('adding a flag never takes a reason away (monotone), and order of flags does not matter', () => {
		for (const flags of flagSets) {
			const before = ruleReasons({ flags })
			for (const extra of options) {
				const after = ruleReasons({ flags: [...flags, extra] })
				for (const reason of before) expect(after, JSON.stringify({ flags, extra })).toContain(reason)
				expect(ruleReasons({ flags: [extra, ...flags] })).toEqual(after)
			}
		}
	})
})
