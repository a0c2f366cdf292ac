/**
 * The round deadlines job: a reminder to participants with work left 48 hours before a round
 * closes, closing rounds whose time is up (and telling their participants), and reminding
 * invitees halfway through an invitation's life. Each step works from a claim made with one
 * UPDATE … RETURNING (app/models/round-flow.server.ts, invitation.server.ts), so several app
 * instances never send twice. The scheduler runs it every minute.
 */
import { invitationEmail, roundReminderEmail } from '#app/emails/round-emails.server.ts'
import { sendEmail } from '#app/utils/email.server.ts'
import { fallbackLanguage, isSupportedLanguage, type Language } from '#app/utils/i18n.ts'
import { claimInvitationReminders } from '#app/models/invitation.server.ts'
import { notify } from '#app/models/notification.server.ts'
import { activeParticipants, afterRoundClosed, claimRoundReminders, closeDueRounds } from '#app/models/round-flow.server.ts'
import { getRoundWithDataset } from '#app/models/round.server.ts'

const lang = (l: string | null): Language => (isSupportedLanguage(l) ? l : fallbackLanguage)

/** One pass: reminders 48 h before close, then closing rounds whose time is up, then invitation reminders. */
export async function runDueRoundJobs(origin: string, now = new Date()) {
	const toRemind = await claimRoundReminders(now)
	for (const r of toRemind) {
		const people = await activeParticipants(r.id, true)
		await notify(
			people.map((p) => p.user_id),
			'round_reminder',
			{ round: r.title },
			`/rounds/${r.id}`,
		)
		for (const p of people) {
			const language = lang(p.language)
			await sendEmail({
				to: p.email,
				language,
				kind: 'round_reminder',
				recipientUserId: p.user_id,
				...roundReminderEmail({ language, roundTitle: r.title, remaining: p.remaining, link: `${origin}/rounds/${r.id}`, closesAt: r.closesAt! }),
			})
		}
	}
	const toClose = await closeDueRounds(now)
	for (const r of toClose) await afterRoundClosed(r.id, origin)
	const invitationsReminded = await remindInvitations(origin, now)
	return { reminded: toRemind.length, closed: toClose.length, invitationsReminded }
}

/**
 * Halfway through an invitation's life, those not yet accepted are reminded with a new link. The
 * email is not filed under the dataset: the team's outbox would show who was not reminded, that
 * is, who had joined (decision 027). Without SMTP it therefore waits undelivered.
 */
export async function remindInvitations(origin: string, now = new Date()) {
	const due = await claimInvitationReminders(now)
	for (const d of due) {
		const round = await getRoundWithDataset(d.roundId)
		if (!round) continue
		const language = lang(d.language)
		const content = invitationEmail({
			language,
			datasetName: round.datasetName,
			roundTitle: round.title,
			role: d.role,
			message: d.message || undefined,
			link: `${origin}/invitations/${d.token}`,
			expiresAt: d.expiresAt,
			inviterLabel: round.datasetName,
		})
		await sendEmail({ to: d.email, language, kind: 'invitation_reminder', ...content })
	}
	return due.length
}
