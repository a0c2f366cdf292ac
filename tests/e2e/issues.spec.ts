import { expect, expectAccessible, signUp, test, uniqueEmail } from './fixtures.ts'
import { invitationPath, mailTo } from './mail.ts'
import { createDataset, createVersion, openRound, uploadText, v1File } from './team-helpers.ts'

test('a critical flag blocks approval until triaged; carry-over asks for a re-review; the reviewer sees the response', async ({ page, browser, request }) => {
	// The dataset team: its own dataset, v1 from the e2e fixture, a round with one invited reviewer.
	await signUp(page, { email: uniqueEmail('triage-owner'), name: 'Tami', password: 'a long passphrase for e2e' })
	const slug = await createDataset(page, 'triage')
	// A pipeline token for this dataset: the gate is asked the way a training script would ask it.
	await page.goto('/account/tokens')
	await page.getByLabel('Name', { exact: true }).fill('training')
	await page.getByRole('checkbox', { name: new RegExp(slug) }).check()
	await page.getByRole('button', { name: 'Create token' }).click()
	const token = await page.getByLabel('Your new token').inputValue()
	expect(token).toMatch(/^rt_/)
	const gate = async (label: string) => {
		const res = await request.get(`/api/v1/datasets/${slug}/versions/${label}/gate`, { headers: { Authorization: `Bearer ${token}` } })
		expect(res.status()).toBe(200)
		return (await res.json()) as { status: string; blocked: boolean; blocking_issues: number }
	}
	await createVersion(page, slug, 'v1', null)
	await uploadText(page, 'v1.jsonl', v1File)
	const reviewerEmail = uniqueEmail('triage-reviewer')
	await openRound(page, slug, 'v1', reviewerEmail)

	// The reviewer flags the first sample in their queue as a critical caricature.
	const context = await browser.newContext()
	const reviewer = await context.newPage()
	await reviewer.goto(invitationPath(await mailTo(reviewerEmail)))
	await reviewer.getByLabel('Display name').fill('Rev')
	await reviewer.getByLabel('Password').fill('a long passphrase for e2e')
	await reviewer.getByRole('button', { name: 'Create account and accept' }).click()
	await reviewer.getByRole('button', { name: 'I understand and want to take part' }).click()
	await reviewer.getByRole('link', { name: 'Start reviewing' }).click()
	await expect(reviewer.getByRole('heading', { level: 1 })).toContainText('Sample')
	const flagged = (await reviewer.getByRole('heading', { level: 1 }).textContent())!.replace('Sample ', '').trim()
	await reviewer.getByRole('radio', { name: /Caricature/ }).check()
	await reviewer.getByRole('radio', { name: 'Critical' }).check()
	await reviewer.getByLabel('Why? (required for major and critical)').fill('Written as a joke about the sender’s age.')
	await reviewer.getByRole('button', { name: 'Flag and go to the next sample' }).click()
	await expect(reviewer.getByRole('heading', { level: 1 })).not.toHaveText(`Sample ${flagged}`)

	expect(await gate('v1')).toMatchObject({ status: 'in_consultation', blocked: true, blocking_issues: 1 })
	// The gate: approval is refused, and the message lists the blocker.
	await page.goto(`/datasets/${slug}/versions/v1`)
	await expect(page.getByText('1 unresolved issue, 1 blocking.')).toBeVisible()
	await page.getByRole('button', { name: 'Approve version' }).click()
	const refusal = page.getByRole('alert')
	await expect(refusal).toContainText('open blocking issues and cannot be approved')
	await expect(refusal.getByRole('link', { name: `#1 · ${flagged}` })).toBeVisible()

	// Triage: the inbox shows it blocking; the issue page shows the pseudonymous flag; resolve as regenerated.
	await page.getByRole('link', { name: 'Triage issues' }).click()
	await expect(page.getByRole('link', { name: `#1 · Sample ${flagged}` })).toBeVisible()
	await expect(page.getByText('Blocking: a critical flag')).toBeVisible()
	await expectAccessible(page)
	await page.getByRole('link', { name: `#1 · Sample ${flagged}` }).click()
	// A single community member has flagged: below the threshold, without a per-person pseudonym.
	await expect(page.getByRole('listitem').filter({ hasText: 'Written as a joke about the sender’s age.' })).toContainText('A community member')
	await expect(page.getByText('Written as a joke about the sender’s age.')).toBeVisible()
	await expect(page.getByText(reviewerEmail)).toHaveCount(0)
	await expectAccessible(page)
	const resolve = page.getByRole('form', { name: 'Resolve' })
	await resolve.getByLabel('Resolution').selectOption('regenerated')
	await resolve.getByLabel('Public response').fill('Thank you — we rewrote the persona prompt and regenerated this email.')
	await resolve.getByLabel('Internal note').fill('Prompt t3 had the age joke baked in.')
	await resolve.getByRole('button', { name: 'Resolve' }).click()
	await expect(page.getByText('Resolved · Regenerated').first()).toBeVisible()

	// v2 from v1 with the flagged sample changed: its issue is carried over and asks for a re-review.
	await createVersion(page, slug, 'v2', 'v1')
	const v2File = v1File
		.trim()
		.split('\n')
		.map((l) => {
			const s = JSON.parse(l) as { id: string; content: string }
			return JSON.stringify(s.id === flagged ? { ...s, content: 'Hello team, please find the schedule attached. Thanks!' } : s)
		})
		.join('\n')
	await uploadText(page, 'v2.jsonl', v2File)
	await page.goto(`/datasets/${slug}/versions/v2/issues?reReview=yes`)
	await expect(page.getByRole('link', { name: new RegExp(`Sample ${flagged}`) })).toBeVisible()
	await expect(page.getByText('Needs re-review').first()).toBeVisible()

	// Closing the loop: the reviewer sees the status and the public response, never the internal note.
	await reviewer.getByRole('banner').getByRole('link', { name: 'My feedback' }).click()
	await expect(reviewer.getByRole('heading', { level: 1, name: 'My feedback' })).toBeVisible()
	await expect(reviewer.getByText('Thank you — we rewrote the persona prompt and regenerated this email.')).toBeVisible()
	await expect(reviewer.getByText(/Issue #\d+ on v2/)).toBeVisible()
	await expect(reviewer.getByText('Needs re-review').first()).toBeVisible()
	await expect(reviewer.getByText('Prompt t3 had the age joke baked in.')).toHaveCount(0)
	await expectAccessible(reviewer)
	await context.close()

	// v2 goes into consultation and, with no blocking issue open, is approved.
	await openRound(page, slug, 'v2')
	await page.goto(`/datasets/${slug}/versions/v2`)
	await page.getByRole('button', { name: 'Approve version' }).click()
	// Its round is still open: approving is an explicit choice, with a reason.
	const guard = page.getByTestId('round-guard')
	await guard.getByLabel('Close the round and approve').check()
	await guard.getByLabel('Why approve now?').fill('Nothing was flagged in v2; the carried issue is resolved.')
	await guard.getByRole('button', { name: 'Approve' }).click()
	await expect(page.getByRole('heading', { level: 1 })).toContainText('Approved')
	await expect(page.getByText('overridden')).toHaveCount(0)
	expect(await gate('v2')).toMatchObject({ status: 'approved', blocked: false, blocking_issues: 0 })
})
