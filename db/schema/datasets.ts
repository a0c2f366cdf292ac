import { sql } from 'drizzle-orm'
import { type AnyPgColumn, bigint, boolean, check, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { datasetRoles, generationMethods, importFormats, importStatuses, pipelineStages, teamInvitationStatuses, versionStatuses } from '#app/domain/enums.ts'
import { type HubSource } from '#app/domain/hub.ts'
import { type ColumnInfo, type ColumnMapping } from '#app/domain/import/column-mapping.ts'
import { users } from './accounts.ts'

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

export const datasets = pgTable(
	'datasets',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		slug: text('slug').notNull(),
		name: text('name').notNull(),
		description: text('description').notNull().default(''),
		// Bumped on every edit; a form that saw an older revision is told, not overwritten.
		revision: integer('revision').notNull().default(1),
		// The Parquet column mapping last used to import (decision 047); pre-fills the next one, and the API's default.
		columnMapping: jsonb('column_mapping').$type<ColumnMapping>(),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [uniqueIndex('datasets_slug_key').on(t.slug)],
)

/** Owners and maintainers of a dataset (the dataset team). */
export const datasetMembers = pgTable(
	'dataset_members',
	{
		datasetId: uuid('dataset_id')
			.notNull()
			.references(() => datasets.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		role: text('role', { enum: datasetRoles }).notNull(),
		// Owner notifications about this dataset (in the app and by email); each member may opt out.
		notify: boolean('notify').notNull().default(true),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [primaryKey({ columns: [t.datasetId, t.userId] }), index('dataset_members_user_idx').on(t.userId), check('dataset_members_role_check', sql`${t.role} in ('owner', 'maintainer')`)],
)

/**
 * An invitation to join a dataset's team: the invitee accepts it, so nothing about their account
 * (whether it exists, its name, id or language) reaches the inviter before they do (decision 028).
 */
export const teamInvitations = pgTable(
	'team_invitations',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		datasetId: uuid('dataset_id')
			.notNull()
			.references(() => datasets.id, { onDelete: 'cascade' }),
		email: text('email').notNull(),
		language: text('language').notNull(),
		tokenHash: text('token_hash').notNull(),
		status: text('status', { enum: teamInvitationStatuses }).notNull().default('pending'),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		acceptedAt: timestamp('accepted_at', { withTimezone: true }),
	},
	(t) => [
		uniqueIndex('team_invitations_token_key').on(t.tokenHash),
		uniqueIndex('team_invitations_pending_key')
			.on(t.datasetId, t.email)
			.where(sql`status = 'pending'`),
	],
)

export const useCases = pgTable(
	'use_cases',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		datasetId: uuid('dataset_id')
			.notNull()
			.references(() => datasets.id, { onDelete: 'cascade' }),
		title: text('title').notNull(),
		purpose: text('purpose').notNull().default(''),
		modelUsers: text('model_users').notNull().default(''),
		deploymentContext: text('deployment_context').notNull().default(''),
		pipelineStage: text('pipeline_stage', { enum: pipelineStages }).notNull(),
		riskNotes: text('risk_notes').notNull().default(''),
		revision: integer('revision').notNull().default(1),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('use_cases_dataset_idx').on(t.datasetId)],
)

export const versions = pgTable(
	'versions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		datasetId: uuid('dataset_id')
			.notNull()
			.references(() => datasets.id, { onDelete: 'cascade' }),
		label: text('label').notNull(),
		status: text('status', { enum: versionStatuses }).notNull().default('draft'),
		parentId: uuid('parent_id').references((): AnyPgColumn => versions.id, { onDelete: 'set null' }),
		modelName: text('model_name').notNull().default(''),
		modelVersion: text('model_version').notNull().default(''),
		modelProvider: text('model_provider').notNull().default(''),
		generationMethod: text('generation_method', { enum: generationMethods }).notNull().default('other'),
		promptTemplates: text('prompt_templates').notNull().default(''),
		personaDefinitions: text('persona_definitions').notNull().default(''),
		seedDataDescription: text('seed_data_description').notNull().default(''),
		knownLimitations: text('known_limitations').notNull().default(''),
		changelog: text('changelog').notNull().default(''),
		// The metadata keys naming each sample's template and persona (dotted for nested keys), when the
		// owner marked them: samples of the same template × persona are similar whatever their text (issue #22).
		templateKey: text('template_key').notNull().default(''),
		personaKey: text('persona_key').notNull().default(''),
		// Where the current samples came from when imported from the Hugging Face Hub (commit sha, repo, config, split, endpoint); null for an uploaded file.
		source: jsonb('source').$type<HubSource>(),
		revision: integer('revision').notNull().default(1),
		// The import whose samples are this version's; null until the first import succeeds.
		currentImportId: uuid('current_import_id').references((): AnyPgColumn => imports.id, { onDelete: 'set null' }),
		// Counter kept in a column so pages never COUNT(*) a million samples.
		sampleCount: integer('sample_count').notNull().default(0),
		// Issue numbers are handed out from here (#1, #2, … per version).
		issueSeq: integer('issue_seq').notNull().default(0),
		// Set when an owner approved despite open blocking issues; cleared if the version leaves approval.
		overriddenBlockers: integer('overridden_blockers').notNull().default(0),
		overrideJustification: text('override_justification'),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [uniqueIndex('versions_dataset_label_key').on(t.datasetId, t.label)],
)

/**
 * A dataset's Hugging Face Hub access token, encrypted with AES-256-GCM under SECRETS_KEY (decision
 * 048): `ciphertext` is `v1.<iv>.<sealed+tag>` in base64url, bound to the dataset id; `key_id` names
 * the key it was sealed with, so a changed key is told apart from a damaged value.
 */
export const datasetHubTokens = pgTable('dataset_hub_tokens', {
	datasetId: uuid('dataset_id')
		.primaryKey()
		.references(() => datasets.id, { onDelete: 'cascade' }),
	ciphertext: text('ciphertext').notNull(),
	keyId: text('key_id').notNull(),
	updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})

/**
 * One upload of a sample file into a version. Its rows land under the import while it runs and
 * become the version's samples in one short transaction (versions.current_import_id) when it
 * succeeds; a failed or crashed import is never visible and its rows are deleted.
 */
export const imports = pgTable(
	'imports',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		versionId: uuid('version_id')
			.notNull()
			.references(() => versions.id, { onDelete: 'cascade' }),
		status: text('status', { enum: importStatuses }).notNull().default('running'),
		format: text('format', { enum: importFormats }).notNull(),
		filename: text('filename').notNull().default(''),
		bytesTotal: bigint('bytes_total', { mode: 'number' }),
		bytesRead: bigint('bytes_read', { mode: 'number' }).notNull().default(0),
		rowsRead: integer('rows_read').notNull().default(0),
		errorCount: integer('error_count').notNull().default(0),
		// The first 100 errors: [{ line, code, params }].
		errors: jsonb('errors').$type<Array<{ line: number; code: string; params?: Record<string, string | number> }>>().notNull().default([]),
		// Metadata facets counted while importing: { "persona.origin": { "Oaxaca": 12, … } }.
		facets: jsonb('facets').$type<Record<string, Record<string, number>>>().notNull().default({}),
		languages: jsonb('languages').$type<Record<string, number>>().notNull().default({}),
		// Each metadata key: listed with its values (facet_values) or offered as a search field (decision 032).
		facetKeys: jsonb('facet_keys').$type<Array<{ key: string; kind: 'list' | 'search'; distinct: number; rows: number }>>().notNull().default([]),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
		heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
		finishedAt: timestamp('finished_at', { withTimezone: true }),
	},
	(t) => [index('imports_version_idx').on(t.versionId, t.startedAt), index('imports_running_idx').on(t.status, t.heartbeatAt)],
)

