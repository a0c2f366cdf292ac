import { type AppLoadContext } from '@remix-run/node'
import { describe, expect, test } from 'vitest'
import { buildNextSimilarity } from '#app/jobs/similar.server.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { countBlockingSamples } from '#app/models/issue.server.ts'
import { getConsultationReportExport, listReportCsvIssues } from '#app/models/report.server.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { extendIssue } from '#app/models/similar.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import { loader as csvLoader } from '#app/routes/datasets+/$slug+/versions.$label+/report[.]csv.ts'
import { loader as jsonLoader } from '#app/routes/datasets+/$slug+/versions.$label+/report[.]json.ts'
import { loader as mdLoader } from '#app/routes/datasets+/$slug+/versions.$label+/report[.]md.ts'
import * as reportRoute from '#app/routes/datasets+/$slug+/versions.$label+/report.tsx'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { REPORT_NAMESPACES, toCsvChunks, toJsonChunks, toMarkdown } from '#app/domain/report.ts'
import { getFixedT } from '#app/utils/i18n.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { issuesOf } from '#tests/issue-world.ts'
import { account, createRound, joinAs, P, participantOf, sampleOf, setRoundStatus, userIdOf } from '#tests/round-fixtures.ts'
import { renderRoute } from '#tests/render-route.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

// The consultation report with the samples a sample issue was extended to (issue #22): per issue
// in the JSON (ids), the CSV (a count), the Markdown and the page ("also covers N similar
// samples"), and the samples the open blocking issues cover in the summary.

useTestDatabase()

const sink = useSmtpSink()

/** Words no other text of the file uses, so unrelated texts share no word pair. */
const words = (prefix: string, n: number) => Array.from({ length: n }, (_, k) => `${prefix}${k}`)
const BASE = words('dup', 18)
const oneWordOff = (position: number) => BASE.map((w, k) => (k === position ? `other${k}` : w)).join(' ')
/** s-0 (flagged, blocking) and four near-duplicates d-1 … d-4; f-0 (flagged, not blocking) and fillers of words of their own. */
const FILE = [
	{ id: 's-0', content: BASE.join(' ') },
	{ id: 'd-1', content: oneWordOff(4) },
	{ id: 'd-2', content: oneWordOff(8) },
	{ id: 'd-3', content: oneWordOff(12) },
	{ id: 'd-4', content: oneWordOff(15) },
	...Array.from({ length: 6 }, (_, i) => ({ id: `f-${i}`, content: words(`fill${i}x`, 18).join(' ') })),
]

/**
 * Dataset "hints" v1 with FILE imported and its similar index built; ana flags s-0 as critical
 * (#1, blocking) and f-0 as minor (#2, not blocking).
 */
async function setup() {
	const owner = await account('owner')
	await run(newDataset, formRequest('/d', { name: 'Hints', slug: P.slug }, { cookie: owner }))
	const created = await run(newVersion, formRequest('/v', { label: P.label, generationMethod: 'templates' }, { cookie: owner }), {}, { slug: P.slug })
	expect(created.status, JSON.stringify(created.data)).toBe(302)
	const ownerId = await userIdOf('owner')
	const dataset = (await getDatasetForMember({ slug: P.slug, userId: ownerId }))!
	const versionId = (await getVersion({ datasetId: dataset.id, label: P.label }))!.id
	const body = FILE.map((r) => JSON.stringify(r)).join('\n')
	const imported = await runImport({
		versionId,
		format: 'jsonl',
		filename: 'dups.jsonl',
		userId: ownerId,
		source: (async function* () {
			yield new TextEncoder().encode(body)
		})(),
	})
	expect(imported.status).toBe('succeeded')
	expect(await buildNextSimilarity()).toEqual({ versionId, status: 'succeeded' })

	const roundId = await createRound(owner)
	await joinAs(owner, roundId, 'ana', sink.messages)
	await setRoundStatus(owner, roundId, 'open')
	const ana = await participantOf(roundId, 'ana')
	const flag = async (externalId: string, severity: 'minor' | 'critical') =>
		saveVerdict({ roundId, participantId: ana, sampleId: (await sampleOf(versionId, externalId)).id, verdict: { kind: 'flag', flag: flagInput({ severity }) } })
	await flag('s-0', 'critical')
	await flag('f-0', 'minor')
	const [extended, plain] = await issuesOf(versionId)
	expect(extended).toMatchObject({ number: 1, kind: 'sample', externalId: 's-0', blocking: true })
	expect(plain).toMatchObject({ number: 2, kind: 'sample', externalId: 'f-0', blocking: false })
	const extend = (pick: string[] | 'all') => extendIssue({ versionId, issue: extended!, actor: { userId: ownerId, datasetId: dataset.id }, min: 0.6, pick })
	return { owner, dataset, versionId, extend, flag }
}

