// Runs before every test file: a predictable environment, never the developer's own data folder.
process.env.NODE_ENV = 'test'
process.env.DATA_DIR = 'memory://'
process.env.COOKIE_SECURE ??= 'false'
delete process.env.SEED_DEMO
// Suites not about sign-up create accounts in one step even with an SMTP sink; the sign-up and
// pseudonymity suites turn verification back on (tests/integration/signup-verification.test.ts).
process.env.SIGNUP_EMAIL_VERIFICATION ??= 'off'
