/**
 * Parquet uploads (docs/pipeline.md): the body is spooled to a temporary file (Parquet is read from
 * its footer, so it needs random access), checked, then read one row group at a time with
 * hyparquet and handed to the importer as lines of the sample file — the same all-or-nothing
 * import and per-row errors as JSONL, row n being line n. What is held in memory is a row group's
 * small columns and 10,000 rows of its large ones (the text), whatever the row-group size.
 */
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema, type FileMetaData, type SchemaTree } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { type ColumnInfo, type ColumnMapping } from '#app/domain/import/column-mapping.ts'
import { mappedRowToSample, parquetRowToSample } from '#app/domain/import/parquet-row.ts'

/** The upload is not a readable Parquet file (malformed, truncated, or an unsupported encoding). */
export class ParquetFileError extends Error {}

/** The upload is larger than the import limit. */
export class ParquetTooLargeError extends ParquetFileError {
	constructor(readonly maxBytes: number) {
		super(`The file is larger than the limit of ${maxBytes} bytes.`)
	}
}

/** Writes `source` to a temporary file (at most `maxBytes`); `cleanup` removes it. */
export async function spoolParquet(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ file: string; bytes: number; cleanup: () => Promise<void> }> {
	const dir = await mkdtemp(path.join(tmpdir(), 'rt-parquet-'))
	const cleanup = () => rm(dir, { recursive: true, force: true })
	const file = path.join(dir, 'upload.parquet')
	return { file, bytes: await writeParquetFile(source, maxBytes, file, cleanup), cleanup }
}

/** Writes `source` to `file` (at most `maxBytes`), calling `cleanup` if it fails; returns the size. */
export async function writeParquetFile(source: AsyncIterable<Uint8Array>, maxBytes: number, file: string, cleanup: () => Promise<void>): Promise<number> {
	const out = createWriteStream(file)
	let bytes = 0
	try {
		for await (const chunk of source) {
			bytes += chunk.byteLength
			if (bytes > maxBytes) throw new ParquetTooLargeError(maxBytes)
			if (!out.write(chunk)) await once(out, 'drain')
		}
		out.end()
		await once(out, 'finish')
		return bytes
	} catch (error) {
		out.destroy()
		await cleanup()
		throw error
	}
}

/** The file's footer, or a ParquetFileError that says what is wrong. */
export async function readParquetFooter(file: string): Promise<FileMetaData> {
	const buffer = await asyncBufferFromFile(file)
	if (buffer.byteLength < 12) throw new ParquetFileError('This is not a Parquet file: it is too short to hold one.')
	const head = new Uint8Array(await buffer.slice(0, 4))
	if (new TextDecoder().decode(head) !== 'PAR1') throw new ParquetFileError('This is not a Parquet file: it does not start with "PAR1".')
	try {
		return await parquetMetadataAsync(buffer)
	} catch (error) {
		throw new ParquetFileError(`This Parquet file is truncated or damaged: its footer cannot be read (${(error as Error).message}).`)
	}
}

/** The file's top-level columns, each with a short description of its type (for the column-mapping form). */
export function describeColumns(metadata: FileMetaData): ColumnInfo[] {
	return parquetSchema(metadata).children.map((c) => ({ name: c.element.name, type: describeType(c) }))
}

function describeType(node: SchemaTree): string {
	const { element, children } = node
	const listed = element.converted_type === 'LIST' || element.logical_type?.type === 'LIST'
	if (listed && children.length === 1) {
		// The standard three levels (list → repeated group → element); older writers repeat the element itself.
		const repeated = children[0]!
		if (!repeated.children.length) return `list<${leafType(repeated.element)}>`
		return `list<${repeated.children.length === 1 && !listLeaf(repeated) ? describeType(repeated.children[0]!) : structType(repeated)}>`
	}
	if (element.converted_type === 'MAP' || element.converted_type === 'MAP_KEY_VALUE' || element.logical_type?.type === 'MAP') return 'map'
	if (children.length) return structType(node)
	const leaf = leafType(element)
	return element.repetition_type === 'REPEATED' ? `list<${leaf}>` : leaf
}

const structType = (node: SchemaTree) => `struct<${node.children.map((c) => `${c.element.name}: ${describeType(c)}`).join(', ')}>`

/** A repeated group with one child named like a struct field (legacy two-level lists of structs). */
const listLeaf = (repeated: SchemaTree) => repeated.element.name === 'array' || repeated.element.name.endsWith('_tuple')

function leafType(element: SchemaTree['element']): string {
	const logical = element.logical_type
	if (logical?.type === 'STRING' || element.converted_type === 'UTF8' || element.converted_type === 'ENUM') return 'string'
	if (logical?.type === 'JSON' || element.converted_type === 'JSON') return 'json'
	if (logical?.type === 'INTEGER') return `${logical.isSigned ? 'int' : 'uint'}${logical.bitWidth}`
	if (logical?.type === 'TIMESTAMP' || element.converted_type?.startsWith('TIMESTAMP') || element.type === 'INT96') return 'timestamp'
	if (logical?.type === 'DATE' || element.converted_type === 'DATE') return 'date'
	if (logical?.type === 'DECIMAL' || element.converted_type === 'DECIMAL') return 'decimal'
	const physical: Record<string, string> = { BOOLEAN: 'boolean', INT32: 'int32', INT64: 'int64', FLOAT: 'float', DOUBLE: 'double', BYTE_ARRAY: 'binary', FIXED_LEN_BYTE_ARRAY: 'binary' }
	return physical[element.type ?? ''] ?? 'unknown'
}

