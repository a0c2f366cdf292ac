import { afterAll, beforeAll } from 'vitest'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { startSmtpSink } from './smtp-sink.ts'

type Sink = Awaited<ReturnType<typeof startSmtpSink>>

/**
 * Starts a real SMTP sink for this test file and points SMTP_URL at it for the whole file
 * (restored afterwards). The returned handle reads the running sink, so it can be used in tests.
 */
export function useSmtpSink() {
	let sink: Sink | undefined
	const current = () => {
		if (!sink) throw new Error('The SMTP sink starts in beforeAll: use it inside a hook or a test')
		return sink
	}
	beforeAll(async () => {
		sink = await startSmtpSink()
		process.env.SMTP_URL = sink.url
		resetEnvCache()
	})
	afterAll(async () => {
		delete process.env.SMTP_URL
		resetEnvCache()
		await sink?.close()
	})
	return {
		get url() {
			return current().url
		},
		get messages() {
			return current().messages
		},
	}
}
