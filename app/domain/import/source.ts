import { type ImportLimits } from '#app/domain/import/types.ts'

/** A whole-file problem found before any line is read; the format parser adds the line number. */
export type SourceProblem = { code: 'utf16' } | { code: 'file_too_large'; params: { max: number } }

export type SourceItem = Uint8Array | SourceProblem

/**
 * Passes the upload's chunks through, minus a UTF-8 BOM, stopping with a problem on a UTF-16 BOM
 * or once the file grows past the byte cap. The first chunks are held back until 3 bytes are
 * known, because a transport may split the BOM. Exactly the first `maxFileBytes` bytes are
 * passed on before `file_too_large`, so the verdict does not depend on how the upload was chunked.
 */
export async function* readSource(source: AsyncIterable<Uint8Array>, limits: ImportLimits): AsyncGenerator<SourceItem> {
	let total = 0
	let head: Uint8Array | null = new Uint8Array(0)
	for await (const chunk of source) {
		if (chunk.length === 0) continue
		const over = total + chunk.length > limits.maxFileBytes
		const bytes = over ? chunk.subarray(0, limits.maxFileBytes - total) : chunk
		total += bytes.length
		if (head === null) {
			if (bytes.length > 0) yield bytes
		} else {
			head = concat(head, bytes)
			if (head.length >= 3 || over) {
				const first = opening(head)
				head = null
				if (!(first instanceof Uint8Array)) {
					yield first
					return
				}
				if (first.length > 0) yield first
			}
		}
		if (over) {
			yield { code: 'file_too_large', params: { max: limits.maxFileBytes } }
			return
		}
	}
	if (head !== null && head.length > 0) yield opening(head)
}

function opening(bytes: Uint8Array): SourceItem {
	const [a, b, c] = bytes
	if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) return { code: 'utf16' }
	if (a === 0xef && b === 0xbb && c === 0xbf) return bytes.subarray(3)
	return bytes
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
	if (a.length === 0) return b
	const out = new Uint8Array(a.length + b.length)
	out.set(a)
	out.set(b, a.length)
	return out
}
