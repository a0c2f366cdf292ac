import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { type Page } from '@playwright/test'
import { supportedLanguages } from '#app/domain/enums.ts'
import { directionOf, type Language, languageNames } from '#app/utils/i18n.ts'
import { expect, expectAccessible, expectNoHorizontalOverflow, msg, test, uniqueEmail, waitForHydration } from './fixtures.ts'
import { chooseLanguage } from './language.ts'
import { invitationPath, mailTo } from './mail.ts'
import { createDemoRound, demoOwner, invite, signIn } from './round-helpers.ts'
import { confirmRoundAction } from './team-helpers.ts'

// Issue #25: a reviewer's round read in Urdu and in Chinese, and the focus view on a phone in every language.

const PHONE = { width: 390, height: 844 }
const password = 'a long passphrase for e2e'

/** Every translation key of every namespace ("review:flag.submit" is "flag.submit" in review.json): none may show as text. */
const keys = (() => {
	const out = new Set<string>()
	const walk = (o: Record<string, unknown>, prefix: string) => {
		for (const [k, v] of Object.entries(o)) {
			if (v && typeof v === 'object') walk(v as Record<string, unknown>, `${prefix}${k}.`)
			else out.add(`${prefix}${k}`.replace(/_(zero|one|two|few|many|other)$/, ''))
		}
	}
	for (const file of readdirSync(path.resolve('locales/en'))) walk(JSON.parse(readFileSync(path.resolve('locales/en', file), 'utf8')) as Record<string, unknown>, '')
	// A key of one word could be a word of the page; keys with a dot cannot.
	return [...out].filter((k) => k.includes('.'))
})()

/** The page reads in `lng`: its lang and dir, and no bare translation key anywhere in its text. */
async function expectTranslated(page: Page, lng: Language) {
	await expect(page.locator('html')).toHaveAttribute('lang', lng)
	await expect(page.locator('html')).toHaveAttribute('dir', directionOf(lng))
	const text = await page.locator('body').innerText()
	expect(
		keys.filter((k) => text.includes(k)),
		`bare keys on ${page.url()}`,
	).toEqual([])
}

for (const [lng, name] of [
	['ur', 'Urdu'],
	['zh-Hans', 'Simplified Chinese'],
] as const) {
	test(`a reviewer takes part in ${name}: consent, a flag, a comment and My feedback, on a phone`, async ({ page, browser, consoleErrors }) => {
		const m = (key: string, vars?: Record<string, string>) => msg(lng, key, vars)
		await signIn(page, demoOwner)
		await createDemoRound(page)
		const email = uniqueEmail(`lang-${lng.toLowerCase()}`)
		await invite(page, email, 'community')
		await confirmRoundAction(page, 'Open the round')

		const context = consoleErrors.watch(await browser.newContext({ viewport: PHONE }))
		const reviewer = await context.newPage()
		await reviewer.goto(invitationPath(await mailTo(email)))
		await waitForHydration(reviewer)
		await chooseLanguage(reviewer, languageNames[lng])
		await waitForHydration(reviewer)
		await expectTranslated(reviewer, lng)
		await expectAccessible(reviewer)
		await reviewer.getByLabel(m('auth:fields.displayName')).fill('Rev')
		await reviewer.getByLabel(m('auth:fields.password')).fill(password)
		await reviewer.getByRole('button', { name: m('rounds:accept.createAndAccept') }).click()

		// Consent, in the reader's language.
		await expect(reviewer.getByRole('button', { name: m('rounds:consent.agree') })).toBeVisible()
		await expectTranslated(reviewer, lng)
		await expectAccessible(reviewer)
		await reviewer.getByRole('button', { name: m('rounds:consent.agree') }).click()
		await expect(reviewer.getByRole('link', { name: m('rounds:home.start') })).toBeVisible()
		await expectTranslated(reviewer, lng)
		await expectAccessible(reviewer)
		const useCase = (await reviewer.locator('a[href*="/use-cases/"]').first().getAttribute('href'))!

		// The focus view, and a flag.
		await reviewer.getByRole('link', { name: m('rounds:home.start') }).click()
		const heading = reviewer.getByRole('heading', { level: 1 })
		await expect(heading).toBeFocused()
		await waitForHydration(reviewer)
		await expectTranslated(reviewer, lng)
		await expectNoHorizontalOverflow(reviewer, 'the focus view')
		await expectAccessible(reviewer)
		const first = (await heading.textContent())!
		await reviewer.getByRole('link', { name: m('review:verdict.flag'), exact: true }).click()
		await reviewer.locator('#category-stereotype').check()
		await reviewer.locator('#severity-major').check()
		const rationale = `${lng}: ${m('review:categories.stereotype.label')}`
		await reviewer.locator('#rationale').fill(rationale)
		await reviewer.getByRole('button', { name: m('review:flag.submit') }).click()
		await expect(heading).not.toHaveText(first)
		await expectTranslated(reviewer, lng)

		// A comment on the use case.
		await reviewer.goto(useCase)
		await waitForHydration(reviewer)
		await expectTranslated(reviewer, lng)
		await expectAccessible(reviewer)
		await reviewer.getByRole('radio', { name: m('discussion:stance.concerned') }).check()
		const comment = lng === 'ur' ? 'یہ اشارے کچھ طلبہ کو کم تر سمجھ سکتے ہیں۔' : '这些提示可能会看低一些学生。'
		await reviewer.getByLabel(m('discussion:new.body')).first().fill(comment)
		await reviewer.getByRole('button', { name: m('discussion:new.submit') }).click()
		await expect(reviewer.getByRole('article').filter({ hasText: comment })).toBeVisible()
		await expectTranslated(reviewer, lng)
		await expectAccessible(reviewer)

		// My feedback lists the flag, in the same language.
		await reviewer.getByRole('link', { name: m('shell.myFeedback') }).click()
		await expect(reviewer.getByText(rationale)).toBeVisible()
		await expectTranslated(reviewer, lng)
		await expectNoHorizontalOverflow(reviewer, 'My feedback')
		await expectAccessible(reviewer)
		await context.close()
	})
}

