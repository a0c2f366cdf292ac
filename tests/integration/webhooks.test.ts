import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { type AddressInfo } from 'node:net'
import { asc, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { webhookDeliveries, webhooks } from '#db/schema/api.ts'
import { auditEvents, issues } from '#db/schema/issues.ts'
import { rounds } from '#db/schema/rounds.ts'
import { type FlagInput } from '#app/domain/review.ts'
import { ProvenanceSchema } from '#app/domain/version.ts'
import { verify } from '#app/domain/webhook.ts'
import { WEBHOOK_EVENTS, type WebhookEvent } from '#app/domain/webhook-form.ts'
import { runDueRoundJobs } from '#app/jobs/round-deadlines.server.ts'
import { deliverDueWebhooks, publicOnlyLookup } from '#app/jobs/webhook-delivery.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { triageIssue } from '#app/models/triage.server.ts'
import { changeVersionStatus, createVersion } from '#app/models/version.server.ts'
import { createWebhook, disableWebhook, enqueueEvent, listDeliveries } from '#app/models/webhook.server.ts'
import { action as webhooksAction, loader as webhooksLoader } from '#app/routes/datasets+/$slug+/webhooks.tsx'
import { db } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { account, createRound, joinAs, P, participantOf, sampleIdOf, setRoundStatus, userIdOf, world } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

// ---------------------------------------------------------------------------------------------
// A real HTTP receiver on 127.0.0.1. Loopback is a private address: these tests deliver to it with
// WEBHOOK_ALLOW_PRIVATE_NETWORKS on, as a self-hosted setup would, and check at the end that by
// default nothing reaches it.

type Hit = { path: string; headers: IncomingHttpHeaders; body: string }
type Reply = { status: number; body?: string; delayMs?: number }

const sink = useSmtpSink()
let receiver: { base: string; hits: Hit[]; reply: (hit: Hit) => Reply; close: () => Promise<void> }

async function startReceiver() {
	const state = { hits: [] as Hit[], reply: (_hit: Hit): Reply => ({ status: 200, body: 'thanks' }) }
	const server = createServer((req, res) => {
		const chunks: Buffer[] = []
		req.on('data', (c: Buffer) => chunks.push(c))
		req.on('end', () => {
			const hit = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
			state.hits.push(hit)
			const r = state.reply(hit)
			setTimeout(() => {
				res.writeHead(r.status, { 'content-type': 'text/plain; charset=utf-8' })
				res.end(r.body ?? '')
			}, r.delayMs ?? 0)
		})
	})
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
	const { port } = server.address() as AddressInfo
	return Object.assign(state, {
		base: `http://127.0.0.1:${port}`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	})
}

beforeAll(async () => {
	allowPrivateNetworks(true)
	receiver = await startReceiver()
})
afterAll(async () => {
	delete process.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS
	resetEnvCache()
	await receiver.close()
})
function allowPrivateNetworks(on: boolean) {
	process.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS = String(on)
	resetEnvCache()
}

beforeEach(() => {
	allowPrivateNetworks(true)
	receiver.hits.length = 0
	receiver.reply = () => ({ status: 200, body: 'thanks' })
})

/** The signature checked twice: with app/domain/webhook.ts and by hand with node:crypto. */
function checkSignature(hit: Hit, secret: string) {
	const h = (name: string) => String(hit.headers[name] ?? '')
	expect(verify(secret, { id: h('webhook-id'), timestamp: h('webhook-timestamp'), signature: h('webhook-signature') }, hit.body)).toEqual({ ok: true })
	const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
	const expected = createHmac('sha256', key)
		.update(`${h('webhook-id')}.${h('webhook-timestamp')}.${hit.body}`)
		.digest('base64')
	expect(h('webhook-signature')).toBe(`v1,${expected}`)
	expect(Math.abs(Number(h('webhook-timestamp')) - Date.now() / 1000)).toBeLessThan(60)
	expect(h('content-type')).toBe('application/json')
}

const queued = (webhookId: string) => db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhookId)).orderBy(asc(webhookDeliveries.createdAt), asc(webhookDeliveries.event))

