import { sql } from 'drizzle-orm'
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from './accounts.ts'
import { datasets } from './datasets.ts'

/**
 * A pipeline's credential: `rt_…`, shown once, stored only as its SHA-256. Scoped to datasets
 * (api_token_datasets); revocable; last use recorded. Never accepted as a session, nor a session as it.
 */
export const apiTokens = pgTable(
	'api_tokens',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		tokenHash: text('token_hash').notNull(),
		// The first characters, to tell tokens apart in lists ("rt_3fa9…").
		prefix: text('prefix').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
		revokedAt: timestamp('revoked_at', { withTimezone: true }),
	},
	(t) => [uniqueIndex('api_tokens_hash_key').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
)

export const apiTokenDatasets = pgTable(
	'api_token_datasets',
	{
		tokenId: uuid('token_id')
			.notNull()
			.references(() => apiTokens.id, { onDelete: 'cascade' }),
		datasetId: uuid('dataset_id')
			.notNull()
			.references(() => datasets.id, { onDelete: 'cascade' }),
	},
	(t) => [primaryKey({ columns: [t.tokenId, t.datasetId] }), index('api_token_datasets_dataset_idx').on(t.datasetId)],
)

/** `Idempotency-Key` of uploads: same key and payload → the stored response; a different payload → 422; still running → 409. */
export const idempotencyKeys = pgTable(
	'idempotency_keys',
	{
		tokenId: uuid('token_id')
			.notNull()
			.references(() => apiTokens.id, { onDelete: 'cascade' }),
		key: text('key').notNull(),
		requestHash: text('request_hash').notNull(),
		status: text('status', { enum: ['running', 'done'] })
			.notNull()
			.default('running'),
		responseStatus: integer('response_status'),
		responseBody: jsonb('response_body'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [primaryKey({ columns: [t.tokenId, t.key] })],
)

/** A URL a dataset's team registered to receive signed events (Standard Webhooks). */
export const webhooks = pgTable(
	'webhooks',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		datasetId: uuid('dataset_id')
			.notNull()
			.references(() => datasets.id, { onDelete: 'cascade' }),
		url: text('url').notNull(),
		// `whsec_` + base64; kept readable because signing needs it (shown to the team once).
		secret: text('secret').notNull(),
		events: text('events')
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		disabledAt: timestamp('disabled_at', { withTimezone: true }),
	},
	(t) => [index('webhooks_dataset_idx').on(t.datasetId)],
)

/** The delivery queue and log: one row per event per webhook, retried with backoff by the job runner. */
export const webhookDeliveries = pgTable(
	'webhook_deliveries',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		webhookId: uuid('webhook_id')
			.notNull()
			.references(() => webhooks.id, { onDelete: 'cascade' }),
		// The Standard Webhooks `webhook-id` (`msg_…`), the same on every retry.
		messageId: text('message_id').notNull(),
		event: text('event').notNull(),
		payload: jsonb('payload').notNull(),
		status: text('status', { enum: ['pending', 'delivered', 'failed'] })
			.notNull()
			.default('pending'),
		attempts: integer('attempts').notNull().default(0),
		nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
		lastStatus: integer('last_status'),
		lastResponse: text('last_response'),
		lastError: text('last_error'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		deliveredAt: timestamp('delivered_at', { withTimezone: true }),
	},
	(t) => [
		index('webhook_deliveries_due_idx')
			.on(t.nextAttemptAt)
			.where(sql`status = 'pending'`),
		index('webhook_deliveries_webhook_idx').on(t.webhookId, t.createdAt),
	],
)
