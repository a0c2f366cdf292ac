import { and, asc, eq } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { samples, versions } from '#db/schema/datasets.ts'
import { issueEvents, issues } from '#db/schema/issues.ts'
import { participants } from '#db/schema/rounds.ts'
import { UseCaseSchema } from '#app/domain/use-case.ts'
import { addComment } from '#app/models/comment.server.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { triageIssue } from '#app/models/triage.server.ts'
import { createUseCase } from '#app/models/use-case.server.ts'
import { changeVersionStatus } from '#app/models/version.server.ts'
import { action as tokensAction } from '#app/routes/account+/tokens.tsx'
import * as apiReportRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.report.ts'
import * as versionRoute from '#app/routes/datasets+/$slug+/versions.$label+/_index.tsx'
import * as issueRoute from '#app/routes/datasets+/$slug+/versions.$label+/issues.$number.tsx'
import * as reportRoute from '#app/routes/datasets+/$slug+/versions.$label+/report.tsx'
import { loader as reportJson } from '#app/routes/datasets+/$slug+/versions.$label+/report[.]json.ts'
import { loader as reportMd } from '#app/routes/datasets+/$slug+/versions.$label+/report[.]md.ts'
import { db } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { renderRoute } from '#tests/render-route.ts'
import { createRound, joinAs, P, setRoundStatus, world } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()

const BASE = '/datasets/hints/versions/v1/issues'
/**
 * Hints v1 in consultation, three issues in creation order: #1 a critical flag (blocking), #2 a
 * minor flag (not blocking), #3 an opposed comment on a use case (blocking), written in Markdown
 * with raw HTML in it. Triage order (blocking first, oldest first): #1, #3, #2.
 */
async function setup() {
	const w = await world(4)
	const ownerId = (await db.select({ id: users.id }).from(users).where(eq(users.email, 'owner@example.org')))[0]!.id
	const roundId = await createRound(w.owner, { opposedBlocks: 'on' })
	await joinAs(w.owner, roundId, 'ana', sink.messages)
	await setRoundStatus(w.owner, roundId, 'open')
	const [ana] = await db.select({ id: participants.id, userId: participants.userId }).from(participants).where(eq(participants.roundId, roundId))
	const sampleId = async (externalId: string) =>
		(
			await db
				.select({ id: samples.id })
				.from(samples)
				.innerJoin(versions, eq(versions.currentImportId, samples.importId))
				.where(and(eq(versions.id, w.versionId), eq(samples.externalId, externalId)))
		)[0]!.id
	await saveVerdict({ roundId, participantId: ana!.id, sampleId: await sampleId('h-000'), verdict: { kind: 'flag', flag: flagInput({ severity: 'critical', affectedGroups: [] }) } })
	await saveVerdict({ roundId, participantId: ana!.id, sampleId: await sampleId('h-001'), verdict: { kind: 'flag', flag: flagInput({ affectedGroups: [] }) } })
	const useCase = await createUseCase(w.datasetId, UseCaseSchema.parse({ title: 'Tutoring app for children', purpose: 'Hints for pupils aged 8 to 12.', pipelineStage: 'fine_tuning' }), ownerId)
	const comment = await addComment({
		useCaseId: useCase.id,
		actor: { userId: ana!.userId, datasetId: w.datasetId, participantId: ana!.id, roundId },
		stance: 'opposed',
		body: '**Children** should not learn from _caricatures_.\n\n<script>alert(1)</script>\n\n- one\n- two',
	})
	expect(comment.ok).toBe(true)
	const rows = await db.select({ number: issues.number, kind: issues.kind, blocking: issues.blocking }).from(issues).where(eq(issues.versionId, w.versionId)).orderBy(asc(issues.number))
	expect(rows).toEqual([
		{ number: 1, kind: 'sample', blocking: true },
		{ number: 2, kind: 'sample', blocking: false },
		{ number: 3, kind: 'use_case', blocking: true },
	])
	return { ...w, ownerId, roundId }
}
type World = Awaited<ReturnType<typeof setup>>

