import { request as httpRequest } from 'node:http'
import zlib from 'node:zlib'
import { expect, expectAccessible, msg, openAccountMenu, signUp, test, uniqueEmail, waitForHydration } from './fixtures.ts'

test('a POST with a foreign, missing or null Origin gets 403 and changes nothing', async ({ request, baseURL }) => {
	const form = { email: 'x@example.org', password: 'whatever password', displayName: 'X' }
	for (const origin of ['https://evil.example', 'null', undefined]) {
		const res = await request.post('/signup', { form, headers: origin ? { Origin: origin } : {}, maxRedirects: 0 })
		expect(res.status(), `Origin ${origin}`).toBe(403)
	}
	const same = await request.post('/signup', { form: { ...form, password: 'short' }, headers: { Origin: baseURL! }, maxRedirects: 0 })
	expect(same.status()).toBe(400)
})

test('HTML responses carry a nonce CSP and the security headers; static files too', async ({ request }) => {
	const page = await request.get('/')
	const csp = page.headers()['content-security-policy'] ?? ''
	expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/)
	expect(csp).toContain("frame-ancestors 'none'")
	expect(page.headers()['x-content-type-options']).toBe('nosniff')
	expect(page.headers()['referrer-policy']).toBe('same-origin')
	const nonce = /'nonce-([^']+)'/.exec(csp)![1]!
	const html = await page.text()
	expect(html).toContain(`nonce="${nonce}"`)
	// A fresh nonce per response.
	const again = (await request.get('/')).headers()['content-security-policy']
	expect(again).not.toBe(csp)

	const icon = await request.get('/favicon.svg')
	expect(icon.headers()['x-content-type-options']).toBe('nosniff')
})

test('pages are compressed as the browser asks (brotli, gzip or none), and decode to the same page', async ({ baseURL }) => {
	// Raw bytes over node:http: Playwright's request context would decode them for us.
	const get = (encoding: string) =>
		new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
			const req = httpRequest(new URL('/signin', baseURL), { headers: { 'Accept-Encoding': encoding } }, (res) => {
				const chunks: Buffer[] = []
				res.on('data', (chunk: Buffer) => chunks.push(chunk))
				res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }))
				res.on('error', reject)
			})
			req.on('error', reject)
			req.end()
		})
	const [br, gzip, plain] = await Promise.all([get('br, gzip'), get('gzip'), get('identity')])
	expect([br.encoding, gzip.encoding, plain.encoding]).toEqual(['br', 'gzip', undefined])
	const withoutNonces = (html: string) => html.replace(/nonce="[^"]+"/g, 'nonce=""')
	const page = withoutNonces(plain.body.toString('utf8'))
	expect(page).toContain('<form')
	expect(withoutNonces(zlib.brotliDecompressSync(br.body).toString('utf8'))).toBe(page)
	expect(withoutNonces(zlib.gunzipSync(gzip.body).toString('utf8'))).toBe(page)
	expect(br.body.length).toBeLessThan(plain.body.length / 2)
})

test('/healthz answers JSON after checking the database', async ({ request }) => {
	const res = await request.get('/healthz')
	expect(res.status()).toBe(200)
	expect(await res.json()).toEqual({ status: 'ok', database: 'ok' })
})

test.describe('in a Spanish browser', () => {
	test.use({ locale: 'es-ES' })

	test('an unknown page is a translated 404 with the shell around it', async ({ page }) => {
		const res = await page.goto('/no/such/page')
		expect(res?.status()).toBe(404)
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(msg('es', 'errorPage.notFound.title'))
		await expect(page.locator('html')).toHaveAttribute('lang', 'es')
		await expectAccessible(page)
	})
})

test('a GET never signs anyone out', async ({ request }) => {
	const res = await request.get('/signout', { maxRedirects: 0 })
	expect(res.status()).toBe(302)
})

test('keyboard: the first Tab reaches the skip link, which moves focus to the main content', async ({ page }) => {
	await page.goto('/signin')
	// Pressed once the page is interactive: a key pressed while React is still hydrating can race it.
	await waitForHydration(page)
	await page.keyboard.press('Tab')
	const skip = page.getByRole('link', { name: 'Skip to main content' })
	await expect(skip).toBeFocused()
	await page.keyboard.press('Enter')
	await expect(page.locator('main')).toBeFocused()
})

test('Back after signing out does not show the signed-in page again (no-store, JavaScript off)', async ({ browser }) => {
	const context = await browser.newContext({ javaScriptEnabled: false })
	const page = await context.newPage()
	const email = uniqueEmail('back')
	await signUp(page, { email, name: 'Backtrack', password: 'long enough password' })
	const account = await page.goto('/account')
	expect(account!.headers()['cache-control']).toBe('private, no-store')
	await expect(page.getByText(email).first()).toBeVisible()
	await openAccountMenu(page)
	await page.getByRole('button', { name: 'Sign out' }).click()
	await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible()
	await page.goBack()
	// The browser asks the server again, which no longer knows the session: the sign-in page, no email.
	await expect(page).toHaveURL(/\/signin/)
	await expect(page.getByText(email)).toHaveCount(0)
	await context.close()
})
