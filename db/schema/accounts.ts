import { sql } from 'drizzle-orm'
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

export const users = pgTable(
	'users',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		// Stored lower-cased and trimmed; the unique index relies on that.
		email: text('email').notNull(),
		displayName: text('display_name').notNull(),
		passwordHash: text('password_hash').notNull(),
		preferredLanguage: text('preferred_language'),
		// When the last digest of dataset-team notifications was emailed (NOTIFY_DIGEST_MINUTES apart).
		teamDigestAt: timestamp('team_digest_at', { withTimezone: true }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [uniqueIndex('users_email_key').on(t.email)],
)

/** Sessions: `id` is the SHA-256 (hex) of the cookie value, never the value itself. */
export const sessions = pgTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('sessions_user_id_idx').on(t.userId), index('sessions_expires_at_idx').on(t.expiresAt)],
)

/** Fixed-window counters shared by every app instance (never process memory). */
export const rateLimits = pgTable('rate_limits', {
	key: text('key').primaryKey(),
	count: integer('count').notNull().default(0),
	windowStartedAt: timestamp('window_started_at', { withTimezone: true })
		.notNull()
		.default(sql`now()`),
})

/**
 * A sign-up waiting for its address to be proven (only when SMTP_URL is set): the account is
 * created once the code emailed to the address comes back. The code is stored as SHA-256 only.
 */
export const signupVerifications = pgTable(
	'signup_verifications',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		email: text('email').notNull(),
		displayName: text('display_name').notNull(),
		passwordHash: text('password_hash').notNull(),
		preferredLanguage: text('preferred_language'),
		codeHash: text('code_hash').notNull(),
		attempts: integer('attempts').notNull().default(0),
		redirectTo: text('redirect_to').notNull().default('/'),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('signup_verifications_expires_idx').on(t.expiresAt)],
)
