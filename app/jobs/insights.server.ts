/**
 * The insights job (issue #27, decision 057): every INSIGHTS_REFRESH_SECONDS it counts the units
 * marked since its last pass into the dashboard's kept figures, so they lag the verdicts by about
 * that much. A pass already running in this process is not doubled; across processes the upkeep's
 * advisory lock lets one count at a time.
 */
import { refreshInsightFigures } from '#app/models/insight-upkeep.server.ts'

let running = false

/** At most `maxBatches` batches a pass, so one pass after a large backlog (a migration, a rebuild) gives way to the next tick. */
export async function keepInsightFigures({ maxBatches = 20 }: { maxBatches?: number } = {}) {
	if (running) return { units: 0 }
	running = true
	try {
		return await refreshInsightFigures({ maxBatches })
	} finally {
		running = false
	}
}
