/**
 * One measured step of bench/similar.ts in its own process (so peak RSS is its own):
 * - `build`: the similar-samples job as the scheduler runs it — buildNextSimilarity() claims the
 *   oldest queued version, streams its samples in keyset batches into the BandGrouper and stores
 *   the band groups. Prints { versionId, seconds, peakRssBytes, index }.
 * - `lookup <versionId> <lookups.json>`: findSimilar() at the default threshold for each source of
 *   the file (after a few warm-up lookups of other samples), timed one by one; for the sources that
 *   belong to a planted family, which of its members are at or above the threshold by their exact
 *   Jaccard and how many of those the lookup found. Prints { all, family, single, … }.
 * - `quality <rows>`: a corpus of planted near-duplicates (tests/similar-corpus.ts, three scripts)
 *   imported into this (fresh) database with runImport(), indexed by the job, then findSimilar()
 *   for every family member and some singletons against the brute force: the exact Jaccard of the
 *   source with every text of the corpus. Prints recall and precision per script.
 */
import { readFileSync } from 'node:fs'
import { capHeapGrowth } from '#app/utils/heap.server.ts'

// As the server's processes run (app/server/index.ts).
capHeapGrowth()

export type Stats = { n: number; p50: number; p95: number; max: number }
export type Build = {
	versionId: string
	seconds: number
	peakRssBytes: number
	/** The process's RSS when the job started (Node, tsx and the modules the job loads). */
	rssBeforeBytes: number
	index: { groups: number; rows: number; tableBytes: number; largestGroup: number; groupedSamples: number }
}
/** The sources of the lookups: external ids, with the members of a source's planted family. */
export type LookupPlan = { warm: string[]; sources: Array<{ id: string; family: string[] | null }> }
export type Lookups = {
	all: Stats
	family: Stats
	single: Stats
	capped: number
	/** Candidates (samples sharing a band with the source) per lookup, before the cap of findSimilar. */
	candidates: Stats
	/** Similar samples found per lookup. */
	found: Stats
	planted: { truth: number; found: number; beyondFamily: number }
	peakRssBytes: number
}
type Script = import('#tests/similar-corpus.ts').Script
export type Quality = {
	rows: number
	families: number
	sources: number
	importSeconds: number
	buildSeconds: number
	perScript: Record<Script, { truth: number; found: number; correct: number }>
	bruteForceSeconds: number
}

const stats = (values: number[]): Stats => {
	const sorted = values.slice().sort((a, b) => a - b)
	const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0
	return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 }
}

const [mode, ...rest] = process.argv.slice(2)

// Each mode loads only the modules it uses, so the build's peak RSS is not the lookups' or the import's.
const { closeDb, db, query } = await import('#app/utils/db.server.ts')
const { sql, eq } = await import('drizzle-orm')
const { sampleBandGroups, versionSimilarity } = await import('#db/schema/similar.ts')
const { buildNextSimilarity } = await import('#app/jobs/similar.server.ts')

