/**
 * Sample files for property-based tests of the import (tests/unit/import-properties.test.ts and
 * tests/integration/import-properties.test.ts). Each generated file comes with what the parser
 * must make of it, worked out by a small model of the documented rules (README "Sample files"):
 * line by line, in the order the parser checks them. Hostile bytes without a model are in
 * `hostileBytes`; for those only the invariants can be checked.
 */
import fc from 'fast-check'
import { type ImportError, type ImportErrorCode, type ImportFormat, type ImportLimits, type ParsedSample } from '#app/domain/import/types.ts'

export type Expected = { kind: 'sample'; sample: ParsedSample } | { kind: 'error'; error: ImportError }
export type GeneratedFile = { format: ImportFormat; bytes: Uint8Array; limits: ImportLimits; expected: Expected[] }

/** Every code the parser itself may produce (the importer adds interrupted, version_frozen, unsupported_format, invalid_parquet). */
export const PARSER_CODES: ReadonlySet<ImportErrorCode> = new Set(
	Object.keys({
		empty_file: 1,
		utf16: 1,
		invalid_utf8: 1,
		nul_byte: 1,
		lone_surrogate: 1,
		line_too_long: 1,
		too_deep: 1,
		invalid_json: 1,
		json_array: 1,
		not_an_object: 1,
		unknown_field: 1,
		missing_id: 1,
		id_not_string: 1,
		id_empty: 1,
		id_too_long: 1,
		duplicate_id: 1,
		missing_content: 1,
		content_and_messages: 1,
		content_not_string: 1,
		content_too_long: 1,
		messages_invalid: 1,
		language_invalid: 1,
		metadata_not_object: 1,
		image_url_invalid: 1,
		image_alt_invalid: 1,
		inexact_number: 1,
		too_many_rows: 1,
		csv_unterminated_quote: 1,
		csv_ragged_row: 1,
		csv_duplicate_header: 1,
		csv_missing_column: 1,
		csv_unknown_column: 1,
		csv_wrong_separator: 1,
		csv_metadata_conflict: 1,
		file_too_large: 1,
	} satisfies Record<Exclude<ImportErrorCode, 'interrupted' | 'version_frozen' | 'unsupported_format' | 'invalid_parquet'>, 1>) as ImportErrorCode[],
)

/** After one of these the parser stops: it must be the last event. */
export const FATAL_CODES: ReadonlySet<ImportErrorCode> = new Set<ImportErrorCode>([
	'empty_file',
	'utf16',
	'json_array',
	'too_many_rows',
	'file_too_large',
	'csv_unterminated_quote',
	'csv_duplicate_header',
	'csv_missing_column',
	'csv_unknown_column',
	'csv_wrong_separator',
	'csv_metadata_conflict',
])

const enc = new TextEncoder()
const bytesOf = (s: string) => enc.encode(s)
const LF = 10

export function concatBytes(parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
	let at = 0
	for (const p of parts) {
		out.set(p, at)
		at += p.length
	}
	return out
}

/** Physical lines in a file: LFs + 1 (an error may point at the line after a final newline only for an empty file). */
export function lineCount(bytes: Uint8Array): number {
	let n = 1
	for (const b of bytes) if (b === LF) n++
	return n
}

// ---------------------------------------------------------------------------------------------
// Building blocks

/** Characters that stress encoders and splitters: multibyte, astral, RTL, combining, separators, JSON and CSV syntax. */
const unit = fc.constantFrom('a', 'Z', '7', ' ', 'é', 'ñ', '中', 'ش', '😀', '👩🏽‍🔬', '\u0301', '\u2028', '\uFEFF', '"', '\\', '/', 'u', '\n', '\r', '\t', '\u0001', '{', '[', ']', '}', ',', ':', ';')
export const text = (minLength: number, maxLength: number) => fc.string({ unit, minLength, maxLength })

/** A small pool makes duplicate ids likely; free text makes odd ones. */
const idArb = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('a', 'b', 'x-1', '😀', ' a ') }, { weight: 3, arbitrary: text(1, 10) })
const languageArb = fc.constantFrom('en', 'es-419', 'zh-Hant-TW', 'ar', 'yue')
const imageUrlArb = fc.constantFrom('https://example.org/a.png', 'http://localhost/x?y=1&z=%20', 'HTTPS://EXAMPLE.ORG/😀')

