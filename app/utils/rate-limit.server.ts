import { eq, sql } from 'drizzle-orm'
import { rateLimits } from '#db/schema/accounts.ts'
import { db, query } from './db.server.ts'

export type Limit = { key: string; max: number; windowSeconds: number }
export type LimitState = { limited: boolean; retryAfterSeconds: number }

/** Whether `key` has used up its window; counters live in the database, shared by all instances. */
export async function peekLimit({ key, max, windowSeconds }: Limit): Promise<LimitState> {
	const [row] = await query<{ count: number; retry_after: number }>(sql`
		select count, ceil(extract(epoch from (window_started_at + make_interval(secs => ${windowSeconds}) - now())))::int as retry_after
		from ${rateLimits} where key = ${key}`)
	if (!row || row.retry_after <= 0) return { limited: false, retryAfterSeconds: 0 }
	return { limited: row.count >= max, retryAfterSeconds: Math.max(1, row.retry_after) }
}

/** Counts one hit atomically (a single upsert, safe under concurrency); returns the new count. */
export async function hitLimit({ key, windowSeconds }: Omit<Limit, 'max'>): Promise<number> {
	const [row] = await query<{ count: number }>(sql`
		insert into ${rateLimits} (key, count, window_started_at) values (${key}, 1, now())
		on conflict (key) do update set
			count = case when ${rateLimits.windowStartedAt} <= now() - make_interval(secs => ${windowSeconds}) then 1 else ${rateLimits.count} + 1 end,
			window_started_at = case when ${rateLimits.windowStartedAt} <= now() - make_interval(secs => ${windowSeconds}) then now() else ${rateLimits.windowStartedAt} end
		returning count`)
	return row?.count ?? 1
}

export async function resetLimit(key: string): Promise<void> {
	await db.delete(rateLimits).where(eq(rateLimits.key, key))
}

export async function pruneLimits(olderThanSeconds = 86_400): Promise<void> {
	await db.execute(sql`delete from ${rateLimits} where window_started_at < now() - make_interval(secs => ${olderThanSeconds})`)
}
