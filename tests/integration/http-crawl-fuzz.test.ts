/**
 * The built server (`node build/server.js`) on a world with everything a page can show
 * (tests/authz/world.ts), its samples, comments and names mixing scripts (Arabic, CJK, Cyrillic,
 * Devanagari, emoji, combining marks, bidi controls):
 *
 * - Crawl: the owner, a maintainer and a reviewer each visit every page reachable by links from
 *   their start pages, in all four languages, plus the `.data` of every page (single fetch), the
 *   translation files, the API's JSON and every email the world sent. No body may hold a NUL
 *   byte, invalid UTF-8 or U+FFFD, and no page may answer 5xx.
 * - Fuzz: every route of the route manifest (app/routes.ts, as tests/authz/routes.ts reads it)
 *   with each of its parameters replaced by each value of a hostile corpus (traversal, encodings,
 *   control characters, prototype keys, overlong UTF-8, huge numbers…), as GET and POST; hostile
 *   query strings; hostile cookies; hostile Host headers — over bare sockets, so every byte is
 *   sent as written. No answer may be a 5xx, and the server must log no error.
 *
 * PostgreSQL pass only (`npm test` with DATABASE_URL): the world is built in this process and the
 * server must share its database; the embedded database belongs to one process. Running it once
 * per CI run is enough (docs/security.md, "HTTP hardening").
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { emails } from '#db/schema/rounds.ts'
import { db } from '#app/utils/db.server.ts'
import { appRoutes, type AppRoute } from '#tests/authz/routes.ts'
import { buildWorld, type World } from '#tests/authz/world.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { ensureBuild, freePort, startInstance, type Instance } from '#tests/instances.ts'
import { RawConnection, requestHead, type RawResponse } from '#tests/raw-http.ts'

const LANGUAGES = ['en', 'es', 'fr', 'ar'] as const
const MIXED = ' — مرحبا بالعالم، هذه عيّنة · 你好，世界。 · Привет, мир · नमस्ते दुनिया · 🙂👩🏽‍🏫🇲🇦 · e\u0301 n\u0303 · \u202bمختلط\u202c · ﷽'
const MAX_PAGES = 250
const MAX_VARIANTS_PER_PATH = 4

const fatal = new TextDecoder('utf-8', { fatal: true })

/** What is wrong with a body's bytes: a NUL, invalid UTF-8, or U+FFFD (a character lost on the way). */
function byteProblems(bytes: Buffer): string | null {
	const nul = bytes.indexOf(0)
	if (nul >= 0) return `NUL byte at offset ${nul}`
	let text: string
	try {
		text = fatal.decode(bytes)
	} catch {
		return 'invalid UTF-8'
	}
	const lost = text.indexOf('\uFFFD')
	return lost >= 0 ? `U+FFFD at character ${lost}` : null
}

