import { sql } from 'drizzle-orm'
import { parse } from 'parse5'
import { describe, expect, test } from 'vitest'
import { buildNextSimilarity } from '#app/jobs/similar.server.ts'
import { FlagFormSchema, sameAsFlagFields } from '#app/domain/review.ts'
import { type SyncRequest } from '#app/domain/review-sync.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import * as focusRoute from '#app/routes/rounds+/$roundId+/review.$externalId.tsx'
import { action as syncAction, type SyncAnswer } from '#app/routes/rounds+/$roundId+/review-sync.ts'
import { getUser } from '#app/utils/auth.server.ts'
import { getFixedT } from '#app/utils/i18n.server.ts'
import { query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { renderRoute } from '#tests/render-route.ts'
import { account, createRound, joinAs, P, setRoundStatus } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

// "Do these look the same?" after a flag (issue #22 item 3): the reviewer's own waiting samples
// like the flagged one, and their yes/no recorded as ordinary verdicts, without JavaScript (the
// page's forms) and with it (the review-sync route the local queue sends to).

useTestDatabase()

const sink = useSmtpSink()

const words = (prefix: string, n: number) => Array.from({ length: n }, (_, k) => `${prefix}${k}`)
const BASE = words('base', 150)
/** BASE with `c` words replaced (every 7th): Jaccard (149 − 2c) / (149 + 2c) with BASE — 1, 0.97, …, 0.76 for c = 0 … 10. */
const changed = (c: number, tag: string) => BASE.map((w, k) => (k % 7 === 3 && Math.floor(k / 7) < c ? `${tag}${k}` : w)).join(' ')
const LEVELS = 11

/**
 * Samples are dealt to the two reviewers alternately in external-id order (overlap 1), so every
 * pair below gives one to each: a-LL-0 / a-LL-1 are the same text with LL words changed (each
 * reviewer holds one text of each level), b-far-* share about 40 % of the text (below the 0.6
 * threshold), c-t* the template and persona (texts of their own), d-tt* only the template, e-pp*
 * only the persona, f-* nothing.
 */
function rows() {
	const out: Array<{ id: string; content: string; metadata?: Record<string, unknown> }> = []
	for (let c = 0; c < LEVELS; c++) for (const twin of [0, 1]) out.push({ id: `a-${String(c).padStart(2, '0')}-${twin}`, content: changed(c, 'x') })
	for (const twin of [0, 1]) out.push({ id: `b-far-${twin}`, content: changed(21, 'far') })
	for (let i = 0; i < 6; i++) out.push({ id: `c-t${i}`, content: words(`tp${i}x`, 20).join(' '), metadata: { template: 'nurse', persona: { name: 'Amaka' } } })
	for (const twin of [0, 1]) out.push({ id: `d-tt${twin}`, content: words(`tt${twin}x`, 20).join(' '), metadata: { template: 'nurse', persona: { name: 'Bo' } } })
	for (const twin of [0, 1]) out.push({ id: `e-pp${twin}`, content: words(`pp${twin}x`, 20).join(' '), metadata: { template: 'farmer', persona: { name: 'Amaka' } } })
	for (let i = 0; i < 6; i++) out.push({ id: `f-${i}`, content: words(`fill${i}x`, 20).join(' ') })
	return out
}

async function setup() {
	const owner = await account('owner')
	await run(newDataset, formRequest('/d', { name: 'Hints', slug: P.slug }, { cookie: owner }))
	const created = await run(
		newVersion,
		formRequest('/v', { label: P.label, generationMethod: 'templates', templateKey: 'template', personaKey: 'persona.name' }, { cookie: owner }),
		{},
		{ slug: P.slug },
	)
	expect(created.status, JSON.stringify(created.data)).toBe(302)
	const me = (await getUser(getRequest('/', { cookie: owner })))!
	const version = (await getVersion({ datasetId: (await getDatasetForMember({ slug: P.slug, userId: me.id }))!.id, label: P.label }))!
	const body = rows()
		.map((r) => JSON.stringify(r))
		.join('\n')
	const outcome = await runImport({
		versionId: version.id,
		format: 'jsonl',
		filename: 'near.jsonl',
		userId: me.id,
		source: (async function* () {
			yield new TextEncoder().encode(body)
		})(),
	})
	expect(outcome.status).toBe('succeeded')
	expect(await buildNextSimilarity()).toEqual({ versionId: version.id, status: 'succeeded' })
	const roundId = await createRound(owner, { overlap: '1' })
	const ana = await joinAs(owner, roundId, 'ana', sink.messages)
	const ben = await joinAs(owner, roundId, 'ben', sink.messages)
	await setRoundStatus(owner, roundId, 'open')
	const anaQueue = await queueOf('ana', roundId)
	const benQueue = await queueOf('ben', roundId)
	// One of each pair each: what the assertions below rely on.
	expect(anaQueue.filter((id) => id.startsWith('a-')).map((id) => id.slice(0, 4))).toEqual(Array.from({ length: LEVELS }, (_, c) => `a-${String(c).padStart(2, '0')}`))
	expect(benQueue.filter((id) => id.startsWith('a-'))).toHaveLength(LEVELS)
	/** Ana's text of each level (0: the one she flags). */
	const level = (c: number) => anaQueue.find((id) => id.startsWith(`a-${String(c).padStart(2, '0')}-`))!
	return { owner, roundId, ana, ben, anaQueue, benQueue, level }
}

async function queueOf(name: string, roundId: string) {
	const rows = await query<{ external_id: string }>(sql`
		select s.external_id from assignments a join samples s on s.id = a.sample_id join participants p on p.id = a.participant_id
		join users u on u.id = p.user_id where u.email = ${`${name}@example.org`} and p.round_id = ${roundId} order by a.position`)
	return rows.map((r) => r.external_id)
}

/** A form post to a sample's page, as the browser sends it (repeated names for lists). */
function post(cookie: string, roundId: string, externalId: string, fields: Array<[string, string]>) {
	const req = formRequest(`/rounds/${roundId}/review/${encodeURIComponent(externalId)}`, {}, { cookie })
	return run(focusRoute.action, new Request(req.url, { method: 'POST', headers: req.headers, body: new URLSearchParams(fields) }), {}, { roundId, externalId })
}

const location = (res: { headers: Headers }) => decodeURIComponent(res.headers.get('Location') ?? '')

async function focusPage(cookie: string, roundId: string, path: string) {
	const url = new URL(path, TEST_ORIGIN)
	const externalId = decodeURIComponent(url.pathname.split('/').pop()!)
	return run(focusRoute.loader, getRequest(`${url.pathname}${url.search}`, { cookie }), {}, { roundId, externalId })
}

type Node = { nodeName: string; tagName?: string; attrs?: Array<{ name: string; value: string }>; childNodes?: Node[] }
const attr = (n: Node, name: string) => n.attrs?.find((a) => a.name === name)?.value
function all(node: Node, match: (n: Node) => boolean, out: Node[] = []): Node[] {
	if (match(node)) out.push(node)
	for (const c of node.childNodes ?? []) all(c, match, out)
	return out
}

/** The prompt as the page renders it without JavaScript: per sample offered, its form's address and fields, and its two buttons. */
async function renderedPrompt(path: string, data: unknown) {
	const html = await renderRoute(focusRoute, { path, data })
	const tree = parse(html) as unknown as Node
	return all(tree, (n) => n.tagName === 'li' && attr(n, 'data-similar-item') !== undefined).map((li) => {
		const [form] = all(li, (n) => n.tagName === 'form')
		const fields = all(form!, (n) => n.tagName === 'input' && attr(n, 'type') === 'hidden').map((i) => [attr(i, 'name')!, attr(i, 'value') ?? ''] as [string, string])
		const buttons = all(form!, (n) => n.tagName === 'button').map((b) => `${attr(b, 'name')}=${attr(b, 'value')}`)
		return { externalId: attr(li, 'data-similar-item')!, action: attr(form!, 'action')!, fields, buttons }
	})
}

async function sync(cookie: string, roundId: string, body: SyncRequest) {
	const request = new Request(`${TEST_ORIGIN}/rounds/${roundId}/review-sync`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Origin: TEST_ORIGIN, Cookie: cookie },
		body: JSON.stringify(body),
	})
	const res = await run(syncAction, request, {}, { roundId })
	expect(res.status).toBe(200)
	return res.data as SyncAnswer
}

