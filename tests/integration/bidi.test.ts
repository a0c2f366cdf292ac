import { type DefaultTreeAdapterMap, parse } from 'parse5'
import { describe, expect, test } from 'vitest'
import { feedbackUpdatesEmail } from '#app/emails/feedback-emails.server.ts'
import { invitationEmail, roundClosedEmail, roundOpenedEmail, roundReminderEmail } from '#app/emails/round-emails.server.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import * as datasetPage from '#app/routes/datasets+/$slug+/_index.tsx'
import * as versionPage from '#app/routes/datasets+/$slug+/versions.$label+/_index.tsx'
import * as issuePage from '#app/routes/datasets+/$slug+/versions.$label+/issues.$number.tsx'
import * as inboxPage from '#app/routes/datasets+/$slug+/versions.$label+/issues._index.tsx'
import * as roundPage from '#app/routes/datasets+/$slug+/versions.$label+/rounds.$roundId.tsx'
import * as samplePage from '#app/routes/datasets+/$slug+/versions.$label+/samples.$externalId.tsx'
import * as datasetsPage from '#app/routes/datasets+/_index.tsx'
import * as homePage from '#app/routes/_index.tsx'
import * as notificationsPage from '#app/routes/notifications.tsx'
import { action as newRound } from '#app/routes/datasets+/$slug+/versions.$label+/rounds.new.tsx'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import * as feedbackPage from '#app/routes/feedback.tsx'
import * as invitationPage from '#app/routes/invitations.$token.tsx'
import * as roundHome from '#app/routes/rounds+/$roundId+/_index.tsx'
import * as consentPage from '#app/routes/rounds+/$roundId+/consent.tsx'
import * as focusPage from '#app/routes/rounds+/$roundId+/review.$externalId.tsx'
import { getUser } from '#app/utils/auth.server.ts'
import { type Language } from '#app/utils/i18n.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { renderRoute, type RouteModule } from '#tests/render-route.ts'
import { account, tokenFrom } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'
import { action as acceptAction } from '#app/routes/invitations.$token.tsx'
import { action as consentAction } from '#app/routes/rounds+/$roundId+/consent.tsx'

// Every piece of user-supplied text a reviewer meets, written in one direction, rendered in a page
// (and an email) of the other direction: each must be isolated — inside an element of its own that
// carries dir (or a <bdi>), or between FSI and PDI — so "Thank you for helping us!" never reads
// "!Thank you for helping us" in Arabic, and an Arabic title never reorders an English sentence.

useTestDatabase()

const sink = useSmtpSink()

type Values = {
	dataset: string
	round: string
	guidelines: string
	warning: string
	content: string
	metaValue: string
	rationale: string
	quote: string
	rewrite: string
	expertise: string
	message: string
}

const rtl: Values = {
	dataset: 'بيانات الحوار!',
	round: 'جولة المراجعة الأولى!',
	guidelines: 'شكرًا لمساعدتنا!',
	warning: 'تحتوي بعض النصوص على صور نمطية!',
	content: 'مرحبًا يا فريق، الاجتماع غدًا!',
	metaValue: 'عمّان، الأردن!',
	rationale: 'يسخر من اللهجة!',
	quote: 'يا فريق!',
	rewrite: 'مرحبًا بالجميع!',
	expertise: 'علم اللغة!',
	message: 'نرجو مشاركتكم!',
}
const ltr: Values = {
	dataset: 'Dialogue data!',
	round: 'First review round!',
	guidelines: 'Thank you for helping us!',
	warning: 'Some texts mock accents!',
	content: 'Hello team, the meeting is tomorrow!',
	metaValue: 'Lagos, Nigeria!',
	rationale: 'Mocks the accent!',
	quote: 'Hello team!',
	rewrite: 'Hello everyone!',
	expertise: 'Sociolinguistics!',
	message: 'We hope you will join!',
}

type Node = DefaultTreeAdapterMap['node']
type Element = DefaultTreeAdapterMap['element']
const FSI = '\u2068'
const PDI = '\u2069'

function textOf(node: Node): string {
	if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value
	return 'childNodes' in node ? node.childNodes.map(textOf).join('') : ''
}

/** Where `value` appears in a text node without isolation: no FSI…PDI around it, and no dir/bdi element holding exactly it. */
function unisolated(html: string, value: string): string[] {
	const found: string[] = []
	const walk = (node: Node, ancestors: Element[]) => {
		if (node.nodeName === '#text') {
			const text = (node as DefaultTreeAdapterMap['textNode']).value
			if (!text.includes(value)) return
			if (text.includes(`${FSI}${value}${PDI}`)) return
			const holder = [...ancestors].reverse().find((a) => a.tagName === 'bdi' || a.attrs.some((x) => x.name === 'dir'))
			const inHead = ancestors.some((a) => a.tagName === 'head' || a.tagName === 'title')
			if (inHead) return
			if (holder && holder.tagName !== 'html' && textOf(holder).trim() === value) return
			found.push(`<${ancestors.at(-1)?.tagName}> "${text.slice(0, 80)}" (nearest isolating element: ${holder ? `<${holder.tagName}> "${textOf(holder).trim().slice(0, 60)}"` : 'none'})`)
			return
		}
		if ('childNodes' in node) for (const child of node.childNodes) walk(child, node.nodeName === '#document' ? ancestors : [...ancestors, node as Element])
		if (node.nodeName === 'template') walk((node as DefaultTreeAdapterMap['template']).content, ancestors)
	}
	walk(parse(html), [])
	return found
}

