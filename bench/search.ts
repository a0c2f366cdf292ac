/**
 * `npm run bench:search [-- --rows 1000000 --name search-1m]`
 * A multilingual version (bench/search-data.ts: eight scripts, nine metadata keys, one of 5,000
 * values) measured on PostgreSQL, each figure beside its reference in the same run:
 * - import: runImport() of the JSONL file vs a raw COPY of the same rows pre-rendered with the same
 *   search words and facet ids (so both pay for the same GIN indexes);
 * - search: the browse page's results pane (page of 50 + match count) for words of every script,
 *   phrases, exclusions and the language filter; reference, PostgreSQL's own full-text search
 *   ('simple', GIN expression index) for words of the scripts it tokenizes;
 * - facet counts under a filter, from the version's columns in memory once read (decision 053), and
 *   the first read of those columns (cold); references, the hand-written COUNT(*) with the same
 *   filter, the database's recount of every key under it (the fallback path) and the hand-written
 *   GROUP BY of every key under it.
 */
import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { FacetCounter } from '#app/domain/import/facets.ts'
import { canonicalSampleContent } from '#app/domain/sample.ts'
import { searchVector } from '#app/domain/search/text.ts'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { samples, vocabularies } from './search-data.ts'
import { scratchDatabase } from './scratch-db.ts'

const args = process.argv.slice(2)
const arg = (name: string) => {
	const i = args.indexOf(`--${name}`)
	return i >= 0 ? args[i + 1] : undefined
}
const rows = Number(arg('rows') ?? 100_000)
const name = arg('name') ?? 'search'
const repeat = arg('repeat') ?? '5'
const out = path.resolve('bench/.out')
mkdirSync(out, { recursive: true })

async function generate(jsonlFile: string, copyFile: string) {
	const jsonl = createWriteStream(jsonlFile)
	const copy = createWriteStream(copyFile)
	const facets = new FacetCounter()
	let nextId = 1
	const escape = (t: string) => t.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'))
	for (const s of samples(rows, vocabularies())) {
		jsonl.write(JSON.stringify(s) + '\n')
		if (facets.idsLeft < 64) facets.addIds({ next: nextId, end: (nextId += 1024) })
		const ids = `{${facets.add(s.metadata, s.language).join(',')}}`
		const hash = sha256Hex(canonicalSampleContent({ content: s.content }))
		copy.write(
			['00000000-0000-0000-0000-000000000000', s.id, escape(s.content), '\\N', '\\N', '\\N', s.language, escape(JSON.stringify(s.metadata)), hash, escape(searchVector(s.content)), ids].join('\t') +
				'\n',
		)
		if (jsonl.writableNeedDrain) await once(jsonl, 'drain')
		if (copy.writableNeedDrain) await once(copy, 'drain')
	}
	jsonl.end()
	copy.end()
	await Promise.all([once(jsonl, 'finish'), once(copy, 'finish')])
}

type Import = { mode: string; rows: number; seconds: number; rowsPerSecond: number; peakRssBytes: number }
type Stats = { n: number; p50: number; p95: number; max: number }
type Queries = {
	search: Stats
	ftsOurs: Stats
	ftsReference: Stats
	facets: Stats
	facetsSql: Stats
	facetIndex: { coldMs: Stats; bytes: number; rssGrowthBytes: number; mismatches: number }
	countReference: Stats
	groupReference: Stats
	searchMatches: Stats
	facetMatches: Stats
	queries: Record<string, number>
	repeat: number
}

function child(file: string, argv: string[], env: Record<string, string>): string {
	// Production refuses to start on PostgreSQL without a public origin (decision 024); these workers send no email.
	const childEnv: NodeJS.ProcessEnv = { APP_URL: 'http://localhost:3000', ...process.env, ...env, NODE_ENV: 'production', SEED_DEMO: 'false' }
	const output = execFileSync(process.execPath, ['--import', 'tsx', file, ...argv], { env: childEnv, encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] })
	return output.trim().split('\n').pop()!
}

