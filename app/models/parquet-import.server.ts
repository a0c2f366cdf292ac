/**
 * Parquet uploads (docs/pipeline.md): the body is spooled to a temporary file (Parquet is read from
 * its footer, so it needs random access), checked, then read one row group at a time with
 * hyparquet and handed to the importer as lines of the sample file — the same all-or-nothing
 * import and per-row errors as JSONL, row n being line n. Only one row group is held in memory.
 */
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { parquetRowToSample } from '#app/domain/import/parquet-row.ts'

/** The upload is not a readable Parquet file (malformed, truncated, or an unsupported encoding). */
export class ParquetFileError extends Error {}

/** Writes `source` to a temporary file (at most `maxBytes`); `cleanup` removes it. */
export async function spoolParquet(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ file: string; bytes: number; cleanup: () => Promise<void> }> {
	const dir = await mkdtemp(path.join(tmpdir(), 'rt-parquet-'))
	const cleanup = () => rm(dir, { recursive: true, force: true })
	const file = path.join(dir, 'upload.parquet')
	const out = createWriteStream(file)
	let bytes = 0
	try {
		for await (const chunk of source) {
			bytes += chunk.byteLength
			if (bytes > maxBytes) throw new ParquetFileError(`The file is larger than the limit of ${maxBytes} bytes.`)
			if (!out.write(chunk)) await once(out, 'drain')
		}
		out.end()
		await once(out, 'finish')
		return { file, bytes, cleanup }
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

/** The rows as JSONL, a row group at a time; `mapRow` renames columns first (a Hub import's column mapping). */
export async function* parquetAsJsonl(file: string, metadata: FileMetaData, mapRow?: (row: Record<string, unknown>) => Record<string, unknown>): AsyncGenerator<Uint8Array> {
	const buffer = await asyncBufferFromFile(file)
	const encoder = new TextEncoder()
	let rowStart = 0
	for (const [n, group] of metadata.row_groups.entries()) {
		const rowEnd = rowStart + Number(group.num_rows)
		let rows: Array<Record<string, unknown>>
		try {
			rows = (await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd, compressors })) as Array<Record<string, unknown>>
		} catch (error) {
			throw new ParquetFileError(`Row group ${n + 1} (rows ${rowStart + 1}–${rowEnd}) cannot be read: ${(error as Error).message}`)
		}
		yield encoder.encode(rows.map((row) => `${JSON.stringify(parquetRowToSample(mapRow ? mapRow(row) : row))}\n`).join(''))
		rowStart = rowEnd
	}
}
