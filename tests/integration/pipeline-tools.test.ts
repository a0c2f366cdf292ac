/**
 * The pipeline tools end to end (decision 035): the `roundtable` CLI (bin/roundtable.mjs) and the
 * Python client (clients/python/roundtable.py, run with the machine's python3) against the built
 * app (`node build/server.js`, rebuilt first if the sources are newer). Set-up goes through the
 * web forms, as a person would; on PostgreSQL the test also builds a consultation with a blocker
 * in-process (the server shares the database) to see the gate print it and then open.
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { and, eq } from 'drizzle-orm'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { samples } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { participants } from '#db/schema/rounds.ts'
import { changeVersionStatus, getVersion } from '#app/models/version.server.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { triageIssue } from '#app/models/triage.server.ts'
import { getUser } from '#app/utils/auth.server.ts'
import { db } from '#app/utils/db.server.ts'
import { resetEnvCache } from '#app/utils/env.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { ensureBuild, freePort, startInstance, type Instance } from '#tests/instances.ts'
import { apiTokenFor, createRound, joinAs, setRoundStatus, world } from '#tests/round-fixtures.ts'
import { getRequest } from '#tests/route-utils.ts'
import { startSmtpSink } from '#tests/smtp-sink.ts'

useTestDatabase({ emptyBeforeEach: false })

const CLI = path.resolve('bin/roundtable.mjs')
const PYTHON_CLIENT = path.resolve('clients/python')
let app: Instance
let dir: string
let token = ''
let sink: Awaited<ReturnType<typeof startSmtpSink>>

type Ran = { code: number; stdout: string; stderr: string }

function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
	return new Promise((resolve) => {
		execFile(
			process.execPath,
			[CLI, ...args],
			{ env: { PATH: process.env.PATH ?? '', ROUNDTABLE_URL: app.base, ROUNDTABLE_TOKEN: token, NODE_ENV: 'production', ...env }, cwd: dir, timeout: 60_000, encoding: 'utf8' },
			(error, stdout, stderr) => {
				resolve({ code: error ? (typeof error.code === 'number' ? error.code : 2) : 0, stdout, stderr })
			},
		)
	})
}

async function form(pathname: string, fields: Record<string, string | string[]>, cookie = '') {
	const body = new URLSearchParams()
	for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one)
	return fetch(`${app.base}${pathname}`, {
		method: 'POST',
		redirect: 'manual',
		headers: { Origin: app.base, 'Content-Type': 'application/x-www-form-urlencoded', ...(cookie ? { Cookie: cookie } : {}) },
		body,
	})
}

const cookieOf = (res: Response) =>
	res.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.join('; ')

beforeAll(async () => {
	sink = await startSmtpSink()
	process.env.SMTP_URL = sink.url
	resetEnvCache()
	const build = ensureBuild()
	if (build === 'rebuilt') console.log('pipeline tools: build/ was older than the sources, rebuilt it')
	dir = mkdtempSync(path.join(tmpdir(), 'rt-cli-'))
	const env: Record<string, string> = { COOKIE_SECURE: 'false', SEED_DEMO: 'false' }
	if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL
	else env.DATA_DIR = path.join(dir, 'data')
	app = await startInstance('cli', await freePort(), env)
	// A person signs up, makes a dataset and an API token for it, through the web forms.
	const signup = await form('/signup', { email: 'cliowner@example.org', displayName: 'Cli Owner', password: 'long enough password' })
	expect(signup.status, app.output()).toBe(302)
	const cookie = cookieOf(signup)
	expect((await form('/datasets/new', { name: 'CLI hints', slug: 'cli' }, cookie)).status).toBe(302)
	const page = await (await form('/account/tokens', { intent: 'create', name: 'ci', datasets: ['cli'] }, cookie)).text()
	token = /rt_[A-Za-z0-9_-]{43}/.exec(page)?.[0] ?? ''
	expect(token).not.toBe('')
	writeFileSync(
		path.join(dir, 'samples.jsonl'),
		['h-0', 'h-1', 'h-2'].map((id, i) => JSON.stringify({ id, content: `hint ${i}`, language: 'en', metadata: { persona: { region: i % 2 ? 'Amman' : 'Oaxaca' } } })).join('\n') + '\n',
	)
	writeFileSync(
		path.join(dir, 'samples.parquet'),
		new Uint8Array(
			parquetWriteBuffer({
				columnData: [
					{ name: 'id', data: ['q-1', 'q-2'], type: 'STRING' },
					{ name: 'content', data: ['one', 'two'], type: 'STRING' },
					{ name: 'region', data: ['Oaxaca', null], type: 'STRING' },
				],
			}),
		),
	)
	writeFileSync(path.join(dir, 'bad.csv'), 'id,content\nc-1,one\nc-1,again\n')
	writeFileSync(path.join(dir, 'good.csv'), 'id,content,metadata.persona.region\nc-1,"one, with a comma",Oaxaca\nc-2,two,Amman\n')
	writeFileSync(path.join(dir, 'provenance.json'), JSON.stringify({ generation_method: 'persona_simulation', model_name: 'Llama-3-70B-Instruct', seed_data_description: '200 teacher-written hints' }))
}, 600_000)

afterAll(async () => {
	await app?.stop()
	await sink?.close()
	delete process.env.SMTP_URL
	resetEnvCache()
	if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the roundtable CLI against the built app', () => {
	test('push: creates the version with its provenance and uploads JSONL with progress; a re-run is harmless; CSV works; rejected lines exit 1 with every problem', async () => {
		const first = await cli(['push', 'samples.jsonl', '--dataset', 'cli', '--version', 'v1', '--provenance', 'provenance.json'])
		expect(first, JSON.stringify(first)).toMatchObject({ code: 0 })
		expect(first.stdout).toBe('imported 3 samples into cli v1\n')
		expect(first.stderr).toContain('created version v1')
		expect(first.stderr).toContain('uploaded 100% (0.0/0.0 MB)')
		const again = await cli(['push', 'samples.jsonl', '--dataset', 'cli', '--version', 'v1'])
		expect(again.code).toBe(0)
		expect(again.stderr).toContain('version v1 exists')
		expect(again.stdout).toContain('imported 3 samples into cli v1 (already imported earlier)')

		const csv = await cli(['push', 'good.csv', '--dataset', 'cli', '--version', 'v2', '--parent', 'v1', '-q'])
		expect(csv, JSON.stringify(csv)).toMatchObject({ code: 0, stdout: 'imported 2 samples into cli v2\n' })
		const pq = await cli(['push', 'samples.parquet', '--dataset', 'cli', '--version', 'v4', '-q'])
		expect(pq, JSON.stringify(pq)).toMatchObject({ code: 0, stdout: 'imported 2 samples into cli v4\n' })
		const bad = await cli(['push', 'bad.csv', '--dataset', 'cli', '--version', 'v3'])
		expect(bad.code).toBe(1)
		expect(bad.stderr).toContain('Nothing was imported: 1 problem found')
		expect(bad.stderr).toMatch(/line 3: duplicate_id — The id “c-1” was already used on line 2\./)
	})

	test('gate: exit 1 and the reason for a draft (with a job summary), 2 on errors; issues; exports of the annotations, the report and Croissant', async () => {
		await cli(['push', 'samples.jsonl', '--dataset', 'cli', '--version', 'v1', '-q'])
		const summary = path.join(dir, 'summary.md')
		const gate = await cli(['gate', '--dataset', 'cli', '--version', 'v1', '--summary', summary])
		expect(gate.code).toBe(1)
		expect(gate.stdout).toBe('gate blocked: cli v1 is draft; 0 blocking of 0 unresolved issues\n')
		expect(readFileSync(summary, 'utf8')).toContain('### Roundtable gate: cli v1 — ❌ blocked')
		const json = await cli(['gate', '--dataset', 'cli', '--version', 'v1', '--json'])
		expect(JSON.parse(json.stdout)).toEqual({ version: 'v1', status: 'draft', blocked: true, blocking_issues: 0, open_issues: 0, blockers: [] })

		expect((await cli(['gate', '--dataset', 'cli', '--version', 'v1'], { ROUNDTABLE_TOKEN: `rt_${'x'.repeat(43)}` })).code).toBe(2)
		const missing = await cli(['gate', '--dataset', 'cli', '--version', 'nope'])
		expect(missing.code).toBe(2)
		expect(missing.stderr).toContain('404 not_found')
		expect((await cli(['gate', '--dataset', 'cli'])).stderr).toContain('--version is required')
		expect((await cli(['gate', '--dataset', 'cli', '--version', 'v1'], { ROUNDTABLE_URL: '' })).code).toBe(2)

		expect(await cli(['issues', '--dataset', 'cli', '--version', 'v1'])).toMatchObject({ code: 0, stdout: '' })

		const croissant = await cli(['export', 'croissant', '--dataset', 'cli', '--version', 'v1', '-o', 'croissant.json'])
		expect(croissant.code, croissant.stderr).toBe(0)
		const doc = JSON.parse(readFileSync(path.join(dir, 'croissant.json'), 'utf8')) as Record<string, unknown>
		expect(doc.conformsTo).toContain('http://mlcommons.org/croissant/RAI/1.0')
		expect(doc['rai:machineAnnotationTools']).toEqual([expect.stringContaining('Llama-3-70B-Instruct')])
		const annotations = await cli(['export', 'annotations', '--dataset', 'cli', '--version', 'v1', '--format', 'csv'])
		expect(annotations.code).toBe(0)
		expect(annotations.stdout).toContain('"version","round","round_stage","sample_id"')
		const report = await cli(['export', 'report', '--dataset', 'cli', '--version', 'v1', '--format', 'md'])
		expect(report.stdout).toContain('## Community consultation')
		expect((await cli(['export', 'report', '--dataset', 'cli', '--version', 'v1'])).stdout).toContain('"format": "roundtable.consultation-report/1"')
		expect((await cli(['export', 'annotations', '--dataset', 'cli', '--version', 'v1', '--format', 'xlsx'])).stderr).toContain('400 invalid_query')
	})

	test('the GitHub Action: its step runs the CLI from the action folder, fails on a blocked gate, writes the summary and the output', async () => {
		const action = readFileSync('action.yml', 'utf8')
		expect(action).toMatch(/^runs:\n {2}using: composite$/m)
		const script = /\n {6}run: \|\n((?: {8}.*\n)+)/.exec(action)![1]!.replace(/^ {8}/gm, '')
		// Inputs come in as environment variables only: nothing is spliced into the script's text.
		expect(script).not.toContain('${{')
		const summary = path.join(dir, 'step-summary.md')
		const output = path.join(dir, 'step-output')
		writeFileSync(summary, '')
		writeFileSync(output, '')
		await cli(['push', 'samples.jsonl', '--dataset', 'cli', '--version', 'v1', '-q'])
		const ran = await new Promise<Ran>((resolve) =>
			execFile(
				'bash',
				['-c', script],
				{
					cwd: dir,
					encoding: 'utf8',
					env: {
						PATH: process.env.PATH ?? '',
						NODE_ENV: 'production',
						GITHUB_ACTION_PATH: path.resolve('.'),
						GITHUB_STEP_SUMMARY: summary,
						GITHUB_OUTPUT: output,
						ROUNDTABLE_URL: app.base,
						ROUNDTABLE_TOKEN: token,
						RT_DATASET: 'cli',
						RT_VERSION: 'v1',
					},
				},
				(error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 2) : 0, stdout, stderr }),
			),
		)
		expect(ran.code, ran.stderr).toBe(1)
		expect(ran.stdout).toContain('gate blocked: cli v1 is draft')
		expect(readFileSync(summary, 'utf8')).toContain('### Roundtable gate: cli v1 — ❌ blocked')
		expect(readFileSync(output, 'utf8')).toBe('blocked=true\n')
	})

	test('the Python client (python3, standard library only): push, rejected files, gate, issues and export', async () => {
		const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(PYTHON_CLIENT)})
from roundtable import Client, SamplesRejected
rt = Client()
out = {}
r = rt.push("samples.jsonl", dataset="cli", version="py1", provenance={"generation_method": "templates", "model_name": "Qwen2"})
out["push"] = [r.version, r.rows, r.replayed]
out["again"] = rt.push("samples.jsonl", dataset="cli", version="py1").replayed
try:
    rt.push("bad.csv", dataset="cli", version="py2")
except SamplesRejected as e:
    out["rejected"] = [e.status, e.code, [x["code"] for x in e.errors]]
g = rt.gate(dataset="cli", version="py1")
out["gate"] = [g.status, g.blocked, g.blocking_issues, g.blockers]
out["issues"] = list(rt.issues(dataset="cli", version="py1"))
croissant = json.loads(rt.export("croissant", dataset="cli", version="py1"))
out["croissant"] = croissant["conformsTo"]
rt.export("annotations", dataset="cli", version="py1", format="parquet", output="py.parquet")
out["parquet"] = open("py.parquet", "rb").read(4).decode()
try:
    rt.gate(dataset="cli", version="missing")
except Exception as e:
    out["missing"] = [type(e).__name__, e.status, e.code]
print(json.dumps(out))
`
		const stdout = execFileSync('python3', ['-c', script], {
			cwd: dir,
			env: { PATH: process.env.PATH ?? '', ROUNDTABLE_URL: app.base, ROUNDTABLE_TOKEN: token, NODE_ENV: 'production' },
			encoding: 'utf8',
			timeout: 60_000,
		})
		expect(JSON.parse(stdout)).toEqual({
			push: ['py1', 3, false],
			again: true,
			rejected: [422, 'invalid_samples', ['duplicate_id']],
			gate: ['draft', true, 0, []],
			issues: [],
			croissant: ['http://mlcommons.org/croissant/1.1', 'http://mlcommons.org/croissant/RAI/1.0'],
			parquet: 'PAR1',
			missing: ['RoundtableError', 404, 'not_found'],
		})
	})

	test.skipIf(!process.env.DATABASE_URL)(
		'gate (PostgreSQL, shared with the server): prints the blockers and exits 1, then opens with exit 0 once they are resolved and the version approved',
		async () => {
			// A consultation built in-process on the database the server uses.
			const w = await world(3)
			const roundId = await createRound(w.owner)
			await joinAs(w.owner, roundId, 'gateflagger', sink.messages)
			await setRoundStatus(w.owner, roundId, 'open')
			const [p] = await db.select({ id: participants.id }).from(participants).where(eq(participants.roundId, roundId))
			const version = await getVersion({ datasetId: w.datasetId, label: 'v1' })
			const [s] = await db
				.select({ id: samples.id })
				.from(samples)
				.where(and(eq(samples.importId, version!.currentImportId!), eq(samples.externalId, 'h-001')))
			await saveVerdict({
				roundId,
				participantId: p!.id,
				sampleId: s!.id,
				verdict: {
					kind: 'flag',
					flag: flagInput({ category: 'demeaning', severity: 'critical', affectedGroups: ['Ammanis'], rationale: 'Slur.' }),
				},
			})
			const created = await apiTokenFor(w.owner, 'gate')
			const hintsToken = created
			const env = { ROUNDTABLE_TOKEN: hintsToken }

			const summary = path.join(dir, 'blocked.md')
			const blocked = await cli(['gate', '--dataset', 'hints', '--version', 'v1', '--summary', summary], env)
			expect(blocked.code).toBe(1)
			expect(blocked.stdout).toMatch(/^gate blocked: hints v1 is in_consultation; 1 blocking of 1 unresolved issues\n {2}#1 sample h-001 \[open\] demeaning \(critical\) — blocking: critical\n$/)
			expect(readFileSync(summary, 'utf8')).toContain('| #1 | sample h-001 | open | demeaning | critical | — |')
			expect((await cli(['issues', '--dataset', 'hints', '--version', 'v1', '--blocking', 'true'], env)).stdout).toContain('#1 sample h-001')

			const me = (await getUser(getRequest('/', { cookie: w.owner })))!
			const [issue] = await db.select({ id: issues.id, revision: issues.revision }).from(issues).where(eq(issues.versionId, w.versionId))
			expect(
				await triageIssue({
					versionId: w.versionId,
					issueId: issue!.id,
					actor: { userId: me.id, datasetId: w.datasetId },
					input: { intent: 'resolve', revision: issue!.revision, resolution: 'regenerated', publicResponse: 'Regenerated without the slur.', note: '' },
				}),
			).toMatchObject({ ok: true })
			await setRoundStatus(w.owner, roundId, 'close')
			expect(await changeVersionStatus({ versionId: w.versionId, datasetId: w.datasetId, actorId: me.id, action: 'approve' })).toMatchObject({ ok: true })
			const open = await cli(['gate', '--dataset', 'hints', '--version', 'v1'], env)
			expect(open).toMatchObject({ code: 0, stdout: 'gate open: hints v1 is approved with no unresolved blocking issue (0 open issues)\n' })
		},
	)
})
