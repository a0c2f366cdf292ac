/**
 * The pipeline API's OpenAPI 3.1 document, served at /api/v1/openapi.json. Enumerations and the
 * version body come from the same constants and zod schema the routes use, so the document
 * cannot drift from validation; tests/unit/openapi.test.ts checks every API route is in it, and
 * tests/integration/api.test.ts validates every response the tests see against it.
 */
import { z } from 'zod'
import { blockingReasons, flagCategories, generationMethods, issueKinds, issueStatuses, resolutions, templateTargets, versionStatuses } from '#app/domain/enums.ts'
import { annotationFormats } from './annotations.ts'
import { DEFAULT_MIN_SIMILARITY } from './similar/minhash.ts'
import { MAX_SIMILAR_LIMIT } from './similar/status.ts'
import { apiErrorCodes, ApiNewVersionSchema, ISSUE_PAGE_DEFAULT, ISSUE_PAGE_MAX } from './api.ts'
import { ApiHubImportSchema } from './hub.ts'

type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null'

/** The subset of JSON Schema 2020-12 (OpenAPI 3.1's Schema Object) this document uses. */
export type SchemaObject = {
	$ref?: string
	type?: JsonType | JsonType[]
	description?: string
	properties?: Record<string, SchemaObject>
	required?: readonly string[]
	additionalProperties?: boolean | SchemaObject
	items?: SchemaObject
	enum?: ReadonlyArray<string | number | boolean | null>
	const?: string | number | boolean | null
	anyOf?: SchemaObject[]
	format?: string
	pattern?: string
	minLength?: number
	maxLength?: number
	minimum?: number
	maximum?: number
	default?: unknown
	examples?: unknown[]
}
type Ref = { $ref: string }
type Header = { description: string; schema: SchemaObject }
type MediaType = { schema: SchemaObject; example?: unknown }
export type ResponseObject = { description: string; headers?: Record<string, Header>; content?: Record<string, MediaType> }
type Parameter = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; description: string; schema: SchemaObject }
export type Operation = {
	operationId: string
	summary: string
	description?: string
	tags: string[]
	parameters?: Array<Parameter | Ref>
	requestBody?: { required: boolean; content: Record<string, MediaType> }
	responses: Record<string, ResponseObject | Ref>
	security?: Array<Record<string, string[]>>
}
export type HttpMethod = 'get' | 'post' | 'put'
export type PathItem = Partial<Record<HttpMethod, Operation>>
export type OpenApiDocument = {
	openapi: '3.1.0'
	info: { title: string; version: string; description: string }
	servers?: Array<{ url: string }>
	security: Array<Record<string, string[]>>
	tags: Array<{ name: string; description: string }>
	paths: Record<string, PathItem>
	components: {
		securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; bearerFormat: string; description: string }>
		parameters: Record<string, Parameter>
		responses: Record<string, ResponseObject>
		schemas: Record<string, SchemaObject>
	}
}

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` })
const response = (name: string): Ref => ({ $ref: `#/components/responses/${name}` })
const param = (name: string): Ref => ({ $ref: `#/components/parameters/${name}` })
const json = (schema: SchemaObject, description: string, headers?: Record<string, Header>): ResponseObject => ({
	description,
	...(headers ? { headers } : {}),
	content: { 'application/json': { schema } },
})
const errorWith = (description: string) => json(ref('Error'), description)
const dateTime: SchemaObject = { type: 'string', format: 'date-time' }
const nullable = (schema: SchemaObject): SchemaObject => ({ anyOf: [schema, { type: 'null' }] })

