import { asc, eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { auditEvents, issues } from '#db/schema/issues.ts'
import { roundSamples, rounds } from '#db/schema/rounds.ts'
import { issueAudits, issueSamples } from '#db/schema/similar.ts'
import { jaccard, shingles } from '#app/domain/similar/minhash.ts'
import { wilsonInterval } from '#app/domain/similar/prevalence.ts'
import { ProvenanceSchema } from '#app/domain/version.ts'
import { buildNextSimilarity } from '#app/jobs/similar.server.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { countBlockingSamples } from '#app/models/issue.server.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { listIssueSamples } from '#app/models/similar.server.ts'
import { createVersion, getVersion } from '#app/models/version.server.ts'
import * as issueRoute from '#app/routes/datasets+/$slug+/versions.$label+/issues.$number.tsx'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { db } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { issuesOf, one } from '#tests/issue-world.ts'
import { account, createRound, joinAs, P, participantOf, sampleOf, setRoundStatus, userIdOf } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

// Extending a sample issue to similar samples (issue #22) through the issue page, what blocks,
// and the extended samples carried over to a child version. The index itself: similar.test.ts.

useTestDatabase()

const sink = useSmtpSink()

/** Words no other text of the file uses, so unrelated texts share no word pair. */
const words = (prefix: string, n: number) => Array.from({ length: n }, (_, k) => `${prefix}${k}`)
const BASE = words('dup', 18)
/** BASE with one word replaced: 15 of its 17 word pairs kept, 2 new (Jaccard 15/19 with BASE). */
const oneWordOff = (position: number) => BASE.map((w, k) => (k === position ? `other${k}` : w)).join(' ')

type Row = { id: string; content: string }
/** s-0 (the flagged sample) and four near-duplicates d-1 … d-4, one word off each; eight fillers of words of their own. */
const FILE: Row[] = [
	{ id: 's-0', content: BASE.join(' ') },
	{ id: 'd-1', content: oneWordOff(4) },
	{ id: 'd-2', content: oneWordOff(8) },
	{ id: 'd-3', content: oneWordOff(12) },
	{ id: 'd-4', content: oneWordOff(15) },
	...Array.from({ length: 8 }, (_, i) => ({ id: `f-0${i}`, content: words(`fill${i}x`, 18).join(' ') })),
]
const SIM = 15 / 19

async function importRows(versionId: string, userId: string, rows: Row[]) {
	const body = rows.map((r) => JSON.stringify(r)).join('\n')
	const outcome = await runImport({
		versionId,
		format: 'jsonl',
		filename: 'dups.jsonl',
		userId,
		source: (async function* () {
			yield new TextEncoder().encode(body)
		})(),
	})
	expect(outcome.status).toBe('succeeded')
	return outcome
}

const PAGE = `/datasets/${P.slug}/versions/${P.label}/issues/1`
const params = (label = P.label, number = 1) => ({ ...P, label, number: String(number) })

/** A POST of the issue page's forms as the browser sends them (same origin, the session cookie), with repeatable fields. */
function post(cookie: string, entries: Array<[string, string]>, path = PAGE) {
	return new Request(formRequest(path, {}, { cookie }), { method: 'POST', body: new URLSearchParams(entries) })
}

type PageData = Awaited<ReturnType<typeof issueRoute.loader>>
type ActionData = { intent: string; error: string | null; added?: number }

async function page(cookie: string, label = P.label, number = 1, search = '') {
	const res = await run(issueRoute.loader, getRequest(`/datasets/${P.slug}/versions/${label}/issues/${number}${search}`, { cookie }), {}, params(label, number))
	return { status: res.status, data: res.data as PageData }
}
async function act(cookie: string, entries: Array<[string, string]>, label = P.label, number = 1) {
	const res = await run(issueRoute.action, post(cookie, entries, `/datasets/${P.slug}/versions/${label}/issues/${number}`), {}, params(label, number))
	return { status: res.status, data: res.data as ActionData }
}

const rowsOf = (issueId: string) =>
	db
		.select({
			externalId: issueSamples.externalId,
			sampleId: issueSamples.sampleId,
			contentHash: issueSamples.contentHash,
			similarity: issueSamples.similarity,
			how: issueSamples.how,
			addedBy: issueSamples.addedBy,
		})
		.from(issueSamples)
		.where(eq(issueSamples.issueId, issueId))
		.orderBy(asc(issueSamples.externalId))
const countAll = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(issueSamples))[0]!.n

