/**
 * `npm run bench:js` — what each page type weighs (issue #9). `npm run build` first (the npm
 * script does it).
 *
 * 1. JavaScript per page type, gzipped, from the built Remix manifest: the entry, the route chain
 *    (root → page) and every module they import, deduplicated (`measureJs`).
 * 2. Total page weight, from the running app: the built server (port 3293) on a scratch PostgreSQL
 *    database seeded set-based with a consultation in progress (tests/plan-utils.ts `seedScale`,
 *    two datasets), one owner and one participant signed in for real through `/signin`. For each
 *    page type the HTML as served (raw, and gzipped as the server's compression sends it), the
 *    JavaScript and CSS the HTML makes the browser load (modulepreload links and the inline module
 *    script's imports; stylesheets), and the translations the page fetches when it hydrates
 *    (`/locales/<lng>/<ns>` for the namespaces of its route chain), all gzipped; and the total.
 * Flag: --no-server (only part 1, no database).
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { snapshotBuild } from './build-snapshot.ts'

type RouteEntry = { id: string; parentId?: string; module: string; imports?: string[]; css?: string[] }
type Manifest = { entry: { module: string; imports: string[] }; routes: Record<string, RouteEntry> }

export const pageTypes: Record<string, string> = {
	'focus view (review a sample)': 'routes/rounds+/$roundId+/review.$externalId',
	'round home (participant)': 'routes/rounds+/$roundId+/_index',
	'sign in': 'routes/_auth+/signin',
	'browse samples (owner)': 'routes/datasets+/$slug+/versions.$label+/samples._index',
	'version page (owner)': 'routes/datasets+/$slug+/versions.$label+/_index',
	'round page (owner)': 'routes/datasets+/$slug+/versions.$label+/rounds.$roundId',
	'triage inbox (owner)': 'routes/datasets+/$slug+/versions.$label+/issues._index',
	'insights (owner)': 'routes/datasets+/$slug+/versions.$label+/insights',
	'report (owner)': 'routes/datasets+/$slug+/versions.$label+/report',
}
const FOCUS = 'focus view (review a sample)'
const TARGET_FOCUS_JS_KB = 150

const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`

export function readManifest(buildDir: string): Manifest {
	const assets = path.join(buildDir, 'assets')
	const file = readdirSync(assets).find((f) => /^manifest-.*\.js$/.test(f))
	if (!file) throw new Error('No Remix manifest in build/client/assets: run `npm run build` first')
	return JSON.parse(
		readFileSync(path.join(assets, file), 'utf8')
			.replace(/^window\.__remixManifest=/, '')
			.replace(/;?\s*$/, ''),
	) as Manifest
}

/** The route ids from root to `id`. */
function routeChain(manifest: Manifest, id: string): RouteEntry[] {
	if (!manifest.routes[id]) throw new Error(`No route ${id} in the manifest`)
	const chain: RouteEntry[] = []
	for (let route: RouteEntry | undefined = manifest.routes[id]; route; route = route.parentId ? manifest.routes[route.parentId] : undefined) chain.unshift(route)
	return chain
}

export function measureJs(buildDir = 'build/client') {
	const manifest = readManifest(buildDir)
	const assets = path.join(buildDir, 'assets')
	const gz = (url: string) => gzipSync(readFileSync(path.join(buildDir, url))).length
	const css = readdirSync(assets).filter((f) => f.endsWith('.css'))
	const cssGzip = css.reduce((n, f) => n + gzipSync(readFileSync(path.join(assets, f))).length, 0)
	const result: Record<string, { jsGzipBytes: number; jsFiles: number; cssGzipBytes: number; js: string[] }> = {}
	for (const [label, id] of Object.entries(pageTypes)) {
		const urls = new Set<string>([manifest.entry.module, ...manifest.entry.imports])
		for (const route of routeChain(manifest, id)) {
			urls.add(route.module)
			for (const i of route.imports ?? []) urls.add(i)
		}
		result[label] = { jsGzipBytes: [...urls].reduce((n, u) => n + gz(u), 0), jsFiles: urls.size, cssGzipBytes: cssGzip, js: [...urls] }
	}
	return result
}

