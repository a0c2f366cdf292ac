import { fmix32 } from '#app/domain/hash.ts'
import { type ChatTurn, type ImportErrorCode, type ImportLimits, type ParsedSample, type ParseEvent } from '#app/domain/import/types.ts'

export type Problem = { code: ImportErrorCode; params?: Record<string, string | number> }
export type SampleBody = Omit<ParsedSample, 'line'>
/** A record's verdict; `id` is kept on failure when the id itself was fine, for duplicate detection. */
export type Checked = { sample: SampleBody } | { problem: Problem; id?: string }

export const MAX_IMAGE_URL_CHARS = 2048
export const MAX_IMAGE_ALT_CHARS = 1000
const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/
const HTTP_URL = /^https?:\/\//i
const JSONL_FIELDS = new Set(['id', 'content', 'messages', 'language', 'metadata', 'image_url', 'image_alt'])
/** Only a \u escape can put a NUL or a lone surrogate into a string that passed the byte checks. */
const SUSPECT_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/

export function errorAt(line: number, problem: Problem): ParseEvent {
	return { kind: 'error', error: { line, ...problem } }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Characters as PostgreSQL counts them (code points), without walking short strings. */
export function longerThan(s: string, max: number): boolean {
	if (s.length <= max) return false
	let n = 0
	for (const _ of s) if (++n > max) return true
	return false
}

export function idProblem(id: string, limits: ImportLimits): Problem | null {
	if (id === '') return { code: 'id_empty' }
	if (longerThan(id, limits.maxIdLength)) return { code: 'id_too_long', params: { max: limits.maxIdLength } }
	return null
}

export function isLanguage(value: string): boolean {
	return LANGUAGE.test(value)
}

export function isImageUrl(value: string): boolean {
	if (longerThan(value, MAX_IMAGE_URL_CHARS) || !HTTP_URL.test(value)) return false
	try {
		const url = new URL(value)
		return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
	} catch {
		return false
	}
}

export function isImageAlt(value: string): boolean {
	return !longerThan(value, MAX_IMAGE_ALT_CHARS)
}

/**
 * Remembers where each id first appeared. Ids of rejected records count too, so that one upload
 * reports a duplicate even while its first occurrence is still broken.
 *
 * It keeps a 64-bit hash of each id, not the id: a million ids as strings in a Map held about
 * 58 MB, the largest thing an import keeps alive (decision 054); here a slot costs 12 bytes, in an
 * open-addressing table kept at most half full (24 MB for a million ids). If the two 32-bit halves
 * behave as independent hashes, two different ids of one file share both with probability
 * n² / 2⁶⁵ — about 3 · 10⁻⁸ for a million ids; the hashes are seeded per import, so a file cannot
 * be written to collide.
 */
export class IdRegistry {
	/** Per slot: the two halves of the hash, and the first line + 1 (0: an empty slot). */
	private high = new Int32Array(1 << 12)
	private low = new Int32Array(1 << 12)
	private lines = new Int32Array(1 << 12)
	private count = 0
	private readonly seeds = [(Math.random() * 0x100000000) | 0, (Math.random() * 0x100000000) | 0] as const

	note(id: string | undefined, line: number): void {
		if (id !== undefined) this.find(id, line)
	}

	/** Registers a valid record's id, or returns the duplicate problem. */
	claim(id: string, line: number): Problem | null {
		const firstLine = this.find(id, line)
		return firstLine === line ? null : { code: 'duplicate_id', params: { id, firstLine } }
	}

	/** The line where `id` was first seen, recording it at `line` when it is new. */
	private find(id: string, line: number): number {
		// Two FNV-1a passes from random starts, each through Murmur3's finalizer.
		let a = this.seeds[0]
		let b = this.seeds[1]
		for (let i = 0; i < id.length; i++) {
			const unit = id.charCodeAt(i)
			a = Math.imul(a ^ unit, 0x01000193)
			b = Math.imul(b ^ unit, 0x0100019d)
		}
		// Signed, as the Int32Array slots read them back.
		a = fmix32(a) | 0
		b = fmix32(b ^ id.length) | 0
		const mask = this.lines.length - 1
		let slot = a & mask
		while (this.lines[slot] !== 0) {
			if (this.high[slot] === a && this.low[slot] === b) return this.lines[slot]! - 1
			slot = (slot + 1) & mask
		}
		this.high[slot] = a
		this.low[slot] = b
		this.lines[slot] = line + 1
		if (++this.count * 2 > this.lines.length) this.grow()
		return line
	}

	private grow(): void {
		const { high, low, lines } = this
		this.high = new Int32Array(lines.length * 2)
		this.low = new Int32Array(lines.length * 2)
		this.lines = new Int32Array(lines.length * 2)
		const mask = this.lines.length - 1
		for (let i = 0; i < lines.length; i++) {
			if (lines[i] === 0) continue
			let slot = high[i]! & mask
			while (this.lines[slot] !== 0) slot = (slot + 1) & mask
			this.high[slot] = high[i]!
			this.low[slot] = low[i]!
			this.lines[slot] = lines[i]!
		}
	}
}

/** Field checks for one parsed JSONL object, in the documented order; the first problem wins. */
export function checkJsonRecord(rec: Record<string, unknown>, text: string, limits: ImportLimits): Checked {
	const id = rec.id
	let idFault: Problem | null
	if (id === undefined || id === null) idFault = { code: 'missing_id' }
	else if (typeof id !== 'string') idFault = { code: 'id_not_string' }
	else idFault = idProblem(id, limits)
	const validId = idFault === null ? (id as string) : undefined
	const fail = (problem: Problem): Checked => ({ problem, id: validId })

	for (const key of Object.keys(rec)) if (!JSONL_FIELDS.has(key)) return fail({ code: 'unknown_field', params: { field: key } })
	if (idFault) return fail(idFault)

	const hasContent = rec.content !== undefined && rec.content !== null
	const hasMessages = rec.messages !== undefined && rec.messages !== null
	let content: string | null = null
	let messages: ChatTurn[] | null = null
	if (hasContent && hasMessages) return fail({ code: 'content_and_messages' })
	if (hasContent) {
		if (typeof rec.content !== 'string') return fail({ code: 'content_not_string' })
		if (rec.content === '') return fail({ code: 'missing_content' })
		content = rec.content
	} else if (hasMessages) {
		const turns = readMessages(rec.messages)
		if (typeof turns === 'number') return fail({ code: 'messages_invalid', params: { index: turns } })
		messages = turns
	} else return fail({ code: 'missing_content' })

	const language = rec.language ?? null
	if (language !== null && (typeof language !== 'string' || !isLanguage(language))) return fail({ code: 'language_invalid' })
	const metadata = rec.metadata ?? {}
	if (!isPlainObject(metadata)) return fail({ code: 'metadata_not_object' })
	const imageUrl = rec.image_url ?? null
	if (imageUrl !== null && (typeof imageUrl !== 'string' || !isImageUrl(imageUrl))) {
		return fail({ code: 'image_url_invalid', params: { max: MAX_IMAGE_URL_CHARS } })
	}
	const imageAlt = rec.image_alt ?? null
	if (imageAlt !== null && (typeof imageAlt !== 'string' || !isImageAlt(imageAlt))) {
		return fail({ code: 'image_alt_invalid', params: { max: MAX_IMAGE_ALT_CHARS } })
	}

	if (SUSPECT_ESCAPE.test(text)) {
		const bad = badStringIn(rec)
		if (bad) return fail({ code: bad })
	}
	if (hasInexactNumber(text)) return fail({ code: 'inexact_number' })
	return { sample: { externalId: id as string, content, messages, imageUrl, imageAlt, language, metadata } }
}

/** The turns, or the index of the first bad one (0 when `messages` is not a non-empty array). */
function readMessages(value: unknown): ChatTurn[] | number {
	if (!Array.isArray(value) || value.length === 0) return 0
	const turns: ChatTurn[] = []
	for (let i = 0; i < value.length; i++) {
		const turn: unknown = value[i]
		if (!isPlainObject(turn)) return i
		const { role, content } = turn
		// Exactly these two keys: anything else would be silently dropped on import.
		if (typeof role !== 'string' || role === '' || typeof content !== 'string' || Object.keys(turn).length !== 2) return i
		turns.push({ role, content })
	}
	return turns
}

// why: tsconfig's lib stops at ES2023; String.prototype.isWellFormed (ES2024) ships with Node 20.
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed()

/** PostgreSQL text can hold neither NUL nor an unpaired surrogate; looks at keys and values at any depth. */
export function badStringIn(value: unknown): 'nul_byte' | 'lone_surrogate' | null {
	const stack: unknown[] = [value]
	while (stack.length > 0) {
		const v = stack.pop()
		if (typeof v === 'string') {
			const bad = badString(v)
			if (bad) return bad
		} else if (Array.isArray(v)) {
			for (let i = v.length - 1; i >= 0; i--) stack.push(v[i])
		} else if (isPlainObject(v)) {
			const keys = Object.keys(v)
			for (let i = keys.length - 1; i >= 0; i--) {
				const key = keys[i]!
				const bad = badString(key)
				if (bad) return bad
				stack.push(v[key])
			}
		}
	}
	return null
}

function badString(s: string): 'nul_byte' | 'lone_surrogate' | null {
	if (s.includes('\0')) return 'nul_byte'
	if (!isWellFormed(s)) return 'lone_surrogate'
	return null
}

/**
 * Whether brackets outside strings nest deeper than `max`, decided before JSON.parse sees the line.
 * Most lines have fewer brackets than `max` in total, which native indexOf settles without a scan.
 */
export function exceedsDepth(text: string, max: number): boolean {
	let brackets = 0
	for (let i = text.indexOf('{'); i >= 0 && brackets <= max; i = text.indexOf('{', i + 1)) brackets++
	for (let i = text.indexOf('['); i >= 0 && brackets <= max; i = text.indexOf('[', i + 1)) brackets++
	if (brackets <= max) return false
	let depth = 0
	let inString = false
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i)
		if (inString) {
			if (c === 92) i++
			else if (c === 34) inString = false
		} else if (c === 34) inString = true
		else if (c === 123 || c === 91) {
			if (++depth > max) return true
		} else if (c === 125 || c === 93) depth--
	}
	return false
}

