import { HUB_PORT } from '../../playwright.config.ts'
import { type FakeHub, noRobotsParquet, noRobotsRows, startFakeHub } from '../hub-server.ts'
import { expect, expectAccessible, expectNoHorizontalOverflow, msg, signUp, test, uniqueEmail } from './fixtures.ts'
import { chooseLanguage } from './language.ts'
import { createDataset } from './team-helpers.ts'

// The app's HF_ENDPOINT points at this port (playwright.config.ts); the stand-in is laid out like the Hub.
// One worker runs this file's tests in order, so only one stand-in listens on the port.
test.describe.configure({ mode: 'default' })
let hub: FakeHub
const REPO = `e2e/private-no-robots-${Date.now().toString(36)}`
const PUBLIC = `e2e/no-robots-${Date.now().toString(36)}`
const HF_TOKEN = 'hf_e2eTokenThatOnlyTheHubSees0123'

test.beforeAll(async () => {
	hub = await startFakeHub(HUB_PORT)
	hub.push(REPO, { 'README.md': new TextEncoder().encode('# no_robots'), 'data/test-00000-of-00001.parquet': noRobotsParquet(noRobotsRows(5, 'e2e-')) })
	hub.repos.get(REPO)!.access = { kind: 'private', token: HF_TOKEN }
	hub.push(PUBLIC, {
		'data/train-00000-of-00002.parquet': noRobotsParquet(noRobotsRows(4, 'a-')),
		'data/train-00001-of-00002.parquet': noRobotsParquet(noRobotsRows(3, 'b-')),
	})
})
test.afterAll(async () => {
	await hub?.close()
})

test('an owner saves a Hub token and imports a private dataset’s split as a new version, then sees the version', async ({ page }) => {
	await signUp(page, { email: uniqueEmail('hub-owner'), name: 'Hana', password: 'a long passphrase for e2e' })
	const slug = await createDataset(page, 'hub')
	await page.goto(`/datasets/${slug}/versions/new`)
	await page.getByRole('link', { name: 'Or import a version from the Hugging Face Hub' }).click()
	await expect(page.getByRole('heading', { level: 1, name: 'Import a version from the Hugging Face Hub' })).toBeVisible()
	await expectAccessible(page)

	const fill = async () => {
		await page.getByLabel('Version label').fill('v1')
		await page.getByLabel('Repository').fill(REPO)
		await page.getByLabel('Split', { exact: true }).fill('test')
		await page.getByLabel('Id column').fill('prompt_id')
	}
	// Without a token the Hub refuses, and the page says what to do.
	await fill()
	await page.getByRole('button', { name: 'Import from the Hub' }).click()
	await expect(page.getByRole('alert')).toContainText('without a token')
	await expectAccessible(page)

	await page.getByLabel('Token', { exact: true }).fill(HF_TOKEN)
	await page.getByRole('button', { name: 'Save token' }).click()
	await expect(page.getByRole('status')).toHaveText('The token is saved.')
	await expect(page.getByText('A token is saved (by Hana).')).toBeVisible()
	// The page never carries the token back.
	expect(await page.content()).not.toContain(HF_TOKEN)

	await fill()
	await page.getByRole('button', { name: 'Import from the Hub' }).click()
	await expect(page.getByRole('status')).toContainText('5 samples imported.')
	await expectAccessible(page)
	await page.getByRole('link', { name: 'v1', exact: true }).first().click()
	await expect(page.getByRole('heading', { level: 1, name: /Version v1/ })).toBeVisible()
	expect(hub.requests.some((r) => r.path.includes('/resolve/') && r.authorization === `Bearer ${HF_TOKEN}`)).toBe(true)
})

test('in Arabic on a phone, the Hub import page reads right to left, fits the screen, and imports a public split', async ({ page }) => {
	await page.setViewportSize({ width: 390, height: 844 })
	await signUp(page, { email: uniqueEmail('hub-ar'), name: 'Hana', password: 'a long passphrase for e2e' })
	const slug = await createDataset(page, 'hubar')
	await page.goto(`/datasets/${slug}/versions/new-from-hub`)
	await chooseLanguage(page, 'العربية')
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl')
	await expect(page.getByRole('heading', { level: 1, name: msg('ar', 'datasets:hub.title') })).toBeVisible()
	await expectNoHorizontalOverflow(page, 'the Hub import page on a phone, in Arabic')
	await expectAccessible(page)
	await page.getByLabel(msg('ar', 'datasets:fields.label')).fill('v1')
	await page.getByLabel(msg('ar', 'datasets:hub.repo'), { exact: true }).fill(PUBLIC)
	await page.getByLabel(msg('ar', 'datasets:hub.idColumn')).fill('prompt_id')
	await page.getByRole('button', { name: msg('ar', 'datasets:hub.submit') }).click()
	await expect(page.getByRole('status')).toContainText(msg('ar', 'datasets:imports.succeeded_few', { count: '7' }))
	await expectAccessible(page)
})

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false })

	test('the Hub import is a plain form: a public split in two shards becomes v1', async ({ page }) => {
		await signUp(page, { email: uniqueEmail('hub-nojs'), name: 'Nuru', password: 'a long passphrase for e2e' })
		const slug = await createDataset(page, 'hubnojs')
		await page.goto(`/datasets/${slug}/versions/new-from-hub`)
		await page.getByLabel('Version label').fill('v1')
		await page.getByLabel('Repository').fill(PUBLIC)
		await page.getByLabel('Id column').fill('prompt_id')
		await page.getByRole('button', { name: 'Import from the Hub' }).click()
		await expect(page.getByRole('status')).toContainText('7 samples imported.')
	})
})
