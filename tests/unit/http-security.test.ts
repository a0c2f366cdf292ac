import { describe, expect, test } from 'vitest'
import { baseSecurityHeaders, contentSecurityPolicy, isMutationAllowed } from '#app/utils/http-security.ts'

const expectedOrigin = 'https://roundtable.example'

describe('Origin check on mutations', () => {
	const post = (origin: string | undefined, pathname = '/signin') => isMutationAllowed({ method: 'POST', pathname, origin, expectedOrigin })

	test('same origin passes', () => expect(post('https://roundtable.example')).toBe(true))
	test('a foreign origin is refused', () => expect(post('https://evil.example')).toBe(false))
	test('a look-alike origin is refused', () => expect(post('https://roundtable.example.evil.example')).toBe(false))
	test('another scheme or port is refused', () => {
		expect(post('http://roundtable.example')).toBe(false)
		expect(post('https://roundtable.example:8443')).toBe(false)
	})
	test('a missing Origin is refused', () => expect(post(undefined)).toBe(false))
	test('the opaque "null" origin is refused', () => expect(post('null')).toBe(false))
	test('every unsafe method is checked', () => {
		for (const method of ['PUT', 'PATCH', 'DELETE', 'post']) {
			expect(isMutationAllowed({ method, pathname: '/x', origin: 'https://evil.example', expectedOrigin })).toBe(false)
		}
	})
	test('safe methods need no Origin', () => {
		for (const method of ['GET', 'HEAD', 'OPTIONS']) expect(isMutationAllowed({ method, pathname: '/x', origin: undefined, expectedOrigin })).toBe(true)
	})
	test('bearer-token API paths are exempt (they never read cookies)', () => {
		expect(post(undefined, '/api/v1/datasets/x/versions')).toBe(true)
		expect(post(undefined, '/apix')).toBe(false)
	})
})

describe('security headers', () => {
	test('the CSP carries the nonce and forbids framing, plugins and base rewriting', () => {
		const csp = contentSecurityPolicy('abc123')
		expect(csp).toContain("'nonce-abc123'")
		expect(csp).toContain("frame-ancestors 'none'")
		expect(csp).toContain("object-src 'none'")
		expect(csp).toContain("base-uri 'none'")
		expect(csp).not.toContain('unsafe-inline')
		expect(csp).not.toContain('unsafe-eval')
	})
	test('every response gets nosniff and a strict referrer policy; HSTS only over https', () => {
		expect(baseSecurityHeaders()).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin' })
		expect(baseSecurityHeaders()).not.toHaveProperty('Strict-Transport-Security')
		expect(baseSecurityHeaders({ https: true })).toHaveProperty('Strict-Transport-Security')
	})
})
