import { and, asc, eq, gt, or, sql, type SQL } from 'drizzle-orm'
import { facetValues, imports, samples } from '#db/schema/datasets.ts'
import { type FacetKey, facetFilterToJson } from '#app/domain/import/facets.ts'
import { foldWord, highlight, type Highlighted, parseQuery, type ParsedQuery } from '#app/domain/search/text.ts'
import { db, query } from '#app/utils/db.server.ts'
import { evaluate, type KeyFilter, listValues } from '#app/domain/search/facet-index.ts'
import { type FacetIndex, facetIndexIfReady, matchingOrdinals } from '#app/models/facet-index.server.ts'

export const PAGE_SIZE = 50
/** Values listed per key; "more" (or a search within the key) lists up to MORE_VALUES. */
export const TOP_VALUES = 20
export const MORE_VALUES = 100
const SNIPPET = 280

export type SampleFilters = {
	language?: string | null
	/** Metadata attribute filters: dotted path → value (any value of one key, every key). */
	attributes?: Array<{ path: string; value: string }>
	q?: string | null
	/** Keyset cursor: the last external id of the previous page. */
	after?: string | null
}

/** Filters looked up once per request: the query parsed, each attribute value's facet id where it has one. */
export type ResolvedFilters = {
	importId: string
	language: string | null
	query: ParsedQuery | null
	/** Per key: the ids of its chosen values, and values without an id (matched in the metadata). */
	keys: Map<string, { ids: number[]; other: string[] }>
	after: string | null
}

export async function resolveFilters(importId: string, filters: SampleFilters): Promise<ResolvedFilters> {
	const parsed = filters.q?.trim() ? parseQuery(filters.q.trim()) : null
	const keys = new Map<string, { ids: number[]; other: string[] }>()
	const attributes = filters.attributes ?? []
	const found = attributes.length
		? await db
				.select({ id: facetValues.id, key: facetValues.key, value: facetValues.value })
				.from(facetValues)
				.where(and(eq(facetValues.importId, importId), or(...attributes.map((a) => and(eq(facetValues.key, a.path), eq(facetValues.value, a.value))))))
		: []
	for (const a of attributes) {
		const entry = keys.get(a.path) ?? { ids: [], other: [] }
		keys.set(a.path, entry)
		const hit = found.find((f) => f.key === a.path && f.value === a.value)
		if (hit) entry.ids.push(hit.id)
		else entry.other.push(a.value)
	}
	return { importId, language: filters.language || null, query: parsed?.tsquery ? parsed : null, keys, after: filters.after || null }
}

function attributeCondition(path: string, value: string): SQL {
	const asString = sql`${samples.metadata} @> ${JSON.stringify(facetFilterToJson(path, value))}::jsonb`
	// A value may have been a JSON number or boolean in the file.
	// JSON's own number grammar: "007" stays a string filter rather than reaching JSON.parse and throwing.
	const literal = value === 'true' || value === 'false' || /^-?(0|[1-9]\d*)(\.\d+)?$/.test(value) ? JSON.parse(value) : undefined
	if (literal === undefined) return asString
	return or(asString, sql`${samples.metadata} @> ${JSON.stringify(facetFilterToJson(path, literal))}::jsonb`)!
}

/** The filters as conditions on samples, leaving out one key's (its own counts are disjunctive). */
function conditions(f: ResolvedFilters, exceptKey?: string): SQL[] {
	const out: SQL[] = [eq(samples.importId, f.importId)]
	if (f.language) out.push(eq(samples.language, f.language))
	if (f.query) out.push(sql`${samples.searchVector} @@ ${f.query.tsquery}::tsquery`)
	for (const [key, { ids, other }] of f.keys) {
		if (key === exceptKey) continue
		const any: SQL[] = other.map((v) => attributeCondition(key, v))
		if (ids.length) any.unshift(sql`${samples.facetIds} && ${`{${ids.join(',')}}`}::int[]`)
		out.push(any.length === 1 ? any[0]! : or(...any)!)
	}
	return out
}