const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0))
const leaf = fc.oneof(text(0, 8), fc.boolean(), fc.constant(null), fc.integer(), fc.maxSafeInteger(), finiteDouble)
const key = fc.oneof(text(0, 6), fc.constantFrom('__proto__', 'constructor', 'persona', 'a.b'))

/** Objects built with own properties only (a `__proto__` key must stay a key). */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
	const o: Record<string, unknown> = {}
	for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
	return o
}

const { metadata: metadataArb } = fc.letrec<{ value: unknown; metadata: Record<string, unknown> }>((tie) => ({
	value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('metadata'), fc.array(tie('value'), { maxLength: 3 })),
	metadata: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map(objectOf),
}))

type JsonRecord = Record<string, unknown>

const recordArb = fc
	.record({
		id: idArb,
		body: fc.oneof(
			text(1, 30).map((content) => ({ content })),
			fc.array(fc.record({ role: text(1, 6), content: text(0, 16) }), { minLength: 1, maxLength: 3 }).map((messages) => ({ messages })),
		),
		language: fc.option(languageArb),
		metadata: fc.option(metadataArb),
		image_url: fc.option(imageUrlArb),
		image_alt: fc.option(text(0, 12)),
		/** Absent optional fields are left out, or written as null: both mean absent. */
		writeNulls: fc.boolean(),
	})
	.map(({ id, body, writeNulls, ...optional }) => {
		const record: JsonRecord = { id, ...body }
		for (const [k, v] of Object.entries(optional)) if (v !== null || writeNulls) record[k] = v
		return record
	})

function expectedSample(record: JsonRecord, line: number): ParsedSample {
	return {
		line,
		externalId: record.id as string,
		content: (record.content as string | undefined) ?? null,
		messages: (record.messages as ParsedSample['messages'] | undefined) ?? null,
		imageUrl: (record.image_url as string | null | undefined) ?? null,
		imageAlt: (record.image_alt as string | null | undefined) ?? null,
		language: (record.language as string | null | undefined) ?? null,
		metadata: (record.metadata as Record<string, unknown> | null | undefined) ?? {},
	}
}

/** Nesting of objects and arrays, the line's own object being 1 (as IMPORT_MAX_JSON_DEPTH counts). */
function depthOf(value: unknown): number {
	if (value === null || typeof value !== 'object') return 0
	const children = Array.isArray(value) ? value : Object.values(value)
	return 1 + children.reduce<number>((max, child) => Math.max(max, depthOf(child)), 0)
}

/** Writes non-ASCII as \u escapes (astral characters as surrogate-pair escapes), as some JSON writers do. */
const escapeNonAscii = (json: string) => json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

/** A string of exactly `bytes` UTF-8 bytes, made mostly of `filler` (1–4 bytes each), topped up with ASCII. */
function fill(bytes: number, filler: string): string {
	const size = bytesOf(filler).length
	const whole = Math.floor(bytes / size)
	return filler.repeat(whole) + 'x'.repeat(bytes - whole * size)
}

// ---------------------------------------------------------------------------------------------
// JSONL: each segment is one physical line with its verdict if nothing earlier in the file decides otherwise

type Verdict = { sample: JsonRecord } | { code: ImportErrorCode; params?: Record<string, string | number>; noteId?: string } | 'blank'
type Line = { bytes: Uint8Array; verdict: Verdict }

type Spec =
	| { t: 'record'; record: JsonRecord; before: string; after: string; escaped: boolean }
	| { t: 'blank'; text: string }
	| { t: 'padded'; id: string; delta: number; filler: string; before: string; wrap: boolean }
	| { t: 'longBlank'; delta: number }
	| { t: 'deep'; id: string; delta: number; arrays: boolean }
	| { t: 'bad'; id: string; kind: number; variant: number }

const pad = fc.constantFrom('', '', ' ', '\t', '  ', ' \t  ')

