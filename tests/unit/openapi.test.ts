import { describe, expect, test } from 'vitest'
import { type HttpMethod, openApiDocument } from '#app/domain/openapi.ts'
import routes from '#app/routes.ts'
import { compileAllSchemas, responseProblems } from '#tests/openapi-validator.ts'
import { getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'

type Entry = { path?: string; file: string; index?: boolean; children?: Entry[] }
type RouteModule = { loader?: (args: never) => unknown; action?: (args: never) => unknown }

/** Every route file under app/routes/api+/ (from the real route manifest), as OpenAPI path templates. */
async function apiRoutes() {
	const out: Array<{ template: string; file: string }> = []
	const walk = (entries: Entry[], base: string) => {
		for (const e of entries) {
			const path = e.path ? `${base}/${e.path}`.replace(/\/+/g, '/') : base
			if (e.file.startsWith('routes/api+/')) out.push({ template: path.replace(/:(\w+)/g, '{$1}'), file: e.file })
			walk(e.children ?? [], path)
		}
	}
	walk((await routes) as Entry[], '')
	return out
}

const methods = ['get', 'post', 'put', 'patch', 'delete'] as const

const modules = import.meta.glob<RouteModule>('../../app/routes/api+/*.ts')

async function call(file: string, method: string, path: string) {
	const load = modules[`../../app/${file}`]
	if (!load) throw new Error(`no module for ${file}`)
	const mod = await load()
	const fn = method === 'get' ? mod.loader : mod.action
	if (!fn) return { status: 405, data: null, headers: new Headers() }
	const request = new Request(`${TEST_ORIGIN}${path}`, { method: method.toUpperCase() })
	return run(fn as never, request, {}, { dataset: 'hints', version: 'v1', '*': 'x' })
}

describe('the OpenAPI document', () => {
	test('documents exactly the implemented API routes (from the route manifest), and nothing else', async () => {
		const implemented = (await apiRoutes()).filter((r) => !r.template.endsWith('/*')).map((r) => r.template)
		expect(implemented.length).toBeGreaterThanOrEqual(5)
		expect(implemented.sort()).toEqual(Object.keys(openApiDocument.paths).sort())
	})

	test('unknown API paths have a catch-all route (JSON 404, never the HTML page)', async () => {
		expect((await apiRoutes()).map((r) => r.template)).toContain('/api/*')
	})

	test('each route answers the documented methods (401 or 200 without a token) and refuses the others with 405', async () => {
		for (const { template, file } of (await apiRoutes()).filter((r) => !r.template.endsWith('/*'))) {
			const path = template.replace('{dataset}', 'hints').replace('{version}', 'v1')
			for (const method of methods) {
				const documented = !!openApiDocument.paths[template]?.[method as HttpMethod]
				const res = await call(file, method, path)
				if (documented) {
					expect([200, 401], `${method} ${template}`).toContain(res.status)
					expect(responseProblems(method as HttpMethod, template, res.status, res.data, res.headers), `${method} ${template}`).toEqual([])
				} else {
					expect(res.status, `${method} ${template}`).toBe(405)
					expect(res.headers.get('Allow'), `${method} ${template}`).toBeTruthy()
				}
			}
		}
	})

	test('every path parameter is declared, every $ref resolves and every schema compiles in strict mode', () => {
		const params = openApiDocument.components.parameters
		for (const [path, item] of Object.entries(openApiDocument.paths)) {
			const names = [...path.matchAll(/{(\w+)}/g)].map((m) => m[1])
			for (const operation of Object.values(item)) {
				const declared = (operation.parameters ?? [])
					.map((p) => ('$ref' in p ? params[p.$ref.replace('#/components/parameters/', '')] : p))
					.filter((p) => p?.in === 'path')
					.map((p) => p!.name)
				expect(declared.sort(), path).toEqual(names.sort())
			}
		}
		const refs = [...JSON.stringify(openApiDocument).matchAll(/"\$ref":"#\/components\/(\w+)\/([\w-]+)"/g)]
		for (const [, kind, name] of refs) expect((openApiDocument.components as Record<string, Record<string, unknown>>)[kind!]?.[name!], `${kind}/${name}`).toBeDefined()
		expect(compileAllSchemas()).toContain('Gate')
	})

	test('is served as JSON with the server’s origin', async () => {
		const mod = await import('#app/routes/api+/v1.openapi[.]json.ts')
		const res = await run(mod.loader, getRequest('/api/v1/openapi.json'))
		expect(res.status).toBe(200)
		expect(res.data).toMatchObject({ openapi: '3.1.0', servers: [{ url: TEST_ORIGIN }] })
		expect(responseProblems('get', '/api/v1/openapi.json', 200, res.data, res.headers)).toEqual([])
	})
})