/** A dataset with one sample, a round with guidelines and a warning, a reviewer who flagged the sample. */
async function consultation(tag: string, v: Values, language: Language) {
	const owner = await account(`owner-${tag}`, language)
	const slug = `ds-${tag}`
	await run(newDataset, formRequest('/d', { name: v.dataset, slug }, { cookie: owner }))
	await run(newVersion, formRequest('/v', { label: 'v1', generationMethod: 'templates' }, { cookie: owner }), {}, { slug })
	const me = await getUser(getRequest('/', { cookie: owner }))
	const ds = (await getDatasetForMember({ slug, userId: me!.id }))!
	const version = (await getVersion({ datasetId: ds.id, label: 'v1' }))!
	const sampleLanguage = v === rtl ? 'ar' : 'en'
	const body = [JSON.stringify({ id: 's-1', content: v.content, language: sampleLanguage, metadata: { persona: { origin: v.metaValue } } })].join('\n')
	await runImport({
		versionId: version.id,
		format: 'jsonl',
		filename: 's.jsonl',
		userId: me!.id,
		source: (async function* () {
			yield new TextEncoder().encode(body)
		})(),
	})
	const P = { slug, label: 'v1' }
	const created = await run(
		newRound,
		formRequest(
			'/r',
			{ stage: 'validation', title: v.round, guidelines: v.guidelines, contentWarning: v.warning, expertiseOptions: v.expertise, selectionMode: 'all', overlap: '1', blockThreshold: '2' },
			{ cookie: owner },
		),
		{},
		P,
	)
	expect(created.status, JSON.stringify(created.data)).toBe(302)
	const roundId = created.headers.get('Location')!.split('/').pop()!
	const team = (fields: Record<string, string>) => run(roundPage.action, formRequest('/x', fields, { cookie: owner }), {}, { ...P, roundId })
	const email = `reviewer-${tag}@example.org`
	await team({ intent: 'invite', emails: `${email}, expert`, role: 'community', message: v.message, language })
	const token = tokenFrom(sink.messages, email)!
	const invitationHtml = await show(invitationPage, `/invitations/${token}`, { token }, '', language)
	const reviewer = await account(`reviewer-${tag}`, language)
	await run(acceptAction, formRequest(`/invitations/${token}`, { intent: 'accept' }, { cookie: reviewer }), {}, { token })
	const consentHtml = await show(consentPage, `/rounds/${roundId}/consent`, { roundId }, reviewer, language)
	await run(consentAction, formRequest('/c', { agree: 'yes' }, { cookie: reviewer }), {}, { roundId })
	return { owner, reviewer, roundId, P, team, invitationHtml, consentHtml }
}

async function show(mod: RouteModule & { loader?: unknown }, path: string, params: Record<string, string>, cookie: string, language: Language) {
	const res = await run(mod.loader as never, getRequest(path, cookie ? { cookie } : {}), {}, params)
	expect(res.status, `${path}: ${JSON.stringify(res.data).slice(0, 200)}`).toBe(200)
	return renderRoute(mod, { path, data: res.data, language })
}

