/**
 * Every route the app serves, read from the same route config Remix builds (app/routes.ts, plus
 * the root route Remix always adds), and a way to call one as a principal with a real Request.
 */
import path from 'node:path'
import { type AppLoadContext } from '@remix-run/node'
import routeConfig from '#app/routes.ts'
import { run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { freshCookie, isPerson, type PersonPrincipal, type Principal, type World } from './world.ts'

type RouteFn = (args: { request: Request; context: AppLoadContext; params: Record<string, string> }) => unknown
export type RouteModule = { loader?: RouteFn; action?: RouteFn }
/** `path` is the full URL pattern; `relativePath` and `index` are as the route config has them. */
export type AppRoute = { id: string; file: string; parentId: string | undefined; path: string; relativePath: string | undefined; index: boolean; params: string[]; module: RouteModule }

type ConfigEntry = { id?: string; file: string; path?: string; index?: boolean; children?: ConfigEntry[] }

/** Route id → its full URL pattern (parents' paths joined), e.g. `/datasets/:slug/versions/:label`. */
export async function appRoutes(): Promise<AppRoute[]> {
	const flat: Array<Omit<AppRoute, 'module' | 'params'>> = [{ id: 'root', file: 'root.tsx', parentId: undefined, path: '/', relativePath: '', index: false }]
	const walk = (entries: ConfigEntry[], parent: { id: string; path: string }) => {
		for (const e of entries) {
			const id = e.id ?? e.file.replace(/\.[jt]sx?$/, '')
			const full = [parent.path.replace(/\/$/, ''), e.path ?? ''].filter(Boolean).join('/') || '/'
			const pattern = full.startsWith('/') ? full : `/${full}`
			flat.push({ id, file: e.file, parentId: parent.id, path: pattern, relativePath: e.path, index: !!e.index })
			if (e.children) walk(e.children, { id, path: pattern })
		}
	}
	walk((await routeConfig) as ConfigEntry[], { id: 'root', path: '/' })
	return Promise.all(
		flat.map(async (r) => ({
			...r,
			params: [...r.path.matchAll(/:(\w+)|(\*)/g)].map((m) => m[1] ?? '*'),
			module: (await import(/* @vite-ignore */ path.resolve('app', r.file))) as RouteModule,
		})),
	)
}

export function fillPath(pattern: string, params: Record<string, string>) {
	return pattern.replace(/:(\w+)|\*/g, (m, name: string | undefined) => {
		const value = params[name ?? '*']
		if (value === undefined) throw new Error(`No value for ${m} in ${pattern}`)
		return name ? encodeURIComponent(value) : value
	})
}

export type Body = { form: Record<string, string | string[]> } | { multipart: Record<string, string | { filename: string; type: string; content: string }> } | { json: unknown } | { ndjson: string }

/** A status as the matrix writes it: the number, or "S" for a redirect to the sign-in page. */
export type Cell = number | 'S'

export type CallResult = { cell: Cell; status: number; location: string | null; data: unknown }

export type CallOptions = {
	method: 'GET' | 'POST' | 'PUT'
	path: string
	params: Record<string, string>
	body?: Body
	/** Cookie per principal; by default one shared session per person (see sharedCookie). */
	cookies?: Partial<Record<Principal, string>>
	origin?: string | null
}

export function buildRequest(world: World, principal: Principal, o: CallOptions & { cookie?: string }) {
	const headers = new Headers()
	if (o.cookie) headers.set('Cookie', o.cookie)
	if (principal === 'token' || principal === 'otherToken' || principal === 'revokedToken') headers.set('Authorization', `Bearer ${world.tokens[principal]}`)
	if (o.method !== 'GET' && o.origin !== null) headers.set('Origin', o.origin ?? TEST_ORIGIN)
	let body: BodyInit | undefined
	const b = o.body
	if (b && 'form' in b) {
		const p = new URLSearchParams()
		for (const [k, v] of Object.entries(b.form)) for (const one of [v].flat()) p.append(k, one)
		body = p
		headers.set('Content-Type', 'application/x-www-form-urlencoded')
	} else if (b && 'multipart' in b) {
		const f = new FormData()
		for (const [k, v] of Object.entries(b.multipart)) {
			if (typeof v === 'string') f.append(k, v)
			else f.append(k, new Blob([v.content], { type: v.type }), v.filename)
		}
		body = f
	} else if (b && 'json' in b) {
		body = JSON.stringify(b.json)
		headers.set('Content-Type', 'application/json')
	} else if (b && 'ndjson' in b) {
		body = b.ndjson
		headers.set('Content-Type', 'application/x-ndjson')
	}
	return new Request(`${TEST_ORIGIN}${o.path}`, { method: o.method, headers, body })
}

// One session per person, until a response sets a cookie (sign-in, sign-out, password change):
// then that session may be over, and the next request starts another.
const shared = new WeakMap<World, Map<Principal, string>>()
async function sharedCookie(world: World, principal: PersonPrincipal) {
	let m = shared.get(world)
	if (!m) shared.set(world, (m = new Map()))
	let c = m.get(principal)
	if (!c) m.set(principal, (c = await freshCookie(world.accounts[principal].id)))
	return c
}

/** Runs the route's loader (GET) or action (anything else) as the principal and reads the outcome. */
export async function callRoute(world: World, route: AppRoute, principal: Principal, o: CallOptions): Promise<CallResult> {
	const fn = o.method === 'GET' ? route.module.loader : route.module.action
	if (!fn) throw new Error(`${route.id} has no ${o.method === 'GET' ? 'loader' : 'action'}`)
	const cookie = isPerson(principal) ? (o.cookies?.[principal] ?? (await sharedCookie(world, principal))) : undefined
	const request = buildRequest(world, principal, { ...o, cookie })
	let status: number
	let location: string | null = null
	let data: unknown
	try {
		const res = await run(fn, request, {}, o.params)
		status = res.status
		location = res.headers.get('Location')
		if (isPerson(principal) && !o.cookies?.[principal] && res.headers.getSetCookie().length) shared.get(world)?.delete(principal)
		data = res.data
	} catch (error) {
		// A crash is a 500, as Remix would answer it; the message says which.
		status = 500
		data = String((error as Error).stack ?? error)
	}
	const cell: Cell = status >= 300 && status < 400 && location?.startsWith('/signin') ? 'S' : status
	return { cell, status, location, data }
}
