/**
 * `npm run bench:parquet [-- --rows 1000000 --name parquet-1m]`
 * Parquet import (issue #23) on PostgreSQL, side by side in one run: a Parquet file of N rows (id,
 * content, language, flat metadata columns of four types and a nested struct, written with
 * hyparquet-writer in row groups of ROW_GROUP rows, Snappy-compressed) taken the way the API's
 * upload takes it (spooled, footer checked, read by row group and row range into runImport()), beside a
 * raw COPY of the same rows pre-rendered with the same search words, facet ids and hashes, into a
 * table with the same indexes (bench/raw-copy.ts). Each side in its own process (its peak RSS).
 */
import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type SchemaElement } from 'hyparquet-writer'
import { FacetCounter } from '#app/domain/import/facets.ts'
import { parquetRowToSample } from '#app/domain/import/parquet-row.ts'
import { canonicalSampleContent } from '#app/domain/sample.ts'
import { searchVector } from '#app/domain/search/text.ts'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { parquetChunks } from '#app/utils/parquet-stream.server.ts'
import { samples, vocabularies } from './search-data.ts'
import { scratchDatabase } from './scratch-db.ts'

const args = process.argv.slice(2)
const arg = (name: string) => {
	const i = args.indexOf(`--${name}`)
	return i >= 0 ? args[i + 1] : undefined
}
const rows = Number(arg('rows') ?? 100_000)
const name = arg('name') ?? 'parquet'
/** Rows per row group of the written file (the import holds one row group at a time). */
const ROW_GROUP = Number(arg('row-group') ?? 100_000)
const out = path.resolve('bench/.out')
mkdirSync(out, { recursive: true })

const REGIONS = ['Bogotá', 'Île-de-France', '東京', 'القاهرة', 'Lagos', 'Mumbai', 'São Paulo', 'Москва', 'Chiang Mai', '서울', 'Oaxaca', 'Kraków']
type Row = { id: string; content: string; language: string; region: string; prompt_id: bigint; score: number; quality: boolean; persona: { origin: string; age: number; gender: string } }

