import { type Browser, type Page } from '@playwright/test'
import { type ConsoleErrors, expect, expectAccessible, test, uniqueEmail, waitForHydration } from './fixtures.ts'
import { invitationPath, mailTo } from './mail.ts'
import { confirmRoundAction, createDataset, createVersion, openRound, uploadText } from './team-helpers.ts'

// The focus view's local queue (issue 24, decision 051): with JavaScript a verdict shows the next
// sample without waiting for the server, and verdicts given offline wait in the browser until the
// connection returns. The no-JavaScript review loop is review.spec.ts and reviewer-journey.spec.ts.

const password = 'a long passphrase for e2e'
const PHONE = { width: 390, height: 844 }

/**
 * The demo owner opens a one-reviewer-per-sample round, on the 15 workplace emails or (`samples`)
 * on a dataset of their own with that many samples; one reviewer joins on a phone.
 */
async function reviewerOnPhone(page: Page, browser: Browser, consoleErrors: ConsoleErrors, samples?: string) {
	await page.goto('/signin')
	await page.getByLabel('Email').fill('ada.owner@roundtable.test')
	await page.getByLabel('Password').fill('roundtable-demo')
	await page.getByRole('button', { name: 'Sign in' }).click()
	await expect(page.getByRole('banner').getByRole('link', { name: 'Datasets' })).toBeVisible()
	const email = uniqueEmail('queue')
	if (samples) {
		const slug = await createDataset(page, 'queue')
		await createVersion(page, slug, 'v1', null)
		await uploadText(page, 'queue.jsonl', samples)
		await openRound(page, slug, 'v1', email)
	} else {
		await page.goto('/datasets/workplace-emails/versions/v1/rounds/new')
		const title = `Queue ${Date.now().toString(36)}`
		await page.getByLabel('Title', { exact: true }).fill(title)
		await page.getByLabel('Reviewers per sample').fill('1')
		await page.getByRole('button', { name: 'Create round' }).click()
		await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
		await page.getByLabel('Email addresses').fill(email)
		await page.getByRole('button', { name: 'Send invitations' }).click()
		await expect(page.getByRole('status')).toContainText(`Invited ${email}.`)
		await confirmRoundAction(page, 'Open the round')
	}
	const context = consoleErrors.watch(await browser.newContext({ viewport: PHONE }))
	const reviewer = await context.newPage()
	await reviewer.goto(invitationPath(await mailTo(email)))
	await reviewer.getByLabel('Display name').fill('Rev')
	await reviewer.getByLabel('Password').fill(password)
	await reviewer.getByRole('button', { name: 'Create account and accept' }).click()
	await reviewer.getByRole('button', { name: 'I understand and want to take part' }).click()
	await reviewer.getByRole('link', { name: 'Start reviewing' }).click()
	await expect(reviewer.getByRole('heading', { level: 1 })).toContainText('Sample')
	await waitForHydration(reviewer)
	return { reviewer, context }
}

/** Keeps the largest look-ahead (20 samples) and waits until `ahead` are loaded. */
async function loadAll(reviewer: Page, ahead = 14) {
	await reviewer.getByLabel('Samples kept ready').selectOption('20')
	await expect(reviewer.locator('[data-loaded-ahead]')).toHaveAttribute('data-loaded-ahead', String(ahead))
}

const shownId = (reviewer: Page) => reviewer.locator('h1[data-sample-id]').getAttribute('data-sample-id')

