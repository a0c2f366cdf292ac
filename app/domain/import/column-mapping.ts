/**
 * Which Parquet column is which part of a sample (decision 047). A mapping names the column of
 * each part (only the id is required); every other column becomes metadata under its own name,
 * nested structs staying nested, unless it is listed in `ignore`. So a column that a later file
 * adds becomes metadata, and a part whose column a later file lacks is reported on every row by
 * the importer (e.g. "The sample has no id" on row 1…), never silently dropped.
 */

/** The parts of a sample a column can be, in the order the form offers them. */
export const SAMPLE_PARTS = ['id', 'content', 'messages', 'language', 'image_url', 'image_alt'] as const
export type SamplePart = (typeof SAMPLE_PARTS)[number]

/** What the owner chooses for one column. */
export const COLUMN_USES = [...SAMPLE_PARTS, 'metadata', 'ignore'] as const
export type ColumnUse = (typeof COLUMN_USES)[number]

export type ColumnMapping = Record<SamplePart, string | null> & { ignore: string[] }

/** A top-level column as read from the file's schema; `type` is a short description such as `list<struct<role: string, content: string>>`. */
export type ColumnInfo = { name: string; type: string }

/** The names a part is guessed from, best first (compared without case). */
const GUESSES: Record<SamplePart, string[]> = {
	id: ['id', 'external_id', 'sample_id', 'uid', '_id'],
	content: ['content', 'text'],
	messages: ['messages', 'conversation', 'conversations', 'chat'],
	language: ['language', 'lang', 'locale'],
	image_url: ['image_url'],
	image_alt: ['image_alt'],
}

/**
 * The use of each column, for the form: the remembered mapping where its columns are in this file,
 * a guess by name for the parts it leaves free, and metadata for everything else. `missing` lists
 * the remembered columns this file does not have (the schema changed).
 */
export function prefillUses(columns: ReadonlyArray<ColumnInfo>, remembered: ColumnMapping | null): { uses: ColumnUse[]; missing: string[] } {
	const names = columns.map((c) => c.name)
	const uses: ColumnUse[] = names.map(() => 'metadata')
	const taken = new Set<SamplePart>()
	const missing: string[] = []
	if (remembered) {
		for (const part of SAMPLE_PARTS) {
			const column = remembered[part]
			if (!column) continue
			const at = names.indexOf(column)
			if (at < 0) missing.push(column)
			else {
				uses[at] = part
				taken.add(part)
			}
		}
		for (const column of remembered.ignore) {
			const at = names.indexOf(column)
			if (at >= 0 && uses[at] === 'metadata') uses[at] = 'ignore'
		}
	}
	for (const part of SAMPLE_PARTS) {
		if (taken.has(part)) continue
		for (const guess of GUESSES[part]) {
			const at = names.findIndex((n, i) => n.toLowerCase() === guess && uses[i] === 'metadata' && !remembered?.ignore.includes(n))
			if (at >= 0) {
				uses[at] = part
				break
			}
		}
	}
	return { uses, missing }
}

export type MappingProblem =
	{ code: 'mapping_no_id' } | { code: 'mapping_no_content' } | { code: 'mapping_part_twice'; part: SamplePart; columns: string } | { code: 'mapping_messages_not_list'; column: string; type: string }

/** A chat column must be a list of structs with role and content (as the schema says; each row is checked again on import). */
export function isChatType(type: string) {
	return /^list<struct<(.*\b)?role: string\b/.test(type) && /^list<struct<(.*\b)?content: string\b/.test(type)
}

/** The mapping the chosen uses describe, or what is wrong with them. */
export function mappingFromUses(columns: ReadonlyArray<ColumnInfo>, uses: ReadonlyArray<ColumnUse>): { mapping: ColumnMapping; problems: [] } | { mapping: null; problems: MappingProblem[] } {
	const mapping: ColumnMapping = { id: null, content: null, messages: null, language: null, image_url: null, image_alt: null, ignore: [] }
	const problems: MappingProblem[] = []
	for (const part of SAMPLE_PARTS) {
		const chosen = columns.filter((_, i) => uses[i] === part)
		if (chosen.length > 1) problems.push({ code: 'mapping_part_twice', part, columns: chosen.map((c) => c.name).join(', ') })
		mapping[part] = chosen[0]?.name ?? null
	}
	mapping.ignore = columns.filter((_, i) => uses[i] === 'ignore').map((c) => c.name)
	if (!mapping.id) problems.push({ code: 'mapping_no_id' })
	if (!mapping.content && !mapping.messages) problems.push({ code: 'mapping_no_content' })
	const messages = columns.find((c) => c.name === mapping.messages)
	if (messages && !isChatType(messages.type)) problems.push({ code: 'mapping_messages_not_list', column: messages.name, type: messages.type })
	return problems.length ? { mapping: null, problems } : { mapping, problems: [] }
}

/** A stored mapping as read back from JSON (jsonb): anything malformed is treated as no mapping. */
export function readColumnMapping(value: unknown): ColumnMapping | null {
	if (!value || typeof value !== 'object' || Array.isArray(value)) return null
	const v = value as Record<string, unknown>
	const out: ColumnMapping = { id: null, content: null, messages: null, language: null, image_url: null, image_alt: null, ignore: [] }
	for (const part of SAMPLE_PARTS) {
		const column = v[part]
		if (column !== null && column !== undefined && typeof column !== 'string') return null
		out[part] = column ?? null
	}
	if (!out.id || !Array.isArray(v.ignore) || !v.ignore.every((c) => typeof c === 'string')) return null
	out.ignore = v.ignore as string[]
	return out
}