function specArb(weights: { bad: number }) {
	return fc.oneof(
		{ weight: 6, arbitrary: fc.record({ t: fc.constant('record' as const), record: recordArb, before: pad, after: pad, escaped: fc.boolean() }) },
		{ weight: 1, arbitrary: fc.record({ t: fc.constant('blank' as const), text: fc.constantFrom('', ' ', '\t ', '\r') }) },
		{
			weight: 2,
			arbitrary: fc.record({
				t: fc.constant('padded' as const),
				id: idArb,
				delta: fc.integer({ min: -2, max: 2 }),
				filler: fc.constantFrom('a', 'é', '中', '😀'),
				before: pad,
				wrap: weights.bad > 0 ? fc.boolean() : fc.constant(false),
			}),
		},
		{ weight: 1, arbitrary: fc.record({ t: fc.constant('longBlank' as const), delta: fc.integer({ min: -1, max: 1 }) }) },
		{ weight: 2, arbitrary: fc.record({ t: fc.constant('deep' as const), id: idArb, delta: fc.integer({ min: -1, max: 1 }), arrays: fc.boolean() }) },
		{ weight: weights.bad, arbitrary: fc.record({ t: fc.constant('bad' as const), id: idArb, kind: fc.nat(BAD_KINDS.length - 1), variant: fc.nat(20) }) },
	)
}

const INVALID_UTF8 = [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xf0, 0x9f, 0x98], [0xfe]]
/** Numbers a double cannot hold as written: they must be refused, not silently changed. */
const INEXACT_NUMBERS = ['1e400', '-1e400', '1e-400', '18446744073709551615', '9007199254740993', '123456789012345678901234567890', '0.12345678901234567890', '1.00000000000000000001']
/** Edge numbers a double holds exactly. */
const EXACT_NUMBERS = ['9007199254740991', '-9007199254740991', '1e308', '5e-324', '0.1', '1.7976931348623157e308', '123456789012345680000', '1E2', '-0', '0.0000000000000000001', '1.50']

/** Lines that are wrong in one way, with the error that way gets (and whether the id still counts for duplicates). */
const BAD_KINDS: ((id: string, v: number) => { bytes: Uint8Array; verdict: Verdict })[] = [
	(id, v) => {
		const [head, tail] = split(JSON.stringify({ id, content: 'bad bytes here' }), 'bytes')
		return { bytes: concatBytes([bytesOf(head), Uint8Array.from(INVALID_UTF8[v % INVALID_UTF8.length]!), bytesOf(tail)]), verdict: { code: 'invalid_utf8' } }
	},
	(id) => {
		const [head, tail] = split(JSON.stringify({ id, content: 'nul here' }), 'here')
		return { bytes: concatBytes([bytesOf(head), new Uint8Array([0]), bytesOf(tail)]), verdict: { code: 'nul_byte' } }
	},
	(id) => line(JSON.stringify({ id, content: 'x' }).replace('"x"', '"x\\u0000"'), { code: 'nul_byte', noteId: id }),
	(id) => line(JSON.stringify({ id, content: 'x' }).replace('"x"', '"x\\udc00y"'), { code: 'lone_surrogate', noteId: id }),
	(id, v) => line([`{"content":"x"}`, `{"id":null,"content":"x"}`][v % 2]!, { code: 'missing_id' }),
	(id) => line(JSON.stringify({ id }), { code: 'missing_content', noteId: id }),
	(id) => line(JSON.stringify({ id, content: '' }), { code: 'missing_content', noteId: id }),
	(_id, v) => line(`{"id":${['1', '1.5', 'true', '{}', '[]'][v % 5]},"content":"x"}`, { code: 'id_not_string' }),
	(id, v) => line(`{"id":${JSON.stringify(id)},"content":${['5', 'true', '{}', '["x"]'][v % 4]}}`, { code: 'content_not_string', noteId: id }),
	(id, v) => line(`{"id":${JSON.stringify(id)},"content":"x","metadata":${['[]', '"{}"', '1'][v % 3]}}`, { code: 'metadata_not_object', noteId: id }),
	(id, v) => line(`{"id":${JSON.stringify(id)},"content":"x","language":${['5', '"en_US"', '""'][v % 3]}}`, { code: 'language_invalid', noteId: id }),
	(id, v) => line(`{"id":${JSON.stringify(id)},"messages":${['"hi"', '[]', '[{"role":"user"}]'][v % 3]}}`, { code: 'messages_invalid', params: { index: 0 }, noteId: id }),
	(id) => line(JSON.stringify({ id, content: 'x', text: 'y' }), { code: 'unknown_field', params: { field: 'text' }, noteId: id }),
	(id) => line(`{"id":${JSON.stringify(id)},"content":"x","metadata":{"n":${INEXACT_NUMBERS[id.length % INEXACT_NUMBERS.length]}}}`, { code: 'inexact_number', noteId: id }),
	(id, v) => {
		const n = EXACT_NUMBERS[v % EXACT_NUMBERS.length]!
		return line(`{"id":${JSON.stringify(id)},"content":"x","metadata":{"n":${n}}}`, { sample: { id, content: 'x', metadata: { n: Number(n) } } })
	},
	(id, v) => line([`{"id":${JSON.stringify(id)},"content":"x"`, `{"id":${JSON.stringify(id)} "content":"x"}`, `{"id":'a'}`, `{"id":"a","content":"x"}}`][v % 4]!, { code: 'invalid_json' }),
	(_id, v) => line(['"just a string"', '42', 'null', 'true'][v % 4]!, { code: 'not_an_object' }),
	// A JSON array: fatal json_array when it is the first non-blank line, else just not an object.
	(id) => line(`[${JSON.stringify({ id, content: 'x' })}]`, { code: 'not_an_object' }),
]

