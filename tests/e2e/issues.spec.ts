import { type Browser, type Page } from '@playwright/test'
import { expect, expectAccessible, signUp, test, uniqueEmail } from './fixtures.ts'
import { createDataset, createVersion, openRound, uploadText, v1File } from './team-helpers.ts'
import { flagCritical, joinAndStartReviewing } from './round-helpers.ts'

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
	const reviewer = await joinAndStartReviewing(browser, reviewerEmail)
	const flagged = await flagCritical(reviewer)

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
	await reviewer.context().close()

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

/**
 * An owner's consultation with two blocking issues: #1 a critical flag on a sample, #2 an opposed
 * comment (in Markdown) on a use case. `owner` is a signed-in page with JavaScript; returns the
 * dataset's slug and the flagged sample's id.
 */
async function consultationWithUseCaseIssue(owner: Page, browser: Browser, tag: string) {
	await signUp(owner, { email: uniqueEmail(`${tag}-owner`), name: 'Uma', password: 'a long passphrase for e2e' })
	const slug = await createDataset(owner, tag)
	await owner.goto(`/datasets/${slug}/use-cases/new`)
	await owner.getByLabel('Title').fill('Hint model for a children’s tutoring app')
	await owner.getByLabel('Pipeline stage').selectOption('fine_tuning')
	await owner.getByLabel('Purpose').fill('Fine-tune a model that writes homework hints for pupils aged 8 to 12.')
	await owner.getByRole('button', { name: 'Add use case' }).click()
	const useCaseId = (await owner.getByRole('link', { name: /^History of “Hint model/ }).getAttribute('href'))!.split('/use-cases/')[1]!.split('/')[0]!
	await createVersion(owner, slug, 'v1', null)
	await uploadText(owner, 'v1.jsonl', v1File)
	const reviewerEmail = uniqueEmail(`${tag}-reviewer`)
	await openRound(owner, slug, 'v1', reviewerEmail)
	const roundId = new URL(owner.url()).pathname.split('/').pop()!

	const reviewer = await joinAndStartReviewing(browser, reviewerEmail)
	const flagged = await flagCritical(reviewer)
	await reviewer.goto(`/rounds/${roundId}/use-cases/${useCaseId}`)
	await reviewer.getByRole('radio', { name: 'Opposed' }).check()
	await reviewer.getByLabel('Your comment').fill('**Children** should not learn from _caricatures_.\n\n- no age jokes\n- no regional mockery')
	await reviewer.getByRole('button', { name: 'Post comment' }).click()
	await expect(reviewer.getByRole('article', { name: /\(you\)/ })).toContainText('should not learn from')
	await reviewer.context().close()
	return { slug, flagged }
}

