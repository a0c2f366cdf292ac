import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { SMTPServer } from 'smtp-server'

export type Received = { to: string[]; raw: string; decoded: string }

/** Undoes quoted-printable and base64 body encodings well enough to read links and words. */
export function decodeMime(raw: string): string {
	const qp = raw.replace(/=\r?\n/g, '').replace(/(=[0-9A-F]{2})+/g, (m) => Buffer.from(m.replace(/=/g, ''), 'hex').toString('utf8'))
	const base64Parts = [...raw.matchAll(/Content-Transfer-Encoding: base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/g)].map((m) =>
		Buffer.from(m[1]!.replace(/\s/g, ''), 'base64').toString('utf8'),
	)
	return [qp, ...base64Parts].join('\n')
}

/** A real SMTP server in this process (smtp-server), keeping what it receives — optionally as files too. */
export async function startSmtpSink(options: { port?: number; dir?: string } = {}) {
	const messages: Received[] = []
	if (options.dir) mkdirSync(options.dir, { recursive: true })
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		onData(stream, session, callback) {
			const chunks: Buffer[] = []
			stream.on('data', (c: Buffer) => chunks.push(c))
			stream.on('end', () => {
				const raw = Buffer.concat(chunks).toString('utf8')
				const message = { to: session.envelope.rcptTo.map((r) => r.address), raw, decoded: decodeMime(raw) }
				messages.push(message)
				if (options.dir) writeFileSync(path.join(options.dir, `${Date.now()}-${messages.length}.json`), JSON.stringify(message))
				callback()
			})
		},
	})
	await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
	const address = server.server.address()
	const port = typeof address === 'object' && address ? address.port : 0
	return { port, url: `smtp://127.0.0.1:${port}`, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

export function linkIn(message: Received, pattern: RegExp): string | null {
	return pattern.exec(message.decoded)?.[0] ?? null
}
