import { isValidTimeZone } from '#app/domain/time.ts'

/** The viewer's IANA time zone, from the cookie the browser script sets; UTC without JavaScript. */
export function getTimeZone(request: Request): string {
	const match = /(?:^|;\s*)tz=([^;]+)/.exec(request.headers.get('Cookie') ?? '')
	let tz: string | null = null
	try {
		tz = match ? decodeURIComponent(match[1]!) : null
	} catch {
		// not percent-encoding: not a time zone the browser script wrote
	}
	return isValidTimeZone(tz) ? tz : 'UTC'
}