test('on a 400 ms connection, a verdict shows the next sample without waiting for the server (the median of 20 is recorded)', async ({ page, browser, consoleErrors }) => {
	const { reviewer, context } = await reviewerOnPhone(page, browser, consoleErrors)
	await loadAll(reviewer)
	// 200 ms each way: every request waits 400 ms for its answer.
	const cdp = await context.newCDPSession(reviewer)
	await cdp.send('Network.enable')
	await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 400, downloadThroughput: -1, uploadThroughput: -1 })
	// Measured in the page: from the key press to the frame after the next sample's heading changed.
	await reviewer.evaluate(() => {
		const w = window as unknown as { latencies: number[]; rendered: number[]; shown: string | undefined }
		w.latencies = []
		w.rendered = []
		let pressed: number | null = null
		window.addEventListener('keydown', (e) => (e.key === 'n' ? (pressed = performance.now()) : null), true)
		const current = () => document.querySelector<HTMLElement>('h1[data-sample-id]')?.dataset.sampleId
		w.shown = current()
		new MutationObserver(() => {
			const id = current()
			if (!id || id === w.shown) return
			w.shown = id
			if (pressed === null) return
			const at = pressed
			pressed = null
			w.rendered.push(performance.now() - at)
			// The frame that paints it.
			requestAnimationFrame(() => w.latencies.push(performance.now() - at))
		}).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-sample-id'] })
	})
	const heading = reviewer.getByRole('heading', { level: 1 })
	// 14 verdicts that go forward, and 6 changed verdicts (back one sample, then "no concerns" again) that go forward to the next one waiting.
	let presses = 0
	for (let i = 0; presses < 20; i++) {
		const before = await shownId(reviewer)
		await reviewer.keyboard.press('n')
		presses++
		await expect(heading).not.toHaveText(`Sample ${before}`)
		if (i % 2 === 1 && presses < 20) {
			await reviewer.keyboard.press('k')
			await expect(heading).toHaveText(`Sample ${before}`)
			// The changed verdict waits locally in place of the first one.
			await expect(reviewer.getByRole('heading', { level: 2, name: /You said: No concerns/ })).toBeVisible()
			await reviewer.keyboard.press('n')
			presses++
			await expect(heading).not.toHaveText(`Sample ${before}`)
		}
	}
	await expect.poll(() => reviewer.evaluate(() => (window as unknown as { latencies: number[] }).latencies.length)).toBe(20)
	const { latencies, rendered } = await reviewer.evaluate(() => {
		const w = window as unknown as { latencies: number[]; rendered: number[] }
		return { latencies: w.latencies, rendered: w.rendered }
	})
	const sorted = [...latencies].sort((a, b) => a - b)
	const median = (sorted[9]! + sorted[10]!) / 2
	const renderedSorted = [...rendered].sort((a, b) => a - b)
	const figure = `key press to next sample: median ${median.toFixed(1)} ms, max ${sorted[19]!.toFixed(1)} ms (in the DOM: median ${((renderedSorted[9]! + renderedSorted[10]!) / 2).toFixed(1)} ms)`
	test.info().annotations.push({ type: 'latency', description: figure })
	console.log(figure)
	// What must hold on any machine: no sample waited for its verdict's answer (400 ms away). The
	// issue's 50 ms is a speed figure, read from the annotation on a quiet machine (decision 051):
	// a timed bound this tight fails on a loaded 2-core runner, as it did twice at load 14–19.
	expect(median).toBeLessThan(200)
	// Everything reaches the server in the background, and the loaders never ran again.
	await expect(reviewer.locator('[data-waiting]')).toHaveCount(0, { timeout: 20_000 })
	await expectAccessible(reviewer)
	await context.close()
})

const QUOTE = 'works well for someone your age'
/** 30 samples, so that 30 verdicts can be given offline: 9 sent, then 21 loaded (the one shown and 20 ahead). */
const thirty = Array.from({ length: 30 }, (_, i) =>
	JSON.stringify({ id: `mail-${String(i + 1).padStart(2, '0')}`, content: `Reminder ${i + 1}: the new rota ${QUOTE}, says the persona.`, language: 'en', metadata: { persona: { origin: 'Lagos' } } }),
).join('\n')

