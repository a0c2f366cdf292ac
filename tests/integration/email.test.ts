import { readFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { SMTPServer } from 'smtp-server'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { datasets } from '#db/schema/datasets.ts'
import { emails } from '#db/schema/rounds.ts'
import { renderEmail } from '#app/emails/layout.server.ts'
import { invitationEmail, roundClosedEmail, roundOpenedEmail, roundReminderEmail } from '#app/emails/round-emails.server.ts'
import { db } from '#app/utils/db.server.ts'
import { listOutbox, sendEmail } from '#app/utils/email.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { supportedLanguages } from '#app/domain/enums.ts'
import { type Language } from '#app/utils/i18n.ts'
import { useTestDatabase } from '#tests/db-utils.ts'

useTestDatabase()

const arabic = JSON.parse(readFileSync(path.resolve('locales/ar/emails.json'), 'utf8')) as { invitation: Record<string, string> }
const link = 'https://roundtable.example.org/invitations/tok_3f9a2c?lang=ar&x=1'
const expiresAt = new Date('2030-03-14T12:00:00Z')

const saved = { SMTP_URL: process.env.SMTP_URL, MAIL_FROM: process.env.MAIL_FROM }
let server: SMTPServer
let port: number
const received: Array<{ to: string[]; raw: string }> = []

function useSmtp(url: string | undefined) {
	if (url === undefined) delete process.env.SMTP_URL
	else process.env.SMTP_URL = url
	resetEnvCache()
}

beforeAll(async () => {
	server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		onRcptTo(address, _session, callback) {
			// A recipient the server refuses, to see a failure reported by the server itself.
			if (address.address.startsWith('refused@')) callback(Object.assign(new Error('No such mailbox'), { responseCode: 550 }))
			else callback()
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = []
			stream.on('data', (chunk: Buffer) => chunks.push(chunk))
			stream.on('end', () => {
				// latin1 keeps each byte as one character; the parts are decoded to UTF-8 below.
				received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('latin1') })
				callback()
			})
		},
	})
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
	port = (server.server.address() as AddressInfo).port
})

afterAll(async () => {
	await new Promise<void>((resolve) => server.close(resolve))
	for (const [key, value] of Object.entries(saved)) {
		if (value === undefined) delete process.env[key]
		else process.env[key] = value
	}
	resetEnvCache()
})

beforeEach(() => {
	received.length = 0
	process.env.MAIL_FROM = 'Roundtable Test <roundtable@example.org>'
	useSmtp(`smtp://127.0.0.1:${port}`)
})

afterEach(() => useSmtp(undefined))

async function createDataset(slug = 'tutoring-hints') {
	const [row] = await db.insert(datasets).values({ slug, name: 'Tutoring hints' }).returning({ id: datasets.id })
	return row!.id
}

async function closedPort(): Promise<number> {
	const probe = createServer()
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
	const { port: free } = probe.address() as AddressInfo
	await new Promise<void>((resolve) => probe.close(() => resolve()))
	return free
}

