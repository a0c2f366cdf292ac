import { existsSync } from 'node:fs'
import { defineConfig, devices } from '@playwright/test'

const PORT = Number(process.env.E2E_PORT ?? 3210)
export const SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? 2626)
// The stand-in Hugging Face Hub the Hub import spec starts (tests/hub-server.ts); the app is pointed at it.
export const HUB_PORT = Number(process.env.E2E_HUB_PORT ?? PORT + 1000)

/** Debian's Chromium (or CHROMIUM_PATH) when present, else Playwright's own download. */
function chromiumPath(): string | undefined {
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[]
	const found = candidates.find((p) => existsSync(p))
	if (found) return found
	return undefined
}

const executablePath = chromiumPath()

/**
 * Specs about the browser and HTTP layer, not the database: security headers and compression, the
 * CSP guard, client-side navigation against reloads, the phone layout in ten languages. CI plays
 * them once, in its PostgreSQL pass; the embedded database's pass (RT_TEST_LABEL=pglite) leaves
 * them out. Run by hand, every spec runs.
 */
const ENGINE_INDEPENDENT = ['http.spec.ts', 'csp-guard.spec.ts', 'client-navigation.spec.ts', 'languages.spec.ts']

export default defineConfig({
	testDir: 'tests/e2e',
	testIgnore: process.env.RT_TEST_LABEL === 'pglite' ? ENGINE_INDEPENDENT.map((f) => `**/${f}`) : [],
	globalSetup: './tests/e2e/global-setup.ts',
	fullyParallel: true,
	workers: process.env.CI ? 2 : undefined,
	retries: 0,
	forbidOnly: !!process.env.CI,
	reporter: process.env.CI ? [['list'], ['json', { outputFile: `.ci-out/playwright-${process.env.RT_TEST_LABEL ?? 'run'}.json` }]] : [['list']],
	// CI shares two cores between the app, the browser and the runner: the longest journeys (import
	// v1 and v2, a discussion among three people) take ~30 s on an idle machine and over a minute
	// when the machine is busy; give whole tests and assertions room rather than retrying them.
	timeout: 120_000,
	expect: { timeout: 10_000 },
	use: {
		baseURL: `http://localhost:${PORT}`,
		trace: 'retain-on-failure',
		locale: 'en-US',
	},
	projects: [
		{
			name: 'chromium',
			use: {
				...devices['Desktop Chrome'],
				launchOptions: {
					executablePath,
					args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
				},
			},
		},
	],
	webServer: {
		// The built app, exactly as `npm start` serves it (npm run test:e2e builds first).
		command: 'node build/server.js',
		url: `http://localhost:${PORT}/healthz`,
		reuseExistingServer: false,
		timeout: 120_000,
		stdout: 'pipe',
		env: {
			PORT: String(PORT),
			HOST: '127.0.0.1',
			NODE_ENV: 'production',
			// A throwaway embedded database per run, unless the suite runs against PostgreSQL.
			DATA_DIR: 'memory://',
			// The demo gives the round tests a version to consult on; mail goes to the suite's SMTP sink.
			SEED_DEMO: 'true',
			SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
			SIGNUP_LIMIT_PER_IP: '1000',
			// The journeys sign up in one step; verification by code is covered by the integration suites.
			SIGNUP_EMAIL_VERIFICATION: 'off',
			// The scheduler (round closing, notification emails, webhooks) every few seconds, so a test sees an email arrive.
			SCHEDULER_INTERVAL_SECONDS: '3',
			HF_ENDPOINT: `http://127.0.0.1:${HUB_PORT}`,
			// On PostgreSQL a production server seals stored secrets (a dataset's Hub token) only with
			// SECRETS_KEY (decision 048): the suite's own key, for this test server only. The embedded
			// database keeps the no-settings path (a key file beside it).
			...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL, SECRETS_KEY: 'e2e0'.repeat(16) } : {}),
		},
	},
})
