import { checkCsvRecord, type CsvLayout, readHeader, splitFields } from '#app/domain/import/csv-record.ts'
import { PROGRESS_EVERY_LINES } from '#app/domain/import/jsonl.ts'
import { type SourceItem } from '#app/domain/import/source.ts'
import { type ImportLimits, type ParseEvent } from '#app/domain/import/types.ts'
import { errorAt, IdRegistry, type Problem } from '#app/domain/import/validate.ts'

const LF = 10
const CR = 13
const QUOTE = 34
const COMMA = 44

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export async function* parseCsv(items: AsyncIterable<SourceItem>, limits: ImportLimits): AsyncGenerator<ParseEvent> {
	const scanner = new CsvScanner(new CsvRecords(limits), limits)
	for await (const item of items) {
		if (!(item instanceof Uint8Array)) {
			yield errorAt(scanner.line, item)
			return
		}
		scanner.append(item)
		for (const event of scanner.scan(false)) {
			yield event
			if (scanner.records.fatal) return
		}
	}
	for (const event of scanner.finish()) {
		yield event
		if (scanner.records.fatal) return
	}
}

/**
 * Finds record boundaries in the byte stream: a LF outside quotes ends a record. It jumps from one
 * quote or LF to the next with native indexOf and keeps its state across chunks. The bytes of the
 * current record stay in `buf` (up to the cap); past the cap only one byte of look-behind is kept.
 */
class CsvScanner {
	/** Physical line where the current record starts. */
	line = 1
	private buf = new Uint8Array(64 * 1024)
	private len = 0
	private start = 0
	private pos = 0
	/** Absolute file offset of buf[0], for progress. */
	private offset = 0
	private inQuotes = false
	private quoteLine = 0
	private newlinesInRecord = 0
	private tooLong = false
	/** Cached positions of the next quote / LF at or after `pos` (`len` when none yet). */
	private nextQuote = -1
	private nextLf = -1
	private nextProgress = PROGRESS_EVERY_LINES
	private readonly room: number

	constructor(
		readonly records: CsvRecords,
		limits: ImportLimits,
	) {
		this.room = limits.maxLineBytes + 1
	}

	append(chunk: Uint8Array): void {
		if (this.tooLong) this.start = Math.max(this.pos - 1, 0)
		const shift = this.start
		const kept = this.len - shift
		const needed = kept + chunk.length
		if (needed > this.buf.length) {
			const grown = new Uint8Array(Math.max(needed, this.buf.length * 2))
			grown.set(this.buf.subarray(shift, this.len))
			this.buf = grown
		} else if (shift > 0) this.buf.copyWithin(0, shift, this.len)
		this.buf.set(chunk, kept)
		this.len = needed
		this.start -= shift
		this.pos -= shift
		this.offset += shift
		this.nextQuote = -1
		this.nextLf = -1
	}

	*scan(eof: boolean): Generator<ParseEvent> {
		const view = this.buf.subarray(0, this.len)
		for (;;) {
			if (this.inQuotes) {
				const q = view.indexOf(QUOTE, this.pos)
				this.countNewlines(view, q < 0 ? this.len : q)
				if (q < 0) {
					this.pos = this.len
					break
				}
				if (q + 1 >= this.len && !eof) {
					this.pos = q // a "" escape may be split across chunks
					break
				}
				if (view[q + 1] === QUOTE) this.pos = q + 2
				else {
					this.inQuotes = false
					this.pos = q + 1
				}
				continue
			}
			if (this.nextQuote < this.pos) this.nextQuote = indexOrEnd(view, QUOTE, this.pos)
			if (this.nextLf < this.pos) this.nextLf = indexOrEnd(view, LF, this.pos)
			if (this.nextLf < this.nextQuote) {
				yield* this.endRecord(view, this.nextLf)
				if (this.records.fatal) return
				continue
			}
			const q = this.nextQuote
			if (q >= this.len) {
				this.pos = this.len
				break
			}
			if (q === this.start || view[q - 1] === COMMA) {
				this.inQuotes = true
				this.quoteLine = this.line + this.newlinesInRecord
			}
			this.pos = q + 1
		}
		if (!this.tooLong && this.len - this.start > this.room) this.tooLong = true
	}

