import { and, eq } from 'drizzle-orm'
import { parquetMetadata } from 'hyparquet'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { samples, versions } from '#db/schema/datasets.ts'
import * as samplesRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.samples.ts'
import { db } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { fixture, mappingFixture } from '#tests/parquet-fixtures.ts'
import { apiTokenFor, world } from '#tests/round-fixtures.ts'
import { run, TEST_ORIGIN } from '#tests/route-utils.ts'

useTestDatabase()
beforeAll(() => resetEnvCache())
afterAll(() => resetEnvCache())

async function setup() {
	const w = await world(2)
	const created = await apiTokenFor(w.owner, 'pq')
	return { ...w, token: created }
}

const put = (token: string, body: Uint8Array, type = 'application/vnd.apache.parquet', query = '') =>
	run(
		samplesRoute.action as never,
		new Request(`${TEST_ORIGIN}/api/v1/datasets/hints/versions/v1/samples${query}`, {
			method: 'PUT',
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': type },
			body: body as unknown as BodyInit,
		}),
		{},
		{ dataset: 'hints', version: 'v1' },
	)

describe('Parquet uploads', () => {
	test('nested structs, lists of structs, nulls, dictionary-encoded and compressed columns, several row groups: imported as samples', async () => {
		const w = await setup()
		const file = fixture()
		// The fixture really has what the test says: dictionary encoding, snappy and uncompressed chunks, three row groups.
		const meta = parquetMetadata(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer)
		expect(meta.row_groups).toHaveLength(3)
		const chunks = meta.row_groups[0]!.columns.map((c) => c.meta_data!)
		const chunk = (name: string) => chunks.find((c) => c.path_in_schema[0] === name)!
		expect(chunk('language').encodings.some((e) => e.includes('DICTIONARY'))).toBe(true)
		expect(chunk('id').codec).toBe('SNAPPY')
		expect(chunk('content').codec).toBe('UNCOMPRESSED')
		const res = await put(w.token, file)
		expect(res.status, JSON.stringify(res.data)).toBe(200)
		expect(res.data).toMatchObject({ version: 'v1', rows: 5 })
		const [v] = await db.select({ importId: versions.currentImportId, n: versions.sampleCount }).from(versions).where(eq(versions.id, w.versionId))
		expect(v!.n).toBe(5)
		const rows = await db
			.select({ id: samples.externalId, content: samples.content, messages: samples.messages, language: samples.language, metadata: samples.metadata })
			.from(samples)
			.where(eq(samples.importId, v!.importId!))
			.orderBy(samples.id)
		expect(rows[0]).toEqual({
			id: 'p-0',
			content: null,
			messages: [
				{ role: 'user', content: 'q 0' },
				{ role: 'assistant', content: 'a 0' },
			],
			language: 'es',
			metadata: { persona: { region: 'Oaxaca', age: 30 }, prompt_id: 100 },
		})
		expect(rows[1]).toEqual({ id: 'p-1', content: 'text 1', messages: null, language: 'en', metadata: { persona: { region: 'Amman', age: 31 } } })
		expect(rows[4]).toMatchObject({ id: 'p-4', metadata: { prompt_id: 104 } })
		expect(rows[4]!.metadata).not.toHaveProperty('persona')
	})

	test('all or nothing with per-row errors: a duplicate id and a row without content are reported by row number; nothing imported', async () => {
		const w = await setup()
		const bytes = parquetWriteBuffer({
			columnData: [
				{ name: 'id', data: ['a', 'b', 'a', 'c'], type: 'STRING' },
				{ name: 'content', data: ['x', 'y', 'z', null], type: 'STRING' },
			],
		})
		const res = await put(w.token, new Uint8Array(bytes))
		expect(res.status).toBe(422)
		const error = (res.data as { error: { code: string; details: { errors: Array<{ line: number; code: string }> } } }).error
		expect(error.code).toBe('invalid_samples')
		expect(error.details.errors.map((e) => [e.line, e.code])).toEqual([
			[3, 'duplicate_id'],
			[4, expect.any(String)],
		])
		expect((await db.select({ n: versions.sampleCount }).from(versions).where(eq(versions.id, w.versionId)))[0]!.n).toBe(2)
	})

	test('a malformed file and a truncated one get clear errors, and nothing is imported', async () => {
		const w = await setup()
		const good = fixture()
		for (const [bytes, message] of [
			[new TextEncoder().encode('id,content\na,b\n'), 'This is not a Parquet file: it does not start with "PAR1".'],
			[good.slice(0, good.length - 40), 'This Parquet file is truncated or damaged: its footer cannot be read'],
			[new Uint8Array([0x50, 0x41, 0x52]), 'This is not a Parquet file: it is too short to hold one.'],
		] as const) {
			const res = await put(w.token, bytes)
			expect(res.status).toBe(422)
			const error = (res.data as { error: { code: string; message: string } }).error
			expect(error.code).toBe('invalid_parquet')
			expect(error.message).toContain(message)
		}
		const [v] = await db
			.select({ n: versions.sampleCount })
			.from(versions)
			.where(and(eq(versions.id, w.versionId)))
		expect(v!.n).toBe(2)
	})

	test('a request names its own columns in the query string: taken for that request; a missing column, a malformed name or a non-Parquet body refused, nothing imported', async () => {
		const w = await setup()
		const file = mappingFixture({ rows: 4, prefix: 'q' })
		const res = await put(w.token, file, undefined, '?id_column=external_id&content_column=text&messages_column=conversation&language_column=lang')
		expect(res.status, JSON.stringify(res.data)).toBe(200)
		expect(res.data).toMatchObject({ rows: 4 })
		const [v] = await db.select({ importId: versions.currentImportId }).from(versions).where(eq(versions.id, w.versionId))
		const rows = await db
			.select({ id: samples.externalId, content: samples.content, messages: samples.messages, language: samples.language, metadata: samples.metadata })
			.from(samples)
			.where(eq(samples.importId, v!.importId!))
			.orderBy(samples.id)
		expect(rows.map((r) => r.id)).toEqual(['q-0', 'q-1', 'q-2', 'q-3'])
		expect(rows[0]).toMatchObject({
			content: null,
			language: 'es',
			messages: [
				{ role: 'user', content: 'question 0' },
				{ role: 'assistant', content: 'reply 0' },
			],
		})
		expect(rows[1]).toMatchObject({ content: 'answer 1', messages: null, language: 'en', metadata: { persona: { region: 'Amman', age: 31 }, note: 'internal note 1' } })

		const missing = await put(w.token, file, undefined, '?id_column=prompt_id&content_column=text')
		expect(missing.status).toBe(422)
		expect((missing.data as { error: { code: string; details: { columns: string[] } } }).error).toMatchObject({ code: 'column_not_found', details: { columns: ['prompt_id'] } })
		const malformed = await put(w.token, file, undefined, '?id_column=a%00b')
		expect(malformed.status).toBe(400)
		expect((malformed.data as { error: { code: string } }).error.code).toBe('invalid_query')
		const unknown = await put(w.token, file, undefined, '?idcolumn=external_id')
		expect(unknown.status).toBe(400)
		const jsonl = await put(w.token, new TextEncoder().encode('{"id":"x","content":"y"}\n'), 'application/x-ndjson', '?id_column=id')
		expect(jsonl.status).toBe(400)
		// Still the first import's four samples.
		expect((await db.select({ importId: versions.currentImportId }).from(versions).where(eq(versions.id, w.versionId)))[0]!.importId).toBe(v!.importId)
	})
})
