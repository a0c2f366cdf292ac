import { readdirSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import zlib from 'node:zlib'
import { type ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express from 'express'
import { bodyLimits, type Env } from '../utils/env.server.ts'
import { answer503WhenDatabaseDown } from './database-unavailable.ts'
import { originCheck } from './origin-check.ts'
import { remixHandler } from './remix-handler.ts'
import { limitBody, requestGuard } from './request-guard.ts'
import { reviewSyncDoor, type ReviewSyncExchange } from './review-sync-door.ts'
import { securityHeaders } from './security-headers.ts'

/** What the app's entry module (app/entry.server.tsx) offers the server besides rendering. */
export type AppEntry = {
	startup(options?: { jobs?: boolean }): Promise<{ demo: { email: string; password: string; role: string }[] | null }>
	shutdown(): Promise<void>
	/** The local queue's exchange, served ahead of Remix (app/server/review-sync-door.ts). */
	answerReviewSync: ReviewSyncExchange
}

/**
 * Express in front of Remix: what must hold for every request (security headers, the request
 * guard, the Origin check on mutations, body limits), compression, static files, then the app.
 * Returns the app and the entry module, which owns the database (migrate, seed, close), so only
 * one copy of it ever runs.
 */
export async function createExpressApp({ env, dev }: { env: Env; dev: boolean }) {
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
		build = answer503WhenDatabaseDown((await import(pathToFileURL(path.join(buildDir, 'server/index.js')).href)) as ServerBuild)
	}

	const entryOf = (b: ServerBuild) => b.entry.module as unknown as AppEntry
	const entry = entryOf(typeof build === 'function' ? await build() : build)

	// The local queue's verdicts (JSON in, JSON out) before Remix, with the same function its route calls (decision 058);
	// in development from the build Vite holds now.
	const load = build
	app.use(reviewSyncDoor(typeof load === 'function' ? async () => entryOf(await load()).answerReviewSync : () => entry.answerReviewSync))

	app.all(
		'*',
		remixHandler({
			build,
			mode: dev ? 'development' : 'production',
			getLoadContext: (req, res) => ({ cspNonce: res.locals.cspNonce as string, clientIp: req.ip ?? '' }),
		}),
	)
	return { app, entry }
}

/** URL paths of the files under `dir` (recursively), leaving out the top-level folder `except`. */
function listFiles(dir: string, except: string, prefix = ''): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		if (entry.isDirectory()) return !prefix && entry.name === except ? [] : listFiles(path.join(dir, entry.name), except, `${prefix}/${entry.name}`)
		return entry.isFile() ? [`${prefix}/${entry.name}`] : []
	})
}
