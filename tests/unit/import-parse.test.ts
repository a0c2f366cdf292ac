import { describe, expect, test } from 'vitest'
import { parseSamples } from '#app/domain/import/parse.ts'
import { defaultImportLimits, type ImportError, type ImportFormat, type ImportLimits, type ParsedSample, type ParseEvent } from '#app/domain/import/types.ts'

const enc = new TextEncoder()

async function* chunks(parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
	for (const part of parts) yield typeof part === 'string' ? enc.encode(part) : part
}

async function events(input: string | Uint8Array | Array<string | Uint8Array>, format: ImportFormat = 'jsonl', limits?: Partial<ImportLimits>) {
	const out: ParseEvent[] = []
	const parts = Array.isArray(input) ? input : [input]
	for await (const event of parseSamples(chunks(parts), format, { ...defaultImportLimits, ...limits })) out.push(event)
	return out
}

async function parse(input: string | Uint8Array | Array<string | Uint8Array>, format: ImportFormat = 'jsonl', limits?: Partial<ImportLimits>) {
	const all = await events(input, format, limits)
	return {
		samples: all.flatMap((e) => (e.kind === 'sample' ? [e.sample] : [])),
		errors: all.flatMap((e) => (e.kind === 'error' ? [e.error] : [])),
	}
}

/** The single error of a one-line JSONL file holding `record`. */
async function errorOf(record: unknown, limits?: Partial<ImportLimits>): Promise<ImportError | undefined> {
	const { errors, samples } = await parse(`${JSON.stringify(record)}\n`, 'jsonl', limits)
	expect(errors.length + samples.length).toBe(1)
	return errors[0]
}

const lines = (...records: unknown[]) => records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n'