const hasFilters = (f: ResolvedFilters, exceptKey?: string) => !!f.language || !!f.query || [...f.keys.keys()].some((k) => k !== exceptKey)

export type SampleRow = { externalId: string; snippet: Highlighted; turns: number | null; language: string | null; hasImage: boolean }

/** One page of a sample set in external-id order (keyset: no OFFSET scans, however deep), matched words marked. */
export async function browseSamples(importId: string, filters: SampleFilters | ResolvedFilters) {
	const f = 'keys' in filters ? filters : await resolveFilters(importId, filters)
	const where = conditions(f)
	if (f.after) where.push(gt(samples.externalId, f.after))
	const rows = await db
		.select({
			externalId: samples.externalId,
			text: sql<string>`left(coalesce(${samples.content}, ${samples.messages}->0->>'content', ''), 2000)`,
			turns: sql<number | null>`jsonb_array_length(${samples.messages})`,
			language: samples.language,
			hasImage: sql<boolean>`${samples.imageUrl} is not null`,
		})
		.from(samples)
		.where(and(...where))
		.orderBy(asc(samples.externalId))
		.limit(PAGE_SIZE + 1)
	const hasMore = rows.length > PAGE_SIZE
	const page = (hasMore ? rows.slice(0, PAGE_SIZE) : rows).map(({ text, ...r }): SampleRow => ({ ...r, snippet: snippet(text, f.query) }))
	return { samples: page, nextCursor: hasMore ? page[page.length - 1]!.externalId : null }
}

/** The first SNIPPET characters, or a window around the first match when that lies further in. */
function snippet(text: string, q: ParsedQuery | null): Highlighted {
	if (!q) return [{ text: text.slice(0, SNIPPET), hit: false }]
	const parts = highlight(text, q)
	let offset = 0
	for (const p of parts) {
		if (p.hit) break
		offset += p.text.length
	}
	const from = offset + 40 > SNIPPET && offset < text.length ? offset - 60 : 0
	const window = text.slice(from, from + SNIPPET)
	const marked = highlight(window, q)
	if (from > 0) marked.unshift({ text: '…', hit: false })
	return marked
}

/**
 * How many samples match the filters (exact): from the set's columns in memory (decision 053) when
 * the facet counts of the same request evaluated them or no search is involved; a search alone is
 * counted by the database from its index, which is quicker than reading the matching rows' ids.
 */
export async function countSamples(f: ResolvedFilters): Promise<number> {
	const pending = evaluations.get(f) ?? (f.query ? null : evaluateInMemory(f))
	const evaluated = pending && (await pending)
	return evaluated ? evaluated.matching : countSamplesSql(f)
}

/** How many samples match the filters, counted by the database. */
export async function countSamplesSql(f: ResolvedFilters): Promise<number> {
	const [row] = await query<{ n: number }>(sql`select count(*)::int as n from ${samples} where ${and(...conditions(f))}`)
	return row?.n ?? 0
}

export async function getFacetKeys(importId: string): Promise<FacetKey[]> {
	const [row] = await db.select({ keys: imports.facetKeys }).from(imports).where(eq(imports.id, importId))
	return row?.keys ?? []
}

export type FacetValue = { value: string; count: number }
export type FacetList = { key: string; values: FacetValue[]; distinct: number }
export type FacetOptions = { more?: string | null; find?: Record<string, string> }

/**
 * Value counts of the listed keys under the filters: each key's counts apply every filter but its
 * own (values of one key are alternatives), ordered by count. TOP_VALUES per key, MORE_VALUES for
 * `more`; `find` keeps a key's values containing that text (folded), so any value can be reached.
 * Counted from the set's columns in memory (decision 053); by the database when they are not at hand.
 */
