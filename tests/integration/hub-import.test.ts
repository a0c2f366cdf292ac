import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { auditEvents } from '#db/schema/issues.ts'
import { datasetHubTokens, imports, samples, versions } from '#db/schema/datasets.ts'
import { readHubToken } from '#app/models/hub-token.server.ts'
import * as hubApi from '#app/routes/api+/v1.datasets.$dataset.versions.$version.hub-import.ts'
import * as hubPage from '#app/routes/datasets+/$slug+/versions.new-from-hub.tsx'
import { db } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { responseProblems } from '#tests/openapi-validator.ts'
import { type FakeHub, noRobotsParquet, noRobotsRows, startFakeHub } from '#tests/hub-server.ts'
import { account, apiTokenFor, world } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { addMaintainer } from '#tests/team-utils.ts'

useTestDatabase()

let hub: FakeHub
const REPO = 'HuggingFaceH4/no_robots'
const PRIVATE = 'acme/private-personas'
const GATED = 'acme/gated-personas'
const HF_TOKEN = 'hf_PlaintextTokenForTheTests0123456789'
let sha: { main: string; old: string; convert: string; private: string; gated: string }

beforeAll(async () => {
	hub = await startFakeHub()
	process.env.HF_ENDPOINT = hub.url
	resetEnvCache()
	// The public dataset: an older commit (tagged) and main, whose train split is two shards.
	const oldRows = noRobotsRows(3, 'old-')
	sha = {} as typeof sha
	sha.old = hub.push(REPO, { 'README.md': new TextEncoder().encode('# no_robots'), 'data/test-00000-of-00001.parquet': noRobotsParquet(oldRows) }, 'v0.9')
	const rows = noRobotsRows(10)
	sha.main = hub.push(REPO, {
		'.gitattributes': new Uint8Array(),
		'README.md': new TextEncoder().encode('# no_robots'),
		'data/train-00000-of-00002.parquet': noRobotsParquet(rows.slice(0, 6)),
		'data/train-00001-of-00002.parquet': noRobotsParquet(rows.slice(6)),
		'data/test-00000-of-00001.parquet': noRobotsParquet(noRobotsRows(5, 'test-'), 2),
	})
	// The Hub's own Parquet conversion lives on refs/convert/parquet: {config}/{split}/NNNN.parquet.
	sha.convert = hub.push(REPO, { 'default/test/0000.parquet': noRobotsParquet(noRobotsRows(4, 'conv-')) }, 'refs/convert/parquet')
	sha.private = hub.push(PRIVATE, { 'data/train-00000-of-00001.parquet': noRobotsParquet(noRobotsRows(3, 'priv-')) })
	hub.repos.get(PRIVATE)!.access = { kind: 'private', token: HF_TOKEN }
	sha.gated = hub.push(GATED, { 'data/train-00000-of-00001.parquet': noRobotsParquet(noRobotsRows(2, 'gated-')) })
	hub.repos.get(GATED)!.access = { kind: 'gated', token: HF_TOKEN }
})
afterAll(async () => {
	delete process.env.HF_ENDPOINT
	resetEnvCache()
	await hub.close()
})
beforeEach(() => {
	hub.requests.length = 0
	hub.broken.clear()
})

async function setup() {
	const w = await world(2)
	const created = await apiTokenFor(w.owner, 'hub')
	return { ...w, token: created }
}

/** The API route, every answer checked against the OpenAPI document. */
async function api(token: string, body: unknown, version = 'v1', key?: string) {
	const res = await run(
		hubApi.action as never,
		new Request(`${TEST_ORIGIN}/api/v1/datasets/hints/versions/${version}/hub-import`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}) },
			body: JSON.stringify(body),
		}),
		{},
		{ dataset: 'hints', version },
	)
	expect(responseProblems('post', '/api/v1/datasets/{dataset}/versions/{version}/hub-import', res.status, res.data, res.headers)).toEqual([])
	return res
}

const page = (cookie: string, fields: Record<string, string>) => run(hubPage.action as never, formRequest('/datasets/hints/versions/new-from-hub', fields, { cookie }), {}, { slug: 'hints' })

