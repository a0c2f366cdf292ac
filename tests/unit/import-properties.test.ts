/**
 * Hostile sample files, property-based (fast-check): the pure parser never throws, points every
 * error at a real line with a known code, gives back valid lines exactly as written, and does not
 * care how the upload was chunked. The hand-written corpus is in import-corpus.test.ts.
 * A failure prints the seed and the shrunk file; replay with `fc.assert(…, { seed, path })`.
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { parseSamples } from '#app/domain/import/parse.ts'
import { type ImportFormat, type ImportLimits, type ParseEvent } from '#app/domain/import/types.ts'
import { badStringIn } from '#app/domain/import/validate.ts'
import { chunk, csvFile, cutsArb, FATAL_CODES, hostileBytes, hostileLimits, jsonlFile, lineCount, PARSER_CODES, type GeneratedFile } from '#tests/import-arbitraries.ts'

async function parseChunks(chunks: Uint8Array[], format: ImportFormat, limits: ImportLimits): Promise<ParseEvent[]> {
	async function* source() {
		yield* chunks
	}
	const out: ParseEvent[] = []
	for await (const event of parseSamples(source(), format, limits)) out.push(event)
	return out
}

const withoutProgress = (events: ParseEvent[]) => events.filter((e) => e.kind !== 'progress')

/** What must hold for any input at all. */
function checkInvariants(events: ParseEvent[], bytes: Uint8Array) {
	const lines = lineCount(bytes)
	let previous = 0
	const records = withoutProgress(events)
	for (const [i, event] of records.entries()) {
		const line = event.kind === 'sample' ? event.sample.line : event.kind === 'error' ? event.error.line : 0
		expect(line, JSON.stringify(event)).toBeGreaterThanOrEqual(1)
		expect(line, JSON.stringify(event)).toBeLessThanOrEqual(lines)
		if (event.kind === 'error') {
			expect(PARSER_CODES.has(event.error.code), event.error.code).toBe(true)
			if (FATAL_CODES.has(event.error.code)) expect(i, `${event.error.code} is fatal, so last`).toBe(records.length - 1)
		} else if (event.kind === 'sample') {
			// Whatever passes can be stored: a non-empty id, one kind of body, no NUL or lone surrogate anywhere.
			const s = event.sample
			expect(s.externalId).not.toBe('')
			expect((s.content === null) !== (s.messages === null)).toBe(true)
			expect(badStringIn(s)).toBeNull()
		}
		// At most one verdict per line (a record's verdict sits on the line it starts on); a whole-file
		// error may share the line that was being read.
		const wholeFile = event.kind === 'error' && (event.error.code === 'file_too_large' || event.error.code === 'empty_file')
		if (wholeFile) expect(line).toBeGreaterThanOrEqual(previous)
		else expect(line).toBeGreaterThan(previous)
		previous = line
	}
}

async function checkModel(file: GeneratedFile, cuts: Parameters<typeof chunk>[1]) {
	const whole = await parseChunks([file.bytes], file.format, file.limits)
	checkInvariants(whole, file.bytes)
	expect(withoutProgress(whole)).toEqual(file.expected)
	const chunked = await parseChunks(chunk(file.bytes, cuts), file.format, file.limits)
	expect(chunked).toEqual(whole)
}

