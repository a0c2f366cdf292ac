#!/usr/bin/env node
// The Roundtable command line (docs/pipeline.md, decision 035): push samples, ask the gate, list
// issues, export the annotations, the report and the Croissant file. Node only, no dependencies:
// it talks to the pipeline API under /api/v1 with ROUNDTABLE_URL and ROUNDTABLE_TOKEN.
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, readFileSync, statSync, appendFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'

const USAGE = `Usage: roundtable <command> [options]

Commands:
  push <file> --dataset D --version V [--parent P] [--provenance file.json]
        Create version V (if it does not exist yet) and upload its samples (.jsonl, .csv or .parquet).
        Exit 0 imported, 1 rejected (every problem printed), 2 on errors.
  gate --dataset D --version V [--summary FILE] [--json]
        Exit 0 when the version may be used, 1 when blocked (the blockers printed), 2 on errors.
  issues --dataset D --version V [--status all|open|acknowledged|resolved|unresolved] [--blocking true|false] [--json]
  export annotations|report|croissant --dataset D --version V [--format F] [--output FILE]
        annotations: --format jsonl (default), csv or parquet; report: json (default), csv or md.

Environment: ROUNDTABLE_URL (e.g. https://roundtable.example.org) and ROUNDTABLE_TOKEN (rt_…);
--url and --token override them.`

class Failure extends Error {
	constructor(message, code = 2) {
		super(message)
		this.code = code
	}
}

const options = {
	dataset: { type: 'string' },
	version: { type: 'string' },
	parent: { type: 'string' },
	provenance: { type: 'string' },
	summary: { type: 'string' },
	status: { type: 'string' },
	blocking: { type: 'string' },
	format: { type: 'string' },
	output: { type: 'string', short: 'o' },
	url: { type: 'string' },
	token: { type: 'string' },
	json: { type: 'boolean' },
	quiet: { type: 'boolean', short: 'q' },
	help: { type: 'boolean', short: 'h' },
}

function settings(values) {
	const base = (values.url ?? process.env.ROUNDTABLE_URL ?? '').replace(/\/+$/, '')
	const token = values.token ?? process.env.ROUNDTABLE_TOKEN ?? ''
	if (!base) throw new Failure('Set ROUNDTABLE_URL (or --url) to your Roundtable address, e.g. https://roundtable.example.org.')
	if (!token) throw new Failure('Set ROUNDTABLE_TOKEN (or --token) to an API token from Account → API tokens.')
	return { base, token }
}

function need(values, ...names) {
	for (const name of names) if (!values[name]) throw new Failure(`--${name} is required.`)
}

const path = (values, tail = '') => `/api/v1/datasets/${encodeURIComponent(values.dataset)}/versions${values.version ? `/${encodeURIComponent(values.version)}` : ''}${tail}`

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * One API request, retried on 429, 503, 409 idempotency_key_in_progress and network errors (up to
 * five times, honouring Retry-After); `body` is a function so a retry sends the body again.
 */
async function request(cfg, method, url, { body, headers = {}, retry = true } = {}) {
	for (let attempt = 1; ; attempt++) {
		let res
		try {
			const init = { method, headers: { Authorization: `Bearer ${cfg.token}`, 'User-Agent': 'roundtable-cli/1', ...headers } }
			if (body) {
				init.body = body()
				if (init.body instanceof ReadableStream) init.duplex = 'half'
			}
			res = await fetch(`${cfg.base}${url}`, init)
		} catch (error) {
			if (!retry || attempt >= 5) throw new Failure(`Cannot reach ${cfg.base}: ${error.cause?.message ?? error.message}`)
			await sleep(1000 * attempt)
			continue
		}
		const again = res.status === 429 || res.status === 503 || (res.status === 409 && res.headers.get('Retry-After'))
		if (again && retry && attempt < 5) {
			await res.body?.cancel()
			await sleep(Math.min(60, Number(res.headers.get('Retry-After')) || attempt) * 1000)
			continue
		}
		return res
	}
}

async function errorOf(res) {
	const text = await res.text()
	try {
		const { error } = JSON.parse(text)
		return error ?? { code: String(res.status), message: text }
	} catch {
		return { code: String(res.status), message: text.slice(0, 300) }
	}
}

async function fail(res) {
	const error = await errorOf(res)
	throw new Failure(`${res.status} ${error.code}: ${error.message}`)
}