const issueRow = async (w: World, number: number) =>
	(
		await db
			.select({ id: issues.id, status: issues.status, resolution: issues.resolution, publicResponse: issues.publicResponse, revision: issues.revision })
			.from(issues)
			.where(and(eq(issues.versionId, w.versionId), eq(issues.number, number)))
	)[0]!
const params = (number: number) => ({ ...P, number: String(number) })
const page = (w: World, number: number, query = '') => run(issueRoute.loader as never, getRequest(`${BASE}/${number}${query}`, { cookie: w.owner }), {}, params(number))
const decide = async (w: World, number: number, fields: Record<string, string>) =>
	run(issueRoute.action as never, formRequest(`${BASE}/${number}`, { intent: 'resolve', revision: String((await issueRow(w, number)).revision), ...fields }, { cookie: w.owner }), {}, params(number))

describe('the issue page of a use-case issue', () => {
	test('renders the comment’s Markdown (raw HTML stays out) and offers only resolutions that fit a use case', async () => {
		const w = await setup()
		const loaded = await page(w, 3)
		expect(loaded.data).toMatchObject({
			resolutions: ['use_case_revised', 'use_case_narrowed', 'documented', 'not_an_issue'],
			useCase: { title: 'Tutoring app for children', purpose: 'Hints for pupils aged 8 to 12.' },
		})
		const html = await renderRoute(issueRoute, { path: `${BASE}/3`, data: loaded.data })
		expect(html).toContain('<strong>Children</strong>')
		expect(html).toContain('<em>caricatures</em>')
		expect(html).toMatch(/<li dir="auto">one<\/li>/)
		expect(html).not.toContain('<script>alert(1)</script>')
		expect(html).toContain('>Use case withdrawn or narrowed — the dataset is no longer offered for this use, or for less of it</option>')
		expect(html).toContain('>Documented — the use case stays; the risk is documented as a limitation in the report</option>')
		expect(html).not.toContain('>Regenerated')
		expect(html).not.toContain('>Removed')
		expect(html).toContain('Hints for pupils aged 8 to 12.')

		// A sample issue keeps the sample resolutions.
		const sample = await page(w, 1)
		expect((sample.data as { resolutions: string[] }).resolutions).toEqual(['removed', 'regenerated', 'documented', 'not_an_issue'])
	})

	test('a sample resolution on a use-case issue is refused (400, translated) and nothing typed is lost', async () => {
		const w = await setup()
		const before = await issueRow(w, 3)
		const res = await decide(w, 3, { resolution: 'regenerated', publicResponse: 'We will rewrite the use case.', note: 'Talk to the product team first.' })
		expect(res.status).toBe(400)
		expect(res.data).toMatchObject({
			intent: 'resolve',
			error: 'triage.errors.resolution_unfit',
			values: { resolution: 'regenerated', publicResponse: 'We will rewrite the use case.', note: 'Talk to the product team first.' },
		})
		expect(await issueRow(w, 3)).toEqual(before)
		// The page rendered from that answer (as without JavaScript) says why and keeps the words.
		const html = await renderRoute(issueRoute, { path: `${BASE}/3`, data: (await page(w, 3)).data, actionData: res.data })
		expect(html).toContain('This resolution does not fit this kind of issue: choose one of those offered.')
		expect(html).toContain('>We will rewrite the use case.</textarea>')
		expect(html).toContain('>Talk to the product team first.</textarea>')
		// And a use-case resolution on a sample issue is refused the same way.
		const sample = await decide(w, 1, { resolution: 'use_case_revised' })
		expect(sample).toMatchObject({ status: 400, data: { error: 'triage.errors.resolution_unfit' } })
		expect((await issueRow(w, 1)).status).toBe('open')
	})
})

