/**
 * The import benchmark's reference: COPY a pre-rendered COPY-text file into a scratch table shaped
 * like `samples` (same columns and indexes), on a connection of its own (the app's handle is closed
 * first, so PGlite's data directory has one owner). Streams on PostgreSQL; PGlite's COPY takes the
 * file as one blob.
 */
import { createReadStream } from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import { getEnv } from '#app/utils/env.server.ts'

const columns = '"import_id", "external_id", "content", "messages", "image_url", "image_alt", "language", "metadata", "content_hash", "search_vector", "facet_ids"'

export type RawCopier = { copy: () => Promise<number>; close: () => Promise<void> }

/** Opens the connection (not part of the measured time); `copy` returns the rows copied. */
export async function openRawCopy(file: string, readWhole: () => Promise<Uint8Array>): Promise<RawCopier> {
	const env = getEnv()
	if (env.DATABASE_URL) {
		const sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} })
		return {
			copy: async () => {
				await sql.unsafe('drop table if exists bench_copy')
				await sql.unsafe('create table bench_copy (like samples including defaults including identity including indexes)')
				const target = await sql.unsafe(`copy bench_copy (${columns}) from stdin`).writable()
				await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), target)
				const [row] = await sql.unsafe<{ n: number }[]>('select count(*)::int as n from bench_copy')
				await sql.unsafe('drop table bench_copy')
				return row?.n ?? 0
			},
			close: () => sql.end(),
		}
	}
	if (env.DATA_DIR.startsWith('memory://')) throw new Error('the raw COPY reference needs DATA_DIR on disk (its own connection cannot see an in-memory database)')
	const client = new PGlite(path.resolve(env.DATA_DIR))
	return {
		copy: async () => {
			await client.exec('drop table if exists bench_copy')
			await client.exec('create table bench_copy (like samples including defaults including identity including indexes)')
			await client.query(`copy bench_copy (${columns}) from '/dev/blob'`, [], { blob: new Blob([(await readWhole()) as Uint8Array<ArrayBuffer>]) })
			const { rows } = await client.query<{ n: number }>('select count(*)::int as n from bench_copy')
			await client.exec('drop table bench_copy')
			return rows[0]?.n ?? 0
		},
		close: () => client.close(),
	}
}