/**
 * Owner, dataset "hints", v1 with FILE imported and its index built; an open round where ana (a
 * participant) flags s-0 as critical: issue #1, a blocking sample issue.
 */
async function setup() {
	const owner = await account('owner')
	await run(newDataset, formRequest('/d', { name: 'Hints', slug: P.slug }, { cookie: owner }))
	const created = await run(newVersion, formRequest('/v', { label: P.label, generationMethod: 'templates' }, { cookie: owner }), {}, { slug: P.slug })
	expect(created.status, JSON.stringify(created.data)).toBe(302)
	const ownerId = await userIdOf('owner')
	const dataset = (await getDatasetForMember({ slug: P.slug, userId: ownerId }))!
	const versionId = (await getVersion({ datasetId: dataset.id, label: P.label }))!.id
	await importRows(versionId, ownerId, FILE)
	expect(await buildNextSimilarity()).toEqual({ versionId, status: 'succeeded' })

	const roundId = await createRound(owner)
	const ana = await joinAs(owner, roundId, 'ana', sink.messages)
	await setRoundStatus(owner, roundId, 'open')
	const source = await sampleOf(versionId, 's-0')
	await saveVerdict({ roundId, participantId: await participantOf(roundId, 'ana'), sampleId: source.id, verdict: { kind: 'flag', flag: flagInput({ severity: 'critical' }) } })
	const issue = await one(versionId)
	expect(issue).toMatchObject({ number: 1, kind: 'sample', externalId: 's-0', blocking: true, status: 'open' })
	return { owner, ownerId, datasetId: dataset.id, versionId, ana, issue }
}

