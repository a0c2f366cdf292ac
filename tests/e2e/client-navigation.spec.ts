import { type Page } from '@playwright/test'
import { expect, test, waitForHydration } from './fixtures.ts'
import { demoOwner, signIn } from './round-helpers.ts'

// Each kind of owner page, reached by a client-side navigation, shows the same words as after a
// full reload: the translations every route declares are loaded either way (no bare "link" keys).
test('client-side navigation shows the same text as a full reload, on every owner page type', async ({ page }) => {
	test.setTimeout(240_000)
	await signIn(page, demoOwner)
	await page.goto('/datasets/tutoring-hints')
	// A version's own page (the "New version" link comes first for the team).
	const versionHref = await page.locator('a[href^="/datasets/tutoring-hints/versions/"]:not([href$="/versions/new"])').first().getAttribute('href')
	const version = versionHref!.split('/').slice(0, 5).join('/')
	await page.goto(version)
	const roundLink = page.locator(`a[href^="${version}/rounds/"]:not([href$="/new"])`).first()
	const roundHref = (await roundLink.count()) ? await roundLink.getAttribute('href') : null
	// The demo's consultation in progress: its round page and a use case's discussion, as the team sees them.
	const consulted = '/datasets/simulated-user-conversations/versions/v1'
	await page.goto(consulted)
	const openRoundHref = await page.locator(`a[href^="${consulted}/rounds/"]:not([href$="/new"])`).first().getAttribute('href')
	await page.goto('/datasets/simulated-user-conversations')
	const discussionHref = await page.locator('a[href$="/discussion"]').first().getAttribute('href')
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
		openRoundHref!,
		discussionHref!,
		'/datasets/workplace-emails/versions/v1/report',
		'/inbox',
		'/notifications',
		'/feedback',
		'/account',
	]
	await compareWithReload(page, paths)
})

const navigate = (page: Page, to: string) => page.evaluate((path) => (window as unknown as { __remixRouter: { navigate: (to: string) => Promise<void> } }).__remixRouter.navigate(path), to)
const escape = (path: string) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The page's main text, times of day masked: a report says when it was generated, which moves between two reads. */
const mainText = async (page: Page) => (await page.locator('main').innerText()).replace(/\d{1,2}:\d{2}(?::\d{2})?(\s?[AP]M)?/g, '<time>')

/** For each path: reached from the home page by the app's own router, its main text equals a full reload's. */
async function compareWithReload(page: Page, paths: string[]) {
	const text = () => mainText(page)
	for (const path of paths) {
		// From the home page, a client-side navigation (the app's own router, as a link click does).
		await page.goto('/')
		await waitForHydration(page)
		await navigate(page, path)
		await expect(page).toHaveURL(new RegExp(`${escape(path)}$`))
		await page.waitForLoadState('networkidle')
		await page.goto(path)
		// Controls only JavaScript can work (a keyboard-shortcuts button, "use the selected text") appear once hydrated.
		await waitForHydration(page)
		await page.waitForLoadState('networkidle')
		const reloaded = await text()
		// Navigate client-side again and compare, once its translations have arrived.
		await page.goto('/')
		await waitForHydration(page)
		await navigate(page, path)
		await expect.poll(text, { message: path, timeout: 10_000 }).toBe(reloaded)
	}
}

/** Signs in whatever the account's language (the sign-in page itself is in the browser's English). */
async function signInAs(page: Page, email: string) {
	await page.goto('/signin')
	await page.getByLabel('Email').fill(email)
	await page.getByLabel('Password').fill('roundtable-demo')
	await page.getByRole('button', { name: 'Sign in' }).click()
	await expect(page).not.toHaveURL(/\/signin/)
}

/**
 * Every participant page type of the demo's open round, as the seeded demo reviewer sees it: the
 * round home, the focus view of a sample waiting (the queue's own address leads there while samples
 * wait), the consent and withdrawal pages (linked from the round home), a use-case discussion, My feedback, notifications
 * and the account pages; then a language switch from the header, compared with a reload.
 */
for (const who of [
	{ role: 'community member', email: 'rami.reviewer@roundtable.test', switchTo: 'fr' },
	{ role: 'expert', email: 'lucia.expert@roundtable.test', switchTo: 'ar' },
]) {
	test(`client-side navigation shows the same text as a full reload, on every participant page type (${who.role})`, async ({ page }) => {
		test.setTimeout(240_000)
		await signInAs(page, who.email)
		await page.goto('/')
		const roundHref = await page.locator('main a[href^="/rounds/"]').first().getAttribute('href')
		const round = roundHref!.split('/').slice(0, 3).join('/')
		await page.goto(round)
		const sampleHref = await page.locator(`main a[href^="${round}/review/"]`).first().getAttribute('href')
		const useCaseHref = await page.locator(`main a[href^="${round}/use-cases/"]`).first().getAttribute('href')
		const paths = ['/', round, sampleHref!, `${round}/consent`, `${round}/withdraw`, useCaseHref!, '/feedback', '/notifications', '/account', '/account/password', '/account/tokens']
		await compareWithReload(page, paths)

		// The language switcher in the header (a form posted with JavaScript, no reload): the page
		// comes back entirely in the new language, as a reload shows it.
		await page.goto(round)
		await waitForHydration(page)
		// The new language's translations arrive a second late, as on a slow connection.
		await page.route(`**/locales/${who.switchTo}/**`, async (route) => {
			await new Promise((resolve) => setTimeout(resolve, 1000))
			await route.continue()
		})
		await page.locator('details.language-menu > summary').click()
		await page.getByRole('banner').locator(`button[name="lng"][value="${who.switchTo}"]`).click()
		await expect(page.locator('html')).toHaveAttribute('lang', who.switchTo)
		// `lang` and `dir` change only once the new language's words have arrived (app/root.tsx), so
		// the page read the moment the attribute changed is already entirely in the new language:
		// exactly what a second tab of the same session gets from the server.
		const atSwitch = await mainText(page)
		await expect(page.locator('html')).toHaveAttribute('dir', who.switchTo === 'ar' ? 'rtl' : 'ltr')
		const fresh = await page.context().newPage()
		await fresh.goto(round)
		await waitForHydration(fresh)
		await expect(fresh.locator('html')).toHaveAttribute('lang', who.switchTo)
		const reloaded = await mainText(fresh)
		await fresh.close()
		expect(atSwitch, `${round} the moment it switched to ${who.switchTo}`).toBe(reloaded)
	})
}
