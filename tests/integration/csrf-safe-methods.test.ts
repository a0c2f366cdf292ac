/**
 * CSRF and safe methods, on the world of tests/authz/world.ts.
 * (a) Every non-API route with an action refuses a POST whose Origin is foreign, missing or the
 *     opaque "null": through the exported rule (isMutationAllowed) for each route's path, and
 *     through the server's own middleware (app/server/origin-check.ts) in an in-process Express
 *     app whose Remix handler is built from the real route modules — so a request the check let
 *     through would really run the action.
 * (b) No loader writes: every loader, as every principal, leaves every table as it was, apart
 *     from the bookkeeping listed in `allowedWrites`.
 */
import http from 'node:http'
import { type AddressInfo } from 'node:net'
import { createRequestHandler } from '@remix-run/express'
import { type ServerBuild } from '@remix-run/node'
import { eq, sql } from 'drizzle-orm'
import express from 'express'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { datasets } from '#db/schema/datasets.ts'
import * as entryServer from '#app/entry.server.tsx'
import { originCheck } from '#app/server/origin-check.ts'
import { db, query } from '#app/utils/db.server.ts'
import { isMutationAllowed, isTokenOnlyPath } from '#app/utils/http-security.ts'
import { columns, defaultParams, matrix, paramOverrides, postBodies } from '#tests/authz/matrix.ts'
import { appRoutes, buildRequest, callRoute, fillPath, type AppRoute } from '#tests/authz/routes.ts'
import { buildWorld, freshCookie, isPerson, principals, type Principal, type World } from '#tests/authz/world.ts'
import { useTestDatabase } from '#tests/db-utils.ts'

useTestDatabase({ emptyBeforeEach: false })

const routes = await appRoutes()
let w: World
let server: http.Server
let base: { host: string; port: number; origin: string }

/** The Remix server build, assembled from the route config and modules the app is built from. */
function serverBuild(all: AppRoute[]): ServerBuild {
	return {
		mode: 'production',
		entry: { module: entryServer as unknown as ServerBuild['entry']['module'] },
		routes: Object.fromEntries(all.map((r) => [r.id, { id: r.id, parentId: r.parentId, path: r.relativePath, index: r.index || undefined, caseSensitive: undefined, module: r.module as never }])),
		assets: { entry: { imports: [], module: '' }, routes: {}, url: '', version: 'test' },
		publicPath: '/',
		assetsBuildDirectory: 'build/client',
		future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true, v3_lazyRouteDiscovery: false, v3_singleFetch: true },
		isSpaMode: false,
	}
}

beforeAll(async () => {
	w = await buildWorld()
	// The server's middleware order for mutations: the Origin check, then Remix (app/server/express-app.ts).
	const app = express()
	app.use(originCheck(undefined))
	app.all('*', createRequestHandler({ build: serverBuild(routes), mode: 'production', getLoadContext: () => ({ cspNonce: '', clientIp: '198.51.100.9' }) }))
	server = await new Promise<http.Server>((resolve) => {
		const s = app.listen(0, '127.0.0.1', () => resolve(s))
	})
	const { port } = server.address() as AddressInfo
	base = { host: '127.0.0.1', port, origin: `http://127.0.0.1:${port}` }
})
afterAll(async () => {
	await new Promise((resolve) => server?.close(resolve))
})

type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string }

/** A raw HTTP request: the path goes on the wire exactly as written (no client-side normalising). */
async function send(request: Request, rawPath = new URL(request.url).pathname + new URL(request.url).search): Promise<Reply> {
	const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined
	const headers: Record<string, string> = Object.fromEntries(request.headers)
	if (body) headers['content-length'] = String(body.byteLength)
	return new Promise((resolve, reject) => {
		const req = http.request({ host: base.host, port: base.port, method: request.method, path: rawPath, headers }, (res) => {
			const chunks: Buffer[] = []
			res.on('data', (c: Buffer) => chunks.push(c))
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
		})
		req.on('error', reject)
		req.end(body)
	})
}

function paramsFor(route: AppRoute) {
	const all = { ...defaultParams(w), ...paramOverrides[route.id]?.(w) }
	return Object.fromEntries(route.params.map((p) => [p, all[p]!]))
}

/** A route's URL as its own form posts to it (`?index` picks an index route over its parent). */
const urlOf = (route: AppRoute) => fillPath(route.path, paramsFor(route)) + (route.index ? '?index' : '')