describe('extending a sample issue to similar samples (issue #22)', () => {
	test('the page lists the near-duplicates; picked ones, then all the rest, are added once each, audited, and block with the issue until it is resolved', async () => {
		const w = await setup()
		// The planted texts are what the test says they are.
		for (const id of ['d-1', 'd-2', 'd-3', 'd-4']) expect(jaccard(shingles(BASE.join(' ')), shingles(FILE.find((r) => r.id === id)!.content))).toBeCloseTo(SIM, 12)
		expect(await countBlockingSamples(w.versionId)).toBe(1)

		const before = await page(w.owner)
		expect(before.status).toBe(200)
		expect(before.data.similar).toMatchObject({ min: 0.6, index: { status: 'succeeded' }, total: 4, capped: false, extended: [] })
		// The near-duplicates, not the issue's own sample nor a filler.
		expect(before.data.similar!.items.map((i) => [i.externalId, i.shared])).toEqual([
			['d-1', ['text']],
			['d-2', ['text']],
			['d-3', ['text']],
			['d-4', ['text']],
		])
		for (const i of before.data.similar!.items) expect(i.similarity).toBeCloseTo(SIM, 12)

		// Two picked.
		const picked = await act(w.owner, [
			['intent', 'extend'],
			['min', '0.6'],
			['sample', 'd-2'],
			['sample', 'd-4'],
		])
		expect(picked).toEqual({ status: 200, data: { intent: 'extend', error: null, added: 2 } })
		const s2 = await sampleOf(w.versionId, 'd-2')
		expect(await rowsOf(w.issue.id)).toEqual([
			{ externalId: 'd-2', sampleId: s2.id, contentHash: s2.contentHash, similarity: expect.closeTo(SIM, 12), how: 'picked', addedBy: w.ownerId },
			{ externalId: 'd-4', sampleId: (await sampleOf(w.versionId, 'd-4')).id, contentHash: expect.any(String), similarity: expect.closeTo(SIM, 12), how: 'picked', addedBy: w.ownerId },
		])
		const afterPick = (await page(w.owner)).data.similar!
		expect(afterPick.extended).toEqual([
			{ externalId: 'd-2', similarity: expect.closeTo(SIM, 12), how: 'picked', present: true },
			{ externalId: 'd-4', similarity: expect.closeTo(SIM, 12), how: 'picked', present: true },
		])
		expect(afterPick.items.map((i) => i.externalId)).toEqual(['d-1', 'd-3'])
		expect(afterPick.total).toBe(2)
		expect(await countBlockingSamples(w.versionId)).toBe(3)

		// Refused, nothing added: a filler among the picks (not even the similar one next to it), the
		// issue's own sample, an unknown id, a pick not similar at the threshold sent, no pick at all.
		for (const [entries, error] of [
			[
				[
					['min', '0.6'],
					['sample', 'd-1'],
					['sample', 'f-03'],
				],
				'similar.errors.not_similar',
			],
			[
				[
					['min', '0.6'],
					['sample', 's-0'],
				],
				'similar.errors.not_similar',
			],
			[
				[
					['min', '0.6'],
					['sample', 'nope'],
				],
				'similar.errors.not_similar',
			],
			[
				[
					['min', '0.9'],
					['sample', 'd-1'],
				],
				'similar.errors.not_similar',
			],
			[[['min', '0.6']], 'similar.errors.none_selected'],
		] as Array<[Array<[string, string]>, string]>) {
			const refused = await act(w.owner, [['intent', 'extend'], ...entries])
			expect(refused, JSON.stringify(entries)).toEqual({ status: 400, data: { intent: 'extend', error } })
		}
		expect((await rowsOf(w.issue.id)).map((r) => r.externalId)).toEqual(['d-2', 'd-4'])
		expect(await countAll()).toBe(2)

		// Picking one already on the issue keeps it once, as it was added.
		expect(
			await act(w.owner, [
				['intent', 'extend'],
				['sample', 'd-2'],
			]),
		).toEqual({ status: 200, data: { intent: 'extend', error: null, added: 0 } })
		// All the rest, then nothing more.
		expect(
			await act(w.owner, [
				['intent', 'extend_all'],
				['min', '0.6'],
			]),
		).toEqual({ status: 200, data: { intent: 'extend_all', error: null, added: 2 } })
		expect(
			await act(w.owner, [
				['intent', 'extend_all'],
				['min', '0.6'],
			]),
		).toEqual({ status: 200, data: { intent: 'extend_all', error: null, added: 0 } })
		expect((await rowsOf(w.issue.id)).map((r) => [r.externalId, r.how])).toEqual([
			['d-1', 'all'],
			['d-2', 'picked'],
			['d-3', 'all'],
			['d-4', 'picked'],
		])
		expect(await countAll()).toBe(4)
		const full = (await page(w.owner)).data.similar!
		expect(full.items).toEqual([])
		expect(full.total).toBe(0)
		expect(full.extended.map((e) => [e.externalId, e.how, e.present])).toEqual([
			['d-1', 'all', true],
			['d-2', 'picked', true],
			['d-3', 'all', true],
			['d-4', 'picked', true],
		])
		expect(await listIssueSamples(w.issue.id)).toHaveLength(4)

		// Audited on the dataset: one entry per accepted extension, none for a refusal.
		const audit = await db
			.select({
				actorId: auditEvents.actorId,
				datasetId: auditEvents.datasetId,
				versionId: auditEvents.versionId,
				targetType: auditEvents.targetType,
				targetId: auditEvents.targetId,
				targetLabel: auditEvents.targetLabel,
				after: auditEvents.after,
			})
			.from(auditEvents)
			.where(eq(auditEvents.action, 'issue.extended'))
			.orderBy(asc(auditEvents.createdAt))
		const who = { actorId: w.ownerId, datasetId: w.datasetId, versionId: w.versionId, targetType: 'issue', targetId: w.issue.id, targetLabel: '#1' }
		expect(audit).toEqual([
			{ ...who, after: { added: 2, how: 'picked', min: 0.6 } },
			{ ...who, after: { added: 0, how: 'picked', min: 0.6 } },
			{ ...who, after: { added: 2, how: 'all', min: 0.6 } },
			{ ...who, after: { added: 0, how: 'all', min: 0.6 } },
		])

		// What blocks: the issue's sample and the four it was extended to; nothing once it is resolved.
		expect(await countBlockingSamples(w.versionId)).toBe(5)
		const [current] = await db.select({ revision: issues.revision }).from(issues).where(eq(issues.id, w.issue.id))
		const resolved = await run(
			issueRoute.action,
			formRequest(PAGE, { intent: 'resolve', revision: String(current!.revision), resolution: 'documented', publicResponse: 'Documented in the card.', note: '' }, { cookie: w.owner }),
			{},
			params(),
		)
		expect(resolved.status).toBe(302)
		expect((await one(w.versionId)).status).toBe('resolved')
		expect(await countBlockingSamples(w.versionId)).toBe(0)
		// Resolving keeps the record of what the issue covered.
		expect(await countAll()).toBe(4)
	})

	test('a participant and a stranger get the same 404 for the extend forms as for the page, and add nothing', async () => {
		const w = await setup()
		const stranger = await account('stranger')
		expect((await page(w.owner)).status).toBe(200)
		for (const [who, cookie] of [
			['ana', w.ana],
			['stranger', stranger],
		] as const) {
			expect((await page(cookie)).status, who).toBe(404)
			for (const entries of [
				[
					['intent', 'extend'],
					['min', '0.6'],
					['sample', 'd-1'],
				],
				[
					['intent', 'extend_all'],
					['min', '0.6'],
				],
			] as Array<Array<[string, string]>>) {
				const res = await act(cookie, entries)
				expect(res.status, `${who} ${entries[0]![1]}`).toBe(404)
				expect(JSON.stringify(res.data)).not.toContain('added')
			}
		}
		expect(await countAll()).toBe(0)
		expect(await db.select().from(auditEvents).where(eq(auditEvents.action, 'issue.extended'))).toEqual([])
		expect(await countBlockingSamples(w.versionId)).toBe(1)
	})

	test('carry-over: the child’s copy of the issue keeps only the extended samples the child kept unchanged', async () => {
		const w = await setup()
		expect(await act(w.owner, [['intent', 'extend_all']])).toEqual({ status: 200, data: { intent: 'extend_all', error: null, added: 4 } })
		const parentRows = await rowsOf(w.issue.id)
		expect(parentRows.map((r) => r.externalId)).toEqual(['d-1', 'd-2', 'd-3', 'd-4'])

		const created = await createVersion({ ...ProvenanceSchema.parse({ generationMethod: 'templates' }), datasetId: w.datasetId, label: 'v2', parentLabel: 'v1', userId: w.ownerId })
		if (!created.version) throw new Error(String(created.error))
		const v2 = created.version.id
		// s-0 and d-1 unchanged; d-2 and d-4 the same ids with other texts; d-3 gone; d-5 a new near-duplicate.
		const childFile: Row[] = FILE.filter((r) => r.id !== 'd-3').map((r) => (r.id === 'd-2' || r.id === 'd-4' ? { id: r.id, content: `${r.content} rewritten` } : r))
		childFile.push({ id: 'd-5', content: oneWordOff(2) })
		await importRows(v2, w.ownerId, childFile)

		const check = async () => {
			const [child] = await issuesOf(v2)
			expect(await issuesOf(v2)).toHaveLength(1)
			expect(child).toMatchObject({ externalId: 's-0', carriedFromId: w.issue.id, status: 'open', blocking: true })
			const d1 = await sampleOf(v2, 'd-1')
			expect(d1.id).not.toBe(parentRows[0]!.sampleId)
			expect(d1.contentHash).toBe(parentRows[0]!.contentHash)
			expect((await sampleOf(v2, 'd-2')).contentHash).not.toBe(parentRows[1]!.contentHash)
			expect(await rowsOf(child!.id)).toEqual([{ externalId: 'd-1', sampleId: d1.id, contentHash: d1.contentHash, similarity: parentRows[0]!.similarity, how: 'carried', addedBy: w.ownerId }])
			expect(await listIssueSamples(child!.id)).toEqual([{ externalId: 'd-1', similarity: parentRows[0]!.similarity, how: 'carried', addedAt: expect.any(Date), present: true }])
			// What blocks in the child: its copy's sample and the one carried sample.
			expect(await countBlockingSamples(v2)).toBe(2)
			// The child's issue page shows it as carried.
			const childPage = await page(w.owner, 'v2', child!.number)
			expect(childPage.status).toBe(200)
			expect(childPage.data.similar!.extended).toEqual([{ externalId: 'd-1', similarity: parentRows[0]!.similarity, how: 'carried', present: true }])
			return child!
		}
		const first = await check()
		// The parent's issue is untouched.
		expect(await rowsOf(w.issue.id)).toEqual(parentRows)
		expect(await countBlockingSamples(w.versionId)).toBe(5)

		// Re-importing the draft replaces the carried copy: still exactly one carried sample, on the new copy.
		await importRows(v2, w.ownerId, childFile)
		const second = await check()
		expect(second.id).not.toBe(first.id)
		expect(
			await db
				.select({ n: sql<number>`count(*)::int` })
				.from(issueSamples)
				.where(eq(issueSamples.how, 'carried')),
		).toEqual([{ n: 1 }])
	})
})

