import { and, desc, eq, lt, ne, sql } from 'drizzle-orm'
import { facetValues, imports, samples, versions } from '#db/schema/datasets.ts'
import { type HubSource } from '#app/domain/hub.ts'
import { FacetCounter } from '#app/domain/import/facets.ts'
import { foldWord, searchableText, searchVector } from '#app/domain/search/text.ts'
import { parseSamples } from '#app/domain/import/parse.ts'
import { type ImportError, type ImportFormat, type ImportLimits, MAX_REPORTED_ERRORS } from '#app/domain/import/types.ts'
import { canonicalSampleContent } from '#app/domain/sample.ts'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { db, openBulkWriter, query, type Tx } from '#app/utils/db.server.ts'
import { importLimits } from '#app/utils/env.server.ts'
import { recordAudit } from './audit.server.ts'
import { dropFacetIndex } from './facet-index.server.ts'
import { carryOverIssues } from './issue.server.ts'
import { queueSignals } from './signals.server.ts'
import { dropBandGroups, queueSimilarity } from './similar.server.ts'

const PROGRESS_EVERY_MS = 750
const STALE_AFTER_SECONDS = 120

const sampleColumns = ['import_id', 'external_id', 'content', 'messages', 'image_url', 'image_alt', 'language', 'metadata', 'content_hash', 'search_vector', 'facet_ids'] as const
/** facet_value_ids hands out blocks of this many ids (its INCREMENT, migration 0013). */
const FACET_ID_BLOCK = 1024
/** A sample can add at most one new value per key (60 keys). */
const FACET_IDS_PER_SAMPLE = 64

async function nextFacetIdBlock() {
	const [row] = await query<{ start: number }>(sql`select nextval('facet_value_ids')::int as start`)
	return { next: row!.start, end: row!.start + FACET_ID_BLOCK }
}

export type ImportOutcome = {
	importId: string
	status: 'succeeded' | 'failed'
	rows: number
	errorCount: number
	errors: ImportError[]
}

export class ImportNotAllowedError extends Error {}

export function detectFormat(filename: string, contentType?: string | null): ImportFormat | null {
	const name = filename.toLowerCase()
	if (/\.(jsonl|ndjson|json)$/.test(name)) return 'jsonl'
	if (name.endsWith('.csv')) return 'csv'
	if (contentType?.includes('ndjson') || contentType?.includes('jsonl')) return 'jsonl'
	if (contentType?.includes('csv')) return 'csv'
	return null
}

/**
 * Imports a sample file into a draft version, all or nothing. Rows stream in under a new import
 * that nobody can see; only when the whole file is valid does one short transaction make it the
 * version's sample set. A failed, aborted or crashed import never becomes visible.
 */
