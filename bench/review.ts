/**
 * `npm run bench:review` — the review loop under load, on PostgreSQL, against the built app.
 * A version of SAMPLES samples (default 1,000,000) is imported; a round picks ROUND_SAMPLES of
 * them at random; REVIEWERS people sign in for real (argon2 and all) and each gets a queue.
 * Then, side by side in this run:
 *  1. open loop: N concurrent reviewers, each loading the focus view, posting a verdict and
 *     thinking 3 s, for N in steps; the largest N whose p99 stays under 100 ms is reported;
 *  2. closed loop, no think time: the review loop's requests/s beside a minimal page of the same
 *     app (the anonymous home page: root loader + render = the framework floor).
 * Flags: --samples N --round-samples N --reviewers N --steps 100,300,500,700 --step-seconds 20
 */
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => {
	const i = args.indexOf(`--${name}`)
	return i >= 0 ? args[i + 1]! : fallback
}
const SAMPLES = Number(arg('samples', '1000000'))
const ROUND_SAMPLES = Number(arg('round-samples', '60000'))
const REVIEWERS = Number(arg('reviewers', '700'))
const STEPS = arg('steps', '100,300,500,700').split(',').map(Number)
const STEP_SECONDS = Number(arg('step-seconds', '20'))
const THINK_MS = Number(arg('think-ms', '3000'))
const PORT = 3290
const BASE = `http://127.0.0.1:${PORT}`
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

const dbName = `rt_bench_review_${Date.now()}`
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
await admin.unsafe(`create database ${dbName}`)
const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString()
process.env.DATABASE_URL = dbUrl
process.env.NODE_ENV = 'production'

const { migrate, db, closeDb, query } = await import('#app/utils/db.server.ts')
const { hashPassword } = await import('#app/utils/password.server.ts')
const { createDataset } = await import('#app/models/dataset.server.ts')
const { createVersion } = await import('#app/models/version.server.ts')
const { runImport } = await import('#app/models/import.server.ts')
const { createRound, changeRoundStatus, rebalanceRound } = await import('#app/models/round.server.ts')
const { users } = await import('#db/schema/accounts.ts')
const { participants } = await import('#db/schema/rounds.ts')

console.log(`Database ${dbName}: importing ${SAMPLES.toLocaleString()} samples…`)
await migrate()
const password = 'bench passphrase 2026'
const hash = await hashPassword(password)
const [owner] = await db.insert(users).values({ email: 'owner@bench.test', displayName: 'Owner', passwordHash: hash }).returning({ id: users.id })
const dataset = (await createDataset({ slug: 'bench', name: 'Bench', description: '', ownerId: owner!.id }))!
const version = (await createVersion({ datasetId: dataset.id, label: 'v1', parentLabel: null, userId: owner!.id, generationMethod: 'persona_simulation', modelName: '', modelVersion: '', modelProvider: '', promptTemplates: '', personaDefinitions: '', seedDataDescription: '', knownLimitations: '', changelog: '' })).version!
const origins = ['Oaxaca', 'Lagos', 'Amman', 'Bogotá', 'Lucknow', 'Dakar']
async function* file() {
	const enc = new TextEncoder()
	for (let start = 0; start < SAMPLES; start += 5000) {
		let chunk = ''
		for (let i = start; i < Math.min(SAMPLES, start + 5000); i++) {
			chunk += JSON.stringify({ id: `s-${String(i).padStart(8, '0')}`, content: `Dear team, sample ${i} written as a persona from ${origins[i % 6]} about the quarterly schedule and the new badge system.`, language: 'en', metadata: { persona: { origin: origins[i % 6], age: 20 + (i % 50) } } }) + '\n'
		}
		yield enc.encode(chunk)
	}
}
const imported = await runImport({ versionId: version.id, format: 'jsonl', filename: 'bench.jsonl', userId: owner!.id, source: file() })
if (imported.status !== 'succeeded') throw new Error('import failed')
const [imp] = await query<{ id: string }>(sql`select current_import_id as id from versions where id = ${version.id}`)
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
await closeDb()

console.log('Starting the built app…')
const server = spawn(process.execPath, ['build/server.js'], {
	env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(PORT), HOST: '127.0.0.1', NODE_ENV: 'production', SEED_DEMO: 'false', COOKIE_SECURE: 'false', SIGNIN_LIMIT_PER_IP: '1000000', DATABASE_POOL_SIZE: '20' },
	stdio: ['ignore', 'ignore', 'inherit'],
})
for (let i = 0; i < 100; i++) {
	if (await fetch(`${BASE}/healthz`).then((r) => r.ok).catch(() => false)) break
	await new Promise((r) => setTimeout(r, 200))
}

