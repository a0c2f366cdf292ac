import { expect, expectAccessible, msg, openAccountMenu, signUp, test, uniqueEmail, waitForHydration } from './fixtures.ts'
import { chooseLanguage } from './language.ts'

const password = 'a long passphrase for e2e'

test('sign up, sign out, sign in, switch to Arabic, and the profile language persists across sign-in', async ({ page, context }) => {
	const email = uniqueEmail('mariam')
	const name = 'Mariam'

	await page.goto('/')
	await expect(page.locator('html')).toHaveAttribute('lang', 'en')
	await expect(page.locator('html')).toHaveAttribute('dir', 'ltr')
	await expectAccessible(page)

	await page.getByRole('link', { name: 'Create account' }).first().click()
	await expect(page).toHaveURL(/\/signup$/)
	await expectAccessible(page)
	await signUp(page, { email, name, password })
	await expectAccessible(page)

	await openAccountMenu(page)
	await page.getByRole('button', { name: 'Sign out' }).click()
	await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible()

	await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).click()
	await expectAccessible(page)
	await page.getByLabel('Email').fill(email)
	await page.getByLabel('Password').fill(password)
	await page.getByRole('button', { name: 'Sign in' }).click()
	await expect(page.getByRole('heading', { level: 1, name: `Welcome back, ${name}` })).toBeVisible()

	await chooseLanguage(page, 'العربية')
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl')
	await expect(page.locator('html')).toHaveAttribute('lang', 'ar')
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(msg('ar', 'home.welcomeBack', { name }))
	await expect(page.getByRole('link', { name: msg('ar', 'shell.home') })).toBeVisible()
	await expectAccessible(page)

	// Sign out and forget every cookie: only the profile can bring Arabic back.
	await openAccountMenu(page)
	await page.getByRole('button', { name: msg('ar', 'shell.signOut') }).click()
	await context.clearCookies()
	await page.goto('/signin')
	await expect(page.locator('html')).toHaveAttribute('lang', 'en')
	await page.getByLabel('Email').fill(email)
	await page.getByLabel('Password').fill(password)
	await page.getByRole('button', { name: 'Sign in' }).click()
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl')
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(msg('ar', 'home.welcomeBack', { name }))

	await page.goto('/account')
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(msg('ar', 'auth:profile.title'))
	await expect(page.getByRole('combobox', { name: msg('ar', 'auth:fields.preferredLanguage') })).toHaveValue('ar')
	await expectAccessible(page)
})

test('wrong password and unknown email read the same, and the form keeps the email', async ({ page }) => {
	const email = uniqueEmail('same')
	await signUp(page, { email, name: 'Sam', password })
	await page.context().clearCookies()
	for (const who of [email, uniqueEmail('nobody')]) {
		await page.goto('/signin')
		await page.getByLabel('Email').fill(who)
		await page.getByLabel('Password').fill('definitely wrong')
		await page.getByRole('button', { name: 'Sign in' }).click()
		await expect(page.getByRole('alert')).toHaveText(msg('en', 'errors.invalidCredentials'))
		await expect(page.getByLabel('Email')).toHaveValue(who)
	}
	await expectAccessible(page)
})

test('change password from the profile menu; the old password stops working', async ({ page }) => {
	const email = uniqueEmail('pw')
	await signUp(page, { email, name: 'Pat', password })
	await page.goto('/account/password')
	await expectAccessible(page)
	await page.getByLabel('Current password').fill(password)
	await page.getByLabel('New password', { exact: true }).fill('another long passphrase')
	await page.getByLabel('Repeat the new password').fill('another long passphrase')
	await page.getByRole('button', { name: 'Change password' }).click()
	await expect(page.getByRole('status')).toHaveText(msg('en', 'auth:password.changed'))
	await page.context().clearCookies()
	await page.goto('/signin')
	await page.getByLabel('Email').fill(email)
	await page.getByLabel('Password').fill(password)
	await page.getByRole('button', { name: 'Sign in' }).click()
	await expect(page.getByRole('alert')).toBeVisible()
})

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false })

	test('sign up, switch language and sign out work as plain form posts', async ({ page }) => {
		await page.goto('/signup')
		await page.getByLabel('Email').fill('not an email')
		await page.getByLabel('Display name').fill('Nojs')
		await page.getByLabel('Password').fill(password)
		await page.getByRole('button', { name: 'Create account' }).click()
		await expect(page.getByText(msg('en', 'validation.email'))).toBeVisible()
		await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true')
		// (axe needs JavaScript in the page; the same markup is scanned in the tests above.)

		await page.getByLabel('Email').fill(uniqueEmail('nojs'))
		await page.getByLabel('Password').fill(password)
		await page.getByRole('button', { name: 'Create account' }).click()
		await expect(page.getByRole('heading', { level: 1, name: 'Welcome back, Nojs' })).toBeVisible()

		await chooseLanguage(page, 'Français')
		await expect(page.locator('html')).toHaveAttribute('lang', 'fr')
		await openAccountMenu(page)
		await page.getByRole('button', { name: msg('fr', 'shell.signOut') }).click()
		await expect(page.getByRole('banner').getByRole('link', { name: msg('fr', 'shell.signIn') })).toBeVisible()
	})
})

test('with JavaScript, mistakes are shown next to their fields before anything is sent', async ({ page }) => {
	await page.goto('/signup')
	await waitForHydration(page)
	let posted = false
	page.on('request', (r) => {
		if (r.method() === 'POST') posted = true
	})
	await page.getByLabel('Email').fill('not-an-email')
	await page.getByRole('button', { name: 'Create account' }).click()
	await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true')
	await expect(page.getByText(msg('en', 'validation.email'))).toBeVisible()
	await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true')
	await expect(page.getByLabel('Email')).toBeFocused()
	expect(posted).toBe(false)
	await expectAccessible(page)
})
