/** Time-zone helpers without a library: Intl knows every zone's offset at any instant. */

export function isValidTimeZone(tz: unknown): tz is string {
	if (typeof tz !== 'string' || tz.length > 64) return false
	try {
		new Intl.DateTimeFormat('en', { timeZone: tz })
		return true
	} catch {
		return false
	}
}

/** Offset of `tz` from UTC at `instant`, in milliseconds (e.g. +3_600_000 for Paris in winter). */
function offsetAt(instant: number, tz: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone: tz,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(instant))
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
	const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
	return asUtc - Math.floor(instant / 1000) * 1000
}

/** "2026-12-01T10:00" as a wall-clock time in `tz` → the UTC instant; null when malformed. */
export function zonedLocalToUtc(local: string, tz: string): Date | null {
	const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local)
	if (!m) return null
	const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number]
	const wall = Date.UTC(y, mo - 1, d, h, mi)
	if (Number.isNaN(wall)) return null
	// Two passes settle the offset across DST changes.
	let guess = wall - offsetAt(wall, tz)
	guess = wall - offsetAt(guess, tz)
	return new Date(guess)
}

/** The UTC instant as a datetime-local value in `tz` (for prefilling inputs). */
export function utcToZonedLocal(instant: Date, tz: string): string {
	const wall = new Date(instant.getTime() + offsetAt(instant.getTime(), tz))
	return wall.toISOString().slice(0, 16)
}
