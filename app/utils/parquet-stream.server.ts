/**
 * Writes Parquet as it is read (hyparquet-writer, decision 033): rows are gathered into row groups
 * of `rowGroupRows`, each group is encoded and its bytes handed out at once, and the footer comes
 * last. Only one row group's rows and bytes are held at a time, so a large export streams like the
 * CSV and JSONL ones do. The caller gives the schema (flat Parquet schema elements) and, per
 * column, how to take its value from a row.
 */
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer'

export type ParquetColumn<Row> = { name: string; value: (row: Row) => unknown }

const ROW_GROUP_ROWS = 20_000

/** The bytes of a Parquet file of `batches`' rows, one chunk per row group (and one for the footer). */
export async function* parquetChunks<Row>({
	schema,
	columns,
	batches,
	rowGroupRows = ROW_GROUP_ROWS,
	metadata = [],
}: {
	schema: SchemaElement[]
	columns: ReadonlyArray<ParquetColumn<Row>>
	batches: AsyncIterable<ReadonlyArray<Row>>
	rowGroupRows?: number
	metadata?: Array<{ key: string; value: string }>
}): AsyncGenerator<Uint8Array> {
	const writer = new ByteWriter(1 << 16)
	const parquet = new ParquetWriter({ writer, schema, codec: 'SNAPPY', kvMetadata: metadata, createdBy: 'roundtable' })
	// The writer keeps counting its offset (the footer needs it); its buffer is emptied after each take.
	const take = () => {
		const bytes = writer.getBytes().slice()
		writer.index = 0
		return bytes
	}
	let pending: Row[] = []
	const flush = () => {
		parquet.write({ columnData: columns.map((c) => ({ name: c.name, data: pending.map(c.value) })), rowGroupSize: pending.length })
		pending = []
	}
	yield take()
	for await (const batch of batches) {
		for (const row of batch) pending.push(row)
		if (pending.length >= rowGroupRows) {
			flush()
			yield take()
		}
	}
	if (pending.length) flush()
	parquet.finish()
	yield take()
}
