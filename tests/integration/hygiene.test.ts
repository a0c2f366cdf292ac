/**
 * Hygiene: secrets never reach the logs, and every kind of response carries the security headers.
 *
 * Logs: everything written through console.* and straight to stdout/stderr is captured while the
 * real routes sign up, sign in (also wrongly), use a session, invite and accept, make and use an
 * API token (also a wrong one), change a password and fail to send mail through an SMTP server
 * with a password; then no password, session cookie, invitation token, API token or SMTP password
 * may appear in what was captured — nor in the audit log, which the team reads.
 *
 * Headers: the server's own middleware (app/server/security-headers.ts, in front of the Origin
 * check, as app/server/express-app.ts mounts them) in a small Express app with one handler per kind of
 * response the real server gives.
 */
import { readdirSync, readFileSync, mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { format } from 'node:util'
import express from 'express'
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { auditEvents } from '#db/schema/issues.ts'
import { action as passwordAction } from '#app/routes/account+/password.tsx'
import { action as tokensAction } from '#app/routes/account+/tokens.tsx'
import { loader as accountLoader } from '#app/routes/account+/_index.tsx'
import * as gateRoute from '#app/routes/api+/v1.datasets.$dataset.versions.$version.gate.ts'
import { loader as datasetsLoader } from '#app/routes/datasets+/_index.tsx'
import { loader as invitationLoader } from '#app/routes/invitations.$token.tsx'
import { action as signinAction } from '#app/routes/_auth+/signin.tsx'
import { action as signoutAction } from '#app/routes/_auth+/signout.tsx'
import { originCheck } from '#app/server/origin-check.ts'
import { securityHeaders } from '#app/server/security-headers.ts'
import { db } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { createRound, joinAs, P, roundAction, tokenFrom, world } from '#tests/round-fixtures.ts'
import { cookiesFrom, formRequest, getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

// ---------------------------------------------------------------------------------------------
// Capturing everything the app logs

const captured: string[] = []
function startCapture() {
	for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
		vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void captured.push(format(...args)))
	}
	for (const stream of [process.stdout, process.stderr]) {
		vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
			captured.push(String(chunk))
			return true
		}) as typeof stream.write)
	}
}
afterEach(() => {
	vi.restoreAllMocks()
})

const sink = useSmtpSink()

/** The value of each cookie in a Cookie header, raw and decoded. */
const cookieValues = (cookie: string) =>
	cookie.split('; ').flatMap((c) => {
		const value = c.slice(c.indexOf('=') + 1)
		return [value, decodeURIComponent(value)]
	})

