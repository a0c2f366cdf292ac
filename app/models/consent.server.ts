import { and, eq } from 'drizzle-orm'
import { participants } from '#db/schema/rounds.ts'
import { db } from '#app/utils/db.server.ts'
import { rebalanceRound } from './round.server.ts'

/**
 * A participant agrees to the round's terms. Consenting acknowledges the round's content warning
 * once; only those who ask are warned again on each sample. Expertise is the participant's own
 * declaration, kept only when it is one of the round's options. A late joiner of an open round
 * takes a fair share of what is not yet reviewed.
 */
export async function consentToRound(input: {
	round: { id: string; status: string; expertiseOptions: readonly string[] }
	participant: { id: string; consentedAt: Date | null }
	showName: boolean
	warnEachTime: boolean
	expertise: string
}) {
	const expertise = input.round.expertiseOptions.includes(input.expertise) ? input.expertise : ''
	await db
		.update(participants)
		.set({ consentedAt: input.participant.consentedAt ?? new Date(), showName: input.showName, warnEachTime: input.warnEachTime, expertise })
		.where(and(eq(participants.id, input.participant.id), eq(participants.roundId, input.round.id)))
	if (input.round.status === 'open') await rebalanceRound(input.round.id)
}
