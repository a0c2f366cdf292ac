import { type Page } from '@playwright/test'
import { expect, waitForHydrationIfScripted } from './fixtures.ts'

/**
 * The header's language menu as a person uses it: open it, then choose a language by its own name.
 * After hydration (with JavaScript), so the page's first render does not close the menu between the
 * two clicks; and opened again if something else closed it, until the language is there to click.
 */
export async function chooseLanguage(page: Page, name: string) {
	await waitForHydrationIfScripted(page)
	const menu = page.locator('details.language-menu')
	const choice = menu.getByRole('button', { name, exact: true })
	await expect(async () => {
		if (!(await choice.isVisible())) await menu.locator('> summary').click()
		await expect(choice).toBeVisible({ timeout: 1_000 })
	}).toPass({ timeout: 15_000 })
	await choice.click()
}
