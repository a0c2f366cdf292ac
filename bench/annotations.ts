/**
 * `npm run bench:annotations [-- --reuse <db>] [-- --keep] [-- --factor 10] [-- --runs 7]`
 * The annotations export (issue #23, app/models/annotations.server.ts) on the scale benchmark's
 * database: a scratch PostgreSQL database seeded by tests/plan-utils.ts `seedScale` with
 * bench/scale-data.ts `BENCH_SCALE` (10 versions × 100,000 samples, two rounds each, reviews and
 * flags), as bench/scale.ts builds it. One version ("ds-0") is exported, side by side in this run,
 * round-robin after a warm-up:
 *  - ours: the route's Response (streamedDownload of annotationsBody) in JSONL, CSV and Parquet,
 *    read to its last byte;
 *  - the reference: `COPY (select <the same columns of the same rows, same order>) TO STDOUT
 *    (format csv)` read with postgres.js `.readable()`.
 * Rows/s of each, each format's ratio to COPY (the median of each run's own ratio), and how far
 * heap + buffers and RSS rose during a run.
 */
import os from 'node:os'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import postgres from 'postgres'
import { scaledDown } from './scale-data.ts'
import { scratchDatabase } from './scratch-db.ts'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => {
	const i = args.indexOf(`--${name}`)
	return i >= 0 ? args[i + 1]! : fallback
}
const FACTOR = Number(arg('factor', '1'))
const RUNS = Number(arg('runs', '7'))
const WARMUP = 1
const REUSE = arg('reuse', '')
const KEEP = args.includes('--keep') || !!REUSE
const NAME = arg('name', 'annotations')
const TARGET = 0.5
const out = path.resolve('bench/.out')
mkdirSync(out, { recursive: true })

const dbName = REUSE || `rt_bench_annotations_${Date.now()}`
const scratch = scratchDatabase(dbName)
if (!REUSE) await scratch.create()
process.env.DATABASE_URL = scratch.url
process.env.NODE_ENV = 'production'
// Production requires the public origin (decision 024); no link is built here.
process.env.APP_URL ??= 'http://localhost:3000'
const pg = postgres(scratch.url, { max: 1, onnotice: () => {} })

const { migrate, closeDb } = await import('#app/utils/db.server.ts')
const { seedScale } = await import('#tests/plan-utils.ts')
const { annotationsBody } = await import('#app/models/annotations.server.ts')
const { annotationContentTypes, annotationsFilename } = await import('#app/domain/annotations.ts')
const { streamedDownload } = await import('#app/utils/download.server.ts')

