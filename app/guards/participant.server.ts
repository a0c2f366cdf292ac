import { redirect } from '@remix-run/node'
import { getParticipant, getRoundWithDataset } from '#app/models/round.server.ts'
import { requireUser } from '#app/utils/auth.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'

/**
 * Guard for participant pages: the signed-in user must take part in this round. Anyone else —
 * including participants of other rounds and the dataset team — gets 404.
 */
export async function requireParticipant(request: Request, roundId: string | undefined, { consented = true } = {}) {
	const user = await requireUser(request)
	const valid = !!roundId && /^[0-9a-f-]{36}$/i.test(roundId)
	const participant = valid ? await getParticipant({ roundId: roundId!, userId: user.id }) : null
	invariantResponse(participant && !participant.withdrawnAt, 'Not found', { status: 404 })
	const round = await getRoundWithDataset(roundId!)
	invariantResponse(round, 'Not found', { status: 404 })
	if (consented && !participant.consentedAt) throw redirect(`/rounds/${roundId}/consent`)
	return { user, participant, round }
}