describe('JSONL samples', () => {
	test('a text sample fills absent fields with null and metadata with {}', async () => {
		const { samples, errors } = await parse(lines({ id: ' p-1 ', content: 'Hello' }))
		expect(errors).toEqual([])
		expect(samples).toEqual<ParsedSample[]>([{ line: 1, externalId: ' p-1 ', content: 'Hello', messages: null, imageUrl: null, imageAlt: null, language: null, metadata: {} }])
	})

	test('a chat sample with every optional field', async () => {
		const record = {
			id: 'chat-2',
			messages: [
				{ role: 'user', content: '¿Qué tal?' },
				{ role: 'assistant', content: '' },
			],
			language: 'es-419',
			metadata: { target_group: 'Afro-Colombian women', nested: { list: [1, null] } },
			image_url: 'https://example.org/img/1.png?x=1',
			image_alt: 'A photo',
		}
		const { samples } = await parse(lines(record))
		expect(samples[0]).toEqual({
			line: 1,
			externalId: 'chat-2',
			content: null,
			messages: record.messages,
			imageUrl: record.image_url,
			imageAlt: 'A photo',
			language: 'es-419',
			metadata: record.metadata,
		})
	})

	test('null optional fields mean absent', async () => {
		const { samples } = await parse(lines({ id: 'a', content: 'x', language: null, metadata: null, image_url: null, image_alt: null, messages: null }))
		expect(samples[0]).toMatchObject({ language: null, metadata: {}, imageUrl: null, imageAlt: null, messages: null })
	})

	test.each<[string, unknown, ImportError['code'], Record<string, string | number>?]>([
		['unknown field', { id: 'a', content: 'x', text: 'y' }, 'unknown_field', { field: 'text' }],
		['__proto__ key', JSON.parse('{"id":"a","content":"x","__proto__":{}}'), 'unknown_field', { field: '__proto__' }],
		['no id', { content: 'x' }, 'missing_id'],
		['null id', { id: null, content: 'x' }, 'missing_id'],
		['numeric id', { id: 1, content: 'x' }, 'id_not_string'],
		['empty id', { id: '', content: 'x' }, 'id_empty'],
		['long id', { id: 'x'.repeat(257), content: 'x' }, 'id_too_long', { max: 256 }],
		['no content', { id: 'a' }, 'missing_content'],
		['empty content', { id: 'a', content: '' }, 'missing_content'],
		['content and messages', { id: 'a', content: 'x', messages: [{ role: 'user', content: 'y' }] }, 'content_and_messages'],
		['numeric content', { id: 'a', content: 1 }, 'content_not_string'],
		['messages not an array', { id: 'a', messages: 'hi' }, 'messages_invalid', { index: 0 }],
		['empty messages', { id: 'a', messages: [] }, 'messages_invalid', { index: 0 }],
		['turn without role', { id: 'a', messages: [{ role: 'user', content: 'x' }, { content: 'y' }] }, 'messages_invalid', { index: 1 }],
		['turn with empty role', { id: 'a', messages: [{ role: '', content: 'x' }] }, 'messages_invalid', { index: 0 }],
		['turn with extra key', { id: 'a', messages: [{ role: 'user', content: 'x', name: 'n' }] }, 'messages_invalid', { index: 0 }],
		['turn that is a string', { id: 'a', messages: [{ role: 'user', content: 'x' }, { role: 'user', content: 'x' }, 'hi'] }, 'messages_invalid', { index: 2 }],
		['numeric turn content', { id: 'a', messages: [{ role: 'user', content: 3 }] }, 'messages_invalid', { index: 0 }],
		['bad language', { id: 'a', content: 'x', language: 'en_US' }, 'language_invalid'],
		['numeric language', { id: 'a', content: 'x', language: 7 }, 'language_invalid'],
		['metadata array', { id: 'a', content: 'x', metadata: [] }, 'metadata_not_object'],
		['metadata string', { id: 'a', content: 'x', metadata: '{}' }, 'metadata_not_object'],
		['relative image url', { id: 'a', content: 'x', image_url: '/img.png' }, 'image_url_invalid', { max: 2048 }],
		['data image url', { id: 'a', content: 'x', image_url: 'data:image/png;base64,AAAA' }, 'image_url_invalid', { max: 2048 }],
		['http without slashes', { id: 'a', content: 'x', image_url: 'http:example.org' }, 'image_url_invalid', { max: 2048 }],
		['long image url', { id: 'a', content: 'x', image_url: `https://example.org/${'a'.repeat(2048)}` }, 'image_url_invalid', { max: 2048 }],
		['long image alt', { id: 'a', content: 'x', image_alt: 'a'.repeat(1001) }, 'image_alt_invalid', { max: 1000 }],
		['numeric image alt', { id: 'a', content: 'x', image_alt: 1 }, 'image_alt_invalid', { max: 1000 }],
	])('%s', async (_name, record, code, params) => {
		expect(await errorOf(record)).toEqual(params ? { line: 1, code, params } : { line: 1, code })
	})

	test.each([
		['language', { language: 'zh-Hant-TW' }],
		['three-letter language', { language: 'yue' }],
		['id at the length limit, counted in code points', { id: '😀'.repeat(256) }],
		['image url at 2048 characters', { image_url: `http://example.org/${'a'.repeat(2048 - 19)}` }],
		['image alt at 1000 characters', { image_alt: 'é'.repeat(1000) }],
	])('accepts %s', async (_name, fields) => {
		expect(await errorOf({ id: 'a', content: 'x', ...fields })).toBeUndefined()
	})

	test('one error per record: the first problem in the documented order wins', async () => {
		expect(await errorOf({ id: 1, content: 2, language: 'x!', extra: true })).toEqual({ line: 1, code: 'unknown_field', params: { field: 'extra' } })
		expect(await errorOf({ id: 1, content: 2, language: 'x!' })).toEqual({ line: 1, code: 'id_not_string' })
		expect(await errorOf({ id: 'a', content: 2, language: 'x!' })).toEqual({ line: 1, code: 'content_not_string' })
		// Field checks come before the string scan, which comes before duplicates.
		const text = lines({ id: 'a', content: 'x' }, '{"id":"a","content":"\\ud800","language":"??"}', '{"id":"a","content":"\\ud800"}')
		expect((await parse(text)).errors).toEqual([
			{ line: 2, code: 'language_invalid' },
			{ line: 3, code: 'lone_surrogate' },
		])
	})

	test('NUL and lone surrogates are found in keys and nested values', async () => {
		const { errors } = await parse(
			lines(
				'{"id":"a","content":"x","metadata":{"a":[{"b":"\\u0000"}]}}',
				'{"id":"b","content":"x","metadata":{"\\udfff":1}}',
				'{"id":"c\\u0000","content":"x"}',
				'{"id":"d","content":"x","metadata":{"k":"\\\\u0000 and \\\\ud800 are only text"}}',
			),
		)
		expect(errors).toEqual([
			{ line: 1, code: 'nul_byte' },
			{ line: 2, code: 'lone_surrogate' },
			{ line: 3, code: 'nul_byte' },
		])
	})

	test('a rejected record still claims its id, so its later duplicate is reported in the same pass', async () => {
		const { errors } = await parse(lines({ id: 'a', content: '' }, { id: 'a', content: 'x' }))
		expect(errors).toEqual([
			{ line: 1, code: 'missing_content' },
			{ line: 2, code: 'duplicate_id', params: { id: 'a', firstLine: 1 } },
		])
	})

	test('depth counts brackets outside strings only, with the line object at depth 1', async () => {
		// The record is depth 1, metadata depth 2, and so on down to an empty array at `depth`.
		const recordOfDepth = (depth: number) => JSON.parse(`{"id":"a","content":"x","metadata":${'{"a":'.repeat(depth - 2)}[]${'}'.repeat(depth - 2)}}`)
		expect(await errorOf(recordOfDepth(4), { maxDepth: 4 })).toBeUndefined()
		expect(await errorOf(recordOfDepth(5), { maxDepth: 4 })).toEqual({ line: 1, code: 'too_deep', params: { max: 4 } })
		expect(await errorOf({ id: 'a', content: '[[[[[{{{{{"\\', metadata: { k: ['[{"'] } }, { maxDepth: 3 })).toBeUndefined()
	})

	test('the byte cap excludes the line break, CR included', async () => {
		const record = (size: number) => {
			const base = JSON.stringify({ id: 'a', content: '' })
			return JSON.stringify({ id: 'a', content: 'x'.repeat(size - base.length) })
		}
		expect(enc.encode(record(100)).length).toBe(100)
		expect((await parse(`${record(100)}\r\n`, 'jsonl', { maxLineBytes: 100 })).errors).toEqual([])
		expect((await parse(record(100), 'jsonl', { maxLineBytes: 100 })).errors).toEqual([])
		expect((await parse(`${record(101)}\r\n`, 'jsonl', { maxLineBytes: 100 })).errors).toEqual([{ line: 1, code: 'line_too_long', params: { max: 100 } }])
		// Across chunks, and with the next line in the same chunk as the end of the long one.
		const long = record(500)
		const { errors, samples } = await parse([long.slice(0, 150), long.slice(150, 420), `${long.slice(420)}\n{"id":"b","content":"y"}\n`], 'jsonl', { maxLineBytes: 100 })
		expect(errors).toEqual([{ line: 1, code: 'line_too_long', params: { max: 100 } }])
		expect(samples.map((s) => [s.externalId, s.line])).toEqual([['b', 2]])
	})

	test('a stray BOM in the middle of the file is not silently dropped', async () => {
		const { errors } = await parse(lines({ id: 'a', content: 'x' }, `\uFEFF${JSON.stringify({ id: 'b', content: 'y' })}`))
		expect(errors).toEqual([{ line: 2, code: 'invalid_json' }])
	})

	test('a BOM split across chunks is still stripped', async () => {
		const bytes = enc.encode(`\uFEFF${lines({ id: 'a', content: 'x' })}`)
		const { errors, samples } = await parse([bytes.subarray(0, 1), new Uint8Array(0), bytes.subarray(1, 2), bytes.subarray(2)])
		expect(errors).toEqual([])
		expect(samples).toHaveLength(1)
	})

	test('a multi-byte character split across chunks decodes whole', async () => {
		const bytes = enc.encode(lines({ id: 'a', content: 'naïve 😀' }))
		for (let cut = 1; cut < bytes.length; cut++) {
			const { samples } = await parse([bytes.subarray(0, cut), bytes.subarray(cut)])
			expect(samples[0]?.content).toBe('naïve 😀')
		}
	})
})

