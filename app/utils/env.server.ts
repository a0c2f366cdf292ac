import { z } from 'zod'

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes')

const positiveInt = z.coerce.number().int().positive()

const schema = z.object({
	NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
	PORT: z.coerce.number().int().min(0).max(65535).default(3000),
	HOST: z.string().min(1).default('0.0.0.0'),
	DATABASE_URL: z
		.string()
		.regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
		.optional(),
	DATA_DIR: z.string().min(1).default('./.data'),
	DATABASE_POOL_SIZE: positiveInt.default(10),
	APP_URL: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL such as https://roundtable.example.org' }).optional(),
	// Production without APP_URL: links in emails from the Host header of each request (decision 024).
	APP_URL_FROM_HOST: bool.default(false),
	TRUST_PROXY: bool.default(false),
	COOKIE_SECURE: bool.optional(),
	SEED_DEMO: bool.optional(),
	SESSION_DAYS: positiveInt.default(30),
	SIGNIN_LIMIT_PER_ACCOUNT: positiveInt.default(10),
	SIGNIN_LIMIT_PER_IP: positiveInt.default(50),
	SIGNUP_LIMIT_PER_IP: positiveInt.default(30),
	RATE_LIMIT_WINDOW_MINUTES: positiveInt.default(15),
	API_RATE_LIMIT_PER_MINUTE: positiveInt.default(600),
	INVITATION_TTL_DAYS: positiveInt.default(14),
	INVITATION_PENDING_CAP: positiveInt.default(500),
	// Below this many participants of a role who gave feedback in a round, the team sees it unattributed (decision 027).
	PSEUDONYMITY_MIN_GROUP: positiveInt.default(3),
	// auto: sign-ups (plain and through an invitation link) prove their address by a code whenever
	// SMTP_URL is set; off: never (closed deployments, and the test suites that are not about it).
	SIGNUP_EMAIL_VERIFICATION: z.enum(['auto', 'off']).default('auto'),
	ISSUE_REMINDER_DAYS: positiveInt.default(7),
	// Dataset-team emails are batched: at most one digest per person this often (decision 030).
	NOTIFY_DIGEST_MINUTES: positiveInt.default(60),
	// How often each instance runs its jobs (round closing, notification emails, webhooks).
	SCHEDULER_INTERVAL_SECONDS: positiveInt.default(60),
	// How long the insights dashboard may lag the verdicts: the insights job's interval (decision 057).
	INSIGHTS_REFRESH_SECONDS: positiveInt.default(2),
	IMPORT_MAX_LINE_BYTES: positiveInt.default(1024 * 1024),
	IMPORT_MAX_JSON_DEPTH: positiveInt.default(32),
	IMPORT_MAX_ROWS: positiveInt.default(2_000_000),
	IMPORT_MAX_FILE_MB: positiveInt.default(2048),
	// Memory each process may hold for published sample sets' facet columns (decision 053).
	FACET_CACHE_MB: positiveInt.default(256),
	// Largest form body (everything but sample uploads and the API), read before anything else runs.
	FORM_MAX_KB: positiveInt.default(256),
	SMTP_URL: z
		.string()
		.regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://, such as smtps://user:password@mail.example.org:465')
		.optional(),
	MAIL_FROM: z.string().min(1).default('Roundtable <no-reply@roundtable.invalid>'),
	// Webhooks to loopback, private and link-local addresses (self-hosted receivers, the test suites).
	WEBHOOK_ALLOW_PRIVATE_NETWORKS: bool.default(false),
	// The Hugging Face Hub versions are imported from (a mirror, or the test suites' local one).
	HF_ENDPOINT: z
		.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL such as https://huggingface.co' })
		.default('https://huggingface.co')
		.transform((v) => v.replace(/\/+$/, '')),
	// The key that seals stored secrets (Hub tokens) with AES-256-GCM: 32 random bytes, as 64 hex digits or base64 (decision 048).
	SECRETS_KEY: z
		.string()
		.refine((v) => secretsKeyBytes(v) !== null, 'must be 32 random bytes written as 64 hex digits or in base64, e.g. the output of `openssl rand -base64 32`')
		.optional(),
})

