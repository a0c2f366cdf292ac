// Sums the vitest and Playwright JSON reports of every CI pass into one plain closing line.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const dir = process.argv[2] ?? '.ci-out'
let passed = 0
let failed = 0
let skipped = 0
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
	const report = JSON.parse(readFileSync(path.join(dir, file), 'utf8'))
	if (file.startsWith('vitest')) {
		passed += report.numPassedTests
		failed += report.numFailedTests
		skipped += report.numPendingTests + (report.numTodoTests ?? 0)
	} else if (file.startsWith('playwright')) {
		passed += report.stats.expected
		failed += report.stats.unexpected + report.stats.flaky
		skipped += report.stats.skipped
	}
	console.log(`${file}: read`)
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 ? 1 : 0)