/** Dataset "hints" v1 with a webhook for every event (and one for round.closed only), a round with ana. */
async function setup(events: WebhookEvent[] = [...WEBHOOK_EVENTS]) {
	const w = await world(4)
	const ownerId = await userIdOf('owner')
	const hook = await createWebhook({ datasetId: w.datasetId, actorId: ownerId, url: `${receiver.base}/all?token=abc`, events })
	const roundsOnly = await createWebhook({ datasetId: w.datasetId, actorId: ownerId, url: `${receiver.base}/rounds`, events: ['round.closed'] })
	const roundId = await createRound(w.owner, { overlap: '2' })
	await joinAs(w.owner, roundId, 'ana', sink.messages)
	return { ...w, ownerId, hook, roundsOnly, roundId, actor: { userId: ownerId, datasetId: w.datasetId } }
}

async function flag(w: Awaited<ReturnType<typeof setup>>, externalId: string, over: Partial<FlagInput> = {}) {
	const participantId = await participantOf(w.roundId, 'ana')
	await saveVerdict({ roundId: w.roundId, participantId, sampleId: await sampleIdOf(w.versionId, externalId), verdict: { kind: 'flag', flag: flagInput(over) } })
}

// ---------------------------------------------------------------------------------------------

describe('events are queued where the change happens, in its transaction', () => {
	test('round opened → version in consultation; flag → issue created (blocking); triage; blocking call; round closed; approval', async () => {
		const w = await setup()
		await setRoundStatus(w.owner, w.roundId, 'open')
		await flag(w, 'h-000', { severity: 'critical' })
		const [issue] = await db.select().from(issues).where(eq(issues.versionId, w.versionId))
		expect(await triageIssue({ versionId: w.versionId, issueId: issue!.id, actor: w.actor, input: { intent: 'acknowledge', revision: issue!.revision } })).toMatchObject({ ok: true })
		// Assigning changes neither status nor blocking: no event.
		expect(await triageIssue({ versionId: w.versionId, issueId: issue!.id, actor: w.actor, input: { intent: 'assign', revision: issue!.revision + 1, assignee: w.ownerId } })).toMatchObject({
			ok: true,
		})
		expect(
			await triageIssue({
				versionId: w.versionId,
				issueId: issue!.id,
				actor: w.actor,
				input: { intent: 'blocking', revision: issue!.revision + 2, call: 'not_blocking', reason: 'A rewrite is already planned.' },
			}),
		).toMatchObject({ ok: true })
		await setRoundStatus(w.owner, w.roundId, 'close')
		expect(await changeVersionStatus({ versionId: w.versionId, datasetId: w.datasetId, actorId: w.ownerId, action: 'approve' })).toMatchObject({ ok: true, to: 'approved' })

		const rows = await queued(w.hook.id)
		expect(rows.map((r) => r.event)).toEqual(['version.status_changed', 'issue.created', 'issue.status_changed', 'issue.status_changed', 'round.closed', 'version.status_changed'])
		expect(rows.every((r) => r.status === 'pending' && r.attempts === 0 && r.messageId.startsWith('msg_'))).toBe(true)
		expect(new Set(rows.map((r) => r.messageId)).size).toBe(rows.length)
		// The other endpoint only asked for round.closed.
		expect((await queued(w.roundsOnly.id)).map((r) => r.event)).toEqual(['round.closed'])

		expect(await deliverDueWebhooks()).toEqual({ delivered: 7, retry: 0, failed: 0 })
		for (const hit of receiver.hits.filter((h) => h.path === '/all?token=abc')) checkSignature(hit, w.hook.secret)
		for (const hit of receiver.hits.filter((h) => h.path === '/rounds')) checkSignature(hit, w.roundsOnly.secret)

		const byId = new Map(
			receiver.hits.filter((h) => h.path === '/all?token=abc').map((h) => [String(h.headers['webhook-id']), JSON.parse(h.body) as { type: string; timestamp: string; data: unknown }]),
		)
		const sent = rows.map((r) => byId.get(r.messageId)!)
		expect(sent.map((b) => b.type)).toEqual(rows.map((r) => r.event))
		for (const b of sent) expect(Object.keys(b)).toEqual(['type', 'timestamp', 'data'])
		const base = { dataset: 'hints', version: 'v1' }
		const issueBase = { number: 1, kind: 'sample', sample: 'h-000', template: null, needs_re_review: false }
		expect(sent.map((b) => b.data)).toEqual([
			{ ...base, status: 'in_consultation', previous_status: 'draft' },
			{ ...base, issue: { ...issueBase, status: 'open', resolution: null, blocking: true } },
			{ ...base, issue: { ...issueBase, status: 'acknowledged', resolution: null, blocking: true }, previous: { status: 'open', resolution: null, blocking: true } },
			{ ...base, issue: { ...issueBase, status: 'acknowledged', resolution: null, blocking: false }, previous: { status: 'acknowledged', resolution: null, blocking: true } },
			{ ...base, round: { id: w.roundId, title: 'Community check', stage: 'validation' } },
			{ ...base, status: 'approved', previous_status: 'in_consultation', overridden_blockers: 0 },
		])
		// No participant, no rationale, no internal note, no reason ever leaves.
		const all = receiver.hits.map((h) => h.body).join('\n')
		expect(all).not.toMatch(/example\.org|ana|parody|older women|rewrite is already planned/i)

		const log = await listDeliveries({ datasetId: w.datasetId, webhookId: w.hook.id })
		expect(log).toHaveLength(6)
		expect(log.every((d) => d.status === 'delivered' && d.attempts === 1 && d.lastStatus === 200 && d.lastResponse === 'thanks' && d.lastError === null && d.deliveredAt)).toBe(true)
		// Nothing is due any more.
		expect(await deliverDueWebhooks()).toEqual({ delivered: 0, retry: 0, failed: 0 })
		expect(receiver.hits).toHaveLength(7)
	})

	test('resolving and reopening send issue.status_changed with the resolution', async () => {
		const w = await setup(['issue.status_changed'])
		await setRoundStatus(w.owner, w.roundId, 'open')
		await flag(w, 'h-001')
		const [issue] = await db.select().from(issues).where(eq(issues.versionId, w.versionId))
		await triageIssue({
			versionId: w.versionId,
			issueId: issue!.id,
			actor: w.actor,
			input: { intent: 'resolve', revision: issue!.revision, resolution: 'documented', publicResponse: '', note: 'internal only' },
		})
		await triageIssue({ versionId: w.versionId, issueId: issue!.id, actor: w.actor, input: { intent: 'reopen', revision: issue!.revision + 1, reason: 'Needs a second look.' } })
		const rows = await queued(w.hook.id)
		expect(rows.map((r) => (r.payload as { data: { issue: unknown; previous: unknown } }).data)).toMatchObject([
			{ issue: { status: 'resolved', resolution: 'documented', blocking: false }, previous: { status: 'open', resolution: null } },
			{ issue: { status: 'open', resolution: null }, previous: { status: 'resolved', resolution: 'documented' } },
		])
		expect(JSON.stringify(rows.map((r) => r.payload))).not.toMatch(/internal only|second look/)
	})

	test('the scheduler closing a round whose time is up sends round.closed', async () => {
		const w = await setup(['round.closed'])
		await setRoundStatus(w.owner, w.roundId, 'open')
		const closesAt = new Date(Date.now() + 3_600_000)
		await db.update(rounds).set({ closesAt }).where(eq(rounds.id, w.roundId))
		expect(await runDueRoundJobs('http://localhost', new Date(closesAt.getTime() + 1000))).toMatchObject({ closed: 1 })
		expect((await queued(w.hook.id)).map((r) => r.event)).toEqual(['round.closed'])
		expect((await queued(w.roundsOnly.id)).map((r) => r.event)).toEqual(['round.closed'])
	})

	test('carry-over to a child version sends issue.created for each inherited issue', async () => {
		const w = await setup(['issue.created'])
		await setRoundStatus(w.owner, w.roundId, 'open')
		await flag(w, 'h-000', { severity: 'critical' })
		await flag(w, 'h-001')
		const created = await createVersion({ ...ProvenanceSchema.parse({ generationMethod: 'templates' }), datasetId: w.datasetId, label: 'v2', parentLabel: 'v1', userId: w.ownerId })
		const file = [{ id: 'h-000', content: 'hint 0' }].map((r) => JSON.stringify(r)).join('\n')
		const result = await runImport({
			versionId: created.version!.id,
			format: 'jsonl',
			filename: 'v2.jsonl',
			userId: w.ownerId,
			source: (async function* () {
				yield new TextEncoder().encode(file)
			})(),
		})
		expect(result).toMatchObject({ status: 'succeeded' })
		const data = (await queued(w.hook.id)).map((r) => (r.payload as { data: { version: string; issue: Record<string, unknown> } }).data)
		expect(data.map((d) => [d.version, d.issue.number, d.issue.sample, d.issue.status, d.issue.resolution, d.issue.blocking]).sort()).toEqual([
			['v1', 1, 'h-000', 'open', null, true],
			['v1', 2, 'h-001', 'open', null, false],
			['v2', 1, 'h-000', 'open', null, true],
			['v2', 2, 'h-001', 'resolved', 'removed', false],
		])
	})

	test('a disabled webhook gets nothing: new events skip it, what was queued is marked failed', async () => {
		const w = await setup()
		await setRoundStatus(w.owner, w.roundId, 'open')
		expect((await queued(w.hook.id)).map((r) => r.event)).toEqual(['version.status_changed'])
		expect(await disableWebhook({ datasetId: w.datasetId, webhookId: w.hook.id, actorId: w.ownerId })).toBe(true)
		expect(await disableWebhook({ datasetId: w.datasetId, webhookId: w.hook.id, actorId: w.ownerId })).toBe(false)
		await flag(w, 'h-000')
		await setRoundStatus(w.owner, w.roundId, 'close')
		expect(await queued(w.hook.id)).toMatchObject([{ event: 'version.status_changed', status: 'failed', attempts: 0, lastError: 'webhook disabled' }])
		expect(await deliverDueWebhooks()).toEqual({ delivered: 1, retry: 0, failed: 0 })
		expect(receiver.hits.map((h) => h.path)).toEqual(['/rounds'])
	})
})

