import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { sql, type SQL } from 'drizzle-orm'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { schema, type Schema } from '#db/schema/all.ts'
import { getEnv } from './env.server.ts'

/**
 * The one module that knows which database driver runs: PGlite (embedded, in DATA_DIR)
 * when DATABASE_URL is unset, postgres.js otherwise. Everything else sees `Db`.
 */
export type Db = PgDatabase<PgQueryResultHKT, Schema>
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

type Handle = { kind: 'pglite'; client: PGlite; db: Db } | { kind: 'postgres'; client: postgres.Sql; db: Db; url: string }

let handle: Handle | undefined

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations')

function open(): Handle {
	const env = getEnv()
	if (env.DATABASE_URL) {
		const client = postgres(env.DATABASE_URL, {
			max: env.DATABASE_POOL_SIZE,
			onnotice: () => {},
			connection: { application_name: 'roundtable' },
			// Reconnect attempts after the server went away wait at most 1 s (postgres.js's default grows
			// to 20 s, and queries queue behind it: the app would stay down long after the database is back).
			backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
		})
		return { kind: 'postgres', client, db: drizzlePostgres(client, { schema }) as unknown as Db, url: env.DATABASE_URL }
	}
	const dir = env.DATA_DIR
	if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true })
	const client = new PGlite(dir.startsWith('memory://') ? undefined : path.resolve(dir))
	return { kind: 'pglite', client, db: drizzlePglite(client, { schema }) as unknown as Db }
}

function current(): Handle {
	handle ??= open()
	return handle
}

/** The drizzle database. Opened on first use, so tests can choose the database first. */
export const db: Db = new Proxy({} as Db, {
	get(_target, prop) {
		const target = current().db as unknown as Record<string | symbol, unknown>
		const value = target[prop]
		return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
	},
})

export function isEmbedded(): boolean {
	return !getEnv().DATABASE_URL
}

/** Rows of a raw query, whatever the driver returns them in. */
export async function query<T extends Record<string, unknown>>(statement: SQL, executor: Pick<Db, 'execute'> = db): Promise<T[]> {
	const result = (await executor.execute(statement)) as unknown
	if (Array.isArray(result)) return result as T[]
	return (result as { rows: T[] }).rows
}

const dialect = new PgDialect()

/**
 * As `query`, for the statements every page or API call runs (session lookup, focus view, verdict,
 * gate): on PostgreSQL a named prepared statement per pooled connection (postgres.js caches it by
 * its text), so the server parses it once per connection instead of on every call; drizzle sends
 * every statement unnamed. The text must not vary with the values (no lists spliced in), or each
 * variant becomes another statement held by every connection. PGlite: as `query`.
 */
export async function queryPrepared<T extends Record<string, unknown>>(statement: SQL): Promise<T[]> {
	const h = current()
	if (h.kind === 'pglite') return query<T>(statement)
	const { sql: text, params } = dialect.sqlToQuery(statement)
	return (await h.client.unsafe(text, params as never[], { prepare: true })) as unknown as T[]
}

/**
 * Rows of a read in batches of `batch`, from a server-side cursor (PostgreSQL), so a large result
 * never sits in memory whole; stopping early (break, or a cancelled response) closes the cursor.
 * Null on PGlite: a cursor lives in a transaction there, which would hold its only connection for
 * as long as the reader takes; page by key instead. Values are as `query` returns them.
 */
export function queryCursor<T extends Record<string, unknown>>(statement: SQL, batch: number): AsyncIterable<T[]> | null {
	const h = current()
	if (h.kind === 'pglite') return null
	const { sql: text, params } = dialect.sqlToQuery(statement)
	return h.client.unsafe(text, params as never[]).cursor(batch) as AsyncIterable<T[]>
}

const MIGRATION_LOCK = 7_317_001

