import { unreadCount } from '#app/models/notification.server.ts'
import { getSessionSnapshot } from '#app/utils/auth.server.ts'

/**
 * The signed-in user's unread notifications, as counted when the session was looked up: on a GET
 * nothing has written since; after an action (a POST answered with a page) they are counted again.
 */
export async function getUnreadCount(request: Request): Promise<number> {
	const { user, unread } = await getSessionSnapshot(request)
	if (!user) return 0
	return request.method === 'GET' || request.method === 'HEAD' ? unread : unreadCount(user.id)
}
