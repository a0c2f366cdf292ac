import { type Browser, type Page } from '@playwright/test'
import { expect, expectAccessible, msg, test, uniqueEmail } from './fixtures.ts'
import { invitationPath, mailTo } from './mail.ts'
import { confirmRoundAction } from './team-helpers.ts'

const demoOwner = { email: 'ada.owner@roundtable.test', password: 'roundtable-demo' }

async function signIn(page: Page, { email, password }: { email: string; password: string }) {
	await page.goto('/signin')
	await page.getByLabel('Email').fill(email)
	await page.getByLabel('Password').fill(password)
	await page.getByRole('button', { name: 'Sign in' }).click()
	await expect(page.getByRole('banner').getByRole('link', { name: 'Datasets' })).toBeVisible()
}

async function invite(page: Page, email: string, role: 'community' | 'expert') {
	await page.getByLabel('Email addresses').fill(email)
	await page.getByLabel('Role', { exact: true }).selectOption(role)
	await page.getByRole('button', { name: 'Send invitations' }).click()
	await expect(page.getByRole('status')).toContainText(`Invited ${email}.`)
}

/** A newcomer opens the emailed link in their own browser, creates an account, consents and lands on the queue. */
async function acceptAsNewcomer(browser: Browser, email: string, name: string) {
	const context = await browser.newContext()
	const page = await context.newPage()
	await page.goto(invitationPath(await mailTo(email)))
	await expect(page.getByRole('heading', { level: 1 })).toContainText('You are invited')
	await expect(page.getByLabel('Email', { exact: true })).toHaveValue(email)
	await expectAccessible(page)
	await page.getByLabel('Display name').fill(name)
	await page.getByLabel('Password').fill('a long passphrase for e2e')
	await page.getByRole('button', { name: 'Create account and accept' }).click()
	await expect(page.getByRole('heading', { level: 2, name: 'Who sees what' })).toBeVisible()
	await expectAccessible(page)
	await page.getByRole('button', { name: 'I understand and want to take part' }).click()
	await expect(page.getByRole('heading', { level: 2, name: 'Your samples' })).toBeVisible()
	await expect(page.getByText(/0 of \d+ samples reviewed/)).toBeVisible()
	await expect(page.getByRole('listitem').filter({ hasText: 'to review' }).first()).toBeVisible()
	await expectAccessible(page)
	return { context, page }
}

test('an owner opens a validation round on a demo version; an expert and a community member join from the emailed link', async ({ page, browser }) => {
	await signIn(page, demoOwner)
	await page.goto('/datasets/tutoring-hints/versions/v1')
	await page.getByRole('link', { name: 'New round' }).click()
	await expectAccessible(page)
	const title = `Validation ${Date.now().toString(36)}`
	await page.getByLabel('Title', { exact: true }).fill(title)
	await page.getByLabel('Guidelines for reviewers').fill('Flag hints that **assume** less of a student because of where they live.')
	await page.getByLabel('Reviewers per sample').fill('1')
	await page.getByRole('button', { name: 'Create round' }).click()
	await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
	await expectAccessible(page)

	const expert = uniqueEmail('expert')
	const member = uniqueEmail('member')
	await invite(page, expert, 'expert')
	await invite(page, member, 'community')
	await confirmRoundAction(page, 'Open the round')
	await expect(page.getByText('Open', { exact: true })).toBeVisible()

	const e = await acceptAsNewcomer(browser, expert, 'Elena Expert')
	const m = await acceptAsNewcomer(browser, member, 'Musa Member')

	await page.reload()
	const people = page.getByRole('region', { name: /participants/ })
	// One of each role, and neither has given feedback: below the threshold each role is one row.
	await expect(people.getByRole('rowheader', { name: 'Experts, together: 1' })).toBeVisible()
	await expect(people.getByRole('rowheader', { name: 'Community members, together: 1' })).toBeVisible()
	await expect(people.getByText('1 of 1 invited experts have joined.')).toBeVisible()
	// Pseudonymous: their names reach the team nowhere, their addresses not next to anyone.
	for (const secret of ['Elena Expert', 'Musa Member']) await expect(page.locator('body')).not.toContainText(secret)
	for (const secret of [expert, member]) await expect(people).not.toContainText(secret)
	// The invitation list does not say who accepted.
	await expect(page.getByRole('cell', { name: 'Sent', exact: true })).toHaveCount(2)
	await expect(page.getByRole('cell', { name: 'Accepted', exact: true })).toHaveCount(0)
	await expectAccessible(page)

	// A revoked invitation's link fails with a clear page.
	const revoked = uniqueEmail('revoked')
	await invite(page, revoked, 'community')
	await page.getByRole('button', { name: `Revoke ${revoked}` }).click()
	await expect(page.getByRole('cell', { name: 'Revoked', exact: true })).toBeVisible()
	const r = await browser.newContext()
	const rp = await r.newPage()
	const res = await rp.goto(invitationPath(await mailTo(revoked)))
	expect(res?.status()).toBe(410)
	await expect(rp.getByRole('heading', { level: 1 })).toHaveText(msg('en', 'rounds:accept.states.revoked.title'))
	await expectAccessible(rp)
	// An expired link fails and offers to ask for a new one. Expiry needs the clock moved, which
	// only the PostgreSQL pass can do from outside the server (PGlite lives inside it).
	if (process.env.DATABASE_URL) {
		const expired = uniqueEmail('expired')
		await invite(page, expired, 'community')
		const { default: postgres } = await import('postgres')
		const sql = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} })
		await sql`update invitations set expires_at = now() - interval '1 minute' where email = ${expired}`
		await sql.end()
		const gone = await rp.goto(invitationPath(await mailTo(expired)))
		expect(gone?.status()).toBe(410)
		await expect(rp.getByRole('heading', { level: 1 })).toHaveText(msg('en', 'rounds:accept.states.expired.title'))
		await rp.getByRole('button', { name: msg('en', 'rounds:accept.requestNewLink') }).click()
		await expect(rp.getByRole('status')).toHaveText(msg('en', 'rounds:accept.requested'))
	}
	// A link that was never valid fails too.
	const bad = await rp.goto('/invitations/not-a-real-token-but-long-enough-to-look-like-one')
	expect(bad?.status()).toBe(404)
	await expect(rp.getByRole('heading', { level: 1 })).toHaveText(msg('en', 'rounds:accept.states.invalid.title'))

	await Promise.all([e.context.close(), m.context.close(), r.close()])
})
