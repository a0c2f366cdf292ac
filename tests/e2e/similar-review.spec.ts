import { type Browser, type Page } from '@playwright/test'
import { type ConsoleErrors, expect, expectAccessible, expectNoHorizontalOverflow, msg, signUp, test, uniqueEmail, waitForHydration, waitForHydrationIfScripted } from './fixtures.ts'
import { chooseLanguage } from './language.ts'
import { createVersionWithKeys, templatedFile, waitForIndex } from './similar-helpers.ts'
import { invitationPath, mailTo } from './mail.ts'
import { invite } from './round-helpers.ts'
import { confirmRoundAction, createDataset, uploadText } from './team-helpers.ts'

// Issue #22 item 3, the reviewer's side: after a flag, "Do these look the same?" offers the
// reviewer's own waiting samples like the flagged one; yes flags one the same way, no says "no
// concerns", and "Not now" goes on. With JavaScript (keys y and n, the local queue) in English,
// and without JavaScript on a phone in Arabic; the owner's issue page then shows the flags the
// answers made. The owner's side of similar samples is similar.spec.ts.

const PHONE = { width: 390, height: 844 }
const password = 'a long passphrase for e2e'
const FAMILIES = 3

/** The invited person opens the emailed link in their own browser, creates an account, consents and starts reviewing. */
async function join(browser: Browser, consoleErrors: ConsoleErrors, email: string, options: { lng: 'en' | 'ar'; javaScriptEnabled: boolean; viewport?: { width: number; height: number } }) {
	const m = (key: string, vars?: Record<string, string>) => msg(options.lng, key, vars)
	const context = consoleErrors.watch(await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled, ...(options.viewport ? { viewport: options.viewport } : {}) }))
	const page = await context.newPage()
	await page.goto(invitationPath(await mailTo(email)))
	await waitForHydrationIfScripted(page)
	if (options.lng === 'ar') {
		await chooseLanguage(page, 'العربية')
		await expect(page.locator('html')).toHaveAttribute('lang', 'ar')
		await waitForHydrationIfScripted(page)
	}
	await page.getByLabel(m('auth:fields.displayName')).fill('Rev')
	await page.getByLabel(m('auth:fields.password')).fill(password)
	await page.getByRole('button', { name: m('rounds:accept.createAndAccept') }).click()
	await page.getByRole('button', { name: m('rounds:consent.agree') }).click()
	await page.getByRole('link', { name: m('rounds:home.start') }).click()
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(m('review:heading', { id: 'f0-0' }))
	await waitForHydrationIfScripted(page)
	return { context, page, m }
}

const offered = (page: Page) => page.locator('[data-similar-item]').evaluateAll((items) => items.map((i) => i.getAttribute('data-similar-item')))

