import { z } from 'zod'

const bool = z
	.enum(['true', 'false', '1', '0', 'yes', 'no'])
	.transform((v) => v === 'true' || v === '1' || v === 'yes')

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
	IMPORT_MAX_LINE_BYTES: positiveInt.default(1024 * 1024),
	IMPORT_MAX_JSON_DEPTH: positiveInt.default(32),
	IMPORT_MAX_ROWS: positiveInt.default(2_000_000),
	IMPORT_MAX_FILE_MB: positiveInt.default(2048),
	SMTP_URL: z
		.string()
		.regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://, such as smtps://user:password@mail.example.org:465')
		.optional(),
	MAIL_FROM: z.string().min(1).default('Roundtable <no-reply@roundtable.invalid>'),
	// Webhooks to loopback, private and link-local addresses (self-hosted receivers, the test suites).
	WEBHOOK_ALLOW_PRIVATE_NETWORKS: bool.default(false),
})

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
	cached = result.data
	return cached
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
