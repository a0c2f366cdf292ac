/**
 * JavaScript each page type ships, gzipped: the entry, the route chain (root → page) and every
 * module they import, deduplicated — read from the built Remix manifest. `npm run build` first.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'

type RouteEntry = { id: string; parentId?: string; module: string; imports?: string[]; css?: string[] }
type Manifest = { entry: { module: string; imports: string[] }; routes: Record<string, RouteEntry> }

export const pageTypes: Record<string, string> = {
	'focus view (review a sample)': 'routes/rounds+/$roundId+/review.$externalId',
	'round home (participant)': 'routes/rounds+/$roundId+/_index',
	'sign in': 'routes/_auth+/signin',
	'browse samples (owner)': 'routes/datasets+/$slug+/versions.$label+/samples._index',
	'round page (owner)': 'routes/datasets+/$slug+/versions.$label+/rounds.$roundId',
	'version page (owner)': 'routes/datasets+/$slug+/versions.$label+/_index',
}

export function measureJs(buildDir = 'build/client') {
	const assets = path.join(buildDir, 'assets')
	const file = readdirSync(assets).find((f) => /^manifest-.*\.js$/.test(f))
	if (!file) throw new Error('No Remix manifest in build/client/assets: run `npm run build` first')
	const manifest = JSON.parse(readFileSync(path.join(assets, file), 'utf8').replace(/^window\.__remixManifest=/, '').replace(/;?\s*$/, '')) as Manifest
	const gz = (url: string) => gzipSync(readFileSync(path.join(buildDir, url))).length
	const css = readdirSync(assets).filter((f) => f.endsWith('.css'))
	const cssGzip = css.reduce((n, f) => n + gzipSync(readFileSync(path.join(assets, f))).length, 0)
	const result: Record<string, { jsGzipBytes: number; jsFiles: number; cssGzipBytes: number }> = {}
	for (const [label, id] of Object.entries(pageTypes)) {
		const urls = new Set<string>([manifest.entry.module, ...manifest.entry.imports])
		for (let route: RouteEntry | undefined = manifest.routes[id]; route; route = route.parentId ? manifest.routes[route.parentId] : undefined) {
			urls.add(route.module)
			for (const i of route.imports ?? []) urls.add(i)
		}
		if (!manifest.routes[id]) throw new Error(`No route ${id} in the manifest`)
		result[label] = { jsGzipBytes: [...urls].reduce((n, u) => n + gz(u), 0), jsFiles: urls.size, cssGzipBytes: cssGzip }
	}
	return result
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`
	for (const [label, r] of Object.entries(measureJs())) console.log(`${label.padEnd(32)} JS ${kb(r.jsGzipBytes).padStart(9)} gzipped in ${r.jsFiles} files; CSS ${kb(r.cssGzipBytes)}`)
}
