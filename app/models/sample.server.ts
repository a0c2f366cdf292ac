import { and, asc, eq, gt, or, sql, type SQL } from 'drizzle-orm'
import { samples } from '#db/schema/datasets.ts'
import { facetFilterToJson } from '#app/domain/import/facets.ts'
import { db, query } from '#app/utils/db.server.ts'

export const PAGE_SIZE = 50

export type SampleFilters = {
	language?: string | null
	/** Metadata attribute filters: dotted path → value. */
	attributes?: Array<{ path: string; value: string }>
	q?: string | null
	/** Keyset cursor: the last external id of the previous page. */
	after?: string | null
}

// The same expression as samples_search_idx (db/schema/datasets.ts), so the index serves it.
const searchVector = sql`to_tsvector('simple'::regconfig, left(coalesce(${samples.content}, ${samples.messages}::text, ''), 100000))`

function attributeCondition(path: string, value: string): SQL {
	const asString = sql`${samples.metadata} @> ${JSON.stringify(facetFilterToJson(path, value))}::jsonb`
	// A facet value may have been a JSON number or boolean in the file.
	// JSON's own number grammar: "007" stays a string filter rather than reaching JSON.parse and throwing.
	const literal = value === 'true' || value === 'false' || /^-?(0|[1-9]\d*)(\.\d+)?$/.test(value) ? JSON.parse(value) : undefined
	if (literal === undefined) return asString
	return or(asString, sql`${samples.metadata} @> ${JSON.stringify(facetFilterToJson(path, literal))}::jsonb`)!
}

/** One page of a sample set in external-id order (keyset: no OFFSET scans, however deep). */
export async function browseSamples(importId: string, filters: SampleFilters) {
	const conditions: SQL[] = [eq(samples.importId, importId)]
	if (filters.after) conditions.push(gt(samples.externalId, filters.after))
	if (filters.language) conditions.push(eq(samples.language, filters.language))
	for (const a of filters.attributes ?? []) conditions.push(attributeCondition(a.path, a.value))
	if (filters.q?.trim()) conditions.push(sql`${searchVector} @@ websearch_to_tsquery('simple'::regconfig, ${filters.q.trim()})`)
	const rows = await db
		.select({
			externalId: samples.externalId,
			content: sql<string | null>`left(${samples.content}, 280)`,
			firstTurn: sql<string | null>`left(${samples.messages}->0->>'content', 280)`,
			turns: sql<number | null>`jsonb_array_length(${samples.messages})`,
			language: samples.language,
			hasImage: sql<boolean>`${samples.imageUrl} is not null`,
		})
		.from(samples)
		.where(and(...conditions))
		.orderBy(asc(samples.externalId))
		.limit(PAGE_SIZE + 1)
	const hasMore = rows.length > PAGE_SIZE
	const page = hasMore ? rows.slice(0, PAGE_SIZE) : rows
	return { samples: page, nextCursor: hasMore ? page[page.length - 1]!.externalId : null }
}

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

export async function getSample({ importId, externalId }: { importId: string; externalId: string }) {
	const [row] = await db
		.select({ ...sampleColumns, contentHash: samples.contentHash })
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