describe('user-supplied text is isolated from the direction of the page around it', () => {
	for (const [name, values, language] of [
		['right-to-left text in a left-to-right page', rtl, 'en'],
		['left-to-right text in a right-to-left page', ltr, 'ar'],
	] as const) {
		test(`${name}: invitation, consent, round, focus view, My feedback, the team’s pages, notifications`, async () => {
			const tag = language === 'en' ? 'rtl' : 'ltr'
			const c = await consultation(tag, values, language)
			const pages: Array<[string, string, Array<keyof Values>]> = [
				['invitation', c.invitationHtml, ['round', 'dataset', 'message']],
				// The expertise a participant may declare comes from the round's list (the team labels no one).
				['consent', c.consentHtml, ['round', 'dataset', 'warning', 'expertise']],
			]
			// The round opens; the reviewer flags the sample, with a quote and a rewrite.
			const round = (await run(roundPage.loader, getRequest('/x', { cookie: c.owner }), {}, { ...c.P, roundId: c.roundId })).data as { round: { revision: number } }
			await c.team({ intent: 'open', revision: String(round.round.revision), confirmed: 'yes' })
			const flagged = await run(
				focusPage.action,
				formRequest(
					'/f',
					{ intent: 'flag', category: 'stereotype', severity: 'major', rationale: values.rationale, quotedSpan: values.quote, suggestedRewrite: values.rewrite, otherGroups: values.metaValue },
					{ cookie: c.reviewer },
				),
				{},
				{ roundId: c.roundId, externalId: 's-1' },
			)
			expect(flagged.status).toBe(302)
			pages.push(
				['round home', await show(roundHome, `/rounds/${c.roundId}`, { roundId: c.roundId }, c.reviewer, language), ['round', 'dataset', 'guidelines', 'content']],
				[
					'focus view',
					await show(focusPage, `/rounds/${c.roundId}/review/s-1`, { roundId: c.roundId, externalId: 's-1' }, c.reviewer, language),
					['round', 'content', 'metaValue', 'rationale', 'quote'],
				],
				['my feedback', await show(feedbackPage, '/feedback', {}, c.reviewer, language), ['round', 'dataset', 'content', 'rationale']],
			)
			// The team's pages and the reviewer's lists: every value they show is checked too.
			const V = `/datasets/${c.P.slug}/versions/v1`
			const own = (mod: RouteModule & { loader?: unknown }, path: string, params: Record<string, string>, cookie = c.owner) => show(mod, path, params, cookie, language)
			const all = Object.keys(values) as Array<keyof Values>
			const shown = (html: string) => all.filter((k) => html.includes(values[k]))
			for (const [page, html] of [
				['team round page', await own(roundPage, `${V}/rounds/${c.roundId}`, { ...c.P, roundId: c.roundId })],
				['version page', await own(versionPage, V, c.P)],
				['dataset page', await own(datasetPage, `/datasets/${c.P.slug}`, { slug: c.P.slug })],
				['datasets', await own(datasetsPage, '/datasets', {})],
				['issue inbox', await own(inboxPage, `${V}/issues`, c.P)],
				['issue', await own(issuePage, `${V}/issues/1`, { ...c.P, number: '1' })],
				['sample page', await own(samplePage, `${V}/samples/s-1`, { ...c.P, externalId: 's-1' })],
				['reviewer home', await own(homePage, '/', {}, c.reviewer)],
				['notifications', await own(notificationsPage, '/notifications', {}, c.reviewer)],
			] as const) {
				pages.push([page, html, shown(html)])
			}
			const problems: string[] = []
			for (const [page, html, slots] of pages) {
				for (const slot of slots) {
					const value = values[slot]
					expect(html, `${page} shows ${slot}`).toContain(value)
					for (const p of unisolated(html, value)) problems.push(`${page} · ${slot}: ${p}`)
				}
			}
			expect(problems).toEqual([])
		})
	}
})

describe('emails isolate every name, title and date inside their sentences', () => {
	const expiresAt = new Date('2030-03-14T12:00:00Z')
	const link = 'https://roundtable.example.org/invitations/tok'
	for (const [name, v, language] of [
		['right-to-left names in an English email', rtl, 'en'],
		['left-to-right names in an Arabic email', ltr, 'ar'],
	] as const) {
		test(name, () => {
			const rendered = [
				invitationEmail({ language, datasetName: v.dataset, roundTitle: v.round, role: 'expert', expertise: v.expertise, message: v.message, link, expiresAt }),
				invitationEmail({ language, datasetName: v.dataset, roundTitle: v.round, role: 'community', link, expiresAt, inviterLabel: v.metaValue }),
				roundOpenedEmail({ language, roundTitle: v.round, datasetName: v.dataset, link, closesAt: expiresAt }),
				roundReminderEmail({ language, roundTitle: v.round, remaining: 3, link, closesAt: expiresAt }),
				roundClosedEmail({ language, roundTitle: v.round, link }),
				feedbackUpdatesEmail({ language, items: [{ kind: 'issue_acknowledged', params: { dataset: v.dataset, version: 'v1', item: v.round } }], link }),
			]
			const problems: string[] = []
			for (const email of rendered) {
				for (const value of [v.dataset, v.round, v.expertise, v.metaValue]) {
					// In the subject and the text part: between FSI and PDI wherever it appears.
					for (const [part, text] of [
						['subject', email.subject],
						['text', email.text],
					] as const) {
						const at = text.split(value).length - 1
						const isolated = text.split(`${FSI}${value}${PDI}`).length - 1
						if (at !== isolated) problems.push(`${email.subject.slice(0, 40)} · ${part}: ${value} appears ${at} times, isolated ${isolated}`)
					}
					for (const p of unisolated(email.html, value)) problems.push(`${email.subject.slice(0, 40)} · html: ${p}`)
				}
				// The owner's message is a quotation: a block of its own.
				if (email.text.includes(v.message)) expect(email.html).toMatch(/<blockquote[^>]*dir="auto"/)
			}
			expect(problems).toEqual([])
		})
	}
})
