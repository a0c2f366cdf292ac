import { checkDatabase } from '#app/utils/db.server.ts'

export async function loader() {
	try {
		await checkDatabase()
		return Response.json({ status: 'ok', database: 'ok' }, { headers: { 'Cache-Control': 'no-store' } })
	} catch {
		return Response.json({ status: 'unavailable', database: 'unreachable' }, { status: 503, headers: { 'Cache-Control': 'no-store' } })
	}
}
