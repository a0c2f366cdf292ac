/**
 * The HTTP server's entry: reads the environment and either supervises a cluster or serves.
 * Its concerns live beside it: the Express app in front of Remix (express-app.ts, with the
 * security headers, request guard, Origin check and database-unavailable wrapper it mounts), the
 * cluster primary and the worker's side of it (cluster.ts), and the graceful drain (drain.ts).
 *
 * With WEB_CONCURRENCY above 1 this process is a node:cluster primary that only supervises: it
 * owns the port and hands each connection to one of that many workers (the app keeps no state in
 * memory: docs/deploy.md "Several instances"; why not cluster's own port sharing: decision 019).
 * The first worker migrates and runs the scheduler; the others start once it is ready. On
 * SIGTERM/SIGINT the workers drain and the primary exits when they have.
 */
import cluster from 'node:cluster'
import http from 'node:http'
import os from 'node:os'
import { configuredOrigin, type Env, getEnv } from '../utils/env.server.ts'
import { JOBS_ROLE, serveFromPrimary, supervise } from './cluster.ts'
import { gracefulDrain } from './drain.ts'
import { createExpressApp } from './express-app.ts'
import { capHeapGrowth } from '../utils/heap.server.ts'

capHeapGrowth()

const dev = process.argv.includes('--dev')
if (dev) process.env.NODE_ENV ??= 'development'

let env: Env
let processes: number
try {
	env = getEnv()
	processes = webConcurrency(env)
} catch (error) {
	console.error((error as Error).message)
	process.exit(1)
}

/**
 * How many processes serve requests. Unset: one per CPU in production on PostgreSQL; one in
 * development, in tests and on the embedded database (PGlite belongs to the process that opened it).
 */
function webConcurrency(env: Env): number {
	const raw = process.env.WEB_CONCURRENCY?.trim()
	if (dev || env.NODE_ENV !== 'production') return 1
	if (!raw) return env.DATABASE_URL ? os.availableParallelism() : 1
	const n = Number(raw)
	if (!Number.isInteger(n) || n < 1) throw new Error(`Invalid environment configuration:\n  WEB_CONCURRENCY: must be a whole number of processes, 1 or more (got "${raw}")`)
	if (n > 1 && !env.DATABASE_URL)
		throw new Error('Invalid environment configuration:\n  WEB_CONCURRENCY: more than one process needs DATABASE_URL (the embedded database can be opened by one process only)')
	return n
}

if (cluster.isPrimary && processes > 1) supervise(processes, env)
else await serve({ jobs: cluster.isPrimary || process.env[JOBS_ROLE] === '1', inCluster: cluster.isWorker })

async function serve({ jobs, inCluster }: { jobs: boolean; inCluster: boolean }) {
	const { app, entry } = await createExpressApp({ env, dev })
	const { demo } = await entry.startup({ jobs })

	if (!env.APP_URL && configuredOrigin(env)) console.log(`APP_URL is not set: links in emails point to ${configuredOrigin(env)} (set APP_URL to the public origin)`)
	const announce = (port: number) => {
		// In a cluster the primary says where it listens; the first worker shows the demo accounts.
		if (!inCluster) console.log(`Roundtable is listening on ${env.APP_URL ?? `http://localhost:${port}`}`)
		if (demo) {
			console.log('Demo accounts (password for each is shown):')
			for (const account of demo) console.log(`  ${account.role.padEnd(10)} ${account.email}  ${account.password}`)
		}
	}
	const server = http.createServer(app)
	server.keepAliveTimeout = 65_000
	const stop = gracefulDrain(server, { inCluster, finish: () => entry.shutdown() })
	if (inCluster) {
		announce(env.PORT)
		serveFromPrimary(server, { stop })
	} else {
		server.listen(env.PORT, env.HOST, () => {
			const address = server.address()
			announce(typeof address === 'object' && address ? address.port : env.PORT)
		})
	}
	process.on('SIGTERM', () => stop('SIGTERM'))
	process.on('SIGINT', () => stop('SIGINT'))
}
