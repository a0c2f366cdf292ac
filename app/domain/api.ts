/**
 * The pipeline API's pure rules (DESIGN.md "Pipeline API"): token format, request schemas and the
 * issue-list cursor (the gate verdict is app/domain/gate.ts). No database, no Remix: the routes in
 * app/routes/api+ and the OpenAPI document (app/domain/openapi.ts) both read from here.
 */
import { z } from 'zod'
import { NewVersionSchema, ProvenanceSchema } from './version.ts'

/** `rt_` + 32 random bytes in base64url (43 characters): 256 bits, stored only as SHA-256. */
export const TOKEN_PREFIX = 'rt_'
export const TOKEN_BYTES = 32
/** How much of a token lists show to tell tokens apart ("rt_3fa9Xk2L…"): 48 of its 256 bits. */
export const TOKEN_DISPLAY_LENGTH = TOKEN_PREFIX.length + 8
const TOKEN_SHAPE = /^rt_[A-Za-z0-9_-]{43}$/

/**
 * The token of an `Authorization: Bearer rt_…` header, or null when the header is absent,
 * another scheme, empty or not shaped like one of our tokens (never looked up then).
 */
export function bearerToken(header: string | null): string | null {
	if (!header) return null
	const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
	const token = match?.[1]
	return token && TOKEN_SHAPE.test(token) ? token : null
}

/** A request carried an Authorization header at all (to tell "no credential" from "a bad one"). */
export function hasAuthorization(header: string | null): boolean {
	return !!header?.trim()
}

/** The `PUT …/samples` body types: JSONL, as `application/x-ndjson` (or the common aliases). */
export function isNdjson(contentType: string | null): boolean {
	const type = contentType?.split(';')[0]?.trim().toLowerCase()
	return type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl'
}

/** A CSV upload (`text/csv`): the sample file's CSV form, header row first. */
export function isCsv(contentType: string | null): boolean {
	return contentType?.split(';')[0]?.trim().toLowerCase() === 'text/csv'
}

/** A Parquet upload (`application/vnd.apache.parquet`, or the older `application/x-parquet`). */
export function isParquet(contentType: string | null): boolean {
	const type = contentType?.split(';')[0]?.trim().toLowerCase()
	return type === 'application/vnd.apache.parquet' || type === 'application/x-parquet'
}

/** `Idempotency-Key`: 1–255 visible ASCII characters (a UUID is typical). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/
/** How long a finished upload's response is kept for replays. */
export const IDEMPOTENCY_TTL_HOURS = 24

/**
 * `POST /api/v1/datasets/{dataset}/versions`: the web form's fields in snake case, validated by
 * the same rules (app/domain/version.ts). Unknown fields are refused, not dropped, so a typo in
 * a pipeline ("modle_name") is caught instead of losing provenance.
 */
export const ApiNewVersionSchema = z.strictObject({
	label: NewVersionSchema.shape.label,
	parent: z.string().trim().min(1, { error: 'validation.required' }).nullable().optional(),
	model_name: ProvenanceSchema.shape.modelName,
	model_version: ProvenanceSchema.shape.modelVersion,
	model_provider: ProvenanceSchema.shape.modelProvider,
	generation_method: ProvenanceSchema.shape.generationMethod,
	prompt_templates: ProvenanceSchema.shape.promptTemplates,
	persona_definitions: ProvenanceSchema.shape.personaDefinitions,
	seed_data_description: ProvenanceSchema.shape.seedDataDescription,
	known_limitations: ProvenanceSchema.shape.knownLimitations,
	changelog: ProvenanceSchema.shape.changelog,
	template_key: ProvenanceSchema.shape.templateKey,
	persona_key: ProvenanceSchema.shape.personaKey,
})
export type ApiNewVersion = z.infer<typeof ApiNewVersionSchema>

export function provenanceFromApi(v: ApiNewVersion) {
	return {
		modelName: v.model_name,
		modelVersion: v.model_version,
		modelProvider: v.model_provider,
		generationMethod: v.generation_method,
		promptTemplates: v.prompt_templates,
		personaDefinitions: v.persona_definitions,
		seedDataDescription: v.seed_data_description,
		knownLimitations: v.known_limitations,
		changelog: v.changelog,
		templateKey: v.template_key,
		personaKey: v.persona_key,
	}
}

export const ISSUE_PAGE_MAX = 200
export const ISSUE_PAGE_DEFAULT = 50

const cursorOf = (n: number) => Buffer.from(`n:${n}`).toString('base64url')
/** The opaque cursor after issue number `n` (issues are listed by number, ascending). */
export function encodeIssueCursor(n: number): string {
	return cursorOf(n)
}
export function decodeIssueCursor(cursor: string): number | null {
	const match = /^n:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
	if (!match) return null
	const n = Number(match[1])
	return cursorOf(n) === cursor ? n : null
}

/** `GET …/issues` query: `status` (default all), `blocking`, `limit`, `cursor`. */
export const ApiIssueQuerySchema = z.strictObject({
	status: z.enum(['open', 'acknowledged', 'resolved', 'unresolved', 'all'], { error: 'validation.invalidChoice' }).default('all'),
	blocking: z.enum(['true', 'false'], { error: 'validation.invalidChoice' }).optional(),
	limit: z.coerce
		.number({ error: 'validation.number' })
		.int({ error: 'validation.number' })
		.min(1, { error: 'validation.number' })
		.max(ISSUE_PAGE_MAX, { error: 'validation.number' })
		.default(ISSUE_PAGE_DEFAULT),
	cursor: z
		.string()
		.refine((c) => decodeIssueCursor(c) !== null, { error: 'validation.invalidChoice' })
		.optional(),
})
export type ApiIssueQuery = z.infer<typeof ApiIssueQuerySchema>

export const SEVERITY_NAMES = [null, 'minor', 'major', 'critical'] as const
/** `issues.max_severity` (0–3) as the API names it. */
export function severityName(value: number) {
	return SEVERITY_NAMES[value] ?? null
}

/** Every `error.code` the API answers with (the OpenAPI document lists them as an enum). */
export const apiErrorCodes = [
	'bad_request',
	'unauthenticated',
	'invalid_token',
	'forbidden',
	'not_found',
	'method_not_allowed',
	'conflict',
	'payload_too_large',
	'unsupported_media_type',
	'invalid_json',
	'invalid_query',
	'validation_failed',
	'version_exists',
	'version_frozen',
	'invalid_samples',
	'invalid_parquet',
	'column_not_found',
	'invalid_idempotency_key',
	'idempotency_key_reused',
	'idempotency_key_in_progress',
	'hub_repo_not_found',
	'hub_revision_not_found',
	'hub_auth_required',
	'hub_access_denied',
	'hub_no_parquet_files',
	'hub_column_not_found',
	'hub_invalid_parquet',
	'hub_too_large',
	'hub_token_unreadable',
	'hub_unreachable',
	'hub_error',
	'rate_limited',
	'internal_error',
	'service_unavailable',
	'error',
] as const
export type ApiErrorCode = (typeof apiErrorCodes)[number]
