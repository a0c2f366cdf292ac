import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { type Received } from '../smtp-sink.ts'
import { expect, expectAccessible, signUp, test, uniqueEmail, waitForHydration } from './fixtures.ts'
import { MAIL_DIR } from './mail.ts'
import { confirmRoundAction, createDataset, createVersion, uploadText, v1File } from './team-helpers.ts'
import { flagCritical, joinAndStartReviewing } from './round-helpers.ts'

/** The emails the SMTP sink received for `to` whose subject (decoded) contains `subject`: the scheduler sends them within seconds. */
async function mailWith(to: string, text: string): Promise<Received> {
	let found: Received | undefined
	await expect
		.poll(
			() => {
				const files = (() => {
					try {
						return readdirSync(MAIL_DIR)
					} catch {
						return []
					}
				})()
				found = files.map((f) => JSON.parse(readFileSync(path.join(MAIL_DIR, f), 'utf8')) as Received).find((m) => m.to.includes(to) && m.decoded.includes(text))
				return !!found
			},
			{ timeout: 45_000 },
		)
		.toBe(true)
	return found!
}

test('the owner is told (bell, digest email, inbox); a guarded approval; a blocker after approval makes page and API say blocked', async ({ page, browser, request }) => {
	const ownerEmail = uniqueEmail('loop-owner')
	await signUp(page, { email: ownerEmail, name: 'Olu', password: 'a long passphrase for e2e' })
	const slug = await createDataset(page, 'loop')
	await page.goto('/account/tokens')
	await page.getByLabel('Name', { exact: true }).fill('training')
	await page.getByRole('checkbox', { name: new RegExp(slug) }).check()
	await page.getByRole('button', { name: 'Create token' }).click()
	const token = await page.getByLabel('Your new token').inputValue()
	const gate = async () => (await (await request.get(`/api/v1/datasets/${slug}/versions/v1/gate`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { status: string; blocked: boolean }
	await createVersion(page, slug, 'v1', null)
	await uploadText(page, 'v1.jsonl', v1File)
	const reviewerEmail = uniqueEmail('loop-reviewer')
	await page.goto(`/datasets/${slug}/versions/v1/rounds/new`)
	await page.getByLabel('Title', { exact: true }).fill('Loop check')
	await page.getByLabel('Reviewers per sample').fill('1')
	await page.getByRole('button', { name: 'Create round' }).click()
	await page.getByLabel('Email addresses').fill(reviewerEmail)
	await page.getByRole('button', { name: 'Send invitations' }).click()
	await expect(page.getByRole('status')).toContainText(`Invited ${reviewerEmail}.`)
	await waitForHydration(page)
	await confirmRoundAction(page, 'Open the round')

	// A critical flag: a new blocking issue. The owner's bell and a digest email say so.
	const reviewer = await joinAndStartReviewing(browser, reviewerEmail)
	const first = await flagCritical(reviewer)
	// The insights dashboard counts the flag within seconds (the insights job, decision 057); until then it says what it has not counted.
	await page.goto(`/datasets/${slug}/versions/v1/insights`)
	await expect(async () => {
		await page.reload()
		await expect(page.getByText('1 flag on samples.')).toBeVisible({ timeout: 500 })
	}).toPass({ timeout: 20_000 })
	await expect(page.getByText('Recent changes not yet in these figures')).toHaveCount(0)
	await page.goto('/notifications')
	// Names in the sentence are isolated by invisible FSI … PDI marks: the text reads the same around them.
	const isolatedMarks = (text: string) => new RegExp(`^[\u2068\u2069]*${[...text].map((c) => `${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\u2068\u2069]*`).join('')}$`)
	await expect(page.getByRole('link', { name: isolatedMarks(`loop e2e v1: new blocking issue #1 on sample “${first}”.`) })).toBeVisible()
	await expectAccessible(page)
	const digest = await mailWith(ownerEmail, 'An update on your datasets')
	expect(digest.decoded).toContain(`new blocking issue #1 on sample “${first}”`)
	expect(digest.decoded).toContain('/inbox')

	// The inbox (from the header): the blocker, acknowledged in one click.
	await page.getByRole('banner').getByRole('link', { name: 'Inbox' }).click()
	await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible()
	await expect(page.getByRole('link', { name: `loop e2e v1 · #1 · ${first}` })).toBeVisible()
	await expectAccessible(page)
	await page.getByRole('button', { name: 'Acknowledge issue #1 of loop e2e v1' }).click()
	await expect(page.getByRole('status')).toContainText('Acknowledged')
	await expect(page.getByRole('link', { name: `loop e2e v1 · #1 · ${first}` })).toHaveCount(0)

	// Resolved, then approved with the round still open: an explicit choice and a reason.
	await page.goto(`/datasets/${slug}/versions/v1/issues/1`)
	const resolve = page.getByRole('form', { name: 'Resolve' })
	await resolve.getByLabel('Resolution').selectOption('removed')
	await resolve.getByLabel('Public response').fill('Thank you — this email is removed from the dataset.')
	await resolve.getByRole('button', { name: 'Resolve' }).click()
	await expect(page.getByText('Resolved · Removed').first()).toBeVisible()
	await page.goto(`/datasets/${slug}/versions/v1`)
	await page.getByRole('button', { name: 'Approve version' }).click()
	const guard = page.getByTestId('round-guard')
	await expect(guard).toContainText('Loop check')
	await expectAccessible(page)
	await guard.getByLabel('Approve with the round open').check()
	await guard.getByLabel('Why approve now?').fill('The evaluation starts Monday; later reviews feed v2.')
	await guard.getByRole('button', { name: 'Approve' }).click()
	await expect(page.getByRole('heading', { level: 1 })).toContainText('Approved')
	expect(await gate()).toMatchObject({ status: 'approved', blocked: false })

	// The round is still open: another critical flag arrives. Page, API and the owner's email say blocked.
	const second = await flagCritical(reviewer)
	await page.reload()
	await expect(page.getByRole('heading', { level: 1 })).toContainText('Blocked after approval')
	await expect(page.getByTestId('blocked-after-approval').getByRole('link', { name: `#2 · ${second}` })).toBeVisible()
	await expectAccessible(page)
	expect(await gate()).toMatchObject({ status: 'blocked', blocked: true })
	const urgent = await mailWith(ownerEmail, 'is blocked after approval')
	expect(urgent.decoded).toContain(`blocking issue #2 on sample “${second}” arrived`)
	await page.goto('/inbox')
	await expect(page.getByRole('heading', { name: 'Versions blocked again after approval' })).toBeVisible()
	await expect(page.getByText('loop e2e v1 · open blocking issues: 1')).toBeVisible()
	await reviewer.context().close()
})

test('opening and closing a round ask first: a dialog with JavaScript, a confirmation page without', async ({ page, browser }) => {
	const ownerEmail = uniqueEmail('confirm-owner')
	await signUp(page, { email: ownerEmail, name: 'Cora', password: 'a long passphrase for e2e' })
	const slug = await createDataset(page, 'confirm')
	await createVersion(page, slug, 'v1', null)
	await uploadText(page, 'v1.jsonl', v1File)
	await page.goto(`/datasets/${slug}/versions/v1/rounds/new`)
	await page.getByLabel('Title', { exact: true }).fill('Confirm check')
	await page.getByRole('button', { name: 'Create round' }).click()
	await expect(page.getByRole('heading', { level: 1, name: 'Confirm check' })).toBeVisible()
	const roundUrl = page.url()

	// With JavaScript: a dialog; dismissed, nothing happens.
	await waitForHydration(page)
	let asked = ''
	page.once('dialog', (d) => {
		asked = d.message()
		void d.dismiss()
	})
	await page.getByRole('button', { name: 'Open the round' }).click()
	await expect.poll(() => asked).toContain('freezes the version’s samples')
	await expect(page.getByRole('button', { name: 'Open the round' })).toBeVisible()
	await expect(page.getByText('Draft', { exact: true })).toBeVisible()

	// Without JavaScript: a confirmation page, then the round opens.
	const context = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() })
	const noJs = await context.newPage()
	await noJs.goto(roundUrl)
	await noJs.getByRole('button', { name: 'Open the round' }).click()
	await expect(noJs.getByRole('heading', { level: 1, name: 'Open “Confirm check”?' })).toBeVisible()
	await noJs.getByRole('button', { name: 'Yes, open the round' }).click()
	await expect(noJs.getByRole('button', { name: 'Close the round' })).toBeVisible()
	await noJs.getByRole('button', { name: 'Close the round' }).click()
	await expect(noJs.getByRole('heading', { level: 1, name: 'Close “Confirm check”?' })).toBeVisible()
	await noJs.getByRole('button', { name: 'Yes, close the round' }).click()
	await expect(noJs.getByText('Closed on')).toBeVisible()
	await context.close()
})