export async function runImport(input: {
	versionId: string
	format: ImportFormat
	filename: string
	bytesTotal?: number | null
	userId: string | null
	importId?: string
	source: AsyncIterable<Uint8Array>
	limits?: ImportLimits
	/** Where the file came from (a Hub import); recorded in the version's provenance when it is published, cleared by any other import. */
	hubSource?: HubSource
}): Promise<ImportOutcome> {
	const [version] = await db.select({ status: versions.status, datasetId: versions.datasetId, label: versions.label }).from(versions).where(eq(versions.id, input.versionId))
	if (!version || version.status !== 'draft') throw new ImportNotAllowedError('Samples can only change while the version is a draft')

	const values = {
		versionId: input.versionId,
		format: input.format,
		filename: input.filename.slice(0, 255),
		bytesTotal: input.bytesTotal ?? null,
		createdBy: input.userId,
	}
	// The browser proposes the id (to poll progress while uploading); a clash just gets a fresh one.
	let [created] = input.importId
		? await db
				.insert(imports)
				.values({ ...values, id: input.importId })
				.onConflictDoNothing()
				.returning({ id: imports.id })
		: []
	created ??= (await db.insert(imports).values(values).returning({ id: imports.id }))[0]
	const importId = created!.id
	const audit: ImportAudit = { datasetId: version.datasetId, versionId: input.versionId, versionLabel: version.label, importId, filename: values.filename, actorId: input.userId }
	await auditImport(audit, 'import.started', {})

	const errors: ImportError[] = []
	let errorCount = 0
	let rows = 0
	let bytes = 0
	let lastProgress = Date.now()
	const facets = new FacetCounter()
	const writer = await openBulkWriter('samples', sampleColumns)
	let writing = true

	const reportProgress = async () => {
		lastProgress = Date.now()
		await db.update(imports).set({ bytesRead: bytes, rowsRead: rows, errorCount, heartbeatAt: new Date() }).where(eq(imports.id, importId))
	}

	try {
		for await (const event of parseSamples(input.source, input.format, input.limits ?? importLimits())) {
			if (event.kind === 'sample') {
				rows++
				if (!writing) continue
				const s = event.sample
				if (facets.idsLeft < FACET_IDS_PER_SAMPLE) facets.addIds(await nextFacetIdBlock())
				const ids = facets.add(s.metadata, s.language)
				await writer.write([
					importId,
					s.externalId,
					s.content,
					s.messages,
					s.imageUrl,
					s.imageAlt,
					s.language,
					s.metadata,
					sha256Hex(canonicalSampleContent(s)),
					searchVector(searchableText(s)),
					`{${ids.join(',')}}`,
				])
			} else if (event.kind === 'error') {
				errorCount++
				if (errors.length < MAX_REPORTED_ERRORS) errors.push(event.error)
				if (writing) {
					// Nothing of this file will land; keep reading only to report every error.
					writing = false
					await writer.abort()
				}
			} else {
				bytes = event.bytes
				if (Date.now() - lastProgress > PROGRESS_EVERY_MS) await reportProgress()
			}
		}
		if (writing && rows === 0 && errorCount === 0) {
			errorCount = 1
			errors.push({ line: 1, code: 'empty_file' })
			await writer.abort()
			writing = false
		}
		if (errorCount > 0) return await fail(audit, { rows, bytes, errorCount, errors })

		await writer.finish()
		const summary = facets.toJSON()
		await writeFacetValues(importId, facets)
		const published = await db.transaction(async (tx) => {
			const [v] = await tx.select({ status: versions.status, previous: versions.currentImportId }).from(versions).where(eq(versions.id, input.versionId)).for('update')
			if (!v || v.status !== 'draft') return null
			await tx
				.update(versions)
				.set({ currentImportId: importId, sampleCount: rows, source: input.hubSource ?? null, updatedAt: new Date() })
				.where(eq(versions.id, input.versionId))
			await tx
				.update(imports)
				.set({
					status: 'succeeded',
					rowsRead: rows,
					bytesRead: bytes,
					finishedAt: new Date(),
					heartbeatAt: new Date(),
					facets: summary.facets,
					languages: summary.languages,
					facetKeys: facets.describe(),
				})
				.where(eq(imports.id, importId))
			// A child version inherits its parent's issues on the samples it kept (app/models/issue.server.ts).
			await carryOverIssues(tx, { versionId: input.versionId, importId })
			// The signals job computes this sample set's caricature signals after publishing (app/jobs/signals.server.ts).
			await queueSignals(tx, { versionId: input.versionId, importId, total: rows })
			// And its similar-samples index (app/jobs/similar.server.ts), so the upload does not pay for it (decision 055).
			await queueSimilarity(tx, { versionId: input.versionId, importId, total: rows })
			await auditImport(audit, 'import.succeeded', { rows }, tx)
			return { previous: v.previous }
		})
		if (!published) return await fail(audit, { rows, bytes, errorCount: 1, errors: [{ line: 0, code: 'version_frozen' }] })
		// The replaced sample set is no longer reachable; drop its rows.
		if (published.previous) {
			await db.delete(samples).where(eq(samples.importId, published.previous))
			await dropBandGroups(published.previous)
			dropFacetIndex(published.previous)
			await db.delete(facetValues).where(eq(facetValues.importId, published.previous))
		}
		await markSamplesVisible()
		return { importId, status: 'succeeded', rows, errorCount: 0, errors: [] }
	} catch (error) {
		if (writing) await writer.abort().catch(() => {})
		await fail(audit, { rows, bytes, errorCount: errorCount + 1, errors: [...errors, { line: 0, code: 'interrupted' }] })
		throw error
	}
}

