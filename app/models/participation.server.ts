import { and, eq, isNull } from 'drizzle-orm'
import { flags, reviews } from '#db/schema/reviews.ts'
import { assignments, participants } from '#db/schema/rounds.ts'
import { type ConsentChoices } from '#app/domain/participation.ts'
import { db } from '#app/utils/db.server.ts'
import { eraseParticipantComments } from './comment.server.ts'
import { issuesOfFlags, reevaluate } from './issue.server.ts'
import { rebalanceRound } from './round.server.ts'
import { notifyTeamOfRound } from './team-notify.server.ts'

/**
 * A participant's consent, or a change of the choices made with it. Consenting acknowledges the
 * round's content warning once; only those who ask are warned again on each sample.
 */
export async function recordConsent({
	round,
	participant,
	choices,
}: {
	round: { id: string; status: string; expertiseOptions: string[] }
	participant: { id: string; consentedAt: Date | null }
	choices: ConsentChoices
}) {
	// Expertise is the participant's own declaration, only from the round's list (or none).
	const expertise = round.expertiseOptions.includes(choices.expertise) ? choices.expertise : ''
	await db
		.update(participants)
		.set({ consentedAt: participant.consentedAt ?? new Date(), showName: choices.showName, warnEachTime: choices.warnEachTime, expertise })
		.where(and(eq(participants.id, participant.id), eq(participants.roundId, round.id)))
	// A late joiner takes a fair share of what is not yet reviewed.
	if (round.status === 'open') await rebalanceRound(round.id)
}

/**
 * Leaving a round. Unreviewed work goes back to the others; with `keepFeedback: false`, everything
 * the person said goes too: verdicts and flags, feedback on the generator, and the words of their comments.
 * False (nothing done) unless the person takes part in this round.
 */
export async function withdrawFromRound({ roundId, participantId, keepFeedback }: { roundId: string; participantId: string; keepFeedback: boolean }): Promise<boolean> {
	return db.transaction(async (tx) => {
		const left = await tx
			.update(participants)
			.set({ withdrawnAt: new Date(), keepFeedback, showName: false })
			.where(and(eq(participants.id, participantId), eq(participants.roundId, roundId)))
			.returning({ id: participants.id })
		if (!left.length) return false
		await tx.delete(assignments).where(and(eq(assignments.participantId, participantId), keepFeedback ? isNull(assignments.completedAt) : undefined))
		if (!keepFeedback) {
			const touched = await issuesOfFlags(tx, eq(flags.participantId, participantId))
			await tx.delete(reviews).where(eq(reviews.participantId, participantId))
			await tx.delete(flags).where(eq(flags.participantId, participantId))
			await eraseParticipantComments(participantId, tx)
			await reevaluate(tx, touched)
		}
		await rebalanceRound(roundId, tx)
		await notifyTeamOfRound(tx, roundId, 'team_reviewer_withdrew')
		return true
	})
}
