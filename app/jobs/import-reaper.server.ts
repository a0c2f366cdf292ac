/**
 * Import reaping: uploads whose process died (no heartbeat for 2 minutes) are marked failed and
 * their rows dropped; so are rows left under any other import that is neither running nor a
 * version's current one; and Parquet uploads left waiting a day for their column mapping. Run at
 * start-up and by the scheduler, not by whoever next opens a page (a GET never writes).
 */
import { dropImportedSamples, failStaleImports, listUnreachableImports } from '#app/models/import.server.ts'
import { reapStagedUploads } from '#app/models/parquet-mapping.server.ts'

/** Returns how many running imports were failed. */
export async function reapStaleImports() {
	const stale = await failStaleImports()
	for (const id of stale) await dropImportedSamples(id)
	for (const id of await listUnreachableImports()) await dropImportedSamples(id)
	// Parquet files staged for a column mapping that never came (decision 047).
	await reapStagedUploads()
	return stale.length
}
