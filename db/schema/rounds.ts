import { sql } from 'drizzle-orm'
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from './accounts.ts'
import { invitationStatuses, participantRoles, roundStages, roundStatuses, selectionModes } from '#app/domain/enums.ts'
import { datasets, samples, versions } from './datasets.ts'

/** A consultation round on one version. */
export const rounds = pgTable(
	'rounds',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		versionId: uuid('version_id')
			.notNull()
			.references(() => versions.id, { onDelete: 'cascade' }),
		stage: text('stage', { enum: roundStages }).notNull(),
		title: text('title').notNull(),
		guidelines: text('guidelines').notNull().default(''),
		opensAt: timestamp('opens_at', { withTimezone: true }),
		closesAt: timestamp('closes_at', { withTimezone: true }),
		selectionMode: text('selection_mode', { enum: selectionModes }).notNull().default('all'),
		// { n, seed } | { attribute, perValue, seed } | { externalIds }; the seed is recorded so the selection can be reproduced.
		selectionParams: jsonb('selection_params').$type<Record<string, unknown>>().notNull().default({}),
		overlap: integer('overlap').notNull().default(2),
		blindReview: boolean('blind_review').notNull().default(true),
		blockThreshold: integer('block_threshold').notNull().default(2),
		opposedBlocks: boolean('opposed_blocks').notNull().default(true),
		contentWarning: text('content_warning').notNull().default(''),
		// The expertise a participant may declare at consent (the team defines the list, never who has which).
		expertiseOptions: jsonb('expertise_options').$type<string[]>().notNull().default([]),
		status: text('status', { enum: roundStatuses }).notNull().default('draft'),
		assignmentSeed: integer('assignment_seed').notNull().default(1),
		// Counters kept in columns so lists never count rows.
		sampleCount: integer('sample_count').notNull().default(0),
		revision: integer('revision').notNull().default(1),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
		openedAt: timestamp('opened_at', { withTimezone: true }),
		closedAt: timestamp('closed_at', { withTimezone: true }),
		reminderSentAt: timestamp('reminder_sent_at', { withTimezone: true }),
		// When the team was told every sample reached the round's overlap (once per round).
		coverageNotifiedAt: timestamp('coverage_notified_at', { withTimezone: true }),
	},
	(t) => [index('rounds_version_idx').on(t.versionId)],
)

/** Round status changes with their reasons (reopening needs one). */
export const roundEvents = pgTable('round_events', {
	id: uuid('id').primaryKey().defaultRandom(),
	roundId: uuid('round_id')
		.notNull()
		.references(() => rounds.id, { onDelete: 'cascade' }),
	from: text('from').notNull(),
	to: text('to').notNull(),
	reason: text('reason').notNull().default(''),
	actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})

/** The samples a round puts in front of reviewers, in a stable order. */
export const roundSamples = pgTable(
	'round_samples',
	{
		roundId: uuid('round_id')
			.notNull()
			.references(() => rounds.id, { onDelete: 'cascade' }),
		sampleId: bigint('sample_id', { mode: 'number' })
			.notNull()
			.references(() => samples.id, { onDelete: 'cascade' }),
		position: integer('position').notNull(),
	},
	(t) => [primaryKey({ columns: [t.roundId, t.sampleId] }), uniqueIndex('round_samples_position_key').on(t.roundId, t.position)],
)

/**
 * A person taking part in a round. Owners see them only as role + number (+ expertise), unless
 * `showName` — their email and name never reach an owner otherwise.
 */
