import { expect, expectAccessible, msg, signUp, test, uniqueEmail } from './fixtures.ts'
import { createDataset, createVersion, openRound, uploadText, v1File } from './team-helpers.ts'
import { chooseLanguage } from './language.ts'

test('the team reads the insights and the printable report in Arabic, downloads the CSV, and registers a webhook', async ({ page }) => {
	// A team of its own: the language choice below is saved on this person's profile.
	await signUp(page, { email: uniqueEmail('insights-owner'), name: 'Ines', password: 'a long passphrase for e2e' })
	const slug = await createDataset(page, 'insights')
	await createVersion(page, slug, 'v1', null)
	await uploadText(page, 'v1.jsonl', v1File)
	await openRound(page, slug, 'v1')
	await chooseLanguage(page, 'العربية')
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl')

	const base = `/datasets/${slug}/versions/v1`
	await page.goto(`${base}/insights`)
	await expect(page.getByRole('heading', { level: 1 })).toContainText(msg('ar', 'insights:title'))
	await expect(page.getByRole('heading', { level: 2, name: msg('ar', 'insights:coverage.title') })).toBeVisible()
	await expectAccessible(page)

	await page.goto(`${base}/report`)
	await expect(page.getByRole('heading', { level: 1 })).toContainText(msg('ar', 'report:title'))
	await expectAccessible(page)
	// The site header is left out when printing.
	await page.emulateMedia({ media: 'print' })
	await expect(page.getByRole('banner')).toBeHidden()
	await page.emulateMedia({ media: 'screen' })

	const csv = await page.request.get(`${base}/report.csv`)
	expect(csv.status()).toBe(200)
	expect(csv.headers()['content-type']).toContain('text/csv')
	expect(csv.headers()['content-disposition']).toContain(`${slug}-v1-consultation.csv`)

	await page.goto(`/datasets/${slug}/webhooks`)
	await page.getByLabel(msg('ar', 'webhooks:add.url')).fill('https://hooks.example.org/roundtable')
	await page.getByRole('checkbox').first().check()
	await page.getByRole('button', { name: msg('ar', 'webhooks:add.submit') }).click()
	await expect(page.getByRole('textbox', { name: msg('ar', 'webhooks:secret.label'), exact: true })).toHaveValue(/^whsec_/)
	await expectAccessible(page)
})
