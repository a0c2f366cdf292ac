import { readFileSync } from 'node:fs'
import AxeBuilder from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'

/** Every page the suite visits goes through this: zero serious or critical axe violations. */
export async function expectAccessible(page: Page) {
	const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze()
	const serious = results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }))
	expect(serious, `axe on ${page.url()}`).toEqual([])
}

export function uniqueEmail(tag: string) {
	return `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.org`
}

type Messages = Record<string, unknown>
const cache = new Map<string, Messages>()

/** A string from the shipped translation files, so tests check what a reader really sees. */
export function msg(lng: string, key: string, vars: Record<string, string> = {}) {
	const [ns, path] = key.includes(':') ? (key.split(':') as [string, string]) : ['common', key]
	const file = `locales/${lng}/${ns}.json`
	let data = cache.get(file)
	if (!data) {
		data = JSON.parse(readFileSync(file, 'utf8')) as Messages
		cache.set(file, data)
	}
	let value: unknown = data
	for (const part of path.split('.')) value = (value as Messages)[part]
	if (typeof value !== 'string') throw new Error(`No string ${lng}:${key}`)
	return value.replace(/{{\s*(\w+)\s*}}/g, (_, k: string) => vars[k] ?? '')
}

export async function signUp(page: Page, { email, name, password }: { email: string; name: string; password: string }) {
	await page.goto('/signup')
	await page.getByLabel('Email').fill(email)
	await page.getByLabel('Display name').fill(name)
	await page.getByLabel('Password').fill(password)
	await page.getByRole('button', { name: 'Create account' }).click()
	await expect(page.getByRole('heading', { level: 1, name: `Welcome back, ${name}` })).toBeVisible()
}

export async function openAccountMenu(page: Page) {
	await page.locator('header details > summary').click()
}

/** Waits until React has hydrated the page (root sets data-hydrated), before using JavaScript behaviour. */
export async function waitForHydration(page: Page) {
	await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1)
}
