/**
 * `npm run bench:startup` — how long `npm start` takes to answer on the embedded database
 * (issue #9), from spawning the server to its first 200 on `/healthz` and then on `/`.
 * `npm start` is `npm run build && node build/server.js`: the build runs once before this script
 * (`npm run bench:startup` does it) and is not timed; each run spawns `node build/server.js`.
 *
 * Side by side, in the same run, RUNS times each, round-robin:
 *  - embedded, cold: a new, empty DATA_DIR — PGlite creates its cluster, runs every migration
 *    and seeds the demo (as on a first `npm start`);
 *  - embedded, warm: the same DATA_DIR again (after a clean stop);
 *  - PostgreSQL, cold (a new empty database: migrations, no demo) and warm (already migrated);
 *  - the reference: a minimal `node -e` HTTP server, spawn to first answer (the floor of
 *    starting any Node process and accepting a connection).
 * Flags: --runs 3
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { snapshotBuild } from './build-snapshot.ts'
import { scratchDatabase } from './scratch-db.ts'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => {
	const i = args.indexOf(`--${name}`)
	return i >= 0 ? args[i + 1]! : fallback
}
const RUNS = Number(arg('runs', '3'))
const PORT = 3292
const BASE = `http://127.0.0.1:${PORT}`
const POLL_MS = 5
/** SIGTERM lets in-flight requests finish (≤ 15 s in the server); past this the process group is killed and the run noted. */
const STOP_LIMIT_MS = 16_000
const snapshot = snapshotBuild()
const tmp = mkdtempSync(path.join(os.tmpdir(), 'rt-bench-startup-'))
const scratch = scratchDatabase(`rt_bench_startup_${Date.now()}`)
const { admin, url: dbUrl } = scratch

const baseEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', NODE_ENV: 'production', COOKIE_SECURE: 'false' }
delete baseEnv.DATABASE_URL
delete baseEnv.SEED_DEMO
delete baseEnv.DATA_DIR

const reference = `require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'text/plain' }); s.end('ok') }).listen(${PORT}, '127.0.0.1')`

type Kind = 'embedded-cold' | 'embedded-warm' | 'postgres-cold' | 'postgres-warm' | 'reference'
type Run = { kind: Kind; healthzMs: number; pageMs: number; stopMs: number; stopTimedOut: boolean }