const errorOf = (res: { data: unknown }) => (res.data as { error: { code: string; message: string; details?: Record<string, unknown> } }).error

async function versionRow(label: string) {
	const [v] = await db.select().from(versions).where(eq(versions.label, label))
	return v
}

async function samplesOf(label: string) {
	const v = (await versionRow(label))!
	return db
		.select({ id: samples.externalId, content: samples.content, messages: samples.messages, metadata: samples.metadata })
		.from(samples)
		.where(eq(samples.importId, v.currentImportId!))
		.orderBy(samples.id)
}

describe('Importing a version from the Hugging Face Hub', () => {
	test('the page creates the version, imports the split and records the commit sha, repo, config, split and endpoint in its provenance', async () => {
		const w = await setup()
		const res = await page(w.owner, { intent: 'import', label: 'hub-1', parent: 'v1', repo: REPO, revision: 'main', config: 'default', split: 'test', idColumn: 'prompt_id' })
		expect(res.status, JSON.stringify(res.data)).toBe(302)
		const v = (await versionRow('hub-1'))!
		expect(res.headers.get('Location')).toBe(`/datasets/hints/versions/hub-1/imports/${v.currentImportId}`)
		expect(v.sampleCount).toBe(5)
		expect(v.status).toBe('draft')
		expect(v.source).toEqual({
			kind: 'huggingface',
			endpoint: hub.url,
			repo: REPO,
			revision: 'main',
			sha: sha.main,
			config: 'default',
			split: 'test',
			files: ['data/test-00000-of-00001.parquet'],
		})
		const expected = noRobotsRows(5, 'test-')
		const rows = await samplesOf('hub-1')
		expect(rows[0]).toEqual({ id: expected[0]!.prompt_id, content: null, messages: expected[0]!.messages, metadata: { prompt: expected[0]!.prompt, category: 'Generation' } })
		expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.prompt_id))
		// Public: no token went to the Hub.
		expect(hub.requests.every((r) => r.authorization === null)).toBe(true)
		// The version's creation is in the audit log with where it came from.
		const [created] = await db
			.select({ after: auditEvents.after })
			.from(auditEvents)
			.where(and(eq(auditEvents.action, 'version.created'), eq(auditEvents.versionId, v.id)))
		expect(created!.after).toMatchObject({ label: 'hub-1', source: `${REPO}@${sha.main}` })
	})

	test('API: a sharded split is read file after file into one import, rows numbered across files; the answer carries the source', async () => {
		const w = await setup()
		const res = await api(w.token, { repo: REPO, split: 'train', id_column: 'prompt_id' })
		expect(res.status, JSON.stringify(res.data)).toBe(200)
		expect(res.data).toMatchObject({ version: 'v1', rows: 10, source: { repo: REPO, sha: sha.main, revision: 'main', config: 'default', split: 'train', endpoint: hub.url } })
		expect((res.data as { source: { files: string[] } }).source.files).toEqual(['data/train-00000-of-00002.parquet', 'data/train-00001-of-00002.parquet'])
		expect((await samplesOf('v1')).map((r) => r.id)).toEqual(noRobotsRows(10).map((r) => r.prompt_id))
	})

	test('Idempotency-Key: a retry after main moved gets the first answer (the same commit, no second import); the key with another split is refused', async () => {
		const w = await setup()
		const repo = 'acme/moving'
		const first = hub.push(repo, { 'data/train-00000-of-00001.parquet': noRobotsParquet(noRobotsRows(3, 'm1-')) })
		const res = await api(w.token, { repo, id_column: 'prompt_id' }, 'v1', 'hub-run-1')
		expect(res.status, JSON.stringify(res.data)).toBe(200)
		expect(res.headers.get('Idempotent-Replayed')).toBeNull()
		const importsBefore = await db.select({ id: imports.id }).from(imports)
		// main moves on the Hub; the retry (a lost answer, a re-run CI job) replays the stored answer.
		hub.push(repo, { 'data/train-00000-of-00001.parquet': noRobotsParquet(noRobotsRows(5, 'm2-')) })
		const again = await api(w.token, { repo, id_column: 'prompt_id' }, 'v1', 'hub-run-1')
		expect([again.status, again.headers.get('Idempotent-Replayed')]).toEqual([200, 'true'])
		expect(again.data).toEqual(res.data)
		expect((again.data as { source: { sha: string } }).source.sha).toBe(first)
		expect(await db.select({ id: imports.id }).from(imports)).toHaveLength(importsBefore.length)
		expect((await samplesOf('v1')).map((r) => r.id)).toEqual(noRobotsRows(3, 'm1-').map((r) => r.prompt_id))
		// The same key for a different request is an error; a new key imports main as it is now.
		const other = await api(w.token, { repo, split: 'test', id_column: 'prompt_id' }, 'v1', 'hub-run-1')
		expect([other.status, errorOf(other).code]).toEqual([422, 'idempotency_key_reused'])
		const fresh = await api(w.token, { repo, id_column: 'prompt_id' }, 'v1', 'hub-run-2')
		expect([fresh.status, (fresh.data as { rows: number }).rows]).toEqual([200, 5])
	})

	test('all or nothing: a duplicate id in the second shard is reported at its row of the split, nothing is imported and the provenance is unchanged', async () => {
		const w = await setup()
		const rows = noRobotsRows(4, 'dup-')
		const dupSha = hub.push('acme/dups', {
			'data/train-00000-of-00002.parquet': noRobotsParquet(rows.slice(0, 3)),
			'data/train-00001-of-00002.parquet': noRobotsParquet([rows[3]!, rows[1]!]),
		})
		const res = await api(w.token, { repo: 'acme/dups', id_column: 'prompt_id' })
		expect(res.status).toBe(422)
		const error = errorOf(res)
		expect(error.code).toBe('invalid_samples')
		expect((error.details!.errors as Array<{ line: number; code: string }>).map((e) => [e.line, e.code])).toEqual([[5, 'duplicate_id']])
		const v = (await versionRow('v1'))!
		expect(v.sampleCount).toBe(2)
		expect(v.source).toBeNull()
		expect(dupSha).toMatch(/^[0-9a-f]{40}$/)
	})

	test('revision pinning: the revision is resolved once and every file is read at that sha; a sha or a tag gives that commit even after main moved', async () => {
		const w = await setup()
		const before = await api(w.token, { repo: REPO, split: 'test', id_column: 'prompt_id' })
		expect(before.status).toBe(200)
		const resolves = hub.requests.filter((r) => r.path.includes('/resolve/'))
		expect(resolves.map((r) => r.path)).toEqual([`/datasets/${REPO}/resolve/${sha.main}/data/test-00000-of-00001.parquet`])

		// A sha and a tag name the old commit: its rows, and its sha in the provenance.
		for (const revision of [sha.old, 'v0.9']) {
			const res = await api(w.token, { repo: REPO, revision, split: 'test', id_column: 'prompt_id' })
			expect(res.status, JSON.stringify(res.data)).toBe(200)
			expect(res.data).toMatchObject({ rows: 3, source: { sha: sha.old, revision } })
			expect((await samplesOf('v1')).map((r) => r.id)).toEqual(noRobotsRows(3, 'old-').map((r) => r.prompt_id))
		}

		// main moves on: a new import from main records the new sha; the version imported at sha.old said so.
		const moved = hub.push(REPO, { 'data/test-00000-of-00001.parquet': noRobotsParquet(noRobotsRows(1, 'new-')) })
		try {
			const res = await api(w.token, { repo: REPO, split: 'test', id_column: 'prompt_id' })
			expect(res.data).toMatchObject({ rows: 1, source: { sha: moved, revision: 'main' } })
			expect((await versionRow('v1'))!.source).toMatchObject({ sha: moved })
		} finally {
			hub.repos.get(REPO)!.refs.main = sha.main
		}
	})

	test('the refs/convert/parquet layout ({config}/{split}/*.parquet) is found on that revision', async () => {
		const w = await setup()
		const res = await api(w.token, { repo: REPO, revision: 'refs/convert/parquet', split: 'test', id_column: 'prompt_id' })
		expect(res.status, JSON.stringify(res.data)).toBe(200)
		expect(res.data).toMatchObject({ rows: 4, source: { sha: sha.convert, revision: 'refs/convert/parquet', files: ['default/test/0000.parquet'] } })
		expect(hub.requests[0]!.path).toBe(`/api/datasets/${REPO}/revision/refs%2Fconvert%2Fparquet`)
	})

	test('a file upload afterwards clears the Hub provenance (it no longer describes the samples)', async () => {
		const w = await setup()
		expect((await api(w.token, { repo: REPO, split: 'test', id_column: 'prompt_id' })).status).toBe(200)
		expect((await versionRow('v1'))!.source).not.toBeNull()
		const samplesRoute = await import('#app/routes/api+/v1.datasets.$dataset.versions.$version.samples.ts')
		const put = await run(
			samplesRoute.action as never,
			new Request(`${TEST_ORIGIN}/api/v1/datasets/hints/versions/v1/samples`, {
				method: 'PUT',
				headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/x-ndjson' },
				body: '{"id": "a", "content": "x"}\n',
			}),
			{},
			{ dataset: 'hints', version: 'v1' },
		)
		expect(put.status).toBe(200)
		expect((await versionRow('v1'))!.source).toBeNull()
	})
})

