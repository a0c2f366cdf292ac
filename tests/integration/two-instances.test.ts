/**
 * Two app processes on one PostgreSQL database (issue #9): what one instance does, the other sees,
 * because no state the other needs lives in process memory — sessions, sign-in rate limits, import
 * progress, the webhook queue. Both run the built server (`node build/server.js`, rebuilt first if
 * the sources are newer) with the same APP_URL, as behind a load balancer.
 *
 * PostgreSQL only: the embedded PGlite database belongs to one process and cannot be shared.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { webhookDeliveries, webhooks } from '#db/schema/api.ts'
import { datasets, versions } from '#db/schema/datasets.ts'
import { generateSecret } from '#app/domain/webhook.ts'
import { db, query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { ensureBuild, freePort, startInstance, type Instance } from '#tests/instances.ts'
import { cookiesFrom } from '#tests/route-utils.ts'

// The public origin both instances serve (APP_URL), as a browser behind the proxy would send it.
const ORIGIN = 'http://roundtable.test'
// What a reverse proxy in front of both adds (TRUST_PROXY): a Host that is not APP_URL's is refused.
const PROXIED = { 'X-Forwarded-Host': new URL(ORIGIN).host, 'X-Forwarded-Proto': 'http' }
const SIGNIN_LIMIT = 6
// deliverDueWebhooks claims 20 at a time and waits for them: more in flight means both instances sent.
const BATCH = 20
const DELIVERIES = 2 * BATCH

async function post(instance: Instance, path: string, fields: Record<string, string>, cookie = '') {
	return fetch(`${instance.base}${path}`, {
		method: 'POST',
		redirect: 'manual',
		headers: { ...PROXIED, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded', ...(cookie ? { Cookie: cookie } : {}) },
		body: new URLSearchParams(fields),
	})
}

async function get(instance: Instance, path: string, cookie = '') {
	return fetch(`${instance.base}${path}`, { redirect: 'manual', headers: { ...PROXIED, ...(cookie ? { Cookie: cookie } : {}) } })
}

/** A webhook endpoint that holds each request until 2 × BATCH are in flight (or 10 s), counting each message id. */
function startReceiver() {
	const received = new Map<string, number>()
	let inFlight = 0
	let maxInFlight = 0
	const waiting: Array<() => void> = []
	const server: Server = createServer((req, res) => {
		req.resume()
		req.on('end', () => {
			const id = String(req.headers['webhook-id'])
			received.set(id, (received.get(id) ?? 0) + 1)
			inFlight++
			maxInFlight = Math.max(maxInFlight, inFlight)
			const release = () => {
				if (res.writableEnded) return
				inFlight--
				res.writeHead(200).end('ok')
			}
			waiting.push(release)
			setTimeout(release, 10_000)
			if (inFlight >= 2 * BATCH) waiting.splice(0).forEach((r) => r())
		})
	})
	return {
		received,
		maxInFlight: () => maxInFlight,
		listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}/hook`))),
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	}
}

describe.skipIf(!process.env.DATABASE_URL)('two app instances on one database', () => {
	useTestDatabase({ emptyBeforeEach: false })
	const receiver = startReceiver()
	let a: Instance
	let b: Instance
	const person = { email: 'ines@example.org', displayName: 'Inés', password: 'long enough password' }
	let cookieFromA = ''

	beforeAll(async () => {
		const build = ensureBuild()
		if (build === 'rebuilt') console.log('two instances: build/ was older than the sources, rebuilt it')
		// Webhook messages due now, queued before either instance starts: both schedulers find them at start-up.
		const url = await receiver.listen()
		const [owner] = await db.insert(users).values({ email: 'owner@example.org', displayName: 'Owner', passwordHash: 'x' }).returning({ id: users.id })
		const [dataset] = await db.insert(datasets).values({ slug: 'hooks', name: 'Hooks', createdBy: owner!.id }).returning({ id: datasets.id })
		const [hook] = await db
			.insert(webhooks)
			.values({ datasetId: dataset!.id, url, secret: generateSecret(), events: ['issue.created'] })
			.returning({ id: webhooks.id })
		await db.insert(webhookDeliveries).values(
			Array.from({ length: DELIVERIES }, (_, i) => ({
				webhookId: hook!.id,
				messageId: `msg_two_instances_${i}`,
				event: 'issue.created',
				payload: { type: 'issue.created', timestamp: new Date().toISOString(), data: { n: i } },
			})),
		)
		// The receiver is on 127.0.0.1, a private address: allowed as a self-hosted setup would.
		const env = {
			DATABASE_URL: process.env.DATABASE_URL!,
			APP_URL: ORIGIN,
			TRUST_PROXY: 'true',
			COOKIE_SECURE: 'false',
			SEED_DEMO: 'false',
			DATABASE_POOL_SIZE: '4',
			SIGNIN_LIMIT_PER_ACCOUNT: String(SIGNIN_LIMIT),
			WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
		}
		const [portA, portB] = [await freePort(), await freePort()]
		// Started together: migrations run under an advisory lock, so neither trips over the other.
		;[a, b] = await Promise.all([startInstance('A', portA, env), startInstance('B', portB, env)])
	}, 300_000)

	afterAll(async () => {
		await Promise.all([a?.stop(), b?.stop()])
		await receiver.close()
		if (process.env.RT_INSTANCES_VERBOSE) console.log(`A:\n${a?.output()}\nB:\n${b?.output()}`)
	})

	test('each queued webhook message is delivered once, while both instances deliver', async () => {
		const deadline = Date.now() + 30_000
		let delivered = 0
		while (Date.now() < deadline) {
			const [row] = await query<{ delivered: number }>(sql`select count(*)::int as delivered from ${webhookDeliveries} where status = 'delivered'`)
			delivered = row?.delivered ?? 0
			if (delivered === DELIVERIES) break
			await new Promise((r) => setTimeout(r, 200))
		}
		expect(delivered).toBe(DELIVERIES)
		expect(receiver.received.size).toBe(DELIVERIES)
		expect(
			[...receiver.received.values()].every((n) => n === 1),
			'a message was sent twice',
		).toBe(true)
		const attempts = await db.select({ attempts: webhookDeliveries.attempts }).from(webhookDeliveries)
		expect(attempts.every((r) => r.attempts === 1)).toBe(true)
		// One instance never has more than a batch in flight: more at once means both were delivering.
		expect(receiver.maxInFlight()).toBeGreaterThan(BATCH)
	})

	test('a session made on one instance works on the other, and ends on both', async () => {
		const signup = await post(a, '/signup', person)
		expect(signup.status).toBe(302)
		cookieFromA = cookiesFrom(signup.headers)
		expect(cookieFromA).not.toBe('')

		const onB = await get(b, '/account', cookieFromA)
		expect(onB.status).toBe(200)
		expect(await onB.text()).toContain(person.email)
		expect((await get(b, '/account')).status).toBe(302)

		const signin = await post(b, '/signin', { email: person.email, password: person.password })
		expect(signin.status).toBe(302)
		const cookieFromB = cookiesFrom(signin.headers)
		expect((await get(a, '/account', cookieFromB)).status).toBe(200)

		expect((await post(a, '/signout', {}, cookieFromB)).status).toBe(302)
		const after = await get(b, '/account', cookieFromB)
		expect(after.status).toBe(302)
		expect(after.headers.get('Location')).toMatch(/^\/signin/)
	})

	test('failed sign-ins count across both instances', async () => {
		const statuses: number[] = []
		for (let i = 0; i <= SIGNIN_LIMIT; i++) {
			const res = await post(i % 2 ? b : a, '/signin', { email: 'target@example.org', password: `wrong guess ${i}` })
			statuses.push(res.status)
		}
		// Neither instance saw the limit's worth of failures on its own (A half of them, B the other half).
		expect(statuses).toEqual([...Array<number>(SIGNIN_LIMIT).fill(400), 429])
		expect((await post(a, '/signin', { email: 'target@example.org', password: 'another' })).status).toBe(429)
	})

	test('an import streamed into one instance shows its progress and result on the other', async () => {
		expect((await post(a, '/datasets/new', { name: 'Two instances', slug: 'two' }, cookieFromA)).status).toBe(302)
		expect((await post(b, '/datasets/two/versions/new', { label: 'v1', generationMethod: 'templates' }, cookieFromA)).status).toBe(302)

		const importId = randomUUID()
		const boundary = `----roundtable${randomUUID()}`
		const chunks = 8
		const rowsPerChunk = 250
		const enc = new TextEncoder()
		let sent = 0
		const body = new ReadableStream<Uint8Array>({
			async pull(controller) {
				if (sent === 0) {
					controller.enqueue(enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="importId"\r\n\r\n${importId}\r\n`))
					controller.enqueue(enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="two.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n`))
				}
				if (sent === chunks) {
					controller.enqueue(enc.encode(`\r\n--${boundary}--\r\n`))
					controller.close()
					return
				}
				// Slowly, so the other instance has time to look while the file is still arriving.
				if (sent > 0) await new Promise((r) => setTimeout(r, 400))
				const lines = Array.from({ length: rowsPerChunk }, (_, j) => {
					const n = sent * rowsPerChunk + j
					return JSON.stringify({ id: `t-${String(n).padStart(5, '0')}`, content: `Sample ${n}.`, metadata: { persona: { origin: n % 2 ? 'Lagos' : 'Amman' } } })
				})
				controller.enqueue(enc.encode(lines.join('\n') + (sent < chunks - 1 ? '\n' : '')))
				sent++
			},
		})
		const upload = fetch(`${a.base}/datasets/two/versions/v1/import`, {
			method: 'POST',
			redirect: 'manual',
			headers: { ...PROXIED, Origin: ORIGIN, Cookie: cookieFromA, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
			body,
			duplex: 'half',
		} as RequestInit)

		const progressPath = `/datasets/two/versions/v1/imports/${importId}/progress`
		type Progress = { status: string; rowsRead: number }
		const seen: Progress[] = []
		let done = false
		void upload.finally(() => (done = true))
		while (!done) {
			const res = await get(b, progressPath, cookieFromA)
			if (res.status === 200) seen.push((await res.json()) as Progress)
			await new Promise((r) => setTimeout(r, 150))
		}
		const answer = await upload
		expect(answer.status).toBe(302)
		expect(answer.headers.get('Location')).toBe(`/datasets/two/versions/v1/imports/${importId}`)
		expect(
			seen.some((p) => p.status === 'running' && p.rowsRead > 0 && p.rowsRead < chunks * rowsPerChunk),
			`B saw ${JSON.stringify(seen)}`,
		).toBe(true)

		const final = (await (await get(b, progressPath, cookieFromA)).json()) as Progress
		expect(final).toMatchObject({ status: 'succeeded', rowsRead: chunks * rowsPerChunk })
		const page = await get(b, `/datasets/two/versions/v1/imports/${importId}`, cookieFromA)
		expect(page.status).toBe(200)
		const sample = await get(b, '/datasets/two/versions/v1/samples/t-01999', cookieFromA)
		expect(sample.status).toBe(200)
	})

	test('with instance A gone, B still knows what A did', async () => {
		await a.stop()
		const account = await get(b, '/account', cookieFromA)
		expect(account.status).toBe(200)
		expect((await post(b, '/signin', { email: 'target@example.org', password: 'and another' })).status).toBe(429)
		expect((await get(b, '/datasets/two/versions/v1/samples/t-00000', cookieFromA)).status).toBe(200)
		const [v] = await db.select({ sampleCount: versions.sampleCount }).from(versions).innerJoin(datasets, eq(datasets.id, versions.datasetId)).where(eq(datasets.slug, 'two'))
		expect(v?.sampleCount).toBe(2000)
	})
})
