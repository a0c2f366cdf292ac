import { defineConfig } from 'vitest/config'

// The Remix vite plugin is left out on purpose: it expects a full dev server or build.
export default defineConfig({
	test: {
		include: ['tests/unit/**/*.test.{ts,tsx}', 'tests/integration/**/*.test.{ts,tsx}'],
		globalSetup: ['tests/setup/global-db.ts'],
		setupFiles: ['tests/setup/env.ts'],
		// argon2 and PGlite are native/WASM: separate processes keep them isolated per file.
		pool: 'forks',
		testTimeout: 30_000,
		hookTimeout: 60_000,
		// CI also writes a JSON report; .ci/summary.mjs turns them into one closing line.
		reporters: process.env.CI ? ['default', ['json', { outputFile: `.ci-out/vitest-${process.env.RT_TEST_LABEL ?? 'run'}.json` }]] : ['default'],
	},
})