/** Applies pending migrations; on PostgreSQL under an advisory lock so instances may start together. */
export async function migrate(): Promise<void> {
	const h = current()
	if (h.kind === 'pglite') {
		await migratePglite(h.db as never, { migrationsFolder })
		return
	}
	const lockClient = postgres(h.url, { max: 1, onnotice: () => {} })
	try {
		await lockClient`select pg_advisory_lock(${MIGRATION_LOCK})`
		await migratePostgres(drizzlePostgres(lockClient), { migrationsFolder })
		await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK})`
	} finally {
		await lockClient.end({ timeout: 5 })
	}
}

export async function checkDatabase(): Promise<void> {
	await query(sql`select 1 as ok`)
}

export async function closeDb(): Promise<void> {
	const h = handle
	handle = undefined
	if (!h) return
	if (h.kind === 'pglite') await h.client.close()
	else await h.client.end({ timeout: 5 })
}

export type BulkWriter = {
	/** Values in column order: strings, numbers, null, or objects (stored as JSON). */
	write(values: ReadonlyArray<unknown>): Promise<void>
	/** Makes every written row durable (not yet visible to anyone who filters on the import). */
	finish(): Promise<void>
	/** Drops what was written (on PostgreSQL the COPY fails as a whole; on PGlite the caller deletes). */
	abort(): Promise<void>
}

const PGLITE_BATCH = 500

/**
 * Streams rows into `table`: `COPY … FROM STDIN` on PostgreSQL, batched multi-row INSERTs on
 * PGlite (which has no streaming COPY). Rows are written outside any long transaction, so other
 * requests keep being served while a large file imports.
 */
export async function openBulkWriter(table: string, columns: readonly string[]): Promise<BulkWriter> {
	const h = current()
	const columnList = columns.map((c) => `"${c}"`).join(', ')
	if (h.kind === 'postgres') {
		// The COPY gets a connection of its own, outside the pool: postgres.js would otherwise hand
		// other requests' queries to the copying connection once the pool is busy ("COPY_IN_PROGRESS",
		// or a protocol violation that kills the import), and reserving pool connections instead would
		// let as many concurrent imports as the pool size starve their own progress updates.
		const copyClient = postgres(h.url, { max: 1, onnotice: () => {}, connection: { application_name: 'roundtable-import' } })
		const release = () => copyClient.end({ timeout: 5 }).catch(() => {})
		let stream: Awaited<ReturnType<ReturnType<postgres.Sql['unsafe']>['writable']>>
		try {
			stream = await copyClient.unsafe(`copy "${table}" (${columnList}) from stdin`).writable()
		} catch (error) {
			await release()
			throw error
		}
		let failed: Error | undefined
		stream.on('error', (e: Error) => (failed = e))
		let chunk = ''
		const flush = async () => {
			if (!chunk) return
			const ok = stream.write(chunk)
			chunk = ''
			if (!ok) {
				await new Promise<void>((resolve, reject) => {
					const done = (error?: Error) => {
						stream.off('drain', done)
						stream.off('error', done)
						if (error) reject(error)
						else resolve()
					}
					stream.on('drain', done)
					stream.on('error', done)
				})
			}
		}
		return {
			async write(values) {
				if (failed) throw failed
				chunk += values.map(copyText).join('\t') + '\n'
				if (chunk.length > 256 * 1024) await flush()
			},
			async finish() {
				try {
					await flush()
					await new Promise<void>((resolve, reject) => {
						stream.once('finish', resolve)
						stream.once('close', resolve)
						stream.once('error', reject)
						stream.end()
					})
					if (failed) throw failed
				} finally {
					await release()
				}
			},
			async abort() {
				chunk = ''
				if (!stream.destroyed) {
					await new Promise<void>((resolve) => {
						stream.once('close', resolve)
						stream.once('error', () => resolve())
						stream.destroy(new Error('import aborted'))
					})
				}
				await release()
			},
		}
	}
	let batch: unknown[][] = []
	const flush = async () => {
		if (!batch.length) return
		const params: unknown[] = []
		const tuples = batch.map(
			(row) =>
				`(${row
					.map((v) => {
						params.push(v !== null && typeof v === 'object' ? JSON.stringify(v) : v)
						return `$${params.length}`
					})
					.join(', ')})`,
		)
		batch = []
		await h.client.query(`insert into "${table}" (${columnList}) values ${tuples.join(', ')}`, params)
	}
	return {
		async write(values) {
			batch.push([...values])
			if (batch.length >= PGLITE_BATCH) await flush()
		},
		finish: flush,
		async abort() {
			batch = []
		},
	}
}

/** One value in COPY's text format. */
function copyText(value: unknown): string {
	if (value === null || value === undefined) return '\\N'
	const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
	return text.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'))
}
