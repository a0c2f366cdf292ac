import { and, asc, eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { apiTokens, idempotencyKeys } from '#db/schema/api.ts'
import { imports, samples, versions } from '#db/schema/datasets.ts'
import { auditEvents, issues } from '#db/schema/issues.ts'
import { participants } from '#db/schema/rounds.ts'
import { type HttpMethod } from '#app/domain/openapi.ts'
import { type FlagInput } from '#app/domain/review.ts'
import { addMaintainer, removeMaintainer } from '#app/models/dataset.server.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { triageIssue } from '#app/models/triage.server.ts'
import { changeVersionStatus } from '#app/models/version.server.ts'
import { action as tokensAction, loader as tokensLoader } from '#app/routes/account+/tokens.tsx'
import * as unknownRoute from '#app/routes/api+/$.ts'
import * as gateRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.gate.ts'
import * as issuesRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.issues.ts'
import * as samplesRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.samples.ts'
import * as versionsRoute from '#app/routes/api+/v1.datasets.$dataset.versions._index.ts'
import * as openapiRoute from '#app/routes/api+/v1.openapi[.]json.ts'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { db } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { responseProblems, schemaProblems } from '#tests/openapi-validator.ts'
import { account, createRound, joinAs, P, setRoundStatus, world } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run, TEST_ORIGIN, type RouteResult } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()

// ---------------------------------------------------------------------------------------------
// Calling the API: real Requests through the real route modules; every documented response is
// checked against the OpenAPI document, every other one against its Error envelope.

type RouteModule = { loader: (args: never) => unknown; action: (args: never) => unknown }
const routes = {
	versions: { template: '/api/v1/datasets/{dataset}/versions', method: 'POST', mod: versionsRoute },
	samples: { template: '/api/v1/datasets/{dataset}/versions/{version}/samples', method: 'PUT', mod: samplesRoute },
	gate: { template: '/api/v1/datasets/{dataset}/versions/{version}/gate', method: 'GET', mod: gateRoute },
	issues: { template: '/api/v1/datasets/{dataset}/versions/{version}/issues', method: 'GET', mod: issuesRoute },
	openapi: { template: '/api/v1/openapi.json', method: 'GET', mod: openapiRoute },
} satisfies Record<string, { template: string; method: string; mod: RouteModule }>

type CallOptions = {
	token?: string
	cookie?: string
	authorization?: string
	method?: string
	dataset?: string
	version?: string
	query?: string
	body?: string | ReadableStream<Uint8Array>
	headers?: Record<string, string>
	key?: string
}

async function api(name: keyof typeof routes, o: CallOptions = {}): Promise<RouteResult> {
	const route = routes[name]
	const method = o.method ?? route.method
	const params = { dataset: o.dataset ?? P.slug, version: o.version ?? P.label }
	const path = route.template.replace('{dataset}', params.dataset).replace('{version}', params.version)
	const headers = new Headers(o.headers)
	if (o.token) headers.set('Authorization', `Bearer ${o.token}`)
	if (o.authorization !== undefined) headers.set('Authorization', o.authorization)
	if (o.cookie) headers.set('Cookie', o.cookie)
	if (o.key) headers.set('Idempotency-Key', o.key)
	const init: RequestInit & { duplex?: 'half' } = { method, headers }
	if (o.body !== undefined) {
		init.body = o.body
		if (typeof o.body !== 'string') init.duplex = 'half'
	}
	const request = new Request(`${TEST_ORIGIN}${path}${o.query ? `?${o.query}` : ''}`, init)
	const fn = method === 'GET' || method === 'HEAD' ? route.mod.loader : route.mod.action
	const res = await run(fn as never, request, {}, params)
	const documented = method.toLowerCase() === route.method.toLowerCase()
	const problems = documented ? responseProblems(method.toLowerCase() as HttpMethod, route.template, res.status, res.data, res.headers) : schemaProblems('Error', res.data)
	expect(problems, `${method} ${path} → ${res.status} ${JSON.stringify(res.data)}`).toEqual([])
	expect(res.headers.get('Cache-Control')).toBe('no-store')
	return res
}

const errorOf = (res: RouteResult) => (res.data as { error: { code: string; message: string; details?: Record<string, unknown> } }).error
const ndjson = { 'Content-Type': 'application/x-ndjson' }
const asJson = { 'Content-Type': 'application/json' }
const jsonl = (n: number, prefix = 's') => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `${prefix}-${i}`, content: `text ${i}` })).join('\n') + '\n'
const upload = (token: string, body: string | ReadableStream<Uint8Array>, o: CallOptions = {}) => api('samples', { token, body, headers: ndjson, ...o })
const newVersion = (token: string, body: unknown, o: CallOptions = {}) => api('versions', { token, body: JSON.stringify(body), headers: asJson, ...o })

