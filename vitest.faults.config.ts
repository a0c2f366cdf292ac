import { defineConfig } from 'vitest/config'

// `npm run test:faults`: fault-injection trials against the built server (tests/faults/). Kept out of
// `npm test` (vitest.config.ts includes only tests/unit and tests/integration): they kill and restart
// processes and a private PostgreSQL cluster, and take minutes.
export default defineConfig({
	test: {
		include: ['tests/faults/**/*.test.ts'],
		// One trial at a time: each loads the machine on purpose, and timings must not depend on the others.
		fileParallelism: false,
		pool: 'forks',
		testTimeout: 240_000,
		hookTimeout: 300_000,
		reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci-out/vitest-faults.json' }]] : ['default'],
	},
})
