import { configuredOrigin } from './env.server.ts'

/**
 * Absolute base for links in emails: APP_URL when set; in production without it
 * http://localhost:PORT, unless the operator opted in to the request's own origin
 * (APP_URL_FROM_HOST, decision 024); the request's origin in development and tests.
 */
export function appOrigin(request: Request): string {
	return configuredOrigin() ?? new URL(request.url).origin
}
