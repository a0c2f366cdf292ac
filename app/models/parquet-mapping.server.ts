/**
 * The web upload of a Parquet file, in two steps (decision 047): the file is staged (written to
 * the staging directory and described by a staged_uploads row), the owner maps its columns, then
 * the staged file is imported by that mapping — the same importer, all or nothing, as every
 * upload — and removed. A successful import remembers the mapping on the dataset; it pre-fills the
 * next form and is what the API applies to a Parquet upload.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { and, eq, lt, sql } from 'drizzle-orm'
import { datasets, stagedUploads } from '#db/schema/datasets.ts'
import { type ColumnMapping, readColumnMapping } from '#app/domain/import/column-mapping.ts'
import { db } from '#app/utils/db.server.ts'
import { type ImportOutcome, runImport } from './import.server.ts'
import { describeColumns, parquetAsJsonl, readParquetFooter, writeParquetFile } from './parquet-import.server.ts'

/** Staged files live a day at most: the reaper removes older rows and files. */
const STAGED_FOR_HOURS = 24

/** Where staged files are kept: local disk of the server that received them (decision 047). */
export function stagingDir() {
	return path.join(tmpdir(), 'roundtable-staged')
}

const stagedFile = (id: string) => path.join(stagingDir(), `${id}.parquet`)

/** Writes the upload to the staging directory and records its columns; a file that is not readable Parquet is removed and its ParquetFileError thrown. */
export async function stageParquetUpload(input: { versionId: string; filename: string; userId: string | null; source: AsyncIterable<Uint8Array>; maxBytes: number }) {
	await mkdir(stagingDir(), { recursive: true })
	const id = randomUUID()
	const file = stagedFile(id)
	const cleanup = () => rm(file, { force: true })
	const bytes = await writeParquetFile(input.source, input.maxBytes, file, cleanup)
	try {
		const metadata = await readParquetFooter(file)
		await db.insert(stagedUploads).values({
			id,
			versionId: input.versionId,
			filename: input.filename.slice(0, 255),
			bytes,
			rows: Number(metadata.num_rows),
			columns: describeColumns(metadata),
			createdBy: input.userId,
		})
	} catch (error) {
		await cleanup()
		throw error
	}
	return id
}

export async function getStagedUpload({ uploadId, versionId }: { uploadId: string; versionId: string }) {
	const [row] = await db
		.select({ id: stagedUploads.id, filename: stagedUploads.filename, bytes: stagedUploads.bytes, rows: stagedUploads.rows, columns: stagedUploads.columns })
		.from(stagedUploads)
		.where(and(eq(stagedUploads.id, uploadId), eq(stagedUploads.versionId, versionId)))
	return row ?? null
}

/** Removes the staged upload (row and file); true if it was there. */
export async function discardStagedUpload({ uploadId, versionId }: { uploadId: string; versionId: string }) {
	const gone = await db
		.delete(stagedUploads)
		.where(and(eq(stagedUploads.id, uploadId), eq(stagedUploads.versionId, versionId)))
		.returning({ id: stagedUploads.id })
	await rm(stagedFile(uploadId), { force: true })
	return gone.length > 0
}

/**
 * Imports a staged upload by `mapping` and removes it, whatever the outcome. The row is claimed
 * by deleting it, so a form sent twice imports once (the second gets null). On success the
 * mapping becomes the dataset's remembered one.
 */
export async function importStagedUpload(input: { uploadId: string; versionId: string; datasetId: string; mapping: ColumnMapping; userId: string | null }): Promise<ImportOutcome | null> {
	const [claimed] = await db
		.delete(stagedUploads)
		.where(and(eq(stagedUploads.id, input.uploadId), eq(stagedUploads.versionId, input.versionId)))
		.returning({ filename: stagedUploads.filename, bytes: stagedUploads.bytes })
	const file = stagedFile(input.uploadId)
	if (!claimed) return null
	try {
		const metadata = await readParquetFooter(file)
		const outcome = await runImport({
			versionId: input.versionId,
			format: 'jsonl',
			filename: claimed.filename,
			bytesTotal: claimed.bytes,
			userId: input.userId,
			source: parquetAsJsonl(file, metadata, input.mapping),
		})
		if (outcome.status === 'succeeded') await rememberColumnMapping(input.datasetId, input.mapping)
		return outcome
	} finally {
		await rm(file, { force: true })
	}
}

export async function getColumnMapping(datasetId: string): Promise<ColumnMapping | null> {
	const [row] = await db.select({ mapping: datasets.columnMapping }).from(datasets).where(eq(datasets.id, datasetId))
	return readColumnMapping(row?.mapping)
}

async function rememberColumnMapping(datasetId: string, mapping: ColumnMapping) {
	await db.update(datasets).set({ columnMapping: mapping }).where(eq(datasets.id, datasetId))
}

/** Staged uploads nobody finished within a day: their rows, and any file older than that (a crash between the two). */
export async function reapStagedUploads() {
	const old = await db
		.delete(stagedUploads)
		.where(lt(stagedUploads.createdAt, sql`now() - make_interval(hours => ${STAGED_FOR_HOURS})`))
		.returning({ id: stagedUploads.id })
	for (const { id } of old) await rm(stagedFile(id), { force: true })
	const names = await readdir(stagingDir()).catch(() => [] as string[])
	const cutoff = Date.now() - STAGED_FOR_HOURS * 3600_000
	for (const name of names) {
		const file = path.join(stagingDir(), name)
		const info = await stat(file).catch(() => null)
		if (info && info.mtimeMs < cutoff) await rm(file, { force: true })
	}
	return old.length
}