describe('whole-file limits', () => {
	test('too_many_rows is fatal at the first row over the cap; blank lines do not count', async () => {
		const text = lines({ id: 'a', content: 'x' }, '', { id: 'b', content: 'x' }, { id: 'c', content: 'x' }, { id: 'd', content: 'x' })
		expect((await parse(text, 'jsonl', { maxRows: 2 })).errors).toEqual([{ line: 4, code: 'too_many_rows', params: { max: 2 } }])
		const csv = 'id,content\na,x\nb,x\nc,x\n'
		expect((await parse(csv, 'csv', { maxRows: 2 })).errors).toEqual([{ line: 4, code: 'too_many_rows', params: { max: 2 } }])
	})

	test('file_too_large stops at the chunk that crosses the cap, and the source is closed', async () => {
		let closed = false
		let pulled = 0
		async function* source() {
			try {
				for (let i = 0; i < 100; i++) {
					pulled++
					yield enc.encode(`${JSON.stringify({ id: `s${i}`, content: 'x' })}\n`)
				}
			} finally {
				closed = true
			}
		}
		const size = enc.encode(`${JSON.stringify({ id: 's0', content: 'x' })}\n`).length
		const out: ParseEvent[] = []
		for await (const e of parseSamples(source(), 'jsonl', { ...defaultImportLimits, maxFileBytes: size * 3 })) out.push(e)
		expect(out.filter((e) => e.kind === 'error')).toEqual([{ kind: 'error', error: { line: 4, code: 'file_too_large', params: { max: size * 3 } } }])
		expect(out.filter((e) => e.kind === 'sample')).toHaveLength(3)
		expect(pulled).toBe(4)
		expect(closed).toBe(true)
	})

	test('progress is reported now and then with growing line and byte counts', async () => {
		const text = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ id: `s${i}`, content: 'x' })).join('\n')
		for (const format of ['jsonl', 'csv'] as const) {
			const input = format === 'csv' ? `id,content\n${Array.from({ length: 2500 }, (_, i) => `s${i},x`).join('\n')}` : text
			const progress = (await events(input, format)).flatMap((e) => (e.kind === 'progress' ? [e] : []))
			expect(progress.length).toBeGreaterThanOrEqual(2)
			expect(progress.map((p) => p.line)).toEqual([...progress.map((p) => p.line)].sort((a, b) => a - b))
			for (const p of progress) expect(p.bytes).toBeLessThanOrEqual(enc.encode(input).length)
		}
	})
})

