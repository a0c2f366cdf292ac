/**
 * What happens around a round beyond its own rows: emails and in-app notifications when it
 * opens or closes, and the claims behind a reminder 48 hours before it closes and closing when its
 * time is up (the job that runs them: app/jobs/round-deadlines.server.ts). Every claim is a single
 * UPDATE … RETURNING, so several app instances never send twice.
 */
import { and, eq, isNotNull, isNull, lte, gt, sql } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { assignments, participants, rounds } from '#db/schema/rounds.ts'
import { invitationEmail, roundClosedEmail, roundOpenedEmail } from '#app/emails/round-emails.server.ts'
import { db, query } from '#app/utils/db.server.ts'
import { sendEmail } from '#app/utils/email.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { fallbackLanguage, isSupportedLanguage, type Language } from '#app/utils/i18n.ts'
import { type InviteOutcome } from './invitation.server.ts'
import { notify } from './notification.server.ts'
import { getRoundWithDataset, rebalanceRound } from './round.server.ts'
import { notifyTeamOfRound } from './team-notify.server.ts'
import { emitRoundClosed } from './webhook.server.ts'

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

/** Consented, not withdrawn participants of a round (`onlyWithPendingWork`: with samples left to review). */
export async function activeParticipants(roundId: string, onlyWithPendingWork = false) {
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
	await notify(
		people.map((p) => p.user_id),
		'round_opened',
		{ round: round.title },
		`/rounds/${roundId}`,
	)
	for (const p of people) {
		await sendEmail({
			to: p.email,
			language: lang(p.language),
			kind: 'round_opened',
			recipientUserId: p.user_id,
			...roundOpenedEmail({ language: lang(p.language), roundTitle: round.title, datasetName: round.datasetName, link, closesAt: round.closesAt }),
		})
	}
}

export async function afterRoundClosed(roundId: string, origin: string) {
	const round = await getRoundWithDataset(roundId)
	if (!round) return
	const people = await activeParticipants(roundId)
	await notify(
		people.map((p) => p.user_id),
		'round_closed',
		{ round: round.title },
		`/rounds/${roundId}`,
	)
	for (const p of people) {
		await sendEmail({
			to: p.email,
			language: lang(p.language),
			kind: 'round_closed',
			recipientUserId: p.user_id,
			...roundClosedEmail({ language: lang(p.language), roundTitle: round.title, link: `${origin}/rounds/${roundId}` }),
		})
	}
}

/** Claims the open rounds that close within REMINDER_HOURS and were not yet reminded (one UPDATE: instances never remind twice). */
export async function claimRoundReminders(now: Date) {
	const soon = new Date(now.getTime() + REMINDER_HOURS * 3_600_000)
	return db
		.update(rounds)
		.set({ reminderSentAt: now })
		.where(and(eq(rounds.status, 'open'), isNull(rounds.reminderSentAt), isNotNull(rounds.closesAt), lte(rounds.closesAt, soon), gt(rounds.closesAt, now)))
		.returning({ id: rounds.id, title: rounds.title, closesAt: rounds.closesAt })
}

/** Closes the open rounds whose closing time has passed, with their webhook event and the team's notice (one transaction). */
export async function closeDueRounds(now: Date) {
	return db.transaction(async (tx) => {
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
}
