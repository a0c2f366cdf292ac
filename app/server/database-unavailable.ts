import { type ServerBuild } from '@remix-run/node'
import { databaseUnavailableCode, invalidInputCode } from '../utils/db-errors.ts'

type DataFunction = (args: { request: Request }) => unknown

/**
 * A loader or action that fails because the database is unreachable throws a 503 Response
 * instead, so pages show the translated "temporarily unavailable" error page rather than a 500;
 * one whose statement the database refused for a value it was given (SQLSTATE class 22: not a
 * UUID, out of range…) throws a 400, the translated "bad request" page.
 * (API routes answer their own JSON 503: app/utils/api.server.ts.)
 */
export function answer503WhenDatabaseDown(serverBuild: ServerBuild): ServerBuild {
	const wrap = (fn: DataFunction | undefined) =>
		fn &&
		(async (args: { request: Request }) => {
			try {
				return await fn(args)
			} catch (error) {
				const answer = databaseErrorAnswer(error, `${args.request.method} ${new URL(args.request.url).pathname}`)
				if (!answer) throw error
				throw new Response(answer.statusText, answer)
			}
		})
	const routes = Object.fromEntries(
		Object.entries(serverBuild.routes).map(([id, route]) => {
			const mod = route.module as typeof route.module & { loader?: DataFunction; action?: DataFunction }
			return [id, { ...route, module: { ...mod, loader: wrap(mod.loader), action: wrap(mod.action) } }]
		}),
	) as ServerBuild['routes']
	return { ...serverBuild, routes }
}

/**
 * The answer to an error from the database that is not a bug: 400 for a value it refused (SQLSTATE
 * class 22), 503 (logged with `what`, the code only) when it cannot be reached; null for any other
 * error. Shared by the wrapper above and the server's own doors (app/server/review-sync-door.ts).
 */
export function databaseErrorAnswer(error: unknown, what: string): { status: 400 | 503; statusText: string; headers: Record<string, string> } | null {
	if (invalidInputCode(error)) return { status: 400, statusText: 'Bad Request', headers: { 'Cache-Control': 'no-store' } }
	const code = databaseUnavailableCode(error)
	if (!code) return null
	console.error(`${what}: database unavailable (${code})`)
	return { status: 503, statusText: 'Service Unavailable', headers: { 'Retry-After': '5', 'Cache-Control': 'no-store' } }
}