/** The translation namespaces a page's route chain declares (`handle = { i18n: [...] }`), which the client fetches on hydration. */
export function namespacesOf(manifest: Manifest, id: string): string[] {
	const ns = new Set<string>()
	for (const route of routeChain(manifest, id)) {
		const base = path.join('app', route.id)
		const file = ['.tsx', '.ts']
			.map((e) => base + e)
			.find((f) => {
				try {
					readFileSync(f)
					return true
				} catch {
					return false
				}
			})
		if (!file) continue
		const source = readFileSync(file, 'utf8')
		let list = /handle[^=]*=\s*\{[^]*?i18n:\s*(\[[^\]]*\]|'[^']*'|\w+)/.exec(source)?.[1]
		// A named list (`i18n: REPORT_NAMESPACES`): its definition, here or in the module it is imported from.
		if (list && /^\w+$/.test(list)) {
			const from = new RegExp(`import\\s*\\{[^}]*\\b${list}\\b[^}]*\\}\\s*from\\s*'#app/([^']+)'`).exec(source)?.[1]
			const definedIn = from ? readFileSync(path.join('app', from), 'utf8') : source
			list = new RegExp(`\\b${list}\\s*=\\s*(\\[[^\\]]*\\])`).exec(definedIn)?.[1]
		}
		for (const n of list?.match(/'([^']+)'/g) ?? []) ns.add(n.slice(1, -1))
	}
	return [...ns]
}

type PageWeight = {
	path: string
	status: number
	js: string[]
	htmlBytes: number
	htmlGzipBytes: number
	jsGzipBytes: number
	jsFiles: number
	cssGzipBytes: number
	localesGzipBytes: number
	namespaces: string[]
	totalGzipBytes: number
}

async function measurePages(buildDir: string): Promise<{ pages: Record<string, PageWeight>; seed: Record<string, number>; seedSeconds: number }> {
	const postgres = (await import('postgres')).default
	const { seedScale, SCALE } = await import('#tests/plan-utils.ts')
	const { hashPassword } = await import('#app/utils/password.server.ts')
	const PORT = 3293
	const BASE = `http://127.0.0.1:${PORT}`
	const { scratchDatabase } = await import('./scratch-db.ts')
	const scratch = scratchDatabase(`rt_bench_js_${Date.now()}`)
	const { admin, name: dbName, url: dbUrl } = scratch
	await scratch.create()
	let server: ReturnType<typeof spawn> | undefined
	try {
		// The app migrates at start-up; then the seed goes in while it runs (nothing is cached).
		server = spawn(process.execPath, ['build/server.js'], {
			cwd: path.resolve(buildDir, '../..'),
			detached: true,
			env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(PORT), HOST: '127.0.0.1', NODE_ENV: 'production', SEED_DEMO: 'false', COOKIE_SECURE: 'false' },
			stdio: ['ignore', 'ignore', 'inherit'],
		})
		let up = false
		for (let i = 0; i < 300 && !up && server.exitCode === null; i++) {
			up = await fetch(`${BASE}/healthz`)
				.then((r) => r.ok)
				.catch(() => false)
			if (!up) await new Promise((r) => setTimeout(r, 100))
		}
		if (!up) throw new Error('the server did not answer /healthz within 30 s')

		console.log(`Seeding ${dbName} (seedScale, 2 datasets)…`)
		const t0 = performance.now()
		const pg = postgres(dbUrl, { max: 1, onnotice: () => {} })
		const seed = await seedScale(pg, { ...SCALE, datasets: 2, reviewers: 40 })
		const seedSeconds = (performance.now() - t0) / 1000
		const password = 'bench passphrase 2026'
		const hash = await hashPassword(password)
		const [round] = await pg<{ id: string; email: string; label: string }[]>`
			select r.id, u.email, v.label from rounds r join versions v on v.id = r.version_id join datasets d on d.id = v.dataset_id
				join participants p on p.round_id = r.id join users u on u.id = p.user_id
			where d.slug = 'ds-0' and r.title = 'Round 1' and p.role = 'community' order by p.number limit 1`
		await pg`update users set password_hash = ${hash} where email in ('owner0@plans.test', ${round!.email})`
		await pg.end()

		const signIn = async (email: string) => {
			const res = await fetch(`${BASE}/signin`, {
				method: 'POST',
				redirect: 'manual',
				headers: { Origin: BASE, 'Content-Type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ email, password }),
			})
			const cookie = res.headers
				.getSetCookie()
				.map((c) => c.split(';')[0])
				.join('; ')
			if (res.status !== 302 || !cookie) throw new Error(`sign-in as ${email} failed: ${res.status}`)
			return cookie
		}
		const owner = await signIn('owner0@plans.test')
		const participant = await signIn(round!.email)
		const queue = await fetch(`${BASE}/rounds/${round!.id}/review`, { headers: { Cookie: participant }, redirect: 'manual' })
		const focusPath = queue.headers.get('Location')
		if (queue.status !== 302 || !focusPath) throw new Error(`no next sample in the participant's queue (${queue.status})`)

		const version = `/datasets/ds-0/versions/${round!.label}`
		const urls: Record<string, { path: string; cookie?: string }> = {
			[FOCUS]: { path: new URL(focusPath, BASE).pathname, cookie: participant },
			'round home (participant)': { path: `/rounds/${round!.id}`, cookie: participant },
			'sign in': { path: '/signin' },
			'browse samples (owner)': { path: `${version}/samples`, cookie: owner },
			'version page (owner)': { path: version, cookie: owner },
			'round page (owner)': { path: `${version}/rounds/${round!.id}`, cookie: owner },
			'triage inbox (owner)': { path: `${version}/issues`, cookie: owner },
			'insights (owner)': { path: `${version}/insights`, cookie: owner },
			'report (owner)': { path: `${version}/report`, cookie: owner },
		}
		const manifest = readManifest(buildDir)
		const assetGzip = (url: string) => gzipSync(readFileSync(path.join(buildDir, url))).length
		const localeCache = new Map<string, number>()
		const pages: Record<string, PageWeight> = {}
		for (const [label, { path: p, cookie }] of Object.entries(urls)) {
			const res = await fetch(BASE + p, { headers: { ...(cookie ? { Cookie: cookie } : {}), 'Accept-Encoding': 'identity', 'Accept-Language': 'en' }, redirect: 'manual' })
			const html = Buffer.from(await res.arrayBuffer())
			if (res.status !== 200) throw new Error(`${label}: ${p} answered ${res.status}`)
			const text = html.toString('utf8')
			// The scripts the HTML makes the browser load: modulepreload links and the inline module
			// script's imports. (Other /assets/ URLs in the inline route manifest are only named there.)
			const js = new Set([
				...[...text.matchAll(/<link rel="modulepreload" href="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!),
				...[...text.matchAll(/\bimport\s*(?:\*\s*as\s+\w+\s+from\s*|\(\s*)?["'](\/assets\/[^"']+\.js)["']/g)].map((m) => m[1]!),
			])
			const css = new Set([...text.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="(\/assets\/[^"]+\.css)"/g)].map((m) => m[1]!))
			const namespaces = namespacesOf(manifest, pageTypes[label]!)
			let localesGzipBytes = 0
			for (const ns of namespaces) {
				if (!localeCache.has(ns)) {
					const r = await fetch(`${BASE}/locales/en/${ns}`, { headers: { 'Accept-Encoding': 'identity' } })
					if (!r.ok) throw new Error(`/locales/en/${ns} answered ${r.status}`)
					localeCache.set(ns, gzipSync(Buffer.from(await r.arrayBuffer())).length)
				}
				localesGzipBytes += localeCache.get(ns)!
			}
			const htmlGzipBytes = gzipSync(html).length
			const jsGzipBytes = [...js].reduce((n, u) => n + assetGzip(u), 0)
			const cssGzipBytes = [...css].reduce((n, u) => n + assetGzip(u), 0)
			pages[label] = {
				path: p,
				status: res.status,
				js: [...js],
				htmlBytes: html.length,
				htmlGzipBytes,
				jsGzipBytes,
				jsFiles: js.size,
				cssGzipBytes,
				localesGzipBytes,
				namespaces,
				totalGzipBytes: htmlGzipBytes + jsGzipBytes + cssGzipBytes + localesGzipBytes,
			}
		}
		return { pages, seed, seedSeconds }
	} finally {
		if (server && server.exitCode === null) {
			const exited = new Promise((r) => server!.once('exit', r))
			server.kill('SIGTERM')
			// A cluster may not stop on SIGTERM (a worker still starting): then its whole process group goes.
			await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))])
			try {
				process.kill(-server.pid!, 'SIGKILL')
			} catch {
				// already gone
			}
		}
		await scratch.drop().catch((e: unknown) => console.error(`Could not drop ${dbName}:`, e))
		await admin.end()
	}
}

