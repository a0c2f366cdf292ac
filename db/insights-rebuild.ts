// `npm run insights:rebuild`: recounts the insights dashboard's kept figures from the raw reviews and
// flags, then checks them against a recount of every figure and reports any drift (decision 057).
// `npm run insights:rebuild -- --check`: only counts what is waiting and checks; exits 1 on drift.
// Run it on a quiet database: verdicts given while it checks read as drift (run it again to confirm).
import { checkInsightFigures } from '#app/models/insight-check.server.ts'
import { refreshInsightFigures, resetInsightFigures } from '#app/models/insight-upkeep.server.ts'
import { closeDb, migrate } from '#app/utils/db.server.ts'

const checkOnly = process.argv.includes('--check')
try {
	await migrate()
	const started = performance.now()
	if (!checkOnly) await resetInsightFigures()
	const { units } = await refreshInsightFigures()
	console.log(`${checkOnly ? 'Counted' : 'Rebuilt from'} ${units} units (a sample in a round) in ${((performance.now() - started) / 1000).toFixed(1)} s.`)
	const { scopes, drift } = await checkInsightFigures()
	for (const d of drift) {
		console.log(`drift: version ${d.versionId}${d.roundId ? `, round ${d.roundId}` : ''}, ${d.figure}`)
		console.log(`  kept:       ${JSON.stringify(d.kept)}`)
		console.log(`  recounted:  ${JSON.stringify(d.recounted)}`)
	}
	console.log(drift.length ? `${drift.length} figures drifted, in ${scopes} scopes.` : `No drift: every figure of ${scopes} scopes (versions and rounds) equals its recount.`)
	if (drift.length) process.exitCode = 1
} catch (error) {
	console.error((error as Error).message)
	process.exitCode = 1
} finally {
	await closeDb()
}
