import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, type Page } from '@playwright/test'
import { waitForIdleNavigation } from './fixtures.ts'

// A dataset team's own dataset, so a spec never changes the shared demo (other specs run beside it).

export const v1File = readFileSync(path.resolve('tests/fixtures/e2e/emails-v1.jsonl'), 'utf8')

export async function createDataset(page: Page, prefix: string) {
	const slug = `${prefix}-${Date.now().toString(36)}`
	await page.goto('/datasets/new')
	await page.getByLabel('Name', { exact: true }).fill(`${prefix} e2e`)
	await page.getByLabel('Short name for links').fill(slug)
	await page.getByRole('button', { name: 'Create dataset' }).click()
	await expect(page.getByRole('heading', { level: 1, name: `${prefix} e2e` })).toBeVisible()
	return slug
}

export async function createVersion(page: Page, slug: string, label: string, parent: string | null) {
	await page.goto(`/datasets/${slug}/versions/new`)
	await page.getByLabel('Version label').fill(label)
	await page.getByLabel('Parent version', { exact: true }).selectOption(parent ?? '')
	await page.getByRole('button', { name: 'Create version' }).click()
	await expect(page.getByRole('heading', { level: 1, name: new RegExp(`Version ${label}`) })).toBeVisible()
}

export async function uploadText(page: Page, name: string, text: string) {
	await page.getByLabel('Sample file (.jsonl, .csv or .parquet)').setInputFiles({ name, mimeType: 'application/x-ndjson', buffer: Buffer.from(text) })
	await page.getByRole('button', { name: 'Upload and import' }).click()
	await expect(page.getByRole('status')).toContainText('samples imported')
}

export async function openRound(page: Page, slug: string, label: string, inviteEmail?: string) {
	await page.goto(`/datasets/${slug}/versions/${label}/rounds/new`)
	const title = `Check ${label} ${Date.now().toString(36)}`
	await page.getByLabel('Title', { exact: true }).fill(title)
	await page.getByLabel('Reviewers per sample').fill('1')
	await page.getByRole('button', { name: 'Create round' }).click()
	await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
	if (inviteEmail) {
		await page.getByLabel('Email addresses').fill(inviteEmail)
		await page.getByRole('button', { name: 'Send invitations' }).click()
		await expect(page.getByRole('status')).toContainText(`Invited ${inviteEmail}.`)
	}
	await confirmRoundAction(page, 'Open the round')
}

/**
 * Opening and closing a round are confirmed: with JavaScript a dialog (accepted here), without it
 * (or before hydration) a confirmation page whose button posts again. Either way the round moves.
 */
export async function confirmRoundAction(page: Page, button: 'Open the round' | 'Close the round') {
	const yes = button === 'Open the round' ? 'Yes, open the round' : 'Yes, close the round'
	const after = page.getByRole('button', { name: button === 'Open the round' ? 'Close the round' : 'Reopen the round' })
	const onDialog = (d: { accept: () => Promise<void> }) => void d.accept()
	page.once('dialog', onDialog)
	await waitForIdleNavigation(page)
	await page.getByRole('button', { name: button }).click()
	const confirmPage = page.getByTestId('confirm-page')
	await expect(after.or(confirmPage)).toBeVisible()
	if (await confirmPage.isVisible()) await confirmPage.getByRole('button', { name: yes }).click()
	page.off('dialog', onDialog)
	await expect(after).toBeVisible()
	await waitForIdleNavigation(page)
}
