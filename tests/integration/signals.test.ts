import { eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { imports, samples } from '#db/schema/datasets.ts'
import { reviews } from '#db/schema/reviews.ts'
import { participants, rounds } from '#db/schema/rounds.ts'
import { versionSignals } from '#db/schema/signals.ts'
import { computeNextSignals, computePendingSignals } from '#app/jobs/signals.server.ts'
import { createApiToken } from '#app/models/api-token.server.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { getSignalFlagRates } from '#app/models/signal-flags.server.ts'
import { claimSignalComputation, recordSignalProgress, getSignalState, getSignalSummary, getSignalValues } from '#app/models/signals.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import { loader as apiLoader } from '#app/routes/api+/v1.datasets.$dataset.versions.$version.signals.ts'
import * as versionRoute from '#app/routes/datasets+/$slug+/versions.$label+/_index.tsx'
import { loader as csvLoader } from '#app/routes/datasets+/$slug+/versions.$label+/signals[.]csv.ts'
import { loader as reportJsonLoader } from '#app/routes/datasets+/$slug+/versions.$label+/report[.]json.ts'
import { loader as reportMdLoader } from '#app/routes/datasets+/$slug+/versions.$label+/report[.]md.ts'
import * as reportRoute from '#app/routes/datasets+/$slug+/versions.$label+/report.tsx'
import * as signalsRoute from '#app/routes/datasets+/$slug+/versions.$label+/signals.tsx'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { getUser } from '#app/utils/auth.server.ts'
import { db } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { FILLER, GROUPS, lcg, PLANTED } from '#tests/signal-fixtures.ts'
import { responseProblems } from '#tests/openapi-validator.ts'
import { renderRoute } from '#tests/render-route.ts'
import { account, userIdOf } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'

useTestDatabase()

const P = { slug: 'personas', label: 'v1' }
const API = { dataset: P.slug, version: P.label }
const API_PATH = '/api/v1/datasets/{dataset}/versions/{version}/signals'
const PROMPT_ONLY = 'questionnaire'

/**
 * 600 samples, 200 per persona.group; PLANTED in 30 % of "north" samples and 2 % of the others.
 * Every tenth sample is a chat whose user turn says PROMPT_ONLY in "south" (only assistant turns
 * count). persona.uid is unique per sample: a key to skip as high-cardinality.
 */
function plantedFile() {
	const rand = lcg(21)
	const lines: string[] = []
	for (let i = 0; i < 600; i++) {
		const group = GROUPS[i % 3]!
		const k = Math.floor(i / 3)
		const words = Array.from({ length: 14 }, () => FILLER[Math.floor(rand() * FILLER.length)]!)
		const planted = group === 'north' ? k < 60 : k < 4
		if (planted) words.splice(Math.floor(rand() * words.length), 0, PLANTED)
		const metadata = { persona: { group, uid: `u-${String(i).padStart(4, '0')}` } }
		const id = `s-${String(i).padStart(4, '0')}`
		const text = words.join(' ')
		lines.push(
			JSON.stringify(
				i % 10 === 0
					? {
							id,
							language: 'en',
							metadata,
							messages: [
								{ role: 'user', content: group === 'south' ? `${PROMPT_ONLY} ${PROMPT_ONLY} please` : 'please write' },
								{ role: 'assistant', content: text },
							],
						}
					: { id, language: 'en', metadata, content: text },
			),
		)
	}
	return lines.join('\n')
}

async function importFile(versionId: string, userId: string, body: string) {
	const outcome = await runImport({
		versionId,
		format: 'jsonl',
		filename: 'personas.jsonl',
		userId,
		source: (async function* () {
			yield new TextEncoder().encode(body)
		})(),
	})
	expect(outcome.status).toBe('succeeded')
	return outcome
}

async function setup(body = plantedFile()) {
	const owner = await account('owner')
	await run(newDataset, formRequest('/d', { name: 'Personas', slug: P.slug }, { cookie: owner }))
	await run(newVersion, formRequest('/v', { label: P.label, generationMethod: 'persona_simulation' }, { cookie: owner }), {}, { slug: P.slug })
	const me = (await getUser(getRequest('/', { cookie: owner })))!
	const dataset = (await getDatasetForMember({ slug: P.slug, userId: me.id }))!
	const version = (await getVersion({ datasetId: dataset.id, label: P.label }))!
	await importFile(version.id, me.id, body)
	const created = await createApiToken({ userId: me.id, name: 'pipeline', datasetSlugs: [P.slug] })
	if (!('token' in created)) throw new Error('no token')
	return { owner, userId: me.id, versionId: version.id, token: created.token.token }
}

const apiGet = (token: string, attribute: string | null) =>
	run(
		apiLoader,
		getRequest(`/api/v1/datasets/${P.slug}/versions/${P.label}/signals${attribute === null ? '' : `?attribute=${encodeURIComponent(attribute)}`}`, { headers: { Authorization: `Bearer ${token}` } }),
		{},
		API,
	)

type PageData = {
	state: { status: string }
	summary: { samples: number; attributes: string[]; skipped: Array<{ attribute: string; reason: string; distinct: number }> } | null
	attribute: string | null
	values: Array<{ value: string; samples: number; share: number; lowDiversity: boolean; terms: Array<{ term: string; z: number; count: number }> }>
}

describe('caricature signals after an import', () => {
	test('queued by the import, computed by the job with progress, readable through the model, the pages, the CSV and the API', async () => {
		const w = await setup()
		// Queued in the import's own transaction; the API says so with a 409 until the job has run.
		expect(await getSignalState(w.versionId)).toEqual({ status: 'queued', total: 600 })
		const early = await apiGet(w.token, 'persona.group')
		expect(early.status).toBe(409)
		expect(early.data).toMatchObject({ error: { code: 'conflict', details: { status: 'queued', samples_total: 600 } } })
		expect(responseProblems('get', API_PATH, 409, early.data, early.headers)).toEqual([])
		const versionPage = await run(versionRoute.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}`, { cookie: w.owner }), {}, P)
		expect((versionPage.data as { signals: unknown }).signals).toEqual({ status: 'queued', total: 600 })
		const queuedHtml = await renderRoute(versionRoute, { path: `/datasets/${P.slug}/versions/${P.label}`, data: versionPage.data })
		expect(queuedHtml).toMatch(/data-testid="signal-state"[^>]*>.*queued; they are computed shortly after the import/s)

		// Small batches, so progress is written several times before the result.
		expect(await computeNextSignals({ batch: 100 })).toEqual({ versionId: w.versionId, status: 'succeeded' })
		const [row] = await db.select().from(versionSignals).where(eq(versionSignals.versionId, w.versionId))
		expect(row).toMatchObject({ status: 'succeeded', samplesDone: 600, samplesTotal: 600, samples: 600, error: null, attempts: 1 })
		expect(row!.computedAt).toBeInstanceOf(Date)
		expect(row!.method).toMatchObject({ prior: 'informative-dirichlet', chatRoles: ['assistant'] })
		expect(await computeNextSignals()).toBeNull()

		// The model: the planted word is north's top term, far past chance; nowhere else; the prompt-only word never counts.
		const values = await getSignalValues(w.versionId, 'persona.group')
		expect(values.map((v) => v.value).sort()).toEqual([...GROUPS].sort())
		const north = values.find((v) => v.value === 'north')!
		expect(north.samples).toBe(200)
		expect(north.share).toBeCloseTo(1 / 3, 5)
		expect(north.terms[0]).toMatchObject({ term: PLANTED })
		expect(north.terms[0]!.z).toBeGreaterThan(5)
		for (const v of values) {
			if (v.value !== 'north') expect(v.terms.map((t) => t.term)).not.toContain(PLANTED)
			expect(v.terms.map((t) => t.term)).not.toContain(PROMPT_ONLY)
		}
		const summary = (await getSignalSummary(w.versionId))!
		expect(summary.attributes).toEqual(['persona.group'])
		expect(summary.skipped).toContainEqual({ attribute: 'persona.uid', reason: 'high_cardinality', distinct: 600 })

		// The version page: ready, with its link.
		const ready = await run(versionRoute.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}`, { cookie: w.owner }), {}, P)
		expect((ready.data as { signals: { status: string } }).signals.status).toBe('succeeded')
		const readyHtml = await renderRoute(versionRoute, { path: `/datasets/${P.slug}/versions/${P.label}`, data: ready.data })
		expect(readyHtml).toContain(`href="/datasets/${P.slug}/versions/${P.label}/signals">Show the signals</a>`)

		// The Signals page: the attribute chosen by the GET form, per value the terms, the skipped key said.
		const page = await run(signalsRoute.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}/signals?attribute=persona.group`, { cookie: w.owner }), {}, P)
		expect(page.status).toBe(200)
		const data = page.data as PageData
		expect(data.attribute).toBe('persona.group')
		expect(data.summary).toMatchObject({ samples: 600, attributes: ['persona.group'] })
		expect(data.summary!.skipped).toContainEqual({ attribute: 'persona.uid', reason: 'high_cardinality', distinct: 600 })
		expect(data.values.find((v) => v.value === 'north')!.terms[0]!.term).toBe(PLANTED)
		// Rendered: the strongest term's bar is full length (a logical size, so it grows from the start in RTL too), and
		// "samples with this word" opens the browse page filtered by the value and searching the word.
		const html = await renderRoute(signalsRoute, { path: `/datasets/${P.slug}/versions/${P.label}/signals`, data })
		expect(html).toContain('[inline-size:100%]')
		expect(html).toContain(`/datasets/${P.slug}/versions/${P.label}/samples?attr=persona.group%3Anorth&amp;q=${PLANTED}`)
		expect(html).toContain('signals.csv?attribute=persona.group')
		const arabic = await renderRoute(signalsRoute, { path: `/datasets/${P.slug}/versions/${P.label}/signals`, data, language: 'ar' })
		expect(arabic).toContain('كيف نجد المؤشرات')
		expect(arabic).toContain('العينات التي فيها هذه الكلمة')
		// An attribute that was not computed falls back to the first one.
		const fallback = await run(signalsRoute.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}/signals?attribute=persona.uid`, { cookie: w.owner }), {}, P)
		expect((fallback.data as PageData).attribute).toBe('persona.group')

		// The CSV: a header, then one row per listed term of each value (or one row for a value without any).
		const csv = await run(csvLoader, getRequest(`/datasets/${P.slug}/versions/${P.label}/signals.csv?attribute=persona.group`, { cookie: w.owner }), {}, P)
		expect(csv.status).toBe(200)
		expect(csv.headers.get('Content-Type')).toMatch(/^text\/csv/)
		expect(csv.headers.get('Content-Disposition')).toMatch(/attachment; filename="personas-v1-signals-persona.group.csv"/)
		const lines = String(csv.data)
			.replace(/^\uFEFF/, '')
			.trimEnd()
			.split('\r\n')
		expect(lines[0]).toBe('"attribute","value","samples","share","distinct2","version_distinct2","low_diversity","rank","term","z","count","term_samples"')
		expect(lines.length - 1).toBe(values.reduce((n, v) => n + Math.max(1, v.terms.length), 0))
		expect(lines.some((l) => l.startsWith(`"persona.group","north","200",`) && l.includes(`,"1","${PLANTED}",`))).toBe(true)

		// The API: exactly the documented shape.
		const res = await apiGet(w.token, 'persona.group')
		expect(res.status).toBe(200)
		expect(responseProblems('get', API_PATH, 200, res.data, res.headers)).toEqual([])
		const body = res.data as { attribute: string; computed_at: string; values: Array<Record<string, unknown> & { terms: Array<Record<string, unknown>> }> }
		expect(Object.keys(body).sort()).toEqual(['attribute', 'computed_at', 'values'])
		expect(body.attribute).toBe('persona.group')
		expect(body.computed_at).toBe(row!.computedAt!.toISOString())
		for (const v of body.values) {
			expect(Object.keys(v).sort()).toEqual(['distinct2', 'samples', 'terms', 'value'])
			for (const t of v.terms) expect(Object.keys(t).sort()).toEqual(['count', 'term', 'z'])
		}
		const apiNorth = body.values.find((v) => v.value === 'north')!
		expect(apiNorth).toMatchObject({ samples: 200, distinct2: north.distinct2 })
		expect(apiNorth.terms[0]).toEqual({ term: PLANTED, z: north.terms[0]!.z, count: north.terms[0]!.count })
		// Skipped and unknown keys are 404 with the computed ones listed; a missing attribute is 400.
		for (const key of ['persona.uid', 'nope']) {
			const missing = await apiGet(w.token, key)
			expect(missing.status).toBe(404)
			expect(missing.data).toMatchObject({ error: { code: 'not_found', details: { attributes: ['persona.group'] } } })
			expect(responseProblems('get', API_PATH, 404, missing.data, missing.headers)).toEqual([])
		}
		expect((await apiGet(w.token, null)).status).toBe(400)
	})

	test('a value whose text repeats itself is marked as less diverse than the version, on the page too', async () => {
		const rand = lcg(7)
		const body = Array.from({ length: 120 }, (_, i) => {
			const group = i % 2 ? 'loop' : 'varied'
			const words = group === 'loop' ? 'the same river and the same garden every single morning'.split(' ') : Array.from({ length: 14 }, () => FILLER[Math.floor(rand() * FILLER.length)]!)
			return JSON.stringify({ id: `d-${String(i).padStart(3, '0')}`, language: 'en', content: words.join(' '), metadata: { persona: { group } } })
		}).join('\n')
		const w = await setup(body)
		expect(await computeNextSignals()).toMatchObject({ status: 'succeeded' })
		const values = await getSignalValues(w.versionId, 'persona.group')
		const loop = values.find((v) => v.value === 'loop')!
		const varied = values.find((v) => v.value === 'varied')!
		expect(loop.lowDiversity).toBe(true)
		expect(varied.lowDiversity).toBe(false)
		expect(loop.distinct2).toBeLessThan(varied.distinct2)
		const page = await run(signalsRoute.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}/signals`, { cookie: w.owner }), {}, P)
		const html = await renderRoute(signalsRoute, { path: `/datasets/${P.slug}/versions/${P.label}/signals`, data: page.data })
		expect(html.match(/data-testid="low-diversity"/g)).toHaveLength(1)
		expect(html).toContain('Lower diversity than the version')
	})

	test('nobody outside the team reads them: 404 on the page, the CSV and the API (a token of another dataset)', async () => {
		const w = await setup()
		await computePendingSignals()
		const stranger = await account('stranger')
		await run(newDataset, formRequest('/d', { name: 'Other', slug: 'other' }, { cookie: stranger }))
		const strangerId = (await getUser(getRequest('/', { cookie: stranger })))!.id
		const created = await createApiToken({ userId: strangerId, name: 'other', datasetSlugs: ['other'] })
		if (!('token' in created)) throw new Error('no token')
		expect((await run(signalsRoute.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}/signals`, { cookie: stranger }), {}, P)).status).toBe(404)
		expect((await run(csvLoader, getRequest(`/datasets/${P.slug}/versions/${P.label}/signals.csv`, { cookie: stranger }), {}, P)).status).toBe(404)
		const res = await apiGet(created.token.token, 'persona.group')
		expect(res.status).toBe(404)
		expect(JSON.stringify(res.data)).not.toContain(PLANTED)
		// The team's own token still reads them.
		expect((await apiGet(w.token, 'persona.group')).status).toBe(200)
	})

	test('a failing computation is stored as failed with its message and not retried', async () => {
		const w = await setup()
		// A chat row whose turns are not a list: the job cannot read it.
		await db.execute(sql`update ${samples} set messages = ${JSON.stringify({ broken: true })}::jsonb where external_id = 's-0010'`)
		const outcome = await computeNextSignals()
		expect(outcome).toMatchObject({ versionId: w.versionId, status: 'failed' })
		const state = await getSignalState(w.versionId)
		expect(state.status).toBe('failed')
		expect(state.status === 'failed' && state.error).toMatch(/s-0010.*not a list/)
		expect(await getSignalSummary(w.versionId)).toBeNull()
		// No retry storm: nothing is claimed again.
		expect(await computeNextSignals()).toBeNull()
		const res = await apiGet(w.token, 'persona.group')
		expect(res.status).toBe(409)
		expect(res.data).toMatchObject({ error: { code: 'conflict', details: { status: 'failed' } } })
		const page = await run(signalsRoute.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}/signals`, { cookie: w.owner }), {}, P)
		expect((page.data as PageData).state).toMatchObject({ status: 'failed', error: expect.stringMatching(/s-0010/) })
		const failedHtml = await renderRoute(signalsRoute, { path: `/datasets/${P.slug}/versions/${P.label}/signals`, data: page.data, language: 'fr' })
		expect(failedHtml).toContain('Les signaux n’ont pas pu être calculés : Sample s-0010')
		const versionPage = await run(versionRoute.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}`, { cookie: w.owner }), {}, P)
		const versionHtml = await renderRoute(versionRoute, { path: `/datasets/${P.slug}/versions/${P.label}`, data: versionPage.data })
		expect(versionHtml).toContain('the computation failed: Sample s-0010')
	})

	test('two job runs at once compute a version once; a re-import queues it again and supersedes a run in progress', async () => {
		const w = await setup()
		const outcomes = await Promise.all([computeNextSignals(), computeNextSignals()])
		expect(outcomes.filter((o) => o?.status === 'succeeded')).toHaveLength(1)
		expect(outcomes.filter((o) => o === null)).toHaveLength(1)
		const [row] = await db.select({ attempts: versionSignals.attempts }).from(versionSignals).where(eq(versionSignals.versionId, w.versionId))
		expect(row!.attempts).toBe(1)

		// A claim is exclusive: while one run holds it, another finds nothing.
		await importFile(w.versionId, w.userId, plantedFile())
		expect(await getSignalState(w.versionId)).toEqual({ status: 'queued', total: 600 })
		expect(await getSignalValues(w.versionId, 'persona.group')).toEqual([])
		const claim = await claimSignalComputation()
		expect(claim).toMatchObject({ versionId: w.versionId, attempts: 1, total: 600 })
		expect(await claimSignalComputation()).toBeNull()
		// Re-imported while that run was going: its claim is stale, the new sample set is queued and computed.
		await importFile(w.versionId, w.userId, plantedFile())
		expect(await getSignalState(w.versionId)).toEqual({ status: 'queued', total: 600 })
		expect(await recordSignalProgress(claim!, 100)).toBe(false)
		expect(await computeNextSignals()).toMatchObject({ status: 'succeeded' })
		expect((await getSignalValues(w.versionId, 'persona.group')).find((v) => v.value === 'north')!.terms[0]!.term).toBe(PLANTED)
	})

	test('the job gives way to an import under way: it waits with its claim kept, then computes; a dead import is not waited for', async () => {
		const w = await setup()
		const [live] = await db.insert(imports).values({ versionId: w.versionId, format: 'jsonl', status: 'running' }).returning({ id: imports.id })
		const job = computeNextSignals({ yieldPollMs: 10 })
		for (let i = 0; i < 100 && (await getSignalState(w.versionId)).status !== 'running'; i++) await new Promise((resolve) => setTimeout(resolve, 20))
		await new Promise((resolve) => setTimeout(resolve, 300))
		// Still waiting: claimed, nothing read, the claim's heartbeat kept.
		expect(await getSignalState(w.versionId)).toEqual({ status: 'running', done: 0, total: 600 })
		const [beat] = await db.select({ at: versionSignals.heartbeatAt }).from(versionSignals).where(eq(versionSignals.versionId, w.versionId))
		expect(beat!.at!.getTime()).toBeGreaterThan(Date.now() - 60_000)
		await db.update(imports).set({ status: 'failed' }).where(eq(imports.id, live!.id))
		expect(await job).toMatchObject({ versionId: w.versionId, status: 'succeeded' })
		expect((await getSignalValues(w.versionId, 'persona.group')).find((v) => v.value === 'north')!.terms[0]!.term).toBe(PLANTED)

		// An import left "running" by a process that died (no heartbeat for 10 minutes) holds nothing up.
		await db.insert(imports).values({ versionId: w.versionId, format: 'jsonl', status: 'running', heartbeatAt: new Date(Date.now() - 600_000) })
		await importFile(w.versionId, w.userId, plantedFile())
		expect(await computeNextSignals({ yieldPollMs: 60_000 })).toMatchObject({ status: 'succeeded' })
	})
})