if (import.meta.url === `file://${process.argv[1]}`) {
	// Measured on a private copy, so a build started meanwhile elsewhere changes nothing here.
	const snapshot = snapshotBuild()
	process.on('exit', () => snapshot.remove())
	const buildDir = path.join(snapshot.dir, 'build/client')
	const js = measureJs(buildDir)
	for (const [label, r] of Object.entries(js)) console.log(`${label.padEnd(32)} JS ${kb(r.jsGzipBytes).padStart(9)} gzipped in ${r.jsFiles} files; CSS ${kb(r.cssGzipBytes)}`)
	const weight = process.argv.includes('--no-server') ? null : await measurePages(buildDir)
	if (weight) {
		console.log('\nPage weight (gzipped): HTML + JS + CSS + translations = total')
		for (const [label, w] of Object.entries(weight.pages)) {
			console.log(
				`${label.padEnd(32)} HTML ${kb(w.htmlBytes).padStart(9)} raw ${kb(w.htmlGzipBytes).padStart(8)} + JS ${kb(w.jsGzipBytes).padStart(9)} + CSS ${kb(w.cssGzipBytes)} + i18n ${kb(w.localesGzipBytes).padStart(8)} = ${kb(w.totalGzipBytes).padStart(9)}`,
			)
		}
	}
	// The target is judged on what the focus view's HTML makes the browser load when measured, else on the manifest sum.
	const focusJs = weight?.pages[FOCUS]?.jsGzipBytes ?? js[FOCUS]!.jsGzipBytes
	const met = focusJs <= TARGET_FOCUS_JS_KB * 1024
	console.log(`\nFocus view JS ${kb(focusJs)} gzipped: target ≤ ${TARGET_FOCUS_JS_KB} KB ${met ? 'met' : 'NOT met'}`)

	const table1 = Object.entries(js).map(([label, r]) => `| ${label} | ${label === FOCUS ? `**${kb(r.jsGzipBytes)}**` : kb(r.jsGzipBytes)} | ${r.jsFiles} | ${kb(r.cssGzipBytes)} |`)
	const table2 = weight
		? Object.entries(weight.pages).map(
				([label, w]) =>
					`| ${label} | ${kb(w.htmlBytes)} | ${kb(w.htmlGzipBytes)} | ${label === FOCUS ? `**${kb(w.jsGzipBytes)}**` : kb(w.jsGzipBytes)} | ${kb(w.cssGzipBytes)} | ${kb(w.localesGzipBytes)} (${w.namespaces.length}) | **${kb(w.totalGzipBytes)}** |`,
			)
		: []
	const md = `## JavaScript per page type and page weight (\`npm run bench:js\`)

Gzipped JavaScript a page loads (entry + route chain + imports, deduplicated, from the built
Remix manifest) and the one stylesheet:

| page | JS (gzip) | JS files | CSS (gzip) |
|---|---:|---:|---:|
${table1.join('\n')}
${
	weight
		? `
**Total page weight**, from the running app: the built server (\`node build/server.js\`) on a scratch PostgreSQL
database seeded set-based with a consultation in progress (\`seedScale\` of tests/plan-utils.ts: 2 datasets of
${weight.seed.samples ? (weight.seed.samples / 2).toLocaleString('en-US') : '?'} samples, ${weight.seed.flags?.toLocaleString('en-US') ?? '?'} flags, ${weight.seed.issues?.toLocaleString('en-US') ?? '?'} issues), the owner and a
participant signed in for real through \`/signin\` (argon2; their password hashes were set for the run). Each page
is fetched as a browser's first visit would: the HTML (raw, and gzipped as the server sends it), every
\`/assets/…\` script the HTML makes the browser load (its modulepreload links and the inline module script's
imports, the whole route manifest among them: decision 021) and stylesheet, and the translation files the page fetches on
hydration (\`/locales/en/<namespace>\` for the namespaces its route chain declares), all gzipped. English; the
version's pages are those of \`ds-0\`, the participant's those of its first round.

| page | HTML | HTML (gzip) | JS (gzip) | CSS (gzip) | translations (gzip, files) | total (gzip) |
|---|---:|---:|---:|---:|---:|---:|
${table2.join('\n')}
`
		: ''
}
Target (issues #5, #9): the focus view ships at most ${TARGET_FOCUS_JS_KB} KB of gzipped JavaScript — **${met ? 'met' : 'not met'}
(${kb(focusJs)}${weight ? ', as its HTML loads it' : ''})**. Every page also works with no JavaScript at all.

Limits: a repeat visit loads the hashed \`/assets/…\` files from the browser cache (\`immutable\`, one year), so only the
HTML and translations travel again. Not counted: requests made after hydration (data for client-side navigations), the favicon, and gzip
level differences (the server's compression uses zlib's default level, as this benchmark does). The HTML grows with
the data on the page (lists show one page of rows).

Reproduce: \`npm run bench:js\` (builds first; \`-- --no-server\` for the manifest table only). PostgreSQL comes from
\`BENCH_DATABASE_URL\` (default \`postgres://postgres@127.0.0.1:5432/postgres\`; a scratch database is created and
dropped); port 3293. Raw results: \`bench/.out/js-size.json\`.
`
	const out = path.resolve('bench/.out')
	mkdirSync(out, { recursive: true })
	writeFileSync(
		path.join(out, 'js-size.json'),
		JSON.stringify(
			{
				date: new Date().toISOString(),
				manifest: js,
				pages: weight?.pages ?? null,
				seed: weight?.seed ?? null,
				seedSeconds: weight ? Math.round(weight.seedSeconds) : null,
				focusJsGzipBytes: focusJs,
				targetFocusJsKB: TARGET_FOCUS_JS_KB,
				met,
			},
			null,
			2,
		) + '\n',
	)
	writeFileSync(path.join(out, 'js-size.md'), md)
	console.log('Written to bench/.out/js-size.json and bench/.out/js-size.md')
}
