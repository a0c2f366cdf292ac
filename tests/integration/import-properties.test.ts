/**
 * Hostile sample files against a real database, property-based (fast-check, few runs): an import
 * lands whole or not at all, a failure leaves the version's visible samples exactly as they were
 * with no stray rows, what lands is exactly what the file said, and bad input is never a crash —
 * neither from runImport nor from the pipeline API. The generators and their model are in
 * tests/import-arbitraries.ts; the parser's own properties in tests/unit/import-properties.test.ts.
 */
import { and, asc, eq, ne, sql } from 'drizzle-orm'
import fc from 'fast-check'
import { afterEach, describe, expect, test } from 'vitest'
import { imports, samples, versions } from '#db/schema/datasets.ts'
import { type ImportFormat, type ImportLimits, MAX_REPORTED_ERRORS } from '#app/domain/import/types.ts'
import { runImport } from '#app/models/import.server.ts'
import { browseSamples } from '#app/models/sample.server.ts'
import { action as tokensAction } from '#app/routes/account+/tokens.tsx'
import * as samplesRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.samples.ts'
import { getUser } from '#app/utils/auth.server.ts'
import { db, query } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { chunk, csvFile, type Cuts, cutsArb, type Expected, type GeneratedFile, jsonlFile } from '#tests/import-arbitraries.ts'
import { P, world } from '#tests/round-fixtures.ts'
import { getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'

useTestDatabase()

const RUNS = 25

async function* stream(chunks: Uint8Array[]) {
	yield* chunks
}

/** What the team sees of the version, and every sample row in the database, in one comparable shape. */
async function snapshot(versionId: string) {
	const [v] = await db.select({ current: versions.currentImportId, count: versions.sampleCount }).from(versions).where(eq(versions.id, versionId))
	const rows = await db
		.select({
			importId: samples.importId,
			externalId: samples.externalId,
			content: samples.content,
			messages: samples.messages,
			imageUrl: samples.imageUrl,
			imageAlt: samples.imageAlt,
			language: samples.language,
			metadata: samples.metadata,
		})
		.from(samples)
		.orderBy(asc(samples.id))
	const running = await db
		.select({ id: imports.id })
		.from(imports)
		.where(and(eq(imports.versionId, versionId), eq(imports.status, 'running')))
	return { current: v!.current, count: v!.count, rows, running: running.length }
}

const onPglite = !process.env.DATABASE_URL
// why: PGlite's wire decoder (a default TextDecoder) drops a U+FEFF that starts a text value when
// reading it back; the row holds it (see the known-gap test below and docs/security.md).
const asRead = (s: string | null) => (onPglite && s?.startsWith('\uFEFF') ? s.slice(1) : s)

/** The parsed samples as the database gives them back (JSON has no -0), in id order. */
function storedShape(expected: Expected[]) {
	const parsed = expected.flatMap((e) => (e.kind === 'sample' ? [e.sample] : []))
	return (JSON.parse(JSON.stringify(parsed)) as typeof parsed)
		.map(({ line: _line, ...s }) => ({ ...s, externalId: asRead(s.externalId)!, content: asRead(s.content), imageAlt: asRead(s.imageAlt) }))
		.sort(byId)
}
const byId = (a: { externalId: string }, b: { externalId: string }) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0)

/** All or nothing, checked after each import of `file`. */
async function expectAllOrNothing(
	versionId: string,
	file: GeneratedFile,
	before: Awaited<ReturnType<typeof snapshot>>,
	outcome: { status: string; rows: number; errorCount: number; errors: unknown[] },
) {
	const after = await snapshot(versionId)
	const errors = file.expected.flatMap((e) => (e.kind === 'error' ? [e.error] : []))
	expect(after.running).toBe(0)
	if (errors.length === 0) {
		expect(outcome).toMatchObject({ status: 'succeeded', errorCount: 0 })
		const landed = after.rows.map(({ importId: _i, ...s }) => s).sort(byId)
		expect(landed).toEqual(storedShape(file.expected))
		expect(after.count).toBe(landed.length)
		expect(after.rows.every((r) => r.importId === after.current)).toBe(true)
	} else {
		expect(outcome.status).toBe('failed')
		expect(outcome.errorCount).toBe(errors.length)
		expect(outcome.errors).toEqual(errors.slice(0, MAX_REPORTED_ERRORS))
		// Nothing visible changed, and no row of the failed file stayed behind.
		expect(after).toEqual(before)
	}
}