/** SECRETS_KEY's 32 bytes, or null when it is not 64 hex digits or base64 of 32 bytes. */
export function secretsKeyBytes(value: string): Buffer | null {
	const v = value.trim()
	if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, 'hex')
	if (/^[A-Za-z0-9+/_-]{43}=?$/.test(v)) {
		const bytes = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
		return bytes.length === 32 ? bytes : null
	}
	return null
}

export type Env = z.infer<typeof schema>

let cached: Env | undefined

/** Reads and validates the environment once; the error names each bad variable and why. */
export function getEnv(): Env {
	if (cached) return cached
	const result = schema.safeParse(process.env)
	if (!result.success) {
		const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
		throw new Error(`Invalid environment configuration:\n${lines.join('\n')}`)
	}
	const env = result.data
	const missingAppUrl = appUrlProblem(env)
	if (missingAppUrl) throw new Error(`Invalid environment configuration:\n  APP_URL: ${missingAppUrl}`)
	cached = env
	return cached
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

/**
 * Production needs APP_URL, so that no link the app mails is built from a request's Host header
 * (decision 024). Two exceptions start without it, their links pointing at http://localhost:PORT:
 * the embedded database (`npm install && npm start` with no settings, a trial on one machine) and
 * a server that listens on loopback only. APP_URL_FROM_HOST=true is the explicit opt-in to the old
 * host-derived links.
 */
function appUrlProblem(env: Env): string | null {
	if (env.NODE_ENV !== 'production' || env.APP_URL || env.APP_URL_FROM_HOST) return null
	if (!env.DATABASE_URL || LOOPBACK.has(env.HOST)) return null
	return "required in production (the public origin, such as https://roundtable.example.org); links in emails are built from it. Set APP_URL_FROM_HOST=true to build them from each request's Host header instead"
}

/**
 * The origin links in emails use: APP_URL's; in production without it, http://localhost:PORT
 * (see appUrlProblem), unless APP_URL_FROM_HOST=true; `null` means the request's own origin
 * (development and tests, or the opt-in).
 */
export function configuredOrigin(env: Env = getEnv()): string | null {
	if (env.APP_URL) return new URL(env.APP_URL).origin
	if (env.NODE_ENV !== 'production' || env.APP_URL_FROM_HOST) return null
	return `http://localhost:${env.PORT}`
}

/** Largest request bodies, by kind (docs/security.md "Request bodies"). */
export function bodyLimits(env: Env = getEnv()) {
	return {
		form: env.FORM_MAX_KB * 1024,
		json: 1024 * 1024,
		// A sample file and its multipart envelope.
		upload: env.IMPORT_MAX_FILE_MB * 1024 * 1024 + 64 * 1024,
	}
}

/** Secure cookies unless told otherwise: on in production, off when APP_URL is plain http. */
export function cookieSecure(env: Env = getEnv()): boolean {
	if (env.COOKIE_SECURE !== undefined) return env.COOKIE_SECURE
	if (env.APP_URL) return env.APP_URL.startsWith('https:')
	return env.NODE_ENV === 'production'
}

/** The caps on sample files (README, "Sample files"). */
export function importLimits(env: Env = getEnv()) {
	return {
		maxLineBytes: env.IMPORT_MAX_LINE_BYTES,
		maxDepth: env.IMPORT_MAX_JSON_DEPTH,
		maxRows: env.IMPORT_MAX_ROWS,
		maxFileBytes: env.IMPORT_MAX_FILE_MB * 1024 * 1024,
		maxIdLength: 256,
	}
}

/** Test hook: forget the cached environment (tests change variables between files). */
export function resetEnvCache() {
	cached = undefined
}

/** Whether a sign-up must prove its address by a code sent to it (decision 028). */
export function signupNeedsVerification(env: Env = getEnv()): boolean {
	return !!env.SMTP_URL && env.SIGNUP_EMAIL_VERIFICATION === 'auto'
}