	*finish(): Generator<ParseEvent> {
		yield* this.scan(true)
		if (this.records.fatal) return
		if (this.inQuotes) {
			this.records.fatal = true
			yield errorAt(this.quoteLine, { code: 'csv_unterminated_quote' })
			return
		}
		if (this.tooLong || this.len > this.start) {
			yield* this.endRecord(this.buf.subarray(0, this.len), this.len)
			if (this.records.fatal) return
		}
		const last = this.records.end()
		if (last) yield last
	}

	private *endRecord(view: Uint8Array, end: number): Generator<ParseEvent> {
		const line = this.line
		let last = end
		if (last > this.start && view[last - 1] === CR) last--
		const event = this.tooLong ? this.records.tooLong(line) : this.records.record(view.subarray(this.start, last), line)
		this.line += this.newlinesInRecord + 1
		this.start = this.pos = end + 1
		this.newlinesInRecord = 0
		this.tooLong = false
		if (event) yield event
		if (this.line >= this.nextProgress && !this.records.fatal) {
			yield { kind: 'progress', bytes: Math.min(this.offset + this.pos, this.offset + this.len), line: this.line - 1 }
			this.nextProgress = this.line + PROGRESS_EVERY_LINES
		}
	}

	/** LFs inside a quoted field move the physical line counter. */
	private countNewlines(view: Uint8Array, stop: number): void {
		for (let i = view.indexOf(LF, this.pos); i >= 0 && i < stop; i = view.indexOf(LF, i + 1)) this.newlinesInRecord++
	}
}

function indexOrEnd(view: Uint8Array, byte: number, from: number): number {
	const i = view.indexOf(byte, from)
	return i < 0 ? view.length : i
}

/** What happens to each complete record: the header first, then rows. */
class CsvRecords {
	fatal = false
	private layout: CsvLayout | null = null
	private rows = 0
	private readonly ids = new IdRegistry()

	constructor(private readonly limits: ImportLimits) {}

	tooLong(line: number): ParseEvent {
		const problem = { code: 'line_too_long', params: { max: this.limits.maxLineBytes } } as const
		if (this.layout === null) return this.fatalAt(line, problem)
		return this.count(line) ?? errorAt(line, problem)
	}

	record(bytes: Uint8Array, line: number): ParseEvent | null {
		// Length first, as the scanner does for a record it could not hold: a blank record over the cap is still over it.
		if (bytes.length > this.limits.maxLineBytes) return this.tooLong(line)
		if (isBlank(bytes)) return null
		if (this.layout === null) return this.header(bytes, line)
		const counted = this.count(line)
		if (counted) return counted
		const text = decode(bytes)
		if (typeof text !== 'string') return errorAt(line, { code: text.fault })
		const checked = checkCsvRecord(splitFields(text), this.layout, this.limits)
		if ('problem' in checked) {
			this.ids.note(checked.id, line)
			return errorAt(line, checked.problem)
		}
		const duplicate = this.ids.claim(checked.sample.externalId, line)
		if (duplicate) return errorAt(line, duplicate)
		return { kind: 'sample', sample: { line, ...checked.sample } }
	}

	/** A file with a header and no rows has nothing to import either. */
	end(): ParseEvent | null {
		if (this.layout === null || this.rows === 0) return this.fatalAt(1, { code: 'empty_file' })
		return null
	}

	/** Every problem with the header is fatal: the rows cannot be read without it. */
	private header(bytes: Uint8Array, line: number): ParseEvent | null {
		const text = decode(bytes)
		if (typeof text !== 'string') return this.fatalAt(line, { code: text.fault })
		const layout = readHeader(splitFields(text))
		if ('code' in layout) return this.fatalAt(line, layout)
		this.layout = layout
		return null
	}

	private count(line: number): ParseEvent | null {
		if (++this.rows > this.limits.maxRows) return this.fatalAt(line, { code: 'too_many_rows', params: { max: this.limits.maxRows } })
		return null
	}

	private fatalAt(line: number, problem: Problem): ParseEvent {
		this.fatal = true
		return errorAt(line, problem)
	}
}

/** Empty or only spaces and tabs: skipped like a blank JSONL line (a real row has at least two cells). */
function isBlank(bytes: Uint8Array): boolean {
	for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 32 && bytes[i] !== 9) return false
	return true
}

function decode(bytes: Uint8Array): string | { fault: 'nul_byte' | 'invalid_utf8' } {
	if (bytes.indexOf(0) >= 0) return { fault: 'nul_byte' }
	try {
		return utf8.decode(bytes)
	} catch {
		return { fault: 'invalid_utf8' }
	}
}
