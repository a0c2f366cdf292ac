/**
 * `npm run bench [-- --only import,triage] [-- --skip review] [-- --only scale -- --keep]`: every benchmark in turn, each
 * measuring ours and its reference side by side in the same run, then docs/benchmarks.md and
 * docs/benchmarks.json are written from what they recorded.
 *
 * Each benchmark writes bench/.out/<name>.json (its raw figures) and bench/.out/<name>.md (its
 * section of the document, with each target met or not computed from those figures). This script
 * keeps one entry per benchmark in docs/benchmarks.json — the section, the raw figures, when and
 * on what machine it ran — so a partial run (`--only`) replaces only the entries it ran and the
 * document always shows every benchmark with its own date and machine. A benchmark that fails
 * keeps its previous entry, marked as not re-measured in this run. Arguments after a second `--`
 * go to every selected benchmark's script as they are (e.g. `--keep` for bench:scale).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { BENCH_ADMIN_URL } from './scratch-db.ts'

/**
 * In the order they appear in the document. `extra` entries run only when asked with --only.
 * `built`: the benchmark drives the built app; `npm run build` runs once, before the first of them
 * (its own npm script would rebuild each time).
 */
const BENCHES: { name: string; script: string; file: string; args?: string[]; node?: string[]; built?: boolean; extra?: boolean }[] = [
	{ name: 'import', script: 'bench:import', file: 'bench/import.ts' },
	{ name: 'import-1m', script: 'bench:import', file: 'bench/import.ts', args: ['--rows', '1000000', '--only', 'postgres', '--name', 'import-1m'], extra: true },
	{ name: 'parquet', script: 'bench:parquet', file: 'bench/parquet.ts' },
	{ name: 'parquet-1m', script: 'bench:parquet', file: 'bench/parquet.ts', args: ['--rows', '1000000', '--name', 'parquet-1m'], extra: true },
	{ name: 'search', script: 'bench:search', file: 'bench/search.ts' },
	{ name: 'search-1m', script: 'bench:search', file: 'bench/search.ts', args: ['--rows', '1000000', '--name', 'search-1m'], extra: true },
	{ name: 'signals-1m', script: 'bench:signals', file: 'bench/signals.ts', args: ['--rows', '1000000', '--concurrent-rows', '100000', '--name', 'signals-1m'], extra: true },
	{ name: 'similar-1m', script: 'bench:similar', file: 'bench/similar.ts', args: ['--rows', '1000000', '--name', 'similar-1m'], extra: true },
	{ name: 'review', script: 'bench:review', file: 'bench/review.ts', built: true },
	{ name: 'triage', script: 'bench:triage', file: 'bench/triage.ts' },
	{ name: 'scale', script: 'bench:scale', file: 'bench/scale.ts', node: ['--expose-gc'] },
	{ name: 'annotations', script: 'bench:annotations', file: 'bench/annotations.ts', node: ['--expose-gc'], extra: true },
	{ name: 'gate', script: 'bench:gate', file: 'bench/gate.ts', built: true },
	{ name: 'startup', script: 'bench:startup', file: 'bench/startup.ts', built: true },
	{ name: 'js-size', script: 'bench:js', file: 'bench/js-size.ts', built: true },
]

const argv = process.argv.slice(2)
const dashes = argv.indexOf('--')
const args = dashes >= 0 ? argv.slice(0, dashes) : argv
/** Passed through to each selected benchmark's script. */
const passThrough = dashes >= 0 ? argv.slice(dashes + 1) : []
const listArg = (flag: string) => {
	const i = args.indexOf(flag)
	return i >= 0 ? args[i + 1]!.split(',').map((s) => s.trim()) : null
}
const only = listArg('--only')
const skip = listArg('--skip') ?? []
for (const n of [...(only ?? []), ...skip]) if (!BENCHES.some((b) => b.name === n)) throw new Error(`unknown benchmark "${n}"; known: ${BENCHES.map((b) => b.name).join(', ')}`)
/** `--render`: rewrite docs/benchmarks.md from docs/benchmarks.json without measuring anything. */
const renderOnly = args.includes('--render')
const selected = renderOnly ? [] : BENCHES.filter((b) => (only ? only.includes(b.name) : !b.extra) && !skip.includes(b.name))

const OUT = path.resolve('bench/.out')
const DOC = path.resolve('docs/benchmarks.md')
const STORE = path.resolve('docs/benchmarks.json')
mkdirSync(OUT, { recursive: true })

type Machine = { cpu: string; cores: number; memoryGiB: number; node: string; postgres: string; pglite: string; os: string; commit: string }
type Entry = { ranAt: string; seconds: number; machine: Machine; result: unknown; markdown: string }
type Store = { updatedAt: string; entries: Record<string, Entry> }

async function machine(): Promise<Machine> {
	let pgVersion = 'unreachable'
	const sql = postgres(BENCH_ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 })
	try {
		const [row] = await sql<{ v: string }[]>`select current_setting('server_version') as v`
		pgVersion = row!.v.split(' ')[0]!
	} catch {
		// reported as unreachable: the PostgreSQL benchmarks then fail and keep their old entries
	} finally {
		await sql.end()
	}
	const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }
	let commit = 'unknown'
	try {
		commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
	} catch {
		// not a git checkout
	}
	return {
		cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
		cores: os.cpus().length,
		memoryGiB: Math.round(os.totalmem() / 2 ** 30),
		node: process.version,
		postgres: pgVersion,
		pglite: pkg.dependencies['@electric-sql/pglite'] ?? 'unknown',
		os: `${os.type()} ${os.release()}`,
		commit,
	}
}

