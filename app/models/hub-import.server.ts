/**
 * Imports a split of a Hugging Face Hub dataset into a draft version (decision 048). The revision
 * (branch, tag or sha) is resolved once to its commit sha through `GET {endpoint}/api/datasets/{repo}/revision/{revision}`;
 * the split's Parquet files are picked from that commit's file list (splitFiles) and read at that
 * sha only (`{endpoint}/datasets/{repo}/resolve/{sha}/{path}`), so a push to the branch meanwhile
 * changes nothing. Each file is spooled and read as the Parquet upload is (app/models/parquet-import.server.ts),
 * one after the other into one all-or-nothing import, row n of the split being line n. The sha,
 * repo, config, split, endpoint and files go into the version's provenance (versions.source) in the
 * transaction that publishes the samples.
 */
import { parquetSchema } from 'hyparquet'
import { HubImportError, type HubImportRequest, type HubSource, mapHubRow, missingColumns, offeredSplits, splitFiles } from '#app/domain/hub.ts'
import { type ImportLimits } from '#app/domain/import/types.ts'
import { getEnv, importLimits } from '#app/utils/env.server.ts'
import { type ImportOutcome, runImport } from './import.server.ts'
import { ParquetFileError, parquetAsJsonl, readParquetFooter, spoolParquet } from './parquet-import.server.ts'

const HEADERS_TIMEOUT_MS = 30_000
const IDLE_TIMEOUT_MS = 60_000
const SHA = /^[0-9a-f]{40}$/

type Resolved = { endpoint: string; sha: string; files: string[]; layout: string }

const describe = (error: unknown) => {
	const cause = (error as { cause?: { code?: string; message?: string } }).cause
	return cause?.code ?? cause?.message ?? (error as Error).message
}

/** A request to the Hub with the token (when given) and a deadline for the answer's headers; errors become HubImportErrors. */
async function hubFetch(url: string, token: string | null, what: { repo: string; revision: string }) {
	const controller = new AbortController()
	const timer = setTimeout(() => controller.abort(new Error('timed out')), HEADERS_TIMEOUT_MS)
	let res: Response
	try {
		// Redirects (the Hub sends file downloads to its CDN) are followed; fetch drops Authorization when one leaves the origin.
		res = await fetch(url, { headers: { Accept: 'application/json, */*', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, signal: controller.signal })
	} catch (error) {
		throw new HubImportError('network_error', `The Hub at ${new URL(url).origin} could not be reached (${describe(error)}).`, { endpoint: new URL(url).origin })
	} finally {
		clearTimeout(timer)
	}
	if (res.ok) return { res, controller }
	const code = res.headers.get('x-error-code') ?? ''
	await res.body?.cancel().catch(() => {})
	if (code === 'RevisionNotFound') throw new HubImportError('revision_not_found', `The repository ${what.repo} has no revision "${what.revision}".`, what)
	if (res.status === 401 || res.status === 403) {
		if (token)
			throw new HubImportError(
				'access_denied',
				`The Hub refused the token for ${what.repo} (${res.status}): it is not valid, or its account has no access to this dataset${code === 'GatedRepo' ? ' (a gated dataset: accept its conditions on the Hub with that account)' : ''}.`,
				{ ...what, status: res.status },
			)
		throw new HubImportError('auth_required', `The Hub answered ${res.status} for ${what.repo}: the dataset is private or gated (or does not exist). Save a Hub token with access to it.`, {
			...what,
			status: res.status,
		})
	}
	if (res.status === 404) throw new HubImportError('repo_not_found', `The Hub has no dataset ${what.repo}.`, what)
	throw new HubImportError('hub_error', `The Hub answered ${res.status} for ${what.repo}; try again later.`, { ...what, status: res.status })
}

/** The commit `revision` names now, and the split's Parquet files in it. */
export async function resolveHubSplit(request: Pick<HubImportRequest, 'repo' | 'revision' | 'config' | 'split'>, token: string | null): Promise<Resolved> {
	const endpoint = getEnv().HF_ENDPOINT
	const what = { repo: request.repo, revision: request.revision }
	const { res } = await hubFetch(`${endpoint}/api/datasets/${request.repo}/revision/${encodeURIComponent(request.revision)}`, token, what)
	let body: { sha?: unknown; siblings?: unknown }
	try {
		body = (await res.json()) as typeof body
	} catch (error) {
		throw new HubImportError('network_error', `The Hub's answer about ${request.repo} was cut short or is not JSON (${describe(error)}).`, { endpoint })
	}
	const sha = typeof body.sha === 'string' && SHA.test(body.sha) ? body.sha : null
	if (!sha || !Array.isArray(body.siblings)) throw new HubImportError('hub_error', `The Hub's answer about ${request.repo} has no commit sha or file list.`, what)
	const names = body.siblings.map((s) => (s && typeof s === 'object' ? (s as { rfilename?: unknown }).rfilename : null)).filter((n): n is string => typeof n === 'string')
	const found = splitFiles(names, request.config, request.split)
	if (!found) {
		const offered = offeredSplits(names)
		throw new HubImportError(
			'no_parquet_files',
			`The dataset ${request.repo} at ${sha.slice(0, 7)} has no Parquet files for config "${request.config}", split "${request.split}"${offered.length ? ` (it has: ${offered.join(', ')})` : ''}. Try the revision refs/convert/parquet, where the Hub keeps a Parquet copy of every dataset.`,
			{ repo: request.repo, config: request.config, split: request.split, sha, offered: offered.join(', ') },
		)
	}
	return { endpoint, sha, ...found }
}

/** The file's bytes as they arrive; a stall of IDLE_TIMEOUT_MS or a broken connection is a network error. */
async function* body(res: Response, controller: AbortController, file: string): AsyncGenerator<Uint8Array> {
	let timer = setTimeout(() => controller.abort(new Error('stalled')), IDLE_TIMEOUT_MS)
	try {
		for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
			clearTimeout(timer)
			timer = setTimeout(() => controller.abort(new Error('stalled')), IDLE_TIMEOUT_MS)
			yield chunk
		}
	} catch (error) {
		if (error instanceof ParquetFileError) throw error
		throw new HubImportError('network_error', `The download of ${file} from the Hub broke off (${describe(error)}).`, { file })
	} finally {
		clearTimeout(timer)
	}
}