test('the focus view fits a 390 px phone in each of the ten languages', async ({ page, browser, consoleErrors }, testInfo) => {
	await signIn(page, demoOwner)
	const roundId = await createDemoRound(page)
	const email = uniqueEmail('lang-phone')
	await invite(page, email, 'community')
	await confirmRoundAction(page, 'Open the round')

	const context = consoleErrors.watch(await browser.newContext({ viewport: PHONE }))
	const reviewer = await context.newPage()
	await reviewer.goto(invitationPath(await mailTo(email)))
	await reviewer.getByLabel('Display name').fill('Rev')
	await reviewer.getByLabel('Password').fill(password)
	await reviewer.getByRole('button', { name: 'Create account and accept' }).click()
	await reviewer.getByRole('button', { name: 'I understand and want to take part' }).click()
	await reviewer.getByRole('link', { name: 'Start reviewing' }).click()
	await expect(reviewer).toHaveURL(new RegExp(`/rounds/${roundId}/review/`))
	const focusView = reviewer.url()
	await waitForHydration(reviewer)
	// The address changes before React commits the new page: the focus view's heading takes the
	// focus once it has (and a menu opened before then would be closed by that navigation).
	await expect(reviewer.getByRole('heading', { level: 1 })).toBeFocused()

	// The menu from the keyboard: Enter opens it, Escape closes it and gives the focus back; a language chosen with Enter closes it.
	const menu = reviewer.locator('details.language-menu')
	const summary = menu.locator('summary')
	await summary.focus()
	await reviewer.keyboard.press('Enter')
	await expect(menu).toHaveAttribute('open', '')
	await expect(menu.getByRole('button', { name: 'Kiswahili' })).toBeVisible()
	await reviewer.keyboard.press('Escape')
	await expect(menu).not.toHaveAttribute('open')
	await expect(summary).toBeFocused()
	await reviewer.keyboard.press('Enter')
	await menu.getByRole('button', { name: 'Kiswahili' }).focus()
	await reviewer.keyboard.press('Enter')
	await expect(reviewer.locator('html')).toHaveAttribute('lang', 'sw')
	// Back on the same sample, in Swahili, with the menu closed over it.
	await expect(reviewer).toHaveURL(focusView)
	await expect(menu).not.toHaveAttribute('open')
	await expect(reviewer.getByRole('button', { name: msg('sw', 'review:verdict.noConcerns'), exact: true })).toBeVisible()

	for (const lng of supportedLanguages) {
		await chooseLanguage(reviewer, languageNames[lng])
		await expect(reviewer.locator('html')).toHaveAttribute('lang', lng)
		await expect(menu).not.toHaveAttribute('open')
		await reviewer.goto(focusView)
		await waitForHydration(reviewer)
		await expectTranslated(reviewer, lng)
		await expect(reviewer.getByRole('button', { name: msg(lng, 'review:verdict.noConcerns'), exact: true })).toBeVisible()
		// The flag form open too: the taxonomy's longest words are in it.
		await reviewer.getByRole('link', { name: msg(lng, 'review:verdict.flag'), exact: true }).click()
		await expect(reviewer.locator('#category-stereotype')).toBeVisible()
		await expectNoHorizontalOverflow(reviewer, `the focus view in ${lng}`)
		// Kept beside the test's results (test-results/…/focus-view-<lng>.png) for a person to look at.
		const shot = testInfo.outputPath(`focus-view-${lng}.png`)
		await reviewer.screenshot({ path: shot, fullPage: true })
		await testInfo.attach(`focus-view-${lng}.png`, { path: shot, contentType: 'image/png' })
	}
	await context.close()
})