const context = { cspNonce: '', clientIp: '198.51.100.7' } as AppLoadContext
type Loader = (args: { request: Request; params: Record<string, string>; context: AppLoadContext }) => Promise<unknown>
async function download(loader: Loader, cookie: string, ext: string) {
	const res = (await loader({ request: getRequest(`/datasets/${P.slug}/versions/${P.label}/report.${ext}`, { cookie }), params: P, context })) as Response
	expect(res.status).toBe(200)
	return res.text()
}

type JsonIssue = { number: number; similarSamples: number; similarSampleIds: string[] }
async function outputs(owner: string) {
	const json = JSON.parse(await download(jsonLoader, owner, 'json')) as { summary: { blocking: number; blockingSamples: number }; issues: JsonIssue[] }
	const csv = (await download(csvLoader, owner, 'csv'))
		.split('\r\n')
		.filter(Boolean)
		.map((line) => line.split('","').map((c) => c.replace(/^\uFEFF?"|"$/g, '')))
	const md = await download(mdLoader, owner, 'md')
	const page = await run(reportRoute.loader, getRequest(`/datasets/${P.slug}/versions/${P.label}/report`, { cookie: owner }), {}, P)
	expect(page.status).toBe(200)
	const data = page.data as Awaited<ReturnType<typeof reportRoute.loader>>
	const html = await renderRoute(reportRoute, { path: `/datasets/${P.slug}/versions/${P.label}/report`, data })
	return { json, csv, md, data, html }
}

const occurrences = (text: string, part: string) => text.split(part).length - 1

