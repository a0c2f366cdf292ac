/**
 * `npm run bench:review` — the review loop under load, on PostgreSQL, against the built app.
 * A version of SAMPLES samples (default 1,000,000) is imported; a round picks ROUND_SAMPLES of
 * them at random; REVIEWERS people sign in for real (argon2 and all) and each gets a queue.
 * The server runs as in production (`node build/server.js`, WORKERS processes: WEB_CONCURRENCY).
 * Then, side by side in this run (the no-JavaScript loop, then the JavaScript path of the focus view's local queue):
 *  1. open loop: N concurrent reviewers, each loading the focus view, posting a verdict and
 *     thinking 3 s, for N in steps; the largest N whose p99 stays under 100 ms is reported;
 *  2. closed loop, no think time: the review loop's requests/s beside a minimal page of the same
 *     app (the anonymous home page: root loader + render = the framework floor);
 *  3. the JavaScript path (decision 051): what a browser with the local queue sends per verdict,
 *     `POST /rounds/:id/review-sync` with the verdict (and its idempotency key) and a refill of one
 *     sample, in an open loop (--js-steps, default 500,1000) and a closed loop beside the floor.
 * The load generator shares the machine, so it is kept cheap: plain node:http on keep-alive
 * connections (one per reviewer, as a browser holds one), bodies read and dropped.
 * Afterwards the same on PGlite (the embedded database, inside the app's one process), smaller,
 * in a child process of its own (bench/pglite-pass.ts); no target is judged on it.
 * Writes bench/.out/review.json (raw figures) and bench/.out/review.md (its docs/benchmarks.md section).
 * Flags: --samples N --round-samples N --reviewers N --steps 100,300,500,700 --step-seconds 20
 *        --workers N (default: one per CPU) --cpu-prof (profiles into bench/.out/prof) --keep
 *        PGlite pass: --pglite 0 (skip it) --pglite-samples 100000 --pglite-round-samples 20000
 *        --pglite-reviewers 300 --pglite-steps 50,100,200,300 --pglite-step-seconds 15
 *        (--engine pglite: the PGlite pass alone, sized by --samples, --round-samples, … as above;
 *        it prints its figures and writes no section)
 */
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { type Engine, pgliteMissingSection, pgliteVersion, runPglitePass, serverDatabaseEnv, usePgliteDataDir } from './pglite-pass.ts'
import { perRequest, startCpuCount } from './proc-cpu.ts'
import { scratchDatabase } from './scratch-db.ts'
import { emptyProvenance } from '#tests/version-fixtures.ts'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => {
	const i = args.indexOf(`--${name}`)
	return i >= 0 ? args[i + 1]! : fallback
}
const SAMPLES = Number(arg('samples', '1000000'))
// Enough for every loop of the run (the JavaScript path alone records ~40,000 verdicts), so no queue runs dry mid-measurement.
const ROUND_SAMPLES = Number(arg('round-samples', '150000'))
const REVIEWERS = Number(arg('reviewers', '1000'))
const STEPS = arg('steps', '100,300,500,700').split(',').map(Number)
const JS_STEPS = arg('js-steps', '500,1000').split(',').map(Number)
const STEP_SECONDS = Number(arg('step-seconds', '20'))
const THINK_MS = Number(arg('think-ms', '3000'))
const ENGINE = arg('engine', 'postgres') as Engine
// PGlite is opened by one process only: the server runs as one (WEB_CONCURRENCY=1).
const WORKERS = ENGINE === 'pglite' ? 1 : Number(arg('workers', String(os.availableParallelism())))
const CHILD_OUT = arg('child-out', '')
const PGLITE = arg('pglite', '1') !== '0'
/** The PGlite pass's sizes (`--pglite-<name>`): about 2½ minutes on 2 cores. */
const PGLITE_DEFAULTS: Record<string, string> = { samples: '100000', 'round-samples': '40000', reviewers: '300', steps: '50,100,200,300', 'step-seconds': '15' }
const CLOSED_CONNECTIONS = 16
const CLOSED_SECONDS = 10
const TARGET_REVIEWERS = 500
const TARGET_P99_MS = 100
const TARGET_RATIO = 0.7
const JS_TARGET_REVIEWERS = 1000
const JS_TARGET_RATIO = 2
const JS_TARGET_CPU_MS = 1.5
/** Issue #27: what keeping the dashboard's figures may add to a verdict's database CPU. */
const MARK_TARGET_DB_MS = 0.3
/** The triggers that mark a unit for the insights job (migration 0021). */
const MARK_TRIGGERS = [
	['reviews', 'reviews_insight_added'],
	['reviews', 'reviews_insight_changed'],
	['reviews', 'reviews_insight_gone'],
	['flags', 'flags_insight_added'],
	['flags', 'flags_insight_changed'],
	['flags', 'flags_insight_gone'],
] as const
const PORT = 3290
const BASE = `http://127.0.0.1:${PORT}`

// PostgreSQL: a scratch database; PGlite: a data folder in a temp dir (removed at exit).
const scratch = ENGINE === 'postgres' ? scratchDatabase(`rt_bench_review_${Date.now()}`) : null
const pgliteDir = scratch ? null : usePgliteDataDir('review')
const dbName = scratch?.name ?? pgliteDir!.dir
let pgVersion = ''
if (scratch) {
	await scratch.create()
	pgVersion = ((await scratch.admin`show server_version`)[0]!.server_version as string).split(' ')[0]!
	process.env.DATABASE_URL = scratch.url
}
const engineName = scratch ? `PostgreSQL ${pgVersion}` : pgliteVersion()
process.env.NODE_ENV = 'production'
// Production requires the public origin (decision 024); the server it starts inherits it.
process.env.APP_URL ??= `http://127.0.0.1:${PORT}`

const { migrate, db, closeDb, query } = await import('#app/utils/db.server.ts')
const { hashPassword } = await import('#app/utils/password.server.ts')
const { createDataset } = await import('#app/models/dataset.server.ts')
const { createVersion } = await import('#app/models/version.server.ts')
const { runImport } = await import('#app/models/import.server.ts')
const { createRound, changeRoundStatus, rebalanceRound } = await import('#app/models/round.server.ts')
const { users } = await import('#db/schema/accounts.ts')
const { refreshInsightFigures } = await import('#app/models/insight-upkeep.server.ts')
const { participants } = await import('#db/schema/rounds.ts')

