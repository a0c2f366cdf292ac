/**
 * The query half of bench/search.ts, in its own process on the database an import just filled
 * (DATABASE_URL): the browse page's search (a page of 50 and the match count) and facet counts
 * under filters, each beside its reference, timed over the same requests.
 * Prints one JSON line.
 */
import { sql } from 'drizzle-orm'
import { facetFilterToJson } from '#app/domain/import/facets.ts'
import { parseQuery } from '#app/domain/search/text.ts'
import { isDeepStrictEqual } from 'node:util'
import { dropFacetIndex, facetIndex } from '#app/models/facet-index.server.ts'
import { browseSamples, countSamples, countSamplesSql, facetCounts, facetCountsSql, resolveFilters, type SampleFilters } from '#app/models/sample.server.ts'
import { closeDb, db, query } from '#app/utils/db.server.ts'
import { versions } from '#db/schema/datasets.ts'
import { SCRIPTS, vocabularies } from './search-data.ts'

const REPEAT = Number(process.argv[2] ?? 5)
const [version] = await db.select({ importId: versions.currentImportId }).from(versions)
const importId = version!.importId!
const vocab = vocabularies()

async function time<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
	const t0 = performance.now()
	const value = await f()
	return { ms: performance.now() - t0, value }
}
function stats(ms: number[]) {
	const s = [...ms].sort((a, b) => a - b)
	const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!
	return { n: s.length, p50: at(0.5), p95: at(0.95), max: s[s.length - 1]! }
}

/** Each request once to warm, then REPEAT times, interleaved so the machine's drift spreads evenly. */
async function run(requests: Array<() => Promise<unknown>>) {
	for (const r of requests) await r()
	const ms: number[] = []
	for (let i = 0; i < REPEAT; i++) for (const r of requests) ms.push((await time(r)).ms)
	return stats(ms)
}

// Search: a common, a middling and a rare word of every script, a phrase, an exclusion, and a word
// with the language filter. What the results pane needs: the page and the count, together.
const searches: SampleFilters[] = []
for (const s of SCRIPTS) {
	const w = vocab[s]
	searches.push({ q: w[3]! }, { q: w[150]! }, { q: w[1500]! })
	searches.push({ q: `"${w[3]} ${w[4]}"` }, { q: `${w[3]} -${w[10]}` }, { q: w[40]!, language: s })
}
const searchPane = (f: SampleFilters) => async () => {
	const r = await resolveFilters(importId, f)
	const [page, count] = await Promise.all([browseSamples(importId, r), countSamples(r)])
	return { rows: page.samples.length, count }
}
const matches: number[] = []
for (const f of searches) matches.push((await searchPane(f)()).count)
const search = await run(searches.map(searchPane))

// Reference: PostgreSQL's own full-text search ('simple' configuration, a GIN expression index built
// for this run) for the space-separated scripts it tokenizes, same page and count.
await query(sql.raw(`create index if not exists bench_fts_idx on samples using gin (to_tsvector('simple'::regconfig, coalesce(content, '')))`))
await query(sql.raw('analyze samples'))
const ftsWords = (['fr', 'ru', 'ar', 'hi'] as const).flatMap((s) => [vocab[s][3]!, vocab[s][150]!, vocab[s][1500]!])
const fts = (word: string) => async () => {
	const where = sql`import_id = ${importId} and to_tsvector('simple'::regconfig, coalesce(content, '')) @@ plainto_tsquery('simple'::regconfig, ${word})`
	const [page, count] = await Promise.all([
		query(sql`select external_id, left(content, 280) from samples where ${where} order by external_id limit 51`),
		query<{ n: number }>(sql`select count(*)::int as n from samples where ${where}`),
	])
	return { rows: page.length, count: count[0]!.n }
}
const ftsOurs = await run(ftsWords.map((q) => searchPane({ q })))
const ftsReference = await run(ftsWords.map(fts))
await query(sql.raw('drop index bench_fts_idx'))