describe('secrets never reach the logs', () => {
	test('sign-in, session use, invitation, API token, password change and a failed email leave no secret in the logs or the audit log', async () => {
		startCapture()
		const secrets = new Map<string, string>()
		const keep = (name: string, value: string | null | undefined) => {
			expect(value, name).toBeTruthy()
			secrets.set(name, value!)
		}

		// Accounts made through the real sign-up route (round-fixtures), all with this password.
		keep('fixture password', 'long enough password')
		const w = await world(3)
		for (const v of cookieValues(w.owner)) keep('owner sign-up session', v)

		// Sign in: right, then wrong.
		const signedIn = await run(signinAction, formRequest('/signin', { email: 'owner@example.org', password: 'long enough password' }))
		expect(signedIn.status).toBe(302)
		const session = cookiesFrom(signedIn.headers)
		for (const v of cookieValues(session)) keep('sign-in session', v)
		keep('wrong password', 'Tr0ub4dor&3-not-the-password')
		expect((await run(signinAction, formRequest('/signin', { email: 'owner@example.org', password: secrets.get('wrong password')! }))).status).toBe(400)

		// Using the session, and an unknown session id.
		expect((await run(accountLoader, getRequest('/account', { cookie: session }))).status).toBe(200)
		expect((await run(datasetsLoader, getRequest('/datasets', { cookie: session }))).status).toBe(200)
		const forged = session.replace(/=([^;]+)/, '=forged-session-id-0123456789abcdef')
		keep('forged session id', 'forged-session-id-0123456789abcdef')
		expect((await run(datasetsLoader, getRequest('/datasets', { cookie: forged }))).status).toBe(302)

		// An invitation: sent, its page opened, accepted.
		const roundId = await createRound(session)
		await roundAction(session, roundId, { intent: 'invite', emails: 'peeking@example.org', role: 'community', expertise: '' })
		const opened = tokenFrom(sink.messages, 'peeking@example.org')
		keep('opened invitation token', opened)
		expect((await run(invitationLoader, getRequest(`/invitations/${opened}`), {}, { token: opened! })).status).toBe(200)
		const participant = await joinAs(session, roundId, 'rami', sink.messages)
		keep('accepted invitation token', tokenFrom(sink.messages, 'rami@example.org'))
		for (const v of cookieValues(participant)) keep('participant session', v)
		keep('malformed invitation token', 'not-a-real-token-but-still-secret')
		expect((await run(invitationLoader, getRequest('/invitations/x'), {}, { token: secrets.get('malformed invitation token')! })).status).toBe(404)

		// An API token: made, used, misused, revoked.
		const body = new URLSearchParams({ intent: 'create', name: 'ci', datasets: P.slug })
		const created = await run(
			tokensAction,
			new Request(`${TEST_ORIGIN}/account/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: TEST_ORIGIN, Cookie: session }, body }),
		)
		const token = (created.data as { created: { token: string } }).created.token
		keep('API token', token)
		const gate = (bearer: string) =>
			run(gateRoute.loader as never, getRequest(`/api/v1/datasets/${P.slug}/versions/${P.label}/gate`, { headers: { Authorization: `Bearer ${bearer}` } }), {}, { dataset: P.slug, version: P.label })
		expect((await gate(token)).status).toBe(200)
		const wrong = `rt_${'x'.repeat(43)}`
		keep('unknown API token', wrong)
		expect((await gate(wrong)).status).toBe(401)
		expect((await gate(`${token.slice(0, -2)}zz`)).status).toBe(401)

		// A password change, right and wrong.
		keep('new password', 'correct horse battery staple 2')
		const changed = await run(
			passwordAction,
			formRequest('/account/password', { currentPassword: 'long enough password', newPassword: secrets.get('new password')!, confirmPassword: secrets.get('new password')! }, { cookie: session }),
		)
		expect(changed.status).toBe(200)
		const fresh = cookiesFrom(changed.headers)
		for (const v of cookieValues(fresh)) keep('session after password change', v)
		keep('wrong current password', 'guessing-the-current-one')
		expect(
			(
				await run(
					passwordAction,
					formRequest('/account/password', { currentPassword: secrets.get('wrong current password')!, newPassword: 'x'.repeat(20), confirmPassword: 'x'.repeat(20) }, { cookie: participant }),
				)
			).status,
		).toBe(400)

		// An SMTP server that cannot be reached, configured with a password: the failure is logged, the password is not.
		keep('SMTP password', 's3cr3t-smtp-Pa55')
		process.env.SMTP_URL = `smtp://mailer:${secrets.get('SMTP password')}@127.0.0.1:1`
		resetEnvCache()
		try {
			expect((await roundAction(fresh, roundId, { intent: 'invite', emails: 'unlucky@example.org', role: 'community', expertise: '' })).status).toBe(200)
		} finally {
			process.env.SMTP_URL = sink.url
			resetEnvCache()
		}
		await run(signoutAction, formRequest('/signout', {}, { cookie: participant }))

		const logs = captured.join('\n')
		// The capture works: the mailer said what it did, including the failure.
		expect(logs).toMatch(/email .+: sent/)
		expect(logs).toMatch(/email .+: failed/)
		const audit = JSON.stringify(await db.select().from(auditEvents))
		for (const [name, value] of secrets) {
			expect(logs.includes(value), `${name} appears in the logs`).toBe(false)
			expect(audit.includes(value), `${name} appears in the audit log`).toBe(false)
		}
	})
})

// ---------------------------------------------------------------------------------------------
// Security headers on every kind of response

describe('security headers on every kind of response', () => {
	let base = ''
	let close: () => Promise<void> = async () => {}
	let publicDir = ''

	beforeAll(async () => {
		publicDir = mkdtempSync(path.join(tmpdir(), 'rt-static-'))
		mkdirSync(path.join(publicDir, 'assets'))
		writeFileSync(path.join(publicDir, 'assets', 'entry.client-abc123.js'), 'console.log(1)')
		writeFileSync(path.join(publicDir, 'favicon.ico'), 'icon')
		// The order of app/server/express-app.ts: headers, Origin check, compression, static files, then Remix.
		const app = express()
		app.disable('x-powered-by')
		app.set('trust proxy', true)
		app.use(securityHeaders())
		app.use(originCheck(undefined))
		app.use('/assets', express.static(path.join(publicDir, 'assets'), { immutable: true, maxAge: '1y' }))
		app.use(express.static(publicDir, { maxAge: '1h' }))
		// Stand-ins for what Remix answers: a document, a resource route, the API, a redirect, an error page.
		app.get('/datasets', (_req, res) => res.type('html').send(`<!doctype html><script nonce="${res.locals.cspNonce as string}"></script>`))
		app.get('/locales/en/common.json', (_req, res) => res.json({ hello: 'Hello' }))
		app.all('/api/v1/openapi.json', (_req, res) => res.json({ openapi: '3.1.0' }))
		app.post('/api/v1/datasets/x/versions', (_req, res) => res.status(401).json({ error: { code: 'unauthenticated' } }))
		app.post('/signin', (_req, res) => res.redirect(302, '/'))
		app.get('/healthz', (_req, res) => res.type('text/plain').send('ok'))
		app.use((_req, res) => res.status(404).type('html').send('<!doctype html><h1>Not found</h1>'))
		await new Promise<void>((resolve) => {
			const server = app.listen(0, '127.0.0.1', () => {
				base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
				resolve()
			})
			close = () => new Promise((done) => server.close(() => done()))
		})
	})
	afterAll(async () => {
		await close()
		rmSync(publicDir, { recursive: true, force: true })
	})

	const kinds: [string, string, RequestInit?][] = [
		['HTML document', '/datasets'],
		['JSON resource route', '/locales/en/common.json'],
		['API JSON', '/api/v1/openapi.json'],
		['API error', '/api/v1/datasets/x/versions', { method: 'POST', body: '{}' }],
		['static asset', '/assets/entry.client-abc123.js'],
		['static file', '/favicon.ico'],
		['redirect after a form post', '/signin', { method: 'POST', headers: { Origin: 'http://127.0.0.1' } }],
		['Origin check refusal', '/signin', { method: 'POST', headers: { Origin: 'https://evil.example' } }],
		['plain text', '/healthz'],
		['not found', '/nope'],
		['HEAD', '/datasets', { method: 'HEAD' }],
	]

	for (const [kind, url, init] of kinds) {
		test(`${kind}: nosniff, frame and referrer rules, isolation, permissions and a CSP with a fresh nonce; HSTS only over HTTPS`, async () => {
			const headers = { ...(init?.headers as Record<string, string> | undefined) }
			if (headers.Origin === 'http://127.0.0.1') headers.Origin = base
			const plain = await fetch(`${base}${url}`, { ...init, headers, redirect: 'manual' })
			const again = await fetch(`${base}${url}`, { ...init, headers, redirect: 'manual' })
			const https = await fetch(`${base}${url}`, { ...init, headers: { ...headers, 'X-Forwarded-Proto': 'https' }, redirect: 'manual' })
			for (const res of [plain, again, https]) {
				expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff')
				expect(res.headers.get('X-Frame-Options')).toBe('DENY')
				expect(res.headers.get('Referrer-Policy')).toBe('same-origin')
				expect(res.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin')
				expect(res.headers.get('Cross-Origin-Resource-Policy')).toBe('same-origin')
				expect(res.headers.get('Permissions-Policy')).toContain('camera=()')
				const csp = res.headers.get('Content-Security-Policy') ?? ''
				expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/)
				expect(csp).toContain("frame-ancestors 'none'")
				expect(csp).not.toContain('unsafe-')
				expect(res.headers.get('X-Powered-By')).toBeNull()
			}
			expect(plain.headers.get('Strict-Transport-Security')).toBeNull()
			expect(https.headers.get('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains')
			expect(https.headers.get('Content-Security-Policy')).toContain('upgrade-insecure-requests')
			const nonce = (res: Response) => /'nonce-([^']+)'/.exec(res.headers.get('Content-Security-Policy') ?? '')?.[1]
			expect(nonce(plain)).not.toBe(nonce(again))
			if (kind === 'HTML document') expect(await plain.text()).toContain(`nonce="${nonce(plain)}"`)
			if (kind === 'Origin check refusal') expect(plain.status).toBe(403)
		})
	}

	test('no route sets a security header of its own, except to the server’s own value (Remix would let it replace the server’s)', () => {
		const sameValue = /['"]X-Content-Type-Options['"]\s*:\s*['"]nosniff['"]/gi
		const names = /content-security-policy|x-frame-options|x-content-type-options|referrer-policy|cross-origin-(opener|resource)-policy|strict-transport-security|permissions-policy/i
		const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]))
		const offenders = ['app/routes', 'app/utils', 'app/models', 'app/entry.server.tsx', 'app/root.tsx']
			.flatMap((p) => (p.endsWith('.tsx') ? [p] : files(p)))
			.filter((f) => /\.tsx?$/.test(f) && !f.endsWith('http-security.ts') && names.test(readFileSync(f, 'utf8').replace(sameValue, '')))
		expect(offenders).toEqual([])
	})
})