type Stored = { category: string; severity: string; affected_groups: string[]; rationale: string; quoted_span: string; suggested_rewrite: string; unsure: boolean }
const flagsOn = (externalId: string) =>
	query<Stored>(sql`
		select f.category, f.severity, f.affected_groups, f.rationale, f.quoted_span, f.suggested_rewrite, f.unsure
		from flags f join samples s on s.id = f.sample_id where s.external_id = ${externalId} order by f.created_at`)
const verdictOf = async (externalId: string) =>
	(await query<{ verdict: string }>(sql`select r.verdict from reviews r join samples s on s.id = r.sample_id where s.external_id = ${externalId}`)).map((r) => r.verdict)
const counts = async () => (await query<{ reviews: number; flags: number }>(sql`select (select count(*)::int from reviews) as reviews, (select count(*)::int from flags) as flags`))[0]!
const issueOf = async (externalId: string) =>
	(
		await query<{ n: number }>(sql`
			select count(*)::int as n from issues i join samples s on s.id = i.sample_id where s.external_id = ${externalId} and i.status = 'open'`)
	)[0]!.n

const FLAG = {
	category: 'stereotype',
	severity: 'major',
	rationale: 'Every nurse here is a saint who never rests.',
	affectedGroups: ['nurses', 'older women'],
	quotedSpan: 'base3 base4',
	suggestedRewrite: 'A nurse who is tired after a long shift.',
	unsure: 'on',
}
const flagFields = (): Array<[string, string]> => [
	['intent', 'flag'],
	['category', FLAG.category],
	['severity', FLAG.severity],
	['rationale', FLAG.rationale],
	...FLAG.affectedGroups.map((g): [string, string] => ['affectedGroups', g]),
	['quotedSpan', FLAG.quotedSpan],
	['suggestedRewrite', FLAG.suggestedRewrite],
	['unsure', FLAG.unsure],
]
const sentence = (id: string) => getFixedT('en', 'review')('similar.rationale', { id })

