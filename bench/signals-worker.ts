/**
 * One measured step of bench/signals.ts in its own process (so peak RSS is its own):
 * - `compute`: the signals job as the scheduler runs it — computeNextSignals() claims the oldest
 *   queued version, streams its samples in keyset batches through the accumulator and stores the
 *   result. Prints { versionId, status, seconds, peakRssBytes }.
 * - `page <versionId> <repeat>`: the Signals page loader's model calls for each computed attribute
 *   (getSignals, getSignalValues, getSignalFlagRates), once to warm then `repeat` times, interleaved.
 *   Prints { stats, attributes, values, terms }.
 */
import { computeNextSignals } from '#app/jobs/signals.server.ts'
import { getSignalFlagRates } from '#app/models/signal-flags.server.ts'
import { getSignals, getSignalValues } from '#app/models/signals.server.ts'
import { closeDb } from '#app/utils/db.server.ts'
import { capHeapGrowth } from '#app/utils/heap.server.ts'

// As the server's processes run (app/server/index.ts).
capHeapGrowth()

const [mode, versionArg, repeatArg] = process.argv.slice(2) as ['compute' | 'page', string | undefined, string | undefined]

if (mode === 'compute') {
	const started = performance.now()
	const outcome = await computeNextSignals()
	const seconds = (performance.now() - started) / 1000
	if (!outcome || outcome.status !== 'succeeded') throw new Error(`signals did not succeed: ${JSON.stringify(outcome)}`)
	await closeDb()
	console.log(JSON.stringify({ versionId: outcome.versionId, status: outcome.status, seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 }))
} else {
	const versionId = versionArg!
	const repeat = Number(repeatArg ?? 20)
	const { summary } = await getSignals(versionId)
	if (!summary) throw new Error('the version has no computed signals')
	const load = async (attribute: string) => {
		const started = performance.now()
		// What the loader awaits, in its order (app/routes/datasets+/$slug+/versions.$label+/signals.tsx).
		const { summary: s } = await getSignals(versionId)
		const chosen = s!.attributes.find((a) => a === attribute) ?? s!.attributes[0]!
		const values = await getSignalValues(versionId, chosen)
		if (values.length) await getSignalFlagRates(versionId, chosen, values)
		return { ms: performance.now() - started, values }
	}
	let values = 0
	let terms = 0
	for (const a of summary.attributes) {
		const { values: v } = await load(a)
		values += v.length
		terms += v.reduce((n, x) => n + x.terms.length, 0)
	}
	const times: number[] = []
	for (let i = 0; i < repeat; i++) for (const a of summary.attributes) times.push((await load(a)).ms)
	times.sort((a, b) => a - b)
	const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!
	await closeDb()
	console.log(JSON.stringify({ stats: { n: times.length, p50: at(0.5), p95: at(0.95), max: times.at(-1)! }, attributes: summary.attributes, skipped: summary.skipped, values, terms }))
}
