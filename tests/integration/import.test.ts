import { eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { imports, samples, versions } from '#db/schema/datasets.ts'
import { createDataset } from '#app/models/dataset.server.ts'
import { reapStaleImports } from '#app/jobs/import-reaper.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { browseSamples } from '#app/models/sample.server.ts'
import { changeVersionStatus, createVersion } from '#app/models/version.server.ts'
import { db, query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { emptyProvenance } from '#tests/version-fixtures.ts'

useTestDatabase()

async function setup() {
	const [owner] = await db.insert(users).values({ email: 'o@example.org', displayName: 'O', passwordHash: 'x' }).returning({ id: users.id })
	const dataset = await createDataset({ slug: 'ds', name: 'DS', description: '', ownerId: owner!.id })
	const v = await createVersion({
		datasetId: dataset!.id,
		label: 'v1',
		parentLabel: null,
		userId: owner!.id,
		...emptyProvenance,
	})
	return { userId: owner!.id, datasetId: dataset!.id, versionId: v.version!.id }
}

async function* chunks(...parts: string[]) {
	for (const p of parts) yield new TextEncoder().encode(p)
}

const line = (id: string, extra: Record<string, unknown> = {}) =>
	JSON.stringify({ id, content: `text of ${id}`, language: 'en', metadata: { persona: { origin: id.endsWith('1') ? 'Oaxaca' : 'Lagos' } }, ...extra })

async function visibleSamples(versionId: string) {
	const [v] = await db.select({ current: versions.currentImportId, count: versions.sampleCount }).from(versions).where(eq(versions.id, versionId))
	if (!v?.current) return { count: v?.count ?? 0, ids: [] as string[] }
	const page = await browseSamples(v.current, {})
	return { count: v.count, ids: page.samples.map((s) => s.externalId) }
}

describe('importing a sample file', () => {
	test('a valid JSONL file becomes the version’s samples, with hashes, facets and the counter', async () => {
		const { versionId, userId } = await setup()
		const outcome = await runImport({ versionId, format: 'jsonl', filename: 'a.jsonl', userId, source: chunks(`${line('s-1')}\n${line('s-2')}\n`, `${line('s-3')}`) })
		expect(outcome).toMatchObject({ status: 'succeeded', rows: 3, errorCount: 0 })
		expect(await visibleSamples(versionId)).toEqual({ count: 3, ids: ['s-1', 's-2', 's-3'] })
		const [imp] = await db.select({ facets: imports.facets, languages: imports.languages }).from(imports).where(eq(imports.id, outcome.importId))
		expect(imp?.facets['persona.origin']).toEqual({ Lagos: 2, Oaxaca: 1 })
		expect(imp?.languages).toEqual({ en: 3 })
		const hashes = await query<{ h: string }>(sql`select content_hash as h from samples order by external_id`)
		expect(new Set(hashes.map((r) => r.h)).size).toBe(3)
	})

	test('a published set is vacuumed and analyzed at once: its pages are all-visible (so a match count reads the index alone) and the planner knows its rows', async () => {
		const { versionId, userId } = await setup()
		const lines = Array.from({ length: 300 }, (_, i) => line(`v-${i}`)).join('\n')
		const outcome = await runImport({ versionId, format: 'jsonl', filename: 'v.jsonl', userId, source: chunks(lines) })
		expect(outcome.status).toBe('succeeded')
		const [stats] = await query<{ pages: number; visible: number; tuples: number }>(
			sql`select relpages as pages, relallvisible as visible, reltuples::int as tuples from pg_class where relname = 'samples'`,
		)
		expect(stats!.pages).toBeGreaterThan(0)
		expect(stats!.visible).toBe(stats!.pages)
		expect(stats!.tuples).toBe(300)
	})

	test('one bad line anywhere means nothing lands, and every error names its line', async () => {
		const { versionId, userId } = await setup()
		const body = [line('a'), line('b'), '{"id": "c", "content": 5}', line('d'), '{"id": "a", "content": "again"}', 'not json'].join('\n')
		const outcome = await runImport({ versionId, format: 'jsonl', filename: 'bad.jsonl', userId, source: chunks(body) })
		expect(outcome.status).toBe('failed')
		expect(outcome.errors.map((e) => [e.line, e.code])).toEqual([
			[3, 'content_not_string'],
			[5, 'duplicate_id'],
			[6, 'invalid_json'],
		])
		expect(outcome.errorCount).toBe(3)
		expect(await visibleSamples(versionId)).toEqual({ count: 0, ids: [] })
		expect(await db.select({ id: samples.id }).from(samples)).toHaveLength(0)
		const [imp] = await db.select({ status: imports.status, errors: imports.errors }).from(imports).where(eq(imports.id, outcome.importId))
		expect(imp?.status).toBe('failed')
		expect(imp?.errors).toHaveLength(3)
	})

	test('only the first 100 errors are kept, with the total', async () => {
		const { versionId, userId } = await setup()
		const body = Array.from({ length: 250 }, (_, i) => `{"id": ${i}, "content": "x"}`).join('\n')
		const outcome = await runImport({ versionId, format: 'jsonl', filename: 'ids.jsonl', userId, source: chunks(body) })
		expect(outcome.errorCount).toBe(250)
		expect(outcome.errors).toHaveLength(100)
		expect(outcome.errors[99]).toMatchObject({ line: 100, code: 'id_not_string' })
	})

	test('a CSV file with nested metadata columns', async () => {
		const { versionId, userId } = await setup()
		const csv = 'id,content,language,metadata.persona.origin\r\nc-1,"Hola, ¿qué tal?",es,Oaxaca\r\nc-2,"two\nlines",en,Lagos'
		const outcome = await runImport({ versionId, format: 'csv', filename: 'a.csv', userId, source: chunks(csv) })
		expect(outcome).toMatchObject({ status: 'succeeded', rows: 2 })
		const rows = await db.select({ id: samples.externalId, content: samples.content, metadata: samples.metadata }).from(samples).orderBy(samples.externalId)
		expect(rows).toEqual([
			{ id: 'c-1', content: 'Hola, ¿qué tal?', metadata: { persona: { origin: 'Oaxaca' } } },
			{ id: 'c-2', content: 'two\nlines', metadata: { persona: { origin: 'Lagos' } } },
		])
	})

	test('a new file replaces the draft’s samples only once it is whole; a bad one leaves the old set', async () => {
		const { versionId, userId } = await setup()
		await runImport({ versionId, format: 'jsonl', filename: '1.jsonl', userId, source: chunks(`${line('old-1')}\n${line('old-2')}`) })
		const bad = await runImport({ versionId, format: 'jsonl', filename: '2.jsonl', userId, source: chunks(`${line('new-1')}\n{`) })
		expect(bad.status).toBe('failed')
		expect(await visibleSamples(versionId)).toEqual({ count: 2, ids: ['old-1', 'old-2'] })
		await runImport({ versionId, format: 'jsonl', filename: '3.jsonl', userId, source: chunks(line('new-1')) })
		expect(await visibleSamples(versionId)).toEqual({ count: 1, ids: ['new-1'] })
		// The replaced rows are gone, not just hidden.
		expect(await db.select({ id: samples.externalId }).from(samples)).toEqual([{ id: 'new-1' }])
	})

	test('a stream that breaks mid-file (a dropped upload) leaves nothing visible', async () => {
		const { versionId, userId } = await setup()
		async function* broken() {
			yield new TextEncoder().encode(Array.from({ length: 2000 }, (_, i) => line(`b-${i}`)).join('\n') + '\n')
			throw new Error('connection reset')
		}
		await expect(runImport({ versionId, format: 'jsonl', filename: 'b.jsonl', userId, source: broken() })).rejects.toThrow('connection reset')
		expect(await visibleSamples(versionId)).toEqual({ count: 0, ids: [] })
		expect(await db.select({ id: samples.id }).from(samples)).toHaveLength(0)
		const [imp] = await db.select({ status: imports.status }).from(imports)
		expect(imp?.status).toBe('failed')
	})

	test('an import whose process died is reaped: marked failed, rows deleted, never visible', async () => {
		const { versionId, userId } = await setup()
		const [imp] = await db
			.insert(imports)
			.values({ versionId, format: 'jsonl', createdBy: userId, heartbeatAt: new Date(Date.now() - 10 * 60_000) })
			.returning({ id: imports.id })
		await db.insert(samples).values({ importId: imp!.id, externalId: 'ghost', content: 'x', contentHash: 'h' })
		expect(await reapStaleImports()).toBe(1)
		expect(await db.select({ id: samples.id }).from(samples)).toHaveLength(0)
		const [after] = await db.select({ status: imports.status }).from(imports)
		expect(after?.status).toBe('failed')
		expect(await visibleSamples(versionId)).toEqual({ count: 0, ids: [] })
	})

	test('samples are frozen once the version leaves draft', async () => {
		const { versionId, userId, datasetId } = await setup()
		await runImport({ versionId, format: 'jsonl', filename: '1.jsonl', userId, source: chunks(line('x-1')) })
		expect(await changeVersionStatus({ versionId, datasetId, actorId: userId, action: 'open_consultation' })).toMatchObject({ ok: true, to: 'in_consultation' })
		await expect(runImport({ versionId, format: 'jsonl', filename: '2.jsonl', userId, source: chunks(line('x-2')) })).rejects.toThrow(/draft/)
		expect(await visibleSamples(versionId)).toEqual({ count: 1, ids: ['x-1'] })
	})

	test('a consultation cannot open on a version without samples', async () => {
		const { versionId, userId, datasetId } = await setup()
		expect(await changeVersionStatus({ versionId, datasetId, actorId: userId, action: 'open_consultation' })).toEqual({ ok: false, reason: 'no_samples', blockers: [] })
	})
})
