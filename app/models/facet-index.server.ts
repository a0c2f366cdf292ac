import { sql, type SQL } from 'drizzle-orm'
import { type FacetColumns, columnBytes } from '#app/domain/search/facet-index.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { query, queryCursor } from '#app/utils/db.server.ts'

/**
 * A published sample set's metadata columns, held in this process (decision 053). Keyed by import:
 * a published import's samples never change (a new file is a new import; its rows are deleted only
 * when another import replaces it), so an entry is never stale for the import it names. Least
 * recently used entries go first once FACET_CACHE_MB is held; each worker process has its own.
 */
export type FacetIndex = FacetColumns & {
	importId: string
	/** Row ids in ordinal order: ordinal = id − firstId when they are consecutive, else found by binary search. */
	firstId: number
	ids: Float64Array | null
	/** A dictionary id → (key, local value number). */
	valueOf: Map<number, { key: number; local: number }>
	languageOf: Map<string | null, number>
	bytes: number
	loadMs: number
}

type Entry = { promise: Promise<FacetIndex | null>; bytes: number }
const entries = new Map<string, Entry>()
/** Rows per batch read. */
const BATCH = 20_000

/** The import's columns, read on first use (one read at a time per import); null when it is not a published, complete set or would not fit. */
export function facetIndex(importId: string): Promise<FacetIndex | null> {
	const hit = entries.get(importId)
	if (hit) {
		entries.delete(importId)
		entries.set(importId, hit)
		return hit.promise
	}
	const entry: Entry = { promise: Promise.resolve(null), bytes: 0 }
	entry.promise = load(importId).then(
		(index) => {
			if (!index || entries.get(importId) !== entry) {
				entries.delete(importId)
				return index
			}
			entry.bytes = index.bytes
			evict()
			return index
		},
		(error: unknown) => {
			if (entries.get(importId) === entry) entries.delete(importId)
			throw error
		},
	)
	entries.set(importId, entry)
	return entry.promise
}

/** How long a request waits for columns being read before it is answered by the database instead. */
export const READY_WAIT_MS = 250

/**
 * The import's columns if they are in memory or can be read within READY_WAIT_MS (a small set);
 * otherwise null, while the read goes on for the next request: the first requests on a large set
 * are counted by the database, as fast as before, never held up by the read.
 */
export async function facetIndexIfReady(importId: string): Promise<FacetIndex | null> {
	const pending = facetIndex(importId)
	let timer: NodeJS.Timeout | undefined
	const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), READY_WAIT_MS)))
	try {
		return await Promise.race([pending.catch(() => null), late])
	} finally {
		clearTimeout(timer)
	}
}

/** Forgets an import's columns (its rows were deleted). */
export function dropFacetIndex(importId: string) {
	entries.delete(importId)
}

/** Bytes held and imports cached in this process. */
export function facetIndexUsage() {
	let bytes = 0
	for (const e of entries.values()) bytes += e.bytes
	return { bytes, imports: entries.size }
}

function evict() {
	const budget = getEnv().FACET_CACHE_MB * 2 ** 20
	let held = 0
	for (const e of entries.values()) held += e.bytes
	for (const [id, e] of entries) {
		if (held <= budget) break
		if (!e.bytes) continue
		entries.delete(id)
		held -= e.bytes
	}
}

