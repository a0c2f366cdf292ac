/** The sample-file contract (docs: README "Sample files") as the import parser produces it. */

export type ImportFormat = 'jsonl' | 'csv'

export type ChatTurn = { role: string; content: string }

export type ParsedSample = {
	/** 1-based physical line on which the record starts. */
	line: number
	externalId: string
	/** Plain text, or null when the sample is a chat. */
	content: string | null
	messages: ChatTurn[] | null
	imageUrl: string | null
	imageAlt: string | null
	/** BCP 47 tag, or null. */
	language: string | null
	metadata: Record<string, unknown>
}

/** Machine codes; the UI translates them (locales/<lng>/datasets.json, `importErrors.<code>`). */
export type ImportErrorCode =
	| 'empty_file'
	| 'utf16'
	| 'invalid_utf8'
	| 'nul_byte'
	| 'lone_surrogate'
	| 'line_too_long'
	| 'too_deep'
	| 'invalid_json'
	| 'json_array'
	| 'not_an_object'
	| 'unknown_field'
	| 'missing_id'
	| 'id_not_string'
	| 'id_empty'
	| 'id_too_long'
	| 'duplicate_id'
	| 'missing_content'
	| 'content_and_messages'
	| 'content_not_string'
	| 'content_too_long'
	| 'messages_invalid'
	| 'language_invalid'
	| 'metadata_not_object'
	| 'image_url_invalid'
	| 'image_alt_invalid'
	| 'inexact_number'
	| 'too_many_rows'
	| 'csv_unterminated_quote'
	| 'csv_ragged_row'
	| 'csv_duplicate_header'
	| 'csv_missing_column'
	| 'csv_unknown_column'
	| 'csv_wrong_separator'
	| 'csv_metadata_conflict'
	| 'file_too_large'
	// Set by the importer, not the parser:
	| 'interrupted'
	| 'version_frozen'
	| 'unsupported_format'
	| 'invalid_parquet'

export type ImportError = {
	line: number
	code: ImportErrorCode
	/** Values for the translated message, e.g. { max: 1048576 } or { firstLine: 3, id: "a-1" }. */
	params?: Record<string, string | number>
}

export type ImportLimits = {
	/** Bytes per line (JSONL) or per record (CSV), excluding the line break. */
	maxLineBytes: number
	/** Nesting depth of objects/arrays in one JSONL line (the line's own object is depth 1). */
	maxDepth: number
	/** Rows per file. */
	maxRows: number
	/** Bytes per file. */
	maxFileBytes: number
	/** Characters in one id. */
	maxIdLength: number
}

export const defaultImportLimits: ImportLimits = {
	maxLineBytes: 1024 * 1024,
	maxDepth: 32,
	maxRows: 2_000_000,
	maxFileBytes: 2 * 1024 * 1024 * 1024,
	maxIdLength: 256,
}

export type ParseEvent = { kind: 'sample'; sample: ParsedSample } | { kind: 'error'; error: ImportError } | { kind: 'progress'; bytes: number; line: number }

/** How many errors an import keeps and shows; the total is always counted. */
export const MAX_REPORTED_ERRORS = 100
