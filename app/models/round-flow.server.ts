/**
 * What happens around a round beyond its own rows: emails and in-app notifications when it
 * opens, a reminder 48 hours before it closes, closing when its time is up. Every step claims its
 * work with a single UPDATE … RETURNING, so several app instances never send twice.
 */
import { and, eq, isNotNull, isNull, lte, gt, sql } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { assignments, participants, rounds } from '#db/schema/rounds.ts'
import { invitationEmail, roundClosedEmail, roundOpenedEmail, roundReminderEmail } from '#app/emails/round-emails.server.ts'
import { db, query } from '#app/utils/db.server.ts'
import { sendEmail } from '#app/utils/email.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { fallbackLanguage, isSupportedLanguage, type Language } from '#app/utils/i18n.ts'
import { claimInvitationReminders, type InviteOutcome } from './invitation.server.ts'
import { remindUntriagedBlockers, sendPendingNotificationEmails } from './feedback.server.ts'
import { reapStaleImports } from './import.server.ts'
import { notify } from './notification.server.ts'
import { getRoundWithDataset, rebalanceRound } from './round.server.ts'
import { notifyCoveredRounds, notifyTeamOfRound } from './team-notify.server.ts'
import { deliverDueWebhooks, emitRoundClosed } from './webhook.server.ts'

const REMINDER_HOURS = 48

export async function emailInvitations(input: {
	outcomes: InviteOutcome[]
	round: { id: string; title: string; datasetId: string; datasetName: string }
	role: 'community' | 'expert'
	/** A line's own role ("ana@example.org, expert") wins over the form's default `role`. */
	roleByEmail?: Map<string, 'community' | 'expert'>
	message: string
	origin: string
}) {
	for (const o of input.outcomes) {
		if (!o.token || !o.language) continue
		const content = invitationEmail({
			language: o.language,
			datasetName: input.round.datasetName,
			roundTitle: input.round.title,
			role: input.roleByEmail?.get(o.email) ?? input.role,
			message: input.message || undefined,
			link: `${input.origin}/invitations/${o.token}`,
			expiresAt: new Date(Date.now() + getEnv().INVITATION_TTL_DAYS * 86_400_000),
		})
		await sendEmail({ to: o.email, language: o.language, kind: 'invitation', datasetId: input.round.datasetId, ...content })
	}
}

async function activeParticipants(roundId: string, onlyWithPendingWork = false) {
	return query<{ user_id: string; email: string; language: string | null; remaining: number }>(sql`
		select p.user_id, u.email, u.preferred_language as language,
			(select count(*)::int from ${assignments} a where a.participant_id = p.id and a.completed_at is null) as remaining
		from ${participants} p join ${users} u on u.id = p.user_id
		where p.round_id = ${roundId} and p.consented_at is not null and p.withdrawn_at is null
		${onlyWithPendingWork ? sql`and exists (select 1 from ${assignments} a where a.participant_id = p.id and a.completed_at is null)` : sql``}`)
}

const lang = (l: string | null): Language => (isSupportedLanguage(l) ? l : fallbackLanguage)

export async function afterRoundOpened(roundId: string, origin: string) {
	await rebalanceRound(roundId)
	const round = await getRoundWithDataset(roundId)
	if (!round) return
	const link = `${origin}/rounds/${roundId}`
	const people = await activeParticipants(roundId)
	await notify(people.map((p) => p.user_id), 'round_opened', { round: round.title }, `/rounds/${roundId}`)
	for (const p of people) {
		await sendEmail({ to: p.email, language: lang(p.language), kind: 'round_opened', recipientUserId: p.user_id, ...roundOpenedEmail({ language: lang(p.language), roundTitle: round.title, datasetName: round.datasetName, link, closesAt: round.closesAt }) })
	}
}

export async function afterRoundClosed(roundId: string, origin: string) {
	const round = await getRoundWithDataset(roundId)
	if (!round) return
	const people = await activeParticipants(roundId)
	await notify(people.map((p) => p.user_id), 'round_closed', { round: round.title }, `/rounds/${roundId}`)
	for (const p of people) {
		await sendEmail({ to: p.email, language: lang(p.language), kind: 'round_closed', recipientUserId: p.user_id, ...roundClosedEmail({ language: lang(p.language), roundTitle: round.title, link: `${origin}/rounds/${roundId}` }) })
	}
}

/** One pass of the scheduler: reminders 48 h before close, then closing rounds whose time is up. */
export async function runDueRoundJobs(origin: string, now = new Date()) {
	const soon = new Date(now.getTime() + REMINDER_HOURS * 3_600_000)
	const toRemind = await db
		.update(rounds)
		.set({ reminderSentAt: now })
		.where(and(eq(rounds.status, 'open'), isNull(rounds.reminderSentAt), isNotNull(rounds.closesAt), lte(rounds.closesAt, soon), gt(rounds.closesAt, now)))
		.returning({ id: rounds.id, title: rounds.title, closesAt: rounds.closesAt })
	for (const r of toRemind) {
		const people = await activeParticipants(r.id, true)
		await notify(people.map((p) => p.user_id), 'round_reminder', { round: r.title }, `/rounds/${r.id}`)
		for (const p of people) {
			const language = lang(p.language)
			await sendEmail({ to: p.email, language, kind: 'round_reminder', recipientUserId: p.user_id, ...roundReminderEmail({ language, roundTitle: r.title, remaining: p.remaining, link: `${origin}/rounds/${r.id}`, closesAt: r.closesAt! }) })
		}
	}
	const toClose = await db.transaction(async (tx) => {
		const closed = await tx
			.update(rounds)
			.set({ status: 'closed', closedAt: now, revision: sql`${rounds.revision} + 1` })
			.where(and(eq(rounds.status, 'open'), isNotNull(rounds.closesAt), lte(rounds.closesAt, now)))
			.returning({ id: rounds.id })
		for (const r of closed) {
			await emitRoundClosed(tx, r.id)
			await notifyTeamOfRound(tx, r.id, 'team_round_closed')
		}
		return closed
	})
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

let timer: ReturnType<typeof setInterval> | undefined

/** Runs the round and issue jobs every minute (SCHEDULER_INTERVAL_SECONDS) in this process (safe with several instances: see above). */
export function startRoundScheduler() {
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
	}
	timer = setInterval(tick, env.SCHEDULER_INTERVAL_SECONDS * 1000)
	timer.unref()
	void tick()
}

export function stopRoundScheduler() {
	clearInterval(timer)
}
