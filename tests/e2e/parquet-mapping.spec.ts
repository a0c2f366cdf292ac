import { type Page } from '@playwright/test'
import { mappingFixture } from '#tests/parquet-fixtures.ts'
import { expect, expectAccessible, expectNoHorizontalOverflow, msg, signUp, test, uniqueEmail, waitForHydration, waitForHydrationIfScripted } from './fixtures.ts'
import { chooseLanguage } from './language.ts'
import { createDataset, createVersion } from './team-helpers.ts'

async function newVersion(page: Page, slug: string, label: string) {
	await page.goto(`/datasets/${slug}`)
	await page.getByRole('link', { name: 'New version' }).click()
	await waitForHydrationIfScripted(page)
	await page.getByLabel('Version label').fill(label)
	await page.getByRole('button', { name: 'Create version' }).click()
	await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Version ${label}`) })).toBeVisible()
}

async function uploadParquet(page: Page, prefix: string, broken: { missingIdAt?: number } = {}) {
	await waitForHydrationIfScripted(page)
	await page
		.getByLabel('Sample file (.jsonl, .csv or .parquet)')
		.setInputFiles({ name: `${prefix}.parquet`, mimeType: 'application/vnd.apache.parquet', buffer: Buffer.from(mappingFixture({ prefix, ...broken })) })
	await page.getByRole('button', { name: 'Upload and import' }).click()
	await expect(page.getByRole('heading', { level: 1, name: 'Choose the columns' })).toBeVisible()
}

const use = (page: Page, column: string) => page.getByLabel(`Use of column ${column}`)

/** Upload, map (a wrong mapping first), import; the next upload finds the mapping pre-filled. */
async function journey(page: Page, tag: string, scripted: boolean) {
	// axe runs as a script in the page: only with JavaScript.
	const accessible = async () => (scripted ? expectAccessible(page) : undefined)
	await signUp(page, { email: uniqueEmail(tag), name: 'Pari', password: 'a long passphrase for e2e' })
	const slug = `${tag}-${Date.now().toString(36)}`
	await page.goto('/datasets/new')
	await waitForHydrationIfScripted(page)
	await page.getByLabel('Name', { exact: true }).fill('Hub chats')
	await page.getByLabel('Short name for links').fill(slug)
	await page.getByRole('button', { name: 'Create dataset' }).click()
	await expect(page.getByRole('heading', { level: 1, name: 'Hub chats' })).toBeVisible()
	await newVersion(page, slug, 'v1')

	await uploadParquet(page, 'first')
	await expect(page.getByText('Say what each column of first.parquet (4 rows) holds.', { exact: false })).toBeVisible()
	// The schema as read from the file, and a guess by name.
	const columns = page.getByRole('table', { name: 'Columns of the file' })
	await expect(columns.getByRole('row', { name: /conversation/ })).toContainText('list<struct<role: string, content: string>>')
	await expect(columns.getByRole('row', { name: /persona/ })).toContainText('struct<region: string, age: int32>')
	await expect(use(page, 'external_id')).toHaveValue('id')
	await expect(use(page, 'text')).toHaveValue('content')
	await expect(use(page, 'conversation')).toHaveValue('messages')
	await expect(use(page, 'lang')).toHaveValue('language')
	await expect(use(page, 'persona')).toHaveValue('metadata')
	await expect(use(page, 'note')).toHaveValue('metadata')
	await accessible()

	// No id column: refused, with the reason, nothing imported.
	await use(page, 'external_id').selectOption('metadata')
	await page.getByRole('button', { name: 'Import with these columns' }).click()
	await expect(page.getByRole('alert')).toContainText('Choose the column that holds each sample’s id.')
	await accessible()

	await use(page, 'external_id').selectOption('id')
	await use(page, 'note').selectOption({ label: 'Leave out' })
	await page.getByRole('button', { name: 'Import with these columns' }).click()
	await expect(page.getByRole('status')).toContainText('4 samples imported.')
	await page.getByRole('link', { name: 'Browse them' }).click()
	await page.getByRole('link', { name: 'first-0' }).click()
	await expect(page.getByText('question 0')).toBeVisible()
	await expect(page.getByText('Oaxaca')).toBeVisible()
	await expect(page.getByText('internal note 0')).toHaveCount(0)

	// Next version: the dataset's mapping is pre-filled, including the column left out.
	await newVersion(page, slug, 'v2')
	await uploadParquet(page, 'second')
	await expect(page.getByText('Pre-filled with this dataset’s mapping')).toBeVisible()
	await expect(use(page, 'note')).toHaveValue('ignore')
	await expect(use(page, 'external_id')).toHaveValue('id')
	await page.getByRole('button', { name: 'Import with these columns' }).click()
	await expect(page.getByRole('status')).toContainText('4 samples imported.')

	// A file the remembered mapping does not fit (no id on row 2) is rejected whole, the row named.
	await page.getByRole('link', { name: 'Back to version v2' }).click()
	await uploadParquet(page, 'third', { missingIdAt: 2 })
	await page.getByRole('button', { name: 'Import with these columns' }).click()
	await expect(page.getByRole('alert')).toContainText('The file was rejected: 1 problem.')
	await expect(page.getByRole('columnheader', { name: 'Row' })).toBeVisible()
	await expect(page.getByRole('row', { name: /The sample has no id/ })).toContainText('2')
	await accessible()
}

test('an owner uploads a Parquet file, maps its columns and imports; the next upload has the mapping pre-filled', async ({ page }) => {
	await journey(page, 'pq', true)
})

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false })

	test('the same with plain forms', async ({ page }) => {
		await journey(page, 'pqnojs', false)
	})
})

test('in Arabic on a phone, the mapping page reads right to left, fits the screen, and imports', async ({ page }) => {
	await page.setViewportSize({ width: 390, height: 844 })
	await signUp(page, { email: uniqueEmail('pq-ar'), name: 'Pari', password: 'a long passphrase for e2e' })
	const slug = await createDataset(page, 'pqar')
	await createVersion(page, slug, 'v1', null)
	await chooseLanguage(page, 'العربية')
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl')
	await waitForHydration(page)
	await page.getByLabel(msg('ar', 'datasets:import.file')).setInputFiles({ name: 'chats.parquet', mimeType: 'application/vnd.apache.parquet', buffer: Buffer.from(mappingFixture({ prefix: 'ar' })) })
	await page.getByRole('button', { name: msg('ar', 'datasets:import.submit') }).click()
	await expect(page.getByRole('heading', { level: 1, name: msg('ar', 'datasets:columns.title') })).toBeVisible()
	// The file's own column names stay as written, isolated inside the right-to-left sentence labels.
	await expect(page.getByLabel(msg('ar', 'datasets:columns.useOf', { column: 'external_id' }))).toHaveValue('id')
	await expect(page.getByRole('table', { name: msg('ar', 'datasets:columns.caption') })).toBeVisible()
	await expectNoHorizontalOverflow(page, 'the column mapping page on a phone, in Arabic')
	await expectAccessible(page)
	await page.getByRole('button', { name: msg('ar', 'datasets:columns.import') }).click()
	await expect(page.getByRole('status')).toContainText(msg('ar', 'datasets:imports.succeeded_few', { count: '4' }))
	await expectAccessible(page)
})
