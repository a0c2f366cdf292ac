import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { ByteWriter, ParquetWriter } from 'hyparquet-writer'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parquetRowToSample } from '#app/domain/import/parquet-row.ts'
import { parquetAsJsonl, readParquetFooter } from '#app/models/parquet-import.server.ts'
import { chatColumnSchema } from '#tests/parquet-fixtures.ts'

const ROWS = 1_000
let dir = ''
let file = ''

/** 1,000 rows in row groups of 700 and 300, pages of a few hundred bytes (many pages per column chunk). */
function smallPages(): Uint8Array {
	const ids = Array.from({ length: ROWS }, (_, i) => `r-${i}`)
	const writer = new ByteWriter()
	const parquet = new ParquetWriter({
		writer,
		codec: 'SNAPPY',
		schema: [
			{ name: 'root', num_children: 5 },
			{ name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
			{ name: 'content', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
			...chatColumnSchema('messages'),
			{ name: 'persona', repetition_type: 'OPTIONAL', num_children: 2 },
			{ name: 'region', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
			{ name: 'age', type: 'INT32', repetition_type: 'OPTIONAL' },
			{ name: 'prompt_id', type: 'INT64', repetition_type: 'OPTIONAL' },
		],
	})
	parquet.write({
		rowGroupSize: 700,
		pageSize: 300,
		columnData: [
			{ name: 'id', data: ids },
			{ name: 'content', data: ids.map((_, i) => (i % 3 ? `text ${i} ${'é'.repeat(i % 17)}` : null)) },
			{ name: 'messages', data: ids.map((_, i) => (i % 3 ? null : [{ role: 'user', content: `q ${i}` }, ...(i % 2 ? [] : [{ role: 'assistant', content: `a ${i}` }])])) },
			{ name: 'persona', data: ids.map((_, i) => (i % 11 === 0 ? null : { region: ['Oaxaca', 'Amman', '東京'][i % 3], age: i % 7 ? 20 + (i % 50) : null })) },
			{ name: 'prompt_id', data: ids.map((_, i) => (i % 13 === 0 ? null : BigInt(i))) },
		],
	})
	parquet.finish()
	return new Uint8Array(writer.getBuffer())
}

beforeAll(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'rt-parquet-ranges-'))
	file = path.join(dir, 'ranges.parquet')
	await writeFile(file, smallPages())
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function lines(options?: { readRange?: number; wholeColumnBytes?: number }): Promise<string[]> {
	const metadata = await readParquetFooter(file)
	const decoder = new TextDecoder()
	let text = ''
	for await (const chunk of parquetAsJsonl(file, metadata, null, undefined, options)) text += decoder.decode(chunk)
	return text.split('\n').slice(0, -1)
}

describe('Parquet read a range of rows at a time (issue #23, memory)', () => {
	test('the file has several pages per column chunk, so ranges start and end inside pages', async () => {
		const metadata = await readParquetFooter(file)
		expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([700, 300])
		const content = metadata.row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema[0] === 'content')!
		expect(Number(content.meta_data!.total_uncompressed_size)).toBeGreaterThan(3 * 300)
	})

	test('every column read by ranges of rows (flat, nested struct, list of structs) gives the same rows, in order, as reading the whole file at once', async () => {
		const reference = (await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors })).map((row) => JSON.stringify(parquetRowToSample(row)))
		expect(reference).toHaveLength(ROWS)
		for (const readRange of [1, 37, 256, 699, 10_000]) {
			expect(await lines({ readRange, wholeColumnBytes: 0 }), `ranges of ${readRange}`).toEqual(reference)
		}
		// Small columns once per row group, large ones by ranges (the default split, lowered to this file's sizes).
		expect(await lines({ readRange: 50, wholeColumnBytes: 2_000 })).toEqual(reference)
		expect(await lines()).toEqual(reference)
	})
})
