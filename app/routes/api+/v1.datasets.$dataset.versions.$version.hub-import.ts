import { createHash } from 'node:crypto'
import { type ActionFunctionArgs } from '@remix-run/node'
import { ApiHubImportSchema, HubImportError, hubApiError } from '#app/domain/hub.ts'
import { canChangeSamples } from '#app/domain/version-status.ts'
import { importFromHub } from '#app/models/hub-import.server.ts'
import { readHubToken } from '#app/models/hub-token.server.ts'
import { runIdempotent } from '#app/models/idempotency.server.ts'
import { ImportNotAllowedError } from '#app/models/import.server.ts'
import { ApiError, apiJson, apiRoute, assertMethod, fieldErrors, importErrorMessage, methodNotAllowed, readJsonBody } from '#app/utils/api.server.ts'
import { requireApiVersion } from '#app/guards/api-token.server.ts'
import { type ApiErrorCode, IDEMPOTENCY_KEY } from '#app/domain/api.ts'

export const loader = methodNotAllowed(['POST'])

const frozen = (label: string) => new ApiError(409, 'version_frozen', `Version "${label}" is no longer a draft, so its samples cannot change.`)

/**
 * `POST …/versions/{version}/hub-import` (decision 048): imports a split of a Hugging Face Hub
 * dataset into the draft, all or nothing, at the commit the revision names now → 200
 * `{ version, import_id, rows, source }`, 422 `invalid_samples` as an upload, or a `hub_*` error.
 * The token in the body (for this request only) or else the dataset's saved one is sent to the Hub.
 */
export const action = apiRoute(async ({ request, params }: ActionFunctionArgs) => {
	assertMethod(request, ['POST'])
	const { principal, dataset, version } = await requireApiVersion(request, params, 'import')
	const key = request.headers.get('Idempotency-Key')
	if (key !== null && !IDEMPOTENCY_KEY.test(key)) throw new ApiError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 visible ASCII characters.')
	const parsed = ApiHubImportSchema.safeParse(await readJsonBody(request))
	if (!parsed.success) throw new ApiError(422, 'validation_failed', 'The Hub import is not valid; see details.fields.', { fields: fieldErrors(parsed.error) })
	if (!canChangeSamples(version.status)) throw frozen(version.label)
	const { request: hub, token } = parsed.data
	// The token is not part of what a repeat must match: the same split at the same revision is the same request.
	const requestHash = async () =>
		createHash('sha256')
			.update(`POST ${new URL(request.url).pathname}\n`)
			.update(JSON.stringify(hub))
			.digest('hex')
	const result = await runIdempotent({
		tokenId: principal.tokenId,
		key,
		requestHash,
		run: async (importId) => {
			const body = await hubImport(importId)
			return { status: 'error' in body ? 422 : 200, body }
		},
	})
	return apiJson(result.body, { status: result.status, headers: result.replayed ? { 'Idempotent-Replayed': 'true' } : undefined })

	async function hubImport(importId?: string) {
		let outcome
		try {
			outcome = await importFromHub({ versionId: version.id, userId: principal.userId, request: hub, token: token ?? (await readHubToken(dataset.id)), importId })
		} catch (error) {
			if (error instanceof HubImportError) {
				const { code, status } = hubApiError(error.code)
				throw new ApiError(status, code as ApiErrorCode, `Nothing was imported: ${error.message}`, error.params)
			}
			throw error instanceof ImportNotAllowedError ? frozen(version.label) : error
		}
		const source = {
			endpoint: outcome.source.endpoint,
			repo: outcome.source.repo,
			revision: outcome.source.revision,
			sha: outcome.source.sha,
			config: outcome.source.config,
			split: outcome.source.split,
			files: outcome.source.files,
		}
		if (outcome.status === 'succeeded') return { version: version.label, import_id: outcome.importId, rows: outcome.rows, source }
		if (outcome.errors.some((e) => e.code === 'version_frozen')) throw frozen(version.label)
		return {
			error: {
				code: 'invalid_samples',
				message: `Nothing was imported: ${outcome.errorCount} ${outcome.errorCount === 1 ? 'problem' : 'problems'} found (details.errors lists the first ${outcome.errors.length}, by row of the split).`,
				details: {
					import_id: outcome.importId,
					rows: outcome.rows,
					error_count: outcome.errorCount,
					errors: outcome.errors.map((e) => ({ line: e.line, code: e.code, message: importErrorMessage(e.code, e.params), ...(e.params ? { params: e.params } : {}) })),
				},
			},
		}
	}
})
