import { ConsoleErrors, expect, isCspViolation, test } from './fixtures.ts'

// The console check fails a test on a CSP violation. This proves it would: a page served under
// the app's own Content-Security-Policy with an inline style is caught by a fresh guard, which
// refuses it even where other console errors are allowed; and a page in a context the test opens
// itself is watched without the test asking.
test('an inline style under the app’s CSP is caught as a violation, in any context the test opens', async ({ browser, request, consoleErrors }) => {
	const csp = (await request.get('/signin')).headers()['content-security-policy']
	expect(csp).toContain("style-src 'self'")
	const probe = new ConsoleErrors()
	probe.allow(/.*/)
	const context = probe.watch(await browser.newContext())
	const page = await context.newPage()
	await page.route('**/csp-probe', (route) =>
		route.fulfill({
			status: 200,
			headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp! },
			body: '<!doctype html><title>probe</title><div style="color: red">inline</div>',
		}),
	)
	await page.goto('/csp-probe')
	await expect.poll(() => probe.errors.filter(isCspViolation).length).toBeGreaterThan(0)
	expect(probe.unexpected()[0]).toMatch(/inline style.*Content Security Policy/i)
	expect(() => probe.expectNone()).toThrow(/browser console errors/)
	// The test's own guard watched that context too (it came from browser.newContext()); the
	// violation it saw is this probe's, expected here, so it is taken out before the guard checks.
	const seen = consoleErrors.errors.filter(isCspViolation)
	expect(seen.length).toBeGreaterThan(0)
	consoleErrors.errors.splice(0, consoleErrors.errors.length)
	await context.close()
})
