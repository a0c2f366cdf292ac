import { spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { chromium } from '@playwright/test'
import { startSmtpSink } from '../smtp-sink.ts'
import { MAIL_DIR } from './mail.ts'

const INSTALL = 'npx playwright install chromium'

function chromiumFound() {
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[]
	return candidates.some((p) => existsSync(p)) || existsSync(chromium.executablePath())
}

/**
 * With no Chromium on the machine, installs Playwright's own (where the network allows), and
 * otherwise fails early with the one command that fixes it.
 */
export default async function globalSetup() {
	// A real SMTP server for the app under test; tests read what it received from files.
	rmSync(MAIL_DIR, { recursive: true, force: true })
	const sink = await startSmtpSink({ port: Number(process.env.E2E_SMTP_PORT ?? 2626), dir: MAIL_DIR })
	const teardown = () => sink.close()
	if (chromiumFound()) return teardown
	console.log(`No Chromium found for the end-to-end tests: running \`${INSTALL}\` …`)
	// why: a fresh machine should need nothing but `npm test`; the download is Playwright's own.
	const install = spawnSync('npx', ['playwright', 'install', 'chromium'], { stdio: 'inherit', timeout: 10 * 60_000 })
	if (install.status === 0 && chromiumFound()) return teardown
	await teardown()
	throw new Error(
		`No Chromium found for the end-to-end tests, and \`${INSTALL}\` could not install one here. Install one with:\n\n    ${INSTALL}\n\n` +
			'(or on Debian/Ubuntu: sudo apt-get install -y chromium, or set CHROMIUM_PATH to a Chromium binary).',
	)
}
