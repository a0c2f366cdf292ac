/**
 * Importing a version from the Hugging Face Hub (decision 048): the request's shape, how a split's
 * Parquet files are found in a repository's file list, how the chosen columns take the sample
 * file's field names, and the ways it can fail. Pure: the fetching is app/models/hub-import.server.ts.
 */
import { z } from 'zod'

/** What a version records of the Hub import that made its samples. */
export type HubSource = {
	kind: 'huggingface'
	endpoint: string
	repo: string
	/** What was asked for (branch, tag or sha)… */
	revision: string
	/** …and the commit it named then, whose files were read. */
	sha: string
	config: string
	split: string
	files: string[]
}

export const hubErrorCodes = [
	'repo_not_found',
	'revision_not_found',
	'auth_required',
	'access_denied',
	'no_parquet_files',
	'column_not_found',
	'invalid_parquet',
	'too_large',
	'network_error',
	'hub_error',
	'token_unreadable',
] as const
export type HubErrorCode = (typeof hubErrorCodes)[number]

/** A Hub import that could not start or could not read its files; nothing was imported. */
export class HubImportError extends Error {
	constructor(
		readonly code: HubErrorCode,
		message: string,
		readonly params: Record<string, string | number> = {},
	) {
		super(message)
	}
}

// The Hub's own rules for repository names: an optional namespace, then the name; no "..", no "/" at the ends.
const REPO_ID = /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/
const REVISION = /^[A-Za-z0-9._/-]{1,255}$/
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/
const COLUMN = /^[^\u0000-\u001f]{1,255}$/

const optionalColumn = z
	.string()
	.trim()
	.regex(COLUMN, 'validation.hubColumn')
	.optional()
	.or(z.literal('').transform(() => undefined))

/** The fields of a Hub import, as the page and the API take them (the API in snake case). */
export const HubImportSchema = z.object({
	repo: z
		.string({ error: 'validation.required' })
		.trim()
		.regex(REPO_ID, 'validation.hubRepo')
		.refine((v) => !v.includes('..'), 'validation.hubRepo'),
	revision: z
		.string()
		.trim()
		.regex(REVISION, 'validation.hubRevision')
		.refine((v) => !v.includes('..') && !v.startsWith('/') && !v.endsWith('/'), 'validation.hubRevision')
		.default('main'),
	config: z.string().trim().regex(NAME, 'validation.hubName').default('default'),
	split: z.string().trim().regex(NAME, 'validation.hubName').default('train'),
	idColumn: optionalColumn,
	contentColumn: optionalColumn,
	messagesColumn: optionalColumn,
	languageColumn: optionalColumn,
})
export type HubImportRequest = z.infer<typeof HubImportSchema>
export type HubColumnMapping = Pick<HubImportRequest, 'idColumn' | 'contentColumn' | 'messagesColumn' | 'languageColumn'>

/** A Hub access token: printable ASCII without spaces (the Hub's are `hf_` and 34 more). */
export const HubTokenSchema = z
	.string()
	.trim()
	.regex(/^[\x21-\x7e]{8,512}$/, 'validation.hubToken')

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The split's Parquet files among a commit's files, by the first layout that has any (in order):
 * the Parquet conversion (`refs/convert/parquet`): `{config}/{split}/*.parquet`, then
 * `{config}/partial-{split}/*.parquet`; `push_to_hub` with a named config:
 * `{config}/{split}-*.parquet` or `{config}/{split}.parquet`; the default config's
 * `data/{split}-*.parquet` or `data/{split}.parquet`, then the same at the root. Sorted by name,
 * so shards keep their order (`-00000-of-00003` first). Layouts are never mixed.
 */
export function splitFiles(files: readonly string[], config: string, split: string): { layout: string; files: string[] } | null {
	const c = escape(config)
	const s = escape(split)
	const layouts: Array<[string, RegExp, boolean]> = [
		[`${config}/${split}/*.parquet`, new RegExp(`^${c}/${s}/[^/]+\\.parquet$`), true],
		[`${config}/partial-${split}/*.parquet`, new RegExp(`^${c}/partial-${s}/[^/]+\\.parquet$`), true],
		[`${config}/${split}-*.parquet`, new RegExp(`^${c}/${s}(?:-[^/]*)?\\.parquet$`), true],
		[`data/${split}-*.parquet`, new RegExp(`^data/${s}(?:-[^/]*)?\\.parquet$`), config === 'default'],
		[`${split}-*.parquet`, new RegExp(`^${s}(?:-[^/]*)?\\.parquet$`), config === 'default'],
	]
	for (const [layout, pattern, applies] of layouts) {
		if (!applies) continue
		const found = files.filter((f) => pattern.test(f)).sort()
		if (found.length) return { layout, files: found }
	}
	return null
}

