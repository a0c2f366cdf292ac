/**
 * What the fault-injection trials (tests/faults/*.test.ts, `npm run test:faults`) share: scratch
 * databases on the shared PostgreSQL server, a private PostgreSQL cluster that may be stopped and
 * started, the built server as a child process (tests/instances.ts), an owner with a dataset and
 * an API token made through the real web forms, and sample files generated on the fly.
 */
import { execFile, spawnSync } from 'node:child_process'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { freePort, startInstance, type Instance } from '#tests/instances.ts'
import { cookiesFrom } from '#tests/route-utils.ts'

// The public origin every instance serves (APP_URL), as a browser behind a proxy would send it.
export const ORIGIN = 'http://roundtable.test'
export const PROXIED = { 'X-Forwarded-Host': new URL(ORIGIN).host, 'X-Forwarded-Proto': 'http' }

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Seeded, so a failing run can be replayed with RT_FAULTS_SEED. */
export function rng(seed: number) {
	let a = seed >>> 0
	return () => {
		a = (a + 0x6d2b79f5) >>> 0
		let t = a
		t = Math.imul(t ^ (t >>> 15), t | 1)
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
}
export const SEED = Number(process.env.RT_FAULTS_SEED) || Math.floor(Math.random() * 2 ** 31)

// ---------------------------------------------------------------------------------------------
// The shared PostgreSQL server: only scratch databases are created on it (and dropped after).

/** Any database on the shared server, used to create and drop scratch databases (as .ci/run does). */
export function sharedServerUrl(): string {
	return process.env.DATABASE_URL ?? `postgres://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:${process.env.PGPORT ?? '5432'}/postgres`
}

export async function reachable(url: string): Promise<string | null> {
	const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 })
	try {
		await sql`select 1`
		return null
	} catch (error) {
		return (error as Error).message
	} finally {
		await sql.end({ timeout: 1 }).catch(() => {})
	}
}

export type Scratch = { name: string; url: string; sql: postgres.Sql; drop: () => Promise<void> }

/** A new empty database `rt_faults_<random>` on the shared server, and a connection to it. */
export async function scratchDatabase(): Promise<Scratch> {
	const name = `rt_faults_${randomBytes(6).toString('hex')}`
	const admin = postgres(sharedServerUrl(), { max: 1, onnotice: () => {} })
	await admin.unsafe(`create database ${name}`)
	const u = new URL(sharedServerUrl())
	u.pathname = `/${name}`
	const url = u.toString()
	const sql = postgres(url, { max: 2, onnotice: () => {} })
	return {
		name,
		url,
		sql,
		async drop() {
			await sql.end({ timeout: 5 }).catch(() => {})
			await admin.unsafe(`drop database if exists ${name} with (force)`)
			await admin.end({ timeout: 5 })
		},
	}
}

// ---------------------------------------------------------------------------------------------
// A private PostgreSQL cluster (never the shared server): initdb into a temporary folder, run on
// a free port, stopped and started at will. As root, initdb refuses to run, so the binaries run as
// the `postgres` OS user (runuser, else su).

export type ClusterPlan = { bin: string; runAs: ((argv: string[]) => string[]) | null; owner: { uid: number; gid: number } | null }

function runAsCandidates(): Array<(argv: string[]) => string[]> {
	const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
	return [(argv) => ['runuser', '-u', 'postgres', '--', ...argv], (argv) => ['su', 'postgres', '-s', '/bin/sh', '-c', argv.map(quote).join(' ')]]
}

