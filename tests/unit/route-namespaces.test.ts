import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'

// The browser loads only the namespaces a page's routes list in handle.i18n before hydrating
// (remix-i18next's getInitialNamespaces). A namespace the page reads but does not list renders
// as keys in the browser and as words on the server: a hydration error (React error 418), which
// the invitation page had with 'auth'.

function routeFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? routeFiles(path.join(dir, e.name)) : e.name.endsWith('.tsx') ? [path.join(dir, e.name)] : []))
}

const quoted = (s: string) => [...s.matchAll(/'([\w-]+)'/g)].map((m) => m[1]!)

test('every namespace a page component reads is listed in its handle', () => {
	const problems: string[] = []
	const files = routeFiles('app/routes').filter((f) => !path.basename(f).startsWith('__'))
	for (const file of files) {
		const source = readFileSync(file, 'utf8')
		if (!source.includes('export default')) continue
		const declared = new Set(['common', ...quoted(/i18n:\s*\[([^\]]*)\]/.exec(source)?.[1] ?? '')])
		const used = [...source.matchAll(/useTranslation\(([^)]*)\)/g)].flatMap((m) => quoted(m[1]!))
		for (const ns of used) if (!declared.has(ns)) problems.push(`${file}: reads '${ns}' without listing it in handle.i18n`)
	}
	expect(files.length).toBeGreaterThan(20)
	expect(problems).toEqual([])
})
