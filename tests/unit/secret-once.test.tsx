import { parse } from 'parse5'
import { describe, expect, test } from 'vitest'
import * as tokensPage from '#app/routes/account+/tokens.tsx'
import * as webhooksPage from '#app/routes/datasets+/$slug+/webhooks.tsx'
import { getI18n } from '#app/utils/i18n.server.ts'
import { renderRoute, type RouteModule } from '#tests/render-route.ts'

type Node = { nodeName: string; attrs?: Array<{ name: string; value: string }>; childNodes?: Node[]; value?: string }
const attr = (n: Node, name: string) => n.attrs?.find((a) => a.name === name)?.value
const all = (n: Node): Node[] => [n, ...(n.childNodes ?? []).flatMap(all)]
const text = (n: Node): string =>
	all(n)
		.map((c) => (c.nodeName === '#text' ? c.value : ''))
		.join('')

/** The field holding `value`, its label and the text it is described by, as a browser reads them. */
function secretField(html: string, value: string) {
	const nodes = all(parse(html) as Node)
	const input = nodes.find((n) => n.nodeName === 'input' && attr(n, 'value') === value)
	if (!input) throw new Error(`no field shows ${value}`)
	const label = nodes.find((n) => n.nodeName === 'label' && attr(n, 'for') === attr(input, 'id'))
	const hint = nodes.find((n) => attr(n, 'id') === attr(input, 'aria-describedby'))
	const panel = nodes.find((n) => all(n).includes(input) && (attr(n, 'role') === 'status' || n.nodeName === 'section'))
	return { input, label: label && text(label), hint: hint && text(hint), panel }
}

const t = getI18n('en').t
const tokens = { tokens: [], choices: [{ slug: 'd', name: 'D' }] }
const hooks = { dataset: { slug: 'd', name: 'D' }, webhooks: [], urlPolicy: { allowPrivateNetworks: false } }

describe('a new secret is shown once, in a labelled read-only field described by the warning', () => {
	test('API token: the panel is the status message of the form', async () => {
		const html = await renderRoute(tokensPage as RouteModule, {
			path: '/account/tokens',
			data: tokens,
			actionData: { result: null, created: { token: 'rt_live_123', name: 'pipeline', prefix: 'rt_live' }, notice: null },
		})
		const field = secretField(html, 'rt_live_123')
		expect(field.label).toBe(t('api:tokens.newToken'))
		expect(field.hint).toBe(t('api:tokens.shownOnce'))
		expect(attr(field.input, 'readonly')).toBe('')
		expect(attr(field.input, 'dir')).toBe('ltr')
		expect(attr(field.panel!, 'role')).toBe('status')
		expect(text(field.panel!)).toContain('pipeline')
	})

	test('webhook signing secret: the panel is a section named by its heading, with the URL', async () => {
		const html = await renderRoute(webhooksPage as RouteModule, {
			path: '/datasets/d/webhooks',
			data: hooks,
			actionData: { result: null, created: { url: 'https://hooks.example.org/x', secret: 'whsec_456' }, notice: 'notices.created' },
			language: 'ar',
		})
		const field = secretField(html, 'whsec_456')
		const ar = getI18n('ar').t
		expect(field.label).toBe(ar('webhooks:secret.label'))
		expect(field.hint).toBe(ar('webhooks:secret.once'))
		expect(attr(field.input, 'dir')).toBe('ltr')
		const heading = all(field.panel!).find((n) => n.nodeName === 'h2')!
		expect(attr(field.panel!, 'aria-labelledby')).toBe(attr(heading, 'id'))
		expect(text(heading)).toBe(ar('webhooks:secret.title'))
		expect(text(field.panel!)).toContain('https://hooks.example.org/x')
	})

	test('no panel without a new secret', async () => {
		const html = await renderRoute(tokensPage as RouteModule, { path: '/account/tokens', data: tokens })
		expect(html).not.toContain('readonly')
	})
})
