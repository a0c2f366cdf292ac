/**
 * The PGlite pass of a benchmark that drives the built app (issue #9: PGlite figures beside
 * PostgreSQL's). PGlite belongs to the one process that opened its data folder, and
 * app/utils/db.server.ts keeps the handle it opened first, so the benchmark runs again in a child
 * process of its own (`--engine pglite … --child-out <file>`): the child seeds a new data folder
 * with the app's code, closes it, starts `node build/server.js` on it (no DATABASE_URL, one
 * process), measures, and writes its JSON for the parent to put beside PostgreSQL's figures.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export type Engine = 'postgres' | 'pglite'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** "PGlite 0.5.16": the installed version. */
export function pgliteVersion(): string {
	return `PGlite ${(JSON.parse(readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version}`
}

/**
 * Points this process's app code at a new PGlite data folder, in a temp dir of its own that is
 * removed by `remove()` or, failing that, when the process exits. Call before importing db.server.ts.
 */
export function usePgliteDataDir(name: string) {
	const temp = mkdtempSync(path.join(os.tmpdir(), `rt-bench-${name}-`))
	const remove = () => rmSync(temp, { recursive: true, force: true })
	process.once('exit', remove)
	const dir = path.join(temp, 'data')
	delete process.env.DATABASE_URL
	process.env.DATA_DIR = dir
	return { dir, remove }
}

/**
 * What `node build/server.js` needs to open the benchmark's database: its URL for PostgreSQL; for
 * PGlite the data folder and one process (`WEB_CONCURRENCY=1`), and no DATABASE_URL.
 */
export function serverDatabaseEnv(engine: Engine, where: { url?: string; dataDir?: string }): Record<string, string | undefined> {
	return engine === 'postgres' ? { DATABASE_URL: where.url } : { DATABASE_URL: undefined, DATA_DIR: where.dataDir, WEB_CONCURRENCY: '1' }
}

/**
 * Runs `script` again in a child process on PGlite with `childArgs`, its output inherited; returns
 * the JSON it wrote, or null and a sentence saying why there is none (`enabled` false: `--pglite 0`).
 */
export function runPglitePass<T>(enabled: boolean, script: string, name: string, childArgs: string[]): { result: T | null; note: string } {
	if (!enabled) return { result: null, note: 'PGlite was not measured in this run (`--pglite 0`).' }
	const outDir = path.join(root, 'bench/.out')
	mkdirSync(outDir, { recursive: true })
	const file = path.join(outDir, `${name}-pglite.json`)
	rmSync(file, { force: true })
	console.log(`\nPGlite pass, in a child process: ${childArgs.join(' ')}`)
	const t0 = performance.now()
	const child = spawnSync(process.execPath, [...process.execArgv, script, '--engine', 'pglite', ...childArgs, '--child-out', file], { stdio: 'inherit', cwd: root })
	console.log(`PGlite pass: ${((performance.now() - t0) / 1000).toFixed(0)} s`)
	if (child.status === 0 && existsSync(file)) return { result: JSON.parse(readFileSync(file, 'utf8')) as T, note: '' }
	return { result: null, note: `The PGlite pass failed (exit ${child.status ?? child.signal}); no PGlite figures in this run.` }
}

/** The PGlite subsection when the pass has no figures: the heading and why. */
export const pgliteMissingSection = (note: string) => `\n### PGlite (embedded database)\n\n${note}\n`