/**
 * The rows as JSONL, a row group at a time (its large columns a range of rows at a time): by `mapping` when given (the owner's column mapping),
 * else by column name, after `mapRow` renames columns (a Hub import's named columns).
 */
export async function* parquetAsJsonl(
	file: string,
	metadata: FileMetaData,
	mapping?: ColumnMapping | null,
	mapRow?: (row: Record<string, unknown>) => Record<string, unknown>,
	{ readRange = READ_RANGE, wholeColumnBytes = WHOLE_COLUMN_BYTES }: { readRange?: number; wholeColumnBytes?: number } = {},
): AsyncGenerator<Uint8Array> {
	const buffer = await asyncBufferFromFile(file)
	const encoder = new TextEncoder()
	const names = parquetSchema(metadata).children.map((c) => c.element.name)
	const toSample = mapping ? (row: Record<string, unknown>) => mappedRowToSample(row, mapping) : (row: Record<string, unknown>) => parquetRowToSample(mapRow ? mapRow(row) : row)
	let groupStart = 0
	for (const [n, group] of metadata.row_groups.entries()) {
		const rows = Number(group.num_rows)
		const groupEnd = groupStart + rows
		const read = async (columns: string[], rowStart: number, rowEnd: number) => {
			const chunks = new Map<string, Array<{ start: number; data: ArrayLike<unknown> }>>()
			try {
				await parquetRead({
					file: buffer,
					metadata,
					columns,
					rowStart,
					rowEnd,
					compressors,
					useOffsetIndex: true,
					onChunk: ({ columnName, columnData, rowStart: start }) => {
						const list = chunks.get(columnName) ?? []
						list.push({ start, data: columnData })
						chunks.set(columnName, list)
					},
				})
			} catch (error) {
				throw new ParquetFileError(`Row group ${n + 1} (rows ${groupStart + 1}–${groupEnd}) cannot be read: ${(error as Error).message}`)
			}
			return chunks
		}
		// Small columns (ids, categories, numbers) are decoded once for the row group; large ones (the
		// text) a range of rows at a time: hyparquet then fetches and decodes only the pages holding
		// those rows (by the offset index when the file has one), so neither a row group of 100,000
		// rows nor a pipeline's single row group of a million is decoded whole.
		const sizes = new Map<string, number>()
		for (const chunk of group.columns) {
			const top = chunk.meta_data?.path_in_schema[0]
			if (top !== undefined) sizes.set(top, (sizes.get(top) ?? 0) + Math.max(Number(chunk.meta_data!.total_uncompressed_size), rows * DECODED_BYTES_PER_VALUE))
		}
		const ranged = names.filter((name) => (sizes.get(name) ?? 0) > wholeColumnBytes)
		const cursors = new Map<string, (row: number) => unknown>()
		// One column per read: what hyparquet builds while decoding a column (for a struct, arrays and
		// objects per row and level) is then garbage before the next column starts, not all at once.
		for (const name of names.filter((n) => sizes.has(n) && !ranged.includes(n))) {
			for (const [column, list] of await read([name], groupStart, groupEnd)) cursors.set(column, columnCursor(list))
		}
		for (let rangeStart = groupStart; rangeStart < groupEnd; rangeStart += readRange) {
			const rangeEnd = Math.min(rangeStart + readRange, groupEnd)
			if (ranged.length) for (const [name, list] of await read(ranged, rangeStart, rangeEnd)) cursors.set(name, columnCursor(list))
			const columns = names.filter((name) => cursors.has(name)).map((name) => ({ name, cursor: cursors.get(name)! }))
			for (let from = rangeStart; from < rangeEnd; from += JSONL_SLICE) {
				const to = Math.min(from + JSONL_SLICE, rangeEnd)
				let lines = ''
				for (let r = from; r < to; r++) {
					const row: Record<string, unknown> = {}
					for (const c of columns) row[c.name] = c.cursor(r)
					lines += `${JSON.stringify(toSample(row))}\n`
				}
				yield encoder.encode(lines)
			}
			for (const name of ranged) cursors.delete(name)
		}
		groupStart = groupEnd
	}
}

/** Rows of a large column decoded per read (a few pages of it). */
const READ_RANGE = 10_000
/** A column whose row group decodes to more than this is read a range of rows at a time. */
const WHOLE_COLUMN_BYTES = 8 << 20
/** What a decoded value costs at least in memory, whatever its size on disk (a pointer and some). */
const DECODED_BYTES_PER_VALUE = 16

/** Rows handed to the importer per piece of JSONL. */
const JSONL_SLICE = 2000

/** A column's value at a row (rows asked in increasing order), across the chunks hyparquet gave it in. */
function columnCursor(chunks: Array<{ start: number; data: ArrayLike<unknown> }>) {
	chunks.sort((a, b) => a.start - b.start)
	let i = 0
	return (row: number): unknown => {
		while (i < chunks.length && row >= chunks[i]!.start + chunks[i]!.data.length) chunks[i++] = { start: 0, data: [] }
		const chunk = chunks[i]
		return chunk && row >= chunk.start ? chunk.data[row - chunk.start] : null
	}
}