/** The zod schema of the version body as JSON Schema (request side: defaults make fields optional). */
function newVersionSchema(): SchemaObject {
	const { $schema: _, ...schema } = z.toJSONSchema(ApiNewVersionSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>
	return { ...(schema as SchemaObject), description: 'A new draft version and its provenance. Unknown fields are refused (422).' }
}

const version: SchemaObject = {
	type: 'object',
	additionalProperties: false,
	required: [
		'label',
		'status',
		'parent',
		'sample_count',
		'model_name',
		'model_version',
		'model_provider',
		'generation_method',
		'prompt_templates',
		'persona_definitions',
		'seed_data_description',
		'known_limitations',
		'changelog',
		'template_key',
		'persona_key',
		'source',
		'created_at',
	],
	properties: {
		label: { type: 'string' },
		status: { type: 'string', enum: versionStatuses },
		parent: nullable({ type: 'string', description: 'Label of the parent version.' }),
		sample_count: { type: 'integer', minimum: 0 },
		model_name: { type: 'string' },
		model_version: { type: 'string' },
		model_provider: { type: 'string' },
		generation_method: { type: 'string', enum: generationMethods },
		prompt_templates: { type: 'string' },
		persona_definitions: { type: 'string' },
		seed_data_description: { type: 'string' },
		known_limitations: { type: 'string' },
		changelog: { type: 'string' },
		template_key: {
			type: 'string',
			description: "Metadata key (dotted for a nested key) naming each sample's template; samples of the same template × persona are similar (…/similar). Empty when not marked.",
		},
		persona_key: { type: 'string', description: "Metadata key naming each sample's persona; empty when not marked." },
		source: nullable({ ...ref('HubSource'), description: 'Where the current samples came from, when they were imported from the Hugging Face Hub; null for an uploaded file.' }),
		created_at: dateTime,
	},
}

const hubSource: SchemaObject = {
	type: 'object',
	additionalProperties: false,
	description: 'A Hugging Face Hub import’s provenance: the commit the revision named when the files were read.',
	required: ['endpoint', 'repo', 'revision', 'sha', 'config', 'split', 'files'],
	properties: {
		endpoint: { type: 'string', description: 'The Hub (HF_ENDPOINT), e.g. https://huggingface.co.' },
		repo: { type: 'string', examples: ['HuggingFaceH4/no_robots'] },
		revision: { type: 'string', description: 'What was asked for: a branch, tag or sha.' },
		sha: { type: 'string', pattern: '^[0-9a-f]{40}$', description: 'The commit that was read.' },
		config: { type: 'string' },
		split: { type: 'string' },
		files: { type: 'array', items: { type: 'string' }, description: 'The split’s Parquet files at that commit, in the order read.' },
	},
}

function hubImportSchema(): SchemaObject {
	const { $schema: _, ...schema } = z.toJSONSchema(ApiHubImportSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>
	return {
		...(schema as SchemaObject),
		description:
			'What to import: repo (required), revision (branch, tag or sha; default main), config (default "default"), split (default train); *_column name the columns that hold the id, the text, the chat and the language (blank: the columns named so); token, for this request only (else the dataset’s saved token, if any). Unknown fields are refused (422).',
	}
}

const issue: SchemaObject = {
	type: 'object',
	description: 'An issue as pipelines see it: state and counters only — never internal notes, assignees or who gave the feedback.',
	additionalProperties: false,
	required: [
		'number',
		'kind',
		'external_id',
		'template_target',
		'status',
		'resolution',
		'blocking',
		'blocking_reasons',
		'flag_count',
		'flagger_count',
		'categories',
		'max_severity',
		'needs_re_review',
		'public_response',
		'created_at',
		'updated_at',
	],
	properties: {
		number: { type: 'integer', minimum: 1, description: 'The issue number within the version (#12).' },
		kind: { type: 'string', enum: issueKinds, description: 'sample: flags on one sample; template: feedback on prompt templates or persona definitions; use_case: an opposed use-case comment.' },
		external_id: nullable({ type: 'string', description: 'The sample id (`id` in the JSONL) for sample issues.' }),
		template_target: nullable({ type: 'string', enum: templateTargets }),
		status: { type: 'string', enum: issueStatuses },
		resolution: {
			...nullable({ type: 'string', enum: resolutions }),
			description: 'Set once resolved. removed and regenerated fit sample and template issues; use_case_revised and use_case_narrowed fit use-case issues; documented and not_an_issue fit every kind.',
		},
		blocking: { type: 'boolean' },
		blocking_reasons: { type: 'array', items: { type: 'string', enum: blockingReasons } },
		flag_count: { type: 'integer', minimum: 0 },
		flagger_count: { type: 'integer', minimum: 0, description: 'Distinct people who gave feedback (a count, never who).' },
		categories: { type: 'array', items: { type: 'string', enum: flagCategories } },
		max_severity: nullable({ type: 'string', enum: ['minor', 'major', 'critical'] }),
		needs_re_review: { type: 'boolean', description: 'Carried over from the parent version with changed content: its flaggers were asked to look again.' },
		public_response: { type: 'string', description: 'The team’s response, as shown to the people who gave the feedback.' },
		created_at: dateTime,
		updated_at: dateTime,
	},
}

const unauthorizedHeaders = { 'WWW-Authenticate': { description: 'Bearer realm="roundtable" (with error="invalid_token" for a bad token).', schema: { type: 'string' } satisfies SchemaObject } }

const standard = {
	'401': response('Unauthorized'),
	'404': response('NotFound'),
	'405': response('MethodNotAllowed'),
	'429': response('RateLimited'),
	'503': response('Unavailable'),
}

export const openApiDocument: OpenApiDocument = {
	openapi: '3.1.0',
	info: {
		title: 'Roundtable pipeline API',
		version: '1.0.0',
		description: [
			'Create dataset versions, upload their samples and ask the gate whether a version may be used.',
			'Authenticate with an API token (Account → API tokens): `Authorization: Bearer rt_…`. Session cookies are never accepted.',
			'A token acts only on the datasets chosen when it was made, and only while its creator is on their team; any other dataset answers 404.',
			'Errors are JSON `{ "error": { "code", "message", "details"? } }`. Each token may make API_RATE_LIMIT_PER_MINUTE requests a minute (default 600); beyond that, 429 with Retry-After.',
		].join('\n\n'),
	},
	security: [{ bearerAuth: [] }],
	tags: [
		{ name: 'versions', description: 'Versions, their samples and their gate.' },
		{ name: 'exports', description: 'What the consultation produced, for training pipelines and dataset cards.' },
		{ name: 'meta', description: 'This document.' },
	],
	paths: {
		'/api/v1/datasets/{dataset}/versions': {
			post: {
				operationId: 'createVersion',
				summary: 'Create a draft version with its provenance',
				tags: ['versions'],
				parameters: [param('dataset')],
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: ref('NewVersion'),
							example: {
								label: 'v2',
								parent: 'v1',
								model_name: 'Llama 3.1 70B Instruct',
								model_provider: 'Meta',
								generation_method: 'persona_simulation',
								changelog: 'Rewrote the persona list after the v1 consultation.',
							},
						},
					},
				},
				responses: {
					'201': json(ref('Version'), 'The version was created (status draft).'),
					'400': errorWith('invalid_json: the body is not JSON.'),
					...standard,
					'409': errorWith('version_exists: the dataset already has a version with this label.'),
					'413': errorWith('payload_too_large: the body is over 1 MiB.'),
					'415': errorWith('unsupported_media_type: send application/json.'),
					'422': errorWith('validation_failed: details.fields maps each field to its problems (including an unknown parent).'),
				},
			},
		},
		'/api/v1/datasets/{dataset}/versions/{version}/samples': {
			put: {
				operationId: 'uploadSamples',
				summary: 'Upload the version’s samples (JSONL or CSV), all or nothing',
				description:
					'The body streams through the importer: one JSON object per line (`id`, `content` or `messages`, optional `language`, `metadata`, `image_url`, `image_alt`). It is imported whole or not at all, and replaces the draft’s samples. With Idempotency-Key, a retry of the same request returns the stored response (header Idempotent-Replayed: true); the same key with a different payload is 422 idempotency_key_reused; while the first request still runs, 409 idempotency_key_in_progress. Keys are kept for 24 hours per token.',
				tags: ['versions'],
				parameters: [
					param('dataset'),
					param('version'),
					param('IdempotencyKey'),
					...(['id', 'content', 'messages', 'language'] as const).map((part) => ({
						name: `${part}_column`,
						in: 'query' as const,
						required: false,
						description: `Parquet only: the column to read the sample’s ${part} from, for this request (instead of the dataset’s remembered mapping); a column already named \`${part}\` then goes to metadata. 422 column_not_found when the file has no such column.`,
						schema: { type: 'string' as const, minLength: 1, maxLength: 255 },
					})),
				],
				requestBody: {
					required: true,
					content: {
						'application/x-ndjson': {
							schema: { type: 'string', description: 'JSONL, UTF-8.' },
							example: '{"id": "persona-0001", "content": "…", "language": "en", "metadata": {"prompt_id": "t3"}}\n',
						},
						'text/csv': { schema: { type: 'string', description: 'CSV, UTF-8: a header row with id, content, optional language, and metadata.<key> columns (dotted keys nest).' } },
						'application/vnd.apache.parquet': {
							schema: {
								type: 'string',
								description:
									'Parquet: columns id, content or messages (a list of {role, content} structs), optional language, image_url, image_alt, metadata (a struct or JSON text); every other column becomes metadata (nested structs stay nested). Columns named in the query (id_column, content_column, messages_column, language_column) are taken for this request; otherwise, once the dataset has a column mapping, remembered from its last Parquet import through the web upload, that mapping is applied: each part from its mapped column, left-out columns dropped, every other column metadata. Row n is reported as line n.',
							},
						},
					},
				},
				responses: {
					'200': json(ref('ImportResult'), 'Every line was valid; the samples are the version’s now.', {
						'Idempotent-Replayed': { description: '"true" when this is the stored response of an earlier request with the same Idempotency-Key.', schema: { type: 'string' } },
					}),
					'400': errorWith('invalid_idempotency_key: the key is not 1–255 visible ASCII characters; invalid_query: a *_column parameter is malformed, or given with a body that is not Parquet.'),
					...standard,
					'409': json(ref('Error'), 'version_frozen: the version is no longer a draft; idempotency_key_in_progress: a request with this key is still running (Retry-After).', {
						'Retry-After': { description: 'Seconds to wait (idempotency_key_in_progress).', schema: { type: 'string' } },
					}),
					'415': errorWith('unsupported_media_type: send application/x-ndjson, text/csv or application/vnd.apache.parquet.'),
					'422': json(
						{ anyOf: [ref('SamplesRejected'), ref('Error')] },
						'invalid_samples: nothing was imported, details.errors lists the rejected lines; invalid_parquet: the file is not readable Parquet (malformed or truncated); column_not_found: a column named in the query is not in the file (details.columns); idempotency_key_reused: the key was used for a different request.',
					),
				},
			},
		},
		'/api/v1/datasets/{dataset}/versions/{version}/hub-import': {
			post: {
				operationId: 'importFromHub',
				summary: 'Import the version’s samples from a Hugging Face Hub dataset, all or nothing',
				description:
					'Resolves the revision to its commit sha (GET {HF_ENDPOINT}/api/datasets/{repo}/revision/{revision}), finds the split’s Parquet files in that commit (refs/convert/parquet’s {config}/{split}/*.parquet; {config}/{split}-*.parquet; for the default config data/{split}-*.parquet or {split}-*.parquet), reads them at that sha ({HF_ENDPOINT}/datasets/{repo}/resolve/{sha}/{path}) one after the other into one import, and records the sha, repo, config, split, endpoint and files in the version’s provenance (Version.source). Parquet columns are read as in uploadSamples; row n of the split (files in order) is reported as line n. Runs while the request is open. With Idempotency-Key, a retry of the same request (repo, revision, config, split and columns; the token is not compared) returns the stored response (header Idempotent-Replayed: true), so a retry after the revision moved still answers the first commit; the same key with a different request is 422 idempotency_key_reused; while the first request still runs, 409 idempotency_key_in_progress. Keys are kept for 24 hours per token.',
				tags: ['versions'],
				parameters: [param('dataset'), param('version'), param('IdempotencyKey')],
				requestBody: {
					required: true,
					content: {
						'application/json': {
							schema: ref('HubImport'),
							example: { repo: 'HuggingFaceH4/no_robots', revision: 'main', config: 'default', split: 'test', id_column: 'prompt_id' },
						},
					},
				},
				responses: {
					'200': json(ref('HubImportResult'), 'Every row was valid; the samples are the version’s now, and source says which commit they came from.', {
						'Idempotent-Replayed': { description: '"true" when this is the stored response of an earlier request with the same Idempotency-Key.', schema: { type: 'string' } },
					}),
					'400': errorWith('invalid_idempotency_key: the key is not 1–255 visible ASCII characters.'),
					...standard,
					'409': json(ref('Error'), 'version_frozen: the version is no longer a draft; idempotency_key_in_progress: a request with this key is still running (Retry-After).', {
						'Retry-After': { description: 'Seconds to wait (idempotency_key_in_progress).', schema: { type: 'string' } },
					}),
					'422': json(
						{ anyOf: [ref('SamplesRejected'), ref('Error')] },
						'Nothing was imported. invalid_samples: details.errors lists the rejected rows; validation_failed: details.fields; hub_repo_not_found; hub_revision_not_found; hub_auth_required (401/403 without a token: private, gated or unknown); hub_access_denied (the token was refused or has no access); hub_no_parquet_files (details.offered lists the config/split pairs found); hub_column_not_found; hub_invalid_parquet; hub_too_large (over IMPORT_MAX_FILE_MB in all); hub_token_unreadable (SECRETS_KEY changed since the token was saved); idempotency_key_reused: the key was used for a different request.',
					),
					'502': errorWith('hub_unreachable: the Hub could not be reached or a download broke off; hub_error: the Hub answered with an unexpected status. Nothing was imported; retry later.'),
				},
			},
		},
		'/api/v1/datasets/{dataset}/versions/{version}/gate': {
			get: {
				operationId: 'getGate',
				summary: 'May a pipeline use this version?',
				description:
					'`blocked` is false only when the version is `approved` or `released` AND no blocking issue is unresolved (open or acknowledged). An owner’s approval despite blocking issues does not open the gate: its blockers count until they are resolved. `open_issues` counts every unresolved issue, blocking or not.',
				tags: ['versions'],
				parameters: [param('dataset'), param('version')],
				responses: { '200': json(ref('Gate'), 'The gate.'), ...standard },
			},
		},
		'/api/v1/datasets/{dataset}/versions/{version}/issues': {
			get: {
				operationId: 'listIssues',
				summary: 'The version’s issues, by number, a page at a time',
				tags: ['versions'],
				parameters: [
					param('dataset'),
					param('version'),
					{
						name: 'status',
						in: 'query',
						description: 'unresolved = open or acknowledged.',
						schema: { type: 'string', enum: ['open', 'acknowledged', 'resolved', 'unresolved', 'all'], default: 'all' },
					},
					{ name: 'blocking', in: 'query', description: 'Only blocking (true) or non-blocking (false) issues.', schema: { type: 'string', enum: ['true', 'false'] } },
					{ name: 'limit', in: 'query', description: 'Issues per page.', schema: { type: 'integer', minimum: 1, maximum: ISSUE_PAGE_MAX, default: ISSUE_PAGE_DEFAULT } },
					{ name: 'cursor', in: 'query', description: 'next_cursor of the previous page.', schema: { type: 'string' } },
				],
				responses: {
					'200': json(ref('IssuePage'), 'A page of issues; next_cursor is null on the last page.'),
					'400': errorWith('invalid_query: details.fields names the bad parameters.'),
					...standard,
				},
			},
		},
		'/api/v1/datasets/{dataset}/versions/{version}/signals': {
			get: {
				operationId: 'getSignals',
				summary: 'Which words mark each value of a metadata attribute (caricature signals)',
				description:
					'Computed by a background job after each import ("Marked Personas", Cheng, Durmus & Jurafsky 2023: weighted log-odds with an informative Dirichlet prior, terms kept when they pass a Benjamini–Hochberg false-discovery control). Per value of the attribute: its samples, its distinct-2 (distinct word pairs / all word pairs) and the terms that mark it, z descending. Keys with more than 50 distinct values are not compared. 409 while the signals are queued or computing (details.status, samples_done, samples_total; Retry-After) or when the computation failed (details.status = failed, details.error); 404 when the version has no samples or the attribute was not compared (details.attributes lists those that were).',
				tags: ['versions'],
				parameters: [
					param('dataset'),
					param('version'),
					{ name: 'attribute', in: 'query', required: true, description: 'A metadata key, nested keys dotted (persona.group).', schema: { type: 'string' } },
				],
				responses: {
					'200': json(ref('Signals'), 'The attribute’s values with their marking terms.'),
					'400': errorWith('invalid_query: attribute is missing.'),
					'409': json(ref('Error'), 'conflict: the signals are queued, computing, or failed; details.status says which.', {
						'Retry-After': { description: 'Seconds to wait before asking again (while queued or computing).', schema: { type: 'string' } },
					}),
					...standard,
				},
			},
		},
		'/api/v1/datasets/{dataset}/versions/{version}/samples/{externalId}/similar': {
			get: {
				operationId: 'getSimilarSamples',
				summary: 'The samples like one sample: near-duplicate texts and the same template × persona',
				description:
					'Near-duplicates by text: the Jaccard index of the two texts’ sets of word pairs (words cut as search cuts them, so every script works; scripts without spaces in character pairs), found through MinHash signatures and locality-sensitive hashing bands (32 × 4: a pair at 0.6 is found with probability 0.99; below 0.4 the bands miss more pairs), then computed exactly from the texts, so `similarity` is exact. The index is built by a background job after each import; until it is ready `index.status` is queued or running and only template × persona matches are listed. When the version’s provenance marks `template_key` and `persona_key`, every sample with the same values of both (or of the one marked) is listed whatever its text, with its text similarity. `shared` says what a sample shares with this one: text (similarity ≥ min), template, persona. Most similar first. `capped` is true when more than 5,000 text candidates or 2,000 template × persona matches existed and only those were compared.',
				tags: ['versions'],
				parameters: [
					param('dataset'),
					param('version'),
					{ name: 'externalId', in: 'path', required: true, description: 'The sample’s id in the imported file.', schema: { type: 'string' } },
					{
						name: 'min',
						in: 'query',
						description: 'The least text similarity (Jaccard) listed as shared text.',
						schema: { type: 'number', minimum: 0.1, maximum: 1, default: DEFAULT_MIN_SIMILARITY },
					},
					{ name: 'limit', in: 'query', description: 'Samples returned (total counts them all).', schema: { type: 'integer', minimum: 1, maximum: MAX_SIMILAR_LIMIT, default: 50 } },
				],
				responses: {
					'200': json(ref('SimilarSamples'), 'The similar samples, most similar first.'),
					'400': errorWith('invalid_query: details.fields names the bad parameters (min, limit).'),
					...standard,
				},
			},
		},
		'/api/v1/datasets/{dataset}/versions/{version}/annotations': {
			get: {
				operationId: 'exportAnnotations',
				summary: 'Every verdict on the version, one row each (JSONL, CSV or Parquet)',
				description:
					'One row per flag of a flagged review, per "no concerns" or "skipped" review, and per piece of template feedback, with the sample (id, content or messages, language, metadata), the round and its stage, the participant’s role and per-round pseudonym (null where fewer than 3 people of that role gave feedback in the round), the flag (category, severity, affected groups, rationale, quote, rewrite, unsure), the skip reason, and the issue it fed with its status, resolution and blocking. No majority vote: disagreeing verdicts are separate rows. Feedback deleted on withdrawal is absent; no email, name or user id appears. Streamed. Columns: docs/pipeline.md.',
				tags: ['exports'],
				parameters: [
					param('dataset'),
					param('version'),
					{
						name: 'format',
						in: 'query',
						description: 'jsonl (one JSON object a line), csv (formula-safe, UTF-8 with a BOM) or parquet (snappy, nested lists).',
						schema: { type: 'string', enum: annotationFormats, default: 'jsonl' },
					},
				],
				responses: {
					'200': {
						description: 'The annotations, as an attachment.',
						content: {
							'application/x-ndjson': { schema: { type: 'string', description: 'One annotation object per line.' } },
							'text/csv': { schema: { type: 'string', description: 'A header row, then one row per annotation.' } },
							'application/vnd.apache.parquet': { schema: { type: 'string', description: 'A Parquet file.' } },
						},
					},
					'400': errorWith('invalid_query: format is not jsonl, csv or parquet.'),
					...standard,
				},
			},
		},
		'/api/v1/datasets/{dataset}/versions/{version}/croissant.json': {
			get: {
				operationId: 'getCroissant',
				summary: 'The version as Croissant 1.1 JSON-LD with the responsible-AI (RAI 1.0) fields',
				description:
					'Dataset-level metadata (name, description, url, creator, dates, languages), the annotations file as distribution and record set, the RAI fields written from the consultation (annotation protocol, platform, agreement and disagreement by group, annotations per item, annotator counts, the generator, biases found, limitations including open issues and groups nobody reviewed, use cases, privacy flags) and PROV-O provenance (parent version, seed data, generation). Field by field: docs/pipeline.md.',
				tags: ['exports'],
				parameters: [param('dataset'), param('version')],
				responses: {
					'200': {
						description: 'Croissant JSON-LD.',
						content: { 'application/ld+json': { schema: { type: 'object', description: 'A Croissant 1.1 dataset (conformsTo lists the core and the RAI specifications).' } } },
					},
					...standard,
				},
			},
		},
		'/api/v1/datasets/{dataset}/versions/{version}/report': {
			get: {
				operationId: 'exportReport',
				summary: 'The consultation report (JSON, CSV of issues, or the Markdown section for a dataset card)',
				description:
					'The same files as the report page’s downloads: json (format roundtable.consultation-report/1, every issue, and `signals`: the caricature signals of the attribute marked most strongly, as in the section "What the text says about each group"), csv (one formula-safe row per issue), md (the "Community consultation" section, in English). Participants only as counts by role.',
				tags: ['exports'],
				parameters: [param('dataset'), param('version'), { name: 'format', in: 'query', description: 'json, csv or md.', schema: { type: 'string', enum: ['json', 'csv', 'md'], default: 'json' } }],
				responses: {
					'200': {
						description: 'The report, as an attachment.',
						content: {
							'application/json': { schema: { type: 'object', required: ['format', 'dataset', 'version', 'summary', 'issues'] } },
							'text/csv': { schema: { type: 'string' } },
							'text/markdown': { schema: { type: 'string' } },
						},
					},
					'400': errorWith('invalid_query: format is not json, csv or md.'),
					...standard,
				},
			},
		},
		'/api/v1/openapi.json': {
			get: {
				operationId: 'getOpenApi',
				summary: 'This document',
				tags: ['meta'],
				security: [],
				responses: {
					'200': json(
						{ type: 'object', required: ['openapi', 'info', 'paths'], properties: { openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } } },
						'The OpenAPI 3.1 document.',
					),
					'405': response('MethodNotAllowed'),
				},
			},
		},
	},
	components: {
		securitySchemes: {
			bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'rt_ + 43 base64url characters', description: 'An API token from Account → API tokens.' },
		},
		parameters: {
			dataset: { name: 'dataset', in: 'path', required: true, description: 'The dataset’s short name (slug), as in its web address.', schema: { type: 'string' } },
			version: { name: 'version', in: 'path', required: true, description: 'The version label, e.g. v2.', schema: { type: 'string' } },
			IdempotencyKey: {
				name: 'Idempotency-Key',
				in: 'header',
				required: false,
				description: 'Makes a retried upload safe: 1–255 visible ASCII characters, unique per upload (a UUID).',
				schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,255}$' },
			},
		},
		responses: {
			Unauthorized: json(ref('Error'), 'unauthenticated: no token (a session cookie does not count); invalid_token: malformed, unknown or revoked.', unauthorizedHeaders),
			NotFound: errorWith('not_found: no such dataset or version for this token (a dataset the token is not scoped to is also 404).'),
			MethodNotAllowed: json(ref('Error'), 'method_not_allowed: see the Allow header.', { Allow: { description: 'The methods this path supports.', schema: { type: 'string' } } }),
			RateLimited: json(ref('Error'), 'rate_limited: this token made too many requests this minute.', {
				'Retry-After': { description: 'Seconds until the limit resets.', schema: { type: 'string' } },
			}),
			Unavailable: json(ref('Error'), 'service_unavailable: the database cannot be reached right now; nothing was changed. Retry later.', {
				'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'string' } },
			}),
		},
		schemas: {
			Error: {
				type: 'object',
				additionalProperties: false,
				required: ['error'],
				properties: {
					error: {
						type: 'object',
						additionalProperties: false,
						required: ['code', 'message'],
						properties: {
							code: { type: 'string', enum: apiErrorCodes },
							message: { type: 'string', description: 'For people, in English.' },
							details: { type: 'object', description: 'Machine-readable specifics, e.g. `fields` (field → messages) or `retry_after_seconds`.' },
						},
					},
				},
			},
			SamplesRejected: {
				type: 'object',
				additionalProperties: false,
				required: ['error'],
				properties: {
					error: {
						type: 'object',
						additionalProperties: false,
						required: ['code', 'message', 'details'],
						properties: {
							code: { const: 'invalid_samples' },
							message: { type: 'string' },
							details: {
								type: 'object',
								additionalProperties: false,
								required: ['import_id', 'rows', 'error_count', 'errors'],
								properties: {
									import_id: { type: 'string', format: 'uuid' },
									rows: { type: 'integer', minimum: 0, description: 'Valid samples read (none were imported).' },
									error_count: { type: 'integer', minimum: 1, description: 'Every problem found; `errors` holds the first 100.' },
									errors: {
										type: 'array',
										items: {
											type: 'object',
											additionalProperties: false,
											required: ['line', 'code', 'message'],
											properties: {
												line: { type: 'integer', minimum: 0, description: '1-based line number (0: the file as a whole).' },
												code: { type: 'string', examples: ['invalid_json', 'duplicate_id', 'missing_content'] },
												message: { type: 'string' },
												params: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
											},
										},
									},
								},
							},
						},
					},
				},
			},
			NewVersion: newVersionSchema(),
			Version: version,
			HubSource: hubSource,
			HubImport: hubImportSchema(),
			HubImportResult: {
				type: 'object',
				additionalProperties: false,
				required: ['version', 'import_id', 'rows', 'source'],
				properties: {
					version: { type: 'string' },
					import_id: { type: 'string', format: 'uuid' },
					rows: { type: 'integer', minimum: 0 },
					source: ref('HubSource'),
				},
			},
			ImportResult: {
				type: 'object',
				additionalProperties: false,
				required: ['version', 'import_id', 'rows'],
				properties: { version: { type: 'string' }, import_id: { type: 'string', format: 'uuid' }, rows: { type: 'integer', minimum: 1 } },
			},
			Gate: {
				type: 'object',
				additionalProperties: false,
				required: ['version', 'status', 'blocked', 'blocking_issues', 'open_issues'],
				properties: {
					version: { type: 'string' },
					status: { type: 'string', enum: versionStatuses },
					blocked: { type: 'boolean', description: 'true unless status is approved or released and blocking_issues is 0.' },
					blocking_issues: { type: 'integer', minimum: 0, description: 'Unresolved (open or acknowledged) blocking issues.' },
					open_issues: { type: 'integer', minimum: 0, description: 'Unresolved issues, blocking or not.' },
				},
			},
			SimilarSamples: {
				type: 'object',
				additionalProperties: false,
				required: ['sample', 'min', 'total', 'capped', 'index', 'similar'],
				properties: {
					sample: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string' } } },
					min: { type: 'number' },
					total: { type: 'integer', minimum: 0, description: 'Similar samples in all (the list holds the first `limit`).' },
					capped: { type: 'boolean' },
					index: {
						type: 'object',
						additionalProperties: false,
						required: ['status'],
						description: 'The text index of the version’s current samples.',
						properties: {
							status: { type: 'string', enum: ['none', 'queued', 'running', 'succeeded', 'failed'] },
							samples_done: { type: 'integer', minimum: 0 },
							samples_total: { type: 'integer', minimum: 0 },
							error: { type: 'string' },
						},
					},
					similar: {
						type: 'array',
						items: {
							type: 'object',
							additionalProperties: false,
							required: ['id', 'similarity', 'shared'],
							properties: {
								id: { type: 'string' },
								similarity: { type: 'number', minimum: 0, maximum: 1, description: 'Exact Jaccard index of the word-pair sets.' },
								shared: { type: 'array', items: { type: 'string', enum: ['text', 'template', 'persona'] } },
							},
						},
					},
				},
			},
			Signals: {
				type: 'object',
				additionalProperties: false,
				required: ['attribute', 'computed_at', 'values'],
				properties: {
					attribute: { type: 'string' },
					computed_at: dateTime,
					values: {
						type: 'array',
						items: {
							type: 'object',
							additionalProperties: false,
							required: ['value', 'samples', 'distinct2', 'terms'],
							properties: {
								value: { type: 'string' },
								samples: { type: 'integer', minimum: 0 },
								distinct2: { type: 'number', minimum: 0, maximum: 1, description: 'Distinct word bigrams / all word bigrams of this value’s samples.' },
								terms: {
									type: 'array',
									description: 'Terms passing the false-discovery control, z descending.',
									items: {
										type: 'object',
										additionalProperties: false,
										required: ['term', 'z', 'count'],
										properties: {
											term: { type: 'string' },
											z: { type: 'number', description: 'Weighted log-odds z-score against all other samples.' },
											count: { type: 'integer', minimum: 0, description: 'Occurrences in this value’s samples.' },
										},
									},
								},
							},
						},
					},
					flag_rates: {
						type: 'array',
						description:
							'Only once the version has verdicts (any round): per value, its reviewed samples (a verdict that is not a skip) containing at least one of its listed terms, as search cuts words (CJK bigrams), against those containing none, and how many of each anyone flagged.',
						items: {
							type: 'object',
							additionalProperties: false,
							required: ['value', 'with_terms', 'without_terms'],
							properties: { value: { type: 'string' }, with_terms: ref('FlagShare'), without_terms: ref('FlagShare') },
						},
					},
				},
			},
			FlagShare: {
				type: 'object',
				additionalProperties: false,
				required: ['reviewed', 'flagged', 'share', 'low', 'high'],
				properties: {
					reviewed: { type: 'integer', minimum: 0 },
					flagged: { type: 'integer', minimum: 0 },
					share: nullable({ type: 'number', minimum: 0, maximum: 1, description: 'flagged / reviewed; null when none was reviewed.' }),
					low: nullable({ type: 'number', minimum: 0, maximum: 1, description: 'Lower bound of the 95 % Wilson interval.' }),
					high: nullable({ type: 'number', minimum: 0, maximum: 1, description: 'Upper bound of the 95 % Wilson interval.' }),
				},
			},
			Issue: issue,
			IssuePage: {
				type: 'object',
				additionalProperties: false,
				required: ['issues', 'next_cursor'],
				properties: { issues: { type: 'array', items: ref('Issue') }, next_cursor: nullable({ type: 'string' }) },
			},
		},
	},
}