async function load(importId: string): Promise<FacetIndex | null> {
	const started = performance.now()
	const [head] = await query<{ status: string; rows: number; n: number }>(
		sql`select i.status, i.rows_read as rows, (select count(*)::int from samples where import_id = i.id) as n from imports i where i.id = ${importId}`,
	)
	// Only a published set is fixed; its row count says the read below saw all of it.
	if (!head || head.status !== 'succeeded' || head.n !== head.rows) return null
	const n = head.n
	if (n * 20 > getEnv().FACET_CACHE_MB * 2 ** 20) return null

	const dictionary = await query<{ id: number; key: string; value: string; folded: string }>(sql`select id, key, value, folded from facet_values where import_id = ${importId} order by key, value`)
	const keys: string[] = []
	const values: string[][] = []
	const folded: string[][] = []
	const valueOf = new Map<number, { key: number; local: number }>()
	for (const d of dictionary) {
		if (keys[keys.length - 1] !== d.key) {
			keys.push(d.key)
			values.push([])
			folded.push([])
		}
		const k = keys.length - 1
		values[k]!.push(d.value)
		folded[k]!.push(d.folded)
		valueOf.set(d.id, { key: k, local: values[k]!.length })
	}
	// In the order read, which is the database's order of values (ties in counts are broken by it).
	const rank = values.map((v) => Int32Array.from({ length: v.length + 1 }, (_, i) => i))
	// Dictionary ids lie in a few blocks of a sequence: a dense table from id to (key << 16 | local).
	let low = Infinity
	let high = -Infinity
	for (const id of valueOf.keys()) {
		if (id < low) low = id
		if (id > high) high = id
	}
	const dense = valueOf.size && high - low < 4_000_000 ? new Int32Array(high - low + 1).fill(-1) : null
	if (dense) for (const [id, v] of valueOf) dense[id - low] = (v.key << 16) | v.local

	const columns = keys.map(() => new Uint16Array(n))
	const language = new Uint16Array(n)
	const languages: Array<string | null> = [null]
	const languageOf = new Map<string | null, number>([[null, 0]])
	let ids = new Float64Array(n)
	let ordinal = 0
	let sorted = true
	const take = (r: { id: number; language: string | null; f: string }) => {
		if (ordinal >= n) return false
		if (ordinal > 0 && r.id < ids[ordinal - 1]!) sorted = false
		ids[ordinal] = r.id
		let l = languageOf.get(r.language)
		if (l === undefined) {
			l = languages.length
			languages.push(r.language)
			languageOf.set(r.language, l)
		}
		language[ordinal] = l
		const f = r.f
		let value = 0
		for (let i = 0; i <= f.length; i++) {
			const ch = i < f.length ? f.charCodeAt(i) : 44
			if (ch !== 44) {
				value = value * 10 + (ch - 48)
				continue
			}
			if (i > 0) {
				const hit = dense ? (value >= low && value <= high ? dense[value - low]! : -1) : valueOf.get(value)
				const packed = typeof hit === 'number' ? hit : hit ? (hit.key << 16) | hit.local : -1
				if (packed >= 0) columns[packed >>> 16]![ordinal] = packed & 0xffff
			}
			value = 0
		}
		ordinal++
		return true
	}
	const columnsOf = sql`samples.id::float8 as id, samples.language, array_to_string(samples.facet_ids, ',') as f`
	// PostgreSQL: one read of the set in physical order through a cursor. PGlite: pages by id.
	const cursor = queryCursor<{ id: number; language: string | null; f: string }>(sql`select ${columnsOf} from samples where samples.import_id = ${importId}`, BATCH)
	if (cursor) {
		for await (const rows of cursor) for (const r of rows) if (!take(r)) return null
	} else {
		let after = -1
		for (;;) {
			const rows = await query<{ id: number; language: string | null; f: string }>(
				sql`select ${columnsOf} from samples where samples.import_id = ${importId} and samples.id > ${after} order by samples.id limit ${BATCH}`,
			)
			for (const r of rows) if (!take(r)) return null
			if (rows.length < BATCH) break
			after = rows[rows.length - 1]!.id
		}
	}
	// Rows arrive in physical order, nearly always the order of their ids; if not, the columns are put in id order.
	if (!sorted && ordinal === n) {
		const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => ids[a]! - ids[b]!)
		const permute = <T extends Float64Array | Uint16Array>(a: T): T => {
			const out = new (a.constructor as new (length: number) => T)(n)
			for (let i = 0; i < n; i++) out[i] = a[order[i]!]!
			return out
		}
		ids = permute(ids)
		language.set(permute(language))
		for (const c of columns) c.set(permute(c))
	}
	if (ordinal !== n || languages.length > 0xffff) return null
	const consecutive = n === 0 || ids[n - 1]! - ids[0]! === n - 1
	const index: FacetIndex = {
		importId,
		n,
		keys,
		values,
		folded,
		rank,
		columns,
		language,
		languages,
		firstId: n ? ids[0]! : 0,
		ids: consecutive ? null : ids,
		valueOf,
		languageOf,
		bytes: 0,
		loadMs: 0,
	}
	index.bytes = columnBytes(index) + (index.ids?.byteLength ?? 0) + valueOf.size * 80 + (dense?.byteLength ?? 0)
	index.loadMs = performance.now() - started
	return index
}

/** The samples of the import matching `where`, one byte per ordinal. */
export async function matchingOrdinals(index: FacetIndex, where: SQL): Promise<Uint8Array> {
	const [row] = await query<{ ids: string | null }>(sql`select string_agg(id::text, ',') as ids from samples where import_id = ${index.importId} and ${where}`)
	const out = new Uint8Array(index.n)
	const text = row?.ids ?? ''
	let value = 0
	for (let i = 0; i <= text.length; i++) {
		const ch = i < text.length ? text.charCodeAt(i) : 44
		if (ch !== 44) {
			value = value * 10 + (ch - 48)
			continue
		}
		if (i > 0) {
			const o = ordinalOf(index, value)
			if (o >= 0) out[o] = 1
		}
		value = 0
	}
	return out
}

function ordinalOf(index: FacetIndex, id: number): number {
	if (!index.ids) {
		const o = id - index.firstId
		return o >= 0 && o < index.n ? o : -1
	}
	const ids = index.ids
	let lo = 0
	let hi = ids.length - 1
	while (lo <= hi) {
		const mid = (lo + hi) >>> 1
		const v = ids[mid]!
		if (v === id) return mid
		if (v < id) lo = mid + 1
		else hi = mid - 1
	}
	return -1
}
