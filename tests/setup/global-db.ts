import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { type TestProject } from 'vitest/node'

declare module 'vitest' {
	export interface ProvidedContext {
		templateDatabase: string | null
	}
}

/**
 * With DATABASE_URL set, migrate one template database for the run; each test file then clones
 * it (CREATE DATABASE … TEMPLATE), so files run in parallel without sharing rows.
 */
export default async function setup(project: TestProject) {
	const url = process.env.DATABASE_URL
	if (!url) {
		project.provide('templateDatabase', null)
		return
	}
	const name = `rt_tpl_${process.pid}_${Date.now()}`
	const admin = postgres(url, { max: 1, onnotice: () => {} })
	await admin.unsafe(`create database ${name}`)
	const templateUrl = withDatabase(url, name)
	const client = postgres(templateUrl, { max: 1, onnotice: () => {} })
	await migrate(drizzle(client), { migrationsFolder: 'db/migrations' })
	await client.end()
	project.provide('templateDatabase', name)

	return async () => {
		const leftovers = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`rt_t_${process.pid}_%`} or datname = ${name}`
		for (const { datname } of leftovers) await admin.unsafe(`drop database if exists ${datname} with (force)`)
		await admin.end()
	}
}

export function withDatabase(url: string, database: string): string {
	const u = new URL(url)
	u.pathname = `/${database}`
	return u.toString()
}