type Verdict = 'no_concerns' | 'flagged' | 'skipped'

const reviewer = async (n: number) => {
	await account(`reviewer${n}`)
	return userIdOf(`reviewer${n}`)
}

/** A round of the version with `reviewers` participants, and their verdicts on samples by external id (written as the review form writes them). */
async function reviewRound(w: { versionId: string; userId: string }, verdicts: Array<[externalId: string, ...Verdict[]]>) {
	const [round] = await db.insert(rounds).values({ versionId: w.versionId, stage: 'validation', title: 'Check', status: 'open', createdBy: w.userId }).returning({ id: rounds.id })
	const most = Math.max(...verdicts.map((v) => v.length - 1))
	const parts: string[] = []
	for (let n = 1; n <= most; n++) {
		const [part] = await db
			.insert(participants)
			.values({ roundId: round!.id, userId: n === 1 ? w.userId : await reviewer(n), role: 'community', number: n, consentedAt: new Date() })
			.returning({ id: participants.id })
		parts.push(part!.id)
	}
	const ids = new Map((await db.select({ id: samples.id, externalId: samples.externalId }).from(samples)).map((s) => [s.externalId, s.id]))
	const rows = verdicts.flatMap(([externalId, ...vs]) => vs.map((verdict, n) => ({ roundId: round!.id, participantId: parts[n]!, sampleId: ids.get(externalId)!, verdict })))
	await db.insert(reviews).values(rows)
}