describe('delivery over SMTP', () => {
	test('an Arabic invitation arrives with subject, link, a text and an RTL HTML part, and is marked sent', async () => {
		const email = invitationEmail({
			language: 'ar',
			datasetName: 'Tutoring hints',
			roundTitle: 'الجولة الأولى',
			role: 'community',
			link,
			expiresAt,
			inviterLabel: 'Acme Research',
		})
		const result = await sendEmail({ to: 'amal@example.org', language: 'ar', kind: 'invitation', ...email })
		expect(result.status).toBe('sent')

		expect(received).toHaveLength(1)
		const message = parseMessage(received[0]!.raw)
		expect(received[0]!.to).toEqual(['amal@example.org'])
		expect(message.headers.subject).toBe(email.subject)
		expect(message.headers.subject).toContain('دعوة')
		expect(message.headers.from).toContain('roundtable@example.org')
		expect(message.headers['content-language']).toBe('ar')
		expect(message.headers['content-type']).toMatch(/^multipart\/alternative/)

		const text = message.part('text/plain')
		const html = message.part('text/html')
		expect(text).toContain(link)
		expect(text).toContain(arabic.invitation.action)
		expect(text).toContain(arabic.invitation.about)
		expect(html).toContain('dir="rtl"')
		expect(html).toContain('lang="ar"')
		expect(html).toContain(`href="${link.replace(/&/g, '&amp;')}"`)
		expect(html).toContain(arabic.invitation.action)
		expect(html).toContain('(UTC)')

		const [row] = await db.select().from(emails).where(eq(emails.id, result.id))
		expect(row).toMatchObject({ status: 'sent', error: null, to: 'amal@example.org', kind: 'invitation', language: 'ar' })
		expect(row!.sentAt).toBeInstanceOf(Date)
	})

	test("an owner's personal message is shown escaped in the HTML and never becomes markup", async () => {
		const note = 'Hello <script>alert(1)</script> & "welcome" <img src=x onerror=alert(2)>'
		const email = invitationEmail({
			language: 'en',
			datasetName: 'Tutoring <b>hints</b>',
			roundTitle: 'Round 1',
			role: 'expert',
			expertise: 'Sociolinguistics <i>',
			message: note,
			link,
			expiresAt,
		})
		const result = await sendEmail({ to: 'lee@example.org', language: 'en', kind: 'invitation', ...email })
		expect(result.status).toBe('sent')

		const message = parseMessage(received[0]!.raw)
		const html = message.part('text/html')
		expect(html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;welcome&quot; &lt;img src=x onerror=alert(2)&gt;')
		expect(html).toContain('Tutoring &lt;b&gt;hints&lt;/b&gt;')
		expect(html).toContain('Sociolinguistics &lt;i&gt;')
		expect(html).not.toContain('<script')
		expect(html).not.toContain('<img')
		expect(html).not.toContain('<b>')
		// The plain-text part carries the words as written, quoted.
		expect(message.part('text/plain')).toContain(`> ${note}`)
		const [row] = await db.select({ html: emails.html }).from(emails).where(eq(emails.id, result.id))
		expect(row!.html).not.toContain('<script')
	})

	test('a new SMTP_URL takes effect without a restart', async () => {
		const first = await sendEmail({ to: 'a@example.org', language: 'en', kind: 'test', subject: 'One', text: 'one', html: '<p>one</p>' })
		expect(first.status).toBe('sent')
		useSmtp(`smtp://127.0.0.1:${await closedPort()}`)
		const second = await sendEmail({ to: 'a@example.org', language: 'en', kind: 'test', subject: 'Two', text: 'two', html: '<p>two</p>' })
		expect(second.status).toBe('failed')
		expect(received).toHaveLength(1)
	})
})

describe('failures and the outbox', () => {
	test('without SMTP_URL the email stays in the outbox, where the dataset team can copy its link', async () => {
		useSmtp(undefined)
		const datasetId = await createDataset()
		const otherDatasetId = await createDataset('other')
		const email = invitationEmail({ language: 'es', datasetName: 'Tutoring hints', roundTitle: 'Ronda 1', role: 'community', link, expiresAt })
		const older = await sendEmail({ to: 'old@example.org', language: 'es', kind: 'invitation', datasetId, ...email })
		await new Promise((resolve) => setTimeout(resolve, 5))
		const result = await sendEmail({ to: 'rosa@example.org', language: 'es', kind: 'invitation', datasetId, ...email })
		await sendEmail({ to: 'elsewhere@example.org', language: 'es', kind: 'invitation', datasetId: otherDatasetId, ...email })
		expect(result.status).toBe('outbox')
		expect(received).toHaveLength(0)

		const outbox = await listOutbox(datasetId)
		expect(outbox.map((e) => e.id)).toEqual([result.id, older.id])
		expect(outbox[0]).toMatchObject({ to: 'rosa@example.org', kind: 'invitation', subject: email.subject, status: 'outbox' })
		expect(outbox[0]!.text).toContain(link)
		expect(outbox[0]!.createdAt).toBeInstanceOf(Date)
		expect(Object.keys(outbox[0]!).sort()).toEqual(['createdAt', 'id', 'kind', 'status', 'subject', 'text', 'to'])
		expect(await listOutbox(datasetId, 1)).toHaveLength(1)
		const [row] = await db.select({ sentAt: emails.sentAt }).from(emails).where(eq(emails.id, result.id))
		expect(row!.sentAt).toBeNull()
	})

	test('an unreachable SMTP server yields failed without throwing, and the error keeps no credentials', async () => {
		const datasetId = await createDataset()
		useSmtp(`smtp://mailer:s3cret-Passw0rd@127.0.0.1:${await closedPort()}`)
		const email = roundClosedEmail({ language: 'fr', roundTitle: 'Cycle 1', link })
		const result = await sendEmail({ to: 'zoe@example.org', language: 'fr', kind: 'round_closed', datasetId, ...email })
		expect(result.status).toBe('failed')
		const [row] = await db.select().from(emails).where(eq(emails.id, result.id))
		expect(row!.status).toBe('failed')
		expect(row!.sentAt).toBeNull()
		expect(row!.error).toMatch(/ECONNREFUSED/)
		expect(row!.error).not.toContain('s3cret-Passw0rd')
		// Not delivered, so still the team's to hand over.
		expect((await listOutbox(datasetId)).map((e) => e.status)).toEqual(['failed'])
	})

	test('a recipient the server refuses is marked failed with its reason', async () => {
		const result = await sendEmail({ to: 'refused@example.org', language: 'en', kind: 'test', subject: 'Hi', text: 'hi', html: '<p>hi</p>' })
		expect(result.status).toBe('failed')
		const [row] = await db.select({ error: emails.error }).from(emails).where(eq(emails.id, result.id))
		expect(row!.error).toContain('No such mailbox')
	})

	test('sent emails are not in the outbox', async () => {
		const datasetId = await createDataset()
		const result = await sendEmail({ to: 'a@example.org', language: 'en', kind: 'invitation', datasetId, subject: 'Hi', text: 'hi', html: '<p>hi</p>' })
		expect(result.status).toBe('sent')
		expect(await listOutbox(datasetId)).toEqual([])
	})
})

describe('round emails', () => {
	const closesAt = new Date('2030-06-02T18:00:00Z')

	test('every language renders every email without a missing key', () => {
		for (const language of supportedLanguages) {
			const rendered = [
				invitationEmail({ language, datasetName: 'D', roundTitle: 'R', role: 'community', message: 'Hi', link, expiresAt, inviterLabel: 'Acme' }),
				invitationEmail({ language, datasetName: 'D', roundTitle: 'R', role: 'expert', expertise: 'Law', link, expiresAt }),
				invitationEmail({ language, datasetName: 'D', roundTitle: 'R', role: 'expert', link, expiresAt }),
				roundOpenedEmail({ language, roundTitle: 'R', datasetName: 'D', link, closesAt }),
				roundOpenedEmail({ language, roundTitle: 'R', datasetName: 'D', link, closesAt: null }),
				roundReminderEmail({ language, roundTitle: 'R', remaining: 3, link, closesAt }),
				roundClosedEmail({ language, roundTitle: 'R', link }),
			]
			for (const email of rendered) {
				expect(email.text, `${language}: ${email.subject}`).not.toMatch(/\b(invitation|roundOpened|roundReminder|roundClosed|footer)\.\w+/)
				expect(email.text).not.toContain('{{')
				expect(email.html).toContain(`lang="${language}"`)
				expect(email.html).toContain(`dir="${['ar', 'ur'].includes(language) ? 'rtl' : 'ltr'}"`)
			}
		}
	})

	test('the reminder counts remaining samples in the plural forms of each language', () => {
		const remind = (language: Language, remaining: number) => roundReminderEmail({ language, roundTitle: 'R', remaining, link, closesAt }).text
		expect(remind('en', 1)).toContain('You still have 1 sample to review')
		expect(remind('en', 4)).toContain('You still have 4 samples to review')
		expect(remind('es', 1)).toContain('1 muestra por revisar')
		expect(remind('es', 12)).toContain('12 muestras por revisar')
		expect(remind('ar', 2)).toContain('عينتان')
		expect(remind('ar', 5)).toContain('5 عينات')
		expect(remind('ar', 11)).toContain('11 عينة')
	})

	test('dates are written for the language, in UTC, and say so', () => {
		const en = roundReminderEmail({ language: 'en', roundTitle: 'R', remaining: 2, link, closesAt: new Date('2030-06-02T23:30:00Z') })
		// The title and the date are each isolated (FSI … PDI), so neither reorders the sentence.
		expect(en.subject).toBe('Reminder: “\u2068R\u2069” closes on \u2068June 2, 2030 (UTC)\u2069')
		const fr = roundOpenedEmail({ language: 'fr', roundTitle: 'R', datasetName: 'D', link, closesAt })
		expect(fr.text).toContain('2 juin 2030 (UTC)')
		const invitation = invitationEmail({ language: 'es', datasetName: 'D', roundTitle: 'R', role: 'community', link, expiresAt })
		expect(invitation.text).toContain('14 de marzo de 2030 (UTC)')
	})

	test('links must be absolute http(s) URLs', () => {
		expect(() => renderEmail({ language: 'en', subject: 'S', paragraphs: ['p'], footer: 'f', action: { label: 'Go', url: 'javascript:alert(1)' } })).toThrow()
		expect(() => renderEmail({ language: 'en', subject: 'S', paragraphs: ['p'], footer: 'f', action: { label: 'Go', url: '/relative' } })).toThrow()
	})
})

type ParsedMessage = { headers: Record<string, string>; part(type: string): string }

/** Just enough MIME to read what nodemailer sends: headers, one level of multipart, QP and base64. */
function parseMessage(raw: string): ParsedMessage {
	const { headers, body } = splitEntity(raw)
	const parts: Array<{ type: string; body: string }> = []
	const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1]
	const entities = boundary
		? body
				.split(`--${boundary}`)
				.slice(1)
				.filter((chunk) => !chunk.startsWith('--'))
				.map((chunk) => splitEntity(chunk.replace(/^\r?\n/, '')))
		: [{ headers, body }]
	for (const entity of entities) {
		const type = (entity.headers['content-type'] ?? 'text/plain').split(';')[0]!.trim().toLowerCase()
		parts.push({ type, body: decodeBody(entity.body, entity.headers['content-transfer-encoding'] ?? '7bit') })
	}
	return {
		headers,
		part(type) {
			const found = parts.find((p) => p.type === type)
			if (!found) throw new Error(`No ${type} part; found ${parts.map((p) => p.type).join(', ')}`)
			return found.body
		},
	}
}

