import { type ActionFunctionArgs, redirect, unstable_parseMultipartFormData } from '@remix-run/node'
import { canChangeSamples } from '#app/domain/version-status.ts'
import { detectFormat, type ImportOutcome, recordRejectedUpload, runImport } from '#app/models/import.server.ts'
import { ParquetFileError, ParquetTooLargeError } from '#app/models/parquet-import.server.ts'
import { stageParquetUpload } from '#app/models/parquet-mapping.server.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { importLimits } from '#app/utils/env.server.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export async function loader({ params }: ActionFunctionArgs) {
	return redirect(`/datasets/${encodeURIComponent(params.slug ?? '')}/versions/${encodeURIComponent(params.label ?? '')}`)
}

const isParquetFile = (filename: string, contentType: string) => /\.parquet$/i.test(filename) || /parquet/i.test(contentType)

/**
 * The upload: the file streams from the request straight through the parser into the database.
 * A Parquet file is staged instead, and the owner maps its columns next (columns.$uploadId.tsx).
 */
export async function action({ request, params }: ActionFunctionArgs) {
	const { user, dataset, version } = await requireVersion(request, params, 'import')
	const back = `/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`
	if (!canChangeSamples(version.status)) throw redirect(`${back}?notice=frozen`)
	let importId: string | undefined
	let outcome: ImportOutcome | undefined
	let stagedId: string | undefined
	const contentLength = Number(request.headers.get('Content-Length')) || null

	const parsing = unstable_parseMultipartFormData(request, async (part) => {
		const iterator = part.data[Symbol.asyncIterator]()
		const drain = async () => {
			while (!(await iterator.next()).done) {}
		}
		if (part.name === 'importId' && !part.filename) {
			let text = ''
			for (let r = await iterator.next(); !r.done; r = await iterator.next()) if (text.length < 64) text += new TextDecoder().decode(r.value)
			if (UUID.test(text)) importId = text
			return undefined
		}
		if (part.name === 'file' && part.filename && !outcome && !stagedId && isParquetFile(part.filename, part.contentType)) {
			const filename = part.filename
			const source = { [Symbol.asyncIterator]: () => ({ next: () => iterator.next() }) }
			stagedId = await stageParquetUpload({ versionId: version.id, filename, userId: user.id, source, maxBytes: importLimits().maxFileBytes }).catch(async (error: unknown) => {
				if (!(error instanceof ParquetFileError)) throw error
				await drain()
				const code = error instanceof ParquetTooLargeError ? 'file_too_large' : 'invalid_parquet'
				outcome = await recordRejectedUpload({ versionId: version.id, filename, userId: user.id, code, params: error instanceof ParquetTooLargeError ? { max: error.maxBytes } : undefined })
				return undefined
			})
			await drain()
			return undefined
		}
		if (part.name === 'file' && part.filename && !outcome && !stagedId) {
			const format = detectFormat(part.filename, part.contentType)
			if (!format) {
				await drain()
				outcome = await recordRejectedUpload({ versionId: version.id, filename: part.filename, userId: user.id, code: 'unsupported_format' })
				return undefined
			}
			// The parser may stop early (a fatal error); the wrapper keeps the request stream open to drain it.
			const source = { [Symbol.asyncIterator]: () => ({ next: () => iterator.next() }) }
			outcome = await runImport({ versionId: version.id, format, filename: part.filename, bytesTotal: contentLength, userId: user.id, importId, source })
			await drain()
			return undefined
		}
		await drain()
		return undefined
	})
	// The multipart parser throws on a file name with ";" or "=" (browsers send them as they are): a notice, not a 500.
	await parsing.catch((error: unknown) => {
		if (outcome || !(error instanceof Error) || !error.message.startsWith('malformed')) throw error
		throw redirect(`${back}?notice=badname`)
	})
	if (stagedId) throw redirect(`${back}/columns/${stagedId}`)
	if (!outcome) throw redirect(`${back}?notice=nofile`)
	throw redirect(`${back}/imports/${outcome.importId}`)
}