/** Where initdb and pg_ctl are and how to run them, or why a private cluster cannot be made here. */
export function planPrivateCluster(): ClusterPlan | { skip: string } {
	const dirs: string[] = []
	if (process.env.PG_BINDIR) dirs.push(process.env.PG_BINDIR)
	const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' })
	if (pgConfig.status === 0) dirs.push(pgConfig.stdout.trim())
	if (existsSync('/usr/lib/postgresql')) {
		const versions = readdirSync('/usr/lib/postgresql')
			.filter((v) => /^\d+$/.test(v))
			.sort((a, b) => Number(b) - Number(a))
		dirs.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`))
	}
	dirs.push('/usr/local/pgsql/bin', ...(process.env.PATH ?? '').split(':'))
	const bin = dirs.find((d) => d && existsSync(path.join(d, 'initdb')) && existsSync(path.join(d, 'pg_ctl')))
	if (!bin) return { skip: 'no PostgreSQL server binaries (initdb, pg_ctl) found: install postgresql or set PG_BINDIR' }
	if (process.getuid?.() !== 0) return { bin, runAs: null, owner: null }
	const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' })
	const uid = id('-u')
	const gid = id('-g')
	if (uid.status !== 0 || gid.status !== 0) return { skip: 'running as root, where initdb refuses to run, and there is no `postgres` OS user to run it as' }
	for (const runAs of runAsCandidates()) {
		const [cmd, ...args] = runAs([path.join(bin, 'pg_ctl'), '--version'])
		if (spawnSync(cmd!, args, { encoding: 'utf8' }).status === 0) return { bin, runAs, owner: { uid: Number(uid.stdout), gid: Number(gid.stdout) } }
	}
	return { skip: 'running as root, and neither `runuser -u postgres` nor `su postgres` works here' }
}

export type Cluster = { url: string; port: number; stop: () => Promise<void>; start: () => Promise<void>; destroy: () => Promise<void>; log: () => string }

function run(argv: string[], timeout = 90_000): Promise<string> {
	const [cmd, ...args] = argv
	return new Promise((resolve, reject) =>
		execFile(cmd!, args, { timeout, encoding: 'utf8' }, (error, stdout, stderr) => (error ? reject(new Error(`${argv.join(' ')}: ${error.message}\n${stdout}${stderr}`)) : resolve(stdout + stderr))),
	)
}

export async function startPrivateCluster(plan: ClusterPlan): Promise<Cluster> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'rt-faults-pg-'))
	if (plan.owner) chownSync(dir, plan.owner.uid, plan.owner.gid)
	const data = path.join(dir, 'data')
	const logFile = path.join(dir, 'postgres.log')
	const as = (argv: string[]) => (plan.runAs ? plan.runAs(argv) : argv)
	const port = await freePort()
	await run(as([path.join(plan.bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']))
	const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`
	const pgCtl = (...args: string[]) => run(as([path.join(plan.bin, 'pg_ctl'), '-D', data, ...args]))
	const cluster: Cluster = {
		url: `postgres://postgres@127.0.0.1:${port}/postgres`,
		port,
		start: async () => void (await pgCtl('-l', logFile, '-o', options, '-w', '-t', '60', 'start')),
		stop: async () => void (await pgCtl('-m', 'fast', '-w', '-t', '60', 'stop')),
		async destroy() {
			await pgCtl('-m', 'immediate', '-w', 'stop').catch(() => {})
			rmSync(dir, { recursive: true, force: true })
		},
		log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
	}
	try {
		await cluster.start()
	} catch (error) {
		rmSync(dir, { recursive: true, force: true })
		throw error
	}
	return cluster
}

// ---------------------------------------------------------------------------------------------
// The app: the built server, and an owner set up through the real forms.

export async function startApp(name: string, databaseUrl: string, extra: Record<string, string> = {}): Promise<Instance> {
	return startInstance(name, await freePort(), { DATABASE_URL: databaseUrl, APP_URL: ORIGIN, TRUST_PROXY: 'true', COOKIE_SECURE: 'false', SEED_DEMO: 'false', DATABASE_POOL_SIZE: '4', ...extra })
}

export async function post(base: string, pathname: string, fields: Record<string, string | string[]>, cookie = '') {
	const body = new URLSearchParams()
	for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one)
	return fetch(`${base}${pathname}`, {
		method: 'POST',
		redirect: 'manual',
		headers: { ...PROXIED, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded', ...(cookie ? { Cookie: cookie } : {}) },
		body,
	})
}

export async function get(base: string, pathname: string, headers: Record<string, string> = {}) {
	return fetch(`${base}${pathname}`, { redirect: 'manual', headers: { ...PROXIED, ...headers } })
}

export type Owner = { cookie: string; token: string; slug: string }

/** Signs an owner up, creates dataset `slug` with draft versions `labels`, and an API token for it — all through the web forms. */
export async function setUpOwner(base: string, slug: string, labels: string[]): Promise<Owner> {
	const signup = await post(base, '/signup', { email: `owner-${randomUUID().slice(0, 8)}@example.org`, displayName: 'Owner', password: 'long enough password' })
	if (signup.status !== 302) throw new Error(`sign-up answered ${signup.status}`)
	const cookie = cookiesFrom(signup.headers)
	const dataset = await post(base, '/datasets/new', { name: `Faults ${slug}`, slug }, cookie)
	if (dataset.status !== 302) throw new Error(`new dataset answered ${dataset.status}`)
	for (const label of labels) {
		const version = await post(base, `/datasets/${slug}/versions/new`, { label, generationMethod: 'templates' }, cookie)
		if (version.status !== 302) throw new Error(`new version answered ${version.status}`)
	}
	const tokenPage = await post(base, '/account/tokens', { intent: 'create', name: 'faults', datasets: slug }, cookie)
	const token = /rt_[A-Za-z0-9_-]{43}/.exec(await tokenPage.text())?.[0]
	if (tokenPage.status !== 200 || !token) throw new Error(`the token form answered ${tokenPage.status} without a token`)
	return { cookie, token, slug }
}

// ---------------------------------------------------------------------------------------------
// Sample files: deterministic per prefix, generated while streaming (nothing held in memory).

const FILLER = 'The generated persona describes a day at work, a meal with family and a walk through the market, in plain words.'

export function sampleLine(prefix: string, n: number): { id: string; content: string; line: string } {
	const id = `${prefix}-${String(n).padStart(6, '0')}`
	const content = `${prefix} sample ${n}. ${FILLER}`
	const origins = ['Lagos', 'Amman', 'Oaxaca', 'Manila', 'Kraków']
	return { id, content, line: JSON.stringify({ id, content, language: 'en', metadata: { persona: { origin: origins[n % origins.length], age: `${20 + (n % 5) * 10}s` }, prompt_id: `p${n % 7}` } }) }
}

/** md5 of `id \t content` lines in id order, as `digestSql` computes it from the rows of one import. */
export function fileDigest(prefix: string, rows: number): string {
	const hash = createHash('md5')
	for (let n = 0; n < rows; n++) {
		const { id, content } = sampleLine(prefix, n)
		hash.update(`${n ? '\n' : ''}${id}\t${content}`)
	}
	return hash.digest('hex')
}

export async function importDigest(sql: postgres.Sql, importId: string): Promise<{ rows: number; digest: string | null }> {
	const [row] = await sql<{ rows: number; digest: string | null }[]>`
		select count(*)::int as rows, md5(string_agg(external_id || E'\t' || content, E'\n' order by external_id collate "C")) as digest
		from samples where import_id = ${importId}`
	return row!
}

/** The JSONL file as chunks of `perChunk` lines. */
export function* jsonlChunks(prefix: string, rows: number, perChunk: number): Generator<string> {
	for (let start = 0; start < rows; start += perChunk) {
		const lines: string[] = []
		for (let n = start; n < Math.min(rows, start + perChunk); n++) lines.push(sampleLine(prefix, n).line)
		yield lines.join('\n') + '\n'
	}
}

/** One HTTP request on its own keep-alive connection, its body written chunk by chunk (with `gapMs` between). */
export function slowRequest(
	base: string,
	pathname: string,
	o: { method: string; headers: Record<string, string>; chunks: Iterable<string | Uint8Array>; gapMs?: number; agent?: http.Agent },
): { done: Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>; written: () => number; finished: () => boolean } {
	let written = 0
	let finished = false
	const url = new URL(pathname, base)
	const done = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
		const req = http.request(url, { method: o.method, headers: { ...PROXIED, ...o.headers }, agent: o.agent ?? new http.Agent({ keepAlive: true, maxSockets: 1 }) }, (res) => {
			let body = ''
			res.setEncoding('utf8')
			res.on('data', (d: string) => (body += d))
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
			res.on('error', reject)
		})
		req.on('error', reject)
		void (async () => {
			for (const chunk of o.chunks) {
				if (written > 0 && o.gapMs) await sleep(o.gapMs)
				if (req.destroyed) return
				if (!req.write(chunk)) await new Promise((r) => req.once('drain', r))
				written++
			}
			req.end()
			finished = true
		})().catch(reject)
	})
	return { done, written: () => written, finished: () => finished }
}

export function multipartUpload(filename: string, chunks: Iterable<string>, importId = randomUUID()) {
	const boundary = `----roundtable${randomUUID()}`
	function* body() {
		yield `--${boundary}\r\nContent-Disposition: form-data; name="importId"\r\n\r\n${importId}\r\n`
		yield `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/jsonl\r\n\r\n`
		yield* chunks
		yield `\r\n--${boundary}--\r\n`
	}
	return { importId, contentType: `multipart/form-data; boundary=${boundary}`, chunks: body() }
}