const sid = (i: number) => `s-${String(i).padStart(4, '0')}`
/** The i-th north sample of plantedFile: the first 60 (k < 60) carry the planted word. */
const northSample = (k: number) => sid(3 * k)

describe('the signals checked against the reviewers’ verdicts (issue #21, item 4)', () => {
	test('samples with the planted word are flagged more often: exact counts, Wilson intervals, on the page in words; nothing before the first verdict', async () => {
		const w = await setup()
		expect(await computeNextSignals()).toMatchObject({ status: 'succeeded' })
		const values = await getSignalValues(w.versionId, 'persona.group')
		expect(values.find((v) => v.value === 'north')!.terms.map((t) => t.term)).toEqual([PLANTED])

		// No verdict yet: nothing to compare, and the page says so.
		expect(await getSignalFlagRates(w.versionId, 'persona.group', values)).toBeNull()
		const before = await run(signalsRoute.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}/signals`, { cookie: w.owner }), {}, P)
		expect((before.data as { flagRates: unknown }).flagRates).toBeNull()
		const beforeHtml = await renderRoute(signalsRoute, { path: `/datasets/${P.slug}/versions/${P.label}/signals`, data: before.data })
		expect(beforeHtml).toContain('No verdicts yet')
		expect(beforeHtml).not.toContain('data-testid="flag-rates"')

		// North: 20 samples with the word reviewed, 15 flagged (one of them by one reviewer of two); 30 without, 3 flagged;
		// a sample only skipped is not reviewed; a skip next to a verdict leaves the verdict. South: 10 reviewed, 1 flagged.
		const verdicts: Array<[string, ...Verdict[]]> = []
		for (let k = 0; k < 20; k++) verdicts.push(k < 14 ? [northSample(k), 'flagged'] : k === 14 ? [northSample(k), 'no_concerns', 'flagged'] : [northSample(k), 'no_concerns'])
		for (let k = 60; k < 90; k++) verdicts.push(k < 63 ? [northSample(k), 'flagged', 'skipped'] : [northSample(k), 'no_concerns'])
		verdicts.push([northSample(90), 'skipped'], [northSample(91), 'skipped', 'skipped'])
		for (let k = 100; k < 110; k++) verdicts.push([sid(3 * k + 1), k === 100 ? 'flagged' : 'no_concerns'])
		await reviewRound(w, verdicts)

		const rates = (await getSignalFlagRates(w.versionId, 'persona.group', values))!
		const north = rates.find((r) => r.value === 'north')!
		expect(north.terms).toEqual([PLANTED])
		expect(north.withTerms).toMatchObject({ reviewed: 20, flagged: 15 })
		expect(north.withoutTerms).toMatchObject({ reviewed: 30, flagged: 3 })
		expect(north.withTerms.interval!.rate).toBeCloseTo(0.75, 10)
		// Wilson 95 % for 15/20: 0.531 to 0.888; for 3/30: 0.035 to 0.256 — apart.
		expect(north.withTerms.interval!.low).toBeCloseTo(0.5313, 3)
		expect(north.withTerms.interval!.high).toBeCloseTo(0.8881, 3)
		expect(north.withoutTerms.interval!.low).toBeCloseTo(0.0346, 3)
		expect(north.withoutTerms.interval!.high).toBeCloseTo(0.2562, 3)
		const south = rates.find((r) => r.value === 'south')!
		const southTerms = values.find((v) => v.value === 'south')!.terms.map((t) => t.term)
		expect(south.withTerms.reviewed + south.withoutTerms.reviewed).toBe(10)
		expect(south.withTerms.flagged + south.withoutTerms.flagged).toBe(1)
		if (southTerms.length === 0) expect(south.withTerms).toEqual({ reviewed: 0, flagged: 0, interval: null })
		expect(rates.find((r) => r.value === 'east')).toMatchObject({ withTerms: { reviewed: 0, flagged: 0, interval: null }, withoutTerms: { reviewed: 0, flagged: 0, interval: null } })

		// The API: the optional flag_rates, documented.
		const api = await apiGet(w.token, 'persona.group')
		expect(api.status).toBe(200)
		expect(responseProblems('get', API_PATH, 200, api.data, api.headers)).toEqual([])
		const apiRates = (api.data as { flag_rates: Array<{ value: string; with_terms: Record<string, number>; without_terms: Record<string, number> }> }).flag_rates
		expect(apiRates.find((r) => r.value === 'north')).toEqual({
			value: 'north',
			with_terms: { reviewed: 20, flagged: 15, share: 0.75, low: north.withTerms.interval!.low, high: north.withTerms.interval!.high },
			without_terms: { reviewed: 30, flagged: 3, share: 0.1, low: north.withoutTerms.interval!.low, high: north.withoutTerms.interval!.high },
		})
		expect(apiRates.find((r) => r.value === 'east')!.with_terms).toEqual({ reviewed: 0, flagged: 0, share: null, low: null, high: null })

		// The page: the explanation in words, a table per value with the counts and the interval.
		const page = await run(signalsRoute.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}/signals?attribute=persona.group`, { cookie: w.owner }), {}, P)
		const data = page.data as { flagRates: Array<{ value: string; withTerms: { reviewed: number } }> }
		expect(data.flagRates.find((r) => r.value === 'north')!.withTerms.reviewed).toBe(20)
		const html = await renderRoute(signalsRoute, { path: `/datasets/${P.slug}/versions/${P.label}/signals`, data: page.data })
		expect(html).toContain('Checked against reviewers')
		expect(html).not.toContain('No verdicts yet')
		expect(html).toMatch(/With a listed word<\/th><td[^>]*>20<\/td><td[^>]*>15<\/td><td[^>]*>75%<\/td><td[^>]*>53.1% to 88.8%<\/td>/)
		expect(html).toMatch(/Without any listed word<\/th><td[^>]*>30<\/td><td[^>]*>3<\/td><td[^>]*>10%<\/td>/)
		const chinese = await renderRoute(signalsRoute, { path: `/datasets/${P.slug}/versions/${P.label}/signals`, data: page.data, language: 'zh-Hans' })
		expect(chinese).toContain('与审阅者的判断对照')
		expect(chinese).toContain('含所列词语')
	})

	test('a Chinese term (a bigram) is found in the samples that contain it, and only those', async () => {
		const rand = lcg(5)
		const FILL = '山水 河流 花园 窗户 市场 老师 厨房 信件 早晨 村庄 港口 图书 铅笔 果园 草地 灯笼 篮子 毯子 地毯 梯子 镜子 口袋 兔子 马鞍 隧道 马车 桥梁 蜡烛 沙漠'.split(' ')
		const WORD = '火锅'
		const planted = (i: number) => (i % 2 === 0 ? Math.floor(i / 2) < 45 : Math.floor(i / 2) < 3)
		const body = Array.from({ length: 300 }, (_, i) => {
			const ws = Array.from({ length: 12 }, () => FILL[Math.floor(rand() * FILL.length)]!)
			if (planted(i)) ws.splice(Math.floor(rand() * ws.length), 0, WORD)
			return JSON.stringify({ id: sid(i), language: 'zh', content: ws.join('，'), metadata: { persona: { group: i % 2 === 0 ? '甲' : '乙' } } })
		}).join('\n')
		const w = await setup(body)
		expect(await computeNextSignals()).toMatchObject({ status: 'succeeded' })
		const values = await getSignalValues(w.versionId, 'persona.group')
		const jia = values.find((v) => v.value === '甲')!
		expect(jia.terms.map((t) => t.term)).toEqual([WORD])
		// 甲: samples 0, 2, … 88 carry the word; review 10 of them (6 flagged) and 10 without it (1 flagged).
		const verdicts: Array<[string, ...Verdict[]]> = []
		for (let k = 0; k < 10; k++) verdicts.push([sid(2 * k), k < 6 ? 'flagged' : 'no_concerns'])
		for (let k = 50; k < 60; k++) verdicts.push([sid(2 * k), k < 51 ? 'flagged' : 'no_concerns'])
		// 乙's sample 1 carries the word; it is not one of 乙's terms, so it counts as without.
		verdicts.push([sid(1), 'flagged'], [sid(201), 'no_concerns'])
		await reviewRound(w, verdicts)
		const rates = (await getSignalFlagRates(w.versionId, 'persona.group', values))!
		expect(rates.find((r) => r.value === '甲')).toMatchObject({ terms: [WORD], withTerms: { reviewed: 10, flagged: 6 }, withoutTerms: { reviewed: 10, flagged: 1 } })
		const yi = rates.find((r) => r.value === '乙')!
		expect(yi.withTerms.reviewed + yi.withoutTerms.reviewed).toBe(2)
		expect(yi.withTerms.flagged + yi.withoutTerms.flagged).toBe(1)
	})
})