// Facets under a filter: one value of a small key, of the 5,000-value key, two keys, a search.
const filters: SampleFilters[] = [
	{ attributes: [{ path: 'region', value: 'Lagos' }] },
	{ attributes: [{ path: 'topic', value: 'santé' }] },
	{ attributes: [{ path: 'persona.identity', value: 'identité 42' }] },
	{
		attributes: [
			{ path: 'region', value: '東京' },
			{ path: 'model', value: 'beta' },
		],
	},
	{
		attributes: [
			{ path: 'region', value: 'Bogotá' },
			{ path: 'region', value: 'Москва' },
		],
	},
	{ q: vocab.ru[150]! },
	{ language: 'th', attributes: [{ path: 'persona.gender', value: 'x' }] },
]
const facetPane = (f: SampleFilters) => async () => {
	const r = await resolveFilters(importId, f)
	const [counts, n] = await Promise.all([facetCounts(r), countSamples(r)])
	return { counts, n }
}
// The recount by the database on every request (decision 032's path, still the fallback).
const facetPaneSql = (f: SampleFilters) => async () => {
	const r = await resolveFilters(importId, f)
	const [counts, n] = await Promise.all([facetCountsSql(r), countSamplesSql(r)])
	return { counts, n }
}
// Cold: the set's columns read from the database by a process that has none (three reads, each after dropping the last).
const coldMs: number[] = []
let indexBytes = 0
const rssBefore = process.memoryUsage().rss
for (let i = 0; i < 3; i++) {
	dropFacetIndex(importId)
	const t0 = performance.now()
	const index = await facetIndex(importId)
	coldMs.push(performance.now() - t0)
	if (!index) throw new Error('the facet index was not built')
	indexBytes = index.bytes
}
const rssAfter = process.memoryUsage().rss
// Warm: every filter's counts and match count, checked equal to the database's recount.
const facetMatches: number[] = []
let mismatches = 0
for (const f of filters) {
	const ours = await facetPane(f)()
	const theirs = await facetPaneSql(f)()
	if (ours.n !== theirs.n || !isDeepStrictEqual(ours.counts, theirs.counts)) mismatches++
	facetMatches.push(ours.n)
}
const facets = await run(filters.map(facetPane))
const facetsSql = await run(filters.map(facetPaneSql))
// Reference: the hand-written COUNT(*) with the same filter (jsonb containment, the GIN index on
// metadata), and the hand-written GROUP BY of every listed key under it.
const containment = (f: SampleFilters) => {
	const byKey = new Map<string, string[]>()
	for (const a of f.attributes ?? []) byKey.set(a.path, [...(byKey.get(a.path) ?? []), a.value])
	const parts = [sql`import_id = ${importId}`]
	if (f.language) parts.push(sql`language = ${f.language}`)
	if (f.q) parts.push(sql`search_vector @@ ${parseQuery(f.q).tsquery}::tsquery`)
	for (const [path, values] of byKey)
		parts.push(
			sql`(${sql.join(
				values.map((v) => sql`metadata @> ${JSON.stringify(facetFilterToJson(path, v))}::jsonb`),
				sql` or `,
			)})`,
		)
	return sql.join(parts, sql` and `)
}
const countReference = await run(filters.map((f) => () => query(sql`select count(*)::int from samples where ${containment(f)}`)))
const groupReference = await run(
	filters.map(
		(f) => () =>
			query(sql`select metadata->>'region' a, metadata->'persona'->>'identity' b, metadata->'persona'->>'age' c, metadata->'persona'->>'gender' d,
			metadata->>'prompt_id' e, metadata->>'model' g, metadata->>'topic' h, metadata->>'quality' i, count(*)::int
			from samples where ${containment(f)} group by grouping sets ((a), (b), (c), (d), (e), (g), (h), (i))`),
	),
)
await closeDb()
console.log(
	JSON.stringify({
		search,
		ftsOurs,
		ftsReference,
		facets,
		facetsSql,
		facetIndex: { coldMs: stats(coldMs), bytes: indexBytes, rssGrowthBytes: rssAfter - rssBefore, mismatches },
		countReference,
		groupReference,
		searchMatches: stats(matches),
		facetMatches: stats(facetMatches),
		queries: { search: searches.length, fts: ftsWords.length, facets: filters.length },
		repeat: REPEAT,
	}),
)