/**
 * A published sample set is searched and counted at once: VACUUM marks its new pages all-visible,
 * so an exact match count is read from the search index's bitmap without visiting every matching
 * row (on the million-sample benchmark, search p95 283 → 162 ms; docs/benchmarks.md), and ANALYZE
 * gives the planner the new rows' statistics. It visits only pages not yet all-visible (about
 * 1.5 s for a million new rows), never waits for another vacuum (SKIP_LOCKED), and leaves index
 * cleanup of a replaced set's rows to autovacuum (INDEX_CLEANUP OFF), which would otherwise read
 * every index of the table. A failure here loses nothing: it is logged, and autovacuum comes later.
 */
async function markSamplesVisible() {
	await query(sql`vacuum (analyze, skip_locked, index_cleanup off) samples`).catch((error: Error) => console.error(`vacuum after import: ${error.message}`))
}

/** The import's facet dictionary, before it is published (nobody reads it until then). */
async function writeFacetValues(importId: string, facets: FacetCounter) {
	let batch: Array<typeof facetValues.$inferInsert> = []
	const flush = async () => {
		if (batch.length) await db.insert(facetValues).values(batch)
		batch = []
	}
	for (const v of facets.dictionary()) {
		batch.push({ id: v.id, importId, key: v.key, value: v.value, folded: foldWord(v.value), count: v.count })
		if (batch.length >= 2000) await flush()
	}
	await flush()
}

type ImportAudit = { datasetId: string; versionId: string; versionLabel: string; importId: string; filename: string; actorId: string | null }

/** The dataset's audit log: which file, on which version, how many rows; never the samples themselves. */
async function auditImport(a: ImportAudit, action: 'import.started' | 'import.succeeded' | 'import.failed', details: { rows?: number; errors?: number }, tx?: Tx) {
	await recordAudit(
		{
			datasetId: a.datasetId,
			versionId: a.versionId,
			actorId: a.actorId,
			action,
			targetType: 'import',
			targetId: a.importId,
			targetLabel: a.filename,
			after: { version: a.versionLabel, filename: a.filename, ...details },
		},
		tx,
	)
}

async function fail(audit: ImportAudit, r: { rows: number; bytes: number; errorCount: number; errors: ImportError[] }): Promise<ImportOutcome> {
	const { importId } = audit
	await db.delete(samples).where(eq(samples.importId, importId))
	await db.transaction(async (tx) => {
		await tx.update(imports).set({ status: 'failed', rowsRead: r.rows, bytesRead: r.bytes, errorCount: r.errorCount, errors: r.errors, finishedAt: new Date() }).where(eq(imports.id, importId))
		await auditImport(audit, 'import.failed', { rows: r.rows, errors: r.errorCount }, tx)
	})
	return { importId, status: 'failed', rows: r.rows, errorCount: r.errorCount, errors: r.errors }
}

/**
 * Imports whose process died (no heartbeat for STALE_AFTER_SECONDS) are marked failed, each with
 * an audit entry that has no actor (the page shows it as automatic). Returns their ids: their rows
 * are dropped next (dropImportedSamples), outside this transaction. (The job: app/jobs/import-reaper.server.ts.)
 */
