import { type ActionFunctionArgs } from '@remix-run/node'
import { IDEMPOTENCY_KEY, isCsv, isNdjson, isParquet } from '#app/domain/api.ts'
import { ApiParquetColumnsSchema, mapHubRow, missingColumns } from '#app/domain/hub.ts'
import { canChangeSamples } from '#app/domain/version-status.ts'
import { type IdempotentResult, runIdempotent } from '#app/models/idempotency.server.ts'
import { ImportNotAllowedError, runImport } from '#app/models/import.server.ts'
import { describeColumns, ParquetFileError, parquetAsJsonl, readParquetFooter, spoolParquet } from '#app/models/parquet-import.server.ts'
import { getColumnMapping } from '#app/models/parquet-mapping.server.ts'
import { ApiError, apiJson, apiRoute, assertMethod, fieldErrors, hashedBody, importErrorMessage, methodNotAllowed } from '#app/utils/api.server.ts'
import { requireApiVersion } from '#app/guards/api-token.server.ts'
import { importLimits } from '#app/utils/env.server.ts'

export const loader = methodNotAllowed(['PUT'])

const invalidParquet = (error: unknown): never => {
	throw error instanceof ParquetFileError ? new ApiError(422, 'invalid_parquet', `Nothing was imported: ${error.message}`) : error
}

const frozen = (label: string) => new ApiError(409, 'version_frozen', `Version "${label}" is no longer a draft, so its samples cannot change.`)

/**
 * `PUT …/versions/{version}/samples` (JSONL, `application/x-ndjson`): the body streams through
 * the importer (all or nothing) → 200 `{ version, import_id, rows }`, or 422 with every rejected
 * line. With `Idempotency-Key`, a repeat of the same request gets the stored response, a
 * different payload under the same key 422, and a repeat while the first runs 409.
 */
export const action = apiRoute(async ({ request, params }: ActionFunctionArgs) => {
	assertMethod(request, ['PUT'])
	const { principal, dataset, version } = await requireApiVersion(request, params, 'import')
	const csv = isCsv(request.headers.get('Content-Type'))
	const parquet = isParquet(request.headers.get('Content-Type'))
	if (!csv && !parquet && !isNdjson(request.headers.get('Content-Type'))) {
		throw new ApiError(
			415,
			'unsupported_media_type',
			'Send the samples as JSONL with "Content-Type: application/x-ndjson" (or CSV with "Content-Type: text/csv", or Parquet with "Content-Type: application/vnd.apache.parquet").',
		)
	}
	// Parquet only: columns named in the query string (`?id_column=prompt_id`) for this request.
	const query = new URL(request.url).searchParams
	const columns = ApiParquetColumnsSchema.safeParse(Object.fromEntries(query))
	if (!columns.success) throw new ApiError(400, 'invalid_query', 'The query string is not valid; see details.fields.', { fields: fieldErrors(columns.error) })
	const named = Object.values(columns.data).some(Boolean) ? columns.data : null
	if (named && !parquet) throw new ApiError(400, 'invalid_query', 'Columns are named in the query string for a Parquet body only.', { fields: { id_column: ['Parquet only.'] } })
	const key = request.headers.get('Idempotency-Key')
	if (key !== null && !IDEMPOTENCY_KEY.test(key)) throw new ApiError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 visible ASCII characters.')
	const limits = importLimits()
	const body = hashedBody(request, `PUT ${new URL(request.url).pathname}${named ? `?${query.toString()}` : ''}`, limits.maxFileBytes)

	const upload = async (importId?: string): Promise<IdempotentResult> => {
		if (!canChangeSamples(version.status)) throw frozen(version.label)
		// Parquet is read from its footer: spooled to a file, checked, then fed to the importer as JSONL rows.
		const spooled = parquet ? await spoolParquet(body.source, limits.maxFileBytes).catch(invalidParquet) : null
		const outcome = await (async () => {
			// Parquet columns map by the columns named in the query, else by the dataset's remembered
			// mapping (the web upload's, decision 047), else by name.
			const footer = spooled ? await readParquetFooter(spooled.file) : null
			if (footer && named) {
				const missing = missingColumns(
					named,
					describeColumns(footer).map((c) => c.name),
				)
				if (missing.length) throw new ApiError(422, 'column_not_found', `Nothing was imported: the file has no column ${missing.map((c) => `"${c}"`).join(', ')}.`, { columns: missing })
			}
			const source =
				spooled && footer
					? named
						? parquetAsJsonl(spooled.file, footer, null, (row) => mapHubRow(row, named))
						: parquetAsJsonl(spooled.file, footer, await getColumnMapping(dataset.id))
					: body.source
			return runImport({
				versionId: version.id,
				format: csv ? 'csv' : 'jsonl',
				filename: csv ? 'api-upload.csv' : parquet ? 'api-upload.parquet' : 'api-upload.jsonl',
				bytesTotal: Number(request.headers.get('Content-Length')) || null,
				userId: principal.userId,
				importId,
				source,
				limits,
			})
		})()
			.catch((error: unknown) => {
				if (error instanceof ParquetFileError) invalidParquet(error)
				throw error instanceof ImportNotAllowedError ? frozen(version.label) : error
			})
			.finally(() => spooled?.cleanup())
		if (outcome.status === 'succeeded') return { status: 200, body: { version: version.label, import_id: outcome.importId, rows: outcome.rows } }
		if (outcome.errors.some((e) => e.code === 'version_frozen')) throw frozen(version.label)
		return {
			status: 422,
			body: {
				error: {
					code: 'invalid_samples',
					message: `Nothing was imported: ${outcome.errorCount} ${outcome.errorCount === 1 ? 'problem' : 'problems'} found (details.errors lists the first ${outcome.errors.length}, by line).`,
					details: {
						import_id: outcome.importId,
						rows: outcome.rows,
						error_count: outcome.errorCount,
						errors: outcome.errors.map((e) => ({ line: e.line, code: e.code, message: importErrorMessage(e.code, e.params), ...(e.params ? { params: e.params } : {}) })),
					},
				},
			},
		}
	}

	const result = await runIdempotent({ tokenId: principal.tokenId, key, requestHash: () => body.finish(), run: upload })
	return apiJson(result.body, { status: result.status, headers: result.replayed ? { 'Idempotent-Replayed': 'true' } : undefined })
})
