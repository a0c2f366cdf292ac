import { expect, test, waitForHydration } from './fixtures.ts'
import { demoOwner, signIn } from './round-helpers.ts'

// Each kind of owner page, reached by a client-side navigation, shows the same words as after a
// full reload: the translations every route declares are loaded either way (no bare "link" keys).
test('client-side navigation shows the same text as a full reload, on every owner page type', async ({ page }) => {
	test.setTimeout(240_000)
	await signIn(page, demoOwner)
	await page.goto('/datasets/tutoring-hints')
	const versionHref = await page.locator('a[href^="/datasets/tutoring-hints/versions/"]').first().getAttribute('href')
	const version = versionHref!.split('/').slice(0, 5).join('/')
	await page.goto(version)
	const roundLink = page.locator(`a[href^="${version}/rounds/"]:not([href$="/new"])`).first()
	const roundHref = (await roundLink.count()) ? await roundLink.getAttribute('href') : null
	const paths = [
		'/datasets',
		'/datasets/tutoring-hints',
		'/datasets/tutoring-hints/team',
		'/datasets/tutoring-hints/audit',
		'/datasets/tutoring-hints/webhooks',
		'/datasets/tutoring-hints/outbox',
		version,
		`${version}/issues`,
		`${version}/samples`,
		`${version}/insights`,
		`${version}/report`,
		...(roundHref ? [roundHref] : []),
		'/inbox',
		'/notifications',
		'/feedback',
		'/account',
	]
	const text = () => page.locator('main').innerText()
	for (const path of paths) {
		// From the home page, a client-side navigation (the app's own router, as a link click does).
		await page.goto('/')
		await waitForHydration(page)
		await page.evaluate((to) => (window as unknown as { __remixRouter: { navigate: (to: string) => Promise<void> } }).__remixRouter.navigate(to), path)
		await expect(page).toHaveURL(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`))
		await page.waitForLoadState('networkidle')
		await page.goto(path)
		const reloaded = await text()
		// Navigate client-side again and compare, once its translations have arrived.
		await page.goto('/')
		await waitForHydration(page)
		await page.evaluate((to) => (window as unknown as { __remixRouter: { navigate: (to: string) => Promise<void> } }).__remixRouter.navigate(to), path)
		await expect.poll(text, { message: path, timeout: 10_000 }).toBe(reloaded)
	}
})