function split(s: string, marker: string): [string, string] {
	const i = s.indexOf(marker)
	return [s.slice(0, i), s.slice(i)]
}

function line(textLine: string, verdict: Verdict): { bytes: Uint8Array; verdict: Verdict } {
	return { bytes: bytesOf(textLine), verdict }
}

function jsonlLine(spec: Spec, limits: ImportLimits): Line {
	switch (spec.t) {
		case 'blank':
			return { bytes: bytesOf(spec.text), verdict: 'blank' }
		case 'record': {
			const json = JSON.stringify(spec.record)
			const written = spec.escaped ? escapeNonAscii(json) : json
			const verdict: Verdict = depthOf(spec.record) > limits.maxDepth ? { code: 'too_deep', params: { max: limits.maxDepth } } : { sample: spec.record }
			return { bytes: bytesOf(spec.before + written + spec.after), verdict }
		}
		case 'padded': {
			// A line of exactly maxLineBytes + delta bytes; wrapped in [ ], it is a JSON array (fatal when first).
			const wrap = (json: string) => spec.before + (spec.wrap ? `[${json}]` : json)
			const room = limits.maxLineBytes + spec.delta - bytesOf(wrap(JSON.stringify({ id: spec.id, content: '' }))).length
			const content = fill(Math.max(room, 1), spec.filler)
			const verdict: Verdict = spec.wrap ? { code: 'not_an_object' } : { sample: { id: spec.id, content } }
			return { bytes: bytesOf(wrap(JSON.stringify({ id: spec.id, content }))), verdict }
		}
		case 'longBlank':
			return { bytes: bytesOf(' '.repeat(limits.maxLineBytes + spec.delta)), verdict: 'blank' }
		case 'deep': {
			// The record is level 1 and metadata level 2; nest until the line is maxDepth + delta deep.
			const depth = Math.max(limits.maxDepth + spec.delta, 2)
			let value: unknown = 'leaf'
			for (let level = depth; level > 2; level--) value = spec.arrays ? [value] : { k: value }
			const record = { id: spec.id, content: 'deep', metadata: { k: value } }
			const verdict: Verdict = depth > limits.maxDepth ? { code: 'too_deep', params: { max: limits.maxDepth } } : { sample: record }
			return { bytes: bytesOf(JSON.stringify(record)), verdict }
		}
		case 'bad':
			return BAD_KINDS[spec.kind]!(spec.id, spec.variant)
	}
}

