/** Counts metadata values while a file streams in, so the browse page never aggregates JSON. */
const MAX_KEYS = 60
const MAX_VALUES = 80
const MAX_DEPTH = 3
const MAX_VALUE_LENGTH = 120

export class FacetCounter {
	readonly facets = new Map<string, Map<string, number>>()
	readonly languages = new Map<string, number>()

	add(metadata: Record<string, unknown>, language: string | null) {
		if (language) this.languages.set(language, (this.languages.get(language) ?? 0) + 1)
		this.walk(metadata, '', 1)
	}

	private walk(value: Record<string, unknown>, prefix: string, depth: number) {
		for (const [key, v] of Object.entries(value)) {
			const path = prefix ? `${prefix}.${key}` : key
			if (v && typeof v === 'object' && !Array.isArray(v)) {
				if (depth < MAX_DEPTH) this.walk(v as Record<string, unknown>, path, depth + 1)
				continue
			}
			if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue
			const text = String(v)
			if (text.length > MAX_VALUE_LENGTH) continue
			let values = this.facets.get(path)
			if (!values) {
				if (this.facets.size >= MAX_KEYS) continue
				values = new Map()
				this.facets.set(path, values)
			}
			if (!values.has(text) && values.size >= MAX_VALUES) continue
			values.set(text, (values.get(text) ?? 0) + 1)
		}
	}

	/** Keys where some value repeats (so filtering by them means something), most common values first. */
	toJSON(): { facets: Record<string, Record<string, number>>; languages: Record<string, number> } {
		const facets: Record<string, Record<string, number>> = {}
		for (const [key, values] of this.facets) {
			if (![...values.values()].some((n) => n > 1)) continue
			const sorted = [...values.entries()].sort((a, b) => b[1] - a[1])
			facets[key] = Object.fromEntries(sorted)
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
