/**
 * Fault trial 3 (issue #8): SIGTERM while requests are in flight.
 *
 * A fresh database on the shared PostgreSQL server; the built server. Four slow uploads stream in
 * (two through the pipeline API, two through the web form, ~4 s each), and a burst of signed-in
 * page loads arrives, each on its own keep-alive connection as browsers and proxies keep them;
 * then SIGTERM. Every request the server had accepted must get its whole, proper answer (the
 * uploads their 200/302 and their samples, the pages their 200), none reset; connections opened
 * after the signal are refused; and the process exits 0 within its 15 s grace period.
 */
import net from 'node:net'
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ensureBuild, type Instance } from '#tests/instances.ts'
import {
	fileDigest,
	importDigest,
	jsonlChunks,
	multipartUpload,
	ORIGIN,
	reachable,
	scratchDatabase,
	sharedServerUrl,
	sleep,
	slowRequest,
	startApp,
	setUpOwner,
	type Owner,
	type Scratch,
} from './helpers.ts'

const ROWS = 4_000
const CHUNKS = 10
const GAP_MS = 400
const PAGE_LOADS = 24
const GRACE_MS = 15_000

const unreachable = await reachable(sharedServerUrl())
if (unreachable && process.env.CI) throw new Error(`the shared PostgreSQL server is not reachable (${sharedServerUrl()}): ${unreachable}`)

/** Resolves with how a new TCP connection to `port` fared: refused, or accepted (then closed at once). */
function tryConnect(port: number): Promise<'refused' | 'accepted' | string> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1')
		socket.once('connect', () => {
			socket.destroy()
			resolve('accepted')
		})
		socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? 'refused' : (e.code ?? e.message)))
	})
}