/** Polls `url` until it answers 200; returns the time since `t0`. */
async function firstOk(url: string, t0: number, child: ReturnType<typeof spawn>, limitMs = 120_000): Promise<number> {
	while (performance.now() - t0 < limitMs) {
		if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before answering ${url}`)
		const ok = await fetch(url, { redirect: 'manual' })
			.then(async (r) => {
				await r.arrayBuffer()
				return r.status === 200
			})
			.catch(() => false)
		if (ok) return performance.now() - t0
		await new Promise((r) => setTimeout(r, POLL_MS))
	}
	throw new Error(`no 200 from ${url} within ${limitMs / 1000} s`)
}

async function start(kind: Kind, dataDir: string): Promise<Run> {
	const env = { ...baseEnv }
	if (kind.startsWith('embedded')) env.DATA_DIR = dataDir
	if (kind.startsWith('postgres')) {
		env.DATABASE_URL = dbUrl
		env.SEED_DEMO = 'false'
	}
	let stderr = ''
	const t0 = performance.now()
	// Its own process group, so that a cluster's workers can be stopped with it whatever happens.
	const options = { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] as ['ignore', 'ignore', 'pipe'] }
	const child = kind === 'reference' ? spawn(process.execPath, ['-e', reference], options) : spawn(process.execPath, ['build/server.js'], { ...options, cwd: snapshot.dir })
	child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
	const exited = new Promise((r) => child.once('exit', r))
	const killGroup = () => {
		try {
			process.kill(-child.pid!, 'SIGKILL')
		} catch {
			// already gone
		}
	}
	try {
		const healthzMs = await firstOk(`${BASE}/healthz`, t0, child)
		const pageMs = await firstOk(`${BASE}/`, t0, child)
		const s0 = performance.now()
		child.kill('SIGTERM')
		const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), STOP_LIMIT_MS))])
		const stopMs = performance.now() - s0
		killGroup()
		await exited
		return { kind, healthzMs, pageMs, stopMs, stopTimedOut: !stopped }
	} catch (error) {
		killGroup()
		throw new Error(`${kind}: ${(error as Error).message}\n${stderr}`)
	}
}

const dirSize = (dir: string): number =>
	readdirSync(dir, { withFileTypes: true }).reduce((n, e) => {
		const p = path.join(dir, e.name)
		return n + (e.isDirectory() ? dirSize(p) : e.isFile() ? statSync(p).size : 0)
	}, 0)

const runs: Run[] = []
const load = os.loadavg()[0]!
let dataDirBytes = 0
try {
	// Nothing may hold the port already (a previous run's server, another benchmark).
	if (
		await fetch(`${BASE}/healthz`).then(
			() => true,
			() => false,
		)
	)
		throw new Error(`port ${PORT} is in use`)
	console.log(`Start-up, ${RUNS} runs of each, round-robin (build not timed: it ran before)…`)
	for (let i = 0; i < RUNS; i++) {
		const dataDir = path.join(tmp, `data-${i}`)
		await scratch.drop()
		await scratch.create()
		for (const kind of ['reference', 'embedded-cold', 'embedded-warm', 'postgres-cold', 'postgres-warm'] as const) {
			const r = await start(kind, dataDir)
			runs.push(r)
			console.log(
				`  run ${i + 1} ${kind.padEnd(14)} /healthz ${r.healthzMs.toFixed(0).padStart(6)} ms   / ${r.pageMs.toFixed(0).padStart(6)} ms   (stop ${r.stopMs.toFixed(0)} ms${r.stopTimedOut ? ', did not exit: killed' : ''})`,
			)
		}
		dataDirBytes = dirSize(dataDir)
		rmSync(dataDir, { recursive: true, force: true })
	}
} finally {
	await scratch.drop().catch(() => {})
	await admin.end()
	rmSync(tmp, { recursive: true, force: true })
	snapshot.remove()
}

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b)
	return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const kinds: Kind[] = ['embedded-cold', 'embedded-warm', 'postgres-cold', 'postgres-warm', 'reference']
const summary = Object.fromEntries(
	kinds.map((k) => {
		const mine = runs.filter((r) => r.kind === k)
		return [
			k,
			{
				healthzMs: Math.round(median(mine.map((r) => r.healthzMs))),
				pageMs: Math.round(median(mine.map((r) => r.pageMs))),
				minPageMs: Math.round(Math.min(...mine.map((r) => r.pageMs))),
				maxPageMs: Math.round(Math.max(...mine.map((r) => r.pageMs))),
				stopMs: Math.round(median(mine.map((r) => r.stopMs))),
			},
		]
	}),
) as Record<Kind, { healthzMs: number; pageMs: number; minPageMs: number; maxPageMs: number; stopMs: number }>

const labels: Record<Kind, string> = {
	'embedded-cold': 'embedded (PGlite), cold: new data folder, migrations + demo seed',
	'embedded-warm': 'embedded (PGlite), warm: existing data folder',
	'postgres-cold': 'PostgreSQL, cold: empty database, migrations',
	'postgres-warm': 'PostgreSQL, warm: migrated database',
	reference: 'reference: minimal `node -e` HTTP server',
}
const hung = runs.filter((r) => r.stopTimedOut).map((r) => r.kind)
const s = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms} ms`)
const ref = summary.reference.pageMs
const table = kinds.map(
	(k) =>
		`| ${labels[k]} | ${s(summary[k].healthzMs)} | **${s(summary[k].pageMs)}** | ${s(summary[k].minPageMs)} – ${s(summary[k].maxPageMs)} | ${k === 'reference' ? 1 : (summary[k].pageMs / ref).toFixed(1)} |`,
)
console.log(table.join('\n'))

const md = `## Start-up (\`npm run bench:startup\`)

What is measured: \`npm start\` without its build step — \`node build/server.js\`, spawned by the benchmark — from the
spawn to the first \`200\` of \`/healthz\`, and then of \`/\` (the first page, rendered by React with the root loader).
The build runs once before the measurements (\`npm run bench:startup\` builds first) and is **not** timed: a first
\`npm start\` adds it (≈ 1 minute on this machine). Side by side in the same run, ${RUNS} rounds, each kind once per round
in turn: the embedded database (no \`DATABASE_URL\`; a new \`DATA_DIR\` per round) **cold** — PGlite creates its
cluster, every migration runs and the demo is seeded (argon2 password hash, the demo datasets imported through the
importer) — and **warm** (the same folder again, after a clean stop); PostgreSQL on the same host, cold (an empty
database: migrations, no demo) and warm; and the reference, a minimal \`node -e\` HTTP server (the floor of starting
Node and answering). Medians of ${RUNS} runs; the server is polled every ${POLL_MS} ms.

| start | first \`/healthz\` | first \`/\` | range of \`/\` | × reference |
|---|---:|---:|---:|---:|
${table.join('\n')}

A fresh embedded data folder holds ${(dataDirBytes / 2 ** 20).toFixed(0)} MB after the cold start. On PostgreSQL the app starts
as \`npm start\` runs it there: one worker process per CPU (\`WEB_CONCURRENCY\` unset), so its times include forking them.

${
	hung.length
		? `**Stopping did not always work**: ${hung
				.map((k) => `${hung.filter((x) => x === k).length}× ${labels[k]}`)
				.filter((x, i, a) => a.indexOf(x) === i)
				.join('; ')} — after SIGTERM the server had not exited within ${STOP_LIMIT_MS / 1000} s and its process group was killed (the start-up times above are unaffected).\n\n`
		: ''
}Limits: the machine's ${os.availableParallelism()} cores are shared with whatever else runs${load > os.availableParallelism() ? ` (load average ${load.toFixed(1)} when this run started)` : ''}, and a start is almost all CPU
(loading the server bundle, PGlite's WebAssembly, migrations, the demo's argon2 hash and import), so these times
stretch with load, the reference's too: read the ratios. Not included, on either side: the time \`npm\` itself takes
before it starts Node. No target was set for this in issue #9; the figures are the baseline.

Reproduce: \`npm run bench:startup\` (flag \`--runs ${RUNS}\`; port ${PORT}). PostgreSQL comes from \`BENCH_DATABASE_URL\`
(default \`postgres://postgres@127.0.0.1:5432/postgres\`; a scratch database is created and dropped). Raw results:
\`bench/.out/startup.json\`.
`
const out = path.resolve('bench/.out')
mkdirSync(out, { recursive: true })
writeFileSync(
	path.join(out, 'startup.json'),
	JSON.stringify(
		{
			date: new Date().toISOString(),
			runs: RUNS,
			loadAverageAtStart: Math.round(load * 10) / 10,
			cores: os.availableParallelism(),
			summary,
			dataDirBytes,
			raw: runs.map((r) => ({ ...r, healthzMs: Math.round(r.healthzMs), pageMs: Math.round(r.pageMs), stopMs: Math.round(r.stopMs) })),
		},
		null,
		2,
	) + '\n',
)
writeFileSync(path.join(out, 'startup.md'), md)
console.log('Written to bench/.out/startup.json and bench/.out/startup.md')