const store: Store = existsSync(STORE) ? (JSON.parse(readFileSync(STORE, 'utf8')) as Store) : { updatedAt: '', entries: {} }
const here = await machine()
const failed: string[] = []
const started = performance.now()

let built = false
for (const bench of selected) {
	if (bench.built && !built) {
		console.log('\n=== npm run build (once, for the benchmarks that drive the built app)\n')
		const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
		if (build.status !== 0) throw new Error('npm run build failed')
		built = true
	}
	console.log(`\n=== ${bench.name}: npm run ${bench.script}${bench.args ? ` -- ${bench.args.join(' ')}` : ''}\n`)
	const fragment = path.join(OUT, `${bench.name}.md`)
	const raw = path.join(OUT, `${bench.name}.json`)
	rmSync(fragment, { force: true })
	rmSync(raw, { force: true })
	const t0 = performance.now()
	const run = spawnSync('npx', ['tsx', ...(bench.node ?? []), bench.file, ...(bench.args ?? []), ...passThrough], { stdio: 'inherit' })
	const seconds = Math.round((performance.now() - t0) / 1000)
	if (run.status !== 0 || !existsSync(fragment) || !existsSync(raw)) {
		console.error(`\n${bench.name} failed (exit ${run.status}${existsSync(fragment) ? '' : ', no bench/.out/' + bench.name + '.md'}); its previous figures are kept.`)
		failed.push(bench.name)
		continue
	}
	store.entries[bench.name] = {
		ranAt: new Date().toISOString(),
		seconds,
		machine: here,
		result: JSON.parse(readFileSync(raw, 'utf8')) as unknown,
		markdown: readFileSync(fragment, 'utf8').trim(),
	}
	console.log(`\n${bench.name}: ${seconds} s`)
}
const totalSeconds = Math.round((performance.now() - started) / 1000)
store.updatedAt = new Date().toISOString()

const day = (iso: string) => iso.slice(0, 10)
const describe = (m: Machine) => `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node.replace(/^v/, '')}, PostgreSQL ${m.postgres} on the same host, PGlite ${m.pglite}`
const lines = [
	'# Benchmarks',
	'',
	'<!-- Written by `npm run bench` (bench/run.ts) from docs/benchmarks.json: edit the benchmarks, not this file. -->',
	'',
	'Every figure is measured side by side with its reference in one run (ours and the reference on the',
	'same machine, same data, same moment), because absolute times drift between machines; read the',
	'ratios first. Each section says what it measures, its targets (met or not, computed from the',
	'figures of that run) and how to reproduce it. `npm run bench` runs them all and rewrites this',
	'file; `npm run bench -- --only triage,gate` re-measures some and keeps the others.',
	'',
	'Comparisons of two commits side by side, kept by hand and not rewritten here: [before/after the layering refactor (issue #26)](benchmarks-refactor.md).',
	'',
	'| benchmark | measured on | machine | commit | run time |',
	'|---|---|---|---|---:|',
	...BENCHES.filter((b) => store.entries[b.name]).map((b) => {
		const e = store.entries[b.name]!
		return `| [${b.name}](#${b.name}) | ${day(e.ranAt)} | ${describe(e.machine)} | ${e.machine.commit} | ${e.seconds} s |`
	}),
	'',
]
const shown = BENCHES.filter((b) => store.entries[b.name] && !b.extra)
const sum = shown.reduce((n, b) => n + store.entries[b.name]!.seconds, 0)
lines.push(`Run time of \`npm run bench\` (the benchmarks above except the extra ones, plus one \`npm run build\`): ${Math.floor(sum / 60)} min ${sum % 60} s of benchmarks, budget 20 min.`, '')
if (selected.length) {
	lines.push(
		`Last \`npm run bench\`: ${day(store.updatedAt)}, ${selected.length - failed.length} of ${selected.length} benchmarks in ${Math.floor(totalSeconds / 60)} min ${totalSeconds % 60} s` +
			(failed.length ? ` (failed, earlier figures kept: ${failed.join(', ')})` : '') +
			'.',
		'',
	)
}
for (const b of BENCHES) {
	const e = store.entries[b.name]
	if (!e) continue
	lines.push(`<a id="${b.name}"></a>`, '', e.markdown, '')
	if (failed.includes(b.name)) lines.push(`> Not re-measured on ${day(store.updatedAt)}: the run failed; the figures above are from ${day(e.ranAt)}.`, '')
}
writeFileSync(STORE, JSON.stringify(store, null, '\t') + '\n')
writeFileSync(DOC, lines.join('\n'))
console.log(`\nWrote docs/benchmarks.md and docs/benchmarks.json (${totalSeconds} s in all).`)
if (failed.length) {
	console.error(`Failed: ${failed.join(', ')}`)
	process.exit(1)
}