/** The parser's line-level rules, in its order: length, blank, the JSON-array guess and row cap, the line's own verdict, duplicates. */
function modelJsonl(lines: Line[], limits: ImportLimits): Expected[] {
	const out: Expected[] = []
	const seen = new Map<string, number>()
	let started = false
	let rows = 0
	for (const [i, { bytes, verdict }] of lines.entries()) {
		const lineNo = i + 1
		const tooLong = bytes.length > limits.maxLineBytes
		const first = bytes.subarray(0, limits.maxLineBytes + 1).find((b) => b !== 32 && b !== 9 && b !== 13)
		if (!tooLong && first === undefined) continue
		if (!started) {
			started = true
			if (first === 0x5b) return [...out, err(lineNo, 'json_array')]
		}
		if (++rows > limits.maxRows) return [...out, err(lineNo, 'too_many_rows', { max: limits.maxRows })]
		if (tooLong) {
			out.push(err(lineNo, 'line_too_long', { max: limits.maxLineBytes }))
			continue
		}
		if (verdict === 'blank') throw new Error('a blank verdict on a non-blank line')
		if ('code' in verdict) {
			if (verdict.noteId !== undefined && !seen.has(verdict.noteId)) seen.set(verdict.noteId, lineNo)
			out.push(err(lineNo, verdict.code, verdict.params))
			continue
		}
		const id = verdict.sample.id as string
		const firstLine = seen.get(id)
		if (firstLine !== undefined) out.push(err(lineNo, 'duplicate_id', { id, firstLine }))
		else {
			seen.set(id, lineNo)
			out.push({ kind: 'sample', sample: expectedSample(verdict.sample, lineNo) })
		}
	}
	if (!started) return [err(1, 'empty_file')]
	return out
}

function err(line: number, code: ImportErrorCode, params?: Record<string, string | number>): Expected {
	return { kind: 'error', error: params ? { line, code, params } : { line, code } }
}

const BOM = new Uint8Array([0xef, 0xbb, 0xbf])
const terminator = fc.constantFrom('\n', '\n', '\r\n')

export type LimitsChoice = 'small' | 'default'

function limitsArb(choice: LimitsChoice): fc.Arbitrary<ImportLimits> {
	if (choice === 'default') return fc.constant({ maxLineBytes: 1024 * 1024, maxDepth: 32, maxRows: 2_000_000, maxFileBytes: 2 * 1024 ** 3, maxIdLength: 256 })
	return fc.record({
		maxLineBytes: fc.integer({ min: 160, max: 400 }),
		maxDepth: fc.integer({ min: 3, max: 8 }),
		maxRows: fc.oneof({ weight: 4, arbitrary: fc.constant(10_000) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) }),
		maxFileBytes: fc.constant(1024 ** 3),
		maxIdLength: fc.constant(256),
	})
}

/** A JSONL file with its expected events. `bad: 0` gives files whose every line is valid or blank (duplicates and caps aside). */
export function jsonlFile(o: { limits?: LimitsChoice; bad?: number; maxLines?: number } = {}): fc.Arbitrary<GeneratedFile> {
	return fc
		.record({
			limits: limitsArb(o.limits ?? 'small'),
			specs: fc.array(specArb({ bad: o.bad ?? 4 }), { maxLength: o.maxLines ?? 14 }),
			terminators: fc.array(terminator, { minLength: o.maxLines ?? 14, maxLength: o.maxLines ?? 14 }),
			finalNewline: fc.boolean(),
			bom: fc.boolean(),
		})
		.map(({ limits, specs, terminators, finalNewline, bom }) => {
			const lines = specs.map((s) => jsonlLine(s, limits))
			const parts: Uint8Array[] = bom ? [BOM] : []
			lines.forEach((l, i) => {
				parts.push(l.bytes)
				if (i < lines.length - 1 || finalNewline) parts.push(bytesOf(terminators[i]!))
			})
			return { format: 'jsonl' as const, bytes: concatBytes(parts), limits, expected: modelJsonl(lines, limits) }
		})
}

// ---------------------------------------------------------------------------------------------
// CSV: a header, then records; a quoted field may span lines

type Column = 'id' | 'content' | 'language' | 'image_url' | 'image_alt' | `metadata.${string}`
const METADATA_COLUMNS = ['metadata.persona.age', 'metadata.persona.origin', 'metadata.prompt_id', 'metadata.__proto__', 'metadata.😀'] as const

type CsvRowSpec =
	| { t: 'row'; values: Record<string, string>; quoteAll: boolean }
	| { t: 'blank'; text: string }
	| { t: 'longBlank'; delta: number }
	| { t: 'padded'; id: string; delta: number; filler: string }
	| { t: 'bad'; id: string; kind: number; variant: number }
	| { t: 'unterminated'; id: string }