describe('one decision form: resolution, public response and internal note together', () => {
	test('one submit saves all three, then goes on to the next untriaged issue (blocking first, oldest first); at the end it says none is left', async () => {
		const w = await setup()
		const first = await decide(w, 1, { resolution: 'removed', publicResponse: 'Thank you: this hint is removed.', note: 'The template t3 caused it.' })
		expect(first.status).toBe(302)
		expect(first.headers.get('Location')).toBe(`${BASE}/3?saved=1`)
		expect(await issueRow(w, 1)).toMatchObject({ status: 'resolved', resolution: 'removed', publicResponse: 'Thank you: this hint is removed.' })
		const events = await db
			.select({ kind: issueEvents.kind, note: issueEvents.note, internal: issueEvents.internal, after: issueEvents.after })
			.from(issueEvents)
			.where(eq(issueEvents.issueId, (await issueRow(w, 1)).id))
		expect(events).toContainEqual({
			kind: 'resolved',
			note: 'The template t3 caused it.',
			internal: true,
			after: { status: 'resolved', resolution: 'removed', publicResponse: 'Thank you: this hint is removed.' },
		})

		// The next page says what was saved and links back.
		const next = await page(w, 3, '?saved=1')
		expect(next.data).toMatchObject({ afterSave: { number: 1, noneLeft: false } })
		const html = await renderRoute(issueRoute, { path: `${BASE}/3?saved=1`, data: next.data })
		expect(html).toContain('Issue #1 is saved. This is the next untriaged issue (blocking first, then oldest).')
		expect(html).toContain(`href="${BASE}/1"`)

		// #2 was acknowledged meanwhile: someone triaged it, so it is not offered next.
		const two = await issueRow(w, 2)
		expect(
			await triageIssue({ versionId: w.versionId, issueId: two.id, actor: { userId: w.ownerId, datasetId: w.datasetId }, input: { intent: 'acknowledge', revision: two.revision } }),
		).toMatchObject({ ok: true })
		const last = await decide(w, 3, { resolution: 'use_case_narrowed', publicResponse: 'The dataset is no longer offered for children under 10.', note: '' })
		expect(last.headers.get('Location')).toBe(`${BASE}/3?saved=3&next=none`)
		expect(await issueRow(w, 3)).toMatchObject({ status: 'resolved', resolution: 'use_case_narrowed' })
		const end = await page(w, 3, '?saved=3&next=none')
		const endHtml = await renderRoute(issueRoute, { path: `${BASE}/3?saved=3&next=none`, data: end.data })
		expect(endHtml).toContain('Issue #3 is saved. No untriaged issues are left in v1.')
		expect(endHtml).toContain(`href="${BASE}">Back to the list of issues</a>`)
	})

	test('bad input keeps what was typed; an edit made on a stale revision is refused, never saved over the newer one', async () => {
		const w = await setup()
		const invalid = await decide(w, 2, { resolution: 'not_an_issue', publicResponse: 'no', note: 'Checked with Lea.' })
		expect(invalid).toMatchObject({ status: 400, data: { error: 'triage.errors.justification_required', values: { resolution: 'not_an_issue', publicResponse: 'no', note: 'Checked with Lea.' } } })
		const html = await renderRoute(issueRoute, { path: `${BASE}/2`, data: (await page(w, 2)).data, actionData: invalid.data })
		expect(html).toMatch(/<option value="not_an_issue" selected="">/)
		expect(html).toContain('>Checked with Lea.</textarea>')

		const stale = (await issueRow(w, 2)).revision
		// Someone else answers first.
		const two = await issueRow(w, 2)
		await triageIssue({
			versionId: w.versionId,
			issueId: two.id,
			actor: { userId: w.ownerId, datasetId: w.datasetId },
			input: { intent: 'respond', revision: two.revision, publicResponse: 'We are looking into it.' },
		})
		const late = await run(
			issueRoute.action as never,
			formRequest(`${BASE}/2`, { intent: 'resolve', revision: String(stale), resolution: 'documented', publicResponse: 'Kept and documented.', note: 'mine' }, { cookie: w.owner }),
			{},
			params(2),
		)
		expect(late).toMatchObject({ status: 409, data: { conflict: true, values: { resolution: 'documented', publicResponse: 'Kept and documented.', note: 'mine' } } })
		expect(await issueRow(w, 2)).toMatchObject({ status: 'open', resolution: null, publicResponse: 'We are looking into it.' })
	})
})

