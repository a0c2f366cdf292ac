import { expect, test } from 'vitest'
import { isValidTimeZone, utcToZonedLocal, zonedLocalToUtc } from '#app/domain/time.ts'

test('wall-clock times convert to UTC in the viewer’s zone, across DST', () => {
	expect(zonedLocalToUtc('2026-12-01T10:00', 'UTC')?.toISOString()).toBe('2026-12-01T10:00:00.000Z')
	expect(zonedLocalToUtc('2026-12-01T10:00', 'Europe/Paris')?.toISOString()).toBe('2026-12-01T09:00:00.000Z')
	expect(zonedLocalToUtc('2026-07-01T10:00', 'Europe/Paris')?.toISOString()).toBe('2026-07-01T08:00:00.000Z')
	expect(zonedLocalToUtc('2026-07-01T10:00', 'America/Bogota')?.toISOString()).toBe('2026-07-01T15:00:00.000Z')
	expect(zonedLocalToUtc('2026-07-01T10:00', 'Asia/Kolkata')?.toISOString()).toBe('2026-07-01T04:30:00.000Z')
	expect(zonedLocalToUtc('tomorrow', 'UTC')).toBeNull()
})

test('and back, for prefilling a form', () => {
	const instant = new Date('2026-07-01T08:00:00Z')
	expect(utcToZonedLocal(instant, 'Europe/Paris')).toBe('2026-07-01T10:00')
	expect(utcToZonedLocal(instant, 'Asia/Amman')).toBe('2026-07-01T11:00')
})

test('only real IANA zones are accepted', () => {
	expect(isValidTimeZone('Africa/Lagos')).toBe(true)
	expect(isValidTimeZone('Mars/Olympus')).toBe(false)
	expect(isValidTimeZone('x'.repeat(100))).toBe(false)
})
