/**
 * A Parquet row as a line of the sample file (decision 033's reader, docs/pipeline.md): the columns
 * named like the JSONL fields (`id`, `content`, `messages` — a list of `{role, content}` structs —,
 * `language`, `image_url`, `image_alt`, `metadata`) are taken as such; every other column goes
 * into `metadata` under its name, nested structs staying nested and nulls left out. The row is
 * then checked by the JSONL importer, so the rules and per-row errors are the same.
 */
import { type ColumnMapping, SAMPLE_PARTS } from '#app/domain/import/column-mapping.ts'

const FIELDS = new Set(['id', 'content', 'messages', 'language', 'image_url', 'image_alt', 'metadata'])

/** A Parquet value as JSON: BigInt as a number (a string past 2^53), dates as ISO text, bytes as UTF-8 text. */
export function parquetValueToJson(value: unknown): unknown {
	if (value === null || value === undefined) return null
	if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
	if (value instanceof Date) return value.toISOString()
	if (value instanceof Uint8Array) return new TextDecoder().decode(value)
	if (Array.isArray(value)) return value.map(parquetValueToJson)
	if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>)
	if (typeof value === 'object') {
		const out: Record<string, unknown> = {}
		for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = parquetValueToJson(v)
		return out
	}
	return value
}

/** A numeric id is taken as its text (Parquet ids are often integers; the sample file's ids are strings). */
const idValue = (id: unknown) => (typeof id === 'number' || typeof id === 'bigint' ? String(id) : parquetValueToJson(id))

export function parquetRowToSample(row: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {}
	const id = row.id
	if (id !== null && id !== undefined) out.id = idValue(id)
	for (const key of ['content', 'messages', 'language', 'image_url', 'image_alt'] as const) {
		const value = row[key]
		if (value !== null && value !== undefined) out[key] = parquetValueToJson(value)
	}
	const metadata = metadataColumn(row.metadata)
	for (const [key, value] of Object.entries(row)) if (!FIELDS.has(key) && value !== null && value !== undefined) metadata[key] = parquetValueToJson(value)
	if (Object.keys(metadata).length) out.metadata = metadata
	return out
}

/**
 * A Parquet row by a column mapping (decision 047): each part from its mapped column, every other
 * column but the ignored ones into metadata (a column named `metadata` merged into it, as above).
 */
export function mappedRowToSample(row: Record<string, unknown>, mapping: ColumnMapping): Record<string, unknown> {
	const out: Record<string, unknown> = {}
	const used = new Set<string>(mapping.ignore)
	for (const part of SAMPLE_PARTS) {
		const column = mapping[part]
		if (!column) continue
		used.add(column)
		const value = row[column]
		if (value !== null && value !== undefined) out[part] = part === 'id' ? idValue(value) : parquetValueToJson(value)
	}
	const metadata = used.has('metadata') ? {} : metadataColumn(row.metadata)
	for (const [key, value] of Object.entries(row)) if (!used.has(key) && key !== 'metadata' && value !== null && value !== undefined) metadata[key] = parquetValueToJson(value)
	if (Object.keys(metadata).length) out.metadata = metadata
	return out
}

/** A `metadata` column: a struct, or JSON text of an object (anything else is kept under its own name). */
function metadataColumn(given: unknown): Record<string, unknown> {
	let metadata: Record<string, unknown> = {}
	if (typeof given === 'string') {
		try {
			const parsed: unknown = JSON.parse(given)
			metadata = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { metadata: parsed }
		} catch {
			metadata = { metadata: given }
		}
	} else if (given && typeof given === 'object' && !Array.isArray(given)) metadata = parquetValueToJson(given) as Record<string, unknown>
	return metadata
}