export async function facetCounts(f: ResolvedFilters, options: FacetOptions = {}): Promise<Map<string, FacetList>> {
	const evaluated = await evaluateInMemory(f)
	if (!evaluated) return facetCountsSql(f, options)
	const { index, status } = evaluated
	const find = new Map(Object.entries(options.find ?? {}).map(([k, text]) => [k, foldWord(text)]))
	const keep = new Map<number, number[]>()
	for (const [key, { ids }] of f.keys) {
		const k = index.keys.indexOf(key)
		if (k >= 0)
			keep.set(
				k,
				ids.flatMap((id) => (index.valueOf.get(id)?.key === k ? [index.valueOf.get(id)!.local] : [])),
			)
	}
	const long = new Set([...(options.more ? [options.more] : []), ...find.keys()])
	return listValues(index, status, { top: TOP_VALUES, longer: MORE_VALUES, long, find, keep })
}

type Evaluated = { index: FacetIndex; status: Int8Array; matching: number }
/** One evaluation per resolved request: the page asks for the counts and the match count together. */
const evaluations = new WeakMap<ResolvedFilters, Promise<Evaluated | null>>()

function evaluateInMemory(f: ResolvedFilters): Promise<Evaluated | null> {
	let pending = evaluations.get(f)
	if (!pending) {
		pending = (async () => {
			const index = await facetIndexIfReady(f.importId)
			if (!index) return null
			const [search, ...others] = await Promise.all([
				f.query ? matchingOrdinals(index, sql`${samples.searchVector} @@ ${f.query.tsquery}::tsquery`) : null,
				...[...f.keys].map(([key, { other }]) => (other.length ? matchingOrdinals(index, or(...other.map((v) => attributeCondition(key, v)))!) : null)),
			])
			const keys: KeyFilter[] = [...f.keys].map(([key, { ids }], j) => {
				const k = index.keys.indexOf(key)
				let chosen: Uint8Array | null = null
				if (k >= 0 && ids.length) {
					chosen = new Uint8Array(index.values[k]!.length + 1)
					for (const id of ids) {
						const v = index.valueOf.get(id)
						if (v?.key === k) chosen[v.local] = 1
					}
				}
				return { key: k, chosen, other: others[j] ?? null }
			})
			const language = f.language === null ? null : (index.languageOf.get(f.language) ?? -1)
			return { index, ...evaluate(index, { language, search: search ?? null, keys }) }
		})()
		evaluations.set(f, pending)
	}
	return pending
}