const csvValueArb = fc.record({
	id: idArb,
	content: text(1, 24),
	language: fc.oneof(fc.constant(''), languageArb),
	image_url: fc.oneof(fc.constant(''), imageUrlArb),
	image_alt: fc.oneof(fc.constant(''), text(0, 10)),
	meta: fc.array(fc.oneof(fc.constant(''), text(0, 10)), { minLength: METADATA_COLUMNS.length, maxLength: METADATA_COLUMNS.length }),
})

function csvRowSpec(weights: { bad: number }) {
	return fc.oneof(
		{
			weight: 6,
			arbitrary: fc.record({
				t: fc.constant('row' as const),
				values: csvValueArb.map(({ meta, ...v }) => ({ ...v, ...Object.fromEntries(METADATA_COLUMNS.map((c, i) => [c, meta[i]!])) })),
				quoteAll: fc.boolean(),
			}),
		},
		{ weight: 1, arbitrary: fc.record({ t: fc.constant('blank' as const), text: fc.constantFrom('', ' ', '\t', ' \t ') }) },
		{ weight: 1, arbitrary: fc.record({ t: fc.constant('longBlank' as const), delta: fc.integer({ min: -1, max: 1 }) }) },
		{ weight: 2, arbitrary: fc.record({ t: fc.constant('padded' as const), id: idArb, delta: fc.integer({ min: -2, max: 2 }), filler: fc.constantFrom('a', 'é', '中', '😀') }) },
		{ weight: weights.bad, arbitrary: fc.record({ t: fc.constant('bad' as const), id: idArb, kind: fc.nat(5), variant: fc.nat(20) }) },
	)
}

