import { isValidTimeZone } from '#app/domain/time.ts'

/** The viewer's IANA time zone, from the cookie the browser script sets; UTC without JavaScript. */
export function getTimeZone(request: Request): string {
	const match = /(?:^|;\s*)tz=([^;]+)/.exec(request.headers.get('Cookie') ?? '')
	const tz = match ? decodeURIComponent(match[1]!) : null
	return isValidTimeZone(tz) ? tz : 'UTC'
}
