/**
 * Open redirects: every place that sends a browser to a target it was given (sign-in and sign-up
 * `redirectTo`, the language switcher's `redirectTo`, sign-out's `?redirectTo=`) answers with a
 * Location that a browser resolves to our own origin, whatever the encoding — tabs and newlines
 * (which browsers drop), backslashes (which they read as "/"), schemes, encoded slashes, dot
 * segments, IDN and look-alike characters. A target that is not a same-origin path goes home.
 * (docs/security.md, "HTTP hardening".)
 */
import { describe, expect, test } from 'vitest'
import { action as languageAction } from '#app/routes/language.tsx'
import { action as signoutAction } from '#app/routes/_auth+/signout.tsx'
import { action as signinAction } from '#app/routes/_auth+/signin.tsx'
import { action as signupAction } from '#app/routes/_auth+/signup.tsx'
import { safeRedirectPath } from '#app/utils/auth.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { formRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'

useTestDatabase()

const HOSTILE = [
	'//evil.example',
	'///evil.example',
	'////evil.example/phish',
	'/\\evil.example',
	'\\\\evil.example',
	'/\\/evil.example',
	'\\/evil.example',
	'/\t/evil.example/phish',
	'/\t\t//evil.example',
	'/\n/evil.example',
	'/\r\n/evil.example',
	'/\r/evil.example',
	'/\u000b/evil.example',
	'/\u000c/evil.example',
	'/\u0000/evil.example',
	' //evil.example',
	'\t//evil.example',
	'\n//evil.example',
	'/ /evil.example',
	'http://evil.example',
	'https://evil.example/phish',
	'HTTPS://EVIL.EXAMPLE',
	'http:evil.example',
	'https:/evil.example',
	'https:\\\\evil.example',
	'javascript:alert(document.domain)',
	'JaVaScRiPt:alert(1)',
	'java\tscript:alert(1)',
	'data:text/html,<script>alert(1)</script>',
	'vbscript:msgbox(1)',
	'/%2F%2Fevil.example',
	'/%2f%2fevil.example',
	'/%5C%5Cevil.example',
	'/%5cevil.example',
	'/%09/evil.example',
	'/%0a/evil.example',
	'/%252F%252Fevil.example',
	'/.//evil.example',
	'/..//evil.example',
	'/./..//evil.example',
	'/%2e%2e//evil.example',
	'/.%2e//evil.example',
	'/./\\evil.example',
	'//evil.example:443',
	'//user@evil.example',
	'//localhost:3000@evil.example',
	'//evil.example\\@localhost:3000',
	'//evil.example%2F@localhost:3000',
	'//127.0.0.1',
	'//0x7f.0.0.1',
	'//[::1]/',
	'//2130706433',
	'//evil。example',
	'//evil．example',
	'//ⓔⓥⓘⓛ.example',
	'//xn--vil-cma.example',
	'//évil.example',
	'/\u2215\u2215evil.example',
	'/\uff0f\uff0fevil.example',
	'/\u3002evil.example',
	'/\r\nSet-Cookie: stolen=1',
	'/%0d%0aSet-Cookie:%20stolen=1',
	'evil.example',
	'.evil.example',
	'',
	'/' + 'a'.repeat(10_000),
]

/** Where a browser on our sign-in page goes with this Location (the URL parser, as browsers use it). */
function followed(location: string | null) {
	expect(location, 'a redirect').not.toBeNull()
	expect(location!, 'no control characters or backslashes in a Location').not.toMatch(/[\u0000-\u001f\u007f\\]/)
	return new URL(location!, `${TEST_ORIGIN}/signin`)
}

describe('redirect targets', () => {
	test(`${HOSTILE.length} hostile targets all stay on the origin (safeRedirectPath)`, () => {
		expect(HOSTILE.length).toBeGreaterThanOrEqual(50)
		for (const target of HOSTILE) {
			const path = safeRedirectPath(target)
			const url = followed(path)
			expect(url.origin, JSON.stringify(target)).toBe(TEST_ORIGIN)
			expect(path.startsWith('//'), JSON.stringify(target)).toBe(false)
		}
	})

	test('same-origin paths are kept as the URL parser reads them', () => {
		expect(safeRedirectPath('/datasets/hints/versions/v1?tab=issues#top')).toBe('/datasets/hints/versions/v1?tab=issues#top')
		expect(safeRedirectPath('/invitations/abc_DEF-123')).toBe('/invitations/abc_DEF-123')
		expect(safeRedirectPath('/datasets/../account')).toBe('/account')
		expect(safeRedirectPath('/samples/é 1')).toBe('/samples/%C3%A9%201')
		expect(safeRedirectPath('//evil.example', '/datasets')).toBe('/datasets')
	})

	test('after sign-in and sign-up, every Location stays on the origin', async () => {
		const password = 'long enough password'
		const signup = await run(signupAction, formRequest('/signup', { email: 'mina@example.org', displayName: 'Mina', password, redirectTo: '/\t/evil.example/phish' }))
		expect(signup.status).toBe(302)
		expect(followed(signup.headers.get('Location')).origin).toBe(TEST_ORIGIN)
		for (const redirectTo of HOSTILE) {
			const res = await run(signinAction, formRequest('/signin', { email: 'mina@example.org', password, redirectTo }))
			expect(res.status, JSON.stringify(redirectTo)).toBe(302)
			expect(followed(res.headers.get('Location')).origin, JSON.stringify(redirectTo)).toBe(TEST_ORIGIN)
		}
	}, 120_000)

	test('the language switcher and sign-out keep every Location on the origin, never a 500', async () => {
		for (const redirectTo of HOSTILE) {
			const lang = await run(languageAction, formRequest('/language', { lng: 'fr', redirectTo }))
			expect(lang.status, JSON.stringify(redirectTo)).toBe(302)
			expect(followed(lang.headers.get('Location')).origin, JSON.stringify(redirectTo)).toBe(TEST_ORIGIN)
			let query: string
			try {
				query = new URLSearchParams({ redirectTo }).toString()
			} catch {
				continue
			}
			const out = await run(signoutAction, formRequest(`/signout?${query}`, {}))
			expect(out.status, JSON.stringify(redirectTo)).toBeLessThan(500)
			const location = out.headers.get('Location')
			if (location) {
				const url = followed(location)
				expect(url.origin).toBe(TEST_ORIGIN)
				// Sign-out sends to sign-in with the target to come back to: that one too must be safe.
				const back = url.searchParams.get('redirectTo')
				if (back) expect(new URL(back, TEST_ORIGIN).origin).toBe(TEST_ORIGIN)
			}
		}
	})
})
