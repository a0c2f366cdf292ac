/**
 * Fault trial 1 (issue #8): `kill -9` of the server in the middle of a large import, ten times.
 *
 * A fresh database on the shared PostgreSQL server; the built server; an owner with a token. Each
 * trial streams a complete JSONL file (its own ids and texts) through `PUT …/samples`, SIGKILLs the
 * server at a random moment of it (stratified over the upload's measured duration, from the first
 * bytes to just past its end; every fifth trial instead the moment the new import is published,
 * while the replaced rows are being dropped), checks what is visible, restarts the server and
 * checks again after its start-up
 * reaping. The reaper fails imports without a heartbeat for 2 minutes; rather than wait, each trial
 * lets the killed server's database sessions end, then ages the dead import's heartbeat by 3
 * minutes before restarting (what the clock would do).
 *
 * Always: the version shows exactly one complete file (the previous one or the new one, never a
 * mix or a part: row count and an md5 over ids and texts); after the restart no import is still
 * running, no sample row belongs to anything but a version's current import, and every version's
 * sample_count is its current import's row count.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ensureBuild, type Instance } from '#tests/instances.ts'
import {
	fileDigest,
	get,
	importDigest,
	jsonlChunks,
	reachable,
	rng,
	SEED,
	sampleLine,
	scratchDatabase,
	sharedServerUrl,
	sleep,
	slowRequest,
	startApp,
	setUpOwner,
	type Owner,
	type Scratch,
} from './helpers.ts'

const TRIALS = Number(process.env.RT_FAULTS_KILL_TRIALS) || 10
const ROWS = Number(process.env.RT_FAULTS_KILL_ROWS) || 60_000
const PER_CHUNK = 500
const SLUG = 'kills'
const LABEL = 'v1'

const unreachable = await reachable(sharedServerUrl())
if (unreachable && process.env.CI) throw new Error(`the shared PostgreSQL server is not reachable (${sharedServerUrl()}): ${unreachable}`)

type VersionState = { current: string | null; sampleCount: number }
type Outcome = { trial: number; killedAt: string; response: string; newImport: string; visible: string }

describe.skipIf(unreachable)('kill -9 during a large import', () => {
	let db: Scratch
	let app: Instance
	let owner: Owner
	let uploadMs = 0
	const outcomes: Outcome[] = []
	// Which file each succeeded import holds (prefix), to check its rows against.
	const files = new Map<string, string>()

	const versionState = async (): Promise<VersionState> => {
		const [v] = await db.sql<{ current: string | null; sample_count: number }[]>`
			select v.current_import_id as current, v.sample_count from versions v join datasets d on d.id = v.dataset_id where d.slug = ${SLUG} and v.label = ${LABEL}`
		return { current: v!.current, sampleCount: v!.sample_count }
	}
	const importIds = async () => new Set((await db.sql<{ id: string }[]>`select id from imports`).map((r) => r.id))

	const upload = (prefix: string) =>
		slowRequest(app.base, `/api/v1/datasets/${SLUG}/versions/${LABEL}/samples`, {
			method: 'PUT',
			headers: { Authorization: `Bearer ${owner.token}`, 'Content-Type': 'application/x-ndjson' },
			chunks: jsonlChunks(prefix, ROWS, PER_CHUNK),
		})

	/** The version shows one whole file: the one its current import was made from, every row of it. */
	async function expectWholeFileVisible(context: string) {
		const { current, sampleCount } = await versionState()
		expect(current, context).not.toBeNull()
		const prefix = files.get(current!)
		expect(prefix, `${context}: current import ${current} is not one that succeeded`).toBeDefined()
		const [imp] = await db.sql<{ status: string; rows_read: number }[]>`select status, rows_read from imports where id = ${current!}`
		expect(imp, context).toMatchObject({ status: 'succeeded', rows_read: ROWS })
		expect(sampleCount, context).toBe(ROWS)
		expect(await importDigest(db.sql, current!), context).toEqual({ rows: ROWS, digest: fileDigest(prefix!, ROWS) })
		return { current: current!, prefix: prefix! }
	}

	beforeAll(async () => {
		if (ensureBuild() === 'rebuilt') console.log('faults: build/ was older than the sources, rebuilt it')
		db = await scratchDatabase()
		app = await startApp('kill-0', db.url)
		owner = await setUpOwner(app.base, SLUG, [LABEL])
		// The first file goes in whole: it is the "previous" sample set of trial 1, and times an upload.
		const before = await importIds()
		const started = Date.now()
		const first = await upload('base').done
		uploadMs = Date.now() - started
		expect(first.status, first.body).toBe(200)
		const id = [...(await importIds())].find((i) => !before.has(i))!
		files.set(id, 'base')
		console.log(`kill trials: seed ${SEED}, ${ROWS} rows per file, a whole upload takes ${uploadMs} ms`)
	})

	afterAll(async () => {
		if (app?.child.exitCode === null && app.child.signalCode === null) await app.stop()
		if (process.env.RT_INSTANCES_VERBOSE) console.log(app?.output())
		await db?.drop()
		if (outcomes.length) console.table(outcomes)
	})

	test(`${TRIALS} trials: no partial version is ever visible, no orphan rows survive the restart, counters match`, async () => {
		const random = rng(SEED)
		for (let trial = 1; trial <= TRIALS; trial++) {
			const prefix = `t${String(trial).padStart(2, '0')}`
			const context = `trial ${trial} (seed ${SEED})`
			const previous = await versionState()
			const before = await importIds()

			// Stratified: trial k is killed somewhere in the k-th slice of [3 %, 115 %] of an upload's duration;
			// every fifth trial instead the moment the new import is published (its replaced rows are then being deleted).
			const onPublish = trial % 5 === 0
			const killAtMs = Math.round((0.03 + ((trial - 1 + random()) / TRIALS) * 1.12) * uploadMs)
			const started = Date.now()
			const request = upload(prefix)
			let response = 'none (killed first)'
			const answered = request.done.then(
				(r) => (response = `${r.status}`),
				(e: Error) => (response = `dropped (${(e as NodeJS.ErrnoException).code ?? e.message})`),
			)
			if (onPublish) {
				while (Date.now() - started < 4 * uploadMs + 10_000) {
					const [published] = await db.sql<{ n: number }[]>`select count(*)::int as n from imports where status = 'succeeded' and not (id = any(${[...before]}::uuid[]))`
					if (published!.n) break
					await sleep(2)
				}
			} else await sleep(killAtMs)
			const killedAt = Date.now() - started
			const exited = new Promise((r) => app.child.once('exit', r))
			app.child.kill('SIGKILL')
			await exited
			await answered

			// The killed server's database sessions end (a statement it had sent in full — a COPY, a
			// COMMIT — still completes): only then is the database what the crash left.
			const gone = Date.now() + 60_000
			while ((await db.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name like 'roundtable%'`)[0]!.n > 0) {
				if (Date.now() > gone) throw new Error(`${context}: the killed server's database sessions did not end within 60 s`)
				await sleep(50)
			}

			// Before any reaping: the version shows the previous file or the new one, whole.
			const fresh = [...(await importIds())].filter((i) => !before.has(i))
			expect(fresh.length, context).toBeLessThanOrEqual(1)
			const newImport = fresh[0]
			const [row] = newImport ? await db.sql<{ status: string }[]>`select status from imports where id = ${newImport}` : []
			if (row?.status === 'succeeded') files.set(newImport!, prefix)
			const visibleBefore = await expectWholeFileVisible(`${context}, after the kill`)
			expect([previous.current, newImport]).toContain(visibleBefore.current)
			if (response === '200') expect(visibleBefore.current, `${context}: the upload was answered 200`).toBe(newImport)

			// What 2 minutes without a heartbeat would do, then the restart (whose start-up reaps).
			await db.sql`update imports set heartbeat_at = now() - interval '3 minutes' where status = 'running'`
			app = await startApp(`kill-${trial}`, db.url)

			const [running] = await db.sql<{ n: number }[]>`select count(*)::int as n from imports where status = 'running'`
			expect(running!.n, `${context}: imports still running after the restart`).toBe(0)
			if (newImport && row?.status !== 'succeeded') {
				const [failed] = await db.sql<{ status: string; errors: Array<{ code: string }> }[]>`select status, errors from imports where id = ${newImport}`
				expect(failed!.status, context).toBe('failed')
			}
			const orphans = await db.sql`
				select s.import_id, i.status, i.heartbeat_at, i.finished_at, count(*)::int as rows from samples s join imports i on i.id = s.import_id
				where not exists (select 1 from versions v where v.current_import_id = s.import_id) group by 1, 2, 3, 4`
			expect(orphans, `${context}: sample rows outside every version's current import (the killed import: ${newImport})`).toEqual([])
			const mismatched = await db.sql`
				select v.label, v.sample_count, (select count(*)::int from samples s where s.import_id = v.current_import_id) as rows
				from versions v where v.sample_count <> (select count(*) from samples s where s.import_id = v.current_import_id)`
			expect(mismatched, `${context}: versions whose sample_count is not their current import's row count`).toEqual([])
			const visible = await expectWholeFileVisible(`${context}, after the restart`)
			expect(visible.current).toBe(visibleBefore.current)

			// And through the app: the first and last samples of the visible file are there, none of the other.
			const page = (id: string) => get(app.base, `/datasets/${SLUG}/versions/${LABEL}/samples/${id}`, { Cookie: owner.cookie }).then((r) => r.status)
			expect(await page(sampleLine(visible.prefix, 0).id), context).toBe(200)
			expect(await page(sampleLine(visible.prefix, ROWS - 1).id), context).toBe(200)
			const other = visible.prefix === prefix ? files.get(previous.current!)! : prefix
			expect(await page(sampleLine(other, 0).id), context).toBe(404)

			outcomes.push({
				trial,
				killedAt: onPublish ? `${killedAt} ms (on publish)` : `${killedAt} ms`,
				response,
				newImport: newImport ? (row?.status ?? 'gone') : 'not started',
				visible: visible.prefix,
			})
		}
		// The trials covered both sides: some kills left the previous file, some the new one.
		console.log(
			`kill trials: ${outcomes.filter((o) => o.visible !== `t${String(o.trial).padStart(2, '0')}`).length} kept the previous file, ${outcomes.filter((o) => o.visible === `t${String(o.trial).padStart(2, '0')}`).length} the new one`,
		)
	})
})