/** As facetCounts, counted by the database from the samples under the filters. */
export async function facetCountsSql(f: ResolvedFilters, options: FacetOptions = {}): Promise<Map<string, FacetList>> {
	const active = [...f.keys.keys()]
	const find = options.find ?? {}
	const groups: Array<{ except?: string; keys: SQL }> = [
		{
			keys: active.length
				? sql`fv.key not in (${sql.join(
						active.map((k) => sql`${k}`),
						sql`, `,
					)})`
				: sql`true`,
		},
		...active.map((k) => ({ except: k, keys: sql`fv.key = ${k}` })),
	]
	const findCondition = Object.entries(find).map(([k, text]) => sql`(fv.key <> ${k} or fv.folded like ${'%' + escapeLike(foldWord(text)) + '%'})`)
	const limit = sql`case when r.key = ${options.more ?? ''} or r.key in (${sql.join(
		[...Object.keys(find), ''].map((k) => sql`${k}`),
		sql`, `,
	)}) then ${MORE_VALUES}::int else ${TOP_VALUES}::int end`
	const results = await Promise.all(
		groups.map(({ except, keys }) => {
			const keySelection = and(keys, ...findCondition)!
			const chosen = except ? f.keys.get(except)!.ids : []
			const keep = chosen.length
				? sql`or r.id in (${sql.join(
						chosen.map((id) => sql`${id}`),
						sql`, `,
					)})`
				: sql``
			const counted = hasFilters(f, except)
				? sql`with m as (select ${samples.facetIds} as ids from ${samples} where ${and(...conditions(f, except))}),
					c as (select v as id, count(*)::int as n from m, unnest(m.ids) v group by v)
					select fv.id, fv.key, fv.value, c.n from c join ${facetValues} fv on fv.id = c.id
					where fv.import_id = ${f.importId} and ${keySelection}`
				: sql`select fv.id, fv.key, fv.value, fv.count as n from ${facetValues} fv where fv.import_id = ${f.importId} and ${keySelection}`
			return query<{ key: string; value: string; n: number; distinct: number }>(sql`
				select r.key, r.value, r.n, r.distinct from (
					select x.*, row_number() over (partition by x.key order by x.n desc, x.value) as rank, (count(*) over (partition by x.key))::int as distinct
					from (${counted}) x
				) r
				where r.rank <= ${limit} ${keep}
				order by r.key, r.rank`)
		}),
	)
	const out = new Map<string, FacetList>()
	for (const rows of results) {
		for (const r of rows) {
			let list = out.get(r.key)
			if (!list) out.set(r.key, (list = { key: r.key, values: [], distinct: r.distinct }))
			list.values.push({ value: r.value, count: r.n })
		}
	}
	return out
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

/** What a page shows of one sample (every reader of a sample selects these columns). */
export const sampleColumns = {
	id: samples.id,
	externalId: samples.externalId,
	content: samples.content,
	messages: samples.messages,
	imageUrl: samples.imageUrl,
	imageAlt: samples.imageAlt,
	language: samples.language,
	metadata: samples.metadata,
}

/** One sample as its page shows it (no row id). */
export async function getSample({ importId, externalId }: { importId: string; externalId: string }) {
	const [row] = await db
		.select({
			externalId: samples.externalId,
			content: samples.content,
			messages: samples.messages,
			imageUrl: samples.imageUrl,
			imageAlt: samples.imageAlt,
			language: samples.language,
			metadata: samples.metadata,
			contentHash: samples.contentHash,
		})
		.from(samples)
		.where(and(eq(samples.importId, importId), eq(samples.externalId, externalId)))
	return row ?? null
}

export type DiffKind = 'added' | 'removed' | 'changed'

/** Counts of added, removed and changed samples between two sample sets, by external id and content hash. */
export async function diffCounts(parentImportId: string, childImportId: string) {
	const [row] = await query<{ added: number; removed: number; changed: number; unchanged: number }>(sql`
		select
			count(*) filter (where p.external_id is null)::int as added,
			count(*) filter (where c.external_id is null)::int as removed,
			count(*) filter (where p.external_id is not null and c.external_id is not null and p.content_hash <> c.content_hash)::int as changed,
			count(*) filter (where p.content_hash = c.content_hash)::int as unchanged
		from (select external_id, content_hash from ${samples} where import_id = ${childImportId}) c
		full join (select external_id, content_hash from ${samples} where import_id = ${parentImportId}) p using (external_id)`)
	return row ?? { added: 0, removed: 0, changed: 0, unchanged: 0 }
}

/** One page of the diff of one kind, in external-id order. */
export async function diffPage(parentImportId: string, childImportId: string, kind: DiffKind, after: string | null) {
	const cursor = after ? sql`and s.external_id > ${after}` : sql``
	let statement: SQL
	if (kind === 'added' || kind === 'removed') {
		const [from, other] = kind === 'added' ? [childImportId, parentImportId] : [parentImportId, childImportId]
		statement = sql`select s.external_id from ${samples} s
			where s.import_id = ${from} ${cursor}
			and not exists (select 1 from ${samples} o where o.import_id = ${other} and o.external_id = s.external_id)
			order by s.external_id limit ${PAGE_SIZE + 1}`
	} else {
		statement = sql`select s.external_id from ${samples} s
			join ${samples} o on o.import_id = ${parentImportId} and o.external_id = s.external_id
			where s.import_id = ${childImportId} ${cursor} and o.content_hash <> s.content_hash
			order by s.external_id limit ${PAGE_SIZE + 1}`
	}
	const rows = await query<{ external_id: string }>(statement)
	const hasMore = rows.length > PAGE_SIZE
	const ids = (hasMore ? rows.slice(0, PAGE_SIZE) : rows).map((r) => r.external_id)
	return { ids, nextCursor: hasMore ? ids[ids.length - 1]! : null }
}
