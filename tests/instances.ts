/**
 * For tests/integration/two-instances.test.ts: the built server (`node build/server.js`) as a
 * child process, and a build that is rebuilt only when the sources are newer than it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// Ports other runs may hold (a CI run's app and mail sink).
const RESERVED = new Set([3210, 2626])

function newestMtime(entry: string): number {
	if (!existsSync(entry)) return 0
	const stat = statSync(entry)
	if (!stat.isDirectory()) return stat.mtimeMs
	return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newestMtime(path.join(entry, name))))
}

/** Runs `npm run build` when build/server.js is missing or older than anything it is built from. */
export function ensureBuild(): 'fresh' | 'rebuilt' {
	const built = Math.min(newestMtime(path.join(root, 'build/server.js')), newestMtime(path.join(root, 'build/server/index.js')))
	const sources = ['app', 'db', 'locales', 'public', 'package.json', 'package-lock.json', 'vite.config.ts', 'tsconfig.json'].map((p) => newestMtime(path.join(root, p)))
	if (built > 0 && built >= Math.max(...sources)) return 'fresh'
	// The Remix plugin is left out under vitest (vite.config.ts): the build must not see VITEST.
	const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')))
	execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, env: { ...env, NODE_ENV: 'production' }, stdio: 'pipe', timeout: 300_000 })
	return 'rebuilt'
}

export async function freePort(): Promise<number> {
	for (;;) {
		const port = await new Promise<number>((resolve, reject) => {
			const server = net.createServer()
			server.once('error', reject)
			server.listen(0, '127.0.0.1', () => {
				const address = server.address()
				server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
			})
		})
		if (port && !RESERVED.has(port)) return port
	}
}

export type Instance = { name: string; base: string; child: ChildProcess; output: () => string; stop: () => Promise<void> }

/** Starts one app process on `port`; resolves once /healthz answers. */
export async function startInstance(name: string, port: number, env: Record<string, string>): Promise<Instance> {
	const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'SMTP_URL' && k !== 'DATA_DIR'))
	const child = spawn(process.execPath, ['build/server.js'], {
		cwd: root,
		env: { ...inherited, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	})
	let log = ''
	child.stdout!.on('data', (d: Buffer) => (log += d.toString()))
	child.stderr!.on('data', (d: Buffer) => (log += d.toString()))
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
	const instance: Instance = {
		name,
		base: `http://127.0.0.1:${port}`,
		child,
		output: () => log,
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return
			child.kill('SIGTERM')
			const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
			await exited
			clearTimeout(timer)
		},
	}
	const deadline = Date.now() + 30_000
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`instance ${name} exited with ${child.exitCode}:\n${log}`)
		const ok = await fetch(`${instance.base}/healthz`)
			.then((r) => r.ok)
			.catch(() => false)
		if (ok) return instance
		await new Promise((r) => setTimeout(r, 100))
	}
	await instance.stop()
	throw new Error(`instance ${name} did not answer /healthz within 30 s:\n${log}`)
}
