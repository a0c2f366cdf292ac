import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * A private copy of the built app to run benchmarks against: `build/` is rewritten by every
 * `npm run build` (other benchmarks, tests), and a server started from it while that happens
 * fails to load. The copy has what `node build/server.js` reads next to it — the migrations
 * (`../../db/migrations` from the server bundle), package.json (ES modules) and node_modules (a
 * link). Run the server with `cwd` set to the returned folder; `remove()` when done.
 */
export function snapshotBuild(root = process.cwd()) {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'rt-bench-build-'))
	// A build running meanwhile may have emptied build/ for a moment: copy again until whole.
	const whole = () => existsSync(path.join(dir, 'build/server.js')) && existsSync(path.join(dir, 'build/server/index.js')) && existsSync(path.join(dir, 'build/client/assets'))
	for (let attempt = 0; !whole(); attempt++) {
		if (attempt === 30) {
			rmSync(dir, { recursive: true, force: true })
			throw new Error('build/ is missing or stayed incomplete for a minute: run `npm run build` first')
		}
		if (attempt) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000)
		rmSync(path.join(dir, 'build'), { recursive: true, force: true })
		try {
			cpSync(path.join(root, 'build'), path.join(dir, 'build'), { recursive: true })
		} catch {
			// files vanished under the copy: try again
		}
	}
	cpSync(path.join(root, 'db/migrations'), path.join(dir, 'db/migrations'), { recursive: true })
	cpSync(path.join(root, 'package.json'), path.join(dir, 'package.json'))
	symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
	return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