/** Whom the matrix lets through this action: the request a forger would want to make. */
function authorised(route: AppRoute): Principal {
	const row = matrix[route.id]?.POST
	const preferred: Principal[] = ['owner', 'participant', 'stranger', 'anonymous']
	return preferred.find((p) => typeof row?.[columns.indexOf(p)] === 'number' && (row[columns.indexOf(p)] as number) < 400) ?? 'owner'
}

// ---------------------------------------------------------------------------------------------
// A fingerprint of every table: row count and an md5 of its rows in a stable order.

/** What a GET may write, and why; everything else must stay byte for byte the same. */
const allowedWrites: Record<string, { ignoreColumns?: string[]; ignoreRows?: string; why: string }> = {
	sessions: { ignoreColumns: ['expires_at'], why: 'sliding sessions: checking a session past half its life extends it (lucia), on every page' },
	api_tokens: { ignoreColumns: ['last_used_at'], why: 'the API records when a token was last used (at most once a minute), on GETs too' },
	rate_limits: { ignoreRows: `key like 'api:%'`, why: 'the per-token API rate limit counts every request, GETs included; it lives in PostgreSQL, not in memory' },
}

async function fingerprint() {
	const tables = await query<{ tablename: string }>(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`)
	const out: Record<string, string> = {}
	for (const { tablename } of tables) {
		const allowed = allowedWrites[tablename]
		const row = allowed?.ignoreColumns ? `(to_jsonb(t) - ${allowed.ignoreColumns.map((c) => `'${c}'`).join(' - ')})::text` : 't::text'
		const where = allowed?.ignoreRows ? `where not (${allowed.ignoreRows})` : ''
		const [r] = await query<{ n: number; sum: string }>(sql.raw(`select count(*)::int as n, md5(coalesce(string_agg(${row}, E'\\n' order by ${row}), '')) as sum from "${tablename}" t ${where}`))
		out[tablename] = `${r!.n} rows ${r!.sum}`
	}
	return out
}

// ---------------------------------------------------------------------------------------------

const actionRoutes = () => routes.filter((r) => r.module.action && !isTokenOnlyPath(r.path))
const badOrigins = [
	{ name: 'a foreign Origin', origin: 'https://evil.example' },
	{ name: 'no Origin', origin: null },
	{ name: 'the opaque "null" Origin', origin: 'null' },
] as const

describe('(a) the Origin check on every action', () => {
	test('there are actions to check, and every one is on the web side (the API is token-only)', () => {
		const paths = actionRoutes().map((r) => r.path)
		expect(paths.length).toBeGreaterThan(25)
		for (const r of routes.filter((r) => r.module.action && isTokenOnlyPath(r.path))) expect(r.file, 'token-only paths are API routes').toMatch(/^routes\/api\+\//)
	})

	test('the rule refuses every action path with a foreign, missing or "null" Origin, and passes the same origin', () => {
		const expectedOrigin = 'https://roundtable.example'
		for (const route of actionRoutes()) {
			const pathname = new URL(urlOf(route), expectedOrigin).pathname
			for (const { name, origin } of badOrigins) {
				expect(isMutationAllowed({ method: 'POST', pathname, origin: origin ?? undefined, expectedOrigin }), `${route.id} with ${name}`).toBe(false)
			}
			expect(isMutationAllowed({ method: 'POST', pathname, origin: expectedOrigin, expectedOrigin }), `${route.id} from the same origin`).toBe(true)
		}
	})

	test('through the server: every action answers 403 to a forged POST, and nothing changes', async () => {
		const cookies = new Map<Principal, string>()
		for (const p of new Set(actionRoutes().map(authorised))) if (isPerson(p)) cookies.set(p, await freshCookie(w.accounts[p].id))
		const before = await fingerprint()
		const refused: string[] = []
		for (const route of actionRoutes()) {
			const principal = authorised(route)
			const cookie = cookies.get(principal)
			for (const { name, origin } of badOrigins) {
				const body = await postBodies[route.id]!(w, principal)
				const request = buildRequest(w, principal, { method: 'POST', path: urlOf(route), params: paramsFor(route), body, cookie, origin })
				const res = await send(request)
				if (res.status !== 403) refused.push(`${route.id} as ${principal} with ${name}: ${res.status} ${res.body.slice(0, 200)}`)
			}
		}
		expect(refused, 'forged POSTs that were not refused').toEqual([])
		expect(await fingerprint()).toEqual(before)
	})

	test('the same POST from our own origin does reach the action (the refusals above are the check, not a broken set-up)', async () => {
		const cookie = await freshCookie(w.accounts.owner.id)
		const edit = (origin: string | null) =>
			buildRequest(w, 'owner', {
				method: 'POST',
				path: `/datasets/${w.a.slug}/edit.data`,
				params: {},
				cookie,
				origin,
				body: { form: { name: 'Alpha', slug: w.a.slug, description: `Edited from ${origin}`, revision: '0' } },
			})
		const description = async () => (await db.select({ d: datasets.description }).from(datasets).where(eq(datasets.id, w.a.datasetId)))[0]!.d
		const revision = async () => String((await db.select({ r: datasets.revision }).from(datasets).where(eq(datasets.id, w.a.datasetId)))[0]!.r)

		const forged = edit('https://evil.example')
		expect((await send(forged)).status).toBe(403)
		expect(await description()).not.toContain('evil')

		const own = buildRequest(w, 'owner', {
			method: 'POST',
			path: `/datasets/${w.a.slug}/edit.data`,
			params: {},
			cookie,
			origin: base.origin,
			body: { form: { name: 'Alpha', slug: w.a.slug, description: 'Edited from here', revision: await revision() } },
		})
		const res = await send(own)
		expect(res.status, res.body.slice(0, 300)).toBeLessThan(400)
		expect(await description()).toBe('Edited from here')
	})

	test('a path that only looks like /api/ before dot segments are resolved is checked like the page it reaches', async () => {
		const cookie = await freshCookie(w.accounts.owner.id)
		const description = async () => (await db.select({ d: datasets.description }).from(datasets).where(eq(datasets.id, w.a.datasetId)))[0]!.d
		const revision = String((await db.select({ r: datasets.revision }).from(datasets).where(eq(datasets.id, w.a.datasetId)))[0]!.r)
		for (const raw of [`/api/../datasets/${w.a.slug}/edit.data`, `/api/%2e%2e/datasets/${w.a.slug}/edit.data`, `/api/v1/..\\..\\datasets/${w.a.slug}/edit.data`]) {
			for (const { name, origin } of badOrigins) {
				const request = buildRequest(w, 'owner', {
					method: 'POST',
					path: `/datasets/${w.a.slug}/edit.data`,
					params: {},
					cookie,
					origin,
					body: { form: { name: 'Alpha', slug: w.a.slug, description: `Forged via ${raw}`, revision } },
				})
				const res = await send(request, raw)
				expect(res.status, `${raw} with ${name}: ${res.body.slice(0, 200)}`).toBe(403)
				expect(res.body).toContain('Origin check')
				expect(await description()).not.toContain('Forged')
			}
		}
	})

	test('the API needs no Origin (token-only), and a session cookie there is not a credential', async () => {
		const cookie = await freshCookie(w.accounts.owner.id)
		const request = buildRequest(w, 'owner', {
			method: 'POST',
			path: `/api/v1/datasets/${w.a.slug}/versions`,
			params: {},
			cookie,
			origin: null,
			body: { json: { label: 'from-a-cookie', generation_method: 'templates' } },
		})
		const res = await send(request)
		expect(res.status, res.body).toBe(401)
		expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'unauthenticated' } })
	})
})

describe('(b) safe methods', () => {
	test('no loader writes: every loader as every principal leaves every table as it was', async () => {
		// Sessions first, so making them is not counted as a write.
		const cookies: Partial<Record<Principal, string>> = {}
		for (const p of principals) if (isPerson(p)) cookies[p] = await freshCookie(w.accounts[p].id)
		const before = await fingerprint()
		let calls = 0
		for (const route of routes.filter((r) => r.module.loader)) {
			const params = paramsFor(route)
			const path = fillPath(route.path, params)
			for (const principal of principals) {
				const res = await callRoute(w, route, principal, { method: 'GET', path, params, cookies })
				expect(res.status, `${route.id} as ${principal}: ${String(res.data).slice(0, 300)}`).not.toBe(500)
				calls++
			}
		}
		const after = await fingerprint()
		const changed = Object.keys(before).filter((t) => before[t] !== after[t])
		expect(changed, `tables a GET wrote to: ${changed.map((t) => `${t} (${before[t]} → ${after[t]})`).join('; ')}`).toEqual([])
		expect(calls).toBe(routes.filter((r) => r.module.loader).length * principals.length)
	})
})