async function signIn(i: number): Promise<string> {
	const res = await fetch(`${BASE}/signin`, {
		method: 'POST',
		redirect: 'manual',
		headers: { Origin: BASE, 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ email: `r${i}@bench.test`, password }),
	})
	const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
	if (!cookie) throw new Error(`sign-in ${i} failed: ${res.status}`)
	return cookie
}
console.log(`Signing in ${REVIEWERS} reviewers…`)
const cookies: string[] = []
for (let i = 0; i < REVIEWERS; i += 8) cookies.push(...(await Promise.all(Array.from({ length: Math.min(8, REVIEWERS - i) }, (_, j) => signIn(i + j)))))

const reviewBase = `${BASE}/rounds/${roundId}/review`
type Sample = { ms: number; ok: boolean }

/** One review: load the current sample's focus view, post "no concerns"; returns both latencies. */
async function reviewOnce(cookie: string, current: { path: string }): Promise<Sample[]> {
	const t0 = performance.now()
	const page = await fetch(`${BASE}${current.path}`, { headers: { Cookie: cookie }, redirect: 'manual' })
	await page.arrayBuffer()
	const t1 = performance.now()
	if (page.status === 302) {
		current.path = page.headers.get('Location')!
		return [{ ms: t1 - t0, ok: true }]
	}
	const post = await fetch(`${BASE}${current.path}`, {
		method: 'POST',
		redirect: 'manual',
		headers: { Cookie: cookie, Origin: BASE, 'Content-Type': 'application/x-www-form-urlencoded' },
		body: 'intent=no_concerns',
	})
	await post.arrayBuffer()
	const t2 = performance.now()
	current.path = post.headers.get('Location') ?? `/rounds/${roundId}/review`
	return [
		{ ms: t1 - t0, ok: page.status === 200 },
		{ ms: t2 - t1, ok: post.status === 302 },
	]
}

const pct = (xs: number[], p: number) => {
	const s = [...xs].sort((a, b) => a - b)
	return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0
}

async function openLoop(users: number) {
	const results: Sample[] = []
	const stopAt = performance.now() + STEP_SECONDS * 1000
	await Promise.all(
		Array.from({ length: users }, async (_, u) => {
			const current = { path: `/rounds/${roundId}/review` }
			// Stagger the start over one think time, like people arriving.
			await new Promise((r) => setTimeout(r, Math.random() * THINK_MS))
			while (performance.now() < stopAt) {
				results.push(...(await reviewOnce(cookies[u]!, current)))
				await new Promise((r) => setTimeout(r, THINK_MS))
			}
		}),
	)
	const ms = results.map((r) => r.ms)
	return { users, requests: results.length, errors: results.filter((r) => !r.ok).length, p50: pct(ms, 50), p95: pct(ms, 95), p99: pct(ms, 99) }
}

async function closedLoop(kind: 'review' | 'floor', concurrency = 16, seconds = 10) {
	let count = 0
	const stopAt = performance.now() + seconds * 1000
	await Promise.all(
		Array.from({ length: concurrency }, async (_, c) => {
			const current = { path: `/rounds/${roundId}/review` }
			const cookie = cookies[REVIEWERS - 1 - c]!
			while (performance.now() < stopAt) {
				if (kind === 'floor') {
					await (await fetch(`${BASE}/`)).arrayBuffer()
					count++
				} else count += (await reviewOnce(cookie, current)).length
			}
		}),
	)
	return count / seconds
}

console.log('Open loop (think time 3 s):')
const steps = []
for (const n of STEPS.filter((s) => s <= REVIEWERS)) {
	const r = await openLoop(n)
	steps.push(r)
	console.log(`  ${String(n).padStart(4)} reviewers: ${r.requests} requests, ${r.errors} errors, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`)
}
const floor = await closedLoop('floor')
const loop = await closedLoop('review')
const best = steps.filter((s) => s.p99 < 100 && s.errors === 0).pop()
console.log(`Closed loop: review loop ${loop.toFixed(0)} req/s, minimal page ${floor.toFixed(0)} req/s, ratio ${(loop / floor).toFixed(2)}`)
console.log(`Largest tested concurrency with p99 < 100 ms: ${best?.users ?? 'none'}`)

if (args.includes('--keep')) {
	console.log(`Kept running for inspection: ${BASE}${reviewBase.replace(BASE, '')}  cookie: ${cookies[0]}  db: ${dbName}`)
	await new Promise((r) => setTimeout(r, 120_000))
}
server.kill('SIGTERM')
await new Promise((r) => server.once('exit', r))
await admin.unsafe(`drop database ${dbName} with (force)`)
await admin.end()
const out = path.resolve('bench/.out')
mkdirSync(out, { recursive: true })
writeFileSync(
	path.join(out, 'review.json'),
	JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version }, samples: SAMPLES, roundSamples: ROUND_SAMPLES, reviewers: REVIEWERS, thinkMs: THINK_MS, openLoop: steps, closedLoop: { reviewRps: loop, floorRps: floor, ratio: loop / floor }, maxReviewersP99Under100: best?.users ?? 0 }, null, 2),
)
console.log('Written to bench/.out/review.json')
