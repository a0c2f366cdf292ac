import { type Checked, idProblem, isImageAlt, isImageUrl, isLanguage, MAX_IMAGE_ALT_CHARS, MAX_IMAGE_URL_CHARS, type Problem } from '#app/domain/import/validate.ts'
import { type ImportLimits } from '#app/domain/import/types.ts'

/** Where each known column sits in a row (-1 when absent). */
export type CsvLayout = {
	width: number
	id: number
	content: number
	language: number
	imageUrl: number
	imageAlt: number
	metadata: { index: number; path: string[] }[]
}

const METADATA_PREFIX = 'metadata.'
const SEPARATOR_HINT = /[;\t]/

/** Header names are trimmed: `id, content` written by hand should still work. */
export function readHeader(rawNames: string[]): CsvLayout | Problem {
	const names = rawNames.map((n) => n.trim())
	if (names.length === 1 && SEPARATOR_HINT.test(names[0]!)) return { code: 'csv_wrong_separator' }
	const seen = new Set<string>()
	for (const name of names) {
		if (seen.has(name)) return { code: 'csv_duplicate_header', params: { name } }
		seen.add(name)
	}
	const layout: CsvLayout = { width: names.length, id: -1, content: -1, language: -1, imageUrl: -1, imageAlt: -1, metadata: [] }
	for (const [index, name] of names.entries()) {
		if (name === 'id') layout.id = index
		else if (name === 'content') layout.content = index
		else if (name === 'language') layout.language = index
		else if (name === 'image_url') layout.imageUrl = index
		else if (name === 'image_alt') layout.imageAlt = index
		else {
			const path = name.startsWith(METADATA_PREFIX) ? name.slice(METADATA_PREFIX.length).split('.') : []
			if (path.length === 0 || path.includes('')) return { code: 'csv_unknown_column', params: { name } }
			layout.metadata.push({ index, path })
		}
	}
	if (layout.id < 0) return { code: 'csv_missing_column', params: { name: 'id' } }
	if (layout.content < 0) return { code: 'csv_missing_column', params: { name: 'content' } }
	const conflict = metadataConflict(layout.metadata.map((m) => m.path))
	if (conflict !== null) return { code: 'csv_metadata_conflict', params: { name: METADATA_PREFIX + conflict } }
	return layout
}

/** The first key path (in header order) that is both a value and a parent of another key. */
function metadataConflict(paths: string[][]): string | null {
	const leaves = new Set<string>()
	const parents = new Set<string>()
	for (const path of paths) {
		const full = path.join('.')
		if (parents.has(full)) return full
		for (let k = 1; k < path.length; k++) {
			const prefix = path.slice(0, k).join('.')
			if (leaves.has(prefix)) return full
			parents.add(prefix)
		}
		leaves.add(full)
	}
	return null
}

/**
 * RFC 4180 fields of one record. A quote opens a quoted field only at the start of a field;
 * elsewhere it is kept as a literal character, like most spreadsheet exports expect. The byte
 * scanner in csv.ts follows the same rule, so both agree on where records end.
 */
export function splitFields(text: string): string[] {
	if (!text.includes('"')) return text.split(',')
	const fields: string[] = []
	let i = 0
	for (;;) {
		let value = ''
		if (text.charCodeAt(i) === 34) {
			let j = i + 1
			for (;;) {
				const q = text.indexOf('"', j)
				if (q < 0) {
					value += text.slice(j)
					j = text.length
					break
				}
				value += text.slice(j, q)
				if (text.charCodeAt(q + 1) === 34) {
					value += '"'
					j = q + 2
				} else {
					j = q + 1
					break
				}
			}
			i = j
		}
		const comma = text.indexOf(',', i)
		if (comma < 0) {
			fields.push(value + text.slice(i))
			return fields
		}
		fields.push(value + text.slice(i, comma))
		i = comma + 1
	}
}

/** Per-record checks for a CSV row; empty optional cells mean "absent". */
export function checkCsvRecord(fields: string[], layout: CsvLayout, limits: ImportLimits): Checked {
	if (fields.length !== layout.width) {
		return { problem: { code: 'csv_ragged_row', params: { expected: layout.width, actual: fields.length } } }
	}
	const id = fields[layout.id]!
	const idFault = idProblem(id, limits)
	if (idFault) return { problem: idFault }
	const fail = (problem: Problem): Checked => ({ problem, id })

	const content = fields[layout.content]!
	if (content === '') return fail({ code: 'missing_content' })
	const language = cell(fields, layout.language)
	if (language !== null && !isLanguage(language)) return fail({ code: 'language_invalid' })
	const imageUrl = cell(fields, layout.imageUrl)
	if (imageUrl !== null && !isImageUrl(imageUrl)) return fail({ code: 'image_url_invalid', params: { max: MAX_IMAGE_URL_CHARS } })
	const imageAlt = cell(fields, layout.imageAlt)
	if (imageAlt !== null && !isImageAlt(imageAlt)) return fail({ code: 'image_alt_invalid', params: { max: MAX_IMAGE_ALT_CHARS } })

	const metadata: Record<string, unknown> = {}
	for (const { index, path } of layout.metadata) {
		const value = fields[index]!
		if (value !== '') setPath(metadata, path, value)
	}
	return { sample: { externalId: id, content, messages: null, imageUrl, imageAlt, language, metadata } }
}

function cell(fields: string[], index: number): string | null {
	if (index < 0) return null
	const value = fields[index]!
	return value === '' ? null : value
}

/** Header checks rule out conflicts, so every parent on the path is an object we made. */
function setPath(target: Record<string, unknown>, path: string[], value: string): void {
	let node = target
	for (let k = 0; k < path.length - 1; k++) {
		const key = path[k]!
		let child = Object.hasOwn(node, key) ? node[key] : undefined
		if (child === undefined) {
			child = {}
			defineOwn(node, key, child)
		}
		node = child as Record<string, unknown>
	}
	defineOwn(node, path[path.length - 1]!, value)
}

// why: plain assignment to a column named `metadata.__proto__` would change the prototype instead.
function defineOwn(node: Record<string, unknown>, key: string, value: unknown): void {
	if (key === '__proto__') Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true })
	else node[key] = value
}
