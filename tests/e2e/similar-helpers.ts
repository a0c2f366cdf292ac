import { type Page } from '@playwright/test'
import { expect, msg } from './fixtures.ts'

// What the similar-samples journeys share (issue #22): a file of templated near-duplicates, and
// waiting for the background job that indexes them.

const BASES = [
	'the old fisherman sat by the harbour and told the children a long story about the winter storm',
	'my grandmother cooks rice every sunday and the whole street can smell the spices from the window',
	'a young engineer from the village explains the new water pump to the elders at the meeting hall',
	'the nurse walked two hours through the rain to bring medicine to the family on the hill farm',
	'our teacher asked every student to write a letter to the mayor about the broken bridge near school',
	'the market opens before dawn and the traders sing while they arrange the mangoes on wooden tables',
]
const SWAPS = ['quietly', 'happily', 'slowly', 'bravely', 'gently']

/** Samples a family has with near-duplicate texts (f<family>-0 … f<family>-4). */
export const MEMBERS = SWAPS.length

/**
 * `families` templates (at most six) × MEMBERS near-duplicate texts (one word of 18 changed:
 * Jaccard ≈ 0.79), all of a family with the same template and persona (metadata keys
 * generator.template and persona.id); plus per family one text of other words with the same
 * template and persona (f<family>-other), similar by metadata only.
 */
export function templatedFile(families: number) {
	const lines: string[] = []
	for (let f = 0; f < families; f++) {
		const metadata = { generator: { template: `t${f}` }, persona: { id: `p${f}` } }
		for (let m = 0; m < MEMBERS; m++) {
			const words = BASES[f]!.split(' ')
			words[3 + m * 2] = SWAPS[m]!
			lines.push(JSON.stringify({ id: `f${f}-${m}`, content: words.join(' '), language: 'en', metadata }))
		}
		lines.push(JSON.stringify({ id: `f${f}-other`, content: `completely different words number ${f} about weather trains and museums`, language: 'en', metadata }))
	}
	return lines.join('\n')
}

/** A sample page, reloaded until the similar-samples job (every few seconds in the suite) has built the text index. */
export async function waitForIndex(page: Page, path: string) {
	await expect(async () => {
		await page.goto(path)
		await expect(page.getByTestId('similar-index')).toHaveCount(0, { timeout: 1_000 })
	}).toPass({ timeout: 60_000 })
}

/** A new version v1 whose provenance names the template and persona keys of templatedFile(). */
export async function createVersionWithKeys(page: Page, slug: string) {
	await page.goto(`/datasets/${slug}/versions/new`)
	await page.getByLabel('Version label').fill('v1')
	await page.getByLabel(msg('en', 'datasets:provenance.templateKey'), { exact: true }).fill('generator.template')
	await page.getByLabel(msg('en', 'datasets:provenance.personaKey'), { exact: true }).fill('persona.id')
	await page.getByRole('button', { name: 'Create version' }).click()
	await expect(page.getByRole('heading', { level: 1, name: /Version v1/ })).toBeVisible()
}
