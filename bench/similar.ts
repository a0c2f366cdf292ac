/**
 * `npm run bench -- --only similar-1m` (= `tsx bench/similar.ts --rows 1000000 --name similar-1m`);
 * `npm run bench:similar [-- --rows 50000]` for a quick run.
 * Similar samples at scale (issue #22, decisions 052/055), on PostgreSQL, side by side in one run:
 * - the import alone: runImport() of a JSONL file of templated text with planted near-duplicate
 *   families (bench/search-data.ts templatedSamples(): eight scripts, about a tenth of the samples
 *   in families of 2–50), in its own process; it only queues the index;
 * - the index job on that import (buildNextSimilarity(): claim, keyset batches, MinHash bands into
 *   the BandGrouper, band groups stored in one transaction), in its own process after the import,
 *   for its time beside the import's and its peak RSS;
 * - lookups: findSimilar() at the default threshold for family members and singletons, timed one by
 *   one, with the text index alone and again (other sources) with the template × persona keys marked;
 * - quality: a 20,000-text corpus of planted near-duplicates in three scripts (tests/similar-corpus.ts)
 *   through the import, the job and findSimilar(), against the brute-force exact Jaccard.
 */
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import postgres from 'postgres'
import { makeRandom, templatedSamples, vocabularies } from './search-data.ts'
import { scratchDatabase } from './scratch-db.ts'
import type { Build, LookupPlan, Lookups, Quality } from './similar-worker.ts'

const args = process.argv.slice(2)
const arg = (name: string) => {
	const i = args.indexOf(`--${name}`)
	return i >= 0 ? args[i + 1] : undefined
}
const rows = Number(arg('rows') ?? 50_000)
const name = arg('name') ?? 'similar'
/** Lookups per measured set (half family members, half singletons); two sets, without and with the template × persona keys. */
const lookups = Number(arg('lookups') ?? 200)
const qualityRows = Number(arg('quality-rows') ?? 20_000)
const out = path.resolve('bench/.out')
mkdirSync(out, { recursive: true })
const loadAtStart = os.loadavg().map((l) => Math.round(l * 10) / 10)

type Import = { mode: string; rows: number; seconds: number; rowsPerSecond: number; peakRssBytes: number }

const run = promisify(execFile)
async function child<T>(file: string, argv: string[], url: string): Promise<T> {
	// Production refuses to start on PostgreSQL without a public origin (decision 024); these workers send no email.
	const env: NodeJS.ProcessEnv = { APP_URL: 'http://localhost:3000', ...process.env, DATABASE_URL: url, NODE_ENV: 'production', SEED_DEMO: 'false' }
	const p = run(process.execPath, ['--import', 'tsx', file, ...argv], { env, encoding: 'utf8', maxBuffer: 1 << 24 })
	p.child.stderr?.pipe(process.stderr)
	const { stdout } = await p
	return JSON.parse(stdout.trim().split('\n').pop()!) as T
}

const jsonlFile = path.join(out, `similar-${rows}.jsonl`)
const planFiles = { text: path.join(out, `similar-${rows}-text.json`), keys: path.join(out, `similar-${rows}-keys.json`) }

/** Writes the file; returns the two lookup plans (disjoint sources) and the world's shape. */
async function generate() {
	const jsonl = createWriteStream(jsonlFile)
	const families = new Map<number, string[]>()
	// A reservoir of singletons, the sources and warm-ups of both plans.
	const wanted = lookups + 20
	const singles: string[] = []
	const r = makeRandom(99)
	let seen = 0
	for (const s of templatedSamples(rows, vocabularies())) {
		const { family, ...sample } = s
		if (family !== null) {
			const members = families.get(family)
			if (members) members.push(s.id)
			else families.set(family, [s.id])
		} else if (++seen <= wanted) singles.push(s.id)
		else {
			// Reservoir sampling: each singleton is kept with the same chance.
			const j = Math.floor(r() * seen)
			if (j < wanted) singles[j] = s.id
		}
		jsonl.write(JSON.stringify(sample) + '\n')
		if (jsonl.writableNeedDrain) await once(jsonl, 'drain')
	}
	jsonl.end()
	await once(jsonl, 'finish')
	const order = [...families.keys()]
	for (let i = order.length - 1; i > 0; i--) {
		const j = Math.floor(r() * (i + 1))
		;[order[i], order[j]] = [order[j]!, order[i]!]
	}
	const familySource = (f: number) => {
		const members = families.get(f)!
		return { id: members[Math.floor(r() * members.length)]!, family: members }
	}
	const half = Math.floor(lookups / 2)
	const take = (from: number): LookupPlan => {
		const fam = order.slice(from * half + 10, (from + 1) * half + 10).map(familySource)
		const single = singles.slice(20 + from * half, 20 + (from + 1) * half).map((id) => ({ id, family: null }))
		// Interleaved, so both kinds meet the same moments of the machine.
		const sources = Array.from({ length: Math.max(fam.length, single.length) }, (_, i) => [fam[i], single[i]])
			.flat()
			.filter((x) => !!x)
		const warm = [...order.slice(from * 5, from * 5 + 5).map((f) => familySource(f).id), ...singles.slice(from * 10, from * 10 + 5)]
		return { warm, sources }
	}
	let inFamilies = 0
	for (const m of families.values()) inFamilies += m.length
	return { text: take(0), keys: take(1), families: families.size, inFamilies }
}

