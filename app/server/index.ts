/**
 * The HTTP server: Express in front of Remix. It applies what must hold for every request
 * (security headers, the Origin check on mutations) and hands the rest to the app, whose
 * entry module owns the database (migrate, seed, close), so only one copy of it ever runs.
 */
import { randomBytes } from 'node:crypto'
import { type Server } from 'node:http'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createRequestHandler } from '@remix-run/express'
import { type ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express from 'express'
import { getEnv } from '../utils/env.server.ts'
import { baseSecurityHeaders, contentSecurityPolicy, isMutationAllowed } from '../utils/http-security.ts'

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

app.use((req, res, next) => {
	// HSTS and upgrade-insecure-requests only when this request really came over HTTPS.
	const https = req.secure
	res.set(baseSecurityHeaders({ https }))
	const nonce = randomBytes(16).toString('base64')
	res.locals.cspNonce = nonce
	res.set('Content-Security-Policy', contentSecurityPolicy(nonce, { dev, https }))
	next()
})

app.use((req, res, next) => {
	const expectedOrigin = env.APP_URL ? new URL(env.APP_URL).origin : `${req.protocol}://${req.get('host')}`
	if (isMutationAllowed({ method: req.method, pathname: req.path, origin: req.get('origin'), expectedOrigin })) return next()
	res.status(403).type('text/plain').send('403 Forbidden: this request did not come from Roundtable itself (Origin check).')
})

app.use(compression())

let build: () => Promise<ServerBuild>
if (dev) {
	const vite = await import('vite').then((v) => v.createServer({ server: { middlewareMode: true } }))
	app.use(vite.middlewares)
	build = () => vite.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>
} else {
	const buildDir = path.resolve('build')
	app.use('/assets', express.static(path.join(buildDir, 'client/assets'), { immutable: true, maxAge: '1y' }))
	app.use(express.static(path.join(buildDir, 'client'), { maxAge: '1h' }))
	const serverBuild = (await import(pathToFileURL(path.join(buildDir, 'server/index.js')).href)) as ServerBuild
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
async function stop(signal: string) {
	if (stopping) return
	stopping = true
	console.log(`${signal} received: finishing in-flight requests`)
	const force = setTimeout(() => process.exit(1), 15_000)
	force.unref()
	server.close(async () => {
		await entry.shutdown()
		process.exit(0)
	})
	server.closeIdleConnections()
}
process.on('SIGTERM', () => void stop('SIGTERM'))
process.on('SIGINT', () => void stop('SIGINT'))
