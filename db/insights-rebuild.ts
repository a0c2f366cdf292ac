// `npm run insights:rebuild`: recomputes the insights dashboard's maintained figures from the raw
// reviews, flags and round samples and reports any drift (decision 050).
//   npm run insights:rebuild                  repair every version, print what was wrong
//   npm run insights:rebuild -- --check       change nothing; exit 1 if anything drifted
//   … --version <uuid> (repeatable)           only these versions
import { parseArgs } from 'node:util'
import { describeDrift, hasDrift, rebuildInsights } from '#app/models/insights-rebuild.server.ts'
import { closeDb, migrate } from '#app/utils/db.server.ts'

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, version: { type: 'string', multiple: true } } })
try {
	await migrate()
	const started = performance.now()
	const drift = await rebuildInsights({ repair: !values.check, versionIds: values.version })
	const seconds = ((performance.now() - started) / 1000).toFixed(1)
	console.log(describeDrift(drift))
	if (values.check) {
		console.log(hasDrift(drift) ? `Drift found (checked in ${seconds} s); run npm run insights:rebuild to repair.` : `No drift (checked in ${seconds} s).`)
		if (hasDrift(drift)) process.exitCode = 1
	} else {
		console.log(hasDrift(drift) ? `Repaired in ${seconds} s.` : `Nothing to repair (${seconds} s).`)
	}
} catch (error) {
	console.error((error as Error).message)
	process.exitCode = 2
} finally {
	await closeDb()
}