console.log(`Generating ${rows.toLocaleString()} templated samples with near-duplicate families…`)
const g0 = performance.now()
const world = await generate()
const generateSeconds = (performance.now() - g0) / 1000
writeFileSync(planFiles.text, JSON.stringify(world.text))
writeFileSync(planFiles.keys, JSON.stringify(world.keys))
const fileBytes = statSync(jsonlFile).size
console.log(`${world.families.toLocaleString()} families holding ${world.inFamilies.toLocaleString()} samples; ${(fileBytes / 2 ** 20).toFixed(0)} MB of JSONL (${generateSeconds.toFixed(0)} s)`)

let quality: Quality
let imported: Import
let build: Build
let textLookups: Lookups
let keyLookups: Lookups
{
	const q = scratchDatabase(`rt_similar_q_${Date.now()}`)
	await q.create()
	try {
		quality = await child<Quality>('bench/similar-worker.ts', ['quality', String(qualityRows)], q.url)
	} finally {
		await q.drop()
		await q.admin.end()
	}
	const t = totals(quality)
	console.log(`quality (${quality.rows.toLocaleString()} texts, ${quality.sources.toLocaleString()} sources): recall ${t.recall.toFixed(3)}, precision ${t.precision.toFixed(3)}`)
}
const db = scratchDatabase(`rt_similar_${Date.now()}`)
await db.create()
try {
	imported = await child<Import>('bench/import-worker.ts', ['ours', jsonlFile, String(rows)], db.url)
	console.log(
		`import of ${rows.toLocaleString()}: ${imported.seconds.toFixed(1)} s, ${Math.round(imported.rowsPerSecond).toLocaleString()} rows/s, peak RSS ${Math.round(imported.peakRssBytes / 2 ** 20)} MB`,
	)
	build = await child<Build>('bench/similar-worker.ts', ['build'], db.url)
	console.log(
		`index job: ${build.seconds.toFixed(1)} s (${(build.seconds / imported.seconds).toFixed(2)} × the import), peak RSS ${Math.round(build.peakRssBytes / 2 ** 20)} MB (${Math.round(build.rssBeforeBytes / 2 ** 20)} MB before it started), ${build.index.rows.toLocaleString()} band groups`,
	)
	textLookups = await child<Lookups>('bench/similar-worker.ts', ['lookup', build.versionId, planFiles.text], db.url)
	console.log(`lookups (text index): p50 ${textLookups.all.p50.toFixed(1)} ms, p95 ${textLookups.all.p95.toFixed(1)} ms, max ${textLookups.all.max.toFixed(1)} ms`)
	const admin = postgres(db.url, { max: 1, onnotice: () => {} })
	await admin`update versions set template_key = 'template', persona_key = 'persona' where id = ${build.versionId}`
	await admin.end()
	keyLookups = await child<Lookups>('bench/similar-worker.ts', ['lookup', build.versionId, planFiles.keys], db.url)
	console.log(`lookups (text + template × persona): p50 ${keyLookups.all.p50.toFixed(1)} ms, p95 ${keyLookups.all.p95.toFixed(1)} ms, max ${keyLookups.all.max.toFixed(1)} ms`)
} finally {
	await db.drop()
	await db.admin.end()
	rmSync(jsonlFile, { force: true })
	rmSync(planFiles.text, { force: true })
	rmSync(planFiles.keys, { force: true })
}

function totals(qq: Quality) {
	const all = Object.values(qq.perScript).reduce((a, s) => ({ truth: a.truth + s.truth, found: a.found + s.found, correct: a.correct + s.correct }), { truth: 0, found: 0, correct: 0 })
	const ratio = (x: number, y: number) => (y ? x / y : 1)
	const each = Object.entries(qq.perScript).map(([script, s]) => ({ script, ...s, recall: ratio(s.correct, s.truth), precision: ratio(s.correct, s.found) }))
	return { ...all, recall: ratio(all.correct, all.truth), precision: ratio(all.correct, all.found), each }
}

