import { describe, expect, test } from 'vitest'
import { ApiIssueQuerySchema, ApiNewVersionSchema, bearerToken, decodeIssueCursor, encodeIssueCursor, isNdjson, provenanceFromApi } from '#app/domain/api.ts'

const token = `rt_${'A'.repeat(43)}`

describe('bearer tokens', () => {
	test('only "Bearer rt_<43 base64url>" is looked up', () => {
		expect(bearerToken(`Bearer ${token}`)).toBe(token)
		expect(bearerToken(`bearer   ${token} `)).toBe(token)
		for (const bad of [
			null,
			'',
			'Bearer',
			'Bearer ',
			`Basic ${token}`,
			`Bearer ${token}x`,
			`Bearer ${token.slice(0, -1)}`,
			`Bearer rt_${'A'.repeat(42)}=`,
			`Bearer xx_${'A'.repeat(43)}`,
			`Bearer ${token} extra`,
			`Token ${token}`,
		]) {
			expect(bearerToken(bad), String(bad)).toBeNull()
		}
	})
})

describe('requests', () => {
	test('JSONL content types', () => {
		expect(isNdjson('application/x-ndjson')).toBe(true)
		expect(isNdjson('application/x-ndjson; charset=utf-8')).toBe(true)
		expect(isNdjson('application/jsonl')).toBe(true)
		expect(isNdjson('application/json')).toBe(false)
		expect(isNdjson(null)).toBe(false)
	})

	test('a version body maps onto the web form’s provenance; unknown fields are refused', () => {
		const ok = ApiNewVersionSchema.parse({ label: ' v2 ', parent: 'v1', generation_method: 'templates', model_name: 'M' })
		expect(ok.label).toBe('v2')
		expect(provenanceFromApi(ok)).toMatchObject({ modelName: 'M', generationMethod: 'templates', changelog: '' })
		expect(ApiNewVersionSchema.safeParse({ label: 'v2', generation_method: 'templates', modle_name: 'typo' }).success).toBe(false)
		expect(ApiNewVersionSchema.safeParse({ label: 'bad label', generation_method: 'templates' }).success).toBe(false)
	})

	test('issue cursors round-trip and anything else is refused', () => {
		for (const n of [0, 1, 42, 999_999_999]) expect(decodeIssueCursor(encodeIssueCursor(n))).toBe(n)
		for (const bad of ['', 'abc', Buffer.from('n:-1').toString('base64url'), Buffer.from('n:1x').toString('base64url'), `${encodeIssueCursor(5)}=`]) expect(decodeIssueCursor(bad), bad).toBeNull()
		expect(ApiIssueQuerySchema.parse({})).toEqual({ status: 'all', limit: 50 })
		expect(ApiIssueQuerySchema.safeParse({ limit: '0' }).success).toBe(false)
		expect(ApiIssueQuerySchema.safeParse({ page: '2' }).success).toBe(false)
	})
})
