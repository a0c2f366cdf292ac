/**
 * Malformed input the issue found answered with 500, each through the real route: ids that are
 * not UUIDs in a participant's forms, a translation namespace named after an Object.prototype
 * key, a time-zone cookie that is not percent-encoding. Each is a 4xx (or ignored), never an
 * exception. (The fuzz in tests/integration/http-crawl-fuzz.test.ts covers every route over HTTP.)
 */
import { describe, expect, test } from 'vitest'
import { loader as localesLoader } from '#app/routes/locales.$lng.$ns.ts'
import { loader as startReview } from '#app/routes/rounds+/$roundId+/review._index.tsx'
import { action as focusAction } from '#app/routes/rounds+/$roundId+/review.$externalId.tsx'
import { action as templatesAction } from '#app/routes/rounds+/$roundId+/templates.tsx'
import { invalidInputCode, loggableError } from '#app/utils/db-errors.ts'
import { db } from '#app/utils/db.server.ts'
import { getTimeZone } from '#app/utils/time.server.ts'
import { sql } from 'drizzle-orm'
import { useTestDatabase } from '#tests/db-utils.ts'
import { createRound, joinAs, setRoundStatus, world } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'
import { startSmtpSink } from '#tests/smtp-sink.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'

useTestDatabase()

describe('malformed input is a 4xx, never a 500', () => {
	test('a participant’s withdraw-flag and delete-feedback forms with ids that are not UUIDs', async () => {
		const sink = await startSmtpSink()
		process.env.SMTP_URL = sink.url
		resetEnvCache()
		try {
			const { owner } = await world(2)
			const roundId = await createRound(owner)
			const ana = await joinAs(owner, roundId, 'ana', sink.messages)
			await setRoundStatus(owner, roundId, 'open')
			// A sample assigned to her, so the action gets as far as the flag id.
			const start = await run(startReview, getRequest('/', { cookie: ana }), {}, { roundId })
			const externalId = decodeURIComponent(start.headers.get('Location')!.split('/').pop()!)
			for (const id of ['not-a-uuid', '------------------------------------', '', "1' or '1'='1", '00000000-0000-0000-0000-00000000000g']) {
				const flag = await run(focusAction, formRequest(`/rounds/${roundId}/review/${externalId}`, { intent: 'withdraw_flag', flagId: id }, { cookie: ana }), {}, { roundId, externalId })
				// "Not yours" (404), as for a real flag of someone else's.
				expect(flag.status, `flagId ${JSON.stringify(id)}`).toBe(404)
				const feedback = await run(templatesAction, formRequest(`/rounds/${roundId}/templates`, { intent: 'delete', id }, { cookie: ana }), {}, { roundId })
				expect(feedback.status, `template id ${JSON.stringify(id)}`).toBeLessThan(500)
			}
		} finally {
			delete process.env.SMTP_URL
			resetEnvCache()
			await sink.close()
		}
	})

	test('translation files are looked up by own key: /locales/en/constructor and /locales/en/toString are 404', async () => {
		for (const ns of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
			const res = await run(localesLoader, getRequest(`/locales/en/${ns}`), {}, { lng: 'en', ns })
			expect(res.status, ns).toBe(404)
		}
		expect((await run(localesLoader, getRequest('/locales/en/common'), {}, { lng: 'en', ns: 'common' })).status).toBe(200)
	})

	test('a time-zone cookie that is not percent-encoding falls back to UTC', () => {
		expect(getTimeZone(getRequest('/', { cookie: 'tz=%E0%A4%A' }))).toBe('UTC')
		expect(getTimeZone(getRequest('/', { cookie: 'tz=Europe%2FParis' }))).toBe('Europe/Paris')
	})

	test('a statement refused for a value it was given is recognised (SQLSTATE class 22) and logged without its parameters', async () => {
		const error = await db.execute(sql`select ${'not-a-uuid: secret-value'}::uuid`).catch((e: unknown) => e)
		expect(invalidInputCode(error)).toBe('22P02')
		const logged = String(loggableError(error))
		expect(logged).toContain('SQLSTATE 22P02')
		expect(logged).not.toContain('secret-value')
	})
})