console.log(`${engineName}, database ${dbName}: importing ${SAMPLES.toLocaleString()} samples…`)
const setUpStarted = performance.now()
await migrate()
const password = 'bench passphrase 2026'
const hash = await hashPassword(password)
const [owner] = await db.insert(users).values({ email: 'owner@bench.test', displayName: 'Owner', passwordHash: hash }).returning({ id: users.id })
const dataset = (await createDataset({ slug: 'bench', name: 'Bench', description: '', ownerId: owner!.id }))!
const version = (
	await createVersion({
		datasetId: dataset.id,
		label: 'v1',
		parentLabel: null,
		userId: owner!.id,
		...emptyProvenance,
		generationMethod: 'persona_simulation',
	})
).version!
const origins = ['Oaxaca', 'Lagos', 'Amman', 'Bogotá', 'Lucknow', 'Dakar']
async function* file() {
	const enc = new TextEncoder()
	for (let start = 0; start < SAMPLES; start += 5000) {
		let chunk = ''
		for (let i = start; i < Math.min(SAMPLES, start + 5000); i++) {
			chunk +=
				JSON.stringify({
					id: `s-${String(i).padStart(8, '0')}`,
					content: `Dear team, sample ${i} written as a persona from ${origins[i % 6]} about the quarterly schedule and the new badge system.`,
					language: 'en',
					metadata: { persona: { origin: origins[i % 6], age: 20 + (i % 50) } },
				}) + '\n'
		}
		yield enc.encode(chunk)
	}
}
const imported = await runImport({ versionId: version.id, format: 'jsonl', filename: 'bench.jsonl', userId: owner!.id, source: file() })
if (imported.status !== 'succeeded') throw new Error('import failed')
const [imp] = await query<{ id: string }>(sql`select current_import_id as id from versions where id = ${version.id}`)
// The jobs the import queued (the version's caricature signals, its similar-samples index) run here,
// before the server starts: a deployment runs them once after an import, and the server's scheduler
// would otherwise run them in the first worker during the measurements (about two minutes of CPU at
// 1,000,000 samples: docs/benchmarks.md, "Caricature signals", "Similar samples").
{
	const { computePendingSignals } = await import('#app/jobs/signals.server.ts')
	const { buildPendingSimilarity } = await import('#app/jobs/similar.server.ts')
	const started = performance.now()
	await computePendingSignals()
	await buildPendingSimilarity()
	console.log(`  the import's jobs (signals, similar-samples index) done in ${((performance.now() - started) / 1000).toFixed(0)} s, before the server starts`)
}
const round = await createRound({
	versionId: version.id,
	importId: imp!.id,
	userId: owner!.id,
	selection: { mode: 'random', n: ROUND_SAMPLES, seed: 7 },
	settings: { stage: 'validation', title: 'Bench round', guidelines: '', opensAt: null, closesAt: null, overlap: 1, blindReview: true, blockThreshold: 2, opposedBlocks: true, contentWarning: '' },
})
if (!('roundId' in round)) throw new Error('round failed')
const roundId = round.roundId
const reviewerRows = Array.from({ length: REVIEWERS }, (_, i) => ({ email: `r${i}@bench.test`, displayName: `R${i}`, passwordHash: hash }))
const created = await db.insert(users).values(reviewerRows).returning({ id: users.id })
await db.insert(participants).values(created.map((u, i) => ({ roundId: roundId, userId: u.id, role: 'community' as const, number: i + 1, consentedAt: new Date() })))
await changeRoundStatus({ roundId: roundId, action: 'open', revision: 1, actorId: owner!.id })
await rebalanceRound(roundId)
// PGlite: the data folder is closed here, before the server opens it.
await closeDb()
// The import leaves ~1 GB of dirty buffers: write them out now, so no checkpoint of the set-up
// runs during the measurements (each benchmark starts from a quiet disk).
if (scratch) await scratch.admin`checkpoint`
console.log(`  set up in ${((performance.now() - setUpStarted) / 1000).toFixed(0)} s`)

console.log(`Starting the built app (${WORKERS} worker${WORKERS === 1 ? '' : 's'})…`)
const profDir = path.resolve('bench/.out/prof')
const server = spawn(process.execPath, [...(args.includes('--cpu-prof') ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), 'build/server.js'], {
	env: {
		...process.env,
		...serverDatabaseEnv(ENGINE, { url: scratch?.url, dataDir: pgliteDir?.dir }),
		PORT: String(PORT),
		HOST: '127.0.0.1',
		NODE_ENV: 'production',
		SEED_DEMO: 'false',
		COOKIE_SECURE: 'false',
		SIGNIN_LIMIT_PER_IP: '1000000',
		WEB_CONCURRENCY: String(WORKERS),
		// About 20 connections in all, shared out between the workers.
		DATABASE_POOL_SIZE: String(Math.max(4, Math.ceil(20 / WORKERS))),
		// The insights job's passes are measured on their own, below, not inside the loops.
		INSIGHTS_REFRESH_SECONDS: '86400',
	},
	stdio: ['ignore', 'ignore', 'inherit'],
})
// Should this process fail, the server does not outlive it (nor keep the PGlite folder open).
const stopServer = () => server.kill('SIGKILL')
process.once('exit', stopServer)
for (let i = 0; i < 150; i++) {
	if (
		await fetch(`${BASE}/healthz`)
			.then((r) => r.ok)
			.catch(() => false)
	)
		break
	await new Promise((r) => setTimeout(r, 200))
}
// The other workers start once the first listens; let them.
await new Promise((r) => setTimeout(r, 2000))

type Reply = { status: number; location: string | null; setCookie: string[] }
/** One HTTP request on `agent`'s keep-alive connection; resolves once the whole body has arrived. */
function request(agent: http.Agent, method: 'GET' | 'POST', pathname: string, given: Record<string, string>, body?: string): Promise<Reply> {
	// As a browser asks: the server compresses as it would for one (the body is counted, not decoded).
	const headers = { 'Accept-Encoding': 'gzip, deflate, br', ...given }
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ host: '127.0.0.1', port: PORT, method, path: pathname, agent, headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } },
			(res) => {
				res.on('data', () => {})
				res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null, setCookie: res.headers['set-cookie'] ?? [] }))
				res.on('error', reject)
			},
		)
		req.on('error', reject)
		req.end(body)
	})
}
const connection = () => new http.Agent({ keepAlive: true, maxSockets: 1 })
const form = { Origin: BASE, 'Content-Type': 'application/x-www-form-urlencoded' }

