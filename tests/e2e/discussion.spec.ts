import { expect, expectAccessible, test, uniqueEmail } from './fixtures.ts'
import { acceptAsNewcomer, createDemoRound, demoOwner, invite, signIn } from './round-helpers.ts'
import { confirmRoundAction } from './team-helpers.ts'

test('participants discuss a use case; the team hides a reply with a reason that everyone then sees', async ({ page, browser }) => {
	await signIn(page, demoOwner)
	const roundId = await createDemoRound(page)
	const first = uniqueEmail('first')
	const second = uniqueEmail('second')
	await invite(page, first, 'community')
	await invite(page, second, 'community')
	await confirmRoundAction(page, 'Open the round')
	await expect(page.getByText('Open', { exact: true })).toBeVisible()
	await page.goto('/datasets/tutoring-hints')
	const history = page.getByRole('link', { name: /^History of “Fine-tuning a hint-generation model/ })
	const useCaseId = (await history.getAttribute('href'))!.split('/use-cases/')[1]!.split('/')[0]!
	const discussion = `/rounds/${roundId}/use-cases/${useCaseId}`

	// The first participant raises a concern.
	const a = await acceptAsNewcomer(browser, first, 'Farah First')
	await a.page.goto(discussion)
	await expect(a.page.getByRole('heading', { level: 1, name: 'Fine-tuning a hint-generation model for a free tutoring app' })).toBeVisible()
	await expectAccessible(a.page)
	await a.page.getByRole('radio', { name: 'Concerned' }).check()
	await a.page.getByLabel('Your comment').fill('Hints that **adapt to the student** may talk down to some of them.')
	await a.page.getByRole('button', { name: 'Post comment' }).click()
	// Fewer than 3 community members have given feedback: nobody has a per-person pseudonym yet.
	const concern = a.page.getByRole('article', { name: 'A community member (you)', exact: true })
	await expect(concern.locator('header').getByText('Concerned', { exact: true })).toBeVisible()
	await expect(concern.locator('strong', { hasText: 'adapt to the student' })).toBeVisible()
	await expectAccessible(a.page)

	// The second replies, opposed — with JavaScript off, in the same session (axe runs on the same page with it on): the reply form sits in a <details>.
	const b = await acceptAsNewcomer(browser, second, 'Sami Second')
	await b.page.goto(discussion)
	await expectAccessible(b.page)
	const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await b.context.storageState() })
	const plain = await noJs.newPage()
	await plain.goto(discussion)
	const thread = plain.getByRole('article', { name: 'A community member', exact: true }).filter({ hasText: 'adapt to the student' }).last()
	await thread.getByText('Reply', { exact: true }).click()
	await thread.getByRole('radio', { name: 'Opposed' }).check()
	await thread.getByLabel('Your reply').fill('This should not ship until teachers review the hints.')
	await thread.getByRole('button', { name: 'Post reply' }).click()
	await expect(plain.getByRole('article', { name: 'A community member (you)', exact: true }).locator('header').getByText('Opposed', { exact: true })).toBeVisible()
	await b.page.reload()
	await expect(b.page.getByRole('article', { name: 'A community member (you)', exact: true })).toContainText('This should not ship')
	await expectAccessible(b.page)

	// The owner sees pseudonyms only, and hides the reply with a reason.
	await page.goto(`/datasets/tutoring-hints/use-cases/${useCaseId}/discussion`)
	for (const secret of ['Farah First', 'Sami Second', first, second]) await expect(page.locator('body')).not.toContainText(secret)
	await expectAccessible(page)
	const target = page.getByRole('article', { name: 'A community member', exact: true }).filter({ hasText: 'This should not ship' }).last()
	await target.getByText('Hide', { exact: true }).click()
	const reason = 'Off-topic for this use case'
	await target.getByLabel('Reason, shown to everyone').fill(reason)
	await target.getByRole('button', { name: 'Hide comment' }).click()
	await expect(page.getByText(`Hidden by the dataset team: ${reason}`)).toBeVisible()
	await expect(page.getByText('This should not ship')).toHaveCount(0)
	await expectAccessible(page)

	// Everyone now reads the reason instead of the reply.
	await a.page.reload()
	await expect(a.page.getByText(`Hidden by the dataset team: ${reason}`)).toBeVisible()
	await expect(a.page.getByText('This should not ship')).toHaveCount(0)
	await expectAccessible(a.page)

	await Promise.all([a.context.close(), b.context.close(), noJs.close()])
})
