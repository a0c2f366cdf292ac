import { type SourceItem } from '#app/domain/import/source.ts'
import { type ImportLimits, type ParseEvent } from '#app/domain/import/types.ts'
import { checkJsonRecord, errorAt, exceedsDepth, IdRegistry, isPlainObject } from '#app/domain/import/validate.ts'

export const PROGRESS_EVERY_LINES = 1000
const LF = 10
const CR = 13
const OPEN_BRACKET = 91

// ignoreBOM keeps a stray mid-file BOM visible (then invalid JSON) instead of silently eating it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Splits the byte stream into lines without copying, except for a line that straddles chunks;
 * that one is gathered in `pending`, which never grows past the line cap (plus one byte for CR).
 */
export async function* parseJsonl(items: AsyncIterable<SourceItem>, limits: ImportLimits): AsyncGenerator<ParseEvent> {
	const lines = new JsonlLines(limits)
	const room = limits.maxLineBytes + 1
	let pending = new Uint8Array(Math.min(room, 64 * 1024))
	let pendingLength = 0
	let skipping = false
	let line = 1
	let consumed = 0
	let nextProgress = PROGRESS_EVERY_LINES

	const hold = (bytes: Uint8Array) => {
		const needed = pendingLength + bytes.length
		if (needed > pending.length) {
			const grown = new Uint8Array(Math.min(room, Math.max(needed, pending.length * 2)))
			grown.set(pending.subarray(0, pendingLength))
			pending = grown
		}
		pending.set(bytes, pendingLength)
		pendingLength = needed
	}

	for await (const item of items) {
		if (!(item instanceof Uint8Array)) {
			yield errorAt(line, item)
			return
		}
		let pos = 0
		while (pos < item.length) {
			const nl = item.indexOf(LF, pos)
			const end = nl < 0 ? item.length : nl
			if (!skipping && pendingLength + (end - pos) > room) {
				// Over the cap: report now and drop bytes up to the next newline. The line's first
				// `room` bytes decide its first character, however the upload was chunked.
				let first = firstNonBlank(pending, pendingLength)
				if (first < 0) first = firstNonBlank(item.subarray(pos), Math.min(end - pos, room - pendingLength))
				pendingLength = 0
				skipping = true
				yield lines.tooLong(first, line)
				if (lines.fatal) return
			}
			if (nl < 0) {
				if (!skipping) hold(item.subarray(pos))
				break
			}
			if (skipping) skipping = false
			else {
				let bytes = item.subarray(pos, nl)
				if (pendingLength > 0) {
					hold(bytes)
					bytes = pending.subarray(0, pendingLength)
					pendingLength = 0
				}
				const event = lines.line(bytes, line)
				if (event) yield event
				if (lines.fatal) return
			}
			line++
			pos = nl + 1
			if (line >= nextProgress) {
				yield { kind: 'progress', bytes: consumed + pos, line: line - 1 }
				nextProgress = line + PROGRESS_EVERY_LINES
			}
		}
		consumed += item.length
	}
	if (!skipping && pendingLength > 0) {
		const event = lines.line(pending.subarray(0, pendingLength), line)
		if (event) yield event
		if (lines.fatal) return
	}
	if (!lines.started) yield errorAt(1, { code: 'empty_file' })
}

/** Line-level checks in the documented order, then the record's own checks. */
class JsonlLines {
	/** Set once a non-blank line was seen; the first one decides `json_array`. */
	started = false
	fatal = false
	private rows = 0
	private readonly ids = new IdRegistry()

	constructor(private readonly limits: ImportLimits) {}

	/** `first`: the first non-blank byte among the line's first maxLineBytes + 1 bytes, or -1. */
	tooLong(first: number, line: number): ParseEvent {
		return this.open(first, line) ?? errorAt(line, { code: 'line_too_long', params: { max: this.limits.maxLineBytes } })
	}

	line(raw: Uint8Array, line: number): ParseEvent | null {
		const { limits } = this
		let end = raw.length
		if (end > 0 && raw[end - 1] === CR) end--
		if (end > limits.maxLineBytes) return this.tooLong(firstNonBlank(raw, Math.min(raw.length, limits.maxLineBytes + 1)), line)
		const first = firstNonBlank(raw, end)
		if (first < 0) return null
		const opened = this.open(first, line)
		if (opened) return opened

		const bytes = end === raw.length ? raw : raw.subarray(0, end)
		if (bytes.indexOf(0) >= 0) return errorAt(line, { code: 'nul_byte' })
		let text: string
		try {
			text = utf8.decode(bytes)
		} catch {
			return errorAt(line, { code: 'invalid_utf8' })
		}
		if (exceedsDepth(text, limits.maxDepth)) return errorAt(line, { code: 'too_deep', params: { max: limits.maxDepth } })
		let value: unknown
		try {
			value = JSON.parse(text)
		} catch {
			return errorAt(line, { code: 'invalid_json' })
		}
		if (!isPlainObject(value)) return errorAt(line, { code: 'not_an_object' })

		const checked = checkJsonRecord(value, text, limits)
		if ('problem' in checked) {
			this.ids.note(checked.id, line)
			return errorAt(line, checked.problem)
		}
		const duplicate = this.ids.claim(checked.sample.externalId, line)
		if (duplicate) return errorAt(line, duplicate)
		return { kind: 'sample', sample: { line, ...checked.sample } }
	}

	/** Bookkeeping for a non-blank line: the JSON-array guess and the row cap, both fatal. */
	private open(first: number, line: number): ParseEvent | null {
		if (!this.started) {
			this.started = true
			if (first === OPEN_BRACKET) {
				this.fatal = true
				return errorAt(line, { code: 'json_array' })
			}
		}
		if (++this.rows > this.limits.maxRows) {
			this.fatal = true
			return errorAt(line, { code: 'too_many_rows', params: { max: this.limits.maxRows } })
		}
		return null
	}
}

/** The first byte that is not JSON whitespace, or -1 for a blank line. Usually returns at once. */
function firstNonBlank(bytes: Uint8Array, end: number): number {
	for (let i = 0; i < end; i++) {
		const b = bytes[i]!
		if (b !== 32 && b !== 9 && b !== CR) return b
	}
	return -1
}