export const participants = pgTable(
	'participants',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		roundId: uuid('round_id')
			.notNull()
			.references(() => rounds.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		role: text('role', { enum: participantRoles }).notNull(),
		// Declared by the participant at consent, from the round's list; never written by the team.
		expertise: text('expertise').notNull().default(''),
		// "Community member 4": numbered per role within the round, drawn at random (not in joining order).
		number: integer('number').notNull(),
		showName: boolean('show_name').notNull().default(false),
		// The round's content warning is acknowledged once, at consent; true: shown on every sample.
		warnEachTime: boolean('warn_each_time').notNull().default(false),
		consentedAt: timestamp('consented_at', { withTimezone: true }),
		withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
		keepFeedback: boolean('keep_feedback'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [
		uniqueIndex('participants_round_user_key').on(t.roundId, t.userId),
		uniqueIndex('participants_round_number_key').on(t.roundId, t.role, t.number),
		index('participants_user_idx').on(t.userId),
	],
)

/** Which participant reviews which round sample (k per sample), in queue order. */
export const assignments = pgTable(
	'assignments',
	{
		roundId: uuid('round_id')
			.notNull()
			.references(() => rounds.id, { onDelete: 'cascade' }),
		participantId: uuid('participant_id')
			.notNull()
			.references(() => participants.id, { onDelete: 'cascade' }),
		sampleId: bigint('sample_id', { mode: 'number' })
			.notNull()
			.references(() => samples.id, { onDelete: 'cascade' }),
		position: integer('position').notNull(),
		completedAt: timestamp('completed_at', { withTimezone: true }),
	},
	(t) => [
		primaryKey({ columns: [t.participantId, t.sampleId] }),
		index('assignments_queue_idx').on(t.participantId, t.position),
		// What is still waiting in each queue, in order: the next sample after a verdict is its first
		// entry past the current position, not a walk over everything the participant has done.
		index('assignments_pending_idx')
			.on(t.participantId, t.position)
			.where(sql`completed_at is null`),
		index('assignments_round_sample_idx').on(t.roundId, t.sampleId),
	],
)

/** A secret link for one email to join one round; only the SHA-256 of the token is stored. */
export const invitations = pgTable(
	'invitations',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		roundId: uuid('round_id')
			.notNull()
			.references(() => rounds.id, { onDelete: 'cascade' }),
		// Kept after acceptance: the team's list must not change when someone joins (decision 027).
		email: text('email').notNull(),
		emailHash: text('email_hash').notNull(),
		role: text('role', { enum: participantRoles }).notNull(),
		message: text('message').notNull().default(''),
		language: text('language'),
		tokenHash: text('token_hash').notNull(),
		status: text('status', { enum: invitationStatuses }).notNull().default('pending'),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		sentCount: integer('sent_count').notNull().default(1),
		lastSentAt: timestamp('last_sent_at', { withTimezone: true }).notNull().defaultNow(),
		// The automatic reminder's pass: set on every live invitation of its age, accepted or not,
		// though only those not accepted get an email.
		remindedAt: timestamp('reminded_at', { withTimezone: true }),
		acceptedBy: uuid('accepted_by').references(() => users.id, { onDelete: 'set null' }),
		acceptedAt: timestamp('accepted_at', { withTimezone: true }),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [
		uniqueIndex('invitations_token_key').on(t.tokenHash),
		// One live invitation per address per round: re-inviting resends it instead of duplicating.
		uniqueIndex('invitations_round_email_pending_key')
			.on(t.roundId, t.emailHash)
			.where(sql`status = 'pending'`),
		index('invitations_round_idx').on(t.roundId, t.status),
	],
)

/**
 * Every email Roundtable sends. With SMTP_URL it is delivered and marked sent; without, it stays
 * here as the outbox, which the dataset team can read (invitation links can be copied from it).
 */
export const emails = pgTable(
	'emails',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		datasetId: uuid('dataset_id').references(() => datasets.id, { onDelete: 'cascade' }),
		recipientUserId: uuid('recipient_user_id').references(() => users.id, { onDelete: 'set null' }),
		to: text('to').notNull(),
		kind: text('kind').notNull(),
		language: text('language').notNull(),
		subject: text('subject').notNull(),
		text: text('text').notNull(),
		html: text('html').notNull(),
		status: text('status', { enum: ['outbox', 'sent', 'failed'] })
			.notNull()
			.default('outbox'),
		error: text('error'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		sentAt: timestamp('sent_at', { withTimezone: true }),
	},
	(t) => [index('emails_dataset_idx').on(t.datasetId, t.createdAt)],
)

/** In-app notifications (the bell): round opened, reminder, round closed, and later issue updates. */
export const notifications = pgTable(
	'notifications',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		kind: text('kind').notNull(),
		params: jsonb('params').$type<Record<string, string | number>>().notNull().default({}),
		link: text('link').notNull().default('/'),
		readAt: timestamp('read_at', { withTimezone: true }),
		// 'pending' asks the job runner to email it too (issue updates); null: in the app only.
		// 'sending' is claimed by a pass; 'sent' and 'failed' (retries used up) are final (decision 011).
		emailState: text('email_state', { enum: ['pending', 'sending', 'sent', 'failed'] }),
		// Claims so far, a crashed pass's included; caps the retries.
		emailAttempts: integer('email_attempts').notNull().default(0),
		// After a failed delivery, not before this; null: due now.
		emailNextAttemptAt: timestamp('email_next_attempt_at', { withTimezone: true }),
		// When the pass sending it claimed it: a claim older than the lease was never finished.
		emailClaimedAt: timestamp('email_claimed_at', { withTimezone: true }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [
		index('notifications_user_idx').on(t.userId, t.createdAt),
		// The bell's count, read with every session lookup: only unread rows, so it costs what is unread.
		index('notifications_unread_idx')
			.on(t.userId)
			.where(sql`read_at is null`),
		// The email queue: only rows still to send (or whose claim may have been abandoned), in claim order.
		index('notifications_email_queue_idx')
			.on(t.createdAt)
			.where(sql`email_state in ('pending', 'sending')`),
	],
)
