import { and, desc, eq, inArray } from 'drizzle-orm'
import nodemailer, { type Transporter } from 'nodemailer'
import SMTPTransport from 'nodemailer/lib/smtp-transport/index.js'
import { emails } from '#db/schema/rounds.ts'
import { db } from './db.server.ts'
import { getEnv } from './env.server.ts'
import { type Language } from './i18n.ts'

export type EmailStatus = 'sent' | 'outbox' | 'failed'

export type EmailInput = {
	to: string
	language: Language
	kind: string
	subject: string
	text: string
	html: string
	/**
	 * Files the email under a dataset, where its team can read it (`listOutbox`). Set it only for
	 * emails the team may see, such as invitations: a reminder to a participant filed here would
	 * tell the team who is behind a pseudonym.
	 */
	datasetId?: string | null
	recipientUserId?: string | null
}

let transport: { url: string; transporter: Transporter<SMTPTransport.SentMessageInfo> } | undefined

// Built once per SMTP_URL; a changed URL (tests) gets a new transport.
function getTransport(url: string) {
	if (transport?.url !== url) {
		transport?.transporter.close()
		transport = {
			url,
			// Short timeouts: an unreachable server should fail a send, not hold a request for minutes.
			transporter: nodemailer.createTransport(new SMTPTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 })),
		}
	}
	return transport.transporter
}

/**
 * Records the email (the outbox), then delivers it when SMTP_URL is set. Never throws for a
 * delivery failure: the row is marked failed and stays readable, so a link can still be copied.
 */
export async function sendEmail(input: EmailInput): Promise<{ id: string; status: EmailStatus }> {
	const env = getEnv()
	// A line break in a subject would let text reach the headers.
	const subject = input.subject.replace(/[\r\n]+/g, ' ').trim()
	const [row] = await db
		.insert(emails)
		.values({
			to: input.to,
			kind: input.kind,
			language: input.language,
			subject,
			text: input.text,
			html: input.html,
			datasetId: input.datasetId ?? null,
			recipientUserId: input.recipientUserId ?? null,
		})
		.returning({ id: emails.id })
	const id = row!.id

	if (!env.SMTP_URL) {
		console.info(`email ${id} ${input.kind}: outbox (SMTP_URL is not set)`)
		return { id, status: 'outbox' }
	}

	try {
		await getTransport(env.SMTP_URL).sendMail({
			from: env.MAIL_FROM,
			to: input.to,
			subject,
			text: input.text,
			html: input.html,
			headers: { 'Content-Language': input.language },
		})
		await db.update(emails).set({ status: 'sent', sentAt: new Date(), error: null }).where(eq(emails.id, id))
		console.info(`email ${id} ${input.kind}: sent`)
		return { id, status: 'sent' }
	} catch (error) {
		const message = describeError(error, env.SMTP_URL)
		await db.update(emails).set({ status: 'failed', error: message }).where(eq(emails.id, id))
		console.warn(`email ${id} ${input.kind}: failed: ${message}`)
		return { id, status: 'failed' }
	}
}

/** The dataset's emails that were not delivered (outbox or failed), newest first, for the team to copy links from. */
export async function listOutbox(datasetId: string, limit = 100) {
	return db
		.select({
			id: emails.id,
			to: emails.to,
			kind: emails.kind,
			subject: emails.subject,
			text: emails.text,
			status: emails.status,
			createdAt: emails.createdAt,
		})
		.from(emails)
		.where(and(eq(emails.datasetId, datasetId), inArray(emails.status, ['outbox', 'failed'])))
		.orderBy(desc(emails.createdAt), desc(emails.id))
		.limit(limit)
}

/** An error message safe to store and log: never the SMTP credentials, never unbounded. */
function describeError(error: unknown, smtpUrl: string): string {
	const e = error as { code?: unknown; responseCode?: unknown; message?: unknown }
	let message = typeof e?.message === 'string' ? e.message : String(error)
	if (typeof e?.code === 'string' && !message.includes(e.code)) message = `${e.code}: ${message}`
	const secrets = new Set<string>([smtpUrl])
	try {
		const url = new URL(smtpUrl)
		for (const part of [url.username, url.password]) {
			if (part) {
				secrets.add(part)
				secrets.add(decodeURIComponent(part))
			}
		}
	} catch {
		// An unparsable URL has no separate parts to hide; the whole URL is already in `secrets`.
	}
	for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
		if (secret.length >= 3) message = message.split(secret).join('***')
	}
	return message.replace(/\s+/g, ' ').slice(0, 500)
}
