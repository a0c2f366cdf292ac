import { describe, expect, test } from 'vitest'
import { AUDIT_TEXT_LIMIT, auditDiff, changeLines, parseAuditCursor } from '#app/domain/audit.ts'

describe('auditDiff', () => {
	const keys = ['name', 'slug', 'description'] as const
	test('keeps only the fields that changed, both sides', () => {
		expect(auditDiff({ name: 'A', slug: 'a', description: '' }, { name: 'B', slug: 'a', description: '' }, keys)).toEqual({ before: { name: 'A' }, after: { name: 'B' } })
	})
	test('nothing changed: no entry', () => {
		expect(auditDiff({ name: 'A', slug: 'a' }, { name: 'A', slug: 'a' }, keys)).toBeNull()
	})
	test('a text over the limit is named, never copied', () => {
		const long = 'x'.repeat(AUDIT_TEXT_LIMIT + 1)
		const change = auditDiff({ name: 'A', description: '' }, { name: 'A', description: long }, keys)
		expect(change).toEqual({ before: {}, after: { longFields: ['description'] } })
		expect(auditDiff({ description: 'x'.repeat(AUDIT_TEXT_LIMIT) }, { description: '' }, keys)).toEqual({ before: { description: 'x'.repeat(AUDIT_TEXT_LIMIT) }, after: { description: '' } })
	})
})

describe('changeLines', () => {
	test('one line per key as plain text, booleans kept for yes/no, long fields listed apart', () => {
		expect(changeLines({ status: 'draft', hidden: false }, { status: 'open', hidden: true, blockers: ['#1', '#2'], longFields: ['promptTemplates'] })).toEqual({
			lines: [
				{ key: 'status', before: 'draft', after: 'open', hadBefore: true },
				{ key: 'hidden', before: false, after: true, hadBefore: true },
				{ key: 'blockers', before: null, after: '#1, #2', hadBefore: false },
			],
			long: ['promptTemplates'],
		})
		expect(changeLines(null, null)).toEqual({ lines: [], long: [] })
	})
})

describe('parseAuditCursor', () => {
	const id = '0f8fad5b-d9cb-469f-a165-70867728950e'
	test('an ISO time with microseconds and an id', () => {
		expect(parseAuditCursor(`2025-03-01T10:00:00.123456Z~${id}`)).toEqual({ at: '2025-03-01T10:00:00.123456Z', id })
		expect(parseAuditCursor(null)).toBeNull()
	})
	test.each(['yesterday', `2025-13-01T10:00:00Z~${id}`, '2025-03-01T10:00:00Z~not-a-uuid', `2025-03-01T10:00:00Z~${id}~x`, `2025-03-01 10:00:00~${id}`])('%s is refused', (v) => {
		expect(parseAuditCursor(v)).toBe('invalid')
	})
})
