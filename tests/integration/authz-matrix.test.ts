/**
 * The authorization matrix (tests/authz/matrix.ts): every route of the app's route config, by
 * every principal, against one world (tests/authz/world.ts). GETs run the loader, POST/PUT the
 * action, each with a real Request; redirects count as their 3xx status (a redirect to sign-in as
 * "S") and thrown Responses as their status. All GETs run before any POST, so the reads see the
 * world as built.
 */
import { beforeAll, describe, expect, test } from 'vitest'
import { columns, defaultParams, matrix, paramOverrides, postBodies, swaps, type Method } from '#tests/authz/matrix.ts'
import { appRoutes, callRoute, fillPath, type AppRoute, type Cell } from '#tests/authz/routes.ts'
import { buildWorld, type World } from '#tests/authz/world.ts'
import { useTestDatabase } from '#tests/db-utils.ts'

useTestDatabase({ emptyBeforeEach: false })

const routes = await appRoutes()
let w: World
beforeAll(async () => {
	w = await buildWorld()
})

function paramsFor(route: AppRoute, extra: Record<string, string> = {}) {
	const all = { ...defaultParams(w), ...paramOverrides[route.id]?.(w), ...extra }
	return Object.fromEntries(route.params.map((p) => [p, all[p]!]))
}

const handlerOf = (method: Method) => (method === 'GET' ? 'loader' : 'action')

test('every route the app serves has a row in the matrix, with a cell per method it answers', () => {
	const ids = routes.map((r) => r.id)
	const missing = ids.filter((id) => !matrix[id])
	expect(missing, `routes without a row in tests/authz/matrix.ts: ${missing.join(', ')}`).toEqual([])
	const gone = Object.keys(matrix).filter((id) => !ids.includes(id))
	expect(gone, `rows in tests/authz/matrix.ts for routes that no longer exist: ${gone.join(', ')}`).toEqual([])
	for (const r of routes) {
		const row = matrix[r.id] ?? {}
		expect(!!row.GET, `${r.id}: a GET row exactly when the route has a loader`).toBe(!!r.module.loader)
		expect(!!(row.POST || row.PUT), `${r.id}: a POST/PUT row exactly when the route has an action`).toBe(!!r.module.action)
		if (r.module.action) expect(postBodies[r.id], `${r.id}: no request body in postBodies (tests/authz/matrix.ts)`).toBeDefined()
	}
})

// 12 principals × every route and method; counted in the summary test below.
let cells = 0

for (const method of ['GET', 'POST', 'PUT'] as const) {
	describe(method, () => {
		for (const route of routes) {
			if (!route.module[handlerOf(method)]) continue
			const row = matrix[route.id]?.[method]
			if (!row && method === 'PUT') continue
			test(route.id, async () => {
				expect(row, `${route.id} has no ${method} row in tests/authz/matrix.ts`).toBeDefined()
				const params = paramsFor(route)
				const path = fillPath(route.path, params)
				const expected: Record<string, Cell> = {}
				const actual: Record<string, Cell> = {}
				const why: string[] = []
				for (const [i, principal] of columns.entries()) {
					const body = method === 'GET' ? undefined : await postBodies[route.id]!(w, principal)
					const res = await callRoute(w, route, principal, { method, path, params, body })
					expected[principal] = row![i]!
					actual[principal] = res.cell
					cells++
					if (res.cell !== row![i]) why.push(`${principal}: expected ${row![i]}, got ${res.status}${res.location ? ` → ${res.location}` : ''} ${JSON.stringify(res.data)?.slice(0, 300)}`)
				}
				expect(actual, `${method} ${path}\n${why.join('\n')}`).toEqual(expected)
			})
		}
	})
}

describe('ID swaps: alpha URLs with beta ids, and the other way round', () => {
	for (const swap of swaps) {
		test(swap.name, async () => {
			const route = routes.find((r) => r.id === swap.route)
			expect(route, `no route ${swap.route}`).toBeDefined()
			const params = Object.fromEntries(route!.params.map((p) => [p, { ...defaultParams(w), ...swap.params(w) }[p]!]))
			const path = fillPath(route!.path, params)
			const before = await swap.unchanged?.(w)
			const body = swap.body ? await swap.body(w, swap.principal) : undefined
			const res = await callRoute(w, route!, swap.principal, { method: swap.method, path, params, body })
			expect(res.cell, `${swap.method} ${path} as ${swap.principal}: ${JSON.stringify(res.data)?.slice(0, 300)}`).toBe(swap.expect)
			if (swap.unchanged) expect(await swap.unchanged(w)).toEqual(before)
		})
	}
})

test('coverage', () => {
	const rows = Object.values(matrix).reduce((n, r) => n + Object.keys(r).length, 0)
	// Every cell was requested (the row tests above ran before this one).
	expect(cells).toBe(rows * columns.length)
	console.info(`authorization matrix: ${Object.keys(matrix).length} routes, ${rows} route×method rows × ${columns.length} principals = ${cells} requests, plus ${swaps.length} ID swaps`)
})