const decodeEntities = (s: string) =>
	s
		.replace(/&amp;/g, '&')
		.replace(/&#x27;|&#39;/g, "'")
		.replace(/&quot;/g, '"')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')

describe.skipIf(!process.env.DATABASE_URL)('the built server, crawled and fuzzed (PostgreSQL pass only)', () => {
	useTestDatabase({ emptyBeforeEach: false })
	let w: World
	let app: Instance
	let port: number
	let host: string
	let origin: string

	beforeAll(async () => {
		if (ensureBuild() === 'rebuilt') console.log('crawl and fuzz: build/ was older than the sources, rebuilt it')
		w = await buildWorld()
		// Mixed scripts wherever people write: samples, comments, names, issue titles.
		await db.execute(sql`update samples set content = content || ${MIXED}::text || repeat(${'نص عربي طويل، '}::text, (40 + (id % 7))::int)`)
		await db.execute(sql`update comments set body = body || ${MIXED}::text`)
		await db.execute(sql`update users set display_name = display_name || ${' أمينة 李 Ёлка'}::text, preferred_language = null`)
		await db.execute(sql`update datasets set name = name || ${' · بيانات · 数据'}::text, description = coalesce(description, '') || ${MIXED}::text`)
		port = await freePort()
		host = `127.0.0.1:${port}`
		origin = `http://${host}`
		app = await startInstance('crawl', port, { DATABASE_URL: process.env.DATABASE_URL!, COOKIE_SECURE: 'false', SEED_DEMO: 'false', DATABASE_POOL_SIZE: '4' })
	}, 300_000)

	afterAll(async () => {
		await app?.stop()
	})

	test('every page reachable by links, for an owner, a maintainer and a reviewer, in all four languages: no 5xx, no NUL, valid UTF-8, no U+FFFD (HTML, .data, CSV, JSON, emails)', async () => {
		const problems: string[] = []
		const counts: Record<string, number> = {}
		const check = (where: string, status: number, body: Buffer) => {
			if (status >= 500) problems.push(`${where}: ${status}`)
			const p = byteProblems(body)
			if (p) problems.push(`${where}: ${p}`)
		}
		const get = async (path: string, headers: Record<string, string>) => {
			const res = await fetch(`${app.base}${path}`, { redirect: 'manual', headers })
			return { status: res.status, type: res.headers.get('content-type') ?? '', location: res.headers.get('location'), body: Buffer.from(await res.arrayBuffer()) }
		}

		const crawl = async (who: 'owner' | 'maintainer' | 'participant', lng: (typeof LANGUAGES)[number]) => {
			const headers = { Cookie: w.accounts[who].cookie, 'Accept-Language': lng }
			const start = ['/', '/datasets', '/account', '/account/tokens', '/notifications', `/rounds/${w.a.roundId}`, `/datasets/${w.a.slug}`]
			const queue = [...start]
			const seen = new Set<string>(queue)
			const variants = new Map<string, number>()
			let pages = 0
			while (queue.length && pages < MAX_PAGES) {
				const path = queue.shift()!
				const res = await get(path, headers)
				pages++
				// A binary download (the annotations as Parquet) is bytes, not text: only its status is checked.
				const binary = /parquet|octet-stream/.test(res.type)
				check(`${who}/${lng} ${path}`, res.status, binary ? Buffer.alloc(0) : res.body)
				const links: string[] = []
				if (res.location) links.push(res.location)
				if (res.type.includes('text/html')) {
					for (const m of res.body.toString('utf8').matchAll(/href="([^"]+)"/g)) links.push(decodeEntities(m[1]!))
					// The same page as a client navigation fetches it.
					const url = new URL(path, origin)
					const data = await get(`${url.pathname === '/' ? '/_root' : url.pathname.replace(/\/$/, '')}.data${url.search}`, headers)
					check(`${who}/${lng} ${path} (.data)`, data.status, data.body)
				}
				for (const link of links) {
					if (!link.startsWith('/') || link.startsWith('//')) continue
					const url = new URL(link, origin)
					if (url.pathname.startsWith('/assets/') || /\.(js|css|ico|png|svg|woff2?|webmanifest|txt)$/.test(url.pathname)) continue
					const key = url.pathname + url.search
					if (seen.has(key)) continue
					const n = variants.get(url.pathname) ?? 0
					if (n >= MAX_VARIANTS_PER_PATH) continue
					variants.set(url.pathname, n + 1)
					seen.add(key)
					queue.push(key)
				}
			}
			counts[`${who}/${lng}`] = pages
		}
		for (const lng of LANGUAGES) await Promise.all((['owner', 'maintainer', 'participant'] as const).map((who) => crawl(who, lng)))

		// Translation files, the API's JSON and what a pipeline downloads.
		for (const lng of LANGUAGES) {
			for (const ns of ['common', 'auth', 'datasets', 'review', 'rounds', 'issues', 'insights', 'report', 'emails', 'api', 'audit', 'discussion', 'webhooks']) {
				const res = await get(`/locales/${lng}/${ns}`, {})
				check(`/locales/${lng}/${ns}`, res.status, res.body)
			}
		}
		const bearer = { Authorization: `Bearer ${w.tokens.token}` }
		for (const path of [
			'/api/v1/openapi.json',
			`/api/v1/datasets/${w.a.slug}/versions`,
			`/api/v1/datasets/${w.a.slug}/versions/${w.a.label}/gate`,
			`/api/v1/datasets/${w.a.slug}/versions/${w.a.label}/issues`,
		]) {
			const res = await get(path, bearer)
			check(path, res.status, res.body)
		}
		for (const path of ['report.csv', 'report.json', 'report.md']) {
			const res = await get(`/datasets/${w.a.slug}/versions/${w.a.label}/${path}`, { Cookie: w.accounts.owner.cookie })
			check(path, res.status, res.body)
			expect(res.status, path).toBe(200)
		}
		// Every email the world sent, as stored for sending.
		const sent = await db.select({ to: emails.to, subject: emails.subject, text: emails.text, html: emails.html }).from(emails)
		expect(sent.length).toBeGreaterThan(0)
		for (const e of sent) for (const part of [e.subject, e.text, e.html ?? '']) check(`email to ${e.to}`, 200, Buffer.from(part, 'utf8'))

		console.log(
			`crawl: ${Object.values(counts).reduce((a, b) => a + b, 0)} pages (${Object.entries(counts)
				.map(([k, n]) => `${k} ${n}`)
				.join(', ')}), each with its .data`,
		)
		// The crawl reached the pages that matter for each person, in each language.
		for (const [key, n] of Object.entries(counts)) expect(n, key).toBeGreaterThan(key.startsWith('participant') ? 5 : 20)
		expect(problems, problems.slice(0, 30).join('\n')).toEqual([])
	}, 600_000)

	// -------------------------------------------------------------------------------------------
	// Fuzz

	/** The hostile corpus: values as they should reach the app (percent-encoded when sent in a URL), and raw byte sequences already encoded. */
	function corpus() {
		const literal = [
			'..',
			'../..',
			'../../../../etc/passwd',
			'..\\..\\windows\\win.ini',
			'....//....//',
			'/etc/passwd',
			'C:\\Windows\\System32',
			'.',
			'./',
			'~',
			'~root',
			'\u0000',
			'\u0000.html',
			'\r\n',
			'\n',
			'\r',
			'\t',
			'\u0007',
			'\u001b[31m',
			'\u007f',
			'\u0085',
			'\u2028',
			'\u2029',
			'\u202e',
			'\ufeff',
			'\ufffe',
			'\uffff',
			'\u200b',
			'constructor',
			'__proto__',
			'prototype',
			'toString',
			'valueOf',
			'hasOwnProperty',
			'__defineGetter__',
			'isPrototypeOf',
			'[object Object]',
			'__proto__[admin]',
			'constructor.prototype',
			'undefined',
			'null',
			'NaN',
			'Infinity',
			'-Infinity',
			'true',
			'false',
			'0',
			'-0',
			'-1',
			'1.5',
			'1e3',
			'1e309',
			'-1e309',
			'0x10',
			'0b1',
			'0o7',
			'+1',
			' 1',
			'1 ',
			'١٢٣',
			'2147483647',
			'2147483648',
			'-2147483649',
			'9007199254740993',
			'9223372036854775807',
			'9223372036854775808',
			'99999999999999999999999999',
			'9'.repeat(400),
			'00000000-0000-0000-0000-000000000000',
			'ffffffff-ffff-ffff-ffff-ffffffffffff',
			'------------------------------------',
			'g'.repeat(36),
			'00000000000000000000000000000000',
			'{00000000-0000-0000-0000-000000000000}',
			"'",
			'"',
			'`',
			"' OR '1'='1",
			'"; drop table users; --',
			"1' AND pg_sleep(5)--",
			'\\',
			'\\\\',
			'%',
			'%%',
			'%zz',
			'%u002e',
			'%%32%65',
			'<script>alert(1)</script>',
			'"><img src=x onerror=alert(1)>',
			'javascript:alert(1)',
			'{{7*7}}',
			'${7*7}',
			'#{7*7}',
			'<%= 7*7 %>',
			'{"a":1}',
			'[]',
			'{}',
			'[1,2]',
			'a'.repeat(300),
			'a'.repeat(5000),
			'é',
			'مرحبا',
			'你好',
			'🙂',
			'👩🏽‍🏫',
			'e\u0301',
			'ｅｖｉｌ',
			'Ⓐ',
			'İ',
			'ß',
			'ﬀ',
			' ',
			'  ',
			'+',
			'&',
			'=',
			'#',
			'?',
			';',
			',',
			'*',
			'!',
			'@',
			'$',
			'(',
			')',
			'|',
			'^',
			'[',
			']',
			'{',
			'}',
			'<',
			'>',
			'/',
			'//',
			'///',
			'http://evil.example',
			'//evil.example',
			'file:///etc/passwd',
			'data:text/html,x',
			'mailto:a@b.c',
			'v1',
			'V1',
			'v1 ',
			' v1',
			'v1/',
			'alpha',
			'ALPHA',
			'alpha\u0000',
			'beta',
			'a-001',
			'a-001\n',
			'1',
			'5',
			'6',
			'999999',
		]
		// Raw bytes, written into the URL as they are: encodings a decoder must refuse or normalise.
		const encoded = [
			'%00',
			'%0d%0a',
			'%0a',
			'%09',
			'%7f',
			'%ff',
			'%fe%ff',
			'%c0%af',
			'%c0%ae%c0%ae',
			'%c0%80',
			'%e0%80%af',
			'%e0%80%80',
			'%f0%80%80%af',
			'%f8%88%80%80%af',
			'%ed%a0%80',
			'%ed%bf%bf',
			'%f4%90%80%80',
			'%80',
			'%bf',
			'%c3',
			'%c3%28',
			'%e2%82',
			'%f0%9f%98',
			'%2e%2e',
			'%2e%2e%2f',
			'%2e%2e%5c',
			'%252e%252e%252f',
			'..%2f..%2f',
			'..%5c..%5c',
			'%2f',
			'%2f%2f',
			'%5c',
			'%23',
			'%3f',
			'%25',
			'%25%25',
			'%2525',
			'%u0000',
			'%uD800',
			'%E2%80%AE',
			'%EF%BB%BF',
			'%F0%9F%99%82',
			'..%00/',
			'%2e',
			'.%2e',
			'%2e.',
			'%3Cscript%3E',
			'%22%3E%3Csvg%3E',
			'%0D%0ASet-Cookie:%20x=1',
			'%20',
			'%20%20',
			'%c2%a0',
			'%e3%80%82',
			'%ef%bc%8f',
		]
		let seed = 19
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
		for (let i = 0; i < 30; i++)
			encoded.push(
				Array.from(
					{ length: 1 + Math.floor(random() * 6) },
					() =>
						`%${Math.floor(random() * 256)
							.toString(16)
							.padStart(2, '0')}`,
				).join(''),
			)
		return { literal, encoded }
	}

	/** A literal value as it goes into a request target: printable ASCII as is except what would end the target, everything else percent-encoded. */
	const inTarget = (value: string) => [...Buffer.from(value, 'utf8')].map((b) => (b > 0x20 && b < 0x7f && b !== 0x23 ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('')
	/** A literal value as it goes into a header: control characters (which would end the header) percent-encoded, the rest as UTF-8. */
	const inHeader = (value: string) => value.replace(/[\u0000-\u001f\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)

	/** Sends requests over a few keep-alive connections (a new one when the server closes one); collects every 5xx and every request that got no answer. */
	async function blast(requests: Array<{ label: string; head: string; body?: string }>, problems: string[], lanes = 4) {
		let next = 0
		const lane = async () => {
			let c: RawConnection | null = null
			while (next < requests.length) {
				const r = requests[next++]!
				if (!c || c.closed) {
					c = new RawConnection(port)
					await c.ready
				}
				await c.write(r.head + (r.body ?? ''))
				let res: RawResponse
				try {
					res = await c.response(15_000)
				} catch (error) {
					problems.push(`${r.label}: no answer (${(error as Error).message})`)
					c.destroy()
					c = null
					continue
				}
				if (res.status >= 500 || !res.status) problems.push(`${r.label}: ${res.status}`)
				if (/close/i.test(res.headers.connection ?? '')) {
					c.destroy()
					c = null
				}
			}
			c?.destroy()
		}
		await Promise.all(Array.from({ length: lanes }, lane))
	}

	let routes: AppRoute[]
	const valid = () => ({
		slug: w.a.slug,
		label: w.a.label,
		roundId: w.a.roundId,
		useCaseId: w.a.useCaseId,
		importId: w.a.importId,
		externalId: 'a-001',
		number: String(w.a.issue.number),
		token: w.a.inviteeToken,
		dataset: w.a.slug,
		version: w.a.label,
		lng: 'en',
		ns: 'common',
		'*': 'x',
	})

	function fill(pattern: string, values: Record<string, string>) {
		return pattern.replace(/:(\w+)|\*/g, (_m, name: string | undefined) => values[name ?? '*'] ?? 'x')
	}

	test('every route with hostile parameters (GET and POST), query strings, cookies and Host headers: never a 5xx', async () => {
		routes = (await appRoutes()).filter((r) => r.id !== 'root' && (r.module.loader || r.module.action))
		const { literal, encoded } = corpus()
		const values = [...literal.map(inTarget), ...encoded]
		expect(values.length).toBeGreaterThanOrEqual(200)
		const good = valid()
		const owner = w.accounts.owner.cookie
		const problems: string[] = []
		const logBefore = app.output().length

		// Path parameters: each value in each parameter slot in turn (the others valid), as the owner.
		const requests: Array<{ label: string; head: string; body?: string }> = []
		// Each route gets a quarter of the values, a different quarter for each route in turn, so every
		// value reaches every parameter name (and most routes) while the suite stays around a minute.
		routes.forEach((route, r) => {
			const params = route.params.length ? route.params : [null]
			values.forEach((value, i) => {
				if ((i + r) % 4 !== 0) return
				const slot = params[Math.floor(i / 4) % params.length]
				const target = slot ? fill(route.path, { ...good, [slot]: value }) : `${fill(route.path, good)}/${value}`
				const path = target.startsWith('/') ? target : `/${target}`
				requests.push({ label: `GET ${path}`, head: requestHead('GET', path, { Host: host, Cookie: owner }) })
				if (route.module.action && (i + r) % 8 === 0) {
					const body = `intent=${encodeURIComponent(literal[i % literal.length]!)}&revision=${encodeURIComponent(literal[(i * 7) % literal.length]!)}`
					requests.push({
						label: `POST ${path}`,
						head: requestHead('POST', path, { Host: host, Cookie: owner, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) }),
						body,
					})
				}
			})
		})
		// Query strings: every name the app reads, and prototype keys, with hostile values.
		const names = ['after', 'attribute', 'before', 'kind', 'language', 'notice', 'page', 'parent', 'q', 'redirectTo', 'round', 'status', 'severity', '__proto__', 'constructor', '__proto__[x]']
		const r0 = (route: AppRoute) => routes.indexOf(route) % 12
		for (const route of routes) {
			const path = fill(route.path, good)
			for (let i = r0(route); i < values.length; i += 12) {
				const query = names.map((n, j) => `${n}=${values[(i + j) % values.length]}`).join('&')
				requests.push({ label: `GET ${path}?${query.slice(0, 80)}`, head: requestHead('GET', `${path}?${query}`, { Host: host, Cookie: owner }) })
			}
		}
		// Cookies: the time zone, the language and the session, with hostile values.
		const pages = ['/', `/datasets/${w.a.slug}/versions/${w.a.label}`]
		for (const page of pages) {
			for (const value of [...literal.map(inHeader), ...encoded]) {
				requests.push({ label: `cookie tz/lng ${JSON.stringify(value).slice(0, 60)} on ${page}`, head: requestHead('GET', page, { Host: host, Cookie: `${owner}; tz=${value}; lng=${value}` }) })
				requests.push({ label: `cookie session ${JSON.stringify(value).slice(0, 60)} on ${page}`, head: requestHead('GET', page, { Host: host, Cookie: `roundtable_session=${value}; ${value}` }) })
			}
		}
		// Host headers (and forwarded ones, which are not trusted here).
		for (const value of [...literal.map(inHeader), ...encoded]) {
			requests.push({ label: `Host ${JSON.stringify(value).slice(0, 60)}`, head: requestHead('GET', '/', { Host: value, Cookie: owner }) })
			const body = 'email=a%40b.c&password=x'
			requests.push({
				label: `Host ${JSON.stringify(value).slice(0, 60)} POST /signin`,
				head: requestHead('POST', '/signin', { Host: value, 'X-Forwarded-Host': value, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length }),
				body,
			})
		}
		await blast(requests, problems)
		const log = app.output().slice(logBefore)
		expect(problems, `${problems.length} of ${requests.length} requests failed:\n${problems.slice(0, 40).join('\n')}`).toEqual([])
		// Nothing was logged as an error, and no log line carries a hostile value.
		expect(log, 'the server logged errors').not.toMatch(/Error|error/)
	}, 900_000)
})