describe('auditing an issue’s similar samples (issue #22)', () => {
	const auditRows = () => db.select().from(issueAudits)

	test('a random draw goes into a new draft round or the open one; the verdicts there give the estimate and its interval; on that evidence the issue takes them all', async () => {
		const w = await setup()
		const roundId = (await db.select({ id: rounds.id }).from(rounds).where(eq(rounds.versionId, w.versionId)))[0]!.id

		// Bad input is refused with what is wrong, and nothing is drawn.
		for (const [entries, error] of [
			[
				[
					['size', '0'],
					['round', 'new'],
					['title', 'x'],
				],
				'similar.errors.audit_size',
			],
			[
				[
					['size', '201'],
					['round', 'new'],
					['title', 'x'],
				],
				'similar.errors.audit_size',
			],
			[
				[
					['size', '3'],
					['round', 'new'],
					['title', ' '],
				],
				'similar.errors.audit_title',
			],
			[
				[
					['size', '3'],
					['round', '00000000-0000-4000-8000-000000000000'],
					['title', ''],
				],
				'similar.errors.round_closed',
			],
		] as Array<[Array<[string, string]>, string]>) {
			const refused = await act(w.owner, [['intent', 'audit'], ...entries])
			expect(refused, JSON.stringify(entries)).toMatchObject({ status: 400, data: { error } })
		}
		expect(await auditRows()).toEqual([])

		// Three of the four near-duplicates into a new draft round, titled as asked.
		const drawn = await act(w.owner, [
			['intent', 'audit'],
			['size', '3'],
			['round', 'new'],
			['title', 'Audit of #1'],
			['min', '0.6'],
		])
		expect(drawn.status).toBe(200)
		const started = (drawn.data as ActionData & { audit: { roundId: string; drawn: number; population: number } }).audit
		expect(started).toMatchObject({ drawn: 3, population: 4 })
		const [newRound] = await db.select({ title: rounds.title, status: rounds.status, sampleCount: rounds.sampleCount }).from(rounds).where(eq(rounds.id, started.roundId))
		expect(newRound).toEqual({ title: 'Audit of #1', status: 'draft', sampleCount: 3 })
		const [first] = await auditRows()
		expect(first).toMatchObject({ issueId: w.issue.id, roundId: started.roundId, min: 0.6, population: 4, createdBy: w.ownerId })
		expect(first!.sampleIds).toHaveLength(3)
		const inRound = await db.select({ id: roundSamples.sampleId }).from(roundSamples).where(eq(roundSamples.roundId, started.roundId))
		expect(inRound.map((r) => r.id).sort()).toEqual([...first!.sampleIds].sort())
		const drawnIds = await Promise.all(['d-1', 'd-2', 'd-3', 'd-4'].map(async (id) => [id, (await sampleOf(w.versionId, id)).id] as const))
		for (const id of first!.sampleIds) expect(drawnIds.map(([, n]) => n)).toContain(id)
		// The page: nothing reviewed yet.
		const waiting = await page(w.owner)
		expect(waiting.data.similar!.audits).toEqual([
			expect.objectContaining({
				round: { id: started.roundId, title: 'Audit of #1', status: 'draft' },
				drawn: 3,
				prevalence: { reviewed: 0, affected: 0, population: 4, estimate: 0, low: 0, high: 4 },
			}),
		])

		// The second audit: all four into the open round ana reviews, where they already are.
		const second = await act(w.owner, [
			['intent', 'audit'],
			['size', '20'],
			['round', roundId],
			['title', ''],
		])
		expect(second).toMatchObject({ status: 200, data: { audit: { roundId, drawn: 4, population: 4 } } })
		const participant = await participantOf(roundId, 'ana')
		// ana flags two of them and clears one; a skip is not a review.
		const verdicts = [
			['d-1', { kind: 'flag', flag: flagInput({ severity: 'major' }) }],
			['d-2', { kind: 'flag', flag: flagInput({ severity: 'minor' }) }],
			['d-3', { kind: 'no_concerns' }],
			['d-4', { kind: 'skipped', reason: 'unsure' }],
		] as const
		for (const [id, verdict] of verdicts) await saveVerdict({ roundId, participantId: participant, sampleId: (await sampleOf(w.versionId, id)).id, verdict })
		const reviewed = await page(w.owner)
		const audits = reviewed.data.similar!.audits
		expect(audits).toHaveLength(2)
		expect(audits[1]!.prevalence).toEqual(wilsonInterval(2, 3, 4))
		expect(audits[1]!.prevalence).toMatchObject({ reviewed: 3, affected: 2, population: 4 })
		// The draft round's draw has no verdicts: its estimate still says nothing.
		expect(audits[0]!.prevalence.reviewed).toBe(0)

		// On the open round's evidence, every similar sample joins the issue, marked as added on an audit.
		const extended = await act(w.owner, [
			['intent', 'extend_audit'],
			['audit', audits[1]!.id],
		])
		expect(extended).toMatchObject({ status: 200, data: { added: 4 } })
		expect((await rowsOf(w.issue.id)).map((r) => [r.externalId, r.how])).toEqual([
			['d-1', 'audit'],
			['d-2', 'audit'],
			['d-3', 'audit'],
			['d-4', 'audit'],
		])
		// An audit of another issue, or none, is not evidence here.
		const unknown = await run(
			issueRoute.action,
			post(w.owner, [
				['intent', 'extend_audit'],
				['audit', '00000000-0000-4000-8000-000000000000'],
			]),
			{},
			params(),
		)
		expect(unknown.status).toBe(404)
		// Nothing left to audit now.
		expect(
			await act(w.owner, [
				['intent', 'audit'],
				['size', '3'],
				['round', 'new'],
				['title', 'Again'],
			]),
		).toMatchObject({ status: 400, data: { error: 'similar.errors.none_similar' } })

		const log = await db.select({ action: auditEvents.action, after: auditEvents.after }).from(auditEvents).where(eq(auditEvents.targetId, w.issue.id))
		expect(log.filter((l) => l.action === 'issue.audit_started').map((l) => l.after)).toEqual([
			expect.objectContaining({ drawn: 3, population: 4, min: 0.6 }),
			expect.objectContaining({ drawn: 4, population: 4 }),
		])
		expect(log.find((l) => l.action === 'issue.extended')!.after).toMatchObject({ added: 4, how: 'audit', audit: audits[1]!.id })

		// A participant cannot audit: the page is not theirs.
		expect(
			(
				await act(w.ana, [
					['intent', 'audit'],
					['size', '3'],
					['round', 'new'],
					['title', 'x'],
				])
			).status,
		).toBe(404)
	})
})
