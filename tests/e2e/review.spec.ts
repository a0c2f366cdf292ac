import { type Browser, type Page } from '@playwright/test'
import { type ConsoleErrors, expect, expectAccessible, msg, test, uniqueEmail, waitForHydration } from './fixtures.ts'
import { invitationPath, mailTo } from './mail.ts'
import { confirmRoundAction } from './team-helpers.ts'
import { chooseLanguage } from './language.ts'

const password = 'a long passphrase for e2e'

/** The demo owner opens a one-reviewer-per-sample round and invites one community member, who joins. */
async function roundWithReviewer(page: Page, browser: Browser, consoleErrors: ConsoleErrors, options: { javaScriptEnabled?: boolean } = {}) {
	await page.goto('/signin')
	await page.getByLabel('Email').fill('ada.owner@roundtable.test')
	await page.getByLabel('Password').fill('roundtable-demo')
	await page.getByRole('button', { name: 'Sign in' }).click()
	await expect(page.getByRole('banner').getByRole('link', { name: 'Datasets' })).toBeVisible()
	await page.goto('/datasets/workplace-emails/versions/v1/rounds/new')
	const title = `Emails ${Date.now().toString(36)}`
	await page.getByLabel('Title', { exact: true }).fill(title)
	await page.getByLabel('Reviewers per sample').fill('1')
	await page.getByLabel('Content warning').fill('Some emails mock accents and ages.')
	await page.getByRole('button', { name: 'Create round' }).click()
	await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
	const email = uniqueEmail('reviewer')
	await page.getByLabel('Email addresses').fill(email)
	await page.getByRole('button', { name: 'Send invitations' }).click()
	await expect(page.getByRole('status')).toContainText(`Invited ${email}.`)
	await confirmRoundAction(page, 'Open the round')

	const context = consoleErrors.watch(await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled ?? true }))
	const reviewer = await context.newPage()
	await reviewer.goto(invitationPath(await mailTo(email)))
	await reviewer.getByLabel('Display name').fill('Rev')
	await reviewer.getByLabel('Password').fill(password)
	await reviewer.getByRole('button', { name: 'Create account and accept' }).click()
	await reviewer.getByRole('button', { name: 'I understand and want to take part' }).click()
	await expect(reviewer.getByRole('link', { name: 'Start reviewing' })).toBeVisible()
	return { reviewer, context }
}

async function tabTo(page: Page, matches: (el: { tag: string; name: string; value: string }) => boolean, max = 60) {
	for (let i = 0; i < max; i++) {
		await page.keyboard.press('Tab')
		const el = await page.evaluate(() => {
			const a = document.activeElement as HTMLInputElement | null
			return { tag: a?.tagName ?? '', name: a?.getAttribute('name') ?? '', value: a?.getAttribute('value') ?? '' }
		})
		if (matches(el)) return
	}
	throw new Error('focus never reached the target')
}

