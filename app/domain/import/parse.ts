import { parseCsv } from '#app/domain/import/csv.ts'
import { parseJsonl } from '#app/domain/import/jsonl.ts'
import { readSource } from '#app/domain/import/source.ts'
import { defaultImportLimits, type ImportFormat, type ImportLimits, type ParseEvent } from '#app/domain/import/types.ts'

/**
 * Streams a sample file into samples and errors (see types.ts). Every record gets its own verdict,
 * so one pass reports all bad lines; whole-file problems end the stream after a single error.
 * Memory stays bounded by `limits.maxLineBytes` plus the ids seen so far.
 */
export async function* parseSamples(source: AsyncIterable<Uint8Array>, format: ImportFormat, limits: ImportLimits = defaultImportLimits): AsyncGenerator<ParseEvent> {
	const items = readSource(source, limits)
	yield* format === 'csv' ? parseCsv(items, limits) : parseJsonl(items, limits)
}
