/**
 * What goes into an audit entry's before/after, and how a page reads it back. Pure: the models
 * record, app/routes/datasets+/$slug+/audit.tsx shows.
 */

/** Longer values stay out of the log (it is kept forever); the entry names the field instead. */
export const AUDIT_TEXT_LIMIT = 500
/** The key of `after` that lists changed fields whose values were too long to keep. */
export const LONG_FIELDS_KEY = 'longFields'

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
const tooLong = (v: unknown) => typeof v === 'string' && v.length > AUDIT_TEXT_LIMIT

/**
 * The fields among `keys` whose value differs between the two states, as before/after maps;
 * null when nothing changed. A long text is named in `after.longFields`, never copied.
 */
export function auditDiff<K extends string>(before: Partial<Record<K, unknown>>, after: Partial<Record<K, unknown>>, keys: readonly K[]) {
	const from: Record<string, unknown> = {}
	const to: Record<string, unknown> = {}
	const long: string[] = []
	for (const key of keys) {
		if (!(key in after) || same(before[key], after[key])) continue
		if (tooLong(before[key]) || tooLong(after[key])) long.push(key)
		else {
			from[key] = before[key] ?? null
			to[key] = after[key] ?? null
		}
	}
	if (!long.length && !Object.keys(to).length) return null
	if (long.length) to[LONG_FIELDS_KEY] = long
	return { before: from, after: to }
}

/** A value as text, or a boolean for the page to say yes/no in the reader's language. */
export type ChangeValue = string | boolean | null
export type ChangeLine = { key: string; before: ChangeValue; after: ChangeValue; hadBefore: boolean }

/** One line per changed key, values as plain text (never markup), plus the fields named only. */
export function changeLines(before: Record<string, unknown> | null, after: Record<string, unknown> | null) {
	const b = before ?? {}
	const a = after ?? {}
	const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => k !== LONG_FIELDS_KEY)
	const lines: ChangeLine[] = keys.map((key) => ({ key, before: plain(b[key]), after: plain(a[key]), hadBefore: key in b }))
	const long = Array.isArray(a[LONG_FIELDS_KEY]) ? (a[LONG_FIELDS_KEY] as unknown[]).map(String) : []
	return { lines, long }
}

function plain(value: unknown): ChangeValue {
	if (value === null || value === undefined) return null
	if (typeof value === 'string' || typeof value === 'boolean') return value
	if (typeof value === 'number') return String(value)
	if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return value.map(String).join(', ')
	return JSON.stringify(value)
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/

export type AuditCursor = { at: string; id: string }

/**
 * `?before=<ISO time>~<id>`: the last entry of the page before. The time keeps the database's
 * microseconds, so entries written within one millisecond are never skipped.
 */
export function parseAuditCursor(value: string | null): AuditCursor | null | 'invalid' {
	if (!value) return null
	const [at = '', id = '', ...rest] = value.split('~')
	if (rest.length || !ISO.test(at) || Number.isNaN(Date.parse(at)) || !UUID.test(id)) return 'invalid'
	return { at, id }
}