const anyFile = fc.oneof(jsonlFile({ bad: 0 }), csvFile({ bad: 0 }), jsonlFile(), csvFile())

/**
 * why: 25 random files are all invalid about once in fifty runs, so both branches are also given
 * as fixed examples (the first valid and the first invalid file of a seeded draw) besides the
 * random ones.
 */
function bothBranches(): [GeneratedFile, Cuts][] {
	const pool = fc.sample(anyFile, { numRuns: 200, seed: 20261121 })
	const ok = pool.find((f) => f.expected.every((e) => e.kind === 'sample'))
	const bad = pool.find((f) => f.expected.some((e) => e.kind === 'error'))
	if (!ok || !bad) throw new Error('the seeded draw should hold a valid and an invalid file')
	const whole: Cuts = { fractions: [], picks: [], bytewise: false }
	return [
		[ok, whole],
		[bad, whole],
	]
}

describe('runImport with generated files', () => {
	test('imports every row or none; a failure changes nothing visible and leaves no rows', async () => {
		const w = await world(3)
		const userId = (await getUser(getRequest('/', { cookie: w.owner })))!.id
		let succeeded = 0
		let failed = 0
		await fc.assert(
			fc.asyncProperty(anyFile, cutsArb, async (file, cuts) => {
				const before = await snapshot(w.versionId)
				const outcome = await runImport({ versionId: w.versionId, format: file.format, filename: `p.${file.format}`, userId, source: stream(chunk(file.bytes, cuts)), limits: file.limits })
				await expectAllOrNothing(w.versionId, file, before, outcome)
				if (outcome.status === 'succeeded') succeeded++
				else failed++
			}),
			{ numRuns: RUNS, examples: bothBranches() },
		)
		// Both branches were exercised.
		expect(succeeded).toBeGreaterThan(0)
		expect(failed).toBeGreaterThan(0)
	})

	test('a sample of 1 MiB of distinct words imports and stays searchable (the search index cannot overflow)', async () => {
		const w = await world(1)
		const userId = (await getUser(getRequest('/', { cookie: w.owner })))!.id
		const words: string[] = []
		let bytes = 40
		for (let i = 0; bytes < 1024 * 1024 - 40; i++) {
			const word = `w${i.toString(36)}`
			words.push(word)
			bytes += word.length + 1
		}
		const line = JSON.stringify({ id: 'big', content: words.join(' ') })
		expect(line.length).toBeLessThanOrEqual(1024 * 1024)
		const before = await snapshot(w.versionId)
		const outcome = await runImport({ versionId: w.versionId, format: 'jsonl', filename: 'big.jsonl', userId, source: stream([new TextEncoder().encode(line)]) })
		expect(outcome, JSON.stringify(outcome.errors)).toMatchObject({ status: 'succeeded', rows: 1 })
		expect(before.current).not.toBe((await snapshot(w.versionId)).current)
		const found = await browseSamples(outcome.importId, { q: 'w1a' })
		expect(found.samples.map((s) => s.externalId)).toEqual(['big'])
	})
})

// ---------------------------------------------------------------------------------------------
// The same files through PUT /api/v1/…/samples: 200 or 422, never a 500

const envKeys = ['IMPORT_MAX_LINE_BYTES', 'IMPORT_MAX_JSON_DEPTH', 'IMPORT_MAX_ROWS'] as const
afterEach(() => {
	for (const k of envKeys) delete process.env[k]
	resetEnvCache()
})

function useLimits(limits: ImportLimits) {
	process.env.IMPORT_MAX_LINE_BYTES = String(limits.maxLineBytes)
	process.env.IMPORT_MAX_JSON_DEPTH = String(limits.maxDepth)
	process.env.IMPORT_MAX_ROWS = String(limits.maxRows)
	resetEnvCache()
}

