/**
 * The HTTP server: Express in front of Remix. It applies what must hold for every request
 * (security headers, the Origin check on mutations) and hands the rest to the app, whose
 * entry module owns the database (migrate, seed, close), so only one copy of it ever runs.
 */
import { type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import net, { type Socket } from 'node:net'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createRequestHandler } from '@remix-run/express'
import { type ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express from 'express'
import { databaseUnavailableCode } from '../utils/db-errors.ts'
import { getEnv } from '../utils/env.server.ts'
import { originCheck } from './origin-check.ts'
import { securityHeaders } from './security-headers.ts'

type AppEntry = { startup(): Promise<{ demo: { email: string; password: string; role: string }[] | null }>; shutdown(): Promise<void> }

const dev = process.argv.includes('--dev')
if (dev) process.env.NODE_ENV ??= 'development'

let env
try {
	env = getEnv()
} catch (error) {
	console.error((error as Error).message)
	process.exit(1)
}

const app = express()
app.disable('x-powered-by')
app.set('trust proxy', env.TRUST_PROXY)

app.use(securityHeaders({ dev }))

app.use(originCheck(env.APP_URL))

app.use(compression())

type DataFunction = (args: { request: Request }) => unknown

/**
 * A loader or action that fails because the database is unreachable throws a 503 Response
 * instead, so pages show the translated "temporarily unavailable" error page rather than a 500.
 * (API routes answer their own JSON 503: app/utils/api.server.ts.)
 */
function answer503WhenDatabaseDown(serverBuild: ServerBuild): ServerBuild {
	const wrap = (fn: DataFunction | undefined) =>
		fn &&
		(async (args: { request: Request }) => {
			try {
				return await fn(args)
			} catch (error) {
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

let build: () => Promise<ServerBuild>
if (dev) {
	const vite = await import('vite').then((v) => v.createServer({ server: { middlewareMode: true } }))
	app.use(vite.middlewares)
	build = () => (vite.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>).then(answer503WhenDatabaseDown)
} else {
	const buildDir = path.resolve('build')
	app.use('/assets', express.static(path.join(buildDir, 'client/assets'), { immutable: true, maxAge: '1y' }))
	app.use(express.static(path.join(buildDir, 'client'), { maxAge: '1h' }))
	const serverBuild = answer503WhenDatabaseDown((await import(pathToFileURL(path.join(buildDir, 'server/index.js')).href)) as ServerBuild)
	build = async () => serverBuild
}

const entry = (await build()).entry.module as unknown as AppEntry
const { demo } = await entry.startup()

app.all(
	'*',
	createRequestHandler({
		build,
		mode: dev ? 'development' : 'production',
		getLoadContext: (req, res) => ({ cspNonce: res.locals.cspNonce as string, clientIp: req.ip ?? '' }),
	}),
)

const server: Server = app.listen(env.PORT, env.HOST, () => {
	const address = server.address()
	const port = typeof address === 'object' && address ? address.port : env.PORT
	const url = env.APP_URL ?? `http://localhost:${port}`
	console.log(`Roundtable is listening on ${url}`)
	if (demo) {
		console.log('Demo accounts (password for each is shown):')
		for (const account of demo) console.log(`  ${account.role.padEnd(10)} ${account.email}  ${account.password}`)
	}
})
server.keepAliveTimeout = 65_000

let stopping = false
// Requests in progress on each open connection, so a stop can close connections as they fall idle.
const inProgress = new Map<Socket, number>()
server.on('connection', (socket: Socket) => {
	inProgress.set(socket, 0)
	socket.once('close', () => inProgress.delete(socket))
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
async function stop(signal: string) {
	if (stopping) return
	stopping = true
	console.log(`${signal} received: finishing in-flight requests`)
	const force = setTimeout(() => process.exit(1), 15_000)
	force.unref()
	net.Server.prototype.close.call(server, async () => {
		await entry.shutdown()
		process.exit(0)
	})
	const sweep = setTimeout(() => {
		for (const [socket, requests] of inProgress) if (requests === 0) closeConnection(socket)
	}, 1_000)
	sweep.unref()
}
process.on('SIGTERM', () => void stop('SIGTERM'))
process.on('SIGINT', () => void stop('SIGINT'))