/** 16 digits in a row (a '.' may sit among them) or a 3-digit exponent: only then can a double fail to hold a number. */
const SUSPECT_NUMBER = /(?:\d\.?){16}|[eE][+-]?\d{3}/
const NUMBER = /-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?/y
const PRINTED_NUMBER = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/

/**
 * Whether a number in the line would be stored other than as written: JSON.parse reads numbers
 * as doubles and the row keeps what JavaScript prints, so 1e400 would become null, 1e-400 zero
 * and 18446744073709551615 end in …552000. Such lines are refused (write the number as a string)
 * rather than silently changed. Looks outside strings only, and only when SUSPECT_NUMBER matches.
 */
export function hasInexactNumber(text: string): boolean {
	if (!SUSPECT_NUMBER.test(text)) return false
	let inString = false
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i)
		if (inString) {
			if (c === 92) i++
			else if (c === 34) inString = false
		} else if (c === 34) inString = true
		else if (c === 45 || (c >= 48 && c <= 57)) {
			NUMBER.lastIndex = i
			const token = NUMBER.exec(text)
			if (!token) continue
			const value = Number(token[0])
			if (!Number.isFinite(value) || decimalKey(token) !== decimalKey(PRINTED_NUMBER.exec(String(value))!)) return true
			i += token[0].length - 1
		}
	}
	return false
}

/** A number's value as sign, significant digits and exponent ("1.50" and "15e-1" give the same key). */
function decimalKey(token: RegExpExecArray): string {
	const fraction = token[2] ?? ''
	const digits = (token[1]! + fraction).replace(/^0+/, '')
	if (digits === '') return '0'
	const significant = digits.replace(/0+$/, '')
	const exponent = Number(token[3] ?? 0) - fraction.length + (digits.length - significant.length)
	return `${token[0].startsWith('-') ? '-' : ''}${significant}e${exponent}`
}
