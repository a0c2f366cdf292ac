/**
 * `npm run bench`: every benchmark in turn, each printing its own figures and the ratios it
 * measures side by side (see docs/benchmarks.md for the recorded results and how to read them).
 */
import { spawnSync } from 'node:child_process'

const scripts = ['bench:import', 'bench:review', 'bench:triage', 'bench:js']
const failed: string[] = []
for (const script of scripts) {
	console.log(`\n=== npm run ${script}\n`)
	const run = spawnSync('npm', ['run', '--silent', script], { stdio: 'inherit' })
	if (run.status !== 0) failed.push(script)
}
if (failed.length) {
	console.error(`\nFailed: ${failed.join(', ')}`)
	process.exit(1)
}
