import { describe, expect, test } from 'vitest'
import { AcknowledgeSchema, NotifySchema } from '#app/domain/inbox.ts'
import { ConsentSchema, WithdrawSchema } from '#app/domain/participation.ts'
import { intentOf, parseForm } from '#app/routes/__form.server.ts'
import { z } from 'zod'

const form = (entries: Array<[string, string]>) => {
	const f = new FormData()
	for (const [k, v] of entries) f.append(k, v)
	return f
}

describe('parseForm (the fast-path form pattern, decision 042)', () => {
	test('a valid form gives its parsed value; unticked boxes are false', () => {
		expect(parseForm(form([['agree', 'yes']]), ConsentSchema)).toEqual({ ok: true, value: { agree: 'yes', expertise: '', showName: false, warnEachTime: false } })
		expect(
			parseForm(
				form([
					['agree', 'yes'],
					['showName', 'on'],
					['expertise', 'Teacher'],
				]),
				ConsentSchema,
			),
		).toMatchObject({ ok: true, value: { showName: true, expertise: 'Teacher' } })
	})

	test('a refused form gives per-field translation keys', () => {
		expect(parseForm(form([]), ConsentSchema)).toEqual({ ok: false, fieldErrors: { agree: ['consent.mustAgree'] } })
		expect(parseForm(form([['feedback', 'maybe']]), WithdrawSchema)).toEqual({ ok: false, fieldErrors: { feedback: ['withdraw.choose'] } })
	})

	test('fields named as lists keep every value sent', () => {
		const schema = z.object({ groups: z.array(z.string()) })
		expect(
			parseForm(
				form([
					['groups', 'a'],
					['groups', 'b'],
				]),
				schema,
				{ lists: ['groups'] },
			),
		).toEqual({ ok: true, value: { groups: ['a', 'b'] } })
		expect(parseForm(form([]), schema, { lists: ['groups'] })).toEqual({ ok: true, value: { groups: [] } })
	})

	test('the inbox forms read as they did by hand: a missing revision is 0, a bad issue id is refused', () => {
		const issue = '0b6f4f9e-5a1c-4c1e-9d2a-0e3c1f6b7a8d'
		expect(parseForm(form([['issue', issue]]), AcknowledgeSchema)).toEqual({ ok: true, value: { issue, revision: 0 } })
		expect(
			parseForm(
				form([
					['issue', issue],
					['revision', '1.5'],
				]),
				AcknowledgeSchema,
			).ok,
		).toBe(false)
		expect(
			parseForm(
				form([
					['issue', 'x'],
					['revision', '1'],
				]),
				AcknowledgeSchema,
			).ok,
		).toBe(false)
		expect(parseForm(form([['dataset', 'hints']]), NotifySchema)).toEqual({ ok: true, value: { dataset: 'hints', notify: false } })
	})

	test('intentOf', () => {
		expect(intentOf(form([['intent', 'notify']]))).toBe('notify')
		expect(intentOf(form([]))).toBe('')
	})
})