const jobRatio = build.seconds / imported.seconds
const q = totals(quality)
const targets = {
	lookup: textLookups.all.p95 < 300,
	lookupWithKeys: keyLookups.all.p95 < 300,
	jobRatio: jobRatio <= 0.5,
	peakRss: build.peakRssBytes < 400 * 2 ** 20,
	recall: q.each.every((s) => s.recall >= 0.9),
	precision: q.each.every((s) => s.precision >= 0.95),
}
// The 1-, 5- and 15-minute load averages at the start and at the end: other work on the machine shows here.
const loadAverage = os.loadavg().map((l) => Math.round(l * 10) / 10)
const report = {
	date: new Date().toISOString(),
	machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAtStart, loadAverage },
	rows,
	world: { families: world.families, inFamilies: world.inFamilies, fileBytes, generateSeconds },
	import: imported,
	build,
	jobRatio,
	lookups: { text: textLookups, keys: keyLookups },
	quality: { ...quality, recall: q.recall, precision: q.precision },
	targets,
}
writeFileSync(path.join(out, `${name}.json`), JSON.stringify(report, null, 2))
writeFileSync(path.join(out, `${name}.md`), markdown())
console.log(
	`\nTargets: ${Object.entries(targets)
		.map(([k, ok]) => `${k} ${ok ? 'met' : 'NOT met'}`)
		.join(', ')}`,
)
console.log(`Written to bench/.out/${name}.json and ${name}.md`)