describe('the consultation report’s section “What the text says about each group”', () => {
	const reportPath = `/datasets/${P.slug}/versions/${P.label}/report`
	const markdown = async (cookie: string) => String((await run(reportMdLoader, getRequest(`${reportPath}.md`, { cookie }), {}, P)).data)

	test('says the signals are not computed yet, then lists the strongest attribute’s groups with their words, z and diversity marks (page, Markdown, JSON)', async () => {
		const w = await setup()
		const before = await run(reportRoute.loader, getRequest(reportPath, { cookie: w.owner }), {}, P)
		expect((before.data as { report: { signals: unknown } }).report.signals).toMatchObject({ status: 'queued', attribute: null, values: [] })
		const beforeHtml = await renderRoute(reportRoute, { path: reportPath, data: before.data })
		expect(beforeHtml).toContain('What the text says about each group')
		expect(beforeHtml).toMatch(/data-testid="signals-absent">The signals are not computed yet/)
		const beforeMd = await markdown(w.owner)
		expect(beforeMd).toContain('### What the text says about each group\n\nThe words of the generated text are counted separately')
		expect(beforeMd).toContain('The signals are not computed yet; they are computed shortly after each import.')

		expect(await computeNextSignals()).toMatchObject({ status: 'succeeded' })
		const north = (await getSignalValues(w.versionId, 'persona.group')).find((v) => v.value === 'north')!
		const page = await run(reportRoute.loader, getRequest(reportPath, { cookie: w.owner }), {}, P)
		const signals = (page.data as { report: { signals: { status: string; attribute: string; attributes: string[]; values: Array<{ value: string; terms: Array<{ term: string; z: number }> }> } } })
			.report.signals
		expect(signals).toMatchObject({ status: 'succeeded', attribute: 'persona.group', attributes: ['persona.group'] })
		expect(signals.values.map((v) => v.value).sort()).toEqual([...GROUPS].sort())
		const reportNorth = signals.values.find((v) => v.value === 'north')!
		expect(reportNorth.terms[0]).toEqual({ term: PLANTED, z: north.terms[0]!.z, count: north.terms[0]!.count })
		expect(reportNorth.terms.length).toBeLessThanOrEqual(5)
		const html = await renderRoute(reportRoute, { path: reportPath, data: page.data })
		expect(html).not.toContain('data-testid="signals-absent"')
		expect(html).toContain('The attribute whose groups the text marks most strongly: persona.group.')
		expect(html).toContain(`${PLANTED} (z-score ${north.terms[0]!.z.toFixed(1)})`)

		const md = await markdown(w.owner)
		expect(md).toContain('The attribute whose groups the text marks most strongly: persona.group.')
		expect(md).toMatch(new RegExp(`^\\| north \\| 200 \\| 33\\.3 % \\| [0-9.]+ \\| ${PLANTED} \\(z-score ${north.terms[0]!.z.toFixed(1).replace('.', '\\.')}\\)`, 'm'))
		// In another language, the method in its words.
		const fr = await renderRoute(reportRoute, { path: reportPath, data: page.data, language: 'fr' })
		expect(fr).toContain('Ce que le texte dit de chaque groupe')
		expect(fr).toContain('Les mots du texte généré sont comptés à part')
		expect(fr).toContain(`${PLANTED} (score z ${new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(north.terms[0]!.z)})`)

		const json = (await run(reportJsonLoader, getRequest(`${reportPath}.json`, { cookie: w.owner }), {}, P)).data as {
			signals: { attribute: string; values: Array<{ value: string; terms: Array<{ term: string }> }> }
		}
		expect(json.signals.attribute).toBe('persona.group')
		expect(json.signals.values.find((v) => v.value === 'north')!.terms[0]!.term).toBe(PLANTED)
	})

	test('the attribute with the strongest signals is the one shown; the others are named', async () => {
		const rand = lcg(11)
		const body = Array.from({ length: 300 }, (_, i) => {
			const words = Array.from({ length: 12 }, () => FILLER[Math.floor(rand() * FILLER.length)]!)
			const region = i % 2 ? 'coast' : 'inland'
			if (region === 'coast' && i % 10 < 7) words.push('fishing', 'fishing')
			return JSON.stringify({ id: sid(i), language: 'en', content: words.join(' '), metadata: { region, shuffled: i % 3 ? 'a' : 'b' } })
		}).join('\n')
		const w = await setup(body)
		expect(await computeNextSignals()).toMatchObject({ status: 'succeeded' })
		const md = await markdown(w.owner)
		expect(md).toContain('The attribute whose groups the text marks most strongly: region. ')
		expect(md).toContain('Also compared (see the Signals page): shuffled.')
		expect(md).toMatch(/^\| coast \| 150 \| 50\.0 % \| [0-9.]+ \| fishing \(z-score/m)
	})
})
