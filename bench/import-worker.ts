/**
 * One measured import in its own process (so peak RSS is its own): `ours` streams the JSONL file
 * through the same runImport() the upload uses; `parquet` takes a Parquet file the way the API's
 * upload does (spooled to a temporary file, its footer checked, read a row group at a time into
 * runImport()); `copy` is the reference, a raw COPY of the same rows (pre-rendered, same columns)
 * into a scratch table shaped like `samples`; `read` only reads the Parquet file as the import
 * does, without a database.
 * Prints one JSON line: { mode, db, rows, seconds, rowsPerSecond, peakRssBytes }.
 */
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { users } from '#db/schema/accounts.ts'
import { createDataset } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { parquetAsJsonl, readParquetFooter, spoolParquet } from '#app/models/parquet-import.server.ts'
import { createVersion } from '#app/models/version.server.ts'
import { closeDb, db, migrate } from '#app/utils/db.server.ts'
import { importLimits } from '#app/utils/env.server.ts'
import { openRawCopy } from './raw-copy.ts'
import { emptyProvenance } from '#tests/version-fixtures.ts'
import { capHeapGrowth } from '#app/utils/heap.server.ts'

// As the server's processes run (app/server/index.ts).
capHeapGrowth()

const [mode, file, rowsArg] = process.argv.slice(2) as ['ours' | 'parquet' | 'copy' | 'read', string, string]
const rows = Number(rowsArg)

if (mode === 'read') {
	// The Parquet reader alone, no database: what reading the file a row group at a time costs.
	const started = performance.now()
	let bytes = 0
	for await (const chunk of parquetAsJsonl(file, await readParquetFooter(file))) bytes += chunk.byteLength
	const seconds = (performance.now() - started) / 1000
	console.log(JSON.stringify({ mode, rows, bytes, seconds, rowsPerSecond: rows / seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 }))
	process.exit(0)
}

await migrate()
let seconds: number
if (mode === 'ours' || mode === 'parquet') {
	const [owner] = await db
		.insert(users)
		.values({ email: `bench-${Date.now()}@example.org`, displayName: 'Bench', passwordHash: 'x' })
		.returning({ id: users.id })
	const dataset = await createDataset({ slug: `bench-${Date.now()}`, name: 'Bench', description: '', ownerId: owner!.id })
	const v = await createVersion({
		datasetId: dataset!.id,
		label: 'v1',
		parentLabel: null,
		userId: owner!.id,
		...emptyProvenance,
	})
	const started = performance.now()
	const body = createReadStream(file, { highWaterMark: 256 * 1024 })
	// As the API route does with a Parquet upload (app/routes/api+/v1.datasets.$dataset.versions.$version.samples.ts).
	const spooled = mode === 'parquet' ? await spoolParquet(body, importLimits().maxFileBytes) : null
	const source = spooled ? parquetAsJsonl(spooled.file, await readParquetFooter(spooled.file)) : body
	const outcome = await runImport({ versionId: v.version!.id, format: 'jsonl', filename: `bench.${mode === 'parquet' ? 'parquet' : 'jsonl'}`, userId: owner!.id, source }).finally(() =>
		spooled?.cleanup(),
	)
	seconds = (performance.now() - started) / 1000
	if (outcome.status !== 'succeeded' || outcome.rows !== rows) throw new Error(`import failed: ${JSON.stringify(outcome).slice(0, 500)}`)
	await closeDb()
} else {
	await closeDb()
	const copier = await openRawCopy(file, () => readFile(file))
	const started = performance.now()
	const copied = await copier.copy()
	seconds = (performance.now() - started) / 1000
	await copier.close()
	if (copied !== rows) throw new Error(`copy wrote ${copied} rows, expected ${rows}`)
}
console.log(JSON.stringify({ mode, rows, seconds, rowsPerSecond: rows / seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 }))
