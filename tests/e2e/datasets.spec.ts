import path from 'node:path'
import { type Page } from '@playwright/test'
import { expect, expectAccessible, msg, signUp, test, uniqueEmail } from './fixtures.ts'

const fixture = (name: string) => path.resolve('tests/fixtures/e2e', name)

async function createDataset(page: Page, slug: string) {
	await page.goto('/datasets')
	await expectAccessible(page)
	await page.getByRole('link', { name: 'New dataset' }).click()
	await page.getByLabel('Name', { exact: true }).fill('Workplace emails')
	await page.getByLabel('Short name for links').fill(slug)
	await page.getByLabel('Description', { exact: true }).fill('Emails written **as** generated personas.\n\n<script>alert(1)</script>')
	await expectAccessible(page)
	await page.getByRole('button', { name: 'Create dataset' }).click()
	await expect(page.getByRole('heading', { level: 1, name: 'Workplace emails' })).toBeVisible()
	await expect(page.locator('main strong', { hasText: 'as' })).toBeVisible()
	// Raw HTML in markdown is never rendered as markup.
	await expect(page.locator('main script')).toHaveCount(0)
}

async function createVersion(page: Page, slug: string, label: string, parent: string | null) {
	await page.goto(`/datasets/${slug}`)
	await page.getByRole('link', { name: 'New version' }).click()
	await page.getByLabel('Version label').fill(label)
	await page.getByLabel('Parent version', { exact: true }).selectOption(parent ?? '')
	await page.getByLabel('Auxiliary model').fill('Llama 3.1 70B Instruct')
	await page.getByLabel('Provider', { exact: true }).fill('Meta')
	await page.getByLabel('Generation method').selectOption('persona_simulation')
	await page.getByLabel('Persona definitions', { exact: true }).fill('role × origin × age')
	await expectAccessible(page)
	await page.getByRole('button', { name: 'Create version' }).click()
	await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Version ${label}`) })).toBeVisible()
}

async function upload(page: Page, file: string) {
	await page.getByLabel('Sample file (.jsonl, .csv or .parquet)').setInputFiles(fixture(file))
	await page.getByRole('button', { name: 'Upload and import' }).click()
}

test('an owner publishes a dataset with a use case and provenance, imports v1 (JSONL) and v2 (CSV), browses, searches and diffs', async ({ page }) => {
	await signUp(page, { email: uniqueEmail('owner'), name: 'Olu', password: 'a long passphrase for e2e' })
	const slug = `emails-${Date.now().toString(36)}`
	await createDataset(page, slug)

	await page.getByRole('link', { name: 'Add a use case' }).click()
	await page.getByLabel('Title', { exact: true }).fill('Harms evaluation of an email assistant')
	await page.getByLabel('Pipeline stage').selectOption('evaluation')
	await page.getByLabel('Purpose', { exact: true }).fill('Check that drafted replies treat every sender with respect.')
	await expectAccessible(page)
	await page.getByRole('button', { name: 'Add use case' }).click()
	await expect(page.getByRole('heading', { level: 3, name: 'Harms evaluation of an email assistant' })).toBeVisible()

	await createVersion(page, slug, 'v1', null)
	await expectAccessible(page)
	await upload(page, 'emails-v1.jsonl')
	await expect(page.getByRole('status')).toContainText('4 samples imported.')
	await expectAccessible(page)

	await createVersion(page, slug, 'v2', 'v1')
	await upload(page, 'emails-v2.csv')
	await expect(page.getByRole('status')).toContainText('4 samples imported.')

	await page.getByRole('link', { name: 'Browse them' }).click()
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('v2: 4 samples')
	await expectAccessible(page)
	await page.getByLabel('Search text').fill('formation')
	await page.getByRole('button', { name: 'Apply filters' }).click()
	await expect(page).toHaveURL(/q=formation/)
	await expect(page.getByRole('link', { name: 'email-005' })).toBeVisible()
	await expect(page.getByRole('link', { name: 'email-001' })).toHaveCount(0)
	await page.getByRole('link', { name: 'Clear filters' }).click()
	await expect(page).toHaveURL(/\/samples$/)
	await expect(page.getByLabel('Search text')).toHaveValue('')
	// Facets list the metadata values that repeat: two emails share this prompt.
	await page.getByLabel(/^email-persona-3/).check()
	await page.getByRole('button', { name: 'Apply filters' }).click()
	await expect(page).toHaveURL(/attr=prompt_id/)
	const results = page.getByRole('region', { name: 'Matching samples' })
	await expect(results.getByRole('listitem')).toHaveCount(2)
	await expect(results.getByRole('link', { name: 'email-005' })).toBeVisible()

	await page.getByRole('link', { name: 'Clear filters' }).click()
	await page.getByRole('link', { name: 'email-004' }).click()
	await expect(page.locator('main p[lang="ar"][dir="rtl"]')).toBeVisible()
	await expect(page.getByText('project manager')).toBeVisible()
	await expectAccessible(page)

	await page.goto(`/datasets/${slug}/versions/v2`)
	await page.getByRole('link', { name: 'Compare with v1' }).click()
	await expect(page.getByRole('link', { name: '1 changed' })).toBeVisible()
	await expect(page.getByRole('link', { name: '1 added' })).toBeVisible()
	await expect(page.getByRole('link', { name: '1 removed' })).toBeVisible()
	await expect(page.getByRole('main').getByRole('link', { name: 'email-002' })).toBeVisible()
	await expectAccessible(page)
	await page.getByRole('link', { name: '1 removed' }).click()
	await expect(page.getByRole('main').getByRole('link', { name: 'email-003' })).toBeVisible()
})

test('a bad file is rejected whole, with each problem by line number', async ({ page }) => {
	await signUp(page, { email: uniqueEmail('bad'), name: 'Bea', password: 'a long passphrase for e2e' })
	const slug = `bad-${Date.now().toString(36)}`
	await createDataset(page, slug)
	await createVersion(page, slug, 'v1', null)
	await upload(page, 'emails-bad.jsonl')
	await expect(page.getByRole('alert')).toContainText('3 problems')
	const rows = page.getByRole('row')
	await expect(rows.nth(1)).toContainText('2')
	await expect(rows.nth(1)).toContainText(msg('en', 'datasets:importErrors.id_not_string'))
	await expect(rows.nth(2)).toContainText(msg('en', 'datasets:importErrors.duplicate_id', { id: 'ok-1', firstLine: '1' }))
	await expect(rows.nth(3)).toContainText(msg('en', 'datasets:importErrors.invalid_json'))
	await expectAccessible(page)
	await page.getByRole('link', { name: 'Back to version v1' }).click()
	await expect(page.getByRole('link', { name: /Browse/ })).toHaveCount(0)
})

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false })

	test('the upload still works as a plain multipart form', async ({ page }) => {
		await signUp(page, { email: uniqueEmail('nojs'), name: 'Nia', password: 'a long passphrase for e2e' })
		const slug = `nojs-${Date.now().toString(36)}`
		await page.goto('/datasets/new')
		await page.getByLabel('Name', { exact: true }).fill('No JS')
		await page.getByLabel('Short name for links').fill(slug)
		await page.getByRole('button', { name: 'Create dataset' }).click()
		await page.getByRole('link', { name: 'New version' }).click()
		await page.getByLabel('Version label').fill('v1')
		await page.getByRole('button', { name: 'Create version' }).click()
		await upload(page, 'emails-v1.jsonl')
		await expect(page.getByRole('status')).toContainText('4 samples imported.')
	})
})