describe('JSONL around the limits and malformations', () => {
	test('every line gets exactly its verdict, whatever the chunking (small limits)', async () => {
		await fc.assert(fc.asyncProperty(jsonlFile(), cutsArb, checkModel), { numRuns: 400 })
	})

	test('only valid lines: each parses to exactly what was written', async () => {
		await fc.assert(
			fc.asyncProperty(jsonlFile({ bad: 0 }), cutsArb, async (file, cuts) => {
				await checkModel(file, cuts)
				expect(file.expected.every((e) => e.kind === 'sample' || ['line_too_long', 'too_deep', 'duplicate_id', 'too_many_rows', 'empty_file'].includes(e.error.code))).toBe(true)
			}),
			{ numRuns: 200 },
		)
	})

	test('the default caps: lines of 1 MiB ± 2 bytes and 32 ± 1 levels', async () => {
		await fc.assert(fc.asyncProperty(jsonlFile({ limits: 'default', maxLines: 5 }), cutsArb, checkModel), { numRuns: 12 })
	})

	test('a JSON array is told by its first character, also on an over-long first line split after its indentation', async () => {
		const arb = fc.record({
			blankLines: fc.constantFrom('', '\n', '\r\n \n'),
			indent: fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 8 }),
			bracket: fc.constantFrom('[', '{'),
			maxLineBytes: fc.integer({ min: 8, max: 40 }),
			delta: fc.integer({ min: -2, max: 3 }),
			split: fc.nat(8),
		})
		await fc.assert(
			fc.asyncProperty(arb, cutsArb, async (o, cuts) => {
				const first = o.indent + o.bracket + 'x'.repeat(Math.max(o.maxLineBytes + o.delta - o.indent.length - 1, 0))
				const bytes = new TextEncoder().encode(`${o.blankLines}${first}\n{"id":"a","content":"x"}\n`)
				const limits = { maxLineBytes: o.maxLineBytes, maxDepth: 4, maxRows: 10, maxFileBytes: 1024, maxIdLength: 256 }
				const whole = await parseChunks([bytes], 'jsonl', limits)
				checkInvariants(whole, bytes)
				if (o.bracket === '[') expect(whole).toEqual([{ kind: 'error', error: { line: lineCount(new TextEncoder().encode(o.blankLines)), code: 'json_array' } }])
				const at = o.blankLines.length + Math.min(o.split, o.indent.length)
				expect(await parseChunks([bytes.subarray(0, at), bytes.subarray(at)], 'jsonl', limits)).toEqual(whole)
				expect(await parseChunks(chunk(bytes, cuts), 'jsonl', limits)).toEqual(whole)
			}),
			{ numRuns: 300 },
		)
	})
})

describe('CSV around the limits and malformations', () => {
	test('every record gets exactly its verdict, whatever the chunking (small limits)', async () => {
		await fc.assert(fc.asyncProperty(csvFile(), cutsArb, checkModel), { numRuns: 400 })
	})

	test('only valid rows: each parses to exactly what was written, quoted line breaks included', async () => {
		await fc.assert(fc.asyncProperty(csvFile({ bad: 0 }), cutsArb, checkModel), { numRuns: 200 })
	})

	test('the default cap: records of 1 MiB ± 2 bytes', async () => {
		await fc.assert(fc.asyncProperty(csvFile({ limits: 'default', maxRows: 4 }), cutsArb, checkModel), { numRuns: 12 })
	})
})

describe('arbitrary hostile bytes', () => {
	for (const format of ['jsonl', 'csv'] as const) {
		test(`${format}: never throws, errors point at real lines with known codes, chunking changes nothing`, async () => {
			await fc.assert(
				fc.asyncProperty(hostileBytes, hostileLimits, cutsArb, async (bytes, limits, cuts) => {
					const whole = await parseChunks([bytes], format, limits)
					checkInvariants(whole, bytes)
					expect(await parseChunks(chunk(bytes, cuts), format, limits)).toEqual(whole)
				}),
				{ numRuns: 600 },
			)
		})
	}

	test('many short lines: progress events are the same however the file is chunked', async () => {
		const lines = fc.array(fc.constantFrom('{"id":"%","content":"x"}', '', '{"id":"%"}', '{"id":"%","content":"x"}\r'), { minLength: 1000, maxLength: 1400 })
		await fc.assert(
			fc.asyncProperty(lines, cutsArb, fc.constantFrom('jsonl' as const, 'csv' as const), async (raw, cuts, format) => {
				const body = raw.map((l, i) => (format === 'csv' ? (l ? `r${i},${l.length}` : '') : l.replace('%', `r${i}`))).join('\n')
				const bytes = new TextEncoder().encode(format === 'csv' ? `id,content\n${body}` : body)
				const limits = { maxLineBytes: 64, maxDepth: 4, maxRows: 10_000, maxFileBytes: 1024 ** 3, maxIdLength: 256 }
				const whole = await parseChunks([bytes], format, limits)
				checkInvariants(whole, bytes)
				expect(whole.some((e) => e.kind === 'progress')).toBe(true)
				expect(await parseChunks(chunk(bytes, cuts), format, limits)).toEqual(whole)
			}),
			{ numRuns: 8 },
		)
	})
})