const signInAgent = new http.Agent({ keepAlive: true, maxSockets: 8 })
async function signIn(i: number): Promise<string> {
	const res = await request(signInAgent, 'POST', '/signin', form, new URLSearchParams({ email: `r${i}@bench.test`, password }).toString())
	const cookie = res.setCookie.map((c) => c.split(';')[0]).join('; ')
	if (!cookie) throw new Error(`sign-in ${i} failed: ${res.status}`)
	return cookie
}
console.log(`Signing in ${REVIEWERS} reviewers…`)
const signInStarted = performance.now()
const cookies: string[] = []
for (let i = 0; i < REVIEWERS; i += 8) cookies.push(...(await Promise.all(Array.from({ length: Math.min(8, REVIEWERS - i) }, (_, j) => signIn(i + j)))))
signInAgent.destroy()
console.log(`  signed in in ${((performance.now() - signInStarted) / 1000).toFixed(0)} s`)

const reviewStart = `/rounds/${roundId}/review`
type Sample = { ms: number; ok: boolean }
/** A reviewer: their session and where they are in their queue (null: queue done). */
type Reviewer = { cookie: string; path: string | null }
const reviewers: Reviewer[] = cookies.map((cookie) => ({ cookie, path: reviewStart }))

/** One review: load the current sample's focus view, post "no concerns"; returns both latencies. */
async function reviewOnce(agent: http.Agent, reviewer: Reviewer): Promise<Sample[]> {
	const t0 = performance.now()
	const page = await request(agent, 'GET', reviewer.path!, { Cookie: reviewer.cookie })
	const t1 = performance.now()
	if (page.status === 302) {
		reviewer.path = page.location
		return [{ ms: t1 - t0, ok: true }]
	}
	// The start page answers 200 only when the whole queue is done.
	if (reviewer.path === reviewStart) {
		reviewer.path = null
		return [{ ms: t1 - t0, ok: page.status === 200 }]
	}
	const post = await request(agent, 'POST', reviewer.path!, { ...form, Cookie: reviewer.cookie }, 'intent=no_concerns')
	const t2 = performance.now()
	reviewer.path = post.location ?? reviewStart
	return [
		{ ms: t1 - t0, ok: page.status === 200 },
		{ ms: t2 - t1, ok: post.status === 302 },
	]
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

async function openLoop(users: number) {
	const results: Sample[] = []
	const stopAt = performance.now() + STEP_SECONDS * 1000
	await Promise.all(
		Array.from({ length: users }, async (_, u) => {
			const reviewer = reviewers[u]!
			const agent = connection()
			// Stagger the start over one think time, like people arriving.
			await new Promise((r) => setTimeout(r, Math.random() * THINK_MS))
			while (performance.now() < stopAt && reviewer.path) {
				results.push(...(await reviewOnce(agent, reviewer).catch(() => [{ ms: 0, ok: false }])))
				await new Promise((r) => setTimeout(r, THINK_MS))
			}
			agent.destroy()
		}),
	)
	const ms = results
		.filter((r) => r.ok)
		.map((r) => r.ms)
		.sort((a, b) => a - b)
	return { users, requests: results.length, errors: results.filter((r) => !r.ok).length, p50: pct(ms, 50), p95: pct(ms, 95), p99: pct(ms, 99) }
}

/** 16 connections, no think time; each review by the next reviewer in turn, so no queue runs dry. */
async function closedLoop(kind: 'review' | 'floor', seconds = CLOSED_SECONDS) {
	let count = 0
	let errors = 0
	let turn = 0
	// On PGlite the database runs inside the app's process: its CPU is in appMs, dbMs stays 0.
	const counting = startCpuCount(server.pid!, scratch ? await scratch.backendPids() : [])
	const stopAt = performance.now() + seconds * 1000
	await Promise.all(
		Array.from({ length: CLOSED_CONNECTIONS }, async () => {
			const agent = connection()
			while (performance.now() < stopAt) {
				if (kind === 'floor') {
					const res = await request(agent, 'GET', '/', {})
					count++
					if (res.status !== 200) errors++
					continue
				}
				const reviewer = reviewers[REVIEWERS - 1 - (turn++ % REVIEWERS)]!
				if (!reviewer.path) {
					if (reviewers.every((r) => !r.path)) {
						ranDry = true
						break
					}
					continue
				}
				for (const r of await reviewOnce(agent, reviewer)) {
					count++
					if (!r.ok) errors++
				}
			}
			agent.destroy()
		}),
	)
	return { rps: count / seconds, errors, cpu: perRequest(counting.stop(), count) }
}

/** One request whose answer is read whole (the JavaScript path reads the refill). */
function requestText(agent: http.Agent, pathname: string, given: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
	return new Promise((resolve, reject) => {
		const req = http.request({ host: '127.0.0.1', port: PORT, method: 'POST', path: pathname, agent, headers: { ...given, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
			const chunks: Buffer[] = []
			res.on('data', (c: Buffer) => chunks.push(c))
			res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
			res.on('error', reject)
		})
		req.on('error', reject)
		req.end(body)
	})
}

/** A reviewer with JavaScript: the samples their page holds (the local queue), in order. */
type JsReviewer = { cookie: string; loaded: { externalId: string; position: number }[]; done: boolean }
const jsReviewers: JsReviewer[] = cookies.map((cookie) => ({ cookie, loaded: [], done: false }))
const syncPath = `/rounds/${roundId}/review-sync`
/** The same exchange through Remix's resource route: the server's door (decision 058) takes only the exact path, so another spelling of the round id goes on to Remix. */
const syncPathRemix = `/rounds/${roundId.toUpperCase()}/review-sync`
/** Set when a closed loop stopped early because every queue was used up: its figures would be too low. */
let ranDry = false
const json = { Origin: BASE, 'Content-Type': 'application/json' }
let keys = 0

/** What the page sends for one verdict: the verdict with its key, and a refill of what it used (5 when the page opens). */
async function verdictJs(agent: http.Agent, reviewer: JsReviewer, pathname = syncPath): Promise<Sample> {
	const v = reviewer.loaded.shift()
	const body = {
		verdicts: v ? [{ key: `bench-${process.pid}-${keys++}`, externalId: v.externalId, intent: 'no_concerns', fields: {} }] : [],
		have: reviewer.loaded.map((x) => x.externalId),
		want: v ? 1 : 5,
		after: reviewer.loaded.at(-1)?.position ?? v?.position ?? -1,
	}
	const t0 = performance.now()
	const res = await requestText(agent, pathname, { ...json, Cookie: reviewer.cookie }, JSON.stringify(body))
	const ms = performance.now() - t0
	if (res.status !== 200) return { ms, ok: false }
	const answer = JSON.parse(res.text) as { results: { status: string }[]; queue: { externalId: string; position: number }[] }
	reviewer.loaded.push(...answer.queue)
	if (!reviewer.loaded.length) reviewer.done = true
	return { ms, ok: answer.results.every((r) => r.status === 'recorded') }
}

async function openLoopJs(users: number) {
	const results: Sample[] = []
	const stopAt = performance.now() + STEP_SECONDS * 1000
	await Promise.all(
		Array.from({ length: users }, async (_, u) => {
			const reviewer = jsReviewers[u]!
			const agent = connection()
			await new Promise((r) => setTimeout(r, Math.random() * THINK_MS))
			while (performance.now() < stopAt && !reviewer.done) {
				results.push(await verdictJs(agent, reviewer).catch(() => ({ ms: 0, ok: false })))
				await new Promise((r) => setTimeout(r, THINK_MS))
			}
			agent.destroy()
		}),
	)
	const ms = results
		.filter((r) => r.ok)
		.map((r) => r.ms)
		.sort((a, b) => a - b)
	return { users, requests: results.length, errors: results.filter((r) => !r.ok).length, p50: pct(ms, 50), p95: pct(ms, 95), p99: pct(ms, 99) }
}

async function closedLoopJs(seconds = CLOSED_SECONDS, pathname = syncPath) {
	let count = 0
	let errors = 0
	let turn = 0
	const counting = startCpuCount(server.pid!, scratch ? await scratch.backendPids() : [])
	const stopAt = performance.now() + seconds * 1000
	await Promise.all(
		Array.from({ length: CLOSED_CONNECTIONS }, async () => {
			const agent = connection()
			while (performance.now() < stopAt) {
				const reviewer = jsReviewers[turn++ % REVIEWERS]!
				if (reviewer.done) {
					// Every queue used up: stop (skipping without awaiting would spin and starve the event loop).
					if (jsReviewers.every((r) => r.done)) {
						ranDry = true
						break
					}
					continue
				}
				const r = await verdictJs(agent, reviewer, pathname)
				count++
				if (!r.ok) errors++
			}
			agent.destroy()
		}),
	)
	return { rps: count / seconds, errors, cpu: perRequest(counting.stop(), count) }
}

// Each page opens with its first samples loaded (not measured).
console.log("Loading the JavaScript reviewers' first samples…")
{
	const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
	for (let i = 0; i < REVIEWERS; i += 8) await Promise.all(jsReviewers.slice(i, i + 8).map((r) => verdictJs(agent, r)))
	agent.destroy()
}

// Warm-up (not measured): the JIT compiles the hot paths, the pools open their connections.
await closedLoop('floor', 2)
await closedLoop('review', 3)
await closedLoopJs(3)
await closedLoopJs(2, syncPathRemix)

console.log(`Open loop (think time ${THINK_MS / 1000} s, ${STEP_SECONDS} s per step):`)
const steps: Awaited<ReturnType<typeof openLoop>>[] = []
for (const n of STEPS.filter((s) => s <= REVIEWERS)) {
	const r = await openLoop(n)
	steps.push(r)
	console.log(`  ${String(n).padStart(4)} reviewers: ${r.requests} requests, ${r.errors} errors, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`)
}
console.log(`JavaScript path, open loop (one verdict with its refill per ${THINK_MS / 1000} s):`)
const jsSteps: Awaited<ReturnType<typeof openLoopJs>>[] = []
for (const n of JS_STEPS.filter((s) => s <= REVIEWERS)) {
	const r = await openLoopJs(n)
	jsSteps.push(r)
	console.log(`  ${String(n).padStart(4)} reviewers: ${r.requests} requests, ${r.errors} errors, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`)
}
const floor = await closedLoop('floor')
const loop = await closedLoop('review')
const js = await closedLoopJs()
// The same exchange through Remix's route, side by side: what answering it ahead of Remix saves (decision 058).
const jsRemix = await closedLoopJs(CLOSED_SECONDS, syncPathRemix)

/**
 * Issue #27 (decision 057): the same closed loop with the unit-marking triggers switched off, side
 * by side, for what marking adds to a verdict's database CPU; then the insights job's own pass over
 * the units the run marked, in this process (its database CPU and this process's), per unit.
 * PostgreSQL only: on PGlite the database is inside the app's process.
 */
let marks: { unmarked: Awaited<ReturnType<typeof closedLoopJs>>; addedDbMs: number; job: { units: number; seconds: number; appMs: number; dbMs: number } } | null = null
if (scratch) {
	const setTriggers = async (state: 'enable' | 'disable') => {
		for (const [table, trigger] of MARK_TRIGGERS) await query(sql.raw(`alter table ${table} ${state} trigger ${trigger}`))
	}
	await setTriggers('disable')
	const unmarked = await closedLoopJs().finally(() => setTriggers('enable'))
	const counting = startCpuCount(server.pid!, await scratch.backendPids())
	const started = performance.now()
	const { units } = await refreshInsightFigures()
	const seconds = (performance.now() - started) / 1000
	const split = perRequest(counting.stop(), Math.max(1, units))
	marks = { unmarked, addedDbMs: js.cpu.dbMs - unmarked.cpu.dbMs, job: { units, seconds, appMs: split.generatorMs, dbMs: split.dbMs } }
	console.log(
		`Insight marks (issue #27): database CPU per verdict ${js.cpu.dbMs} ms with them, ${unmarked.cpu.dbMs} ms without (${unmarked.rps.toFixed(0)} verdicts/s): ${marks.addedDbMs.toFixed(3)} ms added; ` +
			`the insights job then counted ${units} units in ${seconds.toFixed(1)} s (${split.generatorMs} ms app + ${split.dbMs} ms database per unit)`,
	)
}
const ratio = loop.rps / floor.rps
if (ranDry) console.warn('WARNING: a closed loop used up every queue before its time was over: raise --round-samples; its figures are too low.')
console.log(
	`JavaScript path through Remix's route: ${jsRemix.rps.toFixed(0)} verdicts/s (${jsRemix.errors} errors); CPU per verdict app ${jsRemix.cpu.appMs} / database ${jsRemix.cpu.dbMs} / load generator ${jsRemix.cpu.generatorMs} ms`,
)
const jsRatio = js.rps / floor.rps
const jsBest = jsSteps.filter((s) => s.p99 < TARGET_P99_MS && s.errors === 0).pop()
console.log(
	`JavaScript path, closed loop: ${js.rps.toFixed(0)} verdicts/s (${js.errors} errors), ratio to the floor ${jsRatio.toFixed(2)}; CPU per verdict app ${js.cpu.appMs} / database ${js.cpu.dbMs} / load generator ${js.cpu.generatorMs} ms`,
)
const best = steps.filter((s) => s.p99 < TARGET_P99_MS && s.errors === 0).pop()
console.log(`Closed loop: review loop ${loop.rps.toFixed(0)} req/s (${loop.errors} errors), minimal page ${floor.rps.toFixed(0)} req/s (${floor.errors} errors), ratio ${ratio.toFixed(2)}`)
console.log(
	`CPU per request (app / database / load generator): review loop ${loop.cpu.appMs} / ${loop.cpu.dbMs} / ${loop.cpu.generatorMs} ms, minimal page ${floor.cpu.appMs} / ${floor.cpu.dbMs} / ${floor.cpu.generatorMs} ms${scratch ? '' : ' (PGlite: the database is inside the app)'}`,
)
console.log(`Largest tested concurrency with p99 < ${TARGET_P99_MS} ms: ${best?.users ?? 'none'}`)

if (args.includes('--keep')) {
	console.log(`Kept running for inspection: ${BASE}${reviewStart}  cookie: ${cookies[0]}  db: ${dbName}`)
	await new Promise((r) => setTimeout(r, 120_000))
}
server.kill('SIGTERM')
await new Promise((r) => server.once('exit', r))
process.off('exit', stopServer)
if (scratch) {
	await scratch.drop()
	await scratch.admin.end()
}
pgliteDir?.remove()

const date = new Date().toISOString()
const result = {
	date,
	engine: engineName,
	machine: { cpus: os.cpus().length, node: process.version, ...(scratch ? { postgres: pgVersion } : {}) },
	samples: SAMPLES,
	roundSamples: ROUND_SAMPLES,
	reviewers: REVIEWERS,
	workers: WORKERS,
	thinkMs: THINK_MS,
	stepSeconds: STEP_SECONDS,
	openLoop: steps,
	closedLoop: {
		connections: CLOSED_CONNECTIONS,
		seconds: CLOSED_SECONDS,
		reviewRps: loop.rps,
		reviewErrors: loop.errors,
		floorRps: floor.rps,
		floorErrors: floor.errors,
		ratio,
		cpuPerRequestMs: { review: loop.cpu, floor: floor.cpu },
	},
	maxReviewersP99Under100: best?.users ?? 0,
	js: {
		openLoop: jsSteps,
		rps: js.rps,
		errors: js.errors,
		ratio: jsRatio,
		cpuPerVerdictMs: js.cpu,
		maxReviewersP99Under100: jsBest?.users ?? 0,
		throughRemix: { rps: jsRemix.rps, errors: jsRemix.errors, cpuPerVerdictMs: jsRemix.cpu },
	},
	ranDry,
	insightMarks: marks,
}
type Result = typeof result
if (CHILD_OUT) {
	writeFileSync(CHILD_OUT, JSON.stringify(result, null, 2))
	process.exit(0)
}
if (ENGINE === 'pglite') process.exit(0) // the PGlite pass alone (--engine pglite): the lines above are its report

// ---- PGlite, in a process of its own, smaller ----
const pglite = runPglitePass<Result>(PGLITE, fileURLToPath(import.meta.url), 'review', [
	...['samples', 'round-samples', 'reviewers', 'steps', 'step-seconds'].flatMap((name) => [`--${name}`, arg(`pglite-${name}`, PGLITE_DEFAULTS[name]!)]),
	...['--think-ms', String(THINK_MS)],
])

const out = path.resolve('bench/.out')
mkdirSync(out, { recursive: true })
writeFileSync(path.join(out, 'review.json'), JSON.stringify({ ...result, pglite: pglite.result }, null, 2))
writeFileSync(path.join(out, 'review.md'), markdown() + pgliteMarkdown(pglite.result, pglite.note))
console.log('Written to bench/.out/review.json and bench/.out/review.md')

function n(x: number) {
	return Math.round(x).toLocaleString('en-US')
}
function ms(x: number) {
	return `${x < 10 ? x.toFixed(1) : n(x)} ms`
}
/** The closed loop's throughputs and ratio, with its errors if any. */
function closedLoopFigures(c: Result['closedLoop']) {
	return (
		`review loop **${n(c.reviewRps)} req/s**, minimal page **${n(c.floorRps)} req/s**, ratio **${c.ratio.toFixed(2)}**` +
		(c.reviewErrors + c.floorErrors ? ` (errors: ${n(c.reviewErrors)} review, ${n(c.floorErrors)} floor)` : '')
	)
}
/** The open loop's table, one row per step. */
function openLoopTable(r: Result) {
	return [
		'| date | reviewers | workers | requests | errors | p50 | p95 | p99 |',
		'|---|---:|---:|---:|---:|---:|---:|---:|',
		...r.openLoop.map((s) => `| ${r.date.slice(0, 10)} | ${n(s.users)} | ${r.workers} | ${n(s.requests)} | ${n(s.errors)} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} |`),
	]
}

/** This run's section of docs/benchmarks.md; the targets' verdicts come from the figures above. */
function markdown(): string {
	const perQueue = Math.round(ROUND_SAMPLES / REVIEWERS)
	const concurrencyMet = (best?.users ?? 0) >= TARGET_REVIEWERS
	const ratioMet = ratio >= TARGET_RATIO
	const tested = steps.some((s) => s.users >= TARGET_REVIEWERS)
	const needed = (2 * TARGET_REVIEWERS) / (THINK_MS / 1000)
	const cpuPerRequest = (os.availableParallelism() * 1000) / loop.rps
	const sum = (c: typeof loop.cpu) => c.appMs + c.dbMs + c.generatorMs
	const cpuRow = (name: string, c: typeof loop.cpu) => `| ${name} | ${c.appMs.toFixed(2)} ms | ${c.dbMs.toFixed(2)} ms | ${c.generatorMs.toFixed(2)} ms | ${sum(c).toFixed(2)} ms |`
	const lines = [
		'## Review loop (`npm run bench:review`)',
		'',
		`What is measured: the built app (\`node build/server.js\`, ${WORKERS === 1 ? 'one process' : `${WORKERS} worker processes (\`WEB_CONCURRENCY=${WORKERS}\`)`}) on PostgreSQL ${pgVersion}. A`,
		`version of **${n(SAMPLES)}** samples is imported; a round selects ${n(ROUND_SAMPLES)} of them at random with one`,
		`reviewer per sample; **${n(REVIEWERS)}** reviewers sign in for real through \`/signin\` (argon2id) and each`,
		`gets a queue of ~${perQueue} samples. The load generator runs on the same ${os.availableParallelism()}-core machine as the app and`,
		'PostgreSQL; it keeps one keep-alive connection per reviewer (as a browser does) and uses plain',
		'`node:http` (asking for compressed pages, as browsers do), so that little of the machine goes to it. After a few seconds of warm-up:',
		'',
		'- **Open loop**: N concurrent reviewers, each loading the focus view (`GET /rounds/:id/review/:sample`),',
		`  posting "no concerns" (\`POST\`, answered by a redirect to the next sample) and thinking ${THINK_MS / 1000} s;`,
		`  ${STEP_SECONDS} s per step. Latency is per request, as the client sees it (request sent to last byte read).`,
		`- **Closed loop**: ${CLOSED_CONNECTIONS} connections, no think time, for ${CLOSED_SECONDS} s: the review loop (focus view + verdict,`,
		'  each review by the next reviewer in turn) beside the anonymous home page of the same app',
		'  (root loader + React render: the framework floor).',
		'',
		...openLoopTable(result),
		'',
		`Closed loop, same run: ${closedLoopFigures(result.closedLoop)}.`,
		'',
		"CPU time per request in that closed loop, from `/proc` (the app's processes, its PostgreSQL backends, and the load generator's own process;",
		"PostgreSQL's background writers and the kernel's network work outside these processes are not in it):",
		'',
		'| closed loop | app | PostgreSQL | load generator | sum |',
		'|---|---:|---:|---:|---:|',
		cpuRow('review loop (focus view + verdict)', loop.cpu),
		cpuRow('minimal page (floor)', floor.cpu),
		'',
		`Targets (issues #5 and #9): ≥ ${TARGET_REVIEWERS} concurrent reviewers at p99 < ${TARGET_P99_MS} ms — ` +
			(concurrencyMet
				? `**met** (the largest step under ${TARGET_P99_MS} ms p99 without errors: ${n(best!.users)} reviewers)`
				: tested
					? `**not met** (${best ? `the largest step under ${TARGET_P99_MS} ms p99 without errors: ${n(best.users)} reviewers` : `no step stayed under ${TARGET_P99_MS} ms p99 without errors`})`
					: `**not measured** (no step of ${TARGET_REVIEWERS} reviewers or more in this run)`) +
			`; review-loop throughput ≥ ${Math.round(TARGET_RATIO * 100)}% of the floor — ${ratioMet ? '**met**' : '**not met**'} (${ratio.toFixed(2)}).`,
	]
	const jsCpu = js.cpu.appMs + js.cpu.dbMs
	const jsTested = jsSteps.some((st) => st.users >= JS_TARGET_REVIEWERS)
	lines.push(
		'',
		"### JavaScript path (the focus view's local queue, decision 051)",
		'',
		'What a browser with JavaScript sends per verdict: `POST /rounds/:id/review-sync` with the verdict (its idempotency key) and a refill',
		"of one sample for the page's queue; the answer is JSON (what became of the verdict, the sample to add), no page and no loader.",
		"The server answers that path itself, ahead of Remix (decision 058); the same exchange through Remix's resource route (reached by",
		'another spelling of the round id) is measured beside it, in the same closed loop.',
		`Open loop: N reviewers, one verdict each ${THINK_MS / 1000} s, ${STEP_SECONDS} s per step; closed loop as above, beside the same floor page.`,
		'',
		'| date | reviewers | workers | requests | errors | p50 | p95 | p99 |',
		'|---|---:|---:|---:|---:|---:|---:|---:|',
		...jsSteps.map((st) => `| ${date.slice(0, 10)} | ${n(st.users)} | ${WORKERS} | ${n(st.requests)} | ${n(st.errors)} | ${ms(st.p50)} | ${ms(st.p95)} | ${ms(st.p99)} |`),
		'',
		`Closed loop, same run: JavaScript path **${n(js.rps)} verdicts/s**${js.errors ? ` (${n(js.errors)} errors)` : ''}, floor page **${n(floor.rps)} req/s**, ratio **${jsRatio.toFixed(2)}**.`,
		'',
		'| closed loop | app | PostgreSQL | load generator | sum |',
		'|---|---:|---:|---:|---:|',
		cpuRow('JavaScript path (verdict + refill)', js.cpu),
		cpuRow(`the same through Remix's route (${n(jsRemix.rps)} verdicts/s)`, jsRemix.cpu),
		'',
		...(ranDry ? ['**A closed loop used up every queue before its time was over: the throughputs above are too low (raise `--round-samples`).**', ''] : []),
		`Targets (issue #24): ≥ ${n(JS_TARGET_REVIEWERS)} concurrent reviewers at p99 < ${TARGET_P99_MS} ms — ` +
			(jsBest && jsBest.users >= JS_TARGET_REVIEWERS
				? `**met** (${n(jsBest.users)} reviewers)`
				: jsTested
					? `**not met** (${jsBest ? `the largest step under ${TARGET_P99_MS} ms p99 without errors: ${n(jsBest.users)} reviewers` : `no step stayed under ${TARGET_P99_MS} ms p99 without errors`})`
					: `**not measured** (no step of ${n(JS_TARGET_REVIEWERS)} reviewers or more in this run)`) +
			`; closed-loop throughput ≥ ${JS_TARGET_RATIO} × the floor — ${jsRatio >= JS_TARGET_RATIO ? '**met**' : '**not met**'} (${jsRatio.toFixed(2)}); ` +
			`CPU per verdict (app + PostgreSQL) ≤ ${JS_TARGET_CPU_MS} ms — ${jsCpu <= JS_TARGET_CPU_MS ? '**met**' : '**not met**'} (${jsCpu.toFixed(2)} ms).`,
	)
	if (marks)
		lines.push(
			'',
			'### What keeping the dashboard costs a verdict (issue #27, decision 057)',
			'',
			'The same closed loop again, with the triggers that mark a unit for the insights job switched off, and then the job itself counting',
			'every unit the run marked (in the benchmark process; the server runs no pass during the loops):',
			'',
			'| | verdicts/s | PostgreSQL CPU per verdict |',
			'|---|---:|---:|',
			`| JavaScript path, units marked (as shipped) | ${n(js.rps)} | ${js.cpu.dbMs.toFixed(3)} ms |`,
			`| JavaScript path, triggers off | ${n(marks.unmarked.rps)} | ${marks.unmarked.cpu.dbMs.toFixed(3)} ms |`,
			'',
			`Marking adds **${marks.addedDbMs.toFixed(3)} ms** of database CPU per verdict — target ≤ ${MARK_TARGET_DB_MS} ms: ${marks.addedDbMs <= MARK_TARGET_DB_MS ? '**met**' : '**not met**'}. ` +
				`The insights job, off the verdict's path, counted ${n(marks.job.units)} units in ${marks.job.seconds.toFixed(1)} s: ${marks.job.appMs.toFixed(3)} ms of app and ${marks.job.dbMs.toFixed(3)} ms of database CPU per unit ` +
				'(a unit is marked once however many verdicts it gets between two passes).',
		)
	if (!concurrencyMet || !ratioMet) {
		lines.push(
			'',
			`Limits: ${TARGET_REVIEWERS} reviewers thinking ${THINK_MS / 1000} s ask for ≈ ${n(needed)} requests/s; in the closed loop the app served`,
			`${n(loop.rps)} review-loop requests/s against ${n(floor.rps)}/s for the floor page: ≈ ${cpuPerRequest.toFixed(1)} ms of the`,
			`machine's ${os.availableParallelism()} cores per request, of which the processes above account for ${sum(loop.cpu).toFixed(1)} ms (app ${loop.cpu.appMs.toFixed(1)}, PostgreSQL ${loop.cpu.dbMs.toFixed(1)}, load generator ${loop.cpu.generatorMs.toFixed(1)}).`,
			`At ${n(needed)} requests/s those processes alone would need ${((sum(loop.cpu) * needed) / 1000).toFixed(2)} CPU-seconds per second of the machine's ${os.availableParallelism()}` +
				((sum(loop.cpu) * needed) / 1000 >= os.availableParallelism()
					? ': the target asks for more CPU than the machine has,'
					: `, ${Math.round((sum(loop.cpu) * needed) / 10 / os.availableParallelism())} % of it before the rest of the machine's work (above: ${n(loop.rps)} requests/s saturate it),`) +
				' and past its rate requests queue and latency grows with the queue.' +
				` The largest cost identified in the app is React Router's route matching (about 16 % of the app's CPU in a profile: below); without it at all, ${n(needed)} requests/s would still need ${(((sum(loop.cpu) - 0.16 * loop.cpu.appMs) * needed) / 1000).toFixed(2)} CPU-seconds per second.`,
			`Against the floor: the floor page is anonymous and reads nothing from the database (PostgreSQL ${floor.cpu.dbMs.toFixed(2)} ms), while each review-loop request checks the session,`,
			`reads the participant's queue or records a verdict (${loop.cpu.dbMs.toFixed(1)} ms in PostgreSQL) and renders a larger page (app ${loop.cpu.appMs.toFixed(1)} ms against ${floor.cpu.appMs.toFixed(1)} ms).`,
			`${Math.round(TARGET_RATIO * 100)} % of the floor's throughput would need a whole review request to cost at most ${(sum(floor.cpu) / TARGET_RATIO).toFixed(1)} ms of CPU, database included: ` +
				`${sum(floor.cpu) / TARGET_RATIO - loop.cpu.dbMs > 0 ? `${(sum(floor.cpu) / TARGET_RATIO - loop.cpu.dbMs - loop.cpu.generatorMs).toFixed(1)} ms for the app after its database work, against ${floor.cpu.appMs.toFixed(1)} ms for the framework's cheapest page.` : 'less than its database work alone.'}`,
			'The remedy for the number of reviewers is more cores or more machines (the app keeps no state in memory: docs/deploy.md,',
			'"Several instances"): each statement of the loop is now a few index probes, whatever the length of the queue (below).',
		)
	}
	lines.push(
		'',
		'Changes measured while making them (same machine, side by side, a smaller run: 100,000 samples, 300 reviewers, closed loop as above):',
		'- Workers now set `TCP_NODELAY` on the connections the primary hands them (decision 019). Without it the last small write of each',
		"  response waited for the client's delayed ACK: the home page served 258 requests/s with two workers against 520 with one process,",
		'  740 with the fix. The ratios above 1 recorded before (1.01–1.48) were that artefact: the floor page was held by the delayed ACK.',
		'- Production hands Remix its build, not a function returning it (Remix rebuilt its route tree on every request): +10 % on both loops.',
		'- The statements every review request runs are prepared (session, unread count, focus view, verdict target) and a verdict with no',
		'  earlier flags is one statement committed on its own: review loop 171 → 220 requests/s, PostgreSQL CPU per request 4.6 → 3.0 ms.',
		"- The focus view's statement walked the participant's whole queue, twice: finding the sample by its external id joined every",
		'  assignment to its sample (200 probes for a queue of 200), and "next still waiting" read every later entry and sorted them. Now the',
		"  sample is found through the version's imports' unique (import, external id) key and the queue's primary key, and waiting samples",
		'  have a partial index (migration 0010). PostgreSQL CPU for that statement 1.45 → 0.26 ms (one connection, queues of 200, measured',
		"  from the backend's `/proc`).",
		'- A "no concerns" or "skip" verdict is guarded, recorded and answered with the next waiting sample in one prepared statement (it was the',
		"  guard, the verdict, then one or two unprepared queries for the next sample), and the session lookup also counts the bell's unread",
		'  notifications (it was a second statement on every page). With the two changes above, side by side: review loop 260 → 313',
		'  requests/s, ratio to the floor 0.55 → 0.67, PostgreSQL CPU per request 2.48 → 0.97 ms (the machine was in a slow phase: floor ~470/s).',
		'- Lazy route discovery is off (decision 021): every page built a partial route manifest by matching each path segment against the',
		"  route tree (~8 % of the app's CPU). Two runs in each order: app CPU per review-loop request 4.4 and 4.7 ms with it, 3.9 and 3.7 ms",
		'  without; p99 at 300 reviewers 294 and 411 ms with it, 72 and 197 ms without.',
		'- Pages are rendered whole and answered as one buffer (decision 022), instead of ~15 chunks each passed through a Node stream, a web',
		'  stream and a write. 500 reviewers, 100,000 samples, two runs in each order: app CPU per request for the floor page 2.60 and 2.85 ms',
		'  before, 2.21 and 2.34 ms after; for the review loop 2.80 and 3.02 → 2.64 and 2.79 ms. The floor gains more than the loop, so the',
		'  ratio between them fell (0.75 and 0.78 → 0.67 and 0.67 in those runs) while the loop itself got faster.',
		"- The local queue's exchange is answered by the server ahead of Remix, and its common case (one verdict with its refill) is one",
		'  statement (decision 058). JavaScript path, full size, closed loop: 3.40 ms of CPU per verdict before (app 2.25, PostgreSQL 1.15,',
		'  the run recorded earlier on 2026-12-05); with the door alone 1.13 ms (0.52 + 0.61), 1,540 verdicts/s; with the one statement too',
		"  1.11 ms (0.45 + 0.66), 1,571 verdicts/s; the same exchange through Remix's route in that run 2.05 ms (1.31 + 0.74), 884/s. A profile",
		"  of the door showed a third of the app's CPU in writes to PostgreSQL's socket, one per statement (on loopback the kernel's work",
		'  for both ends is charged to the writer): hence one statement.',
		"- The benchmark now runs the jobs the import queues (the version's caricature signals, its similar-samples index: about two",
		"  minutes of CPU at 1,000,000 samples) before it starts the server. Before, the server's scheduler ran them in the first worker",
		'  while the first steps were measured. Two full runs, the same code, before and after: no-JavaScript p99 at 100 reviewers 243 → 16',
		'  ms, at 300 reviewers 683 → 81 ms; JavaScript path 1,571 → 1,768 verdicts/s. Earlier figures on this page carried that load.',
		'- Tried and not kept: a larger V8 young generation for the workers (`--max-semi-space-size=16`): the floor page got slower',
		'  (5.1 against 4.0 ms of app CPU per request).',
		"- Tried and not kept: caching React Router's flattened route branches and compiled patterns, by editing the installed package for",
		'  the experiment. Two runs in each order: floor page 2.47 and 2.65 → 2.14 and 2.12 ms of app CPU, review loop 3.03 and 3.11 → 2.92',
		'  and 3.03 ms, p99 at 500 reviewers unchanged (367/381 against 921/382 ms). Too little for the loop to carry a patch of the framework.',
		"- Left: React Router still matches the URL against the whole route tree three times per page (Remix's server, the data router and",
		"  the render), compiling each route's pattern every time: ~16 % of the app's CPU in a profile.",
		"- Where the open loop's tail comes from (500 reviewers, traced per request): latency comes in waves. Within one 20 s step the p99 of",
		'  each second ranged from 50 to 870 ms. A stall makes many reviewers finish together, and with the same 3 s think time they come',
		"  back together. The workers' event-loop delay stayed at p99 20–40 ms during the step (`monitorEventLoopDelay`), so it is not GC",
		"  or a long task: it is requests queueing for the CPU. `top` during the step: the two workers at ~70 % of a core each and PostgreSQL's",
		'  backends ~34 % in all, at ~320 requests/s: about 4.4 ms of worker CPU per request, where closed loops of the same code measured',
		'  2.5–3.0 ms in runs that hour. In the open loop each request wakes the processes on its own, so the machine is ~90 % busy at 500 reviewers.',
		"- The machine's speed drifts: the same app code has measured the floor page anywhere from 350 to 900 requests/s in runs an hour apart,",
		'  and a single closed loop moves by ±15 %. Compare ratios across runs, and changes only side by side.',
		'',
		'Reproduce: `npm run bench:review` (flags `--samples`, `--round-samples`, `--reviewers`,',
		'`--steps 100,300,500,700`, `--step-seconds 20`, `--workers`, `--cpu-prof`). Raw results: `bench/.out/review.json`.',
		'',
	)
	return lines.join('\n')
}

/** The PGlite pass's subsection, from the child's figures (or why there are none). */
function pgliteMarkdown(lite: Result | null, note: string): string {
	if (!lite) return pgliteMissingSection(note)
	const c = lite.closedLoop
	const cpuRow = (name: string, x: typeof c.cpuPerRequestMs.review) => `| ${name} | ${x.appMs.toFixed(2)} ms | ${x.generatorMs.toFixed(2)} ms | ${(x.appMs + x.generatorMs).toFixed(2)} ms |`
	const under = lite.maxReviewersP99Under100
	return [
		'',
		`### ${lite.engine} (embedded database), ${lite.date.slice(0, 10)}`,
		'',
		`The same loop on PGlite, the database Roundtable runs when \`DATABASE_URL\` is unset: it runs inside the app's process, so the app runs as one`,
		`process (\`WEB_CONCURRENCY=1\`), in a run of its own after the one above and smaller: a version of **${n(lite.samples)}** samples, a round of`,
		`${n(lite.roundSamples)} of them, **${n(lite.reviewers)}** reviewers signed in as above (queues of ~${Math.round(lite.roundSamples / lite.reviewers)} samples), ${lite.stepSeconds} s per step.`,
		"The data folder is a new one in a temp dir, seeded by the app's own code in the benchmark's process, which closes it before the",
		'server opens it. No target is judged on PGlite: the embedded database is for trying Roundtable and small consultations, and the',
		"targets above are PostgreSQL's.",
		'',
		...openLoopTable(lite),
		'',
		`Closed loop, same run (as above): ${closedLoopFigures(c)}. Largest step under ${TARGET_P99_MS} ms p99 without errors: ${under ? `${n(under)} reviewers` : 'none'} (for information).`,
		'',
		"CPU time per request in that closed loop, from `/proc`: the app's process, which holds the database too (PGlite's share is inside",
		"the app's figure; there is no database process to count), and the load generator:",
		'',
		'| closed loop | app (database included) | load generator | sum |',
		'|---|---:|---:|---:|',
		cpuRow('review loop (focus view + verdict)', c.cpuPerRequestMs.review),
		cpuRow('minimal page (floor)', c.cpuPerRequestMs.floor),
		'',
		`Reproduce: part of \`npm run bench:review\`; \`--pglite 0\` skips it, \`--pglite-samples\`, \`--pglite-round-samples\`, \`--pglite-reviewers\`,`,
		'`--pglite-steps` and `--pglite-step-seconds` set its sizes. Raw results: `pglite` in `bench/.out/review.json`.',
		'',
	].join('\n')
}
