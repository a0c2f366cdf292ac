/**
 * A scratch PostgreSQL database for one benchmark, on the server of `BENCH_DATABASE_URL` (default:
 * the local one): the admin connection that creates and drops it, its name and its URL.
 */
import postgres from 'postgres'

export const BENCH_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export function scratchDatabase(name: string) {
	const admin = postgres(BENCH_ADMIN_URL, { max: 1, onnotice: () => {} })
	return {
		admin,
		name,
		url: Object.assign(new URL(BENCH_ADMIN_URL), { pathname: `/${name}` }).toString(),
		create: async () => void (await admin.unsafe(`create database ${name}`)),
		drop: async () => void (await admin.unsafe(`drop database if exists ${name} with (force)`)),
		/** The server processes connected to it now (CPU accounting: bench/proc-cpu.ts). */
		backendPids: async () => (await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${name}`).map((r) => r.pid),
	}
}
