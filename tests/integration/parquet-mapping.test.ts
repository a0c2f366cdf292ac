import { existsSync } from 'node:fs'
import path from 'node:path'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { datasets, imports, samples, stagedUploads, versions } from '#db/schema/datasets.ts'
import * as samplesRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.samples.ts'
import * as columnsRoute from '#app/routes/datasets+/$slug+/versions.$label+/columns.$uploadId.tsx'
import * as importRoute from '#app/routes/datasets+/$slug+/versions.$label+/import.tsx'
import { reapStagedUploads, stagingDir } from '#app/models/parquet-mapping.server.ts'
import { db } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { mappingFixture } from '#tests/parquet-fixtures.ts'
import { apiTokenFor, world } from '#tests/round-fixtures.ts'
import { getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'

useTestDatabase()
beforeAll(() => resetEnvCache())
afterAll(() => resetEnvCache())

const V = '/datasets/hints/versions/v1'
const P = { slug: 'hints', label: 'v1' }

/** The file through the real upload form (multipart, as a browser sends it): the staged upload's id. */
async function upload(cookie: string, bytes: Uint8Array, filename = 'chats.parquet') {
	const form = new FormData()
	form.append('file', new File([bytes as unknown as BlobPart], filename, { type: 'application/octet-stream' }))
	const res = await run(importRoute.action as never, new Request(`${TEST_ORIGIN}${V}/import`, { method: 'POST', headers: { Origin: TEST_ORIGIN, Cookie: cookie }, body: form }), {}, P)
	expect(res.status, JSON.stringify(res.data)).toBe(302)
	const location = res.headers.get('Location')!
	expect(location).toMatch(new RegExp(`^${V}/columns/[0-9a-f-]{36}$`))
	return location.split('/').pop()!
}

type Page = { upload: { filename: string; rows: number; columns: Array<{ name: string; type: string }> }; uses: string[]; missing: string[]; remembered: boolean }
const mappingPage = async (cookie: string, uploadId: string) => {
	const res = await run(columnsRoute.loader as never, getRequest(`${V}/columns/${uploadId}`, { cookie }), {}, { ...P, uploadId })
	expect(res.status).toBe(200)
	return res.data as Page
}

const submit = (cookie: string, uploadId: string, fields: Array<[string, string]>) =>
	run(
		columnsRoute.action as never,
		new Request(`${TEST_ORIGIN}${V}/columns/${uploadId}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: TEST_ORIGIN, Cookie: cookie },
			body: new URLSearchParams(fields),
		}),
		{},
		{ ...P, uploadId },
	)
const importWith = (cookie: string, uploadId: string, uses: string[]) => submit(cookie, uploadId, [['intent', 'import'], ...uses.map((u): [string, string] => ['use', u])])

const stagedFile = (id: string) => path.join(stagingDir(), `${id}.parquet`)
const stagedRows = async () => (await db.select({ id: stagedUploads.id }).from(stagedUploads)).length
const remembered = async (datasetId: string) => (await db.select({ m: datasets.columnMapping }).from(datasets).where(eq(datasets.id, datasetId)))[0]!.m
const sampleCount = async (versionId: string) => (await db.select({ n: versions.sampleCount }).from(versions).where(eq(versions.id, versionId)))[0]!.n

async function token(owner: string) {
	const created = await apiTokenFor(owner, 'pq')
	return created
}

const put = (token: string, body: Uint8Array) =>
	run(
		samplesRoute.action as never,
		new Request(`${TEST_ORIGIN}/api/v1/datasets/hints/versions/v1/samples`, {
			method: 'PUT',
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.apache.parquet' },
			body: body as unknown as BodyInit,
		}),
		{},
		{ dataset: 'hints', version: 'v1' },
	)

const GUESSED = ['id', 'content', 'messages', 'language', 'metadata', 'metadata']
const CHOSEN = ['id', 'content', 'messages', 'language', 'metadata', 'ignore']

describe('Parquet column mapping (web upload)', () => {
	test('staged, shown with its schema, refused while wrong, imported by the mapping, remembered, pre-filled next time and applied by the API', async () => {
		const w = await world(2)
		const apiToken = await token(w.owner)
		// Before any mapping, the API maps by name: "external_id" is not "id", so every row lacks an id.
		const before = await put(apiToken, mappingFixture())
		expect(before.status).toBe(422)
		expect((before.data as { error: { details: { errors: Array<{ line: number; code: string }> } } }).error.details.errors.map((e) => [e.line, e.code])).toEqual([
			[1, 'missing_id'],
			[2, 'missing_id'],
			[3, 'missing_id'],
			[4, 'missing_id'],
		])

		const id = await upload(w.owner, mappingFixture())
		expect(existsSync(stagedFile(id))).toBe(true)
		const page = await mappingPage(w.owner, id)
		expect(page.upload).toMatchObject({ filename: 'chats.parquet', rows: 4 })
		expect(page.upload.columns).toEqual([
			{ name: 'external_id', type: 'string' },
			{ name: 'text', type: 'string' },
			{ name: 'conversation', type: 'list<struct<role: string, content: string>>' },
			{ name: 'lang', type: 'string' },
			{ name: 'persona', type: 'struct<region: string, age: int32>' },
			{ name: 'note', type: 'string' },
		])
		expect(page).toMatchObject({ uses: GUESSED, missing: [], remembered: false })

		// No id, and a text column as the chat: refused with every reason, the file still staged.
		const wrong = await importWith(w.owner, id, ['metadata', 'content', 'metadata', 'language', 'metadata', 'messages'])
		expect(wrong.status).toBe(400)
		expect((wrong.data as { problems: unknown[] }).problems).toEqual([{ code: 'mapping_no_id' }, { code: 'mapping_messages_not_list', column: 'note', type: 'string' }])
		expect(existsSync(stagedFile(id))).toBe(true)
		// A form that does not describe every column is not guessed at.
		expect((await importWith(w.owner, id, ['id', 'content'])).status).toBe(400)

		const done = await importWith(w.owner, id, CHOSEN)
		expect(done.status, JSON.stringify(done.data)).toBe(302)
		const importId = done.headers.get('Location')!.split('/').pop()!
		const [imp] = await db.select({ status: imports.status, rows: imports.rowsRead, filename: imports.filename }).from(imports).where(eq(imports.id, importId))
		expect(imp).toEqual({ status: 'succeeded', rows: 4, filename: 'chats.parquet' })
		const rows = await db
			.select({ id: samples.externalId, content: samples.content, messages: samples.messages, language: samples.language, metadata: samples.metadata })
			.from(samples)
			.where(eq(samples.importId, importId))
			.orderBy(samples.externalId)
		expect(rows[0]).toEqual({
			id: 'c-0',
			content: null,
			messages: [
				{ role: 'user', content: 'question 0' },
				{ role: 'assistant', content: 'reply 0' },
			],
			language: 'es',
			metadata: { persona: { region: 'Oaxaca', age: 30 } },
		})
		expect(rows[1]).toEqual({ id: 'c-1', content: 'answer 1', messages: null, language: 'en', metadata: { persona: { region: 'Amman', age: 31 } } })
		// Cleaned up: no staged row, no staged file.
		expect(await stagedRows()).toBe(0)
		expect(existsSync(stagedFile(id))).toBe(false)
		expect(await remembered(w.datasetId)).toEqual({ id: 'external_id', content: 'text', messages: 'conversation', language: 'lang', image_url: null, image_alt: null, ignore: ['note'] })

		// The next upload is pre-filled with the remembered mapping (the guess alone would keep "note").
		const next = await upload(w.owner, mappingFixture({ prefix: 'd' }))
		expect(await mappingPage(w.owner, next)).toMatchObject({ uses: CHOSEN, missing: [], remembered: true })
		// Cancelled: row and file gone, nothing imported.
		const cancelled = await submit(w.owner, next, [['intent', 'cancel']])
		expect(cancelled.status).toBe(302)
		expect(cancelled.headers.get('Location')).toBe(V)
		expect(await stagedRows()).toBe(0)
		expect(existsSync(stagedFile(next))).toBe(false)
		expect((await run(columnsRoute.loader as never, getRequest(`${V}/columns/${next}`, { cookie: w.owner }), {}, { ...P, uploadId: next })).headers.get('Location')).toBe(`${V}?notice=stagedgone`)

		// The API, given no mapping, applies the remembered one.
		const after = await put(apiToken, mappingFixture({ prefix: 'e' }))
		expect(after.status, JSON.stringify(after.data)).toBe(200)
		const [v] = await db.select({ importId: versions.currentImportId }).from(versions).where(eq(versions.id, w.versionId))
		const apiRows = await db.select({ id: samples.externalId, metadata: samples.metadata }).from(samples).where(eq(samples.importId, v!.importId!)).orderBy(samples.externalId)
		expect(apiRows.map((r) => r.id)).toEqual(['e-0', 'e-1', 'e-2', 'e-3'])
		expect(apiRows[0]!.metadata).toEqual({ persona: { region: 'Oaxaca', age: 30 } })
	})

	test('a mapping the rows do not fit is refused whole, each problem by row; nothing imported, nothing remembered', async () => {
		const w = await world(2)
		const id = await upload(w.owner, mappingFixture({ rows: 5, badChatAt: 3, missingIdAt: 4 }))
		const res = await importWith(w.owner, id, CHOSEN)
		expect(res.status).toBe(302)
		const importId = res.headers.get('Location')!.split('/').pop()!
		const [imp] = await db.select({ status: imports.status, errors: imports.errors }).from(imports).where(eq(imports.id, importId))
		expect(imp!.status).toBe('failed')
		expect(imp!.errors.map((e) => [e.line, e.code])).toEqual([
			[3, 'messages_invalid'],
			[4, 'missing_id'],
		])
		expect(await sampleCount(w.versionId)).toBe(2)
		expect(await remembered(w.datasetId)).toBeNull()
		expect(await stagedRows()).toBe(0)
		expect(existsSync(stagedFile(id))).toBe(false)
	})

	test('a file that is not Parquet is rejected at once, with a translated reason, and nothing is staged', async () => {
		const w = await world(2)
		const form = new FormData()
		form.append('file', new File(['id,content\na,b\n'], 'fake.parquet', { type: 'application/octet-stream' }))
		const res = await run(importRoute.action as never, new Request(`${TEST_ORIGIN}${V}/import`, { method: 'POST', headers: { Origin: TEST_ORIGIN, Cookie: w.owner }, body: form }), {}, P)
		expect(res.status).toBe(302)
		const importId = res.headers.get('Location')!.split('/').pop()!
		const [imp] = await db.select({ status: imports.status, errors: imports.errors }).from(imports).where(eq(imports.id, importId))
		expect(imp).toEqual({ status: 'failed', errors: [{ line: 0, code: 'invalid_parquet' }] })
		expect(await stagedRows()).toBe(0)
	})

	test('a staged upload nobody mapped within a day is removed by the reaper, row and file', async () => {
		const w = await world(2)
		const kept = await upload(w.owner, mappingFixture())
		const old = await upload(w.owner, mappingFixture())
		await db
			.update(stagedUploads)
			.set({ createdAt: sql`now() - interval '25 hours'` })
			.where(eq(stagedUploads.id, old))
		expect(await reapStagedUploads()).toBe(1)
		expect(existsSync(stagedFile(old))).toBe(false)
		expect(existsSync(stagedFile(kept))).toBe(true)
		expect((await db.select({ id: stagedUploads.id }).from(stagedUploads)).map((r) => r.id)).toEqual([kept])
		await submit(w.owner, kept, [['intent', 'cancel']])
	})
})
