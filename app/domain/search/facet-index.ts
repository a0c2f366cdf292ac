/**
 * A version's metadata values as columns in memory, and facet counts under filters from them
 * (decision 053). A published sample set never changes, so its columns are read from the database
 * once and every later request counts in one pass over typed arrays instead of recounting rows.
 *
 * Samples are numbered by ordinal (their row order); each dictionary key is a column holding, per
 * ordinal, the local number (1…V) of the sample's value of that key, 0 when it has none.
 */

export type FacetColumns = {
	/** Samples in the set. */
	n: number
	/** The dictionary's keys. */
	keys: string[]
	/** Per key: its values by local number − 1, their folded forms, and their rank in the database's order of values. */
	values: string[][]
	folded: string[][]
	rank: Int32Array[]
	/** Per key: each sample's local value number, 0 when none. */
	columns: Uint16Array[]
	/** Each sample's language as a number into `languages` (0: none). */
	language: Uint16Array
	languages: Array<string | null>
}

/** One key's filter: the chosen local value numbers (a key of the dictionary) and samples matched otherwise (values without a number). */
export type KeyFilter = { key: number; chosen: Uint8Array | null; other: Uint8Array | null }

export type Selection = {
	/** A language number, or −1 when the chosen language is not in the set (nothing matches). */
	language: number | null
	/** Samples the search matches (1 per ordinal). */
	search: Uint8Array | null
	keys: KeyFilter[]
}

/**
 * Each sample's relation to the filters: 0 matches them all; k + 1 fails only the filter of
 * dictionary key k (so it still counts for that key's own values: values of one key are
 * alternatives); −1 otherwise. With the number that match them all.
 */
export function evaluate(c: FacetColumns, s: Selection): { status: Int8Array; matching: number } {
	const status = new Int8Array(c.n)
	const filters = s.keys.map((f) => ({ column: f.key >= 0 ? c.columns[f.key]! : null, chosen: f.chosen, other: f.other, onFail: f.key >= 0 ? f.key + 1 : -1 }))
	const language = s.language
	const search = s.search
	let matching = 0
	for (let i = 0; i < c.n; i++) {
		if ((language !== null && c.language[i] !== language) || (search !== null && search[i] === 0)) {
			status[i] = -1
			continue
		}
		let result = 0
		for (let j = 0; j < filters.length; j++) {
			const f = filters[j]!
			if ((f.column !== null && f.chosen !== null && f.chosen[f.column[i]!] === 1) || (f.other !== null && f.other[i] === 1)) continue
			if (result !== 0) {
				result = -1
				break
			}
			result = f.onFail
			if (result === -1) break
		}
		status[i] = result
		if (result === 0) matching++
	}
	return { status, matching }
}

export type FacetValue = { value: string; count: number }
export type FacetList = { key: string; values: FacetValue[]; distinct: number }

export type ListOptions = {
	/** Values listed per key, and for the keys in `long` (the "more" key and those searched within). */
	top: number
	longer: number
	long: Set<string>
	/** Per key: folded text its values must contain. */
	find: Map<string, string>
	/** Per key: local value numbers listed whatever their rank (the chosen values of a filtered key). */
	keep: Map<number, number[]>
}

/**
 * Each key's values with their counts under `status` (its own filter left out), ordered by count
 * then by the database's order of values; keys without a counted value are left out.
 */
export function listValues(c: FacetColumns, status: Int8Array, o: ListOptions): Map<string, FacetList> {
	const out = new Map<string, FacetList>()
	for (let k = 0; k < c.keys.length; k++) {
		const key = c.keys[k]!
		const column = c.columns[k]!
		const counts = new Int32Array(c.values[k]!.length + 1)
		const own = k + 1
		for (let i = 0; i < c.n; i++) {
			const s = status[i]
			if (s === 0 || s === own) counts[column[i]!]!++
		}
		const find = o.find.get(key)
		const folded = c.folded[k]!
		const found: number[] = []
		for (let v = 1; v < counts.length; v++) if (counts[v]! > 0 && (find === undefined || folded[v - 1]!.includes(find))) found.push(v)
		if (!found.length) continue
		const rank = c.rank[k]!
		found.sort((a, b) => counts[b]! - counts[a]! || rank[a]! - rank[b]!)
		const limit = o.long.has(key) ? o.longer : o.top
		const keep = new Set(o.keep.get(k) ?? [])
		const values = c.values[k]!
		const listed = found.filter((v, i) => i < limit || keep.has(v)).map((v) => ({ value: values[v - 1]!, count: counts[v]! }))
		out.set(key, { key, values: listed, distinct: found.length })
	}
	return out
}

/** Bytes the columns hold (strings counted at two bytes a character, plus a small overhead each). */
export function columnBytes(c: FacetColumns): number {
	let bytes = c.language.byteLength
	for (const col of c.columns) bytes += col.byteLength
	for (const r of c.rank) bytes += r.byteLength
	for (let k = 0; k < c.keys.length; k++) for (let v = 0; v < c.values[k]!.length; v++) bytes += 64 + 2 * (c.values[k]![v]!.length + c.folded[k]![v]!.length)
	return bytes
}
