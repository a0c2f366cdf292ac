/**
 * The HTTP server: Express in front of Remix. It applies what must hold for every request
 * (security headers, the Origin check on mutations) and hands the rest to the app, whose
 * entry module owns the database (migrate, seed, close), so only one copy of it ever runs.
 *
 * With WEB_CONCURRENCY above 1 this process is a node:cluster primary that only supervises: it
 * owns the port and hands each connection to one of that many workers (the app keeps no state in
 * memory: docs/deploy.md "Several instances"; why not cluster's own port sharing: decision 019).
 * The first worker migrates and runs the scheduler; the others start once it is ready. On
 * SIGTERM/SIGINT the workers drain and the primary exits when they have.
 */
import cluster, { type Worker } from 'node:cluster'
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import net, { type Socket } from 'node:net'
import { readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import zlib from 'node:zlib'
import { type ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express from 'express'
import { databaseUnavailableCode, invalidInputCode } from '../utils/db-errors.ts'
import { bodyLimits, configuredOrigin, type Env, getEnv } from '../utils/env.server.ts'
import { originCheck } from './origin-check.ts'
import { remixHandler } from './remix-handler.ts'
import { limitBody, requestGuard } from './request-guard.ts'
import { securityHeaders } from './security-headers.ts'

type AppEntry = {
	startup(options?: { jobs?: boolean }): Promise<{ demo: { email: string; password: string; role: string }[] | null }>
	shutdown(): Promise<void>
}

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
	if (n > 1 && !env.DATABASE_URL) throw new Error('Invalid environment configuration:\n  WEB_CONCURRENCY: more than one process needs DATABASE_URL (the embedded database can be opened by one process only)')
	return n
}

// The worker that migrates, seeds and runs the scheduler (a replacement inherits the role).
const JOBS_ROLE = 'RT_WORKER_JOBS'

if (cluster.isPrimary && processes > 1) supervise(processes)
else await serve({ jobs: cluster.isPrimary || process.env[JOBS_ROLE] === '1', inCluster: cluster.isWorker })

/**
 * The primary owns the port, as a single process would: it accepts each connection (without
 * reading it) and hands it to the next worker over IPC. A stop then behaves as in one process:
 * the port closes at once (new connections are refused) and every connection already accepted
 * has been handed over before the workers are told, on the same ordered channel, to drain.
 * (node:cluster's own port sharing leaves a window in which accepted connections are reset: its
 * round-robin queue, or the shared socket's backlog once the first worker has stopped.)
 */
function supervise(count: number) {
	let stopping = false
	let failed = false
	let turn = 0
	const ready: Worker[] = []
	const jobsWorker = new Set<Worker>()
	const workerCount = () => Object.keys(cluster.workers ?? {}).length
	const fork = (jobs: boolean) => {
		const worker = cluster.fork({ [JOBS_ROLE]: jobs ? '1' : '0' })
		if (jobs) jobsWorker.add(worker)
		return worker
	}
	const balancer = net.createServer({ pauseOnConnect: true }, (socket) => {
		const worker = ready.length ? ready[turn++ % ready.length] : undefined
		if (!worker) return socket.destroy()
		worker.send('connection', socket, (error: Error | null) => error && socket.destroy())
	})
	balancer.on('error', (error) => {
		console.error(`Cannot listen on ${env.HOST}:${env.PORT}: ${error.message}`)
		failed = true
		stop('error')
	})
	// Ready workers drain (after every connection handed to them); one still starting has none: it just stops.
	const stopAll = () => {
		for (const worker of Object.values(cluster.workers ?? {})) {
			if (!worker) continue
			if (ready.includes(worker) && worker.isConnected()) worker.send('stop')
			else worker.process.kill('SIGTERM')
		}
	}
	cluster.on('message', (worker, message) => {
		if (message !== 'ready') return
		if (stopping) return void worker.send('stop')
		ready.push(worker)
		if (ready.length > 1 || balancer.listening) return
		// The others start once the first has migrated the database: no two migrate or seed at once.
		balancer.listen(env.PORT, env.HOST, () => {
			const address = balancer.address()
			const port = typeof address === 'object' && address ? address.port : env.PORT
			console.log(`Roundtable is listening on ${env.APP_URL ?? `http://localhost:${port}`} (${count} processes)`)
			for (let i = 1; i < count; i++) fork(false)
		})
	})
	cluster.on('exit', (worker, code, signal) => {
		const wasReady = ready.includes(worker)
		if (wasReady) ready.splice(ready.indexOf(worker), 1)
		const hadJobs = jobsWorker.delete(worker)
		if (!stopping) {
			console.error(`worker ${worker.process.pid} exited (${signal ?? code})${wasReady ? ', starting another' : ' before it was ready: stopping'}`)
			// A worker that fails at start-up would fail again (environment, database): give up.
			if (wasReady) fork(hadJobs)
			else {
				failed = true
				stop('error')
			}
		}
		if (stopping && wasReady && (code !== 0 || signal)) failed = true
		if (stopping && workerCount() === 0) process.exit(failed ? 1 : 0)
	})
	function stop(signal: string) {
		if (stopping) return
		stopping = true
		if (signal !== 'error') console.log(`${signal} received: finishing in-flight requests in ${workerCount()} workers`)
		if (balancer.listening) balancer.close()
		stopAll()
		// Workers give up after their own 15 s; this is for one that cannot.
		setTimeout(() => {
			for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL')
			process.exit(1)
		}, 20_000).unref()
		if (workerCount() === 0) process.exit(failed ? 1 : 0)
	}
	process.on('SIGTERM', () => stop('SIGTERM'))
	process.on('SIGINT', () => stop('SIGINT'))
	fork(true)
}

async function serve({ jobs, inCluster }: { jobs: boolean; inCluster: boolean }) {
	const app = express()
	app.disable('x-powered-by')
	app.set('trust proxy', env.TRUST_PROXY)

	app.use(securityHeaders({ dev }))

	// Host, URL and cookies checked; bodies of refused requests drained (app/server/request-guard.ts).
	app.use(requestGuard({ appUrl: env.APP_URL }))
	app.use(originCheck(env.APP_URL))
	// Body limits after the Origin check, so a refused mutation's body is never read, only drained.
	app.use(limitBody(bodyLimits(env)))

	// Fast settings: pages are ~20 kB of HTML, and the default levels (gzip 6, brotli 4) cost
	// 0.5–1 ms of CPU per page for ~10% fewer bytes (docs/benchmarks.md, "Review loop").
	// Brotli's default window (LGWIN 22: a 4 MiB ring buffer and its hash tables, allocated and
	// zeroed for every response) made a 3 kB page cost ~10 ms of CPU and halved the home page's
	// throughput against gzip; a 256 KiB window (LGWIN 18) is larger than any page, so the output
	// is the same and brotli costs what gzip does.
	app.use(
		compression({
			level: zlib.constants.Z_BEST_SPEED,
			brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 2, [zlib.constants.BROTLI_PARAM_LGWIN]: 18 } },
		}),
	)
	app.use(coalesceWrites)

	type DataFunction = (args: { request: Request }) => unknown

	/**
	 * A loader or action that fails because the database is unreachable throws a 503 Response
	 * instead, so pages show the translated "temporarily unavailable" error page rather than a 500;
	 * one whose statement the database refused for a value it was given (SQLSTATE class 22: not a
	 * UUID, out of range…) throws a 400, the translated "bad request" page.
	 * (API routes answer their own JSON 503: app/utils/api.server.ts.)
	 */
	function answer503WhenDatabaseDown(serverBuild: ServerBuild): ServerBuild {
		const wrap = (fn: DataFunction | undefined) =>
			fn &&
			(async (args: { request: Request }) => {
				try {
					return await fn(args)
				} catch (error) {
					const invalid = invalidInputCode(error)
					if (invalid) throw new Response('Bad Request', { status: 400, statusText: 'Bad Request', headers: { 'Cache-Control': 'no-store' } })
					const code = databaseUnavailableCode(error)
					if (!code) throw error
					console.error(`${args.request.method} ${new URL(args.request.url).pathname}: database unavailable (${code})`)
					throw new Response('Service Unavailable', { status: 503, statusText: 'Service Unavailable', headers: { 'Retry-After': '5', 'Cache-Control': 'no-store' } })
				}
			})
		const routes = Object.fromEntries(
			Object.entries(serverBuild.routes).map(([id, route]) => {
				const mod = route.module as typeof route.module & { loader?: DataFunction; action?: DataFunction }
				return [id, { ...route, module: { ...mod, loader: wrap(mod.loader), action: wrap(mod.action) } }]
			}),
		) as ServerBuild['routes']
		return { ...serverBuild, routes }
	}

	// A function in development (Vite reloads the build); the build itself in production: given a
	// function, Remix rebuilds its route tree and request handler for every request (a fifth of
	// the CPU time of a page in a profile of the review loop).
	let build: ServerBuild | (() => Promise<ServerBuild>)
	if (dev) {
		const vite = await import('vite').then((v) => v.createServer({ server: { middlewareMode: true } }))
		app.use(vite.middlewares)
		build = () => (vite.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>).then(answer503WhenDatabaseDown)
	} else {
		const buildDir = path.resolve('build')
		app.use('/assets', express.static(path.join(buildDir, 'client/assets'), { immutable: true, maxAge: '1y' }))
		// The public files (favicon…) are known at start: other paths skip serve-static's file lookup.
		const clientDir = path.join(buildDir, 'client')
		const publicFiles = new Set(listFiles(clientDir, 'assets'))
		const servePublic = express.static(clientDir, { maxAge: '1h' })
		app.use((req, res, next) => (publicFiles.has(req.path) ? servePublic(req, res, next) : next()))
		const serverBuild = answer503WhenDatabaseDown((await import(pathToFileURL(path.join(buildDir, 'server/index.js')).href)) as ServerBuild)
		build = serverBuild
	}

	const entry = (typeof build === 'function' ? await build() : build).entry.module as unknown as AppEntry
	const { demo } = await entry.startup({ jobs })

	app.all(
		'*',
		remixHandler({
			build,
			mode: dev ? 'development' : 'production',
			getLoadContext: (req, res) => ({ cspNonce: res.locals.cspNonce as string, clientIp: req.ip ?? '' }),
		}),
	)

	if (!env.APP_URL && configuredOrigin(env)) console.log(`APP_URL is not set: links in emails point to ${configuredOrigin(env)} (set APP_URL to the public origin)`)
	const announce = (port: number) => {
		// In a cluster the primary says where it listens; the first worker shows the demo accounts.
		if (!inCluster) console.log(`Roundtable is listening on ${env.APP_URL ?? `http://localhost:${port}`}`)
		if (demo) {
			console.log('Demo accounts (password for each is shown):')
			for (const account of demo) console.log(`  ${account.role.padEnd(10)} ${account.email}  ${account.password}`)
		}
	}
	const server: Server = http.createServer(app)
	if (inCluster) {
		// Connections come from the primary, unread (see supervise).
		process.on('message', (message: unknown, socket?: Socket) => {
			if (message === 'stop') void stop('SIGTERM')
			else if (message === 'connection' && socket) {
				// What http.Server does for the connections it accepts itself: without it Nagle's
				// algorithm holds a response's last small write until the client's delayed ACK
				// (~40 ms), which halved the throughput of two workers against one process.
				socket.setNoDelay(true)
				server.emit('connection', socket)
				socket.resume()
			}
		})
		announce(env.PORT)
		process.send!('ready')
	} else {
		server.listen(env.PORT, env.HOST, () => {
			const address = server.address()
			announce(typeof address === 'object' && address ? address.port : env.PORT)
		})
	}
	server.keepAliveTimeout = 65_000

	let stopping = false
	// Requests in progress on each open connection, so a stop can close connections as they fall idle.
	const inProgress = new Map<Socket, number>()
	server.on('connection', (socket: Socket) => {
		inProgress.set(socket, 0)
		socket.once('close', () => {
			inProgress.delete(socket)
			if (stopping && inCluster && inProgress.size === 0) void finish()
		})
	})
	server.on('request', (req: IncomingMessage, res: ServerResponse) => {
		const socket = req.socket
		inProgress.set(socket, (inProgress.get(socket) ?? 0) + 1)
		if (stopping) res.setHeader('Connection', 'close')
		// 'close' comes after the response was handed to the OS (or was aborted).
		res.once('close', () => {
			if (!inProgress.has(socket)) return
			const left = Math.max(0, (inProgress.get(socket) ?? 1) - 1)
			inProgress.set(socket, left)
			if (stopping && left === 0) closeConnection(socket)
		})
	})
	const closeConnection = (socket: Socket) => socket.end(() => socket.destroy())

	/**
	 * SIGTERM/SIGINT: stop accepting connections, answer every request already sent (in full, then
	 * that connection closes), then stop the scheduler, close the database pool and exit 0 — or 1 if
	 * requests are still running after 15 s. net.Server's close, not http.Server's: the latter at once
	 * destroys every connection without a response in progress, including ones whose request has
	 * arrived but not yet been read. Idle connections are closed a moment later instead, once such
	 * requests have been read (and are in progress).
	 */
	let finishing = false
	async function finish() {
		if (finishing) return
		finishing = true
		await entry.shutdown()
		process.exit(0)
	}

	async function stop(signal: string) {
		if (stopping) return
		stopping = true
		if (!inCluster) console.log(`${signal} received: finishing in-flight requests`)
		const force = setTimeout(() => process.exit(1), 15_000)
		force.unref()
		// Not at once: the signal may be handled in the same event-loop turn that has connections
		// waiting to be accepted (a busy loop comes round late); closing the socket first resets them.
		// A cluster worker has no socket of its own: it is done when its last connection closes.
		if (!inCluster) setImmediate(() => net.Server.prototype.close.call(server, () => void finish()))
		else if (inProgress.size === 0) void finish()
		// After the poll phase (setImmediate), so that requests already received are read and counted
		// first, even when the event loop is late; a connection with unparsed bytes is not idle.
		const sweep = setTimeout(
			() =>
				setImmediate(() => {
					for (const [socket, requests] of inProgress) if (requests === 0 && socket.readableLength === 0) closeConnection(socket)
				}),
			1_000,
		)
		sweep.unref()
	}
	process.on('SIGTERM', () => void stop('SIGTERM'))
	process.on('SIGINT', () => void stop('SIGINT'))
}

/** URL paths of the files under `dir` (recursively), leaving out the top-level folder `except`. */
function listFiles(dir: string, except: string, prefix = ''): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		if (entry.isDirectory()) return !prefix && entry.name === except ? [] : listFiles(path.join(dir, entry.name), except, `${prefix}/${entry.name}`)
		return entry.isFile() ? [`${prefix}/${entry.name}`] : []
	})
}

