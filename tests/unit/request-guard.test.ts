/**
 * The server's request guard (app/server/request-guard.ts) in front of the Origin check, as
 * app/server/express-app.ts mounts them, in a small Express app answered over bare sockets (so Host
 * headers and targets are sent exactly as written): the Host must be APP_URL's (health checks
 * excepted) and well-formed, the Origin check reads the path the router will route, and cookies
 * that would make a parser throw are dropped before the app sees them.
 */
import { type AddressInfo } from 'node:net'
import { type Server } from 'node:http'
import express from 'express'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { originCheck } from '#app/server/origin-check.ts'
import { bodyKind, type GuardedLocals, limitBody, requestGuard, sanitizeCookieHeader } from '#app/server/request-guard.ts'
import { RawConnection, requestHead } from '#tests/raw-http.ts'

function start(appUrl: string | undefined) {
	const app = express()
	app.use(requestGuard({ appUrl }))
	app.use(originCheck(appUrl))
	app.use(limitBody({ form: 1024, json: 2048, upload: 4096 }))
	app.use((req, res) => {
		const locals = res.locals as GuardedLocals
		res.json({ url: locals.url?.href, cookie: req.headers.cookie ?? null, body: locals.body?.toString() ?? null })
	})
	return new Promise<Server>((resolve) => {
		const server = app.listen(0, '127.0.0.1', () => resolve(server))
	})
}

async function send(server: Server, head: string, body = '') {
	const c = new RawConnection((server.address() as AddressInfo).port)
	await c.ready
	await c.write(head + body)
	const res = await c.response()
	c.destroy()
	return {
		status: res.status,
		json: res.headers['content-type']?.includes('json') ? (JSON.parse(res.body.toString()) as { url: string; cookie: string | null; body: string | null }) : null,
		text: res.body.toString(),
	}
}

describe('with APP_URL', () => {
	let server: Server
	beforeAll(async () => {
		server = await start('https://roundtable.example.org')
	})
	afterAll(() => new Promise<void>((r) => server.close(() => r())))

	test("a Host that is not APP_URL's is refused with 400 (a translated page); the health check answers to any", async () => {
		const wrong = await send(server, requestHead('GET', '/', { Host: 'evil.example', 'Accept-Language': 'es' }))
		expect(wrong.status).toBe(400)
		expect(wrong.text).toContain('Solicitud no válida')
		expect((await send(server, requestHead('GET', '/', { Host: 'roundtable.example.org' }))).status).toBe(200)
		expect((await send(server, requestHead('GET', '/', { Host: 'ROUNDTABLE.example.org' }))).status).toBe(200)
		expect((await send(server, requestHead('GET', '/healthz', { Host: '10.0.0.7:3000' }))).status).toBe(200)
	})

	test('X-Forwarded-Host is not trusted without TRUST_PROXY', async () => {
		expect((await send(server, requestHead('GET', '/', { Host: 'evil.example', 'X-Forwarded-Host': 'roundtable.example.org' }))).status).toBe(400)
	})
})

describe('without APP_URL', () => {
	let server: Server
	beforeAll(async () => {
		server = await start(undefined)
	})
	afterAll(() => new Promise<void>((r) => server.close(() => r())))

	test.each(['evil/api', 'a b', 'host:99999', 'host:port', 'a@b', 'a\\b', '[::1', 'x?y', 'x#y', '', '..', 'a..b', '-a.example'])('the malformed Host %j is refused with 400', async (host) => {
		expect((await send(server, requestHead('GET', '/datasets', { Host: host }))).status).toBe(400)
	})

	test('well-formed hosts pass, and the URL the app gets is built from them', async () => {
		for (const host of ['localhost:3000', '127.0.0.1', '[::1]:8080', 'roundtable.example.org', 'a-b.example.']) {
			const res = await send(server, requestHead('GET', '/datasets?x=1', { Host: host }))
			expect(res.status, host).toBe(200)
			expect(res.json!.url).toBe(`http://${host.toLowerCase()}/datasets?x=1`)
		}
	})

	test('targets the router cannot route are refused: absolute-form, "//", "/%5C", invalid UTF-8', async () => {
		for (const target of ['http://evil.example/x', '//evil.example', '/\\evil', '/%5Cevil', '/%ff', '/datasets/%c0%af', '*']) {
			expect((await send(server, requestHead('GET', target, { Host: 'localhost' }))).status, target).toBe(400)
		}
	})

	test('the Origin check reads the path the router routes: /api/../ is not an API path', async () => {
		const head = (target: string) => requestHead('POST', target, { Host: 'localhost', 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': 3 })
		expect((await send(server, head('/api/../datasets/x/edit'), 'a=1')).status).toBe(403)
		expect((await send(server, head('/api/%2e%2e/datasets/x/edit'), 'a=1')).status).toBe(403)
		expect((await send(server, head('/api/v1/datasets/x/versions'), 'a=1')).status).toBe(200)
		const same = requestHead('POST', '/datasets/x/edit', { Host: 'localhost:3000', Origin: 'http://localhost:3000', 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': 3 })
		expect((await send(server, same, 'a=1')).json!.body).toBe('a=1')
	})

	test('cookies a parser would throw on are dropped; the others reach the app', async () => {
		const res = await send(server, requestHead('GET', '/', { Host: 'localhost', Cookie: 'tz=%E0%A4%A; lng=ImZyIg%3D%3D; roundtable_session=abc; bad=%; =x; tz2=Europe%2FParis' }))
		expect(res.json!.cookie).toBe('lng=ImZyIg%3D%3D; roundtable_session=abc; tz2=Europe%2FParis')
		expect(sanitizeCookieHeader('a=1;;b=%zz; c=\u0001; d=2')).toBe('a=1; d=2')
	})

	test('bodies over their kind’s limit are refused with 413 before the app runs', async () => {
		const origin = { Host: 'localhost', Origin: 'http://localhost', 'Content-Type': 'application/x-www-form-urlencoded' }
		expect((await send(server, requestHead('POST', '/signin', { ...origin, 'Content-Length': 1025 }), 'x'.repeat(1025))).status).toBe(413)
		expect((await send(server, requestHead('POST', '/signin', { ...origin, 'Content-Length': 1024 }), 'x'.repeat(1024))).status).toBe(200)
		const api = await send(server, requestHead('POST', '/api/v1/datasets/x/versions', { Host: 'localhost', 'Content-Type': 'application/json', 'Content-Length': 2049 }), 'x'.repeat(2049))
		expect(api.status).toBe(413)
		expect(JSON.parse(api.text)).toMatchObject({ error: { code: 'payload_too_large' } })
	})

	test('which limit a body falls under', () => {
		expect(bodyKind('POST', '/signin')).toBe('form')
		expect(bodyKind('POST', '/datasets/a/versions/v1/import')).toBe('upload')
		expect(bodyKind('POST', '/datasets/a/versions/v1/imports/x')).toBe('form')
		expect(bodyKind('PUT', '/api/v1/datasets/a/versions/v1/samples')).toBe('upload')
		expect(bodyKind('POST', '/api/v1/datasets/a/versions/v1/samples')).toBe('json')
		expect(bodyKind('POST', '/api/v1/datasets/a/versions')).toBe('json')
	})
})
