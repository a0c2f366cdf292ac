import { type Page } from '@playwright/test'
import { expect, expectAccessible, expectNoHorizontalOverflow, msg, signUp, test, uniqueEmail } from './fixtures.ts'
import { chooseLanguage } from './language.ts'
import { createVersionWithKeys, MEMBERS, templatedFile, waitForIndex } from './similar-helpers.ts'
import { flagCritical, joinAndStartReviewing } from './round-helpers.ts'
import { createDataset, openRound, uploadText } from './team-helpers.ts'

// Issue #22: a flag on one templated sample reaches the samples like it. The owner sees them on the
// sample and on the issue, adds picked ones and then all of them to the issue, and the version page
// counts the samples the blockers cover; without JavaScript, in Arabic and on a phone too.

const FAMILIES = 6

const similarRow = (page: Page, id: string) =>
	page
		.getByTestId('similar-list')
		.getByRole('listitem')
		.filter({ has: page.getByRole('link', { name: id, exact: true }) })

test('the owner sees samples like a flagged one, extends the issue to picked ones and then to all, and the version counts them; without JavaScript and in Arabic too', async ({ page, browser }) => {
	await signUp(page, { email: uniqueEmail('similar'), name: 'Sim', password: 'a long passphrase for e2e' })
	const slug = await createDataset(page, 'similar')
	// The provenance names which metadata keys hold the template and the persona.
	await createVersionWithKeys(page, slug)
	await uploadText(page, 'templated.jsonl', templatedFile(FAMILIES))

	// The sample page: its four near-duplicates first, then the text of other words with the same template and persona.
	const samplePath = `/datasets/${slug}/versions/v1/samples/f0-0`
	await waitForIndex(page, samplePath)
	await expect(page.getByRole('heading', { level: 2, name: msg('en', 'datasets:similar.heading_other', { count: String(MEMBERS) }) })).toBeVisible()
	for (let m = 1; m < MEMBERS; m++) await expect(similarRow(page, `f0-${m}`)).toContainText(msg('en', 'datasets:similar.shared.text'))
	const other = similarRow(page, 'f0-other')
	await expect(other).toContainText(msg('en', 'datasets:similar.shared.template'))
	await expect(other).not.toContainText(msg('en', 'datasets:similar.shared.text'))
	await expect(similarRow(page, 'f1-0')).toHaveCount(0)
	await expectAccessible(page)
	// A stricter threshold leaves only what the metadata shares; the threshold is in the address.
	await page.getByLabel(msg('en', 'datasets:similar.min'), { exact: true }).fill('0.95')
	await page.getByRole('button', { name: msg('en', 'datasets:similar.apply') }).click()
	await expect(page).toHaveURL(/min=0\.95/)
	await expect(page.getByText(msg('en', 'datasets:similar.shared.text'))).toHaveCount(0)
	await expect(similarRow(page, 'f0-1')).toContainText(msg('en', 'datasets:similar.shared.template'))

	// A community member flags one sample as a critical caricature: a blocking issue.
	const email = uniqueEmail('similar-rev')
	await openRound(page, slug, 'v1', email)
	const reviewer = await joinAndStartReviewing(browser, email)
	const flagged = await flagCritical(reviewer)
	await reviewer.context().close()
	const family = flagged.split('-')[0]!

	// The issue: every other sample of the flagged one's family is similar.
	const issuePath = `/datasets/${slug}/versions/v1/issues/1`
	await page.goto(issuePath)
	await expect(page.getByRole('heading', { level: 2, name: msg('en', 'datasets:similar.heading_other', { count: String(MEMBERS) }) })).toBeVisible()
	const picks = [0, 1, 2, 3, 4]
		.map((m) => `${family}-${m}`)
		.filter((id) => id !== flagged)
		.slice(0, 2)
	for (const id of picks) await page.getByRole('checkbox', { name: msg('en', 'datasets:similar.select', { id }) }).check()
	await page.getByRole('button', { name: msg('en', 'datasets:similar.extendPicked') }).click()
	await expect(page.getByTestId('extended-status')).toHaveText(msg('en', 'datasets:similar.added_other', { count: '2' }))
	const covered = page.getByTestId('issue-samples')
	await expect(covered.getByRole('heading', { level: 3 })).toHaveText(msg('en', 'datasets:similar.covered_other', { count: '2' }))
	for (const id of picks) await expect(covered.getByRole('link', { name: id, exact: true })).toBeVisible()
	await expect(page.getByRole('heading', { level: 2, name: msg('en', 'datasets:similar.heading_other', { count: String(MEMBERS - 2) }) })).toBeVisible()
	await expectAccessible(page)

	// An audit: two of the three left, drawn at random into a new draft round; nothing reviewed yet.
	await page.getByLabel(msg('en', 'datasets:similar.audit.size'), { exact: true }).fill('2')
	await expect(page.getByLabel(msg('en', 'datasets:similar.audit.title'), { exact: true })).toHaveValue(msg('en', 'datasets:similar.audit.defaultTitle', { number: '1' }))
	await page.getByRole('button', { name: msg('en', 'datasets:similar.audit.start') }).click()
	await expect(page.getByTestId('audit-status')).toContainText(msg('en', 'datasets:similar.audit.started_other', { count: '2', population: String(MEMBERS - 2) }))
	await expect(page.getByTestId('audits').getByRole('link', { name: msg('en', 'datasets:similar.audit.defaultTitle', { number: '1' }) })).toBeVisible()
	await expect(page.getByTestId('audit-estimate')).toHaveText(msg('en', 'datasets:similar.audit.noneReviewed'))
	await expectAccessible(page)

	// Without JavaScript: the rest in one press, a plain form post.
	const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() })
	const plain = await noJs.newPage()
	await plain.goto(issuePath)
	await plain.getByRole('button', { name: msg('en', 'datasets:similar.extendAll_other', { count: String(MEMBERS - 2) }) }).click()
	await expect(plain.getByTestId('extended-status')).toHaveText(msg('en', 'datasets:similar.added_other', { count: String(MEMBERS - 2) }))
	await expect(plain.getByTestId('issue-samples').getByRole('heading', { level: 3 })).toHaveText(msg('en', 'datasets:similar.covered_other', { count: String(MEMBERS) }))
	await expect(plain.getByText(msg('en', 'datasets:similar.none'))).toBeVisible()
	await noJs.close()

	// The version page counts what the blocker covers: its own sample and the MEMBERS added.
	await page.goto(`/datasets/${slug}/versions/v1`)
	await expect(page.getByTestId('blocking-samples')).toHaveText(msg('en', 'issues:version.blockingSamples_other', { count: String(MEMBERS + 1) }))

	// In Arabic, right to left, on a phone: the issue's similar samples read and fit.
	await page.goto(issuePath)
	await chooseLanguage(page, 'العربية')
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl')
	// Arabic counts five as a "few" and nothing left as "zero".
	await expect(page.getByTestId('issue-samples').getByRole('heading', { level: 3 })).toHaveText(msg('ar', 'datasets:similar.covered_few', { count: String(MEMBERS) }))
	await page.setViewportSize({ width: 390, height: 844 })
	await page.reload()
	await expect(page.getByRole('heading', { level: 2, name: msg('ar', 'datasets:similar.heading_zero', { count: '0' }) })).toBeVisible()
	await expectNoHorizontalOverflow(page, 'the issue page with similar samples on a phone')
	await expectAccessible(page)
})
