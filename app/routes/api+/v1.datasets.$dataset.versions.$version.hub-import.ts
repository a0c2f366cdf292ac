import { type ActionFunctionArgs } from '@remix-run/node'
import { ApiHubImportSchema, HubImportError, hubApiError } from '#app/domain/hub.ts'
import { canChangeSamples } from '#app/domain/version-status.ts'
import { importFromHub } from '#app/models/hub-import.server.ts'
import { readHubToken } from '#app/models/hub-token.server.ts'
import { ImportNotAllowedError } from '#app/models/import.server.ts'
import { ApiError, apiJson, apiRoute, assertMethod, fieldErrors, importErrorMessage, methodNotAllowed, readJsonBody } from '#app/utils/api.server.ts'
import { requireApiVersion } from '#app/guards/api-token.server.ts'
import { type ApiErrorCode } from '#app/domain/api.ts'

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
	const parsed = ApiHubImportSchema.safeParse(await readJsonBody(request))
	if (!parsed.success) throw new ApiError(422, 'validation_failed', 'The Hub import is not valid; see details.fields.', { fields: fieldErrors(parsed.error) })
	if (!canChangeSamples(version.status)) throw frozen(version.label)
	const { request: hub, token } = parsed.data
	let outcome
	try {
		outcome = await importFromHub({ versionId: version.id, userId: principal.userId, request: hub, token: token ?? (await readHubToken(dataset.id)) })
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
	if (outcome.status === 'succeeded') return apiJson({ version: version.label, import_id: outcome.importId, rows: outcome.rows, source })
	if (outcome.errors.some((e) => e.code === 'version_frozen')) throw frozen(version.label)
	return apiJson(
		{
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
		},
		{ status: 422 },
	)
})