const COALESCE_LIMIT = 16 * 1024

/**
 * Remix writes a response body chunk by chunk and flushes after each (@remix-run/node's
 * writeReadableStreamToWritable); behind compression every chunk and every flush is a zlib job on
 * the thread pool. HTML pages are one chunk since decision 022, but streamed bodies such as client
 * navigations' `.data` responses can still come as many small ones (~10% of a page's CPU when pages
 * did). Chunks written in one turn of the event loop go on together, flushed once. Large writes and writes with a callback pass straight through, so
 * streams that honour backpressure (static files, downloads) keep it.
 */
function coalesceWrites(_req: IncomingMessage, res: ServerResponse, next: () => void) {
	const write = res.write.bind(res) as (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean
	const end = res.end.bind(res) as (chunk?: unknown, encoding?: unknown, cb?: unknown) => ServerResponse
	const flush = (res as { flush?: () => void }).flush?.bind(res)
	let pending: Buffer[] = []
	let bytes = 0
	let wantFlush = false
	let timer: NodeJS.Immediate | undefined
	const take = () => {
		if (timer) clearImmediate(timer)
		timer = undefined
		const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending, bytes)
		pending = []
		bytes = 0
		return chunk
	}
	const pass = () => (pending.length ? write(take()) : true)
	const onTick = () => {
		timer = undefined
		pass()
		if (wantFlush && flush && !res.writableEnded) flush()
		wantFlush = false
	}
	const toBuffer = (chunk: unknown, encoding: unknown) =>
		typeof chunk === 'string' ? Buffer.from(chunk, (encoding as BufferEncoding | undefined) ?? 'utf8') : Buffer.from((chunk as Uint8Array).buffer, (chunk as Uint8Array).byteOffset, (chunk as Uint8Array).byteLength)
	res.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
		if (typeof encoding === 'function' || typeof cb === 'function' || !(typeof chunk === 'string' || chunk instanceof Uint8Array)) {
			pass()
			return write(chunk, encoding, cb)
		}
		const buffer = toBuffer(chunk, encoding)
		pending.push(buffer)
		bytes += buffer.byteLength
		if (bytes >= COALESCE_LIMIT) return pass()
		timer ??= setImmediate(onTick)
		return true
	}) as ServerResponse['write']
	res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
		if (typeof chunk === 'function') [cb, chunk] = [chunk, undefined]
		else if (typeof encoding === 'function') [cb, encoding] = [encoding, undefined]
		if (chunk !== undefined && chunk !== null && (typeof chunk === 'string' || chunk instanceof Uint8Array)) {
			const buffer = toBuffer(chunk, encoding)
			pending.push(buffer)
			bytes += buffer.byteLength
		} else if (chunk !== undefined && chunk !== null) {
			pass()
			return end(chunk, encoding, cb)
		}
		return pending.length ? end(take(), undefined, cb) : end(undefined, undefined, cb)
	}) as ServerResponse['end']
	if (flush)
		(res as { flush?: () => void }).flush = () => {
			wantFlush = true
			timer ??= setImmediate(onTick)
		}
	next()
}
