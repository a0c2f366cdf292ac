/**
 * Counts metadata values while a file streams in (decision 032). Every distinct value of every key
 * (nested keys as dotted paths) gets a number; each sample carries the numbers of its values
 * (samples.facet_ids, GIN-indexed), and the dictionary with exact counts is stored once the file is
 * in (facet_values). A key whose values are nearly all distinct (ids, free text) stops being
 * counted and is offered as a search field instead of a list.
 */
const MAX_KEYS = 60
const MAX_DEPTH = 4
const MAX_VALUE_LENGTH = 120
/** Past this many distinct values a key is not listed (a search field instead); its map is dropped. */
export const MAX_LISTED_VALUES = 20_000
/** What the import summary (imports.facets) keeps per key, most common first. */
const SUMMARY_VALUES = 80

export type FacetKind = 'list' | 'search'
export type FacetKey = { key: string; kind: FacetKind; distinct: number; rows: number }

type KeyState = { values: Map<string, { id: number; count: number }> | null; rows: number; distinct: number; repeats: boolean }

/** A source of fresh ids, taken from the database in blocks so ids are unique across imports. */
export type IdBlock = { next: number; end: number }

export class FacetCounter {
	readonly keys = new Map<string, KeyState>()
	readonly languages = new Map<string, number>()
	private block: IdBlock = { next: 0, end: 0 }

	/** Ids left in the current block; the importer adds a block before a sample could run out. */
	get idsLeft() {
		return this.block.end - this.block.next
	}

	addIds(block: IdBlock) {
		this.block = block
	}

	/** Counts one sample's values and returns their ids (for samples.facet_ids). */
	add(metadata: Record<string, unknown>, language: string | null): number[] {
		if (language) this.languages.set(language, (this.languages.get(language) ?? 0) + 1)
		const ids: number[] = []
		this.walk(metadata, '', 1, ids)
		return ids
	}

	private walk(value: Record<string, unknown>, prefix: string, depth: number, ids: number[]) {
		for (const key in value) {
			const v = value[key]
			const path = prefix ? `${prefix}.${key}` : key
			if (v && typeof v === 'object' && !Array.isArray(v)) {
				if (depth < MAX_DEPTH) this.walk(v as Record<string, unknown>, path, depth + 1, ids)
				continue
			}
			if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue
			let state = this.keys.get(path)
			if (!state) {
				if (this.keys.size >= MAX_KEYS) continue
				state = { values: new Map(), rows: 0, distinct: 0, repeats: false }
				this.keys.set(path, state)
			}
			state.rows++
			const text = String(v)
			if (!state.values) continue
			if (text.length > MAX_VALUE_LENGTH) {
				// Long free text: searchable as a field, never a list.
				state.values = null
				continue
			}
			const seen = state.values.get(text)
			if (seen) {
				seen.count++
				state.repeats = true
				ids.push(seen.id)
				continue
			}
			if (state.distinct >= MAX_LISTED_VALUES) {
				state.values = null
				continue
			}
			if (this.block.next >= this.block.end) throw new Error('FacetCounter ran out of ids')
			const id = this.block.next++
			state.values.set(text, { id, count: 1 })
			state.distinct++
			ids.push(id)
		}
	}

	/** What each key is: a list of values, a search field, or nothing worth filtering by (never repeats, few values). */
	describe(): FacetKey[] {
		const out: FacetKey[] = []
		for (const [key, s] of this.keys) {
			const highCardinality = !s.values || (s.distinct > 20 && s.distinct * 2 > s.rows)
			if (highCardinality) out.push({ key, kind: 'search', distinct: s.distinct, rows: s.rows })
			else if (s.repeats) out.push({ key, kind: 'list', distinct: s.distinct, rows: s.rows })
		}
		return out.sort((a, b) => b.rows - a.rows || a.key.localeCompare(b.key))
	}

	/** Every value of the listed keys: the dictionary stored with the import. */
	*dictionary(): Generator<{ id: number; key: string; value: string; count: number }> {
		for (const k of this.describe()) {
			if (k.kind !== 'list') continue
			for (const [value, { id, count }] of this.keys.get(k.key)!.values!) yield { id, key: k.key, value, count }
		}
	}

	/** The import's summary (imports.facets, read by insights, issues and rounds): listed keys, most common values first. */
	toJSON(): { facets: Record<string, Record<string, number>>; languages: Record<string, number> } {
		const facets: Record<string, Record<string, number>> = {}
		for (const k of this.describe()) {
			if (k.kind !== 'list') continue
			const sorted = [...this.keys.get(k.key)!.values!.entries()].sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
			facets[k.key] = Object.fromEntries(sorted.slice(0, SUMMARY_VALUES).map(([v, { count }]) => [v, count]))
		}
		return { facets, languages: Object.fromEntries([...this.languages.entries()].sort((a, b) => b[1] - a[1])) }
	}
}

/** `{"persona.origin": "Oaxaca"}` → `{"persona": {"origin": "Oaxaca"}}`, for a jsonb containment filter. */
export function facetFilterToJson(path: string, value: unknown): Record<string, unknown> {
	const parts = path.split('.')
	let node: unknown = value
	for (let i = parts.length - 1; i >= 0; i--) node = { [parts[i]!]: node }
	return node as Record<string, unknown>
}