describe('an approval past an open round in the report', () => {
	test('the owner’s choice and reason are on the report page, in the JSON and Markdown downloads and in the API', async () => {
		const w = await setup()
		// Clear the gate: the two blockers are decided.
		await decide(w, 1, { resolution: 'removed' })
		await decide(w, 3, { resolution: 'use_case_revised', publicResponse: 'The use case now names the ages it fits.' })
		const why = 'The evaluation run starts Monday; late reviews feed v2.'
		const approved = await run(versionRoute.action as never, formRequest('/v', { intent: 'approve', roundChoice: 'keep_open', roundJustification: why }, { cookie: w.owner }), {}, P)
		expect(approved.status).toBe(200)

		const json = JSON.parse(await ((await reportJson({ request: getRequest('/r.json', { cookie: w.owner }), params: P, context: {} } as never)) as Response).text())
		expect(json.roundApprovals).toEqual([{ at: expect.any(String), choice: 'keep_open', rounds: ['Community check'], justification: why }])
		expect(json.summary.resolutions).toMatchObject({ removed: 1, use_case_revised: 1, regenerated: 0 })

		const md = await ((await reportMd({ request: getRequest('/r.md', { cookie: w.owner }), params: P, context: {} } as never)) as Response).text()
		expect(md).toContain('### Approval with a round open or below its coverage target')
		expect(md).toMatch(
			/an owner approved this version with the round “Community check” still open or below its coverage target\. Their written reason:\n\n> The evaluation run starts Monday; late reviews feed v2\./,
		)
		expect(md).toContain('Resolutions: Removed 1, Use case revised 1.')

		const loaded = await run(reportRoute.loader as never, getRequest('/datasets/hints/versions/v1/report', { cookie: w.owner }), {}, P)
		const html = await renderRoute(reportRoute, { path: '/datasets/hints/versions/v1/report', data: loaded.data })
		expect(html).toContain('Approval with a round open or below its coverage target')
		expect(html).toContain(why)

		const tokenRes = await run(
			tokensAction,
			new Request(`${TEST_ORIGIN}/account/tokens`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: TEST_ORIGIN, Cookie: w.owner },
				body: new URLSearchParams({ intent: 'create', name: 'ci', datasets: 'hints' }),
			}),
		)
		const token = (tokenRes.data as { created: { token: string } }).created.token
		const api = await run(
			apiReportRoute.loader as never,
			new Request(`${TEST_ORIGIN}/api/v1/datasets/hints/versions/v1/report`, { headers: { Authorization: `Bearer ${token}` } }),
			{},
			{ dataset: 'hints', version: 'v1' },
		)
		expect(api.status).toBe(200)
		expect((api.data as { roundApprovals: unknown }).roundApprovals).toEqual(json.roundApprovals)
	})

	test('an approval with every round closed and covered adds nothing', async () => {
		const w = await world(2)
		const ownerId = (await db.select({ id: users.id }).from(users).where(eq(users.email, 'owner@example.org')))[0]!.id
		expect(await changeVersionStatus({ versionId: w.versionId, datasetId: w.datasetId, actorId: ownerId, action: 'open_consultation' })).toMatchObject({ ok: true })
		const approved = await run(versionRoute.action as never, formRequest('/v', { intent: 'approve' }, { cookie: w.owner }), {}, P)
		expect(approved.status, JSON.stringify(approved.data)).toBeLessThan(400)
		const md = await ((await reportMd({ request: getRequest('/r.md', { cookie: w.owner }), params: P, context: {} } as never)) as Response).text()
		expect(md).toContain('This version was never approved while a round was open or below its coverage target.')
	})
})
