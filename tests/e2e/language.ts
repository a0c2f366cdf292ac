import { type Page } from '@playwright/test'

/** The header's language menu as a person uses it: open it, then choose a language by its own name. */
export async function chooseLanguage(page: Page, name: string) {
	await page.locator('details.language-menu > summary').click()
	await page.locator('details.language-menu').getByRole('button', { name, exact: true }).click()
}
