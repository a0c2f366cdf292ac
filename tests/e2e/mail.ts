import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { expect } from '@playwright/test'
import { type Received } from '../smtp-sink.ts'

export const MAIL_DIR = path.resolve('.cache/e2e-mail')

/** Waits for the newest email to `to` that the app sent through the SMTP sink. */
export async function mailTo(to: string): Promise<Received> {
	let found: Received | undefined
	await expect
		.poll(
			() => {
				const files = (() => {
					try {
						return readdirSync(MAIL_DIR).sort()
					} catch {
						return []
					}
				})()
				found = files
					.map((f) => JSON.parse(readFileSync(path.join(MAIL_DIR, f), 'utf8')) as Received)
					.reverse()
					.find((m) => m.to.includes(to))
				return !!found
			},
			{ timeout: 15_000 },
		)
		.toBe(true)
	return found!
}

export function invitationPath(mail: Received): string {
	const match = /\/invitations\/[A-Za-z0-9_-]+/.exec(mail.decoded)
	if (!match) throw new Error('No invitation link in the email')
	return match[0]
}