describe.skipIf(unreachable)('SIGTERM under load', () => {
	let db: Scratch
	let app: Instance
	let owner: Owner
	const labels = ['a1', 'a2', 'w1', 'w2']

	beforeAll(async () => {
		if (ensureBuild() === 'rebuilt') console.log('faults: build/ was older than the sources, rebuilt it')
		db = await scratchDatabase()
		app = await startApp('sigterm', db.url)
		owner = await setUpOwner(app.base, 'drain', labels)
	})

	afterAll(async () => {
		await app?.stop()
		if (process.env.RT_INSTANCES_VERBOSE) console.log(app?.output())
		await db?.drop()
	})

	test('accepted requests all complete, new connections are refused, and the process exits 0 within the grace period', async () => {
		const port = Number(new URL(app.base).port)
		const exit = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) => app.child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })))
		const perChunk = ROWS / CHUNKS

		// Slow uploads: two through the API, two through the web form.
		const uploads = labels.map((label) => {
			const prefix = `drain-${label}`
			if (label.startsWith('a')) {
				const req = slowRequest(app.base, `/api/v1/datasets/${owner.slug}/versions/${label}/samples`, {
					method: 'PUT',
					headers: { Authorization: `Bearer ${owner.token}`, 'Content-Type': 'application/x-ndjson' },
					chunks: jsonlChunks(prefix, ROWS, perChunk),
					gapMs: GAP_MS,
				})
				return { label, prefix, kind: 'api' as const, req }
			}
			const form = multipartUpload(`${prefix}.jsonl`, jsonlChunks(prefix, ROWS, perChunk))
			const req = slowRequest(app.base, `/datasets/${owner.slug}/versions/${label}/import`, {
				method: 'POST',
				headers: { Origin: ORIGIN, Cookie: owner.cookie, 'Content-Type': form.contentType },
				chunks: form.chunks,
				gapMs: GAP_MS,
			})
			return { label, prefix, kind: 'web' as const, req }
		})
		// In flight at the app: all four imports are running.
		const deadline = Date.now() + 15_000
		for (;;) {
			const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from imports where status = 'running'`
			if (row!.n === uploads.length) break
			if (Date.now() > deadline) throw new Error(`only ${row!.n} of ${uploads.length} uploads started:\n${app.output()}`)
			await sleep(50)
		}

		// A burst of signed-in page loads, each on its own keep-alive connection.
		const paths = ['/account', `/datasets/${owner.slug}`, `/datasets/${owner.slug}/versions/a1`, '/datasets']
		const pages = Array.from({ length: PAGE_LOADS }, (_, i) => {
			const path = paths[i % paths.length]!
			const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
			let end = 0
			let connected = 0
			const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
				const req = http.get(`${app.base}${path}`, { agent, headers: { Cookie: owner.cookie, 'X-Forwarded-Host': new URL(ORIGIN).host, 'X-Forwarded-Proto': 'http' } }, (res) => {
					let body = ''
					res.setEncoding('utf8')
					res.on('data', (d: string) => (body += d))
					res.on('end', () => {
						end = Date.now()
						resolve({ status: res.statusCode ?? 0, body })
					})
					res.on('error', reject)
				})
				req.on('error', reject)
				req.on('socket', (sock) => sock.on('connect', () => (connected = Date.now())))
			})
			return { path, done, end: () => end, agent, connected: () => connected }
		})
		// Give the server time to take the burst in (it is then rendering it), then the signal.
		await sleep(250)
		const chunksBefore = uploads.map((u) => u.req.written())
		const sigterm = Date.now()
		app.child.kill('SIGTERM')

		// New connections are refused once the signal is handled (a first few may still land before that).
		let refusedAt = 0
		while (Date.now() - sigterm < 5_000) {
			const outcome = await tryConnect(port)
			if (outcome === 'refused') {
				refusedAt = Date.now()
				break
			}
			expect(outcome, 'a new connection after SIGTERM').toBe('accepted')
			await sleep(20)
		}
		expect(refusedAt, 'new connections were still accepted 5 s after SIGTERM').toBeGreaterThan(0)
		expect(refusedAt - sigterm).toBeLessThan(2_000)
		// An HTTP request on a new connection too (requests on connections opened before the signal are still answered).
		const fresh = await new Promise<string>((resolve) => {
			http.get(`${app.base}/healthz`, { agent: false }, (res) => resolve(`answered ${res.statusCode}`)).once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
		})
		expect(fresh).toBe('ECONNREFUSED')
		expect(await tryConnect(port)).toBe('refused')

		// Every accepted request completes properly.
		const pageResults = await Promise.allSettled(pages.map((p) => p.done))
		const uploadResults = await Promise.allSettled(uploads.map((u) => u.req.done))
		const failures = [...pageResults.map((r, i) => [pages[i]!.path, r] as const), ...uploadResults.map((r, i) => [`upload ${uploads[i]!.label}`, r] as const)]
			.filter(([, r]) => r.status === 'rejected')
			.map(([what, r]) => `${what}: ${String((r as PromiseRejectedResult).reason)}`)
		if (process.env.RT_FAULTS_VERBOSE) console.log(pages.map((p, i) => `${p.path} connected ${p.connected() - sigterm} end ${p.end() - sigterm} ${pageResults[i]!.status}`).join('\n'))
		expect(failures, 'requests dropped or reset').toEqual([])
		for (const [i, r] of pageResults.entries()) {
			const { status, body } = (r as PromiseFulfilledResult<{ status: number; body: string }>).value
			expect(status, pages[i]!.path).toBe(200)
			// Whole: the document, then Remix's streamed data up to its last word.
			expect(body, pages[i]!.path).toContain('</html>')
			expect(body, pages[i]!.path).toContain('streamController.close()')
		}
		for (const [i, r] of uploadResults.entries()) {
			const u = uploads[i]!
			const { status, headers, body } = (r as PromiseFulfilledResult<{ status: number; headers: http.IncomingHttpHeaders; body: string }>).value
			if (u.kind === 'api') {
				expect(status, body).toBe(200)
				expect(JSON.parse(body)).toMatchObject({ version: u.label, rows: ROWS })
			} else {
				expect(status, body).toBe(302)
				expect(headers.location).toMatch(new RegExp(`^/datasets/${owner.slug}/versions/${u.label}/imports/`))
			}
			// The upload was still streaming when the signal came.
			expect(chunksBefore[i], `upload ${u.label} had finished before SIGTERM`).toBeLessThan(CHUNKS)
		}

		// The process drains, then exits cleanly within the grace period.
		const exited = await Promise.race([exit, sleep(GRACE_MS + 5_000).then(() => null)])
		expect(exited, `the process did not exit within ${GRACE_MS + 5_000} ms:\n${app.output()}`).not.toBeNull()
		expect(exited!.signal).toBeNull()
		expect(exited!.code, app.output()).toBe(0)
		expect(exited!.at - sigterm).toBeLessThan(GRACE_MS)
		expect(app.output()).toContain('SIGTERM received')

		// And what the uploads said happened, happened: each version holds its whole file.
		for (const u of uploads) {
			const [v] = await db.sql<{ current: string; sample_count: number }[]>`select current_import_id as current, sample_count from versions where label = ${u.label}`
			expect(v!.sample_count, u.label).toBe(ROWS)
			expect(await importDigest(db.sql, v!.current), u.label).toEqual({ rows: ROWS, digest: fileDigest(u.prefix, ROWS) })
		}
		const inFlight = pages.filter((p) => p.end() > sigterm).length
		console.log(
			`SIGTERM: ${inFlight} of ${PAGE_LOADS} page loads and ${uploads.length} uploads (${chunksBefore.join('/')} of ${CHUNKS} chunks sent) in flight; new connections refused after ${refusedAt - sigterm} ms; exit 0 after ${exited!.at - sigterm} ms`,
		)
		for (const p of pages) p.agent.destroy()
	})
})