export async function failStaleImports() {
	return db.transaction(async (tx) => {
		const reaped = await tx
			.update(imports)
			.set({ status: 'failed', errorCount: sql`${imports.errorCount} + 1`, errors: sql`${imports.errors} || '[{"line":0,"code":"interrupted"}]'::jsonb`, finishedAt: new Date() })
			.where(and(eq(imports.status, 'running'), lt(imports.heartbeatAt, sql`now() - make_interval(secs => ${STALE_AFTER_SECONDS})`)))
			.returning({ id: imports.id, versionId: imports.versionId, filename: imports.filename, rows: imports.rowsRead, errors: imports.errorCount })
		for (const r of reaped) {
			const [v] = await tx.select({ datasetId: versions.datasetId, label: versions.label }).from(versions).where(eq(versions.id, r.versionId))
			if (v)
				await auditImport(
					{ datasetId: v.datasetId, versionId: r.versionId, versionLabel: v.label, importId: r.id, filename: r.filename, actorId: null },
					'import.failed',
					{ rows: r.rows, errors: r.errors },
					tx,
				)
		}
		return reaped.map((r) => r.id)
	})
}

/**
 * Imports whose rows nobody can reach any more: neither running nor a version's current import
 * yet still holding samples (a sample set replaced by a newer import whose process died between
 * publishing and dropping it, or rows a dead process's COPY committed after its import was failed).
 */
export async function listUnreachableImports() {
	const rows = await db
		.select({ id: imports.id })
		.from(imports)
		.innerJoin(versions, eq(versions.id, imports.versionId))
		.where(and(ne(imports.status, 'running'), sql`${versions.currentImportId} is distinct from ${imports.id}`, sql`exists (select 1 from ${samples} where ${samples.importId} = ${imports.id})`))
	return rows.map((r) => r.id)
}

/** Drops the sample rows an import wrote. */
export async function dropImportedSamples(importId: string) {
	await db.delete(samples).where(eq(samples.importId, importId))
	dropFacetIndex(importId)
}

export async function getImport({ importId, versionId }: { importId: string; versionId: string }) {
	const [row] = await db
		.select({
			id: imports.id,
			status: imports.status,
			format: imports.format,
			filename: imports.filename,
			bytesTotal: imports.bytesTotal,
			bytesRead: imports.bytesRead,
			rowsRead: imports.rowsRead,
			errorCount: imports.errorCount,
			errors: imports.errors,
			startedAt: imports.startedAt,
			finishedAt: imports.finishedAt,
		})
		.from(imports)
		.where(and(eq(imports.id, importId), eq(imports.versionId, versionId)))
	return row ?? null
}

export async function listImports(versionId: string) {
	return db
		.select({
			id: imports.id,
			status: imports.status,
			filename: imports.filename,
			rowsRead: imports.rowsRead,
			errorCount: imports.errorCount,
			startedAt: imports.startedAt,
		})
		.from(imports)
		.where(and(eq(imports.versionId, versionId), ne(imports.status, 'running')))
		.orderBy(desc(imports.startedAt))
		.limit(20)
}

/** A file refused before parsing (e.g. not .jsonl, .csv or .parquet): recorded like any failed import so the result page explains it. */
export async function recordRejectedUpload(input: { versionId: string; filename: string; userId: string | null; code: ImportError['code']; params?: ImportError['params'] }): Promise<ImportOutcome> {
	const errors: ImportError[] = [{ line: 0, code: input.code, ...(input.params ? { params: input.params } : {}) }]
	const filename = input.filename.slice(0, 255)
	const row = await db.transaction(async (tx) => {
		const [row] = await tx
			.insert(imports)
			.values({ versionId: input.versionId, format: 'jsonl', filename, status: 'failed', errorCount: 1, errors, createdBy: input.userId, finishedAt: new Date() })
			.returning({ id: imports.id })
		const [v] = await tx.select({ datasetId: versions.datasetId, label: versions.label }).from(versions).where(eq(versions.id, input.versionId))
		if (v)
			await auditImport({ datasetId: v.datasetId, versionId: input.versionId, versionLabel: v.label, importId: row!.id, filename, actorId: input.userId }, 'import.failed', { rows: 0, errors: 1 }, tx)
		return row
	})
	return { importId: row!.id, status: 'failed', rows: 0, errorCount: 1, errors }
}