/** The configs and splits a file list seems to offer (for the "no Parquet files" message). */
export function offeredSplits(files: readonly string[]): string[] {
	const seen = new Set<string>()
	for (const f of files) {
		if (!f.endsWith('.parquet')) continue
		const parts = f.split('/')
		const name = parts.at(-1)!.replace(/\.parquet$/, '')
		if (parts.length === 3) seen.add(`${parts[0]}/${parts[1]!.replace(/^partial-/, '')}`)
		else if (parts.length === 2) seen.add(`${parts[0] === 'data' ? 'default' : parts[0]}/${name.split('-')[0]}`)
		else if (parts.length === 1) seen.add(`default/${name.split('-')[0]}`)
	}
	return [...seen].sort().slice(0, 20)
}

const TARGETS = [
	['idColumn', 'id'],
	['contentColumn', 'content'],
	['messagesColumn', 'messages'],
	['languageColumn', 'language'],
] as const

/** The mapped columns the file does not have (checked against each file's schema before reading). */
export function missingColumns(mapping: HubColumnMapping, columns: readonly string[]): string[] {
	const have = new Set(columns)
	return TARGETS.map(([key]) => mapping[key]).filter((c): c is string => !!c && !have.has(c))
}

/**
 * The row with each chosen column under its field's name (`prompt_id` → `id`). A column that already
 * had that field's name is kept, in metadata under its own name, rather than dropped.
 */
export function mapHubRow(row: Record<string, unknown>, mapping: HubColumnMapping): Record<string, unknown> {
	const moves = TARGETS.filter(([key, field]) => mapping[key] && mapping[key] !== field)
	if (!moves.length) return row
	const out: Record<string, unknown> = { ...row }
	const displaced: Record<string, unknown> = {}
	for (const [key, field] of moves) {
		const from = mapping[key]!
		if (field in row && !moves.some(([k]) => mapping[k] === field) && row[field] !== null && row[field] !== undefined) displaced[field] = row[field]
		out[field] = row[from]
		delete out[from]
	}
	if (Object.keys(displaced).length) {
		const given = out.metadata
		if (given === null || given === undefined) out.metadata = displaced
		else if (typeof given === 'object' && !Array.isArray(given)) out.metadata = { ...displaced, ...(given as Record<string, unknown>) }
	}
	return out
}

/**
 * `PUT …/samples` with a Parquet body: the same four columns, named in the query string
 * (`?id_column=prompt_id`), taken instead of the dataset's remembered mapping for that request.
 */
export const ApiParquetColumnsSchema = z
	.strictObject({
		id_column: HubImportSchema.shape.idColumn,
		content_column: HubImportSchema.shape.contentColumn,
		messages_column: HubImportSchema.shape.messagesColumn,
		language_column: HubImportSchema.shape.languageColumn,
	})
	.transform(({ id_column, content_column, messages_column, language_column }): HubColumnMapping => ({
		idColumn: id_column,
		contentColumn: content_column,
		messagesColumn: messages_column,
		languageColumn: language_column,
	}))

/** `POST …/versions/{version}/hub-import`: the same fields in snake case, and a token for this request only. */
export const ApiHubImportSchema = z
	.strictObject({
		repo: HubImportSchema.shape.repo,
		revision: HubImportSchema.shape.revision,
		config: HubImportSchema.shape.config,
		split: HubImportSchema.shape.split,
		id_column: HubImportSchema.shape.idColumn,
		content_column: HubImportSchema.shape.contentColumn,
		messages_column: HubImportSchema.shape.messagesColumn,
		language_column: HubImportSchema.shape.languageColumn,
		token: HubTokenSchema.optional(),
	})
	.transform(({ id_column, content_column, messages_column, language_column, token, ...rest }) => ({
		request: { ...rest, idColumn: id_column, contentColumn: content_column, messagesColumn: messages_column, languageColumn: language_column } satisfies HubImportRequest,
		token: token ?? null,
	}))

/** The API's error code for a Hub import's failure, and its status: 502 when the Hub itself failed, 422 for what the caller can fix. */
export function hubApiError(code: HubErrorCode): { code: `hub_${string}`; status: number } {
	if (code === 'network_error') return { code: 'hub_unreachable', status: 502 }
	if (code === 'hub_error') return { code: 'hub_error', status: 502 }
	return { code: `hub_${code}`, status: 422 }
}
