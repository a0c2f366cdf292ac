import { existsSync, rmSync } from 'node:fs'
import { chromium } from '@playwright/test'
import { startSmtpSink } from '../smtp-sink.ts'
import { MAIL_DIR } from './mail.ts'

/** Fails early, with the one command that fixes it, when no Chromium can be found. */
export default async function globalSetup() {
	// A real SMTP server for the app under test; tests read what it received from files.
	rmSync(MAIL_DIR, { recursive: true, force: true })
	const sink = await startSmtpSink({ port: Number(process.env.E2E_SMTP_PORT ?? 2626), dir: MAIL_DIR })
	const teardown = () => sink.close()
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[]
	if (candidates.some((p) => existsSync(p)) || existsSync(chromium.executablePath())) return teardown
	await teardown()
	throw new Error(
		'No Chromium found for the end-to-end tests. Install one with:\n\n    npx playwright install chromium\n\n' +
			'(or on Debian/Ubuntu: sudo apt-get install -y chromium, or set CHROMIUM_PATH to a Chromium binary).',
	)
}