type Spooled = Awaited<ReturnType<typeof spoolParquet>> & { metadata: Awaited<ReturnType<typeof readParquetFooter>> }

/** Downloads one file at the pinned sha to a temporary file and checks its footer and the mapped columns. */
async function download(resolved: Resolved, request: HubImportRequest, file: string, token: string | null, budget: number): Promise<Spooled> {
	const url = `${resolved.endpoint}/datasets/${request.repo}/resolve/${resolved.sha}/${file.split('/').map(encodeURIComponent).join('/')}`
	const { res, controller } = await hubFetch(url, token, { repo: request.repo, revision: request.revision })
	const length = Number(res.headers.get('content-length'))
	if (length > budget) {
		await res.body?.cancel().catch(() => {})
		throw new HubImportError('too_large', `The split's files are larger than the import limit of ${Math.floor(budget / 1024 / 1024)} MiB.`, { file })
	}
	const spooled = await spoolParquet(body(res, controller, file), budget).catch((error: unknown) => {
		if (error instanceof ParquetFileError) throw new HubImportError('too_large', `The split's files are larger than the import limit (${error.message})`, { file })
		throw error
	})
	try {
		const metadata = await readParquetFooter(spooled.file)
		const columns = parquetSchema(metadata).children.map((c) => c.element.name)
		const missing = missingColumns(request, columns)
		if (missing.length) {
			throw new HubImportError('column_not_found', `${file} has no column ${missing.map((c) => `"${c}"`).join(', ')} (its columns: ${columns.join(', ')}).`, {
				file,
				columns: missing.join(', '),
				available: columns.join(', '),
			})
		}
		return { ...spooled, metadata }
	} catch (error) {
		await spooled.cleanup()
		throw error
	}
}

export type HubImportOutcome = ImportOutcome & { source: HubSource }

/** A Hub import ready to run: the revision resolved, the first file downloaded and checked. */
export type PreparedHubImport = {
	source: HubSource
	run: (input: { versionId: string; userId: string | null; importId?: string }) => Promise<HubImportOutcome>
	/** Removes the downloaded file when the import will not run after all. */
	discard: () => Promise<void>
}

const unreadable = (error: unknown): never => {
	if (error instanceof ParquetFileError) throw new HubImportError('invalid_parquet', `A Parquet file of the split cannot be read: ${error.message}`)
	throw error
}

/**
 * Resolves the revision and downloads the split's first file. Problems found here (the Hub's
 * answers, the first file, the mapping) throw a HubImportError before anything is created, so a
 * page can create the version only once the Hub has answered.
 */
export async function prepareHubImport({ request, token, limits = importLimits() }: { request: HubImportRequest; token: string | null; limits?: ImportLimits }): Promise<PreparedHubImport> {
	const resolved = await resolveHubSplit(request, token)
	const source: HubSource = {
		kind: 'huggingface',
		endpoint: resolved.endpoint,
		repo: request.repo,
		revision: request.revision,
		sha: resolved.sha,
		config: request.config,
		split: request.split,
		files: resolved.files,
	}
	const first = await download(resolved, request, resolved.files[0]!, token, limits.maxFileBytes).catch(unreadable)
	let used = first.bytes
	let current: Spooled | null = first
	async function* rows(): AsyncGenerator<Uint8Array> {
		for (const [n, file] of resolved.files.entries()) {
			if (n > 0) {
				current = await download(resolved, request, file, token, limits.maxFileBytes - used)
				used += current.bytes
			}
			try {
				yield* parquetAsJsonl(current!.file, current!.metadata, null, (row) => mapHubRow(row, request))
			} finally {
				await current!.cleanup()
				current = null
			}
		}
	}
	const discard = async () => {
		await (current as Spooled | null)?.cleanup()
		current = null
	}
	return {
		source,
		discard,
		/**
		 * Every file, in order, into one all-or-nothing import. A later file's download or read
		 * failing fails the import (nothing lands) and throws a HubImportError; invalid rows are the
		 * import's outcome, as for an upload.
		 */
		run: async ({ versionId, userId, importId }) => {
			try {
				const outcome = await runImport({
					versionId,
					format: 'jsonl',
					filename: `hf://datasets/${request.repo}@${resolved.sha.slice(0, 7)}/${request.config}/${request.split}`,
					bytesTotal: null,
					userId,
					importId,
					source: rows(),
					limits,
					hubSource: source,
				})
				return { ...outcome, source }
			} catch (error) {
				return unreadable(error)
			} finally {
				await discard()
			}
		},
	}
}

/** Resolves, downloads and imports into an existing draft version in one go. */
export async function importFromHub(input: { versionId: string; userId: string | null; request: HubImportRequest; token: string | null; importId?: string; limits?: ImportLimits }) {
	const prepared = await prepareHubImport(input)
	return prepared.run(input)
}