describe('CSV', () => {
	test('maps columns, trims header names, and leaves cells untrimmed', async () => {
		const { samples, errors } = await parse(' id , content,image_url,image_alt,metadata.a.b,metadata.a.c,metadata.z\n x ,Hi,https://e.org/i.png,,1,,\n', 'csv')
		expect(errors).toEqual([])
		expect(samples).toEqual([{ line: 2, externalId: ' x ', content: 'Hi', messages: null, imageUrl: 'https://e.org/i.png', imageAlt: null, language: null, metadata: { a: { b: '1' } } }])
	})

	test('a quote only opens a field at its start; elsewhere it is a literal character', async () => {
		const { samples } = await parse('id,content\na,5" screen\nb,"quoted ""inner"" text" tail\nc,""\n', 'csv')
		expect(samples.map((s) => s.content)).toEqual(['5" screen', 'quoted "inner" text tail'])
	})

	test('line numbers follow the physical lines of quoted line breaks', async () => {
		const { samples } = await parse('id,content\r\na,"one\r\ntwo\r\nthree"\r\n\r\nb,x\r\nc,"\n"\nd,y', 'csv')
		expect(samples.map((s) => [s.externalId, s.line])).toEqual([
			['a', 2],
			['b', 6],
			['c', 7],
			['d', 9],
		])
	})

	test('a "" escape and a CRLF split across chunks', async () => {
		const text = 'id,content\r\na,"say ""hi"""\r\nb,x\r\n'
		const whole = await parse(text, 'csv')
		expect(whole.samples.map((s) => s.content)).toEqual(['say "hi"', 'x'])
		for (let cut = 1; cut < text.length; cut++) expect(await parse([text.slice(0, cut), text.slice(cut)], 'csv')).toEqual(whole)
	})

	test('blank and whitespace-only lines are skipped; a file of nothing else is empty', async () => {
		expect((await parse('\n  \r\n\t\n', 'csv')).errors).toEqual([{ line: 1, code: 'empty_file' }])
		const { samples, errors } = await parse('\nid,content\n\n \na,x\n', 'csv')
		expect(errors).toEqual([])
		expect(samples.map((s) => s.line)).toEqual([5])
	})

	test('a metadata.__proto__ column becomes a plain key', async () => {
		const { samples } = await parse('id,content,metadata.__proto__.x\na,b,1\n', 'csv')
		const metadata = samples[0]!.metadata
		expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype)
		expect(Object.keys(metadata)).toEqual(['__proto__'])
		expect(({} as Record<string, unknown>).x).toBeUndefined()
	})

	test.each([
		['tab-separated', 'id\tcontent\na\tb\n', { code: 'csv_wrong_separator' }],
		['empty column name', 'id,content,\na,b,\n', { code: 'csv_unknown_column', params: { name: '' } }],
		['bare metadata column', 'id,content,metadata\na,b,c\n', { code: 'csv_unknown_column', params: { name: 'metadata' } }],
		['metadata with an empty key', 'id,content,metadata.a..b\na,b,c\n', { code: 'csv_unknown_column', params: { name: 'metadata.a..b' } }],
		['messages column', 'id,content,messages\na,b,c\n', { code: 'csv_unknown_column', params: { name: 'messages' } }],
		['child before parent', 'id,content,metadata.p.q,metadata.p\na,b,c,d\n', { code: 'csv_metadata_conflict', params: { name: 'metadata.p' } }],
		['invalid UTF-8 header', new Uint8Array([0x69, 0x64, 0xff, 0x2c, 0x63, 0x0a]), { code: 'invalid_utf8' }],
	])('header problem: %s', async (_name, input, problem) => {
		expect((await parse(input, 'csv')).errors).toEqual([{ line: 1, ...problem }])
	})

	test('a header over the byte cap is fatal', async () => {
		expect((await parse(`id,content,metadata.${'k'.repeat(200)}\na,b,c\n`, 'csv', { maxLineBytes: 100 })).errors).toEqual([{ line: 1, code: 'line_too_long', params: { max: 100 } }])
	})

	test('an unterminated quote past the byte cap is still reported as an unterminated quote', async () => {
		const { errors } = await parse(['id,content\na,x\nb,"', 'y'.repeat(300), '\nmore'], 'csv', { maxLineBytes: 100 })
		expect(errors).toEqual([{ line: 3, code: 'csv_unterminated_quote' }])
	})
})

