import { getEnv } from './env.server.ts'

/** Absolute base for links in emails: APP_URL when set, else the origin the request came to. */
export function appOrigin(request: Request): string {
	const configured = getEnv().APP_URL
	return configured ? new URL(configured).origin : new URL(request.url).origin
}
