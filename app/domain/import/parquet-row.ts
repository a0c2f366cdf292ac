/**
 * A Parquet row as a line of the sample file (decision 033's reader, docs/pipeline.md): the columns
 * named like the JSONL fields (`id`, `content`, `messages` — a list of `{role, content}` structs —,
 * `language`, `image_url`, `image_alt`, `metadata`) are taken as such; every other column goes
 * into `metadata` under its name, nested structs staying nested and nulls left out. The row is
 * then checked by the JSONL importer, so the rules and per-row errors are the same.
 */
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

export function parquetRowToSample(row: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {}
	let metadata: Record<string, unknown> = {}
	const id = row.id
	if (id !== null && id !== undefined) out.id = typeof id === 'number' || typeof id === 'bigint' ? String(id) : parquetValueToJson(id)
	for (const key of ['content', 'messages', 'language', 'image_url', 'image_alt'] as const) {
		const value = row[key]
		if (value !== null && value !== undefined) out[key] = parquetValueToJson(value)
	}
	const given = row.metadata
	if (typeof given === 'string') {
		try {
			const parsed: unknown = JSON.parse(given)
			metadata = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { metadata: parsed }
		} catch {
			metadata = { metadata: given }
		}
	} else if (given && typeof given === 'object' && !Array.isArray(given)) metadata = parquetValueToJson(given) as Record<string, unknown>
	for (const [key, value] of Object.entries(row)) if (!FIELDS.has(key) && value !== null && value !== undefined) metadata[key] = parquetValueToJson(value)
	if (Object.keys(metadata).length) out.metadata = metadata
	return out
}