async function makeToken(cookie: string) {
	const body = new URLSearchParams({ intent: 'create', name: 'properties', datasets: P.slug })
	const res = await run(
		tokensAction,
		new Request(`${TEST_ORIGIN}/account/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: TEST_ORIGIN, Cookie: cookie }, body }),
	)
	return (res.data as { created: { token: string } }).created.token
}

describe('PUT …/samples with generated JSONL', () => {
	test('answers 200 with every row or 422 with every error, never 500, and changes nothing on 422', async () => {
		const w = await world(3)
		const token = await makeToken(w.owner)
		await fc.assert(
			fc.asyncProperty(jsonlFile(), cutsArb, async (file, cuts) => {
				useLimits(file.limits)
				const before = await snapshot(w.versionId)
				const parts = chunk(file.bytes, cuts)
				const body = new ReadableStream<Uint8Array>({
					pull(controller) {
						const next = parts.shift()
						if (next) controller.enqueue(next)
						else controller.close()
					},
				})
				const request = new Request(`${TEST_ORIGIN}/api/v1/datasets/${P.slug}/versions/${P.label}/samples`, {
					method: 'PUT',
					headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson' },
					body,
					duplex: 'half',
				} as RequestInit)
				const res = await run(samplesRoute.action as never, request, {}, { dataset: P.slug, version: P.label })
				const errors = file.expected.filter((e) => e.kind === 'error')
				expect(res.status, JSON.stringify(res.data)).toBe(errors.length ? 422 : 200)
				if (errors.length) {
					const details = (res.data as { error: { code: string; details: { error_count: number; errors: { line: number; code: string; message: string }[] } } }).error
					expect(details.code).toBe('invalid_samples')
					expect(details.details.error_count).toBe(errors.length)
					// Every code has a message of its own, not the code echoed back.
					for (const e of details.details.errors) expect(e.message).not.toBe(e.code)
					expect(await snapshot(w.versionId)).toEqual(before)
				} else {
					expect((res.data as { rows: number }).rows).toBe(storedShape(file.expected).length)
				}
			}),
			{ numRuns: 15 },
		)
	})
})

test('a metadata filter value shaped like a number but not JSON ("007") filters as text instead of crashing the page', async () => {
	const w = await world(1)
	const userId = (await getUser(getRequest('/', { cookie: w.owner })))!.id
	const body = ['007', '7', 7].map((age, i) => JSON.stringify({ id: `s${i}`, content: 'x', metadata: { persona: { age } } })).join('\n')
	const outcome = await runImport({ versionId: w.versionId, format: 'jsonl', filename: 'a.jsonl', userId, source: stream([new TextEncoder().encode(body)]) })
	const ids = async (value: string) => (await browseSamples(outcome.importId, { attributes: [{ path: 'persona.age', value }] })).samples.map((s) => s.externalId)
	expect(await ids('007')).toEqual(['s0'])
	expect(await ids('7')).toEqual(['s1', 's2'])
})

// Known gap on the embedded database only: the value is stored whole (length 2) but read back
// without its U+FEFF. Marked as failing there, so the test says so when PGlite is fixed.
const readsBomBack = async () => {
	const rows = await query<{ v: string; n: number }>(sql`select ${'\uFEFFa'}::text as v, length(${'\uFEFFa'}::text)::int as n`)
	expect(rows[0]).toEqual({ v: '\uFEFFa', n: 2 })
}
if (onPglite) test.fails('a text value starting with U+FEFF reads back whole (known to fail on PGlite)', readsBomBack)
else test('a text value starting with U+FEFF reads back whole', readsBomBack)

// A guard for the property above: no sample row outlives its import's version set.
test('no sample rows belong to an import other than the current one after a run of failures', async () => {
	const w = await world(2)
	const userId = (await getUser(getRequest('/', { cookie: w.owner })))!.id
	const format: ImportFormat = 'jsonl'
	const bad = new TextEncoder().encode(`${JSON.stringify({ id: 'x', content: 'ok' })}\n{"id":"y","content":1e400}\n`)
	for (const cut of [0, 5, 30, bad.length]) await runImport({ versionId: w.versionId, format, filename: 'b.jsonl', userId, source: stream([bad.subarray(0, cut), bad.subarray(cut)]) })
	const stray = await query<{ n: number }>(sql`select count(*)::int as n from samples s join versions v on v.id = ${w.versionId} where s.import_id is distinct from v.current_import_id`)
	expect(stray[0]!.n).toBe(0)
	expect(
		await db
			.select({ id: imports.id })
			.from(imports)
			.where(and(eq(imports.versionId, w.versionId), ne(imports.status, 'failed'), ne(imports.id, (await snapshot(w.versionId)).current!))),
	).toEqual([])
})