describe('Private and gated datasets, and the saved token', () => {
	test('a private dataset fails clearly without a token, and imports with the owner’s saved token, which is stored encrypted', async () => {
		const w = await setup()
		const without = await page(w.owner, { intent: 'import', label: 'priv', repo: PRIVATE, split: 'train', idColumn: 'prompt_id' })
		expect(without.status).toBe(422)
		expect((without.data as { hubError: { code: string } }).hubError).toMatchObject({ code: 'auth_required', params: { repo: PRIVATE, status: 401 } })
		// Nothing was created when the Hub refused.
		expect(await versionRow('priv')).toBeUndefined()

		const saved = await page(w.owner, { intent: 'save_token', token: HF_TOKEN })
		expect(saved.status).toBe(302)
		const [stored] = await db.select().from(datasetHubTokens)
		expect(stored!.ciphertext).toMatch(/^v1\.[\w-]+\.[\w-]+$/)
		for (const form of [HF_TOKEN, Buffer.from(HF_TOKEN).toString('base64'), Buffer.from(HF_TOKEN).toString('base64url'), Buffer.from(HF_TOKEN).toString('hex')]) {
			expect(stored!.ciphertext).not.toContain(form)
		}
		expect(JSON.stringify(stored)).not.toContain(HF_TOKEN)
		expect(await readHubToken(w.datasetId)).toBe(HF_TOKEN)
		// A sealed token copied to another dataset's row does not open there (bound to its dataset).
		const { sealSecret, openSecret } = await import('#app/utils/secrets.server.ts')
		const sealed = sealSecret('x-token-value', `dataset-hub-token:${w.datasetId}`)
		expect(() => openSecret(sealed.sealed, 'dataset-hub-token:someone-else', sealed.keyId)).toThrow(/damaged/)

		// The page never sends it back: the loader says only that one is saved.
		const loaded = await run(hubPage.loader as never, getRequest('/datasets/hints/versions/new-from-hub', { cookie: w.owner }), {}, { slug: 'hints' })
		expect(JSON.stringify(loaded.data)).not.toContain(HF_TOKEN)
		expect(loaded.data).toMatchObject({ token: { saved: true, updatedBy: 'owner' }, mayManageToken: true })

		const res = await page(w.owner, { intent: 'import', label: 'priv', repo: PRIVATE, split: 'train', idColumn: 'prompt_id' })
		expect(res.status, JSON.stringify(res.data)).toBe(302)
		expect((await versionRow('priv'))!.source).toMatchObject({ repo: PRIVATE, sha: sha.private })
		expect(hub.requests.filter((r) => r.path.startsWith(`/datasets/${PRIVATE}`) || r.path.startsWith(`/api/datasets/${PRIVATE}`)).at(-1)!.authorization).toBe(`Bearer ${HF_TOKEN}`)

		// Saving, replacing and deleting are in the audit log, without the token.
		const audit = await db.select({ action: auditEvents.action, after: auditEvents.after }).from(auditEvents).where(eq(auditEvents.datasetId, w.datasetId))
		expect(audit.map((a) => a.action)).toContain('dataset.hub_token_saved')
		expect(JSON.stringify(audit)).not.toContain(HF_TOKEN)
	})

	test('a replaced token that the Hub refuses is access_denied; deleting it brings back auth_required; the API’s one-request token works without saving', async () => {
		const w = await setup()
		expect((await page(w.owner, { intent: 'save_token', token: 'hf_wrongTokenXXXXXXXXXXXXXXXX' })).status).toBe(302)
		const denied = await api(w.token, { repo: PRIVATE, id_column: 'prompt_id' })
		expect(denied.status).toBe(422)
		expect(errorOf(denied).code).toBe('hub_access_denied')

		expect((await page(w.owner, { intent: 'save_token', token: HF_TOKEN })).status).toBe(302)
		expect(await db.select().from(datasetHubTokens)).toHaveLength(1)
		expect((await api(w.token, { repo: PRIVATE, id_column: 'prompt_id' })).status).toBe(200)

		expect((await page(w.owner, { intent: 'delete_token' })).status).toBe(302)
		expect(await db.select().from(datasetHubTokens)).toHaveLength(0)
		const gone = await api(w.token, { repo: PRIVATE, id_column: 'prompt_id' })
		expect(errorOf(gone).code).toBe('hub_auth_required')
		expect(errorOf(gone).message).toContain('private or gated')

		const oneShot = await api(w.token, { repo: PRIVATE, id_column: 'prompt_id', token: HF_TOKEN })
		expect(oneShot.status, JSON.stringify(oneShot.data)).toBe(200)
		expect(await db.select().from(datasetHubTokens)).toHaveLength(0)
		const actions = (await db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.datasetId, w.datasetId))).map((a) => a.action)
		expect(actions).toEqual(expect.arrayContaining(['dataset.hub_token_saved', 'dataset.hub_token_replaced', 'dataset.hub_token_deleted']))
	})

	test('a token saved under another key is not guessed at: the import says to save it again', async () => {
		const w = await setup()
		expect((await page(w.owner, { intent: 'save_token', token: HF_TOKEN })).status).toBe(302)
		process.env.SECRETS_KEY = 'b'.repeat(64)
		resetEnvCache()
		try {
			const res = await api(w.token, { repo: PRIVATE, id_column: 'prompt_id' })
			expect(res.status).toBe(422)
			expect(errorOf(res).code).toBe('hub_token_unreadable')
			expect(hub.requests).toHaveLength(0)
		} finally {
			delete process.env.SECRETS_KEY
			resetEnvCache()
		}
	})

	test('a gated dataset (403) without a token is auth_required, with a token the Hub refuses access_denied', async () => {
		const w = await setup()
		const anonymous = await api(w.token, { repo: GATED, id_column: 'prompt_id' })
		expect(anonymous.status).toBe(422)
		expect(errorOf(anonymous)).toMatchObject({ code: 'hub_auth_required', details: { status: 403 } })
		const wrong = await api(w.token, { repo: GATED, id_column: 'prompt_id', token: 'hf_notTheRightOneXXXXXXXXXX' })
		expect(errorOf(wrong).code).toBe('hub_access_denied')
		expect(errorOf(wrong).message).toContain('gated')
		expect((await api(w.token, { repo: GATED, id_column: 'prompt_id', token: HF_TOKEN })).status).toBe(200)
	})

	test('only owners may save or delete the token; a maintainer may import with it but is refused 403 on the token forms', async () => {
		const w = await setup()
		const mia = await account('mia')
		await addMaintainer(w.owner, 'hints', 'mia@example.org', mia)
		expect((await page(mia, { intent: 'save_token', token: HF_TOKEN })).status).toBe(403)
		expect((await page(mia, { intent: 'delete_token' })).status).toBe(403)
		expect(await db.select().from(datasetHubTokens)).toHaveLength(0)
		expect((await page(w.owner, { intent: 'save_token', token: HF_TOKEN })).status).toBe(302)
		const loaded = await run(hubPage.loader as never, getRequest('/datasets/hints/versions/new-from-hub', { cookie: mia }), {}, { slug: 'hints' })
		expect(loaded.data).toMatchObject({ token: { saved: true }, mayManageToken: false })
		const res = await page(mia, { intent: 'import', label: 'by-mia', repo: PRIVATE, split: 'train', idColumn: 'prompt_id' })
		expect(res.status, JSON.stringify(res.data)).toBe(302)
	})
})