describe('delivery', () => {
	async function oneHook(path = '/d') {
		const w = await world(1)
		const hook = await createWebhook({ datasetId: w.datasetId, actorId: await userIdOf('owner'), url: `${receiver.base}${path}`, events: [...WEBHOOK_EVENTS] })
		const emit = (n = 1) =>
			db.transaction(async (tx) => {
				for (let i = 0; i < n; i++)
					await enqueueEvent(tx, { datasetId: w.datasetId, event: 'round.closed', payload: { dataset: 'hints', version: 'v1', round: { id: String(i), title: `r${i}`, stage: 'validation' } } })
			})
		return { ...w, hook, emit }
	}

	test("a delivery that fell due within the claim's millisecond is due (the database keeps microseconds)", async () => {
		const w = await oneHook()
		await w.emit()
		const t0 = new Date()
		await db
			.update(webhookDeliveries)
			.set({ nextAttemptAt: sql`${t0.toISOString()}::timestamptz + interval '500 microseconds'` })
			.where(eq(webhookDeliveries.webhookId, w.hook.id))
		expect(await deliverDueWebhooks({ now: t0 })).toEqual({ delivered: 1, retry: 0, failed: 0 })
		expect(receiver.hits).toHaveLength(1)
	})

	test('a 500 is retried later with the same webhook-id; the log keeps the last status and the first 2 KB of the body', async () => {
		const w = await oneHook()
		await w.emit()
		receiver.reply = () => ({ status: 500, body: 'x'.repeat(5000) })
		const t0 = new Date()
		expect(await deliverDueWebhooks({ now: t0 })).toEqual({ delivered: 0, retry: 1, failed: 0 })
		let [row] = await queued(w.hook.id)
		expect(row).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, lastError: 'HTTP 500' })
		expect(row!.lastResponse).toBe('x'.repeat(2048))
		const wait = row!.nextAttemptAt.getTime() - t0.getTime()
		expect(wait).toBeGreaterThanOrEqual(60_000)
		expect(wait).toBeLessThanOrEqual(66_000)
		// Not due yet: the next pass leaves it alone.
		expect(await deliverDueWebhooks({ now: new Date(t0.getTime() + 30_000) })).toEqual({ delivered: 0, retry: 0, failed: 0 })

		receiver.reply = () => ({ status: 503, body: 'busy' })
		const t1 = new Date(t0.getTime() + 70_000)
		expect(await deliverDueWebhooks({ now: t1 })).toEqual({ delivered: 0, retry: 1, failed: 0 })
		;[row] = await queued(w.hook.id)
		expect(row).toMatchObject({ status: 'pending', attempts: 2, lastStatus: 503, lastResponse: 'busy' })
		expect(row!.nextAttemptAt.getTime() - t1.getTime()).toBeGreaterThanOrEqual(300_000)

		receiver.reply = () => ({ status: 204 })
		expect(await deliverDueWebhooks({ now: new Date(t1.getTime() + 400_000) })).toEqual({ delivered: 1, retry: 0, failed: 0 })
		;[row] = await queued(w.hook.id)
		expect(row).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 204, lastResponse: '', lastError: null })
		expect(receiver.hits).toHaveLength(3)
		expect(new Set(receiver.hits.map((h) => h.headers['webhook-id'])).size).toBe(1)
		expect(new Set(receiver.hits.map((h) => h.body)).size).toBe(1)
		for (const hit of receiver.hits) checkSignature(hit, w.hook.secret)
	})

	test('after the sixth failed attempt the delivery is failed; an unreachable receiver is logged as an error', async () => {
		const w = await oneHook()
		await db.update(webhooks).set({ url: 'http://127.0.0.1:9/unreachable' }).where(eq(webhooks.id, w.hook.id))
		await w.emit()
		let now = new Date()
		const waits: number[] = []
		for (let i = 0; i < 6; i++) {
			await deliverDueWebhooks({ now })
			const [row] = await queued(w.hook.id)
			expect(row).toMatchObject({ attempts: i + 1, lastStatus: null })
			expect(row!.lastError).toMatch(/ECONNREFUSED/)
			if (i < 5) {
				expect(row!.status).toBe('pending')
				waits.push(Math.round((row!.nextAttemptAt.getTime() - now.getTime()) / 60_000))
				now = new Date(row!.nextAttemptAt.getTime() + 1)
			} else expect(row!.status).toBe('failed')
		}
		expect(waits.map((m, i) => m >= [1, 5, 30, 120, 360][i]! && m <= [1, 5, 30, 120, 360][i]! * 1.1 + 1)).toEqual([true, true, true, true, true])
		expect(await deliverDueWebhooks({ now: new Date(now.getTime() + 86_400_000) })).toEqual({ delivered: 0, retry: 0, failed: 0 })
	})

	test('410 Gone fails the delivery and disables the endpoint (recorded in the audit log)', async () => {
		const w = await oneHook()
		await w.emit(2)
		receiver.reply = () => ({ status: 410, body: 'gone' })
		const outcome = await deliverDueWebhooks({ batchSize: 1 })
		expect(outcome.delivered).toBe(0)
		const [hook] = await db.select().from(webhooks).where(eq(webhooks.id, w.hook.id))
		expect(hook!.disabledAt).not.toBeNull()
		expect((await queued(w.hook.id)).map((r) => r.status)).toEqual(['failed', 'failed'])
		expect(receiver.hits).toHaveLength(1)
		const [entry] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'webhook.disabled'))
		expect(entry).toMatchObject({ actorId: null, targetType: 'webhook', reason: 'HTTP 410 Gone' })
	})

	test('concurrent passes never deliver the same message twice', async () => {
		const w = await oneHook()
		await w.emit(30)
		receiver.reply = () => ({ status: 200, body: 'ok', delayMs: 15 })
		const passes = await Promise.all([1, 2, 3].map(() => deliverDueWebhooks({ batchSize: 4, maxBatches: 20 })))
		expect(passes.reduce((n, p) => n + p.delivered, 0)).toBe(30)
		const ids = receiver.hits.map((h) => String(h.headers['webhook-id']))
		expect(ids).toHaveLength(30)
		expect(new Set(ids).size).toBe(30)
		expect((await queued(w.hook.id)).every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true)
	})
})

