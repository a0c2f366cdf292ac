import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { parseSamples } from '#app/domain/import/parse.ts'
import { type ImportError, type ImportFormat, type ParsedSample } from '#app/domain/import/types.ts'

const dir = new URL('../fixtures/import/', import.meta.url)

/** What each file in tests/fixtures/import must produce: every error, and the lines of the samples. */
const corpus: Record<string, { errors: ImportError[]; sampleLines?: number[] }> = {
	// Accepted
	'ok-bom.jsonl': { errors: [], sampleLines: [1, 2] },
	'ok-crlf.jsonl': { errors: [], sampleLines: [1, 2, 3] },
	'ok-no-final-newline.jsonl': { errors: [], sampleLines: [1, 2] },
	'ok-blank-lines.jsonl': { errors: [], sampleLines: [2, 6, 8] },
	'ok-string-ids.jsonl': { errors: [], sampleLines: [1, 2, 3] },
	'ok-surrogate-pair.jsonl': { errors: [], sampleLines: [1, 2] },
	'ok.csv': { errors: [], sampleLines: [2, 3, 5] },

	// Whole-file problems: one error, then the parser stops
	'empty.jsonl': { errors: [{ line: 1, code: 'empty_file' }] },
	'whitespace-only.jsonl': { errors: [{ line: 1, code: 'empty_file' }] },
	'bom-only.jsonl': { errors: [{ line: 1, code: 'empty_file' }] },
	'utf16le.jsonl': { errors: [{ line: 1, code: 'utf16' }] },
	'utf16be.jsonl': { errors: [{ line: 1, code: 'utf16' }] },
	'json-array.jsonl': { errors: [{ line: 1, code: 'json_array' }] },
	'json-array-after-blank.jsonl': { errors: [{ line: 2, code: 'json_array' }] },
	'csv-empty.csv': { errors: [{ line: 1, code: 'empty_file' }] },
	'csv-header-only.csv': { errors: [{ line: 1, code: 'empty_file' }] },
	'csv-utf16le.csv': { errors: [{ line: 1, code: 'utf16' }] },
	'csv-duplicate-header.csv': { errors: [{ line: 1, code: 'csv_duplicate_header', params: { name: 'id' } }] },
	'csv-semicolon.csv': { errors: [{ line: 1, code: 'csv_wrong_separator' }] },
	'csv-missing-id.csv': { errors: [{ line: 1, code: 'csv_missing_column', params: { name: 'id' } }] },
	'csv-missing-content.csv': { errors: [{ line: 1, code: 'csv_missing_column', params: { name: 'content' } }] },
	'csv-unknown-column.csv': { errors: [{ line: 1, code: 'csv_unknown_column', params: { name: 'text' } }] },
	'csv-metadata-conflict.csv': { errors: [{ line: 1, code: 'csv_metadata_conflict', params: { name: 'metadata.persona.age' } }] },
	// The quoted field that never closes starts on line 6, inside the record that starts on line 5.
	'csv-unterminated-quote.csv': { errors: [{ line: 6, code: 'csv_unterminated_quote' }] },

	// Per-record problems: every bad record reported, the rest still parsed
	'invalid-utf8.jsonl': {
		errors: [
			{ line: 3, code: 'invalid_utf8' },
			{ line: 5, code: 'invalid_utf8' },
		],
	},
	'nul-byte.jsonl': { errors: [{ line: 2, code: 'nul_byte' }] },
	'nul-escape.jsonl': {
		errors: [
			{ line: 1, code: 'nul_byte' },
			{ line: 3, code: 'nul_byte' },
		],
	},
	'lone-surrogate.jsonl': {
		errors: [
			{ line: 1, code: 'lone_surrogate' },
			{ line: 2, code: 'lone_surrogate' },
			{ line: 4, code: 'lone_surrogate' },
		],
	},
	'duplicate-ids.jsonl': {
		errors: [
			{ line: 3, code: 'duplicate_id', params: { id: 'a', firstLine: 1 } },
			{ line: 5, code: 'duplicate_id', params: { id: 'b', firstLine: 2 } },
			{ line: 6, code: 'duplicate_id', params: { id: 'a', firstLine: 1 } },
		],
	},
	'numeric-id.jsonl': {
		errors: [
			{ line: 1, code: 'id_not_string' },
			{ line: 3, code: 'id_not_string' },
			{ line: 4, code: 'id_not_string' },
		],
	},
	'not-an-object.jsonl': { errors: [2, 3, 4, 5, 6].map((line) => ({ line, code: 'not_an_object' as const })) },
	'invalid-json.jsonl': { errors: [2, 3, 4].map((line) => ({ line, code: 'invalid_json' as const })) },
	'unknown-field.jsonl': {
		errors: [
			{ line: 2, code: 'unknown_field', params: { field: 'text' } },
			{ line: 3, code: 'unknown_field', params: { field: 'image' } },
		],
	},
	'invalid-fields.jsonl': {
		errors: [
			{ line: 1, code: 'missing_id' },
			{ line: 2, code: 'id_empty' },
			{ line: 3, code: 'missing_content' },
			{ line: 4, code: 'missing_content' },
			{ line: 5, code: 'content_not_string' },
			{ line: 6, code: 'content_and_messages' },
			{ line: 7, code: 'messages_invalid', params: { index: 0 } },
			{ line: 8, code: 'messages_invalid', params: { index: 1 } },
			{ line: 9, code: 'language_invalid' },
			{ line: 10, code: 'metadata_not_object' },
			{ line: 11, code: 'image_url_invalid', params: { max: 2048 } },
			{ line: 12, code: 'image_alt_invalid', params: { max: 1000 } },
		],
	},
	'csv-ragged.csv': {
		errors: [
			{ line: 3, code: 'csv_ragged_row', params: { expected: 3, actual: 2 } },
			{ line: 4, code: 'csv_ragged_row', params: { expected: 3, actual: 4 } },
		],
	},
	'csv-invalid-utf8.csv': { errors: [{ line: 5, code: 'invalid_utf8' }] },
	'csv-nul.csv': { errors: [{ line: 2, code: 'nul_byte' }] },
	'csv-invalid-values.csv': {
		errors: [
			{ line: 2, code: 'id_empty' },
			{ line: 4, code: 'missing_content' },
			{ line: 5, code: 'language_invalid' },
			{ line: 6, code: 'image_url_invalid', params: { max: 2048 } },
			{ line: 7, code: 'duplicate_id', params: { id: 'a', firstLine: 3 } },
		],
	},
}

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
	for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