/** A progress bar on a terminal; elsewhere (CI logs) a line at each quarter. */
function progress(total, quiet) {
	const tty = process.stderr.isTTY
	let done = 0
	let last = 0
	let quarter = 0
	const mb = (n) => (n / 1e6).toFixed(1)
	return {
		add(n) {
			done += n
			if (quiet || !total) return
			const share = Math.min(1, done / total)
			if (tty) {
				const now = Date.now()
				if (now - last < 100 && share < 1) return
				last = now
				const width = 30
				const filled = Math.round(share * width)
				process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${mb(done)}/${mb(total)} MB`)
			} else {
				while (quarter < 4 && share >= (quarter + 1) / 4) {
					quarter++
					process.stderr.write(`uploaded ${quarter * 25}% (${mb(done)}/${mb(total)} MB)\n`)
				}
			}
		},
		end() {
			if (tty && !quiet && total) process.stderr.write('\n')
		},
	}
}

async function push(cfg, values, file) {
	if (!file) throw new Failure('push needs a file: roundtable push samples.jsonl --dataset D --version V')
	need(values, 'dataset', 'version')
	const lower = file.toLowerCase()
	const type = lower.endsWith('.csv')
		? 'text/csv'
		: lower.endsWith('.parquet')
			? 'application/vnd.apache.parquet'
			: lower.endsWith('.jsonl') || lower.endsWith('.ndjson')
				? 'application/x-ndjson'
				: null
	if (!type) throw new Failure(`Cannot tell the format of ${file}: use a .jsonl, .csv or .parquet file.`)
	let size
	try {
		size = statSync(file).size
	} catch {
		throw new Failure(`Cannot read ${file}.`)
	}

	// The version: created with its provenance, or already there (a re-run of the same job).
	const provenance = values.provenance ? readJson(values.provenance) : {}
	const created = await request(cfg, 'POST', path({ dataset: values.dataset }), {
		headers: { 'Content-Type': 'application/json' },
		body: () => JSON.stringify({ generation_method: 'other', ...provenance, label: values.version, ...(values.parent ? { parent: values.parent } : {}) }),
	})
	if (created.status === 201) {
		if (!values.quiet) process.stderr.write(`created version ${values.version}\n`)
	} else if (created.status === 409) {
		await created.body?.cancel()
		if (!values.quiet) process.stderr.write(`version ${values.version} exists; uploading to it\n`)
	} else await fail(created)

	// The same file gets the same key on every retry and re-run, so a lost answer never imports twice.
	const hash = createHash('sha256')
	for await (const chunk of createReadStream(file)) hash.update(chunk)
	const key = `${values.version}-${hash.digest('hex').slice(0, 32)}`
	const bar = progress(size, values.quiet)
	const res = await request(cfg, 'PUT', path(values, '/samples'), {
		headers: { 'Content-Type': type, 'Idempotency-Key': key, 'Content-Length': String(size) },
		body: () => {
			const counted = createReadStream(file)
			counted.on('data', (chunk) => bar.add(chunk.length))
			return Readable.toWeb(counted)
		},
	})
	bar.end()
	if (res.status === 200) {
		const body = await res.json()
		process.stdout.write(`imported ${body.rows} samples into ${values.dataset} ${body.version}${res.headers.get('Idempotent-Replayed') ? ' (already imported earlier)' : ''}\n`)
		return 0
	}
	const error = await errorOf(res)
	if (res.status === 422 && error.code === 'invalid_samples') {
		process.stderr.write(`${error.message}\n`)
		for (const e of error.details?.errors ?? []) process.stderr.write(`  line ${e.line}: ${e.code} — ${e.message}\n`)
		if ((error.details?.error_count ?? 0) > (error.details?.errors?.length ?? 0)) process.stderr.write(`  … ${error.details.error_count - error.details.errors.length} more\n`)
		return 1
	}
	throw new Failure(`${res.status} ${error.code}: ${error.message}`)
}

function readJson(file) {
	try {
		return JSON.parse(readFileSync(file, 'utf8'))
	} catch (error) {
		throw new Failure(`Cannot read provenance from ${file}: ${error.message}`)
	}
}

async function listIssues(cfg, values, query) {
	const all = []
	let cursor = null
	do {
		const params = new URLSearchParams({ ...query, limit: '200', ...(cursor ? { cursor } : {}) })
		const res = await request(cfg, 'GET', path(values, `/issues?${params}`))
		if (res.status !== 200) await fail(res)
		const page = await res.json()
		all.push(...page.issues)
		cursor = page.next_cursor
	} while (cursor)
	return all
}

const about = (i) => (i.kind === 'sample' ? `sample ${i.external_id}` : i.kind === 'template' ? `template ${i.template_target}` : 'use case')
const issueLine = (i) =>
	`#${i.number} ${about(i)} [${i.status}${i.resolution ? `: ${i.resolution}` : ''}] ${i.categories.join(', ') || '—'}${i.max_severity ? ` (${i.max_severity})` : ''}${i.blocking ? ` — blocking: ${i.blocking_reasons.join(', ')}` : ''}${i.public_response ? ` — “${i.public_response}”` : ''}`

async function gate(cfg, values) {
	need(values, 'dataset', 'version')
	const res = await request(cfg, 'GET', path(values, '/gate'))
	if (res.status !== 200) await fail(res)
	const g = await res.json()
	const blockers = g.blocking_issues > 0 ? await listIssues(cfg, values, { status: 'unresolved', blocking: 'true' }) : []
	if (values.json) process.stdout.write(`${JSON.stringify({ ...g, blockers }, null, 2)}\n`)
	else if (!g.blocked) process.stdout.write(`gate open: ${values.dataset} ${g.version} is ${g.status} with no unresolved blocking issue (${g.open_issues} open issues)\n`)
	else {
		process.stdout.write(`gate blocked: ${values.dataset} ${g.version} is ${g.status}; ${g.blocking_issues} blocking of ${g.open_issues} unresolved issues\n`)
		for (const i of blockers) process.stdout.write(`  ${issueLine(i)}\n`)
	}
	if (values.summary) appendFileSync(values.summary, gateSummary(values, g, blockers))
	return g.blocked ? 1 : 0
}

/** Markdown for a CI job summary (GITHUB_STEP_SUMMARY); user text is escaped so it cannot add markup. */
function gateSummary(values, g, blockers) {
	const esc = (s) =>
		String(s)
			.replace(/[\\`*_[\]<>#|~&$@!]/g, (c) => `\\${c}`)
			.replace(/\s+/g, ' ')
	const lines = [
		`### Roundtable gate: ${esc(values.dataset)} ${esc(g.version)} — ${g.blocked ? '❌ blocked' : '✅ open'}`,
		'',
		`Status **${esc(g.status)}**, ${g.blocking_issues} blocking of ${g.open_issues} unresolved issues.`,
		'',
	]
	if (blockers.length) {
		lines.push('| Issue | About | Status | Categories | Blocking because | Team response |', '| --- | --- | --- | --- | --- | --- |')
		for (const i of blockers)
			lines.push(`| #${i.number} | ${esc(about(i))} | ${esc(i.status)} | ${esc(i.categories.join(', ') || '—')} | ${esc(i.blocking_reasons.join(', '))} | ${esc(i.public_response || '—')} |`)
		lines.push('')
	}
	return `${lines.join('\n')}\n`
}

async function issues(cfg, values) {
	need(values, 'dataset', 'version')
	const query = { status: values.status ?? 'all', ...(values.blocking ? { blocking: values.blocking } : {}) }
	const list = await listIssues(cfg, values, query)
	if (values.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`)
	else for (const i of list) process.stdout.write(`${issueLine(i)}\n`)
	return 0
}

async function exportFile(cfg, values, what) {
	need(values, 'dataset', 'version')
	const targets = {
		annotations: () => `/annotations?format=${encodeURIComponent(values.format ?? 'jsonl')}`,
		report: () => `/report?format=${encodeURIComponent(values.format ?? 'json')}`,
		croissant: () => '/croissant.json',
	}
	if (!targets[what]) throw new Failure('export what? roundtable export annotations|report|croissant --dataset D --version V')
	const res = await request(cfg, 'GET', path(values, targets[what]()))
	if (res.status !== 200) await fail(res)
	const out = values.output && values.output !== '-' ? createWriteStream(values.output) : process.stdout
	await pipeline(Readable.fromWeb(res.body), out, { end: out !== process.stdout })
	if (values.output && values.output !== '-' && !values.quiet) process.stderr.write(`wrote ${values.output}\n`)
	return 0
}

async function main(argv) {
	let parsed
	try {
		parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
	} catch (error) {
		throw new Failure(`${error.message}\n\n${USAGE}`)
	}
	const { values, positionals } = parsed
	const [command, ...rest] = positionals
	if (values.help || !command) {
		process.stdout.write(`${USAGE}\n`)
		return command || values.help ? 0 : 2
	}
	const cfg = settings(values)
	if (command === 'push') return push(cfg, values, rest[0])
	if (command === 'gate') return gate(cfg, values)
	if (command === 'issues') return issues(cfg, values)
	if (command === 'export') return exportFile(cfg, values, rest[0])
	throw new Failure(`Unknown command "${command}".\n\n${USAGE}`)
}

main(process.argv.slice(2)).then(
	(code) => {
		process.exitCode = code
	},
	(error) => {
		process.stderr.write(`roundtable: ${error instanceof Failure ? error.message : error.stack}\n`)
		process.exitCode = error instanceof Failure ? error.code : 2
	},
)
