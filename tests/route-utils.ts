import { type AppLoadContext } from '@remix-run/node'

type RouteFn = (args: { request: Request; context: AppLoadContext; params: Record<string, string> }) => unknown

export const TEST_ORIGIN = 'http://localhost:3000'

export function formRequest(path: string, fields: Record<string, string>, init: { cookie?: string } = {}) {
	const headers = new Headers({ 'Content-Type': 'application/x-www-form-urlencoded', Origin: TEST_ORIGIN })
	if (init.cookie) headers.set('Cookie', init.cookie)
	return new Request(`${TEST_ORIGIN}${path}`, { method: 'POST', headers, body: new URLSearchParams(fields) })
}

export function getRequest(path: string, init: { cookie?: string; headers?: Record<string, string> } = {}) {
	const headers = new Headers(init.headers)
	if (init.cookie) headers.set('Cookie', init.cookie)
	return new Request(`${TEST_ORIGIN}${path}`, { headers })
}

export type RouteResult = { status: number; headers: Headers; data: unknown }

/** Runs a real loader or action and normalises what it returned or threw (data(), Response, plain object). */
export async function run(fn: RouteFn, request: Request, context: Partial<AppLoadContext> = {}, params: Record<string, string> = {}): Promise<RouteResult> {
	let value: unknown
	try {
		value = await fn({ request, context: { cspNonce: '', clientIp: '198.51.100.7', ...context }, params })
	} catch (thrown) {
		value = thrown
	}
	if (value instanceof Response) {
		const text = await value.text()
		let data: unknown = text
		try {
			data = JSON.parse(text)
		} catch {}
		return { status: value.status, headers: value.headers, data }
	}
	if (value && typeof value === 'object' && (value as { type?: string }).type === 'DataWithResponseInit') {
		const v = value as { data: unknown; init: ResponseInit | null }
		return { status: v.init?.status ?? 200, headers: new Headers(v.init?.headers), data: v.data }
	}
	if (value instanceof Error) throw value
	return { status: 200, headers: new Headers(), data: value }
}

/** "name=value" pairs from Set-Cookie headers, ready for a Cookie header. */
export function cookiesFrom(headers: Headers): string {
	return headers
		.getSetCookie()
		.map((c) => c.split(';')[0]!)
		.filter((c) => !c.endsWith('='))
		.join('; ')
}