async function run(bytes: Uint8Array, format: ImportFormat, chunkSize = 64 * 1024) {
	const errors: ImportError[] = []
	const samples: ParsedSample[] = []
	for await (const event of parseSamples(chunked(bytes, chunkSize), format)) {
		if (event.kind === 'error') errors.push(event.error)
		else if (event.kind === 'sample') samples.push(event.sample)
	}
	return { errors, samples }
}

/** The caller's rule: a file with any error imports nothing. */
function imported(result: { errors: ImportError[]; samples: ParsedSample[] }) {
	return result.errors.length > 0 ? [] : result.samples
}

const formatOf = (name: string): ImportFormat => (name.endsWith('.csv') ? 'csv' : 'jsonl')

describe('bad-input corpus', () => {
	test('every fixture file has an expectation, and every expectation a file', () => {
		expect(readdirSync(dir).sort()).toEqual(Object.keys(corpus).sort())
	})

	for (const [name, expected] of Object.entries(corpus)) {
		test(name, async () => {
			const bytes = new Uint8Array(readFileSync(new URL(name, dir)))
			const result = await run(bytes, formatOf(name))
			expect(result.errors).toEqual(expected.errors)
			if (expected.errors.length > 0) {
				expect(result.errors[0]!.line).toBeGreaterThanOrEqual(1)
				expect(imported(result)).toHaveLength(0)
			} else {
				expect(result.samples.map((s) => s.line)).toEqual(expected.sampleLines)
				expect(imported(result)).toHaveLength(expected.sampleLines!.length)
			}
			// Chunk boundaries must not matter: feed the same file 1, 2 and 3 bytes at a time.
			for (const size of [1, 2, 3]) expect(await run(bytes, formatOf(name), size)).toEqual(result)
		})
	}

	test('the accepted CSV keeps quoted commas, "" escapes and line breaks, and nests metadata', async () => {
		const { samples } = await run(new Uint8Array(readFileSync(new URL('ok.csv', dir))), 'csv')
		expect(samples.map(({ externalId, content, language, metadata }) => ({ externalId, content, language, metadata }))).toEqual([
			{ externalId: 'p-1', content: 'Hello, world', language: 'en', metadata: { persona: { age: '60s', origin: 'Oaxaca' }, prompt_id: 't3' } },
			{ externalId: 'p-2', content: 'She said "hi"\r\nand left', language: 'es', metadata: { prompt_id: 't4' } },
			{ externalId: 'p-3', content: 'plain text', language: null, metadata: {} },
		])
	})
})

describe('generated large inputs', () => {
	const enc = new TextEncoder()
	const good = (id: string) => JSON.stringify({ id, content: 'fine' })

	test('a 10 MB single line is line_too_long, and the lines around it still parse', async () => {
		const huge = JSON.stringify({ id: 'big', content: 'x'.repeat(10 * 1024 * 1024) })
		const bytes = enc.encode(`${good('a')}\n${huge}\n${good('b')}\n`)
		const result = await run(bytes, 'jsonl')
		expect(result.errors).toEqual([{ line: 2, code: 'line_too_long', params: { max: 1024 * 1024 } }])
		expect(result.samples.map((s) => s.externalId)).toEqual(['a', 'b'])
		expect(imported(result)).toHaveLength(0)
	})

	test('a 10 MB CSV record is line_too_long even when its quoted field spans lines', async () => {
		const text = '"' + 'y\n'.repeat(5 * 1024 * 1024) + '"'
		const bytes = enc.encode(`id,content\na,Alpha\nbig,${text}\nb,Beta\n`)
		const result = await run(bytes, 'csv')
		expect(result.errors).toEqual([{ line: 3, code: 'line_too_long', params: { max: 1024 * 1024 } }])
		// The record's 5 Mi embedded line breaks still count: b is on the line after them.
		expect(result.samples.map((s) => [s.externalId, s.line])).toEqual([
			['a', 2],
			['b', 3 + 5 * 1024 * 1024 + 1],
		])
	})

	test('nesting 10,000 deep is too_deep, without overflowing the stack', async () => {
		const deep = `{"id":"deep","content":"x","metadata":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`
		const arrays = `{"id":"deep2","content":"x","metadata":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`
		const result = await run(enc.encode(`${good('a')}\n${deep}\n${arrays}\n`), 'jsonl')
		expect(result.errors).toEqual([
			{ line: 2, code: 'too_deep', params: { max: 32 } },
			{ line: 3, code: 'too_deep', params: { max: 32 } },
		])
		expect(imported(result)).toHaveLength(0)
	})
})
