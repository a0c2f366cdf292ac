import { sql } from 'drizzle-orm'
import {
	bigint,
	check,
	index,
	integer,
	jsonb,
	pgTable,
	primaryKey,
	text,
	timestamp,
	uniqueIndex,
	uuid,
} from 'drizzle-orm/pg-core'
import { users } from './accounts.ts'

export const datasets = pgTable(
	'datasets',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		slug: text('slug').notNull(),
		name: text('name').notNull(),
		description: text('description').notNull().default(''),
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
		role: text('role', { enum: ['owner', 'maintainer'] }).notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [
		primaryKey({ columns: [t.datasetId, t.userId] }),
		index('dataset_members_user_idx').on(t.userId),
		check('dataset_members_role_check', sql`${t.role} in ('owner', 'maintainer')`),
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
		pipelineStage: text('pipeline_stage', {
			enum: ['training', 'fine_tuning', 'evaluation', 'scoring'],
		}).notNull(),
		riskNotes: text('risk_notes').notNull().default(''),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('use_cases_dataset_idx').on(t.datasetId)],
)

export const versionStatuses = ['draft', 'in_consultation', 'approved', 'released', 'archived'] as const
export const generationMethods = ['paraphrase', 'templates', 'persona_simulation', 'other'] as const

export const versions = pgTable(
	'versions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		datasetId: uuid('dataset_id')
			.notNull()
			.references(() => datasets.id, { onDelete: 'cascade' }),
		label: text('label').notNull(),
		status: text('status', { enum: versionStatuses }).notNull().default('draft'),
		parentId: uuid('parent_id'),
		modelName: text('model_name').notNull().default(''),
		modelVersion: text('model_version').notNull().default(''),
		modelProvider: text('model_provider').notNull().default(''),
		generationMethod: text('generation_method', { enum: generationMethods }).notNull().default('other'),
		promptTemplates: text('prompt_templates').notNull().default(''),
		personaDefinitions: text('persona_definitions').notNull().default(''),
		seedDataDescription: text('seed_data_description').notNull().default(''),
		knownLimitations: text('known_limitations').notNull().default(''),
		changelog: text('changelog').notNull().default(''),
		// Counter kept in a column so pages never COUNT(*) a million samples.
		sampleCount: integer('sample_count').notNull().default(0),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [uniqueIndex('versions_dataset_label_key').on(t.datasetId, t.label)],
)

export const samples = pgTable(
	'samples',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		versionId: uuid('version_id')
			.notNull()
			.references(() => versions.id, { onDelete: 'cascade' }),
		externalId: text('external_id').notNull(),
		// Plain text content, or null for a chat (then `messages` holds the turns).
		content: text('content'),
		messages: jsonb('messages').$type<Array<{ role: string; content: string }>>(),
		imageUrl: text('image_url'),
		imageAlt: text('image_alt'),
		language: text('language'),
		metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
		contentHash: text('content_hash').notNull(),
	},
	(t) => [uniqueIndex('samples_version_external_key').on(t.versionId, t.externalId)],
)