const jsonlFile = path.join(out, `search-${rows}.jsonl`)
const copyFile = path.join(out, `search-${rows}.copy`)
// --database URL: only the queries, on a database an earlier import of these same rows filled (the
// import is then not measured, and the section says so).
const reuse = arg('database')
let ours: Import | null = null
let copy: Import | null = null
let queries: Queries
if (reuse) {
	queries = JSON.parse(child('bench/search-worker.ts', [repeat], { DATABASE_URL: reuse })) as Queries
} else {
	console.log(`Generating ${rows.toLocaleString()} multilingual samples…`)
	await generate(jsonlFile, copyFile)
	const a = scratchDatabase(`rt_search_copy_${Date.now()}`)
	await a.create()
	copy = JSON.parse(child('bench/import-worker.ts', ['copy', copyFile, String(rows)], { DATABASE_URL: a.url })) as Import
	await a.drop()
	await a.admin.end()
	console.log(`raw COPY ${Math.round(copy.rowsPerSecond).toLocaleString()} rows/s`)
	const b = scratchDatabase(`rt_search_${Date.now()}`)
	await b.create()
	try {
		ours = JSON.parse(child('bench/import-worker.ts', ['ours', jsonlFile, String(rows)], { DATABASE_URL: b.url })) as Import
		console.log(`ours ${Math.round(ours.rowsPerSecond).toLocaleString()} rows/s (ratio ${(ours.rowsPerSecond / copy.rowsPerSecond).toFixed(2)})`)
		await b.admin.unsafe('select 1')
		queries = JSON.parse(child('bench/search-worker.ts', [repeat], { DATABASE_URL: b.url })) as Queries
	} finally {
		await b.drop()
		await b.admin.end()
	}
}
const ratio = ours && copy ? ours.rowsPerSecond / copy.rowsPerSecond : null
console.log(JSON.stringify(queries, null, 1))

// The 1-, 5- and 15-minute load averages when the run ended: other work on the machine shows here.
const loadAverage = os.loadavg().map((l) => Math.round(l * 10) / 10)
const report = {
	date: new Date().toISOString(),
	machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage },
	rows,
	import: { ours, copy, ratio },
	queries,
}
writeFileSync(path.join(out, `${name}.json`), JSON.stringify(report, null, 2))
writeFileSync(path.join(out, `${name}.md`), markdown())
console.log(`\nWritten to bench/.out/${name}.json and ${name}.md`)

