/**
 * The scheduler: every SCHEDULER_INTERVAL_SECONDS (a minute by default) it runs each job in turn,
 * in this process. Safe with several instances: every job claims its work with one UPDATE …
 * RETURNING (SKIP LOCKED where rows are queued), so no two instances do the same piece. In a
 * cluster only the worker that migrated the database runs it (app/server/cluster.ts).
 */
import { getEnv } from '#app/utils/env.server.ts'
import { remindUntriagedBlockers } from '#app/models/feedback.server.ts'
import { notifyCoveredRounds } from '#app/models/team-notify.server.ts'
import { reapStaleImports } from './import-reaper.server.ts'
import { sendPendingNotificationEmails } from './notification-emails.server.ts'
import { runDueRoundJobs } from './round-deadlines.server.ts'
import { computePendingSignals } from './signals.server.ts'
import { buildPendingSimilarity } from './similar.server.ts'
import { deliverDueWebhooks } from './webhook-delivery.server.ts'
import { keepInsightFigures } from './insights.server.ts'

let timer: ReturnType<typeof setInterval> | undefined
let insightsTimer: ReturnType<typeof setInterval> | undefined

export function startScheduler() {
	const env = getEnv()
	const origin = env.APP_URL ? new URL(env.APP_URL).origin : `http://localhost:${env.PORT}`
	const tick = async () => {
		await runDueRoundJobs(origin).catch((error: Error) => console.error(`round jobs: ${error.message}`))
		// Closing the loop: issue updates by email, reminders about untriaged blockers.
		await remindUntriagedBlockers().catch((error: Error) => console.error(`issue reminders: ${error.message}`))
		await notifyCoveredRounds().catch((error: Error) => console.error(`coverage notices: ${error.message}`))
		await sendPendingNotificationEmails(origin).catch((error: Error) => console.error(`notification emails: ${error.message}`))
		await deliverDueWebhooks().catch((error: Error) => console.error(`webhooks: ${error.message}`))
		// Uploads whose process died are failed here, not by whoever next opens a page (a GET never writes).
		await reapStaleImports().catch((error: Error) => console.error(`stale imports: ${error.message}`))
		// Last: a large version's signals take minutes, and the jobs above should not wait for them.
		await computePendingSignals().catch((error: Error) => console.error(`signals: ${error.message}`))
		await buildPendingSimilarity().catch((error: Error) => console.error(`similar samples: ${error.message}`))
	}
	timer = setInterval(tick, env.SCHEDULER_INTERVAL_SECONDS * 1000)
	timer.unref()
	void tick()
	// The dashboard's figures on a short timer of their own (decision 057): a pass with nothing to count is one query.
	insightsTimer = setInterval(() => void keepInsightFigures().catch((error: Error) => console.error(`insight figures: ${error.message}`)), env.INSIGHTS_REFRESH_SECONDS * 1000)
	insightsTimer.unref()
}

export function stopScheduler() {
	clearInterval(timer)
	clearInterval(insightsTimer)
}
