/**
 * `npm run bench -- --only signals-1m` (= `tsx bench/signals.ts --rows 1000000 --name signals-1m`)
 * Caricature signals at scale (issue #21, decisions 044/045), on PostgreSQL, side by side in one run:
 * - the signals job end to end (computeNextSignals(): claim, keyset batches, accumulator, storage)
 *   on the version imported with runImport() from a multilingual JSONL file (bench/search-data.ts
 *   text, eight scripts, with eight categorical metadata attributes), in its own process and alone,
 *   for the time and the peak RSS of the process doing the computation;
 * - the import (which only queues the job, in its publishing transaction): the first
 *   `--concurrent-rows` samples imported alone, then again while the job computes the big version
 *   once more (its computation queued again, first in line);
 * - reference: the same per-value term counts (occurrences and samples per attribute value and
 *   word) done by PostgreSQL in one aggregation, unnest of the stored search words grouped by
 *   grouping sets of (value, word);
 * - the Signals page's data: the loader's model calls for each attribute, precomputed.
 */
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { createReadStream, createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import postgres from 'postgres'
import { samples, vocabularies, type Script } from './search-data.ts'
import { scratchDatabase } from './scratch-db.ts'

const args = process.argv.slice(2)
const arg = (name: string) => {
	const i = args.indexOf(`--${name}`)
	return i >= 0 ? args[i + 1] : undefined
}
const rows = Number(arg('rows') ?? 100_000)
const name = arg('name') ?? 'signals'
const repeat = Number(arg('repeat') ?? 20)
/** The size of the two imports compared (alone, and while the job runs). */
/** The reference is cancelled after this long (it spills to disk at a million samples). */
const referenceMinutes = Number(arg('reference-minutes') ?? 15)
const concurrentRows = Math.min(rows, Number(arg('concurrent-rows') ?? rows))
const out = path.resolve('bench/.out')
mkdirSync(out, { recursive: true })

const REGIONS = ['Bogotá', 'Île-de-France', '東京', 'القاهرة', 'Lagos', 'Mumbai', 'São Paulo', 'Москва', 'Chiang Mai', '서울', 'Oaxaca', 'Kraków']
const OCCUPATIONS = [
	'infirmière',
	'учитель',
	'مهندس',
	'किसान',
	'教师',
	'看護師',
	'ชาวนา',
	'의사',
	'driver',
	'cook',
	'lawyer',
	'artist',
	'miner',
	'clerk',
	'pilot',
	'tailor',
	'baker',
	'nurse',
	'guard',
	'coach',
]
const TOPICS = Array.from({ length: 30 }, (_, i) => ['santé', 'éducation', 'работа', 'سكن', 'परिवार', '交通', 'ครอบครัว', '날씨'][i % 8] + (i >= 8 ? ` ${i}` : ''))
/** The eight categorical attributes (dotted paths), each with 2 to 40 values. */
const ATTRIBUTES = ['region', 'persona.gender', 'persona.age_band', 'persona.occupation', 'prompt_id', 'model', 'topic', 'quality']

async function generate(file: string) {
	const jsonl = createWriteStream(file)
	const vocab = vocabularies()
	let i = 0
	// A second stream of randomness for the metadata, so the text is bench/search-data.ts's own.
	let seed = 7
	const r = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
	for (const s of samples(rows, vocab)) {
		const region = Math.floor(REGIONS.length * r() ** 2)
		const occupation = Math.floor(OCCUPATIONS.length * r())
		// Some words mark a region or an occupation (what the computation is meant to find).
		const words = vocab[s.language as Script]
		let content = s.content
		if (r() < 0.3) content += ` ${words[1500 + region]}`
		if (r() < 0.2) content += ` ${words[1600 + occupation]}`
		const metadata = {
			region: REGIONS[region],
			persona: { gender: ['f', 'm', 'x', 'n/a'][i % 4], age_band: ['18–24', '25–34', '35–44', '45–54', '55–64', '65+'][Math.floor(6 * r())], occupation: OCCUPATIONS[occupation] },
			prompt_id: `p${Math.floor(40 * r())}`,
			model: ['alpha', 'beta', 'gamma', 'delta', 'épsilon'][i % 5],
			topic: TOPICS[Math.floor(TOPICS.length * r())],
			quality: r() < 0.8 ? 'ok' : 'low',
		}
		jsonl.write(JSON.stringify({ id: s.id, content, language: s.language, metadata }) + '\n')
		if (jsonl.writableNeedDrain) await once(jsonl, 'drain')
		i++
	}
	jsonl.end()
	await once(jsonl, 'finish')
}

type Import = { mode: string; rows: number; seconds: number; rowsPerSecond: number; peakRssBytes: number }
type Compute = { versionId: string; status: string; seconds: number; peakRssBytes: number }
type Stats = { n: number; p50: number; p95: number; max: number }
type Page = { stats: Stats; attributes: string[]; skipped: unknown[]; values: number; terms: number }

const run = promisify(execFile)
async function child<T>(file: string, argv: string[], url: string): Promise<T> {
	// Production refuses to start on PostgreSQL without a public origin (decision 024); these workers send no email.
	const env: NodeJS.ProcessEnv = { APP_URL: 'http://localhost:3000', ...process.env, DATABASE_URL: url, NODE_ENV: 'production', SEED_DEMO: 'false' }
	const p = run(process.execPath, ['--import', 'tsx', file, ...argv], { env, encoding: 'utf8', maxBuffer: 1 << 24 })
	p.child.stderr?.pipe(process.stderr)
	const { stdout } = await p
	return JSON.parse(stdout.trim().split('\n').pop()!) as T
}

const jsonlFile = path.join(out, `signals-${rows}.jsonl`)
const smallFile = path.join(out, `signals-${rows}-${concurrentRows}.jsonl`)
console.log(`Generating ${rows.toLocaleString()} multilingual samples with ${ATTRIBUTES.length} categorical attributes…`)
await generate(jsonlFile)
{
	// The first concurrentRows lines, for the two imports compared.
	const small = createWriteStream(smallFile)
	let left = concurrentRows
	for await (const line of createInterface({ input: createReadStream(jsonlFile) })) {
		if (left-- <= 0) break
		if (!small.write(line + '\n')) await once(small, 'drain')
	}
	small.end()
	await once(small, 'finish')
}

const db = scratchDatabase(`rt_signals_${Date.now()}`)
await db.create()
let alone: Import
let withJob: Import
let concurrentCompute: Compute
let compute: Compute
let page: Page
let reference: { seconds: number; groups: number | null; finished: boolean }
let ours: { groups: number }
let overlapSeconds: number
let big!: Import
try {
	big = await child<Import>('bench/import-worker.ts', ['ours', jsonlFile, String(rows)], db.url)
	console.log(`import of ${rows.toLocaleString()}: ${Math.round(big.rowsPerSecond).toLocaleString()} rows/s`)
	compute = await child<Compute>('bench/signals-worker.ts', ['compute'], db.url)
	console.log(`signals alone: ${compute.seconds.toFixed(1)} s, peak RSS ${Math.round(compute.peakRssBytes / 2 ** 20)} MB`)
	page = await child<Page>('bench/signals-worker.ts', ['page', compute.versionId, String(repeat)], db.url)
	console.log(`page data p50 ${page.stats.p50.toFixed(1)} ms, p95 ${page.stats.p95.toFixed(1)} ms`)

	alone = await child<Import>('bench/import-worker.ts', ['ours', smallFile, String(concurrentRows)], db.url)
	console.log(`import of ${concurrentRows.toLocaleString()} alone ${Math.round(alone.rowsPerSecond).toLocaleString()} rows/s (its job queued, not running)`)
	// The big version's computation queued again, ahead of the one that import queued (as a re-import would, but first in line).
	const admin = postgres(db.url, { max: 1, onnotice: () => {} })
	await admin`update version_signals set status = 'queued', attempts = 0, samples_done = 0, queued_at = now() - interval '1 day' where version_id = ${compute.versionId}`
	await admin.end()
	const t0 = performance.now()
	const importing = child<Import>('bench/import-worker.ts', ['ours', smallFile, String(concurrentRows)], db.url).then((r) => ({ r, at: performance.now() }))
	const computing = child<Compute>('bench/signals-worker.ts', ['compute'], db.url).then((r) => ({ r, at: performance.now() }))
	const [i2, c1] = await Promise.all([importing, computing])
	withJob = i2.r
	concurrentCompute = c1.r
	if (concurrentCompute.versionId !== compute.versionId) throw new Error('the job computed another version while the import ran')
	overlapSeconds = (Math.min(i2.at, c1.at) - t0) / 1000
	console.log(`import while the job runs ${Math.round(withJob.rowsPerSecond).toLocaleString()} rows/s; that job took ${concurrentCompute.seconds.toFixed(1)} s`)

	const sql = postgres(db.url, { max: 1, onnotice: () => {} })
	try {
		const [v] = await sql<{ import_id: string }[]>`select import_id from version_signals where version_id = ${compute.versionId}`
		const [listed] = await sql<{ groups: number }[]>`select coalesce(sum(jsonb_array_length(terms)), 0)::int as groups from signal_values where version_id = ${compute.versionId}`
		ours = listed!
		await sql`vacuum analyze samples`
		// Enough memory for the grouping to stay in memory (with the default 4 MB it spills to disk).
		await sql`set work_mem = '512MB'`
		const value = (a: string) => `s.metadata #>> '{${a.split('.').join(',')}}'`
		await sql.unsafe(`set statement_timeout = '${referenceMinutes}min'`)
		const started = performance.now()
		const rowsOrCancelled = await sql
			.unsafe<{ groups: number }[]>(
				`select count(*)::int as groups from (
				select ${ATTRIBUTES.map((a, i) => `${value(a)} as a${i}`).join(', ')}, w.lexeme, sum(cardinality(w.positions)) as occurrences, count(*) as samples
				from samples s cross join lateral unnest(s.search_vector) w
				where s.import_id = $1
				group by grouping sets (${ATTRIBUTES.map((_, i) => `(a${i}, w.lexeme)`).join(', ')})
			) t`,
				[v!.import_id],
			)
			.catch((error: { code?: string }) => {
				if (error.code === '57014') return null
				throw error
			})
		reference = { seconds: (performance.now() - started) / 1000, groups: rowsOrCancelled?.[0]?.groups ?? null, finished: !!rowsOrCancelled }
		console.log(`reference aggregation ${reference.finished ? '' : 'cancelled after '}${reference.seconds.toFixed(1)} s`)
	} finally {
		await sql.end()
	}
} finally {
	await db.drop()
	await db.admin.end()
	rmSync(jsonlFile, { force: true })
	rmSync(smallFile, { force: true })
}

const importRatio = withJob.rowsPerSecond / alone.rowsPerSecond
// The 1-, 5- and 15-minute load averages when the run ended: other work on the machine shows here.
const loadAverage = os.loadavg().map((l) => Math.round(l * 10) / 10)
const report = {
	date: new Date().toISOString(),
	machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage },
	rows,
	attributes: ATTRIBUTES,
	import: { big, alone, withJob, ratio: importRatio, overlapSeconds },
	compute,
	concurrentCompute,
	reference,
	page,
	listedTerms: ours.groups,
}
writeFileSync(path.join(out, `${name}.json`), JSON.stringify(report, null, 2))
writeFileSync(path.join(out, `${name}.md`), markdown())
console.log(`\nWritten to bench/.out/${name}.json and ${name}.md`)