describe('the webhooks page', () => {
	test('the team adds a webhook (secret shown once), lists it with its log, disables and deletes it; all audited', async () => {
		const w = await world(1)
		const call = (fields: Record<string, string>) => run(webhooksAction, formRequest('/w', fields, { cookie: w.owner }), {}, { slug: P.slug })
		const form = (url: string, events: string[]) => {
			const body = new URLSearchParams({ intent: 'create', url })
			for (const e of events) body.append('events', e)
			const req = formRequest('/w', {}, { cookie: w.owner })
			return run(webhooksAction, new Request(req.url, { method: 'POST', headers: req.headers, body }), {}, { slug: P.slug })
		}
		const refused = await form('http://example.org/hook', ['issue.created'])
		expect(refused.status).toBe(400)
		expect(JSON.stringify(refused.data)).toContain('webhooks:errors.httpsOnly')
		expect((await form('ftp://example.org/hook', ['issue.created'])).status).toBe(400)
		expect(JSON.stringify((await form(`${receiver.base}/ok`, [])).data)).toContain('webhooks:errors.noEvents')

		const created = await form(`${receiver.base}/ok?key=s3cr3t`, ['issue.created', 'round.closed'])
		expect(created.status).toBe(200)
		expect(created.headers.get('Cache-Control')).toBe('no-store')
		const secret = (created.data as { created: { secret: string } }).created.secret
		expect(secret).toMatch(/^whsec_/)

		const page = await run(webhooksLoader, getRequest('/datasets/hints/webhooks', { cookie: w.owner }), {}, { slug: P.slug })
		expect(page.status).toBe(200)
		const data = page.data as { webhooks: Array<{ id: string; url: string; events: string[]; disabledAt: string | null; deliveries: unknown[] }> }
		expect(data.webhooks).toMatchObject([{ url: `${receiver.base}/ok?key=s3cr3t`, events: ['issue.created', 'round.closed'], disabledAt: null, deliveries: [] }])
		expect(JSON.stringify(page.data)).not.toContain(secret)
		const id = data.webhooks[0]!.id

		// Another person's dataset: not found; not a member at all: not found either.
		const stranger = await account('stranger')
		expect((await run(webhooksLoader, getRequest('/datasets/hints/webhooks', { cookie: stranger }), {}, { slug: P.slug })).status).toBe(404)
		expect((await run(webhooksAction, formRequest('/w', { intent: 'delete', webhookId: id }, { cookie: stranger }), {}, { slug: P.slug })).status).toBe(404)

		expect((await call({ intent: 'disable', webhookId: id })).status).toBe(200)
		expect((await call({ intent: 'disable', webhookId: id })).status).toBe(404)
		expect((await call({ intent: 'delete', webhookId: id })).status).toBe(200)
		expect((await call({ intent: 'delete', webhookId: id })).status).toBe(404)
		expect((await call({ intent: 'rename' })).status).toBe(400)

		const log = await db
			.select({ action: auditEvents.action, label: auditEvents.targetLabel, after: auditEvents.after, before: auditEvents.before })
			.from(auditEvents)
			.where(eq(auditEvents.targetType, 'webhook'))
			.orderBy(asc(auditEvents.createdAt))
		expect(log.map((l) => l.action)).toEqual(['webhook.created', 'webhook.disabled', 'webhook.deleted'])
		// The query string (which may carry a receiver's token) stays out of the audit log.
		expect(JSON.stringify(log)).not.toContain('s3cr3t')
		expect(log[0]).toMatchObject({ label: `${receiver.base}/ok`, after: { url: `${receiver.base}/ok`, events: ['issue.created', 'round.closed'] } })
	})

	test('the page shows deliveries, newest first, with status, attempts and a response excerpt', async () => {
		const w = await setup(['version.status_changed', 'round.closed'])
		await setRoundStatus(w.owner, w.roundId, 'open')
		await setRoundStatus(w.owner, w.roundId, 'close')
		receiver.reply = (hit) => (hit.body.includes('round.closed') ? { status: 500, body: '<h1>oops</h1>' } : { status: 200, body: 'fine' })
		await deliverDueWebhooks()
		const page = await run(webhooksLoader, getRequest('/datasets/hints/webhooks', { cookie: w.owner }), {}, { slug: P.slug })
		const hook = (page.data as { webhooks: Array<{ id: string; deliveries: Array<Record<string, unknown>> }> }).webhooks.find((h) => h.id === w.hook.id)!
		expect(hook.deliveries.map((d) => [d.event, d.status, d.attempts, d.lastStatus, d.excerpt, d.nextAttemptAt === null])).toEqual([
			['round.closed', 'pending', 1, 500, '<h1>oops</h1>', false],
			['version.status_changed', 'delivered', 1, 200, 'fine', true],
		])
	})
})

