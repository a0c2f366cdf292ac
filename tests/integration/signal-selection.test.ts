import { sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { samples } from '#db/schema/datasets.ts'
import { reviews } from '#db/schema/reviews.ts'
import { participants } from '#db/schema/rounds.ts'
import { type SignalSelection } from '#app/domain/signals/selection.ts'
import { computeNextSignals } from '#app/jobs/signals.server.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { getSignalSelectionRates } from '#app/models/signal-selection.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import * as insightsPage from '#app/routes/datasets+/$slug+/versions.$label+/insights.tsx'
import { loader as reportJsonLoader } from '#app/routes/datasets+/$slug+/versions.$label+/report[.]json.ts'
import * as roundPage from '#app/routes/datasets+/$slug+/versions.$label+/rounds.$roundId.tsx'
import * as newRoundPage from '#app/routes/datasets+/$slug+/versions.$label+/rounds.new.tsx'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { getUser } from '#app/utils/auth.server.ts'
import { db, query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { FILLER, GROUPS, lcg, PLANTED } from '#tests/signal-fixtures.ts'
import { renderRoute } from '#tests/render-route.ts'
import { account } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'

// Issue #21, item 3: a round aimed "where the signals are" (decision 049).

useTestDatabase()

const P = { slug: 'aimed', label: 'v1' }

/** 600 samples, 200 per persona.group; PLANTED in the first 60 "north" samples (30 %) and in 4 of each other group (2 %). */
function plantedFile() {
	const rand = lcg(21)
	const planted = new Set<string>()
	const lines: string[] = []
	for (let i = 0; i < 600; i++) {
		const group = GROUPS[i % 3]!
		const k = Math.floor(i / 3)
		const words = Array.from({ length: 14 }, () => FILLER[Math.floor(rand() * FILLER.length)]!)
		const id = `s-${String(i).padStart(4, '0')}`
		if (group === 'north' ? k < 60 : k < 4) {
			words.splice(Math.floor(rand() * words.length), 0, PLANTED)
			planted.add(id)
		}
		lines.push(JSON.stringify({ id, language: 'en', metadata: { persona: { group, uid: `u-${i}` } }, content: words.join(' ') }))
	}
	return { body: lines.join('\n'), planted, groupOf: (id: string) => GROUPS[Number(id.slice(2)) % 3]! }
}

async function setup() {
	const owner = await account('owner')
	await run(newDataset, formRequest('/d', { name: 'Aimed', slug: P.slug }, { cookie: owner }))
	await run(newVersion, formRequest('/v', { label: P.label, generationMethod: 'persona_simulation' }, { cookie: owner }), {}, { slug: P.slug })
	const me = (await getUser(getRequest('/', { cookie: owner })))!
	const dataset = (await getDatasetForMember({ slug: P.slug, userId: me.id }))!
	const version = (await getVersion({ datasetId: dataset.id, label: P.label }))!
	const file = plantedFile()
	const outcome = await runImport({
		versionId: version.id,
		format: 'jsonl',
		filename: 'aimed.jsonl',
		userId: me.id,
		source: (async function* () {
			yield new TextEncoder().encode(file.body)
		})(),
	})
	expect(outcome.status).toBe('succeeded')
	return { owner, userId: me.id, versionId: version.id, file }
}

const roundFields = (fields: Record<string, string>) => ({ stage: 'validation', title: 'Aimed check', overlap: '1', blindReview: 'on', blockThreshold: '2', ...fields })

async function createAimedRound(owner: string, fields: Record<string, string>) {
	return run(newRoundPage.action, formRequest('/r', roundFields({ selectionMode: 'signals', attribute: 'persona.group', ...fields }), { cookie: owner }), {}, P)
}

async function picked(roundId: string) {
	return (await query<{ external_id: string }>(sql`select s.external_id from round_samples rs join ${samples} s on s.id = rs.sample_id where rs.round_id = ${roundId} order by rs.position`)).map(
		(r) => r.external_id,
	)
}

const fieldErrors = (data: unknown) => (data as { result: { error: Record<string, string[]> } }).result.error

describe('a round aimed where the signals are', () => {
	test('refused with a translated reason until the signals exist, and for an attribute without signals', async () => {
		const w = await setup()
		const early = await createAimedRound(w.owner, { sampleN: '60' })
		expect(early.status).toBe(400)
		expect(fieldErrors(early.data).selectionMode).toEqual(['rounds:errors.signalsNotReady'])
		// The form says why before anyone submits: no attribute is ready yet.
		const form = await run(newRoundPage.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}/rounds/new`, { cookie: w.owner }), {}, P)
		expect((form.data as { signalAttributes: string[] }).signalAttributes).toEqual([])
		const html = await renderRoute(newRoundPage, { path: `/datasets/${P.slug}/versions/${P.label}/rounds/new`, data: form.data })
		expect(html).toContain('Where the signals are')
		expect(html).toContain('which are not computed yet')

		expect(await computeNextSignals()).toMatchObject({ status: 'succeeded' })
		const ready = await run(newRoundPage.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}/rounds/new`, { cookie: w.owner }), {}, P)
		expect((ready.data as { signalAttributes: string[] }).signalAttributes).toEqual(['persona.group'])
		// persona.uid is unique per sample: skipped as high-cardinality, so no signals to aim with.
		const uid = await createAimedRound(w.owner, { sampleN: '60', attribute: 'persona.uid' })
		expect(uid.status).toBe(400)
		expect(fieldErrors(uid.data).attribute).toEqual(['rounds:errors.signalsAttribute'])
		// N is required for this mode.
		const noN = await createAimedRound(w.owner, {})
		expect(noN.status).toBe(400)
		expect(fieldErrors(noN.data).sampleN).toEqual(['validation.required'])
	})

	test('over-represents the marked value and its samples with the word, records seed and weights, and reproduces with the seed', async () => {
		const w = await setup()
		expect(await computeNextSignals()).toMatchObject({ status: 'succeeded' })
		const res = await createAimedRound(w.owner, { sampleN: '60', seed: '11' })
		expect(res.status, JSON.stringify(res.data)).toBe(302)
		const roundId = res.headers.get('Location')!.split('/').pop()!
		const ids = await picked(roundId)
		expect(ids).toHaveLength(60)
		expect(new Set(ids).size).toBe(60)

		const [row] = await query<{ mode: string; params: SignalSelection; n: number }>(sql`select selection_mode as mode, selection_params as params, sample_count as n from rounds where id = ${roundId}`)
		expect(row!.mode).toBe('signals')
		expect(row!.n).toBe(60)
		const params = row!.params
		expect(params).toMatchObject({ mode: 'signals', attribute: 'persona.group', n: 60, seed: 11, termBoost: 3 })
		const weight = (v: string) => params.weights.find((x) => x.value === v)!
		// North is marked by the planted word: its weight is above 1, and it gets more than its third.
		expect(weight('north').terms).toContain(PLANTED)
		expect(weight('north').weight).toBeGreaterThan(1)
		expect(params.weights.reduce((s, x) => s + x.quota, 0)).toBe(60)
		const byGroup = (g: string) => ids.filter((id) => w.file.groupOf(id) === g).length
		expect(byGroup('north')).toBe(weight('north').quota)
		expect(byGroup('north')).toBeGreaterThan(20)
		for (const g of GROUPS) expect(byGroup(g), g).toBe(weight(g).quota)
		for (const g of GROUPS) expect(byGroup(g), g).toBeGreaterThan(0)
		// Within north, the samples with the word are over-represented (30 % of north's samples).
		const north = ids.filter((id) => w.file.groupOf(id) === 'north')
		expect(north.filter((id) => w.file.planted.has(id)).length / north.length).toBeGreaterThan(0.3)

		// The same seed picks the same samples in the same order; another seed picks others.
		const again = await createAimedRound(w.owner, { sampleN: '60', seed: '11' })
		expect(await picked(again.headers.get('Location')!.split('/').pop()!)).toEqual(ids)
		const other = await createAimedRound(w.owner, { sampleN: '60', seed: '12' })
		expect(await picked(other.headers.get('Location')!.split('/').pop()!)).not.toEqual(ids)

		// The round page shows the weights; the report names the mode, attribute and seed.
		const path = `/datasets/${P.slug}/versions/${P.label}/rounds/${roundId}`
		const page = await run(roundPage.loader, getRequest(path, { cookie: w.owner }), {}, { ...P, roundId })
		const html = await renderRoute(roundPage, { path, data: page.data })
		expect(html).toContain('data-testid="signal-weights"')
		expect(html).toContain('Weights of the values of persona.group')
		expect(html).toContain('with seed 11')
		expect(html).toMatch(new RegExp(`north</th><td[^>]*>200</td><td[^>]*>[0-9.]+</td><td[^>]*>[0-9.]+</td><td[^>]*>${weight('north').quota}</td><td[^>]*>[^<]*${PLANTED}`))
		const report = await run(reportJsonLoader, getRequest(`/datasets/${P.slug}/versions/${P.label}/report.json`, { cookie: w.owner }), {}, P)
		expect(JSON.stringify(report.data)).toContain('"mode":"signals"')
	})

	test('the insights compare the flag rate of the samples the signals favoured with the round’s others, counted from the verdicts', async () => {
		const w = await setup()
		expect(await computeNextSignals()).toMatchObject({ status: 'succeeded' })
		const res = await createAimedRound(w.owner, { sampleN: '90', seed: '3' })
		const roundId = res.headers.get('Location')!.split('/').pop()!
		const ids = await picked(roundId)
		const [params] = await query<{ p: SignalSelection }>(sql`select selection_params as p from rounds where id = ${roundId}`)
		const termsOf = new Map(params!.p.weights.map((x) => [x.value, x.terms]))
		// Which picked samples contain one of their value's recorded terms: read back from the database's words, not from the planting.
		const words = new Map(
			(
				await query<{ id: string; w: string[] }>(sql`select external_id as id, tsvector_to_array(search_vector) as w from ${samples} where external_id = any(string_to_array(${ids.join(',')}, ','))`)
			).map((r) => [r.id, new Set(r.w)]),
		)
		const isSelected = (id: string) => (termsOf.get(w.file.groupOf(id)) ?? []).some((t) => words.get(id)!.has(t))
		const selected = ids.filter(isSelected)
		const others = ids.filter((id) => !isSelected(id))
		expect(selected.length).toBeGreaterThan(0)
		expect(others.length).toBeGreaterThan(0)

		// One reviewer: flags the first 8 selected samples and 2 others; "no concerns" on 10 more selected and 20 more others; a skip on one more.
		const [part] = await db.insert(participants).values({ roundId, userId: w.userId, role: 'community', number: 1, consentedAt: new Date() }).returning({ id: participants.id })
		const sampleIds = new Map((await db.select({ id: samples.id, externalId: samples.externalId }).from(samples)).map((s) => [s.externalId, s.id]))
		const verdict = (id: string, v: 'flagged' | 'no_concerns' | 'skipped') => ({ roundId, participantId: part!.id, sampleId: sampleIds.get(id)!, verdict: v })
		await db
			.insert(reviews)
			.values([
				...selected.slice(0, 8).map((id) => verdict(id, 'flagged')),
				...selected.slice(8, 18).map((id) => verdict(id, 'no_concerns')),
				...others.slice(0, 2).map((id) => verdict(id, 'flagged')),
				...others.slice(2, 22).map((id) => verdict(id, 'no_concerns')),
				verdict(others[22]!, 'skipped'),
			])
		const sel = Math.min(selected.length, 18)
		const oth = Math.min(others.length, 22)
		const rates = await getSignalSelectionRates(roundId, params!.p)
		expect(rates.selected).toMatchObject({ samples: selected.length, reviewed: sel, flagged: Math.min(8, selected.length) })
		expect(rates.other).toMatchObject({ samples: others.length, reviewed: oth, flagged: 2 })
		expect(rates.selected.interval!.rate).toBeCloseTo(Math.min(8, selected.length) / sel, 10)

		// On the insights page of that round, in words; not on the version's page (no single selection there).
		const path = `/datasets/${P.slug}/versions/${P.label}/insights`
		const page = await run(insightsPage.loader, getRequest(`${path}?round=${roundId}`, { cookie: w.owner }), {}, P)
		const html = await renderRoute(insightsPage, { path, data: page.data })
		expect(html).toContain('Samples the signals picked out')
		expect(html).toMatch(new RegExp(`With one of their value’s words</th><td[^>]*>${selected.length}</td><td[^>]*>${sel}</td><td[^>]*>${Math.min(8, selected.length)}</td>`))
		expect(html).toMatch(new RegExp(`The round’s other samples</th><td[^>]*>${others.length}</td><td[^>]*>${oth}</td><td[^>]*>2</td>`))
		const arabic = await renderRoute(insightsPage, { path, data: page.data, language: 'ar' })
		expect(arabic).toContain('العينات التي أبرزتها الإشارات')
		const version = await run(insightsPage.loader, getRequest(path, { cookie: w.owner }), {}, P)
		expect((version.data as { signalSelection: unknown }).signalSelection).toBeNull()
	})
})
