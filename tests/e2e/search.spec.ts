import path from 'node:path'
import { type Page } from '@playwright/test'
import { expect, expectAccessible, signUp, test, uniqueEmail } from './fixtures.ts'

/** A version holding the multilingual fixture (sentences in eleven scripts), on its browse page. */
async function browseMultilingual(page: Page, tag: string) {
	await signUp(page, { email: uniqueEmail(tag), name: 'Mei', password: 'a long passphrase for e2e' })
	const slug = `${tag}-${Date.now().toString(36)}`
	await page.goto('/datasets/new')
	await page.getByLabel('Name', { exact: true }).fill('Multilingual')
	await page.getByLabel('Short name for links').fill(slug)
	await page.getByRole('button', { name: 'Create dataset' }).click()
	await page.getByRole('link', { name: 'New version' }).click()
	await page.getByLabel('Version label').fill('v1')
	await page.getByRole('button', { name: 'Create version' }).click()
	await page.getByLabel('Sample file (.jsonl, .csv or .parquet)').setInputFiles(path.resolve('tests/fixtures/search/multilingual.jsonl'))
	await page.getByRole('button', { name: 'Upload and import' }).click()
	await expect(page.getByRole('status')).toContainText('37 samples imported.')
	await page.goto(`/datasets/${slug}/versions/v1/samples`)
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('v1: 37 samples')
}

const results = (page: Page) => page.getByRole('region', { name: 'Matching samples' })

/** `axe`: the accessibility check needs scripts in the page, so it runs with JavaScript on. */
async function checkSearchAndFacets(page: Page, axe: boolean) {
	// A word inside unspaced Chinese and Japanese sentences: five samples, the word marked in each.
	await page.getByLabel('Search text').fill('学生')
	await page.getByLabel('Search text').press('Enter')
	await expect(page).toHaveURL(/q=%E5%AD%A6%E7%94%9F/)
	await expect(page.getByTestId('matching')).toHaveText('5 samples match')
	await expect(results(page).getByRole('listitem')).toHaveCount(5)
	await expect(results(page).locator('mark', { hasText: '学生' })).toHaveCount(6)
	if (axe) await expectAccessible(page)
	// An exclusion and the facet of the script group, whose counts follow the search.
	await page.getByLabel('Search text').fill('学生 -大学')
	await page.getByLabel('Search text').press('Enter')
	await expect(page.getByTestId('matching')).toHaveText('4 samples match')
	const group = page.locator('fieldset[data-facet="script_group"]')
	await expect(group.getByRole('checkbox')).toHaveCount(2)
	await expect(group.getByText('zh (3)')).toBeVisible()
	await expect(group.getByText('ja (1)')).toBeVisible()
	// Without the search, every value in count order; a search within the key finds one.
	await page.getByLabel('Search text').fill('')
	await page.getByLabel('Find a value of script_group').fill('TH')
	await page.getByLabel('Find a value of script_group').press('Enter')
	await expect(group.getByRole('checkbox')).toHaveCount(1)
	await group.getByLabel('th (3)').check()
	await page.getByRole('button', { name: 'Apply filters' }).click()
	await expect(page.getByTestId('matching')).toHaveText('3 samples match')
	await expect(results(page).getByRole('listitem')).toHaveCount(3)
	await page.getByRole('link', { name: 'Clear filters' }).click()
	await expect(page).toHaveURL(/\/samples$/)
	const labels = page.locator('fieldset[data-facet="script_group"] input[type=checkbox] + label')
	await expect(labels).toHaveCount(16)
	expect((await labels.allTextContents()).slice(0, 3)).toEqual(['zh (7)', 'ja (5)', 'ar (3)'])
	// A quoted phrase in Latin script with diacritics folded, and the language filter.
	await page.getByLabel('Search text').fill('"creme brulee"')
	await page.getByRole('button', { name: 'Apply filters' }).click()
	await expect(page.getByTestId('matching')).toHaveText('1 sample matches')
	await expect(results(page).getByRole('link', { name: 'fr-2' })).toBeVisible()
	await expect(results(page).locator('mark')).toHaveText(['crème', 'brûlée'])
	await page.getByLabel('Search text').fill('cafe')
	await page.locator('#language').selectOption('en')
	await page.getByRole('button', { name: 'Apply filters' }).click()
	await expect(page.getByTestId('matching')).toHaveText('2 samples match')
	if (axe) await expectAccessible(page)
}

test('the browse page searches every script, marks the words, and counts facets under the filters', async ({ page }) => {
	await browseMultilingual(page, 'search')
	await checkSearchAndFacets(page, true)
})

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false })

	test('search, facets and the search within a facet work as plain forms', async ({ page }) => {
		await browseMultilingual(page, 'search-nojs')
		await checkSearchAndFacets(page, false)
	})
})