function markdown(): string {
	const n = (x: number) => Math.round(x).toLocaleString('en-US')
	const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`
	const s = (x: number) => `${x.toFixed(1)} s`
	const mb = (b: number) => `${n(b / 2 ** 20)} MB`
	const met = (ok: boolean) => (ok ? 'met' : 'not met')
	const f3 = (x: number) => x.toFixed(3)
	const command = name === 'similar' ? `\`npm run bench:similar -- --rows ${rows}\`` : `\`npm run bench -- --only ${name}\` (= \`npm run bench:similar -- --rows ${rows} --name ${name}\`)`
	const l = (x: Lookups) => `| ${ms(x.all.p50)} | **${ms(x.all.p95)}** | ${ms(x.all.max)} | ${ms(x.family.p95)} | ${ms(x.single.p95)} | ${n(x.candidates.p50)} / ${n(x.candidates.max)} | ${x.capped} |`
	const planted = (x: Lookups) => `${n(x.planted.found)} of ${n(x.planted.truth)}`
	return `## Similar samples, ${n(rows)} samples (${command})

What is measured, on PostgreSQL: ${n(rows)} samples of templated text in eight scripts (French,
Russian, Arabic, Hindi, Chinese, Japanese, Thai, Korean; each text a template's opening of 8 words
with 2 slots, one of 40 templates per script, then 2–4 clauses of 6–12 words from a skewed
vocabulary; a template and a persona in the metadata). ${n(world.inFamilies)} of them (${((100 * world.inFamilies) / rows).toFixed(0)} %) are in ${n(world.families)}
planted families of 2–50 near-duplicates (a text and variants of it with 10–30 % of the words
substituted, inserted or deleted, clauses swapped half the time; \`templatedSamples()\` of
bench/search-data.ts); the rest are distinct.

**The import and the index, side by side.** The import (\`runImport()\` of the ${n(fileBytes / 2 ** 20)} MB JSONL file,
in a process of its own) only queues the index in its publishing transaction; the index job
(\`buildNextSimilarity()\` of app/jobs/similar.server.ts, decision 055, in a process of its own
started after the import: claim, keyset batches of 2,000 samples, each text's 32 MinHash bands into
the \`BandGrouper\`, the band values two or more samples share stored in one transaction) then runs
on that import. The import itself is unchanged by the index: the job's time is added after
publishing, while the version's similar texts are "still building".

| | time | peak RSS |
|---|---:|---:|
| import alone (${n(imported.rowsPerSecond)} rows/s) | ${s(imported.seconds)} | ${mb(imported.peakRssBytes)} |
| index job on that import (${n(rows / build.seconds)} samples/s) | **${s(build.seconds)}** (${jobRatio.toFixed(2)} × the import) | **${mb(build.peakRssBytes)}** |

The job's process held ${mb(build.rssBeforeBytes)} before the job started (Node, tsx compiling the TypeScript, the
modules the job loads).

The index: ${n(build.index.rows)} band groups${build.index.groups !== build.index.rows ? ` (${n(build.index.groups)} found; values two band positions share by chance are one row)` : ''}, holding
${n(build.index.groupedSamples)} distinct samples, the largest ${n(build.index.largestGroup)} samples; \`sample_band_groups\` takes ${mb(build.index.tableBytes)}.

**Lookups** (\`findSimilar()\` at 0.6, in a process of its own, ${textLookups.all.n} sources each once after ${n(world.text.warm.length)}
warm-up lookups of other samples: half of them members of a planted family, half singletons,
interleaved). First with the text index alone, then for other sources with the version's template
and persona keys marked (the lookup then also reads the samples of the same template × persona
through the metadata's GIN index and compares them too). Candidates: the samples sharing a band
with the source (compared by their exact Jaccard, at most 5,000).

| lookups | p50 | p95 | max | p95 family | p95 singleton | candidates p50 / max | capped |
|---|---:|---:|---:|---:|---:|---:|---:|
| text index | ${l(textLookups).slice(2)}
| text + template × persona | ${l(keyLookups).slice(2)}

Planted family members at or above 0.6 by their exact Jaccard with the source, found: ${planted(textLookups)} and ${planted(keyLookups)}
(samples found outside the source's family: ${textLookups.planted.beyondFamily} and ${keyLookups.planted.beyondFamily}).

**Quality** against the brute force: ${n(quality.rows)} texts of tests/similar-corpus.ts (Latin, Chinese without spaces,
Arabic; ${n(quality.families)} families of a text and three variants, the rest singletons) imported, indexed by the
job, then \`findSimilar()\` at 0.6 for every family member and a quarter as many singletons (${n(quality.sources)} sources),
each compared with the exact Jaccard of the source and every text of the corpus (\`jaccard(shingles(a), shingles(b))\`).

| script | pairs ≥ 0.6 (brute force) | found | of them ≥ 0.6 | recall | precision |
|---|---:|---:|---:|---:|---:|
${q.each.map((e) => `| ${e.script} | ${n(e.truth)} | ${n(e.found)} | ${n(e.correct)} | ${f3(e.recall)} | ${f3(e.precision)} |`).join('\n')}
| all | ${n(q.truth)} | ${n(q.found)} | ${n(q.correct)} | **${f3(q.recall)}** | **${f3(q.precision)}** |

- Similar-sample lookup p95 < 300 ms at ${n(rows)} samples: **${met(targets.lookup)}** (${ms(textLookups.all.p95)}); with the template × persona keys marked: **${met(targets.lookupWithKeys)}** (${ms(keyLookups.all.p95)}).
- Building the index adds at most 50 % to the import's time: **${met(targets.jobRatio)}** (the job took ${jobRatio.toFixed(2)} × the import's ${s(imported.seconds)}; it runs after the import is published, which it does not slow).
- Peak RSS of the process building the index < 400 MB: **${met(targets.peakRss)}** (${mb(build.peakRssBytes)}).
- Recall ≥ 0.9 and precision ≥ 0.95 at 0.6 against the exact Jaccard, in every script: recall **${met(targets.recall)}** (${q.each.map((e) => `${e.script} ${f3(e.recall)}`).join(', ')}), precision **${met(targets.precision)}** (${q.each.map((e) => `${e.script} ${f3(e.precision)}`).join(', ')}).

Notes:
- Precision is 1 by construction: \`findSimilar\` reports a text only when its exact Jaccard is at
  or above the threshold. Recall is the bands' (32 × 4: a pair at 0.6 shares a band with
  probability 0.988) and the candidate cap's.
- The quality corpus is indexed in a scratch database of its own (import ${s(quality.importSeconds)}, job ${s(quality.buildSeconds)});
  the brute force took ${s(quality.bruteForceSeconds)}.
- The peak RSS is the build process's \`maxRSS\`, with the heap's growth capped as the server's
  processes run (\`capHeapGrowth()\`); the BandGrouper alone holds 128 bytes a sample.
- Load average at the start and at the end: ${loadAtStart.join(', ')} and ${loadAverage.join(', ')} (1, 5, 15 min) on ${os.cpus().length} cores. On a
  shared machine absolute times are pessimistic; the import and the job ran minutes apart.

Reproduce: ${command}. PostgreSQL comes from \`BENCH_DATABASE_URL\` (scratch databases are created
and dropped). Raw results: \`bench/.out/${name}.json\`.
`
}
