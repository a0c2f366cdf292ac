/**
 * A local stand-in for the Hugging Face Hub (docs/decisions/048-hub-import.md), served over real
 * HTTP by node:http and laid out as the Hub is: `GET /api/datasets/{repo}/revision/{revision}` answers
 * `{ id, sha, siblings: [{ rfilename }] }` and `GET /datasets/{repo}/resolve/{sha}/{path}` the file's
 * bytes. Its errors are the Hub's: 404 with `X-Error-Code: RepoNotFound` or `RevisionNotFound`, 401
 * for a private dataset without its token, 403 `GatedRepo` for a gated one. The fixture dataset has
 * the shape of HuggingFaceH4/no_robots (prompt, prompt_id, messages as a list of {content, role}
 * structs, category; splits train and test under data/), written by the Parquet writer the other
 * Parquet tests use (hyparquet-writer).
 */
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { type AddressInfo } from 'node:net'
import { ByteWriter, ParquetWriter } from 'hyparquet-writer'
import { chatColumnSchema } from './parquet-fixtures.ts'

export type NoRobotsRow = { prompt: string; prompt_id: string; messages: Array<{ content: string; role: string }>; category: string }

/** Rows shaped like HuggingFaceH4/no_robots: a prompt, its sha256 as prompt_id, the chat, a category. */
export function noRobotsRows(n: number, tag = ''): NoRobotsRow[] {
	const categories = ['Generation', 'Open QA', 'Brainstorm', 'Chat', 'Rewrite']
	return Array.from({ length: n }, (_, i) => {
		const prompt = `Write a short note ${tag}${i} for a neighbour who just moved in.`
		return {
			prompt,
			prompt_id: createHash('sha256').update(prompt).digest('hex'),
			messages: [
				{ content: prompt, role: 'user' },
				{ content: `Welcome to the street ${tag}${i}! Knock if you need anything.`, role: 'assistant' },
			],
			category: categories[i % categories.length]!,
		}
	})
}

/** A Parquet file of no_robots-shaped rows, in row groups of `rowGroupSize`. */
export function noRobotsParquet(rows: NoRobotsRow[], rowGroupSize = 2): Uint8Array {
	const writer = new ByteWriter()
	const parquet = new ParquetWriter({
		writer,
		codec: 'SNAPPY',
		schema: [
			{ name: 'schema', num_children: 4 },
			{ name: 'prompt', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
			{ name: 'prompt_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
			// no_robots' own field order.
			...chatColumnSchema('messages', ['content', 'role']),
			{ name: 'category', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
		],
	})
	parquet.write({
		rowGroupSize,
		columnData: [
			{ name: 'prompt', data: rows.map((r) => r.prompt) },
			{ name: 'prompt_id', data: rows.map((r) => r.prompt_id) },
			{ name: 'messages', data: rows.map((r) => r.messages) },
			{ name: 'category', data: rows.map((r) => r.category), encoding: 'RLE_DICTIONARY' },
		],
	})
	parquet.finish()
	return new Uint8Array(writer.getBuffer())
}

type Repo = {
	access?: { kind: 'private' | 'gated'; token: string }
	refs: Record<string, string>
	commits: Record<string, Record<string, Uint8Array>>
}

export type FakeHub = {
	url: string
	repos: Map<string, Repo>
	/** Every request: method, path and the Authorization header it carried. */
	requests: Array<{ path: string; authorization: string | null }>
	/** Files whose download is cut off halfway (the connection is destroyed). */
	broken: Set<string>
	/** Adds a commit to `repo` and points `ref` at it; returns its sha. */
	push: (repo: string, files: Record<string, Uint8Array>, ref?: string) => string
	close: () => Promise<void>
}

let shaSeq = 0
const nextSha = () => createHash('sha1').update(`commit ${++shaSeq} ${Math.random()}`).digest('hex')

function fail(res: import('node:http').ServerResponse, status: number, code: string, message: string) {
	res.writeHead(status, { 'Content-Type': 'application/json', 'X-Error-Code': code })
	res.end(JSON.stringify({ error: message }))
}

/** Starts the stand-in on 127.0.0.1 (`port` 0: any free port). */
export async function startFakeHub(port = 0): Promise<FakeHub> {
	const repos = new Map<string, Repo>()
	const requests: FakeHub['requests'] = []
	const broken = new Set<string>()
	const server: Server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://hub.test')
		const authorization = req.headers.authorization ?? null
		requests.push({ path: url.pathname, authorization })
		const api = /^\/api\/datasets\/([^/]+\/[^/]+)\/revision\/(.+)$/.exec(url.pathname)
		const resolve = /^\/datasets\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname)
		const repoId = api?.[1] ?? resolve?.[1]
		const repo = repoId ? repos.get(repoId) : undefined
		if (!repoId) return fail(res, 404, 'EntryNotFound', 'Not found')
		if (!repo) return fail(res, 404, 'RepoNotFound', 'Repository not found')
		if (repo.access && authorization !== `Bearer ${repo.access.token}`) {
			if (repo.access.kind === 'gated') return fail(res, 403, 'GatedRepo', 'Access to this dataset is restricted.')
			return fail(res, 401, 'RepoNotFound', 'Invalid credentials in Authorization header')
		}
		if (api) {
			const revision = decodeURIComponent(api[2]!)
			const sha = repo.refs[revision] ?? (repo.commits[revision] ? revision : undefined)
			if (!sha) return fail(res, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`)
			res.writeHead(200, { 'Content-Type': 'application/json' })
			res.end(JSON.stringify({ id: repoId, sha, private: repo.access?.kind === 'private', siblings: Object.keys(repo.commits[sha]!).map((rfilename) => ({ rfilename })) }))
			return
		}
		const sha = resolve![2]!
		const file = decodeURIComponent(resolve![3]!)
		const bytes = repo.commits[sha]?.[file]
		if (!bytes) return fail(res, 404, 'EntryNotFound', `${file} does not exist at ${sha}`)
		res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.byteLength) })
		if (broken.has(file)) {
			res.write(bytes.subarray(0, Math.floor(bytes.byteLength / 2)))
			setTimeout(() => res.destroy(), 20)
			return
		}
		res.end(bytes)
	})
	await new Promise<void>((done) => server.listen(port, '127.0.0.1', done))
	const { port: bound } = server.address() as AddressInfo
	return {
		url: `http://127.0.0.1:${bound}`,
		repos,
		requests,
		broken,
		push(repoId, files, ref = 'main') {
			const repo = repos.get(repoId) ?? { refs: {}, commits: {} }
			repos.set(repoId, repo)
			const sha = nextSha()
			repo.commits[sha] = files
			repo.refs[ref] = sha
			return sha
		},
		close: () =>
			new Promise<void>((done) => {
				server.closeAllConnections()
				server.close(() => done())
			}),
	}
}
