/**
 * The notification email job (decision 011): emails the notifications waiting for it, one email
 * per person per pass listing every update, from the queue in app/models/feedback.server.ts. A
 * failed delivery is retried on the webhooks' schedule and given up after the last attempt; a
 * claim left unfinished for its lease (a killed instance) is claimed again. The scheduler runs it
 * every minute. Never sent inside a request.
 */
import { blockersReminderEmail, feedbackUpdatesEmail, teamDigestEmail } from '#app/emails/feedback-emails.server.ts'
import { sendEmail, type EmailStatus } from '#app/utils/email.server.ts'
import { fallbackLanguage, isSupportedLanguage, type Language } from '#app/utils/i18n.ts'
import {
	type ClaimedNotification,
	claimNotificationEmails,
	markNotificationEmailsSent,
	markTeamDigestSent,
	NOTIFICATION_EMAIL_LEASE_MS,
	releaseNotificationClaims,
	retryNotificationEmails,
} from '#app/models/feedback.server.ts'
import { isTeamNotice, urgentTeamNotices } from '#app/models/team-notify.server.ts'

const lang = (l: string | null): Language => (isSupportedLanguage(l) ? l : fallbackLanguage)

/**
 * One pass. `budgetMs`: persons not reached by then are handed back unattempted, so a pass slowed
 * by an unreachable server never outlives its lease and lets another instance send the same rows.
 */
export async function sendPendingNotificationEmails(origin: string, limit = 200, budgetMs = NOTIFICATION_EMAIL_LEASE_MS / 2) {
	const deadline = Date.now() + budgetMs
	const claimed = await claimNotificationEmails(limit)
	const byUser = new Map<string, { email: string; language: Language; items: Array<{ kind: string; params: Record<string, string | number>; row: ClaimedNotification }> }>()
	for (const row of claimed) {
		const params = typeof row.params === 'string' ? (JSON.parse(row.params) as Record<string, string | number>) : row.params
		const entry = byUser.get(row.user_id) ?? { email: row.email, language: lang(row.language), items: [] }
		entry.items.push({ kind: row.kind, params, row })
		byUser.set(row.user_id, entry)
	}
	let emails = 0
	let delivered = 0
	let attempted = false
	for (const [userId, entry] of byUser) {
		if (attempted && Date.now() >= deadline) {
			await releaseNotificationClaims(entry.items.map((i) => i.row))
			continue
		}
		attempted = true
		// A team member may also take part in another dataset's round: reminders and feedback updates go separately.
		const team = entry.items.filter((i) => i.kind === 'blockers_untriaged')
		const notices = entry.items.filter((i) => isTeamNotice(i.kind))
		const feedback = entry.items.filter((i) => i.kind !== 'blockers_untriaged' && !isTeamNotice(i.kind))
		// Only an email that carried digest notices starts the person's next digest interval.
		const digest = notices.some((i) => !(urgentTeamNotices as readonly string[]).includes(i.kind))
		const parts = [
			...(team.length ? [{ kind: 'blockers_reminder', items: team, render: () => blockersReminderEmail({ language: entry.language, items: team, origin }) }] : []),
			...(notices.length
				? [{ kind: digest ? 'team_digest' : 'team_alert', items: notices, render: () => teamDigestEmail({ language: entry.language, items: notices, origin, urgent: !digest }) }]
				: []),
			...(feedback.length ? [{ kind: 'feedback_updates', items: feedback, render: () => feedbackUpdatesEmail({ language: entry.language, items: feedback, link: `${origin}/feedback` }) }] : []),
		]
		for (const { kind, items, render } of parts) {
			let status: EmailStatus
			try {
				// Not filed under a dataset: the team must not learn who is behind a pseudonym from its outbox.
				status = (await sendEmail({ to: entry.email, language: entry.language, kind, recipientUserId: userId, ...render() })).status
			} catch (error) {
				console.error(`notification email ${kind}: ${(error as Error).message}`)
				status = 'failed'
			}
			const rows = items.map((i) => i.row)
			// 'outbox' (no SMTP_URL) is final too: there is nothing to retry against.
			if (status !== 'failed') {
				emails++
				delivered += await markNotificationEmailsSent(rows)
				if (kind === 'team_digest') await markTeamDigestSent(userId)
			} else {
				await retryNotificationEmails(rows)
			}
		}
	}
	return { emails, notifications: delivered }
}
