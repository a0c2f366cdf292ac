import { type Page } from '@playwright/test'
import { expect, expectAccessible, expectNoHorizontalOverflow, msg, signUp, test, uniqueEmail } from './fixtures.ts'
import { chooseLanguage } from './language.ts'
import { invite, joinAndStartReviewing, flagCritical } from './round-helpers.ts'
import { confirmRoundAction, createDataset, createVersion, uploadText } from './team-helpers.ts'

// Issue #21: after an import, the team sees where the generated text marks a group, and goes from
// a marking word to the samples that contain it.

/** 600 samples over three groups from one shared vocabulary; "lantern" in 30 % of north's samples and 2 % of the others'. */
function plantedFile() {
	const vocabulary = ['river', 'market', 'teacher', 'morning', 'letter', 'garden', 'window', 'bread', 'music', 'train', 'summer', 'doctor', 'paper', 'street', 'coffee', 'friend']
	let seed = 7
	const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
	const lines: string[] = []
	for (let i = 0; i < 600; i++) {
		const group = ['north', 'south', 'east'][i % 3]!
		const words = Array.from({ length: 12 }, () => vocabulary[Math.floor(next() * vocabulary.length)]!)
		if (next() < (group === 'north' ? 0.3 : 0.02)) words.splice(5, 0, 'lantern')
		lines.push(JSON.stringify({ id: `p-${String(i).padStart(3, '0')}`, content: words.join(' '), language: 'en', metadata: { persona: { group } } }))
	}
	return lines.join('\n')
}

/** The version page until the signals job (every few seconds in the suite) says they are ready. */
async function waitForSignals(page: Page, slug: string) {
	await expect(async () => {
		await page.goto(`/datasets/${slug}/versions/v1`)
		await expect(page.getByRole('link', { name: msg('en', 'signals:state.view') })).toBeVisible({ timeout: 1_000 })
	}).toPass({ timeout: 60_000 })
}

/** On the round form: 30 samples where the signals of persona.group are, seed 5, one reviewer each. */
async function createAimedRound(page: Page, title: string) {
	await page.getByLabel('Title', { exact: true }).fill(title)
	await page.getByLabel(msg('en', 'rounds:fields.selectionMode'), { exact: true }).selectOption({ label: msg('en', 'rounds:selection.signals') })
	await page.getByLabel(msg('en', 'rounds:fields.sampleN'), { exact: true }).fill('30')
	await page.getByLabel(msg('en', 'rounds:fields.seed'), { exact: true }).fill('5')
	await page.getByLabel(msg('en', 'rounds:fields.attribute'), { exact: true }).selectOption('persona.group')
	await page.getByLabel('Reviewers per sample').fill('1')
	await page.getByRole('button', { name: 'Create round' }).click()
	await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
}

test('the team reads a version’s signals, opens the samples a marking word is in, and downloads them; without JavaScript and in Arabic too', async ({ page, browser }) => {
	await signUp(page, { email: uniqueEmail('signals'), name: 'Sig', password: 'a long passphrase for e2e' })
	const slug = await createDataset(page, 'signals')
	await createVersion(page, slug, 'v1', null)
	await uploadText(page, 'planted.jsonl', plantedFile())
	await waitForSignals(page, slug)
	await expect(page.getByText(msg('en', 'signals:state.succeeded'))).toBeVisible()
	await page.getByRole('link', { name: msg('en', 'signals:state.view') }).click()
	await expect(page.getByRole('heading', { level: 1 })).toContainText('v1')
	await expectAccessible(page)

	// The attribute chooser, then the words that mark each group: "lantern" for north, and only there.
	await page.getByLabel(msg('en', 'signals:chooser.attribute'), { exact: true }).selectOption('persona.group')
	await page.getByRole('button', { name: msg('en', 'signals:chooser.apply') }).click()
	await expect(page).toHaveURL(/attribute=persona\.group/)
	const north = page.getByRole('table', { name: msg('en', 'signals:terms.caption', { value: 'north' }) })
	await expect(north.getByRole('row').nth(1)).toContainText('lantern')
	for (const other of ['south', 'east']) await expect(page.getByRole('table', { name: msg('en', 'signals:terms.caption', { value: other }) }).getByText('lantern')).toHaveCount(0)
	await expectAccessible(page)

	// The CSV holds the same words.
	const download = page.waitForEvent('download')
	await page.getByRole('link', { name: msg('en', 'signals:csv') }).click()
	const csv = await (await (await download).createReadStream()).toArray()
	expect(Buffer.concat(csv).toString('utf8')).toMatch(/"persona\.group","north",.*"1","lantern"/)

	// From the word to the samples: the browse page filtered by group and word, the word marked.
	await north
		.getByRole('link', { name: new RegExp(msg('en', 'signals:terms.link')) })
		.first()
		.click()
	await expect(page).toHaveURL(/\/samples\?.*q=lantern/)
	const results = page.getByRole('region', { name: 'Matching samples' })
	await expect(results.locator('mark', { hasText: 'lantern' }).first()).toBeVisible()
	const matching = Number((await page.getByTestId('matching').textContent())!.replace(/\D/g, ''))
	expect(matching).toBeGreaterThan(30)
	expect(matching).toBeLessThan(100)

	// Without JavaScript the chooser is a plain GET form.
	const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() })
	const plain = await noJs.newPage()
	await plain.goto(`/datasets/${slug}/versions/v1/signals`)
	await plain.getByLabel(msg('en', 'signals:chooser.attribute'), { exact: true }).selectOption('persona.group')
	await plain.getByRole('button', { name: msg('en', 'signals:chooser.apply') }).click()
	await expect(
		plain
			.getByRole('table', { name: msg('en', 'signals:terms.caption', { value: 'north' }) })
			.getByRole('row')
			.nth(1),
	).toContainText('lantern')
	await noJs.close()

	// In Arabic the page reads right to left, translated, and stays accessible.
	await page.goto(`/datasets/${slug}/versions/v1/signals?attribute=persona.group`)
	await chooseLanguage(page, 'العربية')
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl')
	await expect(page.getByRole('heading', { level: 2, name: msg('ar', 'signals:method.title') })).toBeVisible()
	await expectAccessible(page)

	// On a phone the page scrolls only downwards: wide term tables scroll inside their own box.
	await page.setViewportSize({ width: 390, height: 844 })
	await page.reload()
	await expect(page.getByRole('heading', { level: 2, name: msg('ar', 'signals:method.title') })).toBeVisible()
	await expectNoHorizontalOverflow(page, 'the Signals page on a phone')
	await expectAccessible(page)
})

