import { existsSync } from 'node:fs'
import { chromium } from '@playwright/test'

/** Fails early, with the one command that fixes it, when no Chromium can be found. */
export default async function globalSetup() {
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[]
	if (candidates.some((p) => existsSync(p))) return
	if (existsSync(chromium.executablePath())) return
	throw new Error(
		'No Chromium found for the end-to-end tests. Install one with:\n\n    npx playwright install chromium\n\n' +
			'(or on Debian/Ubuntu: sudo apt-get install -y chromium, or set CHROMIUM_PATH to a Chromium binary).',
	)
}