function markdown(): string {
	const n = (x: number) => Math.round(x).toLocaleString('en-US')
	const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`
	const s = (x: number) => `${x.toFixed(1)} s`
	const mb = (b: number) => `${n(b / 2 ** 20)} MB`
	const met = (ok: boolean) => (ok ? 'met' : 'not met')
	const command = `\`npm run bench -- --only ${name}\` (= \`npm run bench:signals -- --rows ${rows} --concurrent-rows ${concurrentRows} --name ${name}\`)`
	const skipped = page.skipped.length ? ` (skipped: ${JSON.stringify(page.skipped)})` : ''
	return `## Caricature signals, ${n(rows)} samples (${command})

What is measured, on PostgreSQL: ${n(rows)} samples with the text of the search benchmark (eight
scripts: French, Russian, Arabic, Hindi, Chinese, Japanese, Thai, Korean; 20–40 words each from a
skewed vocabulary, a few words planted per region and occupation) and ${ATTRIBUTES.length} categorical metadata
attributes (${ATTRIBUTES.map((a) => `\`${a}\``).join(', ')}; 2 to 40 values each, some non-ASCII),
imported with \`runImport()\`, whose publishing transaction queues the signals job (decision 045).

**The job** (\`computeNextSignals()\` of app/jobs/signals.server.ts, in a process of its own: claim,
keyset batches of 2,000 samples, the accumulator of app/domain/signals/compute.ts, the result stored
in one transaction) computed ${page.attributes.length} attributes${skipped}, ${n(page.values)} values, ${n(ours.groups)} listed terms.
**Reference**: the same per-value word counts (occurrences and samples per attribute value and
word, no scoring, no distinct-2) done by PostgreSQL in one statement, \`unnest\` of the stored
search words (\`samples.search_vector\`) grouped by \`grouping sets\` of (value, word) for the eight
attributes, \`work_mem\` 512 MB: ${reference.finished ? `${n(reference.groups!)} (value, word) groups` : `it did not finish in ${referenceMinutes} minutes (cancelled; the grouping spills to disk)`}.

| | time | peak RSS |
|---|---:|---:|
| signals job, end to end (alone) | **${s(compute.seconds)}** | **${mb(compute.peakRssBytes)}** |
| reference: one SQL aggregation of the counts | ${reference.finished ? s(reference.seconds) : `> ${s(reference.seconds)} (cancelled)`} | (server) |
| signals job while an import runs | ${s(concurrentCompute.seconds)} | ${mb(concurrentCompute.peakRssBytes)} |

**The import.** The ${n(rows)} samples were imported at ${n(big.rowsPerSecond)} rows/s (peak RSS ${mb(big.peakRssBytes)}).
Then the first ${n(concurrentRows)} of them into a second version alone (its job queued, nothing
computing), and into a third while the job computed the ${n(rows)} samples again (their
computation queued again, first in line; the two overlapped for ${s(overlapSeconds)}):

| import of ${n(concurrentRows)} samples | rows/s | peak RSS |
|---|---:|---:|
| alone | ${n(alone.rowsPerSecond)} | ${mb(alone.peakRssBytes)} |
| while the signals job runs | ${n(withJob.rowsPerSecond)} | ${mb(withJob.peakRssBytes)} |

**The Signals page's data** (the loader's model calls — \`getSignals\`, \`getSignalValues\`,
\`getSignalFlagRates\` — for each of the ${page.attributes.length} attributes, once to warm then ${repeat} times, interleaved):
p50 ${ms(page.stats.p50)}, p95 ${ms(page.stats.p95)}, max ${ms(page.stats.max)} (${page.stats.n} loads).

- Computation under 5 minutes: **${met(compute.seconds < 300)}** (${s(compute.seconds)}; ${reference.finished ? '' : 'under '}${(compute.seconds / reference.seconds).toFixed(2)} × the reference's time).
- Peak RSS of the computing process under 500 MB: **${met(compute.peakRssBytes < 500 * 2 ** 20)}** (${mb(compute.peakRssBytes)}).
- The import no slower while the job runs: **${met(importRatio >= 0.95)}** (${importRatio.toFixed(2)} × the import alone; within 5 % counts as no slower).
- Signals page data p95 < 200 ms: **${met(page.stats.p95 < 200)}** (${ms(page.stats.p95)}).

Notes:
- The import never computes signals: it queues them in its publishing transaction (one upsert and
  a delete of the previous values). What can slow it is the job running beside it on the same
  machine and database; on 2 cores both would compete for the CPU, so the job waits before each
  batch while an import is under way (at most 15 minutes in all, decision 045): the job's time
  while an import runs includes that wait.
- Memory: the job holds exact counts per (value, term) for every term seen at least \`minCount\`
  (5) times (8 bytes a slot in open-addressing tables, or one 32-bit word per counted term once a
  value holds a quarter of them), the dictionary of every distinct term (in typed arrays), and
  the occurrences of rarer terms until they reach \`minCount\` (decision 044: bounded by the
  vocabulary, not by the samples). Text without spaces cut into character bigrams gives millions
  of distinct terms at this size.
- The reference only counts; the job also cuts the words (tokenizing, stop words), counts distinct
  bigrams, scores every (value, word) pair and stores the result, and reads the samples over the
  network in batches.
- Load average when the run ended: ${loadAverage.join(', ')} (1, 5, 15 min) on ${os.cpus().length} cores. On a shared
  machine absolute figures are pessimistic; the reference ran in the same minutes.

Reproduce: ${command}. PostgreSQL comes from \`BENCH_DATABASE_URL\` (a scratch database is created and
dropped). Raw results: \`bench/.out/${name}.json\`.
`
}