function splitEntity(raw: string) {
	const at = raw.search(/\r?\n\r?\n/)
	const head = at === -1 ? raw : raw.slice(0, at)
	const body = at === -1 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '')
	const headers: Record<string, string> = {}
	for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
		const colon = line.indexOf(':')
		if (colon === -1) continue
		const name = line.slice(0, colon).trim().toLowerCase()
		headers[name] ??= decodeHeader(line.slice(colon + 1).trim())
	}
	return { headers, body }
}

const latin1Bytes = (s: string) => Buffer.from(s, 'latin1')

function decodeBody(body: string, encoding: string): string {
	switch (encoding.trim().toLowerCase()) {
		case 'base64':
			return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
		case 'quoted-printable':
			return qpBytes(body.replace(/=\r?\n/g, '')).toString('utf8')
		default:
			return latin1Bytes(body).toString('utf8')
	}
}

function qpBytes(input: string, underscoreIsSpace = false): Buffer {
	const bytes: number[] = []
	for (let i = 0; i < input.length; i++) {
		const hex = input.slice(i + 1, i + 3)
		if (input[i] === '=' && /^[0-9a-f]{2}$/i.test(hex)) {
			bytes.push(parseInt(hex, 16))
			i += 2
		} else if (underscoreIsSpace && input[i] === '_') bytes.push(0x20)
		else bytes.push(input.charCodeAt(i) & 0xff)
	}
	return Buffer.from(bytes)
}

// Adjacent encoded words are one run of bytes: a character may be split across two of them.
function decodeHeader(value: string): string {
	const word = /=\?[^?]+\?([bq])\?([^?]*)\?=/gi
	return value.replace(/=\?[^?]+\?[bq]\?[^?]*\?=(?:\s+=\?[^?]+\?[bq]\?[^?]*\?=)*/gi, (run) =>
		Buffer.concat([...run.matchAll(word)].map(([, kind, data]) => (kind!.toLowerCase() === 'b' ? Buffer.from(data!, 'base64') : qpBytes(data!, true)))).toString('utf8'),
	)
}