/** A token made through the real Account → API tokens form. */
async function makeToken(cookie: string, datasets: string[], name = 'nightly-generation') {
	const res = await run(tokensAction, tokenForm(cookie, { intent: 'create', name }, datasets))
	expect(res.status, JSON.stringify(res.data)).toBe(200)
	return (res.data as { created: { token: string } }).created.token
}

function tokenForm(cookie: string, fields: Record<string, string>, datasets: string[] = []) {
	const body = new URLSearchParams(fields)
	for (const d of datasets) body.append('datasets', d)
	return new Request(`${TEST_ORIGIN}/account/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: TEST_ORIGIN, Cookie: cookie }, body })
}

const userId = async (name: string) =>
	(
		await db
			.select({ id: users.id })
			.from(users)
			.where(eq(users.email, `${name}@example.org`))
	)[0]!.id
const importsOf = async (versionId: string) =>
	(
		await db
			.select({ n: sql<number>`count(*)::int` })
			.from(imports)
			.where(eq(imports.versionId, versionId))
	)[0]!.n
const versionRow = async (datasetId: string, label: string) =>
	(
		await db
			.select()
			.from(versions)
			.where(and(eq(versions.datasetId, datasetId), eq(versions.label, label)))
	)[0]!

/** Owner "owner", dataset "hints" with draft v1 (4 samples), and a token for it. */
async function base() {
	const w = await world(4)
	const token = await makeToken(w.owner, ['hints'])
	return { ...w, token }
}

// ---------------------------------------------------------------------------------------------

describe('authentication', () => {
	test('no token, or only a session cookie: 401 with WWW-Authenticate, never the cookie’s user', async () => {
		const w = await base()
		for (const res of [await api('gate'), await api('gate', { cookie: w.owner }), await newVersion('', { label: 'v9', generation_method: 'other' }, { cookie: w.owner })]) {
			expect(res.status).toBe(401)
			expect(errorOf(res).code).toBe('unauthenticated')
			expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/)
		}
		expect(await versionRow(w.datasetId, 'v1')).toBeDefined()
		expect((await db.select().from(versions).where(eq(versions.label, 'v9'))).length).toBe(0)
	})

	test('malformed, empty, unknown and other-scheme credentials are all 401 invalid_token', async () => {
		const w = await base()
		const unknown = `rt_${'x'.repeat(43)}`
		for (const authorization of [
			'Bearer',
			'Bearer ',
			`Bearer ${w.token}x`,
			`Bearer ${w.token.slice(0, -1)}`,
			`Basic ${Buffer.from('owner:pw').toString('base64')}`,
			`Bearer ${unknown}`,
			`Token ${w.token}`,
		]) {
			const res = await api('gate', { authorization, cookie: w.owner })
			expect(res.status, authorization).toBe(401)
			expect(errorOf(res).code, authorization).toBe('invalid_token')
		}
		expect((await api('gate', { token: w.token })).status).toBe(200)
	})

	test('a revoked token is 401 from the next call on', async () => {
		const w = await base()
		expect((await api('gate', { token: w.token })).status).toBe(200)
		const [row] = await db.select({ id: apiTokens.id }).from(apiTokens)
		expect((await run(tokensAction, tokenForm(w.owner, { intent: 'revoke', tokenId: row!.id }))).status).toBe(200)
		const res = await api('gate', { token: w.token })
		expect(res.status).toBe(401)
		expect(errorOf(res).code).toBe('invalid_token')
	})

	test('a dataset the token is not scoped to is 404 (like one that does not exist), even for its own owner', async () => {
		const w = await base()
		await run(newDataset, formRequest('/d', { name: 'Other', slug: 'other' }, { cookie: w.owner }))
		const otherToken = await makeToken(w.owner, ['other'])
		for (const res of [
			await api('gate', { token: otherToken }),
			await upload(otherToken, jsonl(1)),
			await newVersion(otherToken, { label: 'v2', generation_method: 'other' }),
			await api('issues', { token: otherToken }),
		]) {
			expect(res.status).toBe(404)
			expect(errorOf(res).code).toBe('not_found')
		}
		const missing = await api('gate', { token: otherToken, dataset: 'no-such-dataset' })
		expect(missing.status).toBe(404)
		expect(errorOf(missing).message).toBe('No dataset "no-such-dataset" is available to this token.')
		expect(errorOf(await api('gate', { token: otherToken, dataset: 'hints' })).message).toBe('No dataset "hints" is available to this token.')
		expect((await api('gate', { token: w.token, version: 'v404' })).status).toBe(404)
	})

	test('a token stops working on a dataset when its creator leaves the team', async () => {
		const w = await base()
		const mia = await account('mia')
		expect(await addMaintainer(w.datasetId, 'mia@example.org', await userId('owner'))).toBe('added')
		const token = await makeToken(mia, ['hints'])
		expect((await api('gate', { token })).status).toBe(200)
		expect(await removeMaintainer(w.datasetId, await userId('mia'), await userId('owner'))).toBe(true)
		expect((await api('gate', { token })).status).toBe(404)
	})

	test('last_used_at is written on use, then at most once a minute', async () => {
		const w = await base()
		const lastUsed = async () => (await db.select({ at: apiTokens.lastUsedAt }).from(apiTokens))[0]!.at
		expect(await lastUsed()).toBeNull()
		await api('gate', { token: w.token })
		const first = await lastUsed()
		expect(first).toBeInstanceOf(Date)
		await api('gate', { token: w.token })
		await api('issues', { token: w.token })
		expect((await lastUsed())!.getTime()).toBe(first!.getTime())
		await db.update(apiTokens).set({ lastUsedAt: sql`now() - interval '2 minutes'` })
		const before = (await lastUsed())!.getTime()
		await api('gate', { token: w.token })
		expect((await lastUsed())!.getTime()).toBeGreaterThan(before)
	})

	test('each token has its own rate limit: over it, 429 with Retry-After', async () => {
		const w = await base()
		const other = await makeToken(w.owner, ['hints'], 'second')
		process.env.API_RATE_LIMIT_PER_MINUTE = '3'
		resetEnvCache()
		try {
			for (let i = 0; i < 3; i++) expect((await api('gate', { token: w.token })).status).toBe(200)
			const limited = await api('gate', { token: w.token })
			expect(limited.status).toBe(429)
			expect(errorOf(limited).code).toBe('rate_limited')
			const retryAfter = Number(limited.headers.get('Retry-After'))
			expect(retryAfter).toBeGreaterThanOrEqual(1)
			expect(retryAfter).toBeLessThanOrEqual(60)
			expect((await upload(w.token, jsonl(1))).status).toBe(429)
			expect((await api('gate', { token: other })).status).toBe(200)
		} finally {
			delete process.env.API_RATE_LIMIT_PER_MINUTE
			resetEnvCache()
		}
	})
})

describe('POST /api/v1/datasets/{dataset}/versions', () => {
	test('creates a draft version with its provenance and parent → 201, in the audit log as the token’s creator', async () => {
		const w = await base()
		const res = await newVersion(w.token, { label: 'v2', parent: 'v1', model_name: 'Llama 3.1 70B', model_provider: 'Meta', generation_method: 'persona_simulation', changelog: 'New personas.' })
		expect(res.status).toBe(201)
		expect(res.data).toMatchObject({
			label: 'v2',
			status: 'draft',
			parent: 'v1',
			sample_count: 0,
			model_name: 'Llama 3.1 70B',
			model_version: '',
			generation_method: 'persona_simulation',
			changelog: 'New personas.',
		})
		const v2 = await versionRow(w.datasetId, 'v2')
		expect(v2.createdBy).toBe(await userId('owner'))
		const [entry] = await db
			.select()
			.from(auditEvents)
			.where(and(eq(auditEvents.versionId, v2.id), eq(auditEvents.action, 'version.created')))
		expect(entry).toMatchObject({ actorName: 'owner', targetLabel: 'v2' })
	})

	test('refusals: taken label 409, invalid fields 422 by field, unknown parent 422, bad JSON 400, not JSON 415, GET 405', async () => {
		const w = await base()
		const taken = await newVersion(w.token, { label: 'v1', generation_method: 'other' })
		expect(taken.status).toBe(409)
		expect(errorOf(taken).code).toBe('version_exists')

		const invalid = await newVersion(w.token, { label: 'not a label', generation_method: 'dreaming', model_name: 'x'.repeat(201), modle_name: 'typo' })
		expect(invalid.status).toBe(422)
		expect(errorOf(invalid)).toMatchObject({ code: 'validation_failed' })
		expect(Object.keys(errorOf(invalid).details!.fields as object).sort()).toEqual(['generation_method', 'label', 'model_name', 'modle_name'])
		expect((errorOf(invalid).details!.fields as Record<string, string[]>).label![0]).toMatch(/letters, digits/)

		const parent = await newVersion(w.token, { label: 'v3', parent: 'v0', generation_method: 'other' })
		expect(parent.status).toBe(422)
		expect(Object.keys(errorOf(parent).details!.fields as object)).toEqual(['parent'])

		for (const body of ['[1, 2]', '"v2"', 'null']) expect(errorOf(await api('versions', { token: w.token, body, headers: asJson })).code).toBe('validation_failed')
		expect(errorOf(await api('versions', { token: w.token, body: '{"label": ', headers: asJson })).code).toBe('invalid_json')
		expect((await api('versions', { token: w.token, body: 'label=v2', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status).toBe(415)
		expect((await api('versions', { token: w.token, body: JSON.stringify({ label: 'v2', generation_method: 'other', changelog: 'x'.repeat(1_100_000) }), headers: asJson })).status).toBe(413)
		const get = await api('versions', { token: w.token, method: 'GET' })
		expect(get.status).toBe(405)
		expect(get.headers.get('Allow')).toBe('POST')
		expect((await db.select().from(versions).where(eq(versions.datasetId, w.datasetId))).map((v) => v.label)).toEqual(['v1'])
	})
})

describe('PUT /api/v1/datasets/{dataset}/versions/{version}/samples', () => {
	test('streams JSONL into the draft (chunks split mid-line) → 200 with the row count', async () => {
		const w = await base()
		await newVersion(w.token, { label: 'v2', parent: 'v1', generation_method: 'templates' })
		const text = jsonl(250, 'p')
		const bytes = new TextEncoder().encode(text)
		let offset = 0
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (offset >= bytes.length) return controller.close()
				controller.enqueue(bytes.slice(offset, offset + 777))
				offset += 777
			},
		})
		const res = await upload(w.token, stream, { version: 'v2' })
		expect(res.status, JSON.stringify(res.data)).toBe(200)
		expect(res.data).toMatchObject({ version: 'v2', rows: 250 })
		const v2 = await versionRow(w.datasetId, 'v2')
		expect(v2.sampleCount).toBe(250)
		expect(v2.currentImportId).toBe((res.data as { import_id: string }).import_id)
	})

	test('bad JSONL → 422 with every rejected line by number; nothing is imported', async () => {
		const w = await base()
		const before = await versionRow(w.datasetId, 'v1')
		const body = ['{"id": "a", "content": "ok"}', '{"id": "b", "content": ', '{"id": "c", "content": "ok"}', '{"id": "a", "content": "again"}', '{"id": 5, "content": "x"}'].join('\n')
		const res = await upload(w.token, body)
		expect(res.status).toBe(422)
		const error = errorOf(res)
		expect(error.code).toBe('invalid_samples')
		expect(error.details).toMatchObject({ error_count: 3 })
		const errors = error.details!.errors as Array<{ line: number; code: string; message: string }>
		expect(errors.map((e) => [e.line, e.code])).toEqual([
			[2, 'invalid_json'],
			[4, 'duplicate_id'],
			[5, 'id_not_string'],
		])
		expect(errors[1]!.message).toBe('The id “a” was already used on line 1.')
		const after = await versionRow(w.datasetId, 'v1')
		expect([after.currentImportId, after.sampleCount]).toEqual([before.currentImportId, before.sampleCount])
		expect(errorOf(await upload(w.token, '')).details!.errors).toEqual([expect.objectContaining({ code: 'empty_file' })])
	})

	test('CSV (text/csv) is the sample file’s other form: imported all or nothing like JSONL', async () => {
		const w = await base()
		const csv = { 'Content-Type': 'text/csv; charset=utf-8' }
		const ok = await upload(w.token, 'id,content,language,metadata.persona.region\nc-1,"A hint, with a comma",en,Oaxaca\nc-2,Another,es,Amman\n', { headers: csv })
		expect(ok.status, JSON.stringify(ok.data)).toBe(200)
		expect(ok.data).toMatchObject({ version: 'v1', rows: 2 })
		expect((await versionRow(w.datasetId, 'v1')).sampleCount).toBe(2)
		const bad = await upload(w.token, 'id,content\nc-1,x\nc-1,y\n', { headers: csv })
		expect(bad.status).toBe(422)
		expect(errorOf(bad).details!.errors).toEqual([expect.objectContaining({ code: 'duplicate_id' })])
	})

	test('refusals: neither JSONL nor CSV 415, a version out of draft 409, a bad Idempotency-Key 400, GET 405', async () => {
		const w = await base()
		expect((await upload(w.token, jsonl(1), { headers: { 'Content-Type': 'text/plain' } })).status).toBe(415)
		expect(errorOf(await upload(w.token, jsonl(1), { key: 'x'.repeat(256) })).code).toBe('invalid_idempotency_key')
		expect(errorOf(await upload(w.token, jsonl(1), { key: 'has space' })).code).toBe('invalid_idempotency_key')
		expect((await api('samples', { token: w.token, method: 'GET' })).headers.get('Allow')).toBe('PUT')
		expect((await api('samples', { token: w.token, method: 'POST', body: jsonl(1), headers: ndjson })).status).toBe(405)
		await changeVersionStatus({ versionId: w.versionId, datasetId: w.datasetId, actorId: await userId('owner'), action: 'open_consultation' })
		const frozen = await upload(w.token, jsonl(2), { key: 'after-freeze' })
		expect(frozen.status).toBe(409)
		expect(errorOf(frozen).code).toBe('version_frozen')
		// Refused before anything ran: the key is free again, nothing stored.
		expect(await db.select().from(idempotencyKeys)).toEqual([])
	})

	test('Idempotency-Key: the same key and payload get the stored response; another payload 422; the import ran once', async () => {
		const w = await base()
		const first = await upload(w.token, jsonl(3), { key: 'upload-1' })
		expect(first.status).toBe(200)
		expect(first.headers.get('Idempotent-Replayed')).toBeNull()
		const again = await upload(w.token, jsonl(3), { key: 'upload-1' })
		expect(again.status).toBe(200)
		expect(again.data).toEqual(first.data)
		expect(again.headers.get('Idempotent-Replayed')).toBe('true')
		const other = await upload(w.token, jsonl(4), { key: 'upload-1' })
		expect(other.status).toBe(422)
		expect(errorOf(other).code).toBe('idempotency_key_reused')
		// The same bytes to another version are another request.
		await newVersion(w.token, { label: 'v2', generation_method: 'other' })
		expect(errorOf(await upload(w.token, jsonl(3), { key: 'upload-1', version: 'v2' })).code).toBe('idempotency_key_reused')
		expect(await importsOf(w.versionId)).toBe(2) // world()'s own import, and this one
		// A rejected file is a result too: replayed, not re-run.
		const bad = await upload(w.token, '{"id": 1}\n', { key: 'upload-2' })
		expect(bad.status).toBe(422)
		const badAgain = await upload(w.token, '{"id": 1}\n', { key: 'upload-2' })
		expect([badAgain.status, badAgain.headers.get('Idempotent-Replayed')]).toEqual([422, 'true'])
		expect(badAgain.data).toEqual(bad.data)
		expect(await importsOf(w.versionId)).toBe(3)
		// Keys belong to a token: another token may use the same key for its own upload.
		const second = await makeToken(w.owner, ['hints'], 'second')
		expect((await upload(second, jsonl(5), { key: 'upload-1' })).data).toMatchObject({ rows: 5 })
	})

	test('Idempotency-Key: while the first request still runs, a repeat is 409 idempotency_key_in_progress', async () => {
		const w = await base()
		const encoder = new TextEncoder()
		let release!: () => void
		const held = new Promise<void>((resolve) => (release = resolve))
		let step = 0
		const stream = new ReadableStream<Uint8Array>({
			async pull(controller) {
				step++
				if (step === 1) controller.enqueue(encoder.encode('{"id": "a", "content": "one"}\n'))
				else if (step === 2) {
					await held
					controller.enqueue(encoder.encode('{"id": "b", "content": "two"}\n'))
				} else controller.close()
			},
		})
		const first = upload(w.token, stream, { key: 'slow' })
		for (let i = 0; i < 200; i++) {
			const [row] = await db.select({ status: idempotencyKeys.status }).from(idempotencyKeys)
			if (row?.status === 'running' && (await importsOf(w.versionId)) === 2) break
			await new Promise((r) => setTimeout(r, 10))
		}
		const repeat = await upload(w.token, '{"id": "a", "content": "one"}\n{"id": "b", "content": "two"}\n', { key: 'slow' })
		expect(repeat.status).toBe(409)
		expect(errorOf(repeat).code).toBe('idempotency_key_in_progress')
		expect(repeat.headers.get('Retry-After')).toBeTruthy()
		release()
		const done = await first
		expect(done.data).toMatchObject({ rows: 2 })
		// Same bytes, chunked differently: the same payload, so the stored response.
		const replay = await upload(w.token, '{"id": "a", "content": "one"}\n{"id": "b", "content": "two"}\n', { key: 'slow' })
		expect([replay.status, replay.headers.get('Idempotent-Replayed')]).toEqual([200, 'true'])
		expect(replay.data).toEqual(done.data)
	})

	test('Idempotency-Key: 20 concurrent identical uploads with one key → exactly one import', async () => {
		const w = await base()
		await newVersion(w.token, { label: 'v2', generation_method: 'other' })
		const v2 = await versionRow(w.datasetId, 'v2')
		const body = jsonl(40, 'c')
		const results = await Promise.all(Array.from({ length: 20 }, () => upload(w.token, body, { key: 'nightly-2026-11-30', version: 'v2' })))
		expect(await importsOf(v2.id)).toBe(1)
		expect(results.every((r) => r.status === 200 || (r.status === 409 && errorOf(r).code === 'idempotency_key_in_progress'))).toBe(true)
		const ran = results.filter((r) => r.status === 200 && r.headers.get('Idempotent-Replayed') === null)
		expect(ran).toHaveLength(1)
		for (const r of results.filter((x) => x.status === 200)) expect(r.data).toEqual(ran[0]!.data)
		expect((await versionRow(w.datasetId, 'v2')).sampleCount).toBe(40)
	})

	test('Idempotency-Key: a claim whose process died (no sign of life for 2 minutes) is taken over', async () => {
		const w = await base()
		const [token] = await db.select({ id: apiTokens.id }).from(apiTokens)
		await db
			.insert(idempotencyKeys)
			.values({ tokenId: token!.id, key: 'crashed', requestHash: '', status: 'running', responseBody: { importId: crypto.randomUUID() }, createdAt: sql`now() - interval '10 minutes'` })
		const res = await upload(w.token, jsonl(2), { key: 'crashed' })
		expect(res.status).toBe(200)
		const [row] = await db.select().from(idempotencyKeys)
		expect(row).toMatchObject({ status: 'done', responseStatus: 200 })
		// A fresh claim is not stolen.
		await db.insert(idempotencyKeys).values({ tokenId: token!.id, key: 'alive', requestHash: '', status: 'running', responseBody: { importId: crypto.randomUUID() } })
		expect(errorOf(await upload(w.token, jsonl(2), { key: 'alive' })).code).toBe('idempotency_key_in_progress')
	})
})

// ---------------------------------------------------------------------------------------------
// The gate and issues, driven by the real review and triage functions.

async function consultation({ open = true } = {}) {
	const w = await base()
	const roundId = await createRound(w.owner, { overlap: '3' })
	await joinAs(w.owner, roundId, 'ana', sink.messages)
	await joinAs(w.owner, roundId, 'eve', sink.messages, 'expert')
	const openRound = async () => expect((await setRoundStatus(w.owner, roundId, 'open')).status).toBeLessThan(400)
	if (open) await openRound()
	const participantOf = async (name: string) =>
		(
			await db
				.select({ id: participants.id })
				.from(participants)
				.innerJoin(users, eq(users.id, participants.userId))
				.where(and(eq(participants.roundId, roundId), eq(users.email, `${name}@example.org`)))
		)[0]!.id
	const ana = await participantOf('ana')
	const ownerId = await userId('owner')
	const flag = async (externalId: string, over: Partial<FlagInput> = {}) => {
		const [s] = await db
			.select({ id: samples.id })
			.from(samples)
			.innerJoin(versions, eq(versions.currentImportId, samples.importId))
			.where(and(eq(versions.id, w.versionId), eq(samples.externalId, externalId)))
		await saveVerdict({ roundId, participantId: ana, sampleId: s!.id, verdict: { kind: 'flag', flag: flagInput(over) } })
	}
	const issue = async (number: number) =>
		(
			await db
				.select()
				.from(issues)
				.where(and(eq(issues.versionId, w.versionId), eq(issues.number, number)))
		)[0]!
	const triage = async (number: number, input: Parameters<typeof triageIssue>[0]['input']) => {
		const outcome = await triageIssue({ versionId: w.versionId, issueId: (await issue(number)).id, actor: { userId: ownerId, datasetId: w.datasetId }, input })
		expect(outcome).toMatchObject({ ok: true })
	}
	const setStatus = (action: 'approve' | 'release' | 'archive' | 'open_consultation', justification: string | null = null) =>
		changeVersionStatus({ versionId: w.versionId, datasetId: w.datasetId, actorId: ownerId, action, justification, mayOverride: !!justification })
	const gate = async () => {
		const res = await api('gate', { token: w.token })
		expect(res.status).toBe(200)
		return res.data
	}
	return { ...w, roundId, openRound, flag, issue, triage, setStatus, gate }
}

describe('GET …/gate', () => {
	test('blocked until approved with no unresolved blocker: draft, consultation, a critical flag, triage, approval, reopening', async () => {
		const c = await consultation({ open: false })
		expect(await c.gate()).toEqual({ version: 'v1', status: 'draft', blocked: true, blocking_issues: 0, open_issues: 0 })
		await c.openRound()
		expect(await c.gate()).toEqual({ version: 'v1', status: 'in_consultation', blocked: true, blocking_issues: 0, open_issues: 0 })
		await c.flag('h-000', { severity: 'critical', rationale: 'Demeaning.' })
		expect(await c.gate()).toEqual({ version: 'v1', status: 'in_consultation', blocked: true, blocking_issues: 1, open_issues: 1 })
		await c.flag('h-001')
		expect(await c.gate()).toMatchObject({ blocking_issues: 1, open_issues: 2 })
		expect(await c.setStatus('approve')).toMatchObject({ ok: false, reason: 'blocked' })

		// Acknowledging is not fixing.
		await c.triage(1, { intent: 'acknowledge', revision: (await c.issue(1)).revision })
		expect(await c.gate()).toMatchObject({ blocked: true, blocking_issues: 1, open_issues: 2 })
		await c.triage(1, { intent: 'resolve', revision: (await c.issue(1)).revision, resolution: 'documented', publicResponse: 'Kept, and written into the dataset card.', note: '' })
		expect(await c.gate()).toEqual({ version: 'v1', status: 'in_consultation', blocked: true, blocking_issues: 0, open_issues: 1 })

		expect(await c.setStatus('approve')).toMatchObject({ ok: true })
		expect(await c.gate()).toEqual({ version: 'v1', status: 'approved', blocked: false, blocking_issues: 0, open_issues: 1 })

		await c.triage(1, { intent: 'reopen', revision: (await c.issue(1)).revision, reason: 'The expert disagrees.' })
		// The status follows the gate: blocked after approval, until triaged and approved again (decision 029).
		expect(await c.gate()).toEqual({ version: 'v1', status: 'blocked', blocked: true, blocking_issues: 1, open_issues: 2 })
		await c.triage(1, { intent: 'resolve', revision: (await c.issue(1)).revision, resolution: 'regenerated', publicResponse: '', note: '' })
		expect(await c.gate()).toEqual({ version: 'v1', status: 'blocked', blocked: true, blocking_issues: 0, open_issues: 1 })
		expect(await c.setStatus('release')).toMatchObject({ ok: false, reason: 'not_allowed' })
		expect(await c.setStatus('approve')).toMatchObject({ ok: true })
		expect(await c.setStatus('release')).toMatchObject({ ok: true })
		expect(await c.gate()).toMatchObject({ status: 'released', blocked: false })
		expect(await c.setStatus('archive')).toMatchObject({ ok: true })
		expect(await c.gate()).toMatchObject({ status: 'archived', blocked: true })
	})

	test('an owner’s approval despite blockers does not open the gate while they stay unresolved', async () => {
		const c = await consultation()
		await c.flag('h-002', { severity: 'critical', rationale: 'Demeaning.' })
		expect(await c.setStatus('approve', 'Shipping for an internal evaluation only; tracked.')).toMatchObject({ ok: true, overridden: 1 })
		expect(await c.gate()).toEqual({ version: 'v1', status: 'approved', blocked: true, blocking_issues: 1, open_issues: 1 })
		await c.triage(1, { intent: 'resolve', revision: (await c.issue(1)).revision, resolution: 'documented', publicResponse: '', note: '' })
		expect(await c.gate()).toMatchObject({ blocked: false })
	})
})

describe('GET …/issues', () => {
	test('explicit fields only: no notes, rationales, assignees or participant identities', async () => {
		const c = await consultation()
		await c.flag('h-000', { severity: 'critical', rationale: 'PRIVATE-RATIONALE of the flagger.', affectedGroups: ['grandmothers'] })
		await c.triage(1, { intent: 'note', note: 'INTERNAL-NOTE: call the vendor.' })
		await c.triage(1, { intent: 'assign', revision: (await c.issue(1)).revision, assignee: await userId('owner') })
		await c.triage(1, { intent: 'respond', revision: (await c.issue(1)).revision, publicResponse: 'We are regenerating this persona.' })
		const res = await api('issues', { token: c.token })
		expect(res.status).toBe(200)
		const page = res.data as { issues: Array<Record<string, unknown>>; next_cursor: string | null }
		expect(page.next_cursor).toBeNull()
		expect(page.issues).toEqual([
			{
				number: 1,
				kind: 'sample',
				external_id: 'h-000',
				template_target: null,
				status: 'open',
				resolution: null,
				blocking: true,
				blocking_reasons: ['critical'],
				flag_count: 1,
				flagger_count: 1,
				categories: ['caricature'],
				max_severity: 'critical',
				needs_re_review: false,
				public_response: 'We are regenerating this persona.',
				created_at: expect.any(String),
				updated_at: expect.any(String),
			},
		])
		const text = JSON.stringify(res.data)
		const people = await db.select({ id: users.id, email: users.email }).from(users)
		for (const secret of ['PRIVATE-RATIONALE', 'INTERNAL-NOTE', 'grandmothers', ...people.flatMap((p) => [p.id, p.email])]) expect(text).not.toContain(secret)
	})

	test('filters by status and blocking, pages by cursor, refuses a bad query with 400', async () => {
		const c = await consultation()
		for (const id of ['h-000', 'h-001', 'h-002', 'h-003']) await c.flag(id, id === 'h-001' ? { severity: 'critical', rationale: 'Demeaning.' } : {})
		await c.triage(4, { intent: 'resolve', revision: (await c.issue(4)).revision, resolution: 'not_an_issue', publicResponse: 'The wording is accurate for this region.', note: '' })
		const numbers = (res: RouteResult) => (res.data as { issues: Array<{ number: number }> }).issues.map((i) => i.number)
		const next = (res: RouteResult) => (res.data as { next_cursor: string | null }).next_cursor

		const first = await api('issues', { token: c.token, query: 'limit=3' })
		expect(numbers(first)).toEqual([1, 2, 3])
		const second = await api('issues', { token: c.token, query: `limit=3&cursor=${next(first)}` })
		expect([numbers(second), next(second)]).toEqual([[4], null])
		const exact = await api('issues', { token: c.token, query: 'limit=2&status=unresolved' })
		expect(numbers(exact)).toEqual([1, 2])
		expect(numbers(await api('issues', { token: c.token, query: `limit=2&status=unresolved&cursor=${next(exact)}` }))).toEqual([3])

		expect(numbers(await api('issues', { token: c.token, query: 'blocking=true' }))).toEqual([2])
		expect(numbers(await api('issues', { token: c.token, query: 'blocking=false&status=open' }))).toEqual([1, 3])
		expect(numbers(await api('issues', { token: c.token, query: 'status=resolved' }))).toEqual([4])
		expect(numbers(await api('issues', { token: c.token, version: 'v1', query: 'status=acknowledged' }))).toEqual([])

		for (const query of ['limit=0', 'limit=201', 'limit=ten', 'status=closed', 'blocking=yes', 'cursor=bm90LWEtY3Vyc29y', 'page=2']) {
			const res = await api('issues', { token: c.token, query })
			expect(res.status, query).toBe(400)
			expect(errorOf(res).code, query).toBe('invalid_query')
		}
		expect((await api('issues', { token: c.token, method: 'DELETE' })).status).toBe(405)
	})
})

describe('the rest of /api', () => {
	test('unknown API paths are JSON 404s for any method; the OpenAPI document needs no token', async () => {
		for (const method of ['GET', 'POST', 'DELETE']) {
			const request = new Request(`${TEST_ORIGIN}/api/v2/nothing`, { method })
			const res = await run((method === 'GET' ? unknownRoute.loader : unknownRoute.action) as never, request, {}, { '*': 'v2/nothing' })
			expect(res.status).toBe(404)
			expect(schemaProblems('Error', res.data)).toEqual([])
			expect(res.headers.get('Content-Type')).toContain('application/json')
		}
		const doc = await api('openapi')
		expect(doc.status).toBe(200)
		expect(doc.data).toMatchObject({ openapi: '3.1.0' })
	})
})

// ---------------------------------------------------------------------------------------------

describe('Account → API tokens', () => {
	test('lists only datasets the user manages; shows a new token once; stores only its hash; audits creation and revocation', async () => {
		const w = await world(1)
		const stranger = await account('stranger')
		await run(newDataset, formRequest('/d', { name: 'Strangers', slug: 'strangers' }, { cookie: stranger }))

		const page = await run(tokensLoader, getRequest('/account/tokens', { cookie: w.owner }))
		expect(page.data).toMatchObject({ tokens: [], choices: [{ slug: 'hints', name: 'Hints' }] })
		expect(page.headers.get('Cache-Control')).toBe('no-store')

		const created = await run(tokensAction, tokenForm(w.owner, { intent: 'create', name: 'ci' }, ['hints']))
		const token = (created.data as { created: { token: string; prefix: string } }).created
		expect(token.token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/)
		expect(token.prefix).toBe(token.token.slice(0, 11))
		const [row] = await db.select().from(apiTokens)
		expect(row).toMatchObject({ tokenHash: sha256Hex(token.token), prefix: token.prefix, name: 'ci', revokedAt: null })
		expect(JSON.stringify(row)).not.toContain(token.token)

		const listed = await run(tokensLoader, getRequest('/account/tokens', { cookie: w.owner }))
		expect(JSON.stringify(listed.data)).not.toContain(token.token)
		expect((listed.data as { tokens: unknown[] }).tokens).toEqual([
			expect.objectContaining({ name: 'ci', prefix: token.prefix, datasets: [{ slug: 'hints', name: 'Hints' }], lastUsedAt: null, revokedAt: null }),
		])

		const revoked = await run(tokensAction, tokenForm(w.owner, { intent: 'revoke', tokenId: row!.id }))
		expect(revoked.data).toMatchObject({ notice: 'revoked' })
		const actions = (
			await db.select({ action: auditEvents.action, label: auditEvents.targetLabel }).from(auditEvents).where(eq(auditEvents.datasetId, w.datasetId)).orderBy(asc(auditEvents.createdAt))
		).filter((a) => a.action.startsWith('api_token.'))
		expect(actions).toEqual([
			{ action: 'api_token.created', label: 'ci' },
			{ action: 'api_token.revoked', label: 'ci' },
		])
	})

	test('refuses datasets the user may not grant, no dataset, other people’s tokens, and signed-out visitors', async () => {
		const w = await world(1)
		const stranger = await account('stranger')
		await run(newDataset, formRequest('/d', { name: 'Strangers', slug: 'strangers' }, { cookie: stranger }))
		for (const datasets of [['strangers'], ['hints', 'strangers'], ['nope'], []]) {
			const res = await run(tokensAction, tokenForm(w.owner, { intent: 'create', name: 'x' }, datasets))
			expect(res.status, datasets.join()).toBe(400)
		}
		expect((await run(tokensAction, tokenForm(w.owner, { intent: 'create', name: '' }, ['hints']))).status).toBe(400)
		expect(await db.select().from(apiTokens)).toEqual([])

		const strangerToken = await makeToken(stranger, ['strangers'])
		const [theirs] = await db.select({ id: apiTokens.id }).from(apiTokens)
		expect((await run(tokensAction, tokenForm(w.owner, { intent: 'revoke', tokenId: theirs!.id }))).status).toBe(404)
		expect((await api('gate', { token: strangerToken, dataset: 'strangers', version: 'none' })).status).toBe(404)
		expect((await db.select({ revokedAt: apiTokens.revokedAt }).from(apiTokens))[0]!.revokedAt).toBeNull()
		expect((await run(tokensAction, tokenForm(w.owner, { intent: 'explode' }))).status).toBe(400)

		const signedOut = await run(tokensLoader, getRequest('/account/tokens'))
		expect(signedOut.status).toBe(302)
		expect(signedOut.headers.get('Location')).toMatch(/^\/signin/)
	})
})
