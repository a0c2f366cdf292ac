import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { afterAll, beforeAll, beforeEach, inject } from 'vitest'
import { closeDb, db, migrate, query } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'

/**
 * Gives this test file its own real database: an in-memory PGlite by default, or (with
 * DATABASE_URL) a PostgreSQL database cloned from the run's migrated template. Every table is
 * emptied before each test, unless `emptyBeforeEach` is false (a file that seeds once in beforeAll).
 */
export function useTestDatabase({ emptyBeforeEach = true }: { emptyBeforeEach?: boolean } = {}) {
	let dropDatabase: (() => Promise<void>) | undefined

	beforeAll(async () => {
		const template = inject('templateDatabase')
		const baseUrl = process.env.DATABASE_URL
		if (template && baseUrl) {
			const name = `rt_t_${process.ppid}_${Math.random().toString(36).slice(2, 10)}`
			const admin = postgres(baseUrl, { max: 1, onnotice: () => {} })
			await admin.unsafe(`create database ${name} template ${template}`)
			const u = new URL(baseUrl)
			u.pathname = `/${name}`
			process.env.DATABASE_URL = u.toString()
			dropDatabase = async () => {
				await admin.unsafe(`drop database if exists ${name} with (force)`)
				await admin.end()
				process.env.DATABASE_URL = baseUrl
			}
		}
		resetEnvCache()
		await migrate()
	})

	beforeEach(async () => {
		if (!emptyBeforeEach) return
		const tables = await query<{ tablename: string }>(sql`select tablename from pg_tables where schemaname = 'public'`)
		if (tables.length) {
			await db.execute(sql.raw(`truncate ${tables.map((t) => `"${t.tablename}"`).join(', ')} restart identity cascade`))
		}
	})

	afterAll(async () => {
		await closeDb()
		await dropDatabase?.()
	})
}