test('offline, 30 verdicts wait in the browser, survive a reload, and are recorded once each when the connection returns', async ({ page, browser, consoleErrors }) => {
	test.setTimeout(300_000)
	const { reviewer, context } = await reviewerOnPhone(page, browser, consoleErrors, thirty)
	// Requests that fail while offline are logged by Chromium.
	consoleErrors.allow(/Failed to load resource: net::ERR_(INTERNET_DISCONNECTED|FAILED)/)
	const heading = reviewer.getByRole('heading', { level: 1 })
	const base = new URL(reviewer.url()).pathname.replace(/[^/]+$/, '')
	const next = async (id: string) => await expect(heading).not.toHaveText(`Sample ${id}`)
	await loadAll(reviewer, 20)
	// Online: nine verdicts, sent as they are given; the page loads more behind them.
	const sentOnline: string[] = []
	for (let i = 0; i < 9; i++) {
		const id = (await shownId(reviewer))!
		sentOnline.push(id)
		await reviewer.keyboard.press('n')
		await next(id)
	}
	await expect(reviewer.locator('[data-waiting]')).toHaveCount(0, { timeout: 20_000 })
	await expect(reviewer.locator('[data-loaded-ahead]')).toHaveAttribute('data-loaded-ahead', '20')

	await context.setOffline(true)
	// Nine of the verdicts already sent are changed: back to each, "skip" it, and on to the next one still waiting.
	for (let back = 1; back <= 9; back++) {
		for (let k = 0; k < back; k++) await reviewer.keyboard.press('k')
		const id = sentOnline[9 - back]!
		await expect(heading).toHaveText(`Sample ${id}`)
		await expect(reviewer.getByRole('heading', { level: 2, name: /You said: No concerns/ })).toBeVisible()
		await reviewer.getByLabel('Why skip? (optional)').fill('Second look')
		await reviewer.getByRole('button', { name: 'Skip' }).click()
		await next(id)
	}
	// Then the 21 loaded and not yet judged, forward.
	const ids: string[] = []
	for (let i = 0; i < 21; i++) {
		const id = (await shownId(reviewer))!
		ids.push(id)
		if (i === 3) {
			// The flag form of each new sample starts empty.
			await expect(reviewer.getByLabel('Why? (required for major and critical)')).toHaveValue('')
			await reviewer.keyboard.press('f')
			await reviewer.keyboard.press('1')
			await reviewer.getByRole('radio', { name: 'Major' }).check()
			await reviewer.getByLabel('Why? (required for major and critical)').fill('Mocks older staff.')
			await reviewer.getByLabel('Quote the part that is wrong (optional)').fill(QUOTE)
			await reviewer.getByRole('button', { name: 'Flag and go to the next sample' }).click()
		} else if (i === 5) {
			await reviewer.getByLabel('Why skip? (optional)').fill('Not my language')
			await reviewer.getByRole('button', { name: 'Skip' }).click()
		} else {
			await reviewer.keyboard.press('n')
		}
		if (i < 20) {
			await next(id)
			if (i === 4) {
				await expect(reviewer.getByLabel('Why? (required for major and critical)')).toHaveValue('')
				// What waits is said under the verdict buttons: its panel never moves the sample or the buttons.
				const button = (await reviewer.getByRole('button', { name: 'No concerns', exact: true }).boundingBox())!
				const waiting = (await reviewer.locator('[data-waiting]').boundingBox())!
				expect(waiting.y).toBeGreaterThanOrEqual(button.y + button.height)
			}
		}
		if (i === 8) {
			// An edit of a verdict still waiting: back one sample, skip it instead; it replaces the waiting one here.
			await reviewer.keyboard.press('k')
			await expect(heading).toHaveText(`Sample ${id}`)
			await reviewer.getByRole('button', { name: 'Skip' }).click()
			await next(id)
		}
	}
	// The end of what is loaded: the page says what waits, and why. Thirty samples, one verdict each (the edit replaced its first).
	await expect(reviewer.getByRole('heading', { level: 1, name: 'No more samples loaded' })).toBeVisible()
	await expect(reviewer.locator('[data-waiting]')).toHaveText('30 verdicts waiting to be sent. You are offline: they are kept on this device and will be sent when the connection returns.')
	await expect(reviewer.locator('[data-outbox]')).toHaveAttribute('aria-live', 'polite')

	// Reloaded before anything could be sent: the connection is back, but the server stays out of reach until after the reload.
	await reviewer.route('**/review-sync', (route) => route.abort())
	await context.setOffline(false)
	await reviewer.reload()
	await waitForHydration(reviewer)
	await expect(reviewer.locator('[data-waiting]')).toContainText('30 verdicts waiting to be sent.')
	await reviewer.unroute('**/review-sync')
	await expect(reviewer.locator('[data-waiting]')).toHaveCount(0, { timeout: 30_000 })
	await expect(reviewer.locator('[data-conflicts]')).toHaveCount(0)

	// What the server holds, from its own pages (nothing waits in the browser now): each sample once, as last given.
	await reviewer.goto(base.slice(0, -1))
	await expect(reviewer.getByRole('heading', { level: 1, name: 'You have reviewed every sample in your queue. Thank you!' })).toBeVisible()
	await expect(reviewer.getByRole('status')).toHaveText('30 of 30 reviewed')
	const own = async (id: string, verdict: string) => {
		await reviewer.goto(`${base}${encodeURIComponent(id)}`)
		await expect(reviewer.getByRole('heading', { level: 2, name: `You said: ${verdict}` })).toBeVisible()
	}
	await own(ids[3]!, 'Flagged')
	// One flag, with its quote: sent once.
	await expect(reviewer.locator('#own-heading + ul > li')).toHaveCount(1)
	await expect(reviewer.locator('blockquote')).toHaveText(QUOTE)
	await own(ids[5]!, 'Skipped')
	await expect(reviewer.getByText('Not my language')).toBeVisible()
	await own(ids[8]!, 'Skipped')
	for (const i of [0, 9, 20]) await own(ids[i]!, 'No concerns')
	// The changed verdicts replaced the ones sent online.
	for (const id of sentOnline) {
		await own(id, 'Skipped')
		await expect(reviewer.getByText('Second look')).toBeVisible()
	}
	await expectAccessible(reviewer)
	await context.close()
})