describe('private networks (WEBHOOK_ALLOW_PRIVATE_NETWORKS off, the default)', () => {
	beforeEach(() => allowPrivateNetworks(false))

	/** A webhook to `url` with one message queued. Stored directly: the form would refuse these URLs. */
	async function queuedTo(url: string) {
		const w = await world(1)
		const hook = await createWebhook({ datasetId: w.datasetId, actorId: await userIdOf('owner'), url, events: ['round.closed'] })
		await db.transaction((tx) => enqueueEvent(tx, { datasetId: w.datasetId, event: 'round.closed', payload: { dataset: 'hints', version: 'v1', round: { id: 'r', title: 'r', stage: 'validation' } } }))
		return { ...w, hook }
	}

	test('a webhook to http://127.0.0.1 is not delivered: the receiver gets nothing, the log says why, and it is retried like a network error', async () => {
		const w = await queuedTo(`${receiver.base}/loopback`)
		const t0 = new Date()
		expect(await deliverDueWebhooks({ now: t0 })).toEqual({ delivered: 0, retry: 1, failed: 0 })
		expect(receiver.hits).toEqual([])
		const [row] = await queued(w.hook.id)
		expect(row).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null, lastResponse: null, lastError: 'address 127.0.0.1 is not public' })
		// The team sees the refusal on the webhook's page.
		const page = await run(webhooksLoader, getRequest('/datasets/hints/webhooks', { cookie: w.owner }), {}, { slug: P.slug })
		const shown = (page.data as { webhooks: Array<{ deliveries: Array<{ excerpt: string }> }> }).webhooks[0]!.deliveries
		expect(shown.map((d) => d.excerpt)).toEqual(['address 127.0.0.1 is not public'])

		// The same message, once a self-hosted server allows private networks, arrives (the receiver was reachable all along).
		allowPrivateNetworks(true)
		expect(await deliverDueWebhooks({ now: new Date(row!.nextAttemptAt.getTime() + 1) })).toEqual({ delivered: 1, retry: 0, failed: 0 })
		expect(receiver.hits.map((h) => h.path)).toEqual(['/loopback'])
	})

	test('a name that resolves to loopback (localhost) is refused when connecting, after it is resolved', async () => {
		const w = await queuedTo(`${receiver.base.replace('127.0.0.1', 'localhost')}/by-name`)
		expect(await deliverDueWebhooks()).toEqual({ delivered: 0, retry: 1, failed: 0 })
		expect(receiver.hits).toEqual([])
		const [row] = await queued(w.hook.id)
		expect(row!.lastError).toMatch(/^address (127\.0\.0\.1|::1) is not public \(localhost\)$/)

		allowPrivateNetworks(true)
		expect(await deliverDueWebhooks({ now: new Date(row!.nextAttemptAt.getTime() + 1) })).toEqual({ delivered: 1, retry: 0, failed: 0 })
		expect(receiver.hits.map((h) => h.path)).toEqual(['/by-name'])
	})

	test('private, link-local and metadata literals over https are refused before any connection, in any spelling', async () => {
		const cases: Array<[string, string]> = [
			['https://10.0.0.5/hook', 'address 10.0.0.5 is not public'],
			['https://169.254.169.254/latest/meta-data/', 'address 169.254.169.254 is not public'],
			['https://[::ffff:169.254.169.254]/', 'address ::ffff:a9fe:a9fe is not public'],
			['https://0x7f.1:8443/', 'address 127.0.0.1 is not public'],
			['https://[fd00::1]/', 'address fd00::1 is not public'],
		]
		const w = await world(1)
		const ownerId = await userIdOf('owner')
		const hooks = await Promise.all(cases.map(([url]) => createWebhook({ datasetId: w.datasetId, actorId: ownerId, url, events: ['round.closed'] })))
		await db.transaction((tx) => enqueueEvent(tx, { datasetId: w.datasetId, event: 'round.closed', payload: { dataset: 'hints', version: 'v1', round: { id: 'r', title: 'r', stage: 'validation' } } }))
		const started = Date.now()
		expect(await deliverDueWebhooks()).toEqual({ delivered: 0, retry: cases.length, failed: 0 })
		// Refused at once: no connection attempt waits for the 10 s timeout.
		expect(Date.now() - started).toBeLessThan(3000)
		for (const [i, [url, error]] of cases.entries()) expect((await queued(hooks[i]!.id))[0]!.lastError, url).toBe(error)
	})

	test('a name is refused if any of its addresses is not public; otherwise the socket gets exactly the checked addresses', async () => {
		// why: a stand-in for dns.lookup (a third-party boundary) so the answers are the test's to choose.
		const answers: Record<string, Array<{ address: string; family: number }>> = {
			'public.test': [
				{ address: '93.184.216.34', family: 4 },
				{ address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
			],
			'mixed.test': [
				{ address: '93.184.216.34', family: 4 },
				{ address: '10.0.0.5', family: 4 },
			],
			'mapped.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
			'metadata.test': [{ address: '169.254.169.254', family: 4 }],
		}
		const lookup = publicOnlyLookup((hostname, _options, callback) => {
			const found = answers[hostname]
			if (found) callback(null, found)
			else callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), [])
		})
		const ask = (hostname: string, all: boolean) =>
			new Promise<{ error: string | null; address: unknown; family?: number }>((resolve) =>
				lookup(hostname, { all }, (error, address, family) => resolve({ error: error?.message ?? null, address, family })),
			)
		expect(await ask('public.test', true)).toEqual({ error: null, address: answers['public.test'], family: undefined })
		expect(await ask('public.test', false)).toEqual({ error: null, address: '93.184.216.34', family: 4 })
		expect((await ask('mixed.test', true)).error).toBe('address 10.0.0.5 is not public (mixed.test)')
		expect((await ask('mixed.test', false)).error).toBe('address 10.0.0.5 is not public (mixed.test)')
		expect((await ask('mapped.test', true)).error).toBe('address ::ffff:127.0.0.1 is not public (mapped.test)')
		expect((await ask('metadata.test', false)).error).toBe('address 169.254.169.254 is not public (metadata.test)')
		expect((await ask('nowhere.test', true)).error).toBe('getaddrinfo ENOTFOUND nowhere.test')
	})

	test('the form refuses private and loopback addresses, with the policy it also gives the page', async () => {
		const w = await world(1)
		const form = (url: string) => run(webhooksAction, formRequest('/w', { intent: 'create', url, events: 'issue.created' }, { cookie: w.owner }), {}, { slug: P.slug })
		for (const url of [`${receiver.base}/ok`, 'http://localhost:4000/h', 'https://10.0.0.5/h', 'https://[::1]/h', 'https://169.254.169.254/']) {
			const refused = await form(url)
			expect(refused.status, url).toBe(400)
			expect(JSON.stringify(refused.data), url).toContain('webhooks:errors.privateAddress')
		}
		expect((await form('https://hooks.example.org/h')).status).toBe(200)
		const page = await run(webhooksLoader, getRequest('/datasets/hints/webhooks', { cookie: w.owner }), {}, { slug: P.slug })
		expect((page.data as { urlPolicy: unknown }).urlPolicy).toEqual({ allowPrivateNetworks: false })

		allowPrivateNetworks(true)
		expect((await form(`${receiver.base}/ok`)).status).toBe(200)
		const open = await run(webhooksLoader, getRequest('/datasets/hints/webhooks', { cookie: w.owner }), {}, { slug: P.slug })
		expect((open.data as { urlPolicy: unknown }).urlPolicy).toEqual({ allowPrivateNetworks: true })
	})
})