if (mode === 'build') {
	const rssBeforeBytes = process.memoryUsage().rss
	const started = performance.now()
	const outcome = await buildNextSimilarity()
	const seconds = (performance.now() - started) / 1000
	if (!outcome || outcome.status !== 'succeeded') throw new Error(`the index was not built: ${JSON.stringify(outcome)}`)
	const peakRssBytes = process.resourceUsage().maxRSS * 1024
	const [row] = await db.select({ importId: versionSimilarity.importId, groups: versionSimilarity.groups }).from(versionSimilarity).where(eq(versionSimilarity.versionId, outcome.versionId))
	const [shape] = await query<{ rows: number; largest: number; grouped: number; bytes: number }>(sql`
		select count(*)::int as rows, coalesce(max(cardinality(sample_ids)), 0)::int as largest,
			(select count(distinct id)::int from ${sampleBandGroups}, unnest(sample_ids) id where import_id = ${row!.importId}) as grouped,
			pg_total_relation_size('sample_band_groups')::bigint as bytes
		from ${sampleBandGroups} where import_id = ${row!.importId}`)
	await closeDb()
	const index = { groups: row!.groups ?? 0, rows: shape!.rows, tableBytes: Number(shape!.bytes), largestGroup: shape!.largest, groupedSamples: shape!.grouped }
	console.log(JSON.stringify({ versionId: outcome.versionId, seconds, peakRssBytes, rssBeforeBytes, index } satisfies Build))
} else if (mode === 'lookup') {
	const { and, inArray } = await import('drizzle-orm')
	const { samples, versions } = await import('#db/schema/datasets.ts')
	const { searchableText } = await import('#app/domain/search/text.ts')
	const { rankCandidates } = await import('#app/domain/similar/groups.ts')
	const { bands, DEFAULT_MIN_SIMILARITY, jaccard, saltOf, shingles, signature } = await import('#app/domain/similar/minhash.ts')
	const { findSimilar } = await import('#app/models/similar.server.ts')
	const [versionId, planFile] = rest as [string, string]
	const plan = JSON.parse(readFileSync(planFile, 'utf8')) as LookupPlan
	const min = DEFAULT_MIN_SIMILARITY
	for (const externalId of plan.warm) await findSimilar({ versionId, externalId, min })
	const times: { ms: number; family: boolean }[] = []
	const results: Array<{ similar: Array<{ externalId: string; shared: string[] }>; capped: boolean }> = []
	for (const source of plan.sources) {
		const started = performance.now()
		const found = await findSimilar({ versionId, externalId: source.id, min })
		times.push({ ms: performance.now() - started, family: !!source.family })
		if (!found || found.index.status !== 'succeeded') throw new Error(`no lookup for ${source.id}: ${JSON.stringify(found?.index)}`)
		results.push(found)
	}
	// Not timed: the candidates each lookup had (what findSimilar ranks before its cap), and the planted family members at or above the threshold.
	const [version] = await db.select({ importId: versions.currentImportId }).from(versions).where(eq(versions.id, versionId))
	const importId = version!.importId!
	const textOf = async (ids: string[]) => {
		const rows = await db
			.select({ externalId: samples.externalId, content: samples.content, messages: samples.messages })
			.from(samples)
			.where(and(eq(samples.importId, importId), inArray(samples.externalId, ids)))
		return new Map(rows.map((r) => [r.externalId, shingles(searchableText(r))]))
	}
	const candidates: number[] = []
	const planted = { truth: 0, found: 0, beyondFamily: 0 }
	for (let i = 0; i < plan.sources.length; i++) {
		const source = plan.sources[i]!
		const sets = await textOf([source.id, ...(source.family ?? [])])
		const set = sets.get(source.id)!
		const [self] = await db
			.select({ id: samples.id })
			.from(samples)
			.where(and(eq(samples.importId, importId), eq(samples.externalId, source.id)))
		const sig = signature(set)
		const groups = sig
			? await query<{ sample_ids: Array<string | number> }>(
					sql`select sample_ids from ${sampleBandGroups} where import_id = ${importId} and band = any(${`{${bands(sig, saltOf(importId)).join(',')}}`}::int[])`,
				)
			: []
		candidates.push(
			rankCandidates(
				groups.map((g) => g.sample_ids.map(Number)),
				self!.id,
				Number.MAX_SAFE_INTEGER,
			).length,
		)
		const text = new Set(results[i]!.similar.filter((s) => s.shared.includes('text')).map((s) => s.externalId))
		if (source.family) {
			const members = new Set(source.family)
			for (const member of source.family) {
				if (member === source.id || jaccard(set, sets.get(member)!) < min) continue
				planted.truth++
				if (text.has(member)) planted.found++
			}
			for (const id of text) if (!members.has(id)) planted.beyondFamily++
		} else planted.beyondFamily += text.size
	}
	const peakRssBytes = process.resourceUsage().maxRSS * 1024
	await closeDb()
	const out: Lookups = {
		all: stats(times.map((t) => t.ms)),
		family: stats(times.filter((t) => t.family).map((t) => t.ms)),
		single: stats(times.filter((t) => !t.family).map((t) => t.ms)),
		capped: results.filter((r) => r.capped).length,
		candidates: stats(candidates),
		found: stats(results.map((r) => r.similar.length)),
		planted,
		peakRssBytes,
	}
	console.log(JSON.stringify(out))
} else if (mode === 'quality') {
	const { users } = await import('#db/schema/accounts.ts')
	const { DEFAULT_MIN_SIMILARITY, jaccard, shingles } = await import('#app/domain/similar/minhash.ts')
	const { mulberry32, seededShuffle } = await import('#app/domain/random.ts')
	const { createDataset } = await import('#app/models/dataset.server.ts')
	const { runImport } = await import('#app/models/import.server.ts')
	const { findSimilar } = await import('#app/models/similar.server.ts')
	const { createVersion } = await import('#app/models/version.server.ts')
	const { migrate } = await import('#app/utils/db.server.ts')
	const { makeCorpus, SCRIPTS } = await import('#tests/similar-corpus.ts')
	const { emptyProvenance } = await import('#tests/version-fixtures.ts')
	const rows = Number(rest[0] ?? 20_000)
	// About a tenth of the texts in families of four (a first text and three variants), the rest singletons.
	const families = Math.max(3, Math.round(rows / 40))
	const corpus = makeCorpus({ seed: 2208, families, variantsPerFamily: 3, singles: rows - families * 4 })
	await migrate()
	const [owner] = await db
		.insert(users)
		.values({ email: `bench-${Date.now()}@example.org`, displayName: 'Bench', passwordHash: 'x' })
		.returning({ id: users.id })
	const dataset = await createDataset({ slug: `bench-${Date.now()}`, name: 'Bench', description: '', ownerId: owner!.id })
	const v = await createVersion({ datasetId: dataset!.id, label: 'v1', parentLabel: null, userId: owner!.id, ...emptyProvenance })
	const versionId = v.version!.id
	const language = { latin: 'fr', han: 'zh', arabic: 'ar' } as const
	const t0 = performance.now()
	const outcome = await runImport({
		versionId,
		format: 'jsonl',
		filename: 'corpus.jsonl',
		userId: owner!.id,
		source: (async function* () {
			const encoder = new TextEncoder()
			for (let i = 0; i < corpus.length; i += 1000)
				yield encoder.encode(
					corpus
						.slice(i, i + 1000)
						.map((c) => JSON.stringify({ id: c.id, content: c.text, language: language[c.script] }) + '\n')
						.join(''),
				)
		})(),
	})
	const importSeconds = (performance.now() - t0) / 1000
	if (outcome.status !== 'succeeded' || outcome.rows !== corpus.length) throw new Error(`import failed: ${JSON.stringify(outcome).slice(0, 500)}`)
	const t1 = performance.now()
	const built = await buildNextSimilarity()
	const buildSeconds = (performance.now() - t1) / 1000
	if (built?.status !== 'succeeded' || built.versionId !== versionId) throw new Error(`the index was not built: ${JSON.stringify(built)}`)

	// Sources: every family member, and a quarter as many singletons (drawn with a fixed seed; any text they find counts against precision).
	const members = corpus.map((c, i) => (c.family === null ? -1 : i)).filter((i) => i >= 0)
	const singles = seededShuffle(
		corpus.map((c, i) => (c.family === null ? i : -1)).filter((i) => i >= 0),
		mulberry32(5),
		Math.ceil(members.length / 4),
	)
	const sources = [...members, ...singles]
	const sets = corpus.map((c) => shingles(c.text))
	const min = DEFAULT_MIN_SIMILARITY
	const perScript = Object.fromEntries(SCRIPTS.map((s) => [s, { truth: 0, found: 0, correct: 0 }])) as Quality['perScript']
	let bruteForceMs = 0
	for (const i of sources) {
		const source = corpus[i]!
		const b0 = performance.now()
		const truth = new Set<string>()
		for (let j = 0; j < corpus.length; j++) if (j !== i && jaccard(sets[i]!, sets[j]!) >= min) truth.add(corpus[j]!.id)
		bruteForceMs += performance.now() - b0
		const found = await findSimilar({ versionId, externalId: source.id, min })
		if (!found) throw new Error(`no lookup for ${source.id}`)
		const reported = found.similar.filter((s) => s.shared.includes('text'))
		const tally = perScript[source.script]
		tally.truth += truth.size
		tally.found += reported.length
		for (const s of reported) if (truth.has(s.externalId)) tally.correct++
	}
	await closeDb()
	const out: Quality = { rows: corpus.length, families, sources: sources.length, importSeconds, buildSeconds, perScript, bruteForceSeconds: bruteForceMs / 1000 }
	console.log(JSON.stringify(out))
} else {
	throw new Error(`unknown mode ${mode}: build, lookup or quality`)
}
