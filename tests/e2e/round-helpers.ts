import { type Browser, expect, type Page } from '@playwright/test'
import { expectAccessible, waitForHydrationIfScripted, waitForIdleNavigation } from './fixtures.ts'
import { invitationPath, mailTo } from './mail.ts'

// The round flow of tests/e2e/rounds.spec.ts, shared by specs that need people in an open round.

export const demoOwner = { email: 'ada.owner@roundtable.test', password: 'roundtable-demo' }

export async function signIn(page: Page, { email, password }: { email: string; password: string }) {
	await page.goto('/signin')
	await waitForHydrationIfScripted(page)
	await page.getByLabel('Email').fill(email)
	await page.getByLabel('Password').fill(password)
	await page.getByRole('button', { name: 'Sign in' }).click()
	await expect(page.getByRole('banner').getByRole('link', { name: 'Datasets' })).toBeVisible()
}

export async function invite(page: Page, email: string, role: 'community' | 'expert') {
	await page.getByLabel('Email addresses').fill(email)
	await page.getByLabel('Role', { exact: true }).selectOption(role)
	await page.getByRole('button', { name: 'Send invitations' }).click()
	await expect(page.getByRole('status')).toContainText(`Invited ${email}.`)
	await waitForIdleNavigation(page)
}

/** Creates a validation round on the demo's tutoring-hints v1 and returns its id (the page stays on it). */
export async function createDemoRound(page: Page, title = `Validation ${Date.now().toString(36)}`) {
	await page.goto('/datasets/tutoring-hints/versions/v1')
	await page.getByRole('link', { name: 'New round' }).click()
	await page.getByLabel('Title', { exact: true }).fill(title)
	await page.getByLabel('Reviewers per sample').fill('1')
	await page.getByRole('button', { name: 'Create round' }).click()
	await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
	return new URL(page.url()).pathname.split('/').pop()!
}

/** A newcomer opens the emailed link in their own browser, creates an account and consents. */
export async function acceptAsNewcomer(browser: Browser, email: string, name: string) {
	const context = await browser.newContext()
	const page = await context.newPage()
	await page.goto(invitationPath(await mailTo(email)))
	await waitForHydrationIfScripted(page)
	await expect(page.getByLabel('Email', { exact: true })).toHaveValue(email)
	await page.getByLabel('Display name').fill(name)
	await page.getByLabel('Password').fill('a long passphrase for e2e')
	await page.getByRole('button', { name: 'Create account and accept' }).click()
	await page.getByRole('button', { name: 'I understand and want to take part' }).click()
	await expect(page.getByRole('heading', { level: 2, name: 'Your samples' })).toBeVisible()
	await expectAccessible(page)
	return { context, page }
}

/** A newcomer accepts the emailed invitation in their own browser, consents and starts reviewing. */
export async function joinAndStartReviewing(browser: Browser, email: string) {
	const context = await browser.newContext()
	const reviewer = await context.newPage()
	await reviewer.goto(invitationPath(await mailTo(email)))
	await waitForHydrationIfScripted(reviewer)
	await reviewer.getByLabel('Display name').fill('Rev')
	await reviewer.getByLabel('Password').fill('a long passphrase for e2e')
	await reviewer.getByRole('button', { name: 'Create account and accept' }).click()
	await reviewer.getByRole('button', { name: 'I understand and want to take part' }).click()
	await reviewer.getByRole('link', { name: 'Start reviewing' }).click()
	return reviewer
}

/** Flags the sample on screen as a critical caricature and waits for the next; returns the flagged sample's id. */
export async function flagCritical(reviewer: Page) {
	await expect(reviewer.getByRole('heading', { level: 1 })).toContainText('Sample')
	const flagged = (await reviewer.getByRole('heading', { level: 1 }).textContent())!.replace('Sample ', '').trim()
	await reviewer.getByRole('radio', { name: /Caricature/ }).check()
	await reviewer.getByRole('radio', { name: 'Critical' }).check()
	await reviewer.getByLabel('Why? (required for major and critical)').fill('Written as a joke about the sender’s age.')
	await reviewer.getByRole('button', { name: 'Flag and go to the next sample' }).click()
	await expect(reviewer.getByRole('heading', { level: 1 })).not.toHaveText(`Sample ${flagged}`)
	// With JavaScript the next sample shows at once and the flag is sent in the background (the
	// focus view's local queue, decision 051): what the team sees next needs it to have arrived.
	await expect(reviewer.locator('[data-waiting]')).toHaveCount(0, { timeout: 20_000 })
	return flagged
}