test('after a flag a reviewer answers "Do these look the same?" with y and n, and without JavaScript on a phone in Arabic; the owner sees the flags it made', async ({
	page,
	browser,
	consoleErrors,
}) => {
	test.setTimeout(240_000)
	// The owner: a version whose provenance names the template and persona keys, its file, its index.
	await signUp(page, { email: uniqueEmail('simrev'), name: 'Sim', password })
	const slug = await createDataset(page, 'simrev')
	await createVersionWithKeys(page, slug)
	await uploadText(page, 'templated.jsonl', templatedFile(FAMILIES))
	await waitForIndex(page, `/datasets/${slug}/versions/v1/samples/f0-0`)
	// A round where both community members review every sample.
	await page.goto(`/datasets/${slug}/versions/v1/rounds/new`)
	const title = `Look-alikes ${Date.now().toString(36)}`
	await page.getByLabel('Title', { exact: true }).fill(title)
	await page.getByLabel('Reviewers per sample').fill('2')
	await page.getByRole('button', { name: 'Create round' }).click()
	await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
	const ada = uniqueEmail('simrev-js')
	const badr = uniqueEmail('simrev-nojs')
	await invite(page, ada, 'community')
	await invite(page, badr, 'community')
	await confirmRoundAction(page, 'Open the round')

	// With JavaScript, keyboard first: f, a category, the form, then the prompt answered with y and n.
	const js = await join(browser, consoleErrors, ada, { lng: 'en', javaScriptEnabled: true })
	const reviewer = js.page
	await waitForHydration(reviewer)
	await reviewer.keyboard.press('f')
	await reviewer.keyboard.press('2')
	await expect(reviewer.getByRole('radio', { name: /Stereotype/ })).toBeChecked()
	await reviewer.getByRole('radio', { name: 'Major' }).check()
	await reviewer.getByLabel('Other groups (comma-separated)').fill('fishermen, older men')
	const rationaleA = 'Every fisherman is a wise old storyteller.'
	await reviewer.getByLabel('Why? (required for major and critical)').fill(rationaleA)
	await reviewer.getByLabel('Quote the part that is wrong (optional)').fill('told the children')
	await reviewer.getByLabel('I am not sure — this may be a problem').check()
	await reviewer.getByRole('button', { name: 'Flag and go to the next sample' }).click()
	// The prompt, its heading focused: the four near-duplicates, then the same template and persona; not another family.
	const title1 = reviewer.getByRole('heading', { level: 1, name: msg('en', 'review:similar.title') })
	await expect(title1).toBeFocused()
	await expect(reviewer.getByText(msg('en', 'review:similar.intro', { id: 'f0-0', category: 'Stereotype', severity: 'Major' }))).toBeVisible()
	expect(await offered(reviewer)).toEqual(['f0-1', 'f0-2', 'f0-3', 'f0-4', 'f0-other'])
	await expect(reviewer.getByText(msg('en', 'review:similar.count_other', { count: '5' }), { exact: false })).toBeVisible()
	await expect(reviewer.locator('[data-similar-item="f0-other"]')).toContainText(msg('en', 'review:similar.shared.template'))
	await expect(reviewer.locator('[data-similar-item="f0-1"]')).toContainText(msg('en', 'review:similar.shared.text'))
	await expectAccessible(reviewer)
	// y: the first is flagged the same way and leaves the list; the focus goes to the next one.
	await reviewer.keyboard.press('y')
	await expect(reviewer.getByRole('status').filter({ hasText: 'Sample f0-1: flagged the same way.' })).toBeVisible()
	expect(await offered(reviewer)).toEqual(['f0-2', 'f0-3', 'f0-4', 'f0-other'])
	await expect(reviewer.getByRole('heading', { level: 2, name: 'Sample f0-2' })).toBeFocused()
	// n: "no concerns" on the one with the focus.
	await reviewer.keyboard.press('n')
	await expect(reviewer.getByRole('status').filter({ hasText: 'Sample f0-2: no concerns.' })).toBeVisible()
	expect(await offered(reviewer)).toEqual(['f0-3', 'f0-4', 'f0-other'])
	// The focus in another sample's answers: y and n answer that one.
	await reviewer
		.locator('[data-similar-item="f0-other"]')
		.getByRole('button', { name: msg('en', 'review:similar.no') })
		.focus()
	await reviewer.keyboard.press('n')
	expect(await offered(reviewer)).toEqual(['f0-3', 'f0-4'])
	// Not now: the next sample not answered yet, its heading focused, as after any verdict.
	await reviewer.getByRole('link', { name: msg('en', 'review:similar.continue') }).click()
	const heading = reviewer.getByRole('heading', { level: 1 })
	await expect(heading).toHaveText('Sample f0-3')
	await expect(heading).toBeFocused()
	await expect(reviewer).toHaveURL(/\/review\/f0-3$/)
	// Outside the prompt, n is "no concerns" again and y does nothing.
	await reviewer.keyboard.press('y')
	await expect(heading).toHaveText('Sample f0-3')
	await reviewer.keyboard.press('n')
	await expect(heading).toHaveText('Sample f0-4')
	// Everything reaches the server in the background.
	await expect(reviewer.locator('[data-waiting]')).toHaveCount(0, { timeout: 20_000 })
	const roundId = new URL(reviewer.url()).pathname.split('/')[2]!
	await js.context.close()

	// The owner: the flag on f0-0 is issue #1, the yes on f0-1 made issue #2 — a flag like the first, with its own sample.
	await page.goto(`/datasets/${slug}/versions/v1/issues/2`)
	await expect(page.getByRole('heading', { level: 1 })).toContainText('f0-1')
	await expect(page.getByText(`The same problem as sample f0-0, which I flagged. ${rationaleA}`)).toBeVisible()
	await expect(page.getByText(`Stereotype · Major · ${msg('en', 'issues:issue.unsure')}`)).toBeVisible()
	await expect(page.getByText(/Affected groups: \W?fishermen\W+older men/)).toBeVisible()
	// The quote was about f0-0's words: not copied (a flag's quote is its only blockquote).
	await expect(page.locator('blockquote')).toHaveCount(0)
	// "No" (and "no concerns") made no issue: there are two.
	expect((await page.request.get(`/datasets/${slug}/versions/v1/issues/3`)).status()).toBe(404)

	// Without JavaScript, on a phone, in Arabic: the flag form posts, the prompt is a page of plain forms.
	const plain = await join(browser, consoleErrors, badr, { lng: 'ar', javaScriptEnabled: false, viewport: PHONE })
	const nojs = plain.page
	const m = plain.m
	await nojs.getByRole('radio', { name: new RegExp(m('review:categories.stereotype.label')) }).check()
	await nojs.getByRole('radio', { name: m('review:severity.major'), exact: true }).check()
	const rationaleB = 'كل صياد هنا حكيم عجوز يروي القصص.'
	await nojs.getByLabel(m('review:flag.rationale')).fill(rationaleB)
	await nojs.getByRole('button', { name: m('review:flag.submit') }).click()
	await expect(nojs.getByRole('heading', { level: 1 })).toHaveText(m('review:similar.title'))
	await expect(nojs).toHaveURL(/\/review\/f0-0\?similar=1$/)
	await expect(nojs.locator('html')).toHaveAttribute('dir', 'rtl')
	expect(await offered(nojs)).toEqual(['f0-1', 'f0-2', 'f0-3', 'f0-4', 'f0-other'])
	// Arabic counts five as "few".
	await expect(nojs.getByText(m('review:similar.count_few', { count: '5' }), { exact: false })).toBeVisible()
	// The sample's text is text, in its own direction inside the right-to-left page.
	await expect(nojs.locator('[data-similar-item="f0-1"] p[dir="ltr"][lang="en"]')).toHaveText('the old fisherman sat by happily harbour and told the children a long story about the winter storm')
	await expectNoHorizontalOverflow(nojs, 'the prompt on a phone in Arabic')
	// Without JavaScript there are no keys, so none are announced.
	await expect(nojs.getByText(m('review:similar.keys'))).toHaveCount(0)
	// Yes on f0-1: the page comes back with what is left.
	await nojs
		.locator('[data-similar-item="f0-1"]')
		.getByRole('button', { name: m('review:similar.yes') })
		.click()
	await expect(nojs.getByRole('heading', { level: 1 })).toHaveText(m('review:similar.title'))
	expect(await offered(nojs)).toEqual(['f0-2', 'f0-3', 'f0-4', 'f0-other'])
	await expect(nojs.getByText(m('review:similar.count_few', { count: '4' }), { exact: false })).toBeVisible()
	// No on f0-2.
	await nojs
		.locator('[data-similar-item="f0-2"]')
		.getByRole('button', { name: m('review:similar.no') })
		.click()
	await expect(nojs.getByRole('heading', { level: 1 })).toHaveText(m('review:similar.title'))
	expect(await offered(nojs)).toEqual(['f0-3', 'f0-4', 'f0-other'])
	// Not now: the next sample waiting after the flagged one.
	await nojs.getByRole('link', { name: m('review:similar.continue') }).click()
	await expect(nojs.getByRole('heading', { level: 1 })).toHaveText(m('review:heading', { id: 'f0-3' }))
	await expect(nojs.getByRole('button', { name: m('review:verdict.noConcerns'), exact: true })).toBeVisible()

	// The same prompt with JavaScript in Arabic on the phone (its address opens it again): axe-clean, and y answers from the keyboard.
	const scripted = consoleErrors.watch(await browser.newContext({ viewport: PHONE, storageState: await plain.context.storageState() }))
	await plain.context.close()
	const ar = await scripted.newPage()
	await ar.goto(`/rounds/${roundId}/review/f0-0?similar=1`)
	await waitForHydration(ar)
	await expect(ar.locator('html')).toHaveAttribute('dir', 'rtl')
	expect(await offered(ar)).toEqual(['f0-3', 'f0-4', 'f0-other'])
	await expect(ar.getByText(m('review:similar.keys'), { exact: false })).toBeVisible()
	await expectNoHorizontalOverflow(ar, 'the prompt on a phone in Arabic, with JavaScript')
	await expectAccessible(ar)
	await ar.keyboard.press('y')
	expect(await offered(ar)).toEqual(['f0-4', 'f0-other'])
	await expect(ar.getByRole('heading', { level: 2, name: m('review:heading', { id: 'f0-4' }) })).toBeFocused()
	await expect(ar.locator('[data-waiting]')).toHaveCount(0, { timeout: 20_000 })
	await scripted.close()

	// The owner: issue #2 (f0-1) now holds both people's flags and blocks (flagged by several people); f0-3 has Badr's flag in Arabic.
	await page.goto(`/datasets/${slug}/versions/v1/issues/2`)
	await expect(page.getByText(`The same problem as sample f0-0, which I flagged. ${rationaleA}`)).toBeVisible()
	await expect(page.getByText(`${msg('ar', 'review:similar.rationale', { id: 'f0-0' })} ${rationaleB}`)).toBeVisible()
	await expect(page.getByText(`${msg('en', 'issues:issue.blockingYes')} — ${msg('en', 'issues:reason.threshold')}`)).toBeVisible()
	await page.goto(`/datasets/${slug}/versions/v1/issues/3`)
	await expect(page.getByRole('heading', { level: 1 })).toContainText('f0-3')
	await expect(page.getByText(`${msg('ar', 'review:similar.rationale', { id: 'f0-0' })} ${rationaleB}`)).toBeVisible()
})