test('the owner decides a use-case issue in one form and lands on the next untriaged issue', async ({ page, browser }) => {
	// Two people, a use case, an import and a round before the decision: a long journey on a busy machine.
	test.slow()
	const { slug, flagged } = await consultationWithUseCaseIssue(page, browser, 'decide')
	const list = `/datasets/${slug}/versions/v1/issues`
	await page.goto(`${list}/2`)
	await expect(page.getByRole('heading', { level: 1 })).toContainText('#2')
	// The comment is rendered from its Markdown, not shown as raw asterisks.
	const comment = page.getByRole('region', { name: 'The comment' })
	await expect(comment.locator('strong', { hasText: 'Children' })).toBeVisible()
	await expect(comment.getByRole('listitem').filter({ hasText: 'no regional mockery' })).toBeVisible()
	await expect(comment).not.toContainText('**Children**')
	// Resolutions that fit a use case, none of a sample's.
	const decide = page.getByRole('form', { name: 'Resolve' })
	const options = await decide.getByLabel('Resolution').locator('option').allTextContents()
	expect(options.map((o) => o.split(' — ')[0])).toEqual(['Choose a resolution', 'Use case revised', 'Use case withdrawn or narrowed', 'Documented', 'Not an issue'])
	await expectAccessible(page)

	// One submit: resolution, public response and internal note; then the next untriaged issue (#1, the sample).
	await decide.getByLabel('Resolution').selectOption('use_case_narrowed')
	await decide.getByLabel('Public response').fill('The dataset is no longer offered for pupils under 10.')
	await decide.getByLabel('Internal note').fill('Agreed with the product lead on Friday.')
	await decide.getByRole('button', { name: 'Resolve' }).click()
	await expect(page).toHaveURL(new RegExp(`${list}/1\\?saved=2$`))
	await expect(page.getByTestId('after-save')).toContainText('Issue #2 is saved. This is the next untriaged issue')
	await expect(page.getByRole('heading', { level: 1 })).toContainText(`#1 · Sample ${flagged}`)
	await expectAccessible(page)

	// All three were saved together on #2.
	await page.getByTestId('after-save').getByRole('link', { name: 'Back to issue #2' }).click()
	await expect(page.getByText('Resolved · Use case withdrawn or narrowed').first()).toBeVisible()
	await expect(page.getByText('The dataset is no longer offered for pupils under 10.').first()).toBeVisible()
	await expect(page.getByText('Agreed with the product lead on Friday.')).toBeVisible()

	// The last one: nothing untriaged is left, and the way back to the list is offered.
	await page.goto(`${list}/1`)
	await page.getByRole('form', { name: 'Resolve' }).getByLabel('Resolution').selectOption('removed')
	await page.getByRole('form', { name: 'Resolve' }).getByRole('button', { name: 'Resolve' }).click()
	await expect(page.getByTestId('after-save')).toContainText('Issue #1 is saved. No untriaged issues are left in v1.')
	await page.getByTestId('after-save').getByRole('link', { name: 'Back to the list of issues' }).click()
	await expect(page).toHaveURL(new RegExp(`${list}$`))
})

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false })

	test('a refused decision keeps what was typed; the corrected one saves all three and goes on to the next issue', async ({ page, browser }) => {
		test.slow()
		// The consultation is set up with JavaScript; the owner then decides in this page, without it.
		const setup = await browser.newContext()
		const { slug, flagged } = await consultationWithUseCaseIssue(await setup.newPage(), browser, 'decide-plain')
		await page.context().addCookies(await setup.cookies())
		await setup.close()
		const list = `/datasets/${slug}/versions/v1/issues`
		await page.goto(`${list}/2`)
		const decide = page.getByRole('form', { name: 'Resolve' })
		await decide.getByLabel('Resolution').selectOption('not_an_issue')
		await decide.getByLabel('Public response').fill('No.')
		await decide.getByLabel('Internal note').fill('The comment misreads the age range.')
		await decide.getByRole('button', { name: 'Resolve' }).click()
		await expect(decide.getByRole('alert')).toContainText('“Not an issue” needs a public response of at least 10 characters explaining why.')
		await expect(decide.getByLabel('Resolution')).toHaveValue('not_an_issue')
		await expect(decide.getByLabel('Public response')).toHaveValue('No.')
		await expect(decide.getByLabel('Internal note')).toHaveValue('The comment misreads the age range.')
		// (axe needs JavaScript in the page; the same page with it on is checked in the test above.)

		await decide.getByLabel('Public response').fill('The use case is for pupils aged 8 to 12, who are not the ones caricatured.')
		await decide.getByRole('button', { name: 'Resolve' }).click()
		await expect(page).toHaveURL(new RegExp(`${list}/1\\?saved=2$`))
		await expect(page.getByTestId('after-save')).toContainText('Issue #2 is saved. This is the next untriaged issue')
		await expect(page.getByRole('heading', { level: 1 })).toContainText(`#1 · Sample ${flagged}`)
		await page.goto(`${list}/2`)
		await expect(page.getByText('Resolved · Not an issue').first()).toBeVisible()
		await expect(page.getByText('The comment misreads the age range.')).toBeVisible()
	})
})
