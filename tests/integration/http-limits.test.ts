/**
 * Request bodies against the built server (`node build/server.js`), over bare sockets: every
 * limit is enforced while the body is read, answered 413 quickly (a translated page, or the API's
 * JSON error), and a response given before the body was read — a 413, the Origin check's 403, a
 * 401, a redirect to sign in, a 404 — leaves the keep-alive connection usable: the next request on
 * it is answered. A 64 MiB attempt costs the server less than 50 MB of memory; a slow body holds
 * nothing else up. (docs/security.md, "HTTP hardening".)
 *
 * Run in the embedded-database pass only (`npm test` without DATABASE_URL): it starts its own
 * server with the demo, and the PostgreSQL pass would only repeat it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ensureBuild, freePort, startInstance, type Instance } from '#tests/instances.ts'
import { chunk, RawConnection, requestHead } from '#tests/raw-http.ts'

const KiB = 1024
const MiB = 1024 * KiB
const FORM_LIMIT = 256 * KiB
const JSON_LIMIT = 1 * MiB
const UPLOAD_MB = 2

describe.skipIf(!!process.env.DATABASE_URL)('request bodies over raw sockets (embedded-database pass only)', () => {
	let app: Instance
	let port: number
	let host: string
	let origin: string
	let cookie = ''
	let token = ''
	const dataDir = mkdtempSync(path.join(tmpdir(), 'rt-limits-'))

	const rssMb = () => {
		const status = readFileSync(`/proc/${app.child.pid}/status`, 'utf8')
		return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024
	}

	/** Opens a connection; `next` sends a GET /healthz on it and expects its answer. */
	async function connect() {
		const c = new RawConnection(port)
		await c.ready
		return c
	}
	async function expectNextAnswered(c: RawConnection) {
		expect(c.closed, 'the server closed the connection instead of keeping it').toBe(false)
		await c.write(requestHead('GET', '/healthz', { Host: host }))
		const next = await c.response(10_000)
		expect(next.status).toBe(200)
		expect(JSON.parse(next.body.toString())).toMatchObject({ status: 'ok' })
	}
	/** A sign-in form of exactly `bytes` bytes. */
	const form = (bytes: number) => {
		const prefix = 'email=a%40b.c&password='
		return prefix + 'x'.repeat(bytes - prefix.length)
	}

	beforeAll(async () => {
		if (ensureBuild() === 'rebuilt') console.log('http limits: build/ was older than the sources, rebuilt it')
		port = await freePort()
		host = `127.0.0.1:${port}`
		origin = `http://${host}`
		app = await startInstance('limits', port, { DATA_DIR: dataDir, COOKIE_SECURE: 'false', IMPORT_MAX_FILE_MB: String(UPLOAD_MB) })
		// The demo's owner, and an API token of theirs for the demo dataset.
		const signin = await fetch(`${app.base}/signin`, {
			method: 'POST',
			redirect: 'manual',
			headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ email: 'ada.owner@roundtable.test', password: 'roundtable-demo' }),
		})
		cookie = /roundtable_session=[^;]+/.exec(signin.headers.get('set-cookie') ?? '')![0]
		const created = await fetch(`${app.base}/account/tokens`, {
			method: 'POST',
			headers: { Origin: origin, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ intent: 'create', name: 'limits', datasets: 'tutoring-hints' }),
		})
		token = /rt_[A-Za-z0-9_-]{20,}/.exec(await created.text())![0]
	}, 300_000)

	afterAll(async () => {
		await app?.stop()
		rmSync(dataDir, { recursive: true, force: true })
	})

	test('a form over the limit with Content-Length: 413 before the body is read, translated, and the connection goes on', async () => {
		const c = await connect()
		const body = form(FORM_LIMIT + 1)
		await c.write(
			requestHead('POST', '/signin', { Host: host, Origin: origin, 'Accept-Language': 'fr', 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) }),
		)
		// The answer comes before a byte of the body is sent.
		const res = await c.response(15_000).catch((error: Error) => {
			throw new Error(`${error.message}\n${app.output()}`)
		})
		expect(res.status).toBe(413)
		expect(res.headers['content-type']).toMatch(/text\/html/)
		expect(res.body.toString()).toContain('Trop de données')
		await c.write(body)
		await expectNextAnswered(c)
		c.destroy()
	})

	test('a form exactly at the limit is read and answered by the app', async () => {
		const c = await connect()
		const body = form(FORM_LIMIT)
		expect(Buffer.byteLength(body)).toBe(FORM_LIMIT)
		await c.write(requestHead('POST', '/signin', { Host: host, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': FORM_LIMIT }))
		await c.write(body)
		const res = await c.response()
		expect(res.status).toBe(400)
		await expectNextAnswered(c)
		c.destroy()
	})

	test('a chunked form over the limit: 413 once the limit is passed (in Urdu, right to left, for a browser asking ur-PK), and the connection goes on', async () => {
		const c = await connect()
		await c.write(
			requestHead('POST', '/signin', { Host: host, Origin: origin, 'Accept-Language': 'ur-PK,en;q=0.5', 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' }),
		)
		for (let sent = 0; sent <= FORM_LIMIT; sent += 64 * KiB) await c.write(chunk('x'.repeat(64 * KiB)))
		const res = await c.response()
		expect(res.status).toBe(413)
		expect(res.body.toString()).toContain('<html lang="ur" dir="rtl">')
		const urdu = JSON.parse(readFileSync('locales/ur/common.json', 'utf8')) as { errorPage: { tooLarge: { title: string } } }
		expect(res.body.toString()).toContain(urdu.errorPage.tooLarge.title)
		await c.write(chunk('x'.repeat(64 * KiB)))
		await c.write(chunk(''))
		await expectNextAnswered(c)
		c.destroy()
	})

	test('API JSON over 1 MiB, with Content-Length and chunked: 413 with the JSON error, and the connection goes on', async () => {
		const target = '/api/v1/datasets/tutoring-hints/versions'
		const json = JSON.stringify({ label: 'big', notes: 'x'.repeat(JSON_LIMIT) })
		const head = { Host: host, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }
		const c = await connect()
		await c.write(requestHead('POST', target, { ...head, 'Content-Length': Buffer.byteLength(json) }))
		const declared = await c.response(15_000)
		expect(declared.status).toBe(413)
		expect(JSON.parse(declared.body.toString())).toMatchObject({ error: { code: 'payload_too_large' } })
		await c.write(json)
		await expectNextAnswered(c)

		await c.write(requestHead('POST', target, { ...head, 'Transfer-Encoding': 'chunked' }))
		for (let i = 0; i < json.length; i += 256 * KiB) await c.write(chunk(json.slice(i, i + 256 * KiB)))
		await c.write(chunk(''))
		const chunked = await c.response()
		expect(chunked.status).toBe(413)
		expect(JSON.parse(chunked.body.toString())).toMatchObject({ error: { code: 'payload_too_large' } })
		await expectNextAnswered(c)
		c.destroy()
	})

	test('bodies of requests refused before reading them (Origin 403, API 401 and 415, sign-in redirect, 405) are drained: the next request is answered', async () => {
		const c = await connect()
		const body = form(100 * KiB)
		const cases: Array<{ method: string; target: string; headers: Record<string, string>; status: number }> = [
			{ method: 'POST', target: '/signin', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, status: 403 },
			{ method: 'POST', target: '/api/v1/datasets/tutoring-hints/versions', headers: { 'Content-Type': 'application/json' }, status: 401 },
			{ method: 'PUT', target: '/api/v1/datasets/tutoring-hints/versions/v1/samples', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' }, status: 415 },
			{ method: 'POST', target: '/datasets/tutoring-hints/versions/v1/import', headers: { Origin: origin, 'Content-Type': 'multipart/form-data; boundary=x' }, status: 302 },
			// No such page: the catch-all route has no action.
			{ method: 'POST', target: '/no/such/page', headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' }, status: 405 },
		]
		for (const k of cases) {
			await c.write(requestHead(k.method, k.target, { Host: host, ...k.headers, 'Content-Length': Buffer.byteLength(body) }))
			await c.write(body)
			const res = await c.response()
			expect(res.status, `${k.method} ${k.target}`).toBe(k.status)
			await expectNextAnswered(c)
		}
		// The same, chunked.
		for (const k of cases) {
			await c.write(requestHead(k.method, k.target, { Host: host, ...k.headers, 'Transfer-Encoding': 'chunked' }))
			await c.write(chunk(body))
			await c.write(chunk(''))
			const res = await c.response()
			expect(res.status, `${k.method} ${k.target} (chunked)`).toBe(k.status)
			await expectNextAnswered(c)
		}
		c.destroy()
	})

	test('a 64 MiB form, declared and chunked: 413, under 50 MB of server memory, /healthz answered meanwhile, and the connection goes on', async () => {
		const before = rssMb()
		const piece = Buffer.alloc(MiB, 'a')
		for (const mode of ['declared', 'chunked'] as const) {
			const c = await connect()
			const length = 64 * MiB
			await c.write(
				requestHead('POST', '/signin', {
					Host: host,
					Origin: origin,
					'Content-Type': 'application/x-www-form-urlencoded',
					...(mode === 'declared' ? { 'Content-Length': length } : { 'Transfer-Encoding': 'chunked' }),
				}),
			)
			let peak = before
			const started = Date.now()
			for (let sent = 0; sent < length; sent += MiB) {
				await c.write(mode === 'declared' ? piece : chunk(piece))
				if (sent % (8 * MiB) === 0) {
					peak = Math.max(peak, rssMb())
					// The server is not stalled by it.
					const t = Date.now()
					expect((await fetch(`${app.base}/healthz`)).status).toBe(200)
					expect(Date.now() - t).toBeLessThan(2_000)
				}
			}
			if (mode === 'chunked') await c.write(chunk(''))
			const res = await c.response()
			expect(res.status, mode).toBe(413)
			peak = Math.max(peak, rssMb())
			expect(peak - before, `${mode}: memory grew by ${Math.round(peak - before)} MB`).toBeLessThan(50)
			expect(Date.now() - started).toBeLessThan(60_000)
			await expectNextAnswered(c)
			c.destroy()
		}
	}, 120_000)

	test('a sample upload over its own limit is refused while it streams (413), and one within it is imported', async () => {
		const boundary = 'rt-limits-boundary'
		const part = (rows: number) =>
			`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.jsonl"\r\nContent-Type: application/x-ndjson\r\n\r\n` +
			Array.from({ length: rows }, (_, i) => JSON.stringify({ id: `l-${i}`, content: `ligne ${i} · سطر · 行 ${'x'.repeat(100)}` })).join('\n') +
			`\r\n--${boundary}--\r\n`
		const target = '/datasets/tutoring-hints/versions/v1/import'
		const head = { Host: host, Origin: origin, Cookie: cookie, 'Content-Type': `multipart/form-data; boundary=${boundary}` }
		const big = Buffer.from(part(20_000))
		expect(big.length).toBeGreaterThan(UPLOAD_MB * MiB + 64 * KiB)

		// Declared too large: refused at once.
		const c = await connect()
		await c.write(requestHead('POST', target, { ...head, 'Content-Length': big.length }))
		expect((await c.response(15_000)).status).toBe(413)
		await c.write(big)
		await expectNextAnswered(c)

		// Chunked: the importer is reading it when the limit is passed.
		await c.write(requestHead('POST', target, { ...head, 'Transfer-Encoding': 'chunked' }))
		for (let i = 0; i < big.length; i += 64 * KiB) if (!(await c.write(chunk(big.subarray(i, i + 64 * KiB))))) break
		await c.write(chunk(''))
		const res = await c.response()
		expect(res.status).toBe(413)
		c.destroy()

		// Within the limit: imported as usual.
		const small = Buffer.from(part(50))
		const ok = await connect()
		await ok.write(requestHead('POST', target, { ...head, 'Content-Length': small.length }))
		await ok.write(small)
		const imported = await ok.response(30_000)
		expect(imported.status).toBe(302)
		expect(imported.headers.location).toMatch(/\/imports\//)
		ok.destroy()
	}, 60_000)

	test('a slow body is answered when it is complete, and holds up nobody else meanwhile', async () => {
		const c = await connect()
		const body = 'email=ada.owner%40roundtable.test&password=wrong-password'
		await c.write(requestHead('POST', '/signin', { Host: host, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length }))
		for (let i = 0; i < body.length; i += 12) {
			await c.write(body.slice(i, i + 12))
			const t = Date.now()
			expect((await fetch(`${app.base}/healthz`)).status).toBe(200)
			expect(Date.now() - t).toBeLessThan(2_000)
			await new Promise((r) => setTimeout(r, 300))
		}
		const res = await c.response()
		expect(res.status).toBe(400)
		expect(res.body.toString()).toContain('The email or password is not right')
		await expectNextAnswered(c)
		c.destroy()
	})

	test('caching: signed-in responses are private, no-store (pages, .data, JSON); pages are no-store for everyone; built assets stay immutable', async () => {
		const signedIn = { Cookie: cookie }
		for (const path of ['/account', '/account.data', '/datasets/tutoring-hints', '/locales/en/common', '/datasets/tutoring-hints/versions/v1/report.csv']) {
			const res = await fetch(`${app.base}${path}`, { headers: signedIn, redirect: 'manual' })
			expect(res.headers.get('cache-control'), path).toBe('private, no-store')
		}
		const home = await fetch(`${app.base}/`)
		expect(home.headers.get('cache-control')).toBe('no-store')
		const signin = await fetch(`${app.base}/signin`)
		expect(signin.headers.get('cache-control')).toBe('no-store')
		const asset = /\/assets\/[^"]+\.js/.exec(await home.text())![0]
		const res = await fetch(`${app.base}${asset}`)
		expect(res.status).toBe(200)
		expect(res.headers.get('cache-control')).toMatch(/immutable/)
	})
})
