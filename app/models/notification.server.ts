import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm'
import { notifications } from '#db/schema/rounds.ts'
import { db, queryPrepared } from '#app/utils/db.server.ts'

export async function notify(userIds: string[], kind: string, params: Record<string, string | number>, link: string) {
	if (!userIds.length) return
	await db.insert(notifications).values(userIds.map((userId) => ({ userId, kind, params, link })))
}

export async function listNotifications(userId: string, limit = 50) {
	return db
		.select({
			id: notifications.id,
			kind: notifications.kind,
			params: notifications.params,
			link: notifications.link,
			read: sql<boolean>`${notifications.readAt} is not null`,
			createdAt: notifications.createdAt,
		})
		.from(notifications)
		.where(eq(notifications.userId, userId))
		.orderBy(desc(notifications.createdAt))
		.limit(limit)
}

/** The header's count, on every signed-in page: a prepared statement (queryPrepared). */
export async function unreadCount(userId: string): Promise<number> {
	const [row] = await queryPrepared<{ n: number }>(sql`select count(*)::int as n from ${notifications} where user_id = ${userId} and read_at is null`)
	return row?.n ?? 0
}

export async function markRead(userId: string, ids?: string[]) {
	await db
		.update(notifications)
		.set({ readAt: new Date() })
		.where(and(eq(notifications.userId, userId), isNull(notifications.readAt), ids ? inArray(notifications.id, ids) : undefined))
}