describe('the consultation report lists the samples an issue was extended to (issue #22)', () => {
	test('JSON ids, CSV count, Markdown and page text for the extended issue; nothing for the issue without any; the blocking summary counts the covered samples', async () => {
		const w = await setup()

		// Not extended yet: zero everywhere, and the blocking summary says nothing more (1 issue, 1 sample).
		const before = await outputs(w.owner)
		expect(before.json.summary).toMatchObject({ blocking: 1, blockingSamples: 1 })
		expect(before.json.issues.map((i) => [i.number, i.similarSamples, i.similarSampleIds])).toEqual([
			[1, 0, []],
			[2, 0, []],
		])
		expect(before.csv.slice(1).map((r) => [r[0], r.at(-1)])).toEqual([
			['1', '0'],
			['2', '0'],
		])
		for (const text of [before.md, before.html]) {
			expect(text).not.toContain('similar sample')
			expect(text).not.toContain('blocking issues cover')
		}

		expect(await w.extend(['d-4', 'd-2'])).toEqual({ ok: true, added: 2 })
		expect(await countBlockingSamples(w.versionId)).toBe(3)
		const after = await outputs(w.owner)

		// JSON: the count and exactly those ids (in id order), camelCase like the other issue fields.
		expect(after.json.summary).toMatchObject({ blocking: 1, blockingSamples: 3 })
		expect(after.json.issues.map((i) => [i.number, i.similarSamples, i.similarSampleIds])).toEqual([
			[1, 2, ['d-2', 'd-4']],
			[2, 0, []],
		])
		const keys = Object.keys(after.json.issues[0]!)
		expect(keys.slice(-3)).toEqual(['carriedOver', 'similarSamples', 'similarSampleIds'])

		// CSV: a last column with the count.
		expect(after.csv[0]!.slice(-2)).toEqual(['version', 'similar_samples'])
		expect(after.csv.slice(1).map((r) => [r[0], r.at(-1)])).toEqual([
			['1', '2'],
			['2', '0'],
		])

		// Markdown: in the issue's "About" cell, once; and the blocking summary.
		expect(after.md).toMatch(/^\| #1 \| Sample s-0 · also covers 2 similar samples \|/m)
		expect(after.md).toMatch(/^\| #2 \| Sample f-0 \|/m)
		expect(occurrences(after.md, 'similar sample')).toBe(2) // the cell, and the summary's "counting the similar samples"
		expect(after.md).toContain('The open blocking issues cover 3 samples, counting the similar samples they were extended to.')

		// The page: counts only in its loader data (no ids shipped), the same words on the page.
		expect(after.data.report.summary).toMatchObject({ blocking: 1, blockingSamples: 3 })
		expect(after.data.report.issues.map((i) => [i.number, i.similarSamples])).toEqual([
			[1, 2],
			[2, 0],
		])
		expect(JSON.stringify(after.data)).not.toContain('similarSampleIds')
		expect(occurrences(after.html, 'also covers')).toBe(1)
		expect(after.html).toContain('also covers 2 similar samples')
		expect(after.html).toMatch(/<p data-testid="blocking-samples">The open blocking issues cover 3 samples, counting the similar samples they were extended to\.<\/p>/)

		// The rest of the near-duplicates: all four, in every output.
		expect(await w.extend('all')).toEqual({ ok: true, added: 2 })
		const all = await outputs(w.owner)
		expect(all.json.issues[0]).toMatchObject({ similarSamples: 4, similarSampleIds: ['d-1', 'd-2', 'd-3', 'd-4'] })
		expect(all.json.summary.blockingSamples).toBe(5)
		expect(all.csv[1]!.at(-1)).toBe('4')
		expect(all.md).toContain('also covers 4 similar samples')
		expect(all.html).toContain('also covers 4 similar samples')
	})

	test('the streamed downloads read the similar samples per batch: the same bytes whatever the batch size, and for a slow reader', async () => {
		const w = await setup()
		expect(await w.extend(['d-1', 'd-3'])).toEqual({ ok: true, added: 2 })
		const json = await download(jsonLoader, w.owner, 'json')
		const csv = (await download(csvLoader, w.owner, 'csv')).replace(/^\uFEFF/, '')
		const joined = async (chunks: AsyncIterable<string>) => {
			let text = ''
			for await (const c of chunks) text += c
			return text
		}
		const version = (await getVersion({ datasetId: w.dataset.id, label: P.label }))!
		for (const batch of [1, 2, 1000]) {
			const a = await getConsultationReportExport({ dataset: w.dataset, version, batch, now: new Date(JSON.parse(json).generatedAt) })
			expect(await joined(toJsonChunks(a.report, a.issues)), `batch ${batch}`).toBe(json)
			expect(await joined(toCsvChunks(a.report, listReportCsvIssues({ versionId: w.versionId, batch }))), `batch ${batch}`).toBe(csv)
		}
		// A reader slower than the database (a slow client), with a last batch that is not full: on
		// PostgreSQL the cursor's statement has finished when the batch after it is asked for, and
		// the stream still ends cleanly.
		await w.flag('f-1', 'minor')
		const slowly = async <T>(batches: AsyncIterable<T[]>) => {
			const got: T[] = []
			for await (const b of batches) {
				got.push(...b)
				await new Promise((resolve) => setTimeout(resolve, 150))
			}
			return got
		}
		for (const batch of [2, 1000]) {
			const a = await getConsultationReportExport({ dataset: w.dataset, version, batch })
			expect(
				(await slowly(a.issues)).map((i) => [i.number, i.similarSampleIds]),
				`batch ${batch}`,
			).toEqual([
				[1, ['d-1', 'd-3']],
				[2, []],
				[3, []],
			])
			expect(
				(await slowly(listReportCsvIssues({ versionId: w.versionId, batch }))).map((i) => [i.number, i.similarSamples]),
				`batch ${batch}`,
			).toEqual([
				[1, 2],
				[2, 0],
				[3, 0],
			])
		}
	})

	test('in another language the page and the Markdown say it in that language', async () => {
		const w = await setup()
		await w.extend(['d-1', 'd-2', 'd-3'])
		const { data } = await outputs(w.owner)
		const html = await renderRoute(reportRoute, { path: `/datasets/${P.slug}/versions/${P.label}/report`, data, language: 'es' })
		expect(html).toContain('también abarca 3 muestras similares')
		expect(html).toContain('Los problemas bloqueantes abiertos abarcan 4 muestras')
		const md = toMarkdown(data.report, getFixedT('es', REPORT_NAMESPACES))
		expect(md).toContain('· también abarca 3 muestras similares |')
		expect(md).toContain('Los problemas bloqueantes abiertos abarcan 4 muestras')
	})
})