/**
 * A Parquet file received by the web upload and waiting for its column mapping (decision 047): the
 * file itself is in the staging directory under this id; the row scopes it to a version and says
 * what its columns are. Removed when the import runs or is cancelled, and by the reaper after a day.
 */
export const stagedUploads = pgTable(
	'staged_uploads',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		versionId: uuid('version_id')
			.notNull()
			.references(() => versions.id, { onDelete: 'cascade' }),
		filename: text('filename').notNull(),
		bytes: bigint('bytes', { mode: 'number' }).notNull(),
		rows: bigint('rows', { mode: 'number' }).notNull(),
		columns: jsonb('columns').$type<ColumnInfo[]>().notNull(),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('staged_uploads_version_idx').on(t.versionId), index('staged_uploads_created_idx').on(t.createdAt)],
)

export const samples = pgTable(
	'samples',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		importId: uuid('import_id')
			.notNull()
			.references(() => imports.id, { onDelete: 'cascade' }),
		externalId: text('external_id').notNull(),
		// Plain text content, or null for a chat (then `messages` holds the turns).
		content: text('content'),
		messages: jsonb('messages').$type<Array<{ role: string; content: string }>>(),
		imageUrl: text('image_url'),
		imageAlt: text('image_alt'),
		language: text('language'),
		metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
		contentHash: text('content_hash').notNull(),
		// The text's words, cut at import time for every script (app/domain/search/text.ts, decision 031).
		searchVector: tsvector('search_vector'),
		// The ids of its metadata values in facet_values (decision 032).
		facetIds: integer('facet_ids')
			.array()
			.notNull()
			.default(sql`'{}'::integer[]`),
	},
	(t) => [
		// Also the keyset for browsing (samples are listed in external id order).
		uniqueIndex('samples_import_external_key').on(t.importId, t.externalId),
		index('samples_metadata_idx').using('gin', sql`${t.metadata} jsonb_path_ops`),
		// Lexemes of the first 100,000 characters, cut in JavaScript for every script (decision 031).
		index('samples_search_idx').using('gin', t.searchVector),
		index('samples_facet_ids_idx').using('gin', t.facetIds),
	],
)

/** Every value of every listed metadata key of an import, with its exact count (decision 032). */
export const facetValues = pgTable(
	'facet_values',
	{
		// From the sequence facet_value_ids (blocks of 1024), so ids are unique across imports.
		id: integer('id').primaryKey(),
		importId: uuid('import_id')
			.notNull()
			.references(() => imports.id, { onDelete: 'cascade' }),
		key: text('key').notNull(),
		value: text('value').notNull(),
		// Lower case, diacritics folded: what the search-within-facet box matches.
		folded: text('folded').notNull(),
		count: integer('count').notNull(),
	},
	(t) => [index('facet_values_import_key_idx').on(t.importId, t.key, t.count.desc()), index('facet_values_lookup_idx').on(t.importId, t.key, t.value)],
)

/** Every saved state of a use case, so its history can be read. */
export const useCaseRevisions = pgTable(
	'use_case_revisions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		useCaseId: uuid('use_case_id')
			.notNull()
			.references(() => useCases.id, { onDelete: 'cascade' }),
		revision: integer('revision').notNull(),
		snapshot: jsonb('snapshot').$type<Record<string, string>>().notNull(),
		editedBy: uuid('edited_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [uniqueIndex('use_case_revisions_key').on(t.useCaseId, t.revision)],
)