/** RFC 4180: quote a field holding a comma, quote or line break (or any field, when asked). */
function csvField(value: string, quote: boolean): string {
	return quote || /[",\r\n]/.test(value) || value.startsWith(' ') ? `"${value.replaceAll('"', '""')}"` : value
}

type CsvRecord = { bytes: Uint8Array; verdict: Verdict }

function csvRecord(spec: CsvRowSpec, columns: Column[], limits: ImportLimits): CsvRecord {
	const row = (values: Record<string, string>, quoteAll = false) => columns.map((c) => csvField(values[c] ?? '', quoteAll)).join(',')
	const sampleOf = (values: Record<string, string>): JsonRecord => {
		const metadata: Record<string, unknown> = {}
		for (const c of columns) {
			if (!c.startsWith('metadata.') || !values[c]) continue
			const path = c.slice('metadata.'.length).split('.')
			let node = metadata
			for (const k of path.slice(0, -1))
				node = (Object.hasOwn(node, k) ? node[k] : (Object.defineProperty(node, k, { value: {}, enumerable: true, writable: true, configurable: true }), node[k])) as Record<string, unknown>
			Object.defineProperty(node, path.at(-1)!, { value: values[c], enumerable: true, writable: true, configurable: true })
		}
		const r: JsonRecord = { id: values.id, content: values.content, metadata }
		if (columns.includes('language') && values.language) r.language = values.language
		if (columns.includes('image_url') && values.image_url) r.image_url = values.image_url
		if (columns.includes('image_alt') && values.image_alt) r.image_alt = values.image_alt
		return r
	}
	switch (spec.t) {
		case 'blank':
			return { bytes: bytesOf(spec.text), verdict: 'blank' }
		case 'longBlank':
			return { bytes: bytesOf('\t'.repeat(limits.maxLineBytes + spec.delta)), verdict: 'blank' }
		case 'row':
			return { bytes: bytesOf(row(spec.values, spec.quoteAll)), verdict: { sample: sampleOf(spec.values) } }
		case 'padded': {
			const shell = row({ id: spec.id, content: 'c' })
			const content = fill(Math.max(limits.maxLineBytes + spec.delta - bytesOf(shell).length + 1, 1), spec.filler)
			const values = { id: spec.id, content }
			return { bytes: bytesOf(row(values)), verdict: { sample: sampleOf(values) } }
		}
		case 'unterminated':
			// The quote opens on the record's first line (the id holds no line break here).
			return { bytes: bytesOf(`${csvField(spec.id.replace(/[\r\n]/g, ' '), true)},"never closed\nstill open`), verdict: { code: 'csv_unterminated_quote' } }
		case 'bad': {
			const id = spec.id
			switch (spec.kind) {
				case 0:
					return {
						bytes: bytesOf(row({ id, content: 'x' }) + ',extra'.repeat(1 + (spec.variant % 2))),
						verdict: { code: 'csv_ragged_row', params: { expected: columns.length, actual: columns.length + 1 + (spec.variant % 2) } },
					}
				case 1:
					return { bytes: bytesOf(row({ id: '', content: 'x' })), verdict: { code: 'id_empty' } }
				case 2:
					return { bytes: bytesOf(row({ id, content: '' })), verdict: { code: 'missing_content', noteId: id } }
				case 3: {
					const [head, tail] = split(row({ id, content: 'bad bytes' }), 'bytes')
					return { bytes: concatBytes([bytesOf(head), Uint8Array.from(INVALID_UTF8[spec.variant % INVALID_UTF8.length]!), bytesOf(tail)]), verdict: { code: 'invalid_utf8' } }
				}
				case 4: {
					const [head, tail] = split(row({ id, content: 'nul here' }), 'here')
					return { bytes: concatBytes([bytesOf(head), new Uint8Array([0]), bytesOf(tail)]), verdict: { code: 'nul_byte' } }
				}
				default:
					if (!columns.includes('language'))
						return { bytes: bytesOf(row({ id, content: 'x' }) + ','), verdict: { code: 'csv_ragged_row', params: { expected: columns.length, actual: columns.length + 1 } } }
					return { bytes: bytesOf(row({ id, content: 'x', language: 'en_US' })), verdict: { code: 'language_invalid', noteId: id } }
			}
		}
	}
}

function modelCsv(records: CsvRecord[], startLines: number[], limits: ImportLimits): Expected[] {
	const out: Expected[] = []
	const seen = new Map<string, number>()
	let rows = 0
	for (const [i, { bytes, verdict }] of records.entries()) {
		const lineNo = startLines[i]!
		const tooLong = bytes.length > limits.maxLineBytes
		if (!tooLong && verdict === 'blank') continue
		if (typeof verdict === 'object' && 'code' in verdict && verdict.code === 'csv_unterminated_quote') return [...out, err(lineNo, 'csv_unterminated_quote')]
		if (++rows > limits.maxRows) return [...out, err(lineNo, 'too_many_rows', { max: limits.maxRows })]
		if (tooLong) {
			out.push(err(lineNo, 'line_too_long', { max: limits.maxLineBytes }))
			continue
		}
		if (verdict === 'blank') continue
		if ('code' in verdict) {
			if (verdict.noteId !== undefined && !seen.has(verdict.noteId)) seen.set(verdict.noteId, lineNo)
			out.push(err(lineNo, verdict.code, verdict.params))
			continue
		}
		const id = verdict.sample.id as string
		const firstLine = seen.get(id)
		if (firstLine !== undefined) out.push(err(lineNo, 'duplicate_id', { id, firstLine }))
		else {
			seen.set(id, lineNo)
			out.push({ kind: 'sample', sample: expectedSample(verdict.sample, lineNo) })
		}
	}
	if (rows === 0) return [err(1, 'empty_file')]
	return out
}

/** A CSV file with its expected events (header always valid; the last record may leave a quote open). */
export function csvFile(o: { limits?: LimitsChoice; bad?: number; maxRows?: number } = {}): fc.Arbitrary<GeneratedFile> {
	const n = o.maxRows ?? 12
	return fc
		.record({
			limits: limitsArb(o.limits ?? 'small'),
			optional: fc.subarray(['language', 'image_url', 'image_alt', ...METADATA_COLUMNS] as Column[]),
			order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
			headerPadding: fc.boolean(),
			specs: fc.array(csvRowSpec({ bad: o.bad ?? 3 }), { maxLength: n }),
			unterminated: o.bad === 0 ? fc.constant(null) : fc.option(idArb, { freq: 6 }),
			terminators: fc.array(terminator, { minLength: n + 2, maxLength: n + 2 }),
			finalNewline: fc.boolean(),
			bom: fc.boolean(),
		})
		.map(({ limits, optional, order, headerPadding, specs, unterminated, terminators, finalNewline, bom }) => {
			// Shuffled: the parser finds columns by name.
			const columns = (['id', 'content', ...optional] as Column[])
				.map((c, i) => ({ c, k: order[i % order.length]! + i / 100 }))
				.sort((a, b) => a.k - b.k)
				.map(({ c }) => c)
			const header = columns.map((c) => (headerPadding ? ` ${c} ` : c)).join(',')
			const all: CsvRowSpec[] = unterminated === null ? specs : [...specs, { t: 'unterminated', id: unterminated }]
			const records = all.map((s) => csvRecord(s, columns, limits))
			const parts: Uint8Array[] = bom ? [BOM] : []
			parts.push(bytesOf(header))
			let line = 1
			const startLines: number[] = []
			const last = records.length - 1
			const endWith = (i: number) => (i < last || (finalNewline && all[i]?.t !== 'unterminated') ? bytesOf(terminators[i + 1]!) : new Uint8Array(0))
			parts.push(records.length ? bytesOf(terminators[0]!) : finalNewline ? bytesOf(terminators[0]!) : new Uint8Array(0))
			line += 1
			records.forEach((r, i) => {
				startLines.push(line)
				parts.push(r.bytes)
				const end = endWith(i)
				parts.push(end)
				line += r.bytes.filter((b) => b === LF).length + (end.length ? 1 : 0)
			})
			return { format: 'csv' as const, bytes: concatBytes(parts), limits, expected: modelCsv(records, startLines, limits) }
		})
}

// ---------------------------------------------------------------------------------------------
// Hostile bytes: no model, only invariants

const hostilePiece = fc.oneof(
	fc
		.constantFrom(
			'\n',
			'\r\n',
			'\r',
			'{',
			'}',
			'[',
			']',
			'"',
			'""',
			'\\',
			',',
			';',
			':',
			'\t',
			' ',
			'"id"',
			'"content"',
			'id,content',
			'null',
			'1e400',
			'-',
			'\\u0000',
			'\\ud800',
			'😀',
			'é',
			'\uFEFF',
			'{"id":"a","content":"x"}',
			'a,b',
			'"a\nb"',
		)
		.map(bytesOf),
	fc.uint8Array({ maxLength: 6 }),
	fc.constantFrom(BOM, new Uint8Array([0xff, 0xfe]), new Uint8Array([0]), ...INVALID_UTF8.map((b) => Uint8Array.from(b))),
	text(0, 12).map(bytesOf),
)

export const hostileBytes = fc.array(hostilePiece, { maxLength: 40 }).map(concatBytes)

export const hostileLimits = fc.record({
	maxLineBytes: fc.integer({ min: 4, max: 120 }),
	maxDepth: fc.integer({ min: 1, max: 6 }),
	maxRows: fc.integer({ min: 1, max: 40 }),
	maxFileBytes: fc.oneof(fc.constant(1024 ** 3), fc.integer({ min: 1, max: 300 })),
	maxIdLength: fc.integer({ min: 1, max: 16 }),
})

// ---------------------------------------------------------------------------------------------
// Chunkings: random cut points, plus cuts inside multibyte characters and between CR and LF

/** Cut points as fractions and as picks among the "interesting" offsets, resolved against the file by `chunk`. */
export const cutsArb = fc.record({
	fractions: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 }),
	picks: fc.array(fc.nat(), { maxLength: 6 }),
	bytewise: fc.boolean(),
})
export type Cuts = typeof cutsArb extends fc.Arbitrary<infer T> ? T : never

export function chunk(bytes: Uint8Array, cuts: Cuts): Uint8Array[] {
	if (cuts.bytewise && bytes.length <= 2048) return Array.from(bytes, (b) => Uint8Array.of(b))
	const interesting: number[] = []
	for (let i = 1; i < bytes.length; i++) {
		const b = bytes[i]!
		// Inside a multibyte character, between CR and LF, inside a BOM, before a bracket or quote.
		if ((b & 0xc0) === 0x80 || (b === LF && bytes[i - 1] === 13) || (bytes[i - 1] === 0xef && b === 0xbb) || b === 0x5b || b === 0x22) interesting.push(i)
	}
	const points = [...cuts.fractions.map((f) => Math.floor(f * bytes.length)), ...(interesting.length ? cuts.picks.map((p) => interesting[p % interesting.length]!) : [])].sort((a, b) => a - b)
	const out: Uint8Array[] = []
	let at = 0
	for (const p of points) {
		out.push(bytes.subarray(at, p)) // zero-length chunks included on purpose
		at = p
	}
	out.push(bytes.subarray(at))
	return out
}