describe('Failures are named, and nothing is imported', () => {
	test('unknown repository, unknown revision, no Parquet files for the split, a missing mapped column', async () => {
		const w = await setup()
		const unknown = await api(w.token, { repo: 'acme/nothing-here' })
		expect(unknown.status).toBe(422)
		expect(errorOf(unknown).code).toBe('hub_repo_not_found')

		const revision = await api(w.token, { repo: REPO, revision: 'v404' })
		expect(errorOf(revision)).toMatchObject({ code: 'hub_revision_not_found', details: { revision: 'v404' } })

		const split = await api(w.token, { repo: REPO, split: 'validation' })
		expect(errorOf(split).code).toBe('hub_no_parquet_files')
		expect(errorOf(split).details).toMatchObject({ offered: 'default/test, default/train', sha: sha.main })

		const config = await api(w.token, { repo: REPO, config: 'chat', split: 'train' })
		expect(errorOf(config).code).toBe('hub_no_parquet_files')

		const column = await api(w.token, { repo: REPO, split: 'test', id_column: 'uuid' })
		expect(errorOf(column)).toMatchObject({ code: 'hub_column_not_found', details: { columns: 'uuid', available: 'prompt, prompt_id, messages, category' } })

		// The page says the same in the reader's words: the error code and its parameters, and no version made.
		const viaPage = await page(w.owner, { intent: 'import', label: 'nope', repo: 'acme/nothing-here' })
		expect(viaPage.status).toBe(422)
		expect((viaPage.data as { hubError: unknown }).hubError).toMatchObject({ code: 'repo_not_found', params: { repo: 'acme/nothing-here' } })
		expect(await versionRow('nope')).toBeUndefined()

		expect((await versionRow('v1'))!.sampleCount).toBe(2)
		expect(await db.select().from(imports).where(eq(imports.filename, ''))).toHaveLength(0)
	})

	test('network failure: the Hub unreachable, and a download cut off in the second shard (the import fails, nothing lands)', async () => {
		const w = await setup()
		process.env.HF_ENDPOINT = 'http://127.0.0.1:9'
		resetEnvCache()
		try {
			const res = await api(w.token, { repo: REPO })
			expect(res.status).toBe(502)
			expect(errorOf(res).code).toBe('hub_unreachable')
			expect(errorOf(res).message).toContain('http://127.0.0.1:9')
		} finally {
			process.env.HF_ENDPOINT = hub.url
			resetEnvCache()
		}

		hub.broken.add('data/train-00001-of-00002.parquet')
		const cut = await api(w.token, { repo: REPO, split: 'train', id_column: 'prompt_id' })
		expect(cut.status).toBe(502)
		expect(errorOf(cut).code).toBe('hub_unreachable')
		const v = (await versionRow('v1'))!
		expect(v.sampleCount).toBe(2)
		expect(v.source).toBeNull()
		const [failed] = await db
			.select({ status: imports.status })
			.from(imports)
			.where(and(eq(imports.versionId, v.id), eq(imports.status, 'failed')))
		expect(failed).toBeDefined()
	})

	test('validation: a malformed repository id or revision is refused before the Hub is asked', async () => {
		const w = await setup()
		for (const body of [{ repo: '../../etc' }, { repo: REPO, revision: '../main' }, { repo: REPO, split: 'a/b' }, { repo: REPO, extra: 1 }]) {
			const res = await api(w.token, body)
			expect(res.status).toBe(422)
			expect(errorOf(res).code).toBe('validation_failed')
		}
		expect(hub.requests).toHaveLength(0)
	})
})