const text = (name: string, required = false): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: required ? 'REQUIRED' : 'OPTIONAL' })
const SCHEMA: SchemaElement[] = [
	{ name: 'root', num_children: 8 },
	text('id', true),
	text('content'),
	text('language'),
	text('region'),
	{ name: 'prompt_id', type: 'INT64', repetition_type: 'OPTIONAL' },
	{ name: 'score', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
	{ name: 'quality', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
	{ name: 'persona', repetition_type: 'OPTIONAL', num_children: 3 },
	text('origin'),
	{ name: 'age', type: 'INT32', repetition_type: 'OPTIONAL' },
	text('gender'),
]
const COLUMNS = ['id', 'content', 'language', 'region', 'prompt_id', 'score', 'quality', 'persona'] as const

async function* rowBatches(): AsyncGenerator<Row[]> {
	let batch: Row[] = []
	let i = 0
	for (const s of samples(rows, vocabularies())) {
		batch.push({
			id: s.id,
			content: s.content,
			language: s.language,
			region: REGIONS[(i * 7) % REGIONS.length]!,
			prompt_id: BigInt(i % 50),
			score: (i % 1000) / 1000,
			quality: i % 5 !== 0,
			persona: { origin: REGIONS[i % REGIONS.length]!, age: 18 + (i % 60), gender: ['f', 'm', 'x', 'n/a'][i % 4]! },
		})
		i++
		if (batch.length === 10_000) {
			yield batch
			batch = []
		}
	}
	if (batch.length) yield batch
}

/** The Parquet file, and the same rows as the COPY reference sees them (what the import stores, pre-rendered). */
async function generate(parquetFile: string, copyFile: string) {
	const parquet = createWriteStream(parquetFile)
	const copy = createWriteStream(copyFile)
	const facets = new FacetCounter()
	let nextId = 1
	const escape = (t: string) => t.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'))
	async function* copied(): AsyncGenerator<Row[]> {
		for await (const batch of rowBatches()) {
			for (const row of batch) {
				// The sample the importer gets from this row (parquetRowToSample), so the metadata is the same.
				const s = parquetRowToSample(row) as { id: string; content: string; language: string; metadata: Record<string, unknown> }
				if (facets.idsLeft < 64) facets.addIds({ next: nextId, end: (nextId += 1024) })
				const ids = `{${facets.add(s.metadata, s.language).join(',')}}`
				const hash = sha256Hex(canonicalSampleContent({ content: s.content }))
				copy.write(
					['00000000-0000-0000-0000-000000000000', s.id, escape(s.content), '\\N', '\\N', '\\N', s.language, escape(JSON.stringify(s.metadata)), hash, escape(searchVector(s.content)), ids].join(
						'\t',
					) + '\n',
				)
			}
			if (copy.writableNeedDrain) await once(copy, 'drain')
			yield batch
		}
	}
	for await (const chunk of parquetChunks<Row>({ schema: SCHEMA, columns: COLUMNS.map((c) => ({ name: c, value: (r: Row) => r[c] })), batches: copied(), rowGroupRows: ROW_GROUP })) {
		if (!parquet.write(chunk)) await once(parquet, 'drain')
	}
	parquet.end()
	copy.end()
	await Promise.all([once(parquet, 'finish'), once(copy, 'finish')])
}

type Import = { mode: string; rows: number; seconds: number; rowsPerSecond: number; peakRssBytes: number }

function measure(mode: 'parquet' | 'copy' | 'read', file: string, url: string): Import {
	// Production refuses to start on PostgreSQL without a public origin (decision 024); these workers send no email.
	const env: NodeJS.ProcessEnv = { APP_URL: 'http://localhost:3000', ...process.env, DATABASE_URL: url, NODE_ENV: 'production', SEED_DEMO: 'false' }
	const output = execFileSync(process.execPath, ['--import', 'tsx', 'bench/import-worker.ts', mode, file, String(rows)], {
		env,
		encoding: 'utf8',
		maxBuffer: 1 << 24,
		stdio: ['ignore', 'pipe', 'inherit'],
	})
	return JSON.parse(output.trim().split('\n').pop()!) as Import
}

const parquetFile = path.join(out, `parquet-${rows}.parquet`)
const copyFile = path.join(out, `parquet-${rows}.copy`)
console.log(`Writing ${rows.toLocaleString()} rows as Parquet (row groups of ${ROW_GROUP.toLocaleString()})…`)
await generate(parquetFile, copyFile)
const fileBytes = statSync(parquetFile).size

const results: { copy: Import; ours: Import; read: Import } = {} as never
try {
	results.read = measure('read', parquetFile, '')
	console.log(`reading alone: peak RSS ${Math.round(results.read.peakRssBytes / 2 ** 20)} MB`)
	for (const mode of ['copy', 'parquet'] as const) {
		const scratch = scratchDatabase(`rt_parquet_${mode}_${Date.now()}`)
		await scratch.create()
		try {
			const r = measure(mode, mode === 'copy' ? copyFile : parquetFile, scratch.url)
			results[mode === 'copy' ? 'copy' : 'ours'] = r
			console.log(`${mode.padEnd(8)} ${Math.round(r.rowsPerSecond).toLocaleString().padStart(9)} rows/s, peak RSS ${Math.round(r.peakRssBytes / 2 ** 20)} MB`)
		} finally {
			await scratch.drop()
			await scratch.admin.end()
		}
	}
} finally {
	rmSync(parquetFile, { force: true })
	rmSync(copyFile, { force: true })
}
const { ours, copy, read } = results
const ratio = ours.rowsPerSecond / copy.rowsPerSecond
const RSS_LIMIT = 400 * 2 ** 20
const loadAverage = os.loadavg().map((l) => Math.round(l * 10) / 10)
const report = {
	date: new Date().toISOString(),
	machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage },
	rows,
	rowGroup: ROW_GROUP,
	fileBytes,
	ours,
	copy,
	read,
	ratio,
}
writeFileSync(path.join(out, `${name}.json`), JSON.stringify(report, null, 2))
writeFileSync(path.join(out, `${name}.md`), markdown())
console.log(`ratio ${ratio.toFixed(2)}\nWritten to bench/.out/${name}.json and ${name}.md`)

function markdown(): string {
	const n = (x: number) => Math.round(x).toLocaleString('en-US')
	const mb = (b: number) => `${n(b / 2 ** 20)} MB`
	const met = (ok: boolean) => (ok ? 'met' : 'not met')
	const command = name === 'parquet' ? '`npm run bench:parquet`' : `\`npm run bench -- --only ${name}\` (= \`npm run bench:parquet -- --rows ${rows} --name ${name}\`)`
	return `## Parquet import vs raw COPY, ${n(rows)} rows (${command})

What is measured, on PostgreSQL: a Parquet file of ${n(rows)} rows (${mb(fileBytes)}, Snappy, row groups of
${n(ROW_GROUP)} rows, written with hyparquet-writer): \`id\`, \`content\` (the multilingual text of the
search benchmark: eight scripts, 20–40 words), \`language\` and metadata columns — \`region\` (text),
\`prompt_id\` (INT64), \`score\` (DOUBLE), \`quality\` (BOOLEAN) and \`persona\`, a nested struct of
\`origin\`, \`age\` (INT32) and \`gender\`. **Ours** takes it as the API's upload does: the body spooled
to a temporary file, the footer checked, then read by row group and row range (hyparquet) into
\`runImport()\` as JSONL lines (validation, hashing, search words, facet ids, \`COPY … FROM STDIN\`,
publishing). **Raw COPY** is the reference: the same rows, as the importer stores them
(\`parquetRowToSample\`), pre-rendered in COPY text with the same hashes, search words and facet ids,
streamed into a table with the same indexes (bench/raw-copy.ts). Each in its own process on a
fresh database; peak RSS is that process's.

| | rows/s | peak RSS |
|---|---:|---:|
| ours: Parquet upload | ${n(ours.rowsPerSecond)} | ${mb(ours.peakRssBytes)} |
| raw COPY | ${n(copy.rowsPerSecond)} | ${mb(copy.peakRssBytes)} |
| (the Parquet reader alone, no database: \`parquetAsJsonl\`) | ${n(read.rowsPerSecond)} | ${mb(read.peakRssBytes)} |

- Parquet import ≥ 0.5 × raw COPY (issue #23): **${met(ratio >= 0.5)}** (${ratio.toFixed(2)}).
- Peak RSS < 400 MB (issue #23): **${met(ours.peakRssBytes < RSS_LIMIT)}** (${mb(ours.peakRssBytes)}).

Notes:
- The importer reads a row group's small columns (ids, categories, numbers, the persona struct)
  once, and its large ones (the text) 10,000 rows at a time: hyparquet then fetches and decodes
  only the pages holding those rows (by the file's offset index). So its memory no longer grows
  with the row-group size the file was written with (here ${n(ROW_GROUP)} rows; \`--row-group N\` to
  try others; a pipeline's file with one row group of a million rows is read the same way), and
  not with the file. The third row is that reading alone, in the same kind of process doing no
  database work.
- Every process here runs as the server's do, with V8's heap growth capped at 2 × the live heap
  between full collections (app/utils/heap.server.ts, decision 054): hyparquet assembles a struct column
  through short-lived arrays per row, and with V8's default factor (up to 4 ×) that garbage, not
  what the importer holds, set the peak.
- Load average when the run ended: ${loadAverage.join(', ')} (1, 5, 15 min) on ${os.cpus().length} cores. On a shared
  machine absolute figures are pessimistic; the reference ran in the same minutes.

Reproduce: ${command} (\`--rows N\`, \`--row-group N\`). PostgreSQL comes from \`BENCH_DATABASE_URL\`
(scratch databases are created and dropped). Raw results: \`bench/.out/${name}.json\`.
`
}