function markdown(): string {
	const n = (x: number) => Math.round(x).toLocaleString('en-US')
	const importSection = () =>
		!ours || !copy
			? `**Import.** Not measured in this run: the queries ran on a database an earlier import of the same
rows had filled (\`--database\`); a full run (the command below) measures it beside raw COPY.`
			: `**Import.** Ours streams the JSONL file through \`runImport()\` (the upload's code path, now also
cutting every sample's words and numbering its metadata values); the reference is a raw COPY of the
same rows pre-rendered with the same search words and facet ids, into a table with the same
indexes (GIN over the search words, over the facet ids and over the metadata).

| | rows/s | peak RSS |
|---|---:|---:|
| ours | ${n(ours.rowsPerSecond)} | ${n(ours.peakRssBytes / 2 ** 20)} MB |
| raw COPY | ${n(copy.rowsPerSecond)} | ${n(copy.peakRssBytes / 2 ** 20)} MB |`
	const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`
	const q = queries
	const row = (what: string, s: Stats, reference: string, r: Stats) => `| ${what} | ${ms(s.p50)} | **${ms(s.p95)}** | ${reference} | ${ms(r.p50)} | ${ms(r.p95)} |`
	const met = (ok: boolean) => (ok ? 'met' : 'not met')
	const blank = (line: string) => line.replace(/^\| \| [^|]+\| \*\*[^|]+\*\* /, '| | | ')
	const command = name === 'search' ? '`npm run bench:search`' : `\`npm run bench -- --only ${name}\` (= \`npm run bench:search -- --rows ${rows} --name ${name}\`)`
	return `## Multilingual search and facets, ${n(rows)} samples (${command})

What is measured, on PostgreSQL: ${n(rows)} samples in eight scripts (French with diacritics,
Russian, Arabic, Hindi; Chinese, Japanese and Thai written without spaces; Korean), 20–40 words
each from a skewed vocabulary, and nine metadata keys (region and topic with non-ASCII values,
persona.identity with up to 5,000 distinct values, persona.age, persona.gender, prompt_id, model,
quality, and a ref unique per sample, which becomes a search field).

${importSection()}

**Queries** (each request once to warm, then ${q.repeat} times, interleaved; p50 and p95 over all).
Search: the results pane's page of 50 and exact match count, for ${q.queries.search} queries: a
common, a middling and a rare word of each script, a quoted phrase, a word with an exclusion and a
word with the language filter (matches per query: median ${n(q.searchMatches.p50)}, max ${n(q.searchMatches.max)}).
Facets: every listed key's top values with exact counts under ${q.queries.facets} filters (one value of
a small key, of the 5,000-value key, two keys, two values of one key, a search, a language and a
key), plus the match count (matches: median ${n(q.facetMatches.p50)}, max ${n(q.facetMatches.max)}).

| what | ours p50 | ours p95 | reference | ref. p50 | ref. p95 |
|---|---:|---:|---|---:|---:|
${row('search, every script', q.search, '—', q.search).replace(/\| — \|.*$/, '| — | | |')}
${row(`search, ${q.queries.fts} words of French, Russian, Arabic, Hindi`, q.ftsOurs, "PostgreSQL full-text search ('simple')", q.ftsReference)}
${row('facet counts under a filter (all keys + match count), columns in memory', q.facets, 'hand-written COUNT(*), same filter', q.countReference)}
${blank(row('', q.facets, 'the database recounting every key under the filter (fallback path)', q.facetsSql))}
${blank(row('', q.facets, 'hand-written GROUP BY of the 8 keys, same filter', q.groupReference))}

- Search p95 < 200 ms: **${met(q.search.p95 < 200)}** (${ms(q.search.p95)}).
- Facet counts under a filter p95 < 300 ms (warm: the version's columns in the process): **${met(q.facets.p95 < 300)}** (${ms(q.facets.p95)}); every filter's counts and match count equal the database's recount: **${q.facetIndex.mismatches === 0 ? 'yes' : `no, ${q.facetIndex.mismatches} differ`}**.
- Cold (the first facet request for the version in a process reads its columns): ${ms(q.facetIndex.coldMs.p50)} (max ${ms(q.facetIndex.coldMs.max)} over ${q.facetIndex.coldMs.n} reads); the columns hold ${n(q.facetIndex.bytes / 2 ** 20)} MB (the process's RSS grew ${n(q.facetIndex.rssGrowthBytes / 2 ** 20)} MB).
${ratio === null ? '- Import ≥ 0.5 × raw COPY: not measured in this run (see above).' : `- Import ≥ 0.5 × raw COPY with the new indexes on both sides: **${met(ratio >= 0.5)}** (${ratio.toFixed(2)}).`}

Notes:
- PostgreSQL's own full-text search finds nothing inside Chinese, Japanese or Thai sentences (a whole
  run is one token), so it is a reference only for the scripts it tokenizes.
- Load average when the run ended: ${loadAverage.join(', ')} (1, 5, 15 min) on ${os.cpus().length} cores. On a shared
  machine absolute figures are pessimistic; the reference columns ran in the same minutes.
- PGlite is not measured here (a million samples is a PostgreSQL deployment); the test suite checks
  that search and facets give the same results on both.

Reproduce: ${command}. PostgreSQL comes from \`BENCH_DATABASE_URL\` (scratch databases are created and
dropped). Raw results: \`bench/.out/${name}.json\`.
`
}