describe('"Do these look the same?" after a flag', () => {
	test('without JavaScript: a flag leads to the reviewer’s own waiting similar samples; yes copies the flag, no records no concerns, and the prompt leads on', async () => {
		const { roundId, ana, ben, anaQueue, benQueue, level } = await setup()
		// A text like the one she will flag, answered before: no longer offered.
		expect((await post(ana, roundId, level(1), [['intent', 'no_concerns']])).status).toBe(302)
		// Ben's twin of a text Ana will be offered: his verdict changes nothing in her prompt.
		await post(
			ben,
			roundId,
			benQueue.find((id) => id.startsWith('a-02-'))!,
			[['intent', 'no_concerns']],
		)

		const flagged = await post(ana, roundId, level(0), flagFields())
		expect(flagged.status).toBe(302)
		const promptPath = `/rounds/${roundId}/review/${level(0)}?similar=1`
		expect(location(flagged)).toBe(promptPath)
		const page = await focusPage(ana, roundId, promptPath)
		expect(page.status).toBe(200)
		const data = page.data as Awaited<ReturnType<typeof focusRoute.loader>>
		// Hers, still waiting, similar, most similar first, five at most: levels 2 … 6 (level 1 is done; 7 … 10 beyond the five; Ben's twins and the far texts never).
		const offered = [2, 3, 4, 5, 6].map(level)
		expect(data.prompt!.items.map((i) => i.externalId)).toEqual(offered)
		expect(data.prompt!.items.every((i) => i.shared.includes('text'))).toBe(true)
		// Text only, and nothing about anyone else.
		expect(Object.keys(data.prompt!.items[0]!).sort()).toEqual(['content', 'externalId', 'language', 'messages', 'shared'])
		expect(data.prompt!.flag).toEqual({ category: 'stereotype', severity: 'major', affectedGroups: ['nurses', 'older women'], unsure: true, rationale: FLAG.rationale })

		// The page's forms: one per sample offered, posting to that sample's own page.
		const forms = await renderedPrompt(promptPath, data)
		expect(forms.map((f) => f.externalId)).toEqual(offered)
		expect(forms[0]!.action).toBe(`/rounds/${roundId}/review/${offered[0]}`)
		expect(forms[0]!.buttons).toEqual(['intent=flag', 'intent=no_concerns'])
		expect(Object.fromEntries(forms[0]!.fields.filter(([n]) => n !== 'affectedGroups'))).toEqual({
			similarOf: level(0),
			category: 'stereotype',
			severity: 'major',
			rationale: `${sentence(level(0))}\n\n${FLAG.rationale}`,
			unsure: 'on',
		})

		// Yes: a flag like hers — same category, severity, groups, unsure, her rationale after a line naming the flagged sample; no quote, no rewrite.
		const yes = await post(ana, roundId, offered[0]!, [...forms[0]!.fields, ['intent', 'flag']])
		expect(location(yes)).toBe(promptPath)
		expect(await flagsOn(offered[0]!)).toEqual([
			{
				category: 'stereotype',
				severity: 'major',
				affected_groups: ['nurses', 'older women'],
				rationale: `The same problem as sample ${level(0)}, which I flagged.\n\n${FLAG.rationale}`,
				quoted_span: '',
				suggested_rewrite: '',
				unsure: true,
			},
		])
		// …which makes an issue of its own, as any flag does.
		expect(await issueOf(offered[0]!)).toBe(1)
		// No: "no concerns".
		const no = await post(ana, roundId, offered[1]!, [...forms[1]!.fields, ['intent', 'no_concerns']])
		expect(location(no)).toBe(promptPath)
		expect(await verdictOf(offered[1]!)).toEqual(['no_concerns'])
		expect(await flagsOn(offered[1]!)).toEqual([])

		// Answered ones leave the prompt; the next most similar of hers come in (still five at most).
		const again = (await focusPage(ana, roundId, promptPath)).data as typeof data
		expect(again.prompt!.items.map((i) => i.externalId)).toEqual([4, 5, 6, 7, 8].map(level))
		// "Not now" is the next sample waiting in her queue after the flagged one.
		expect(again.nextPending).toBe(level(4))

		// Answering every one left leads on to her next sample; the prompt's address then does too.
		for (const c of [4, 5, 6, 7, 8, 9, 10])
			await post(ana, roundId, level(c), [
				['similarOf', level(0)],
				['intent', 'no_concerns'],
			])
		const empty = await focusPage(ana, roundId, promptPath)
		expect(empty.status).toBe(302)
		expect(location(empty)).toBe(`/rounds/${roundId}/review/${anaQueue.find((id) => !id.startsWith('a-'))}`)
	})

	test('a yes in the prompt is not itself followed by a prompt, and the template × persona samples are offered only when both are shared', async () => {
		const { owner, roundId, ana, anaQueue } = await setup()
		const mine = anaQueue.filter((id) => id.startsWith('c-t'))
		expect(mine).toHaveLength(3)
		const flagged = await post(ana, roundId, mine[0]!, flagFields())
		const promptPath = `/rounds/${roundId}/review/${mine[0]}?similar=1`
		expect(location(flagged)).toBe(promptPath)
		const data = (await focusPage(ana, roundId, promptPath)).data as Awaited<ReturnType<typeof focusRoute.loader>>
		// Her other two with the same template and persona; not the one with only the template (d-tt*) or only the persona (e-pp*).
		expect(data.prompt!.items.map((i) => i.externalId).sort()).toEqual(mine.slice(1).sort())
		expect(data.prompt!.items.every((i) => i.shared.includes('template') && i.shared.includes('persona') && !i.shared.includes('text'))).toBe(true)
		const [form] = await renderedPrompt(promptPath, data)
		// A yes goes back to the prompt of the sample first flagged, never to one of its own.
		const yes = await post(ana, roundId, form!.externalId, [...form!.fields, ['intent', 'flag']])
		expect(location(yes)).toBe(promptPath)
		// A flag without anything like it waiting goes on to the next sample, as before.
		const lone = anaQueue.find((id) => id.startsWith('f-'))!
		const plain = await post(ana, roundId, lone, flagFields())
		expect(location(plain)).not.toContain('similar')
		// A closed round offers nothing: its prompt's address leads on.
		await setRoundStatus(owner, roundId, 'close')
		expect((await focusPage(ana, roundId, promptPath)).status).toBe(302)
	})

	test('with JavaScript: the review-sync route lists the prompt after the flag it records, and yes/no answers are ordinary verdicts recorded once per key', async () => {
		const { roundId, ana, ben, benQueue, level } = await setup()
		const source = level(0)
		const flag = { category: FLAG.category, severity: FLAG.severity, rationale: FLAG.rationale, affectedGroups: FLAG.affectedGroups, quotedSpan: FLAG.quotedSpan, unsure: 'on' }
		// Ben's list is his own: his twin texts, never Ana's.
		const benList = await sync(ben, roundId, { verdicts: [], similarOf: benQueue.find((id) => id.startsWith('a-00-'))! })
		expect(benList.similar!.map((i) => i.externalId)).toEqual([1, 2, 3, 4, 5].map((c) => benQueue.find((id) => id.startsWith(`a-0${c}-`))!))
		// Ana's flag and the lookup in one request: the flag is recorded first, and the list is hers.
		const first = await sync(ana, roundId, { verdicts: [{ key: 'flag-key-0001', externalId: source, intent: 'flag', fields: flag }], similarOf: source })
		expect(first.results).toEqual([{ key: 'flag-key-0001', status: 'recorded' }])
		const offered = [1, 2, 3, 4, 5].map(level)
		expect(first.similar!.map((i) => i.externalId)).toEqual(offered)
		// A sample not in her queue is not hers to ask about.
		const notHers = await run(
			syncAction,
			new Request(`${TEST_ORIGIN}/rounds/${roundId}/review-sync`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Origin: TEST_ORIGIN, Cookie: ana },
				body: JSON.stringify({ verdicts: [], similarOf: 'no-such-sample' }),
			}),
			{},
			{ roundId },
		)
		expect((notHers.data as SyncAnswer).similar).toEqual(null)

		// What the page sends for yes: the flag form's fields built from the flag as given (the same function the page's forms use).
		const parsed = FlagFormSchema.parse({ ...flag, intent: 'flag' })
		const same = sameAsFlagFields(parsed, sentence(source))
		const answers: SyncRequest = {
			verdicts: [
				{ key: 'same-key-0001', externalId: offered[0]!, intent: 'flag', fields: same },
				{ key: 'same-key-0002', externalId: offered[1]!, intent: 'no_concerns', fields: {} },
			],
			similarOf: source,
		}
		const before = await counts()
		const answered = await sync(ana, roundId, answers)
		expect(answered.results.map((r) => r.status)).toEqual(['recorded', 'recorded'])
		expect(await flagsOn(offered[0]!)).toEqual([
			{
				category: 'stereotype',
				severity: 'major',
				affected_groups: ['nurses', 'older women'],
				rationale: `The same problem as sample ${source}, which I flagged.\n\n${FLAG.rationale}`,
				quoted_span: '',
				suggested_rewrite: '',
				unsure: true,
			},
		])
		expect(await issueOf(offered[0]!)).toBe(1)
		expect(await verdictOf(offered[1]!)).toEqual(['no_concerns'])
		expect(await counts()).toEqual({ reviews: before.reviews + 2, flags: before.flags + 1 })
		// Answered ones are no longer offered.
		expect(answered.similar!.map((i) => i.externalId)).toEqual([3, 4, 5, 6, 7].map(level))
		// The same answers again (a lost response, a reload with them waiting): recorded once.
		const replay = await sync(ana, roundId, answers)
		expect(replay.results.map((r) => r.status)).toEqual(['replayed', 'replayed'])
		expect(await counts()).toEqual({ reviews: before.reviews + 2, flags: before.flags + 1 })
		expect(await flagsOn(offered[0]!)).toHaveLength(1)
		// Racing copies of a yes: one flag.
		const race: SyncRequest = { verdicts: [{ key: 'same-key-0003', externalId: offered[2]!, intent: 'flag', fields: same }] }
		const raced = await Promise.all([sync(ana, roundId, race), sync(ana, roundId, race), sync(ana, roundId, race)])
		expect(raced.map((r) => r.results[0]!.status).sort()).toEqual(['recorded', 'replayed', 'replayed'])
		expect(await flagsOn(offered[2]!)).toHaveLength(1)
	})
})