test('a reviewer completes five samples with the keyboard only, flagging one as a critical caricature', async ({ page, browser, consoleErrors }) => {
	const { reviewer, context } = await roundWithReviewer(page, browser, consoleErrors)
	// Keyboard only from here: focus the "Start reviewing" link and press Enter.
	await reviewer.getByRole('link', { name: 'Start reviewing' }).focus()
	await reviewer.keyboard.press('Enter')
	const heading = reviewer.getByRole('heading', { level: 1 })
	await expect(heading).toContainText('Sample')
	await expect(heading).toBeFocused()
	await waitForHydration(reviewer)
	await expectAccessible(reviewer)

	const seen: string[] = []
	for (let i = 0; i < 5; i++) {
		const id = (await heading.textContent())!
		seen.push(id)
		if (i === 2) {
			await reviewer.keyboard.press('f')
			await reviewer.keyboard.press('1')
			await expect(reviewer.getByRole('radio', { name: /Caricature/ })).toBeChecked()
			await reviewer.keyboard.press('Tab')
			await expect(reviewer.getByRole('radio', { name: 'Minor' })).toBeFocused()
			await reviewer.keyboard.press('ArrowRight')
			await reviewer.keyboard.press('ArrowRight')
			await expect(reviewer.getByRole('radio', { name: 'Critical' })).toBeChecked()
			await tabTo(reviewer, (el) => el.name === 'rationale')
			await reviewer.keyboard.type('The sender is written as a joke about her accent.')
			// Typing a shortcut letter in a field types it; it triggers nothing.
			await expect(heading).toHaveText(id)
			await tabTo(reviewer, (el) => el.tag === 'BUTTON' && el.value === 'flag')
			await reviewer.keyboard.press('Enter')
		} else {
			await reviewer.keyboard.press('n')
		}
		await expect(heading).not.toHaveText(id)
		await expect(heading).toBeFocused()
	}
	await expect(reviewer.getByRole('status').filter({ hasText: 'reviewed' })).toHaveText(/^5 of \d+ reviewed$/)
	expect(new Set(seen).size).toBe(5)

	// The help dialog lists the shortcuts; k goes back to the previous sample, where the flag is shown.
	await reviewer.keyboard.press('?')
	await expect(reviewer.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible()
	await expectAccessible(reviewer)
	await reviewer.keyboard.press('Escape')
	await reviewer.goto(`${new URL(reviewer.url()).pathname.replace(/[^/]+$/, '')}${encodeURIComponent(seen[2]!.replace('Sample ', ''))}`)
	await expect(reviewer.getByRole('heading', { level: 2, name: /You said: Flagged/ })).toBeVisible()
	await expect(reviewer.getByText('Caricature · Critical')).toBeVisible()
	await context.close()
})

test.describe('without JavaScript', () => {
	test('a reviewer reviews three samples with plain form posts', async ({ page, browser, consoleErrors }) => {
		const { reviewer, context } = await roundWithReviewer(page, browser, consoleErrors, { javaScriptEnabled: false })
		// The refused flag below is answered 400, which Chromium logs for a page loaded without JavaScript.
		consoleErrors.allow(/\/review\/[^:]+: Failed to load resource: the server responded with a status of 400/)
		await reviewer.getByRole('link', { name: 'Start reviewing' }).click()
		const heading = reviewer.getByRole('heading', { level: 1 })
		const first = await heading.textContent()
		// The content warning was acknowledged at consent: the sample shows directly.
		await expect(reviewer.getByText(/Some emails mock accents/)).toHaveCount(0)
		await expect(reviewer.locator('[data-sample-content]')).toBeVisible()
		await reviewer.getByRole('button', { name: 'No concerns' }).click()
		await expect(heading).not.toHaveText(first!)
		const second = await heading.textContent()
		await reviewer.getByRole('radio', { name: /Stereotype/ }).check()
		await reviewer.getByRole('radio', { name: 'Major' }).check()
		await reviewer.getByRole('button', { name: 'Flag and go to the next sample' }).click()
		// A major flag without a rationale is refused with a clear message; nothing moves on.
		await expect(reviewer.getByText('Say why: a major or critical flag needs a rationale.')).toBeVisible()
		await expect(heading).toHaveText(second!)
		await reviewer.getByRole('radio', { name: /Stereotype/ }).check()
		await reviewer.getByRole('radio', { name: 'Major' }).check()
		await reviewer.getByLabel('Why? (required for major and critical)').fill('Assumes older staff cannot use computers.')
		await reviewer.getByRole('button', { name: 'Flag and go to the next sample' }).click()
		await expect(heading).not.toHaveText(second!)
		await reviewer.getByLabel('Why skip? (optional)').fill('I do not read this language')
		await reviewer.getByRole('button', { name: 'Skip' }).click()
		await expect(reviewer.getByRole('status').filter({ hasText: 'reviewed' })).toHaveText(/^3 of \d+ reviewed$/)
		await context.close()
	})
})

test('in Arabic, the focus view is right-to-left and translated, and a verdict still goes to the next sample', async ({ page, browser, consoleErrors }) => {
	const { reviewer, context } = await roundWithReviewer(page, browser, consoleErrors)
	await chooseLanguage(reviewer, 'العربية')
	await expect(reviewer.locator('html')).toHaveAttribute('dir', 'rtl')
	await reviewer.getByRole('link', { name: msg('ar', 'rounds:home.start') }).click()
	await expect(reviewer.locator('html')).toHaveAttribute('lang', 'ar')
	const heading = reviewer.getByRole('heading', { level: 1 })
	const first = await heading.textContent()
	await expect(reviewer.getByRole('radio', { name: new RegExp(msg('ar', 'review:categories.caricature.label')) })).toBeVisible()
	await expectAccessible(reviewer)
	await reviewer.getByRole('button', { name: msg('ar', 'review:verdict.noConcerns') }).click()
	await expect(heading).not.toHaveText(first!)
	await context.close()
})