let seedSeconds: number | null = null
try {
	await migrate()
	if (!REUSE) {
		console.log(`Seeding the scale benchmark's consultation (factor ${FACTOR})…`)
		const started = performance.now()
		await seedScale(pg, scaledDown(FACTOR))
		seedSeconds = (performance.now() - started) / 1000
		console.log(`  seeded in ${seedSeconds.toFixed(1)} s`)
		await pg`vacuum analyze`
		await pg`checkpoint`
	}

	const [v] = await pg<{ id: string; label: string; slug: string }[]>`
		select v.id, v.label, d.slug from datasets d join versions v on v.dataset_id = d.id where d.slug = 'ds-0'`
	const version = v!

	// The export's rows as the database holds them, in the export's order (rounds by creation; in a
	// round the reviewed samples in file order, then role and number, then the flags as given; then
	// the template feedback). Same filter on who took part. The pseudonym is role and number here;
	// ours also applies the pseudonymity rule and translates the role's label.
	const tookPart = 'p.consented_at is not null and (p.withdrawn_at is null or p.keep_feedback)'
	const flagged = (c: string) => `case when r.verdict = 'flagged' then ${c} end`
	const copySelect = `
		select version, round, round_stage, sample_id, template_target, content, messages, language, metadata, role, pseudonym, verdict, category, severity,
			affected_groups, rationale, quote, rewrite, unsure, skip_reason, issue_number, issue_status, issue_resolution, issue_blocking
		from (
			select ro.created_at as k0, ro.id as k1, 0 as k2, s.id as k3, ''::text as k4, p.role as k5, p.number as k6, f.created_at as k7, f.id as k8,
				'${version.label}' as version, ro.title as round, ro.stage::text as round_stage, s.external_id as sample_id, null::text as template_target,
				s.content, s.messages, s.language, s.metadata, p.role::text as role, p.role || ' ' || p.number as pseudonym,
				case when f.kind = 'comment' then 'commented' else r.verdict::text end as verdict, f.category, f.severity::text as severity,
				coalesce(f.affected_groups, '[]'::jsonb) as affected_groups, ${flagged('f.rationale')} as rationale, ${flagged('f.quoted_span')} as quote,
				${flagged('f.suggested_rewrite')} as rewrite, ${flagged('f.unsure')} as unsure,
				case when r.verdict = 'skipped' then coalesce(r.skip_reason, '') end as skip_reason,
				i.number as issue_number, i.status::text as issue_status, case when i.status = 'resolved' then i.resolution::text end as issue_resolution, i.blocking as issue_blocking
			from rounds ro
			join reviews r on r.round_id = ro.id
			join participants p on p.id = r.participant_id
			join samples s on s.id = r.sample_id
			left join flags f on f.review_id = r.id and r.verdict = 'flagged'
			left join issues i on i.id = f.issue_id
			where ro.version_id = '${version.id}' and ${tookPart}
			union all
			select ro.created_at, ro.id, 1, 0, f.template_target, p.role, p.number, f.created_at, f.id,
				'${version.label}', ro.title, ro.stage::text, null, f.template_target, null, null, null, null, p.role::text, p.role || ' ' || p.number,
				case when f.kind = 'comment' then 'commented' else 'flagged' end, f.category, f.severity::text,
				coalesce(f.affected_groups, '[]'::jsonb), f.rationale, f.quoted_span, f.suggested_rewrite, f.unsure, null,
				i.number, i.status::text, case when i.status = 'resolved' then i.resolution::text end, i.blocking
			from rounds ro
			join flags f on f.round_id = ro.id and f.review_id is null and f.sample_id is null
			join participants p on p.id = f.participant_id
			left join issues i on i.id = f.issue_id
			where ro.version_id = '${version.id}' and ${tookPart}
		) x order by k0, k1, k2, k3, k4, k5, k6, k7, k8`
	const [{ n: copyRows }] = (await pg.unsafe(`select count(*)::int as n from (${copySelect}) c`)) as unknown as [{ n: number }]

	let ourRows = 0
	for await (const batch of (await import('#app/models/annotations.server.ts')).listAnnotations({ versionId: version.id, versionLabel: version.label })) ourRows += batch.length
	if (ourRows !== copyRows) throw new Error(`the reference has ${copyRows} rows, the export ${ourRows}`)
	console.log(`Version ${version.slug} ${version.label}: ${ourRows.toLocaleString()} annotation rows`)

	const gc = (globalThis as { gc?: () => void }).gc
	/** Bytes, time, and how far heap + buffers and RSS rose above where they were before the run (after a GC). */
	async function measure(fn: (onChunk: () => void) => Promise<number>) {
		gc?.()
		const base = process.memoryUsage()
		let heap = 0
		let rss = 0
		const sample = () => {
			const m = process.memoryUsage()
			heap = Math.max(heap, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers)
			rss = Math.max(rss, m.rss - base.rss)
		}
		const t0 = performance.now()
		const bytes = await fn(sample)
		const ms = performance.now() - t0
		sample()
		return { bytes, ms, heap, rss }
	}
	const FORMATS = ['jsonl', 'csv', 'parquet'] as const
	type Format = (typeof FORMATS)[number]
	const ours = async (format: Format, onChunk: () => void) => {
		const response = streamedDownload(
			annotationsFilename(version.slug, version.label, format),
			annotationContentTypes[format],
			annotationsBody({ versionId: version.id, versionLabel: version.label, format }),
		)
		let bytes = 0
		const reader = response.body!.getReader()
		for (;;) {
			const { done, value } = await reader.read()
			if (done) break
			bytes += value.byteLength
			onChunk()
		}
		return bytes
	}
	const copy = async (onChunk: () => void) => {
		// A connection of its own per run, opened before the clock starts (porsager/postgres#917, as in bench/scale.ts).
		const client = postgres(scratch.url, { max: 1, onnotice: () => {} })
		await client`select 1`
		const started = performance.now()
		const stream = await client.unsafe(`copy (${copySelect}) to stdout (format csv, header)`).readable()
		let bytes = 0
		for await (const chunk of stream) {
			bytes += (chunk as Buffer).byteLength
			onChunk()
		}
		const ms = performance.now() - started
		await client.end({ timeout: 0 })
		return { bytes, ms }
	}
	type Run = Awaited<ReturnType<typeof measure>>
	const sides: Record<Format | 'copy', Run[]> = { jsonl: [], csv: [], parquet: [], copy: [] }
	for (let i = 0; i < WARMUP + RUNS; i++) {
		const runs = {} as Record<Format | 'copy', Run>
		for (const format of FORMATS) runs[format] = await measure((s) => ours(format, s))
		// COPY's time is its own (the connection is opened before its clock starts).
		let copyMs = 0
		runs.copy = await measure(async (s) => {
			const r = await copy(s)
			copyMs = r.ms
			return r.bytes
		})
		runs.copy.ms = copyMs
		if (i >= WARMUP) for (const k of Object.keys(runs) as Array<Format | 'copy'>) sides[k].push(runs[k])
		console.log(`  run ${i + 1}: ${(Object.keys(runs) as Array<Format | 'copy'>).map((k) => `${k} ${Math.round(runs[k].ms)} ms`).join(', ')}`)
	}
	const pct = (xs: number[], p: number) => {
		const s = [...xs].sort((a, b) => a - b)
		return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0
	}
	const summarise = (xs: Run[]) => {
		const ms = pct(
			xs.map((x) => x.ms),
			50,
		)
		return {
			p50Ms: ms,
			rowsPerSecond: ourRows / (ms / 1000),
			bytes: xs[0]!.bytes,
			peakHeapGrowthMB: Math.max(...xs.map((x) => x.heap)) / 2 ** 20,
			peakRssGrowthMB: Math.max(...xs.map((x) => x.rss)) / 2 ** 20,
		}
	}
	const results = Object.fromEntries(
		FORMATS.map((f) => {
			const ratios = sides[f].map((o, i) => sides.copy[i]!.ms / o.ms)
			return [f, { ...summarise(sides[f]), ratio: pct(ratios, 50), ratioP25: pct(ratios, 25), ratioP75: pct(ratios, 75) }]
		}),
	) as Record<Format, ReturnType<typeof summarise> & { ratio: number; ratioP25: number; ratioP75: number }>
	const reference = summarise(sides.copy)
	const [counts] = await pg<{ samples: number; reviews: number; flags: number }[]>`
		select (select count(*)::int from samples) as samples, (select count(*)::int from reviews) as reviews, (select count(*)::int from flags) as flags`
	const loadAverage = os.loadavg().map((l) => Math.round(l * 10) / 10)
	const report = {
		date: new Date().toISOString(),
		machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage },
		factor: FACTOR,
		seedSeconds,
		database: counts,
		rows: ourRows,
		runs: RUNS,
		results,
		reference,
	}
	writeFileSync(path.join(out, `${NAME}.json`), JSON.stringify(report, null, 2))
	writeFileSync(path.join(out, `${NAME}.md`), markdown())
	for (const f of FORMATS) console.log(`${f.padEnd(8)} ${Math.round(results[f].rowsPerSecond).toLocaleString()} rows/s, ratio to COPY ${results[f].ratio.toFixed(2)}`)
	console.log(`COPY     ${Math.round(reference.rowsPerSecond).toLocaleString()} rows/s\nWritten to bench/.out/${NAME}.json and ${NAME}.md`)

	function markdown(): string {
		const n = (x: number) => Math.round(x).toLocaleString('en-US')
		const mb = (x: number) => `${x.toFixed(0)} MB`
		const met = (ok: boolean) => (ok ? 'met' : 'not met')
		const label = { jsonl: 'JSONL', csv: 'CSV', parquet: 'Parquet' } as const
		const command = '`npm run bench -- --only annotations` (= `npm run bench:annotations`)'
		const row = (label: string, r: ReturnType<typeof summarise>, ratio: string) =>
			`| ${label} | ${n(r.bytes)} | ${n(r.p50Ms)} ms | ${n(r.rowsPerSecond)} | ${ratio} | ${mb(r.peakHeapGrowthMB)} / ${mb(r.peakRssGrowthMB)} |`
		return `## Annotations export vs \`COPY … TO STDOUT\` (${command})

What is measured, on PostgreSQL: the scale benchmark's consultation (\`seedScale\` of tests/plan-utils.ts
with \`BENCH_SCALE\`${FACTOR > 1 ? ` shrunk ${FACTOR}×` : ''}: ${n(counts!.samples)} samples in 10 versions, ${n(counts!.reviews)} reviews, ${n(counts!.flags)} flags${seedSeconds ? `; seeded in ${Math.round(seedSeconds)} s` : ''}).
The annotations export of one version (dataset \`ds-0\`: ${n(ourRows)} rows, one per flag of a flagged
review, per "no concerns" or "skipped" review, per piece of template feedback) is read to its last
byte as the route sends it (\`streamedDownload\` of \`annotationsBody\`, app/models/annotations.server.ts)
in each format. The reference: \`COPY (select <the same 24 columns of the same rows, same order>) TO
STDOUT (format csv)\`, read with postgres.js \`.readable()\` — the database's own fastest way out.
${RUNS} runs after a warm-up, round-robin (JSONL, CSV, Parquet, COPY); times are medians and each
format's ratio is the median of the runs' own ratios (COPY's time / ours).

| | bytes | time (p50) | rows/s | ratio to COPY (p25–p75) | peak growth: heap + buffers / RSS |
|---|---:|---:|---:|---:|---:|
${FORMATS.map((f) => row(`ours: ${label[f]}`, results[f], `**${results[f].ratio.toFixed(2)}** (${results[f].ratioP25.toFixed(2)}–${results[f].ratioP75.toFixed(2)})`)).join('\n')}
${row('`COPY … TO STDOUT` (CSV)', reference, '1')}

${FORMATS.map((f) => `- ${label[f]} export ≥ ${TARGET} × COPY TO (issue #23): **${met(results[f].ratio >= TARGET)}** (${results[f].ratio.toFixed(2)}).`).join('\n')}

Notes:
- Ours reads the reviews ${'2,000'} samples at a time per round (the next page asked for while one is
  written), names each pseudonym (translated role, the pseudonymity rule) and writes every cell
  (JSONL objects, formula-safe quoted CSV, Parquet row groups of 20,000 rows); COPY sends the
  server's text as it is, its pseudonym only role and number.
- Load average when the run ended: ${loadAverage.join(', ')} (1, 5, 15 min) on ${os.cpus().length} cores. On a shared
  machine absolute figures are pessimistic; each run's COPY ran right after its exports.

Reproduce: ${command} (\`--keep\` keeps the seeded database, \`--reuse <db>\` measures it again without
seeding, \`--runs N\`). PostgreSQL comes from \`BENCH_DATABASE_URL\`. Raw results: \`bench/.out/${NAME}.json\`.
`
	}
} finally {
	await closeDb()
	await pg.end()
	if (!KEEP) await scratch.drop()
	else console.log(`Kept database ${dbName}`)
	await scratch.admin.end()
}