test('the owner aims a round where the signals are, sees its weights, and the reviewer’s verdicts come back in the round’s insights', async ({ page, browser }) => {
	await signUp(page, { email: uniqueEmail('aimed'), name: 'Aim', password: 'a long passphrase for e2e' })
	const slug = await createDataset(page, 'aimed')
	await createVersion(page, slug, 'v1', null)
	await uploadText(page, 'planted.jsonl', plantedFile())
	await waitForSignals(page, slug)

	// The form says which attributes have signals; the owner asks for 30 samples where they are.
	await page.goto(`/datasets/${slug}/versions/v1/rounds/new`)
	await expect(page.getByText(msg('en', 'rounds:fields.signalsHint', { attributes: 'persona.group' }))).toBeVisible()
	await createAimedRound(page, 'Where the signals are')
	const roundId = new URL(page.url()).pathname.split('/').pop()!

	// The round page shows what weighed the choice: north, marked by "lantern", takes more than its third.
	const weights = page.getByRole('table', { name: msg('en', 'rounds:signalWeights.caption', { attribute: 'persona.group' }) })
	await expect(weights).toBeVisible()
	await expect(page.getByTestId('signal-weights')).toContainText('with seed 5')
	const north = weights.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'north', exact: true }) })
	await expect(north).toContainText('lantern')
	expect(Number(await north.locator('td').nth(3).textContent())).toBeGreaterThan(10)
	await expectAccessible(page)

	// A community member reviews five samples: two flagged, three without concerns.
	const email = uniqueEmail('aimed-rev')
	await invite(page, email, 'community')
	await confirmRoundAction(page, 'Open the round')
	const reviewer = await joinAndStartReviewing(browser, email)
	await flagCritical(reviewer)
	await flagCritical(reviewer)
	for (let i = 0; i < 3; i++) {
		const heading = reviewer.getByRole('heading', { level: 1 })
		const before = (await heading.textContent())!
		await reviewer.getByRole('button', { name: msg('en', 'review:verdict.noConcerns'), exact: true }).click()
		await expect(heading).not.toHaveText(before)
	}
	await reviewer.context().close()

	// The round's insights: the favoured samples against the others, counted from those five verdicts.
	await page.goto(`/datasets/${slug}/versions/v1/insights?round=${roundId}`)
	await expect(page.getByRole('heading', { level: 2, name: msg('en', 'insights:signalSelection.title') })).toBeVisible()
	const cell = (group: 'selected' | 'other', column: number) => page.locator(`#signal-selection-${group} td`).nth(column)
	const count = async (group: 'selected' | 'other', column: number) => Number((await cell(group, column).textContent())!.replace(/\D/g, ''))
	expect((await count('selected', 0)) + (await count('other', 0))).toBe(30)
	expect((await count('selected', 1)) + (await count('other', 1))).toBe(5)
	expect((await count('selected', 2)) + (await count('other', 2))).toBe(2)
	await expectAccessible(page)
})

test.describe('without JavaScript, on a phone', () => {
	test.use({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } })

	test('the owner aims a round where the signals are with plain forms and reads its weights', async ({ page }) => {
		await signUp(page, { email: uniqueEmail('aimed-nojs'), name: 'Aim', password: 'a long passphrase for e2e' })
		const slug = await createDataset(page, 'aimednojs')
		await createVersion(page, slug, 'v1', null)
		await uploadText(page, 'planted.jsonl', plantedFile())
		await waitForSignals(page, slug)

		await page.goto(`/datasets/${slug}/versions/v1/rounds/new`)
		await createAimedRound(page, 'Aimed without scripts')
		const weights = page.getByRole('table', { name: msg('en', 'rounds:signalWeights.caption', { attribute: 'persona.group' }) })
		const north = weights.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'north', exact: true }) })
		await expect(north).toContainText('lantern')
		await expect(page.getByTestId('signal-weights')).toContainText('with seed 5')
		await expectNoHorizontalOverflow(page, 'the round page with its signal weights on a phone')
	})
})
