import { count } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { seedDemoIfEmpty } from '#db/demo.ts'
import { users } from '#db/schema/accounts.ts'
import { datasets, samples, useCases, versions } from '#db/schema/datasets.ts'
import { loader as healthz } from '#app/routes/healthz.ts'
import { db, isEmbedded } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'

useTestDatabase()

describe('demo data', () => {
	test('an empty embedded database gets the demo; PostgreSQL only when asked', async () => {
		const logins = await seedDemoIfEmpty()
		if (!isEmbedded()) {
			expect(logins).toBeNull()
			process.env.SEED_DEMO = 'true'
			resetEnvCache()
			try {
				expect(await seedDemoIfEmpty()).not.toBeNull()
			} finally {
				delete process.env.SEED_DEMO
				resetEnvCache()
			}
		} else {
			expect(logins?.map((l) => l.role)).toEqual(['owner', 'reviewer', 'expert'])
		}
		const [u] = await db.select({ n: count() }).from(users)
		const [d] = await db.select({ n: count() }).from(datasets)
		// The three demo accounts and the six pseudonymous participants of its consultations.
		expect(u?.n).toBe(9)
		expect(d?.n).toBe(3)
		const perVersion = await db.select({ label: versions.label, n: versions.sampleCount, method: versions.generationMethod }).from(versions)
		expect(perVersion).toHaveLength(3)
		const [s] = await db.select({ n: count() }).from(samples)
		expect(s?.n).toBe(perVersion.reduce((a, v) => a + v.n, 0))
		const [uc] = await db.select({ n: count() }).from(useCases)
		expect(uc?.n).toBeGreaterThanOrEqual(3)
	})

	test('a database with users is never seeded again', async () => {
		process.env.SEED_DEMO = 'true'
		resetEnvCache()
		try {
			expect(await seedDemoIfEmpty()).not.toBeNull()
			expect(await seedDemoIfEmpty()).toBeNull()
			const [d] = await db.select({ n: count() }).from(datasets)
			expect(d?.n).toBe(3)
		} finally {
			delete process.env.SEED_DEMO
			resetEnvCache()
		}
	})
})

test('/healthz answers 200 JSON after asking the database', async () => {
	const res = (await healthz()) as Response
	expect(res.status).toBe(200)
	expect(await res.json()).toEqual({ status: 'ok', database: 'ok' })
})
