/**
 * Parquet files for tests, written by a real Parquet writer (hyparquet-writer, the one the exports
 * use): the API upload's fixture, and one whose columns need mapping (decision 047).
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer'

/**
 * The schema elements of a chat column: a list of {role, content} structs in Parquet's standard
 * three levels (list → repeated group → element), its two fields in the order given.
 */
export function chatColumnSchema(name: string, fields: ReadonlyArray<'role' | 'content'> = ['role', 'content']) {
	return [
		{ name, repetition_type: 'OPTIONAL' as const, converted_type: 'LIST' as const, num_children: 1 },
		{ name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
		{ name: 'element', repetition_type: 'OPTIONAL' as const, num_children: 2 },
		...fields.map((field) => ({ name: field, type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const })),
	]
}

/** Fixtures written by a Parquet writer (hyparquet-writer): nested structs, lists of structs, nulls, dictionary-encoded and compressed columns, several row groups. */
export function fixture(rows = 5, rowGroupSize = 2) {
	const ids = Array.from({ length: rows }, (_, i) => `p-${i}`)
	const writer = new ByteWriter()
	const parquet = new ParquetWriter({
		writer,
		codec: 'SNAPPY',
		schema: [
			{ name: 'root', num_children: 6 },
			{ name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
			{ name: 'content', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
			...chatColumnSchema('messages'),
			{ name: 'language', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
			{ name: 'persona', repetition_type: 'OPTIONAL', num_children: 2 },
			{ name: 'region', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
			{ name: 'age', type: 'INT32', repetition_type: 'OPTIONAL' },
			{ name: 'prompt_id', type: 'INT64', repetition_type: 'OPTIONAL' },
		],
	})
	parquet.write({
		rowGroupSize,
		columnData: [
			{ name: 'id', data: ids },
			// Even rows are chats (content null), odd rows plain text.
			{ name: 'content', data: ids.map((_, i) => (i % 2 ? `text ${i}` : null)), codec: 'UNCOMPRESSED' },
			{
				name: 'messages',
				data: ids.map((_, i) =>
					i % 2
						? null
						: [
								{ role: 'user', content: `q ${i}` },
								{ role: 'assistant', content: `a ${i}` },
							],
				),
			},
			// Few distinct values: dictionary-encoded by the writer.
			{ name: 'language', data: ids.map((_, i) => (i % 3 ? 'en' : 'es')), encoding: 'RLE_DICTIONARY' },
			{ name: 'persona', data: ids.map((_, i) => (i === 4 ? null : { region: i % 2 ? 'Amman' : 'Oaxaca', age: 30 + i })) },
			{ name: 'prompt_id', data: ids.map((_, i) => (i === 1 ? null : BigInt(100 + i))) },
		],
	})
	parquet.finish()
	return new Uint8Array(writer.getBuffer())
}

type Turn = { role: string | null; content: string }

/**
 * Columns named as a Hub dataset might name them — `external_id`, `text`, `conversation` (a list of
 * {role, content} structs), `lang`, `persona` (a struct) and `note` —, none of them the sample
 * file's own names but `id`. Even rows are chats, odd rows text. `missingIdAt` and `badChatAt`
 * (1-based rows) break one row each: no id, and a chat turn without a role.
 */
export function mappingFixture({ rows = 4, missingIdAt, badChatAt, prefix = 'c' }: { rows?: number; missingIdAt?: number; badChatAt?: number; prefix?: string } = {}) {
	const n = Array.from({ length: rows }, (_, i) => i)
	const writer = new ByteWriter()
	const parquet = new ParquetWriter({
		writer,
		codec: 'SNAPPY',
		schema: [
			{ name: 'root', num_children: 6 },
			{ name: 'external_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
			{ name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
			...chatColumnSchema('conversation'),
			{ name: 'lang', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
			{ name: 'persona', repetition_type: 'OPTIONAL', num_children: 2 },
			{ name: 'region', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
			{ name: 'age', type: 'INT32', repetition_type: 'OPTIONAL' },
			{ name: 'note', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
		],
	})
	parquet.write({
		columnData: [
			{ name: 'external_id', data: n.map((i) => (i + 1 === missingIdAt ? null : `${prefix}-${i}`)) },
			{ name: 'text', data: n.map((i) => (i % 2 ? `answer ${i}` : null)) },
			{
				name: 'conversation',
				data: n.map((i): Turn[] | null =>
					i % 2
						? null
						: [
								{ role: i + 1 === badChatAt ? null : 'user', content: `question ${i}` },
								{ role: 'assistant', content: `reply ${i}` },
							],
				),
			},
			{ name: 'lang', data: n.map((i) => (i % 2 ? 'en' : 'es')) },
			{ name: 'persona', data: n.map((i) => ({ region: i % 2 ? 'Amman' : 'Oaxaca', age: 30 + i })) },
			{ name: 'note', data: n.map((i) => `internal note ${i}`) },
		],
	})
	parquet.finish()
	return new Uint8Array(writer.getBuffer())
}