describe('chunk boundaries (property-style)', () => {
	// A deterministic pseudo-random splitter: any way of cutting the bytes gives the same events.
	function* splits(bytes: Uint8Array, seed: number): Generator<Uint8Array> {
		let state = seed
		let i = 0
		while (i < bytes.length) {
			state = (state * 1103515245 + 12345) % 2 ** 31
			const size = 1 + (state % 17)
			yield bytes.subarray(i, i + size)
			i += size
		}
	}

	const jsonl = enc.encode(
		`\uFEFF${lines({ id: 'a', content: 'ü 😀' }, '', { id: 'b', messages: [{ role: 'user', content: 'x\ny' }] }, '[1]', { id: 'a', content: 'dup' }, '{"id":"c","content":"\\ud800"}')}\r\n${JSON.stringify({ id: 'd', content: 'z'.repeat(80) })}\r\n{"id":"e","content":"no newline"}`,
	)
	const csv = enc.encode('\uFEFFid,content,metadata.k\r\na,"x, ""y""\r\nz",1\r\nb,5" tall,\r\nc,short\r\nd,"é",2')

	test.each([
		['jsonl', jsonl],
		['csv', csv],
	] as const)('%s', async (format, bytes) => {
		const limits = { maxLineBytes: 60 }
		const whole = await parse([bytes], format, limits)
		expect(whole.samples.length).toBeGreaterThan(0)
		expect(whole.errors.length).toBeGreaterThan(0)
		for (let seed = 1; seed <= 40; seed++) expect(await parse([...splits(bytes, seed)], format, limits)).toEqual(whole)
	})
})
