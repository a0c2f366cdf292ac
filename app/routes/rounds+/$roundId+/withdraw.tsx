import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { and, eq, isNull } from 'drizzle-orm'
import { useTranslation } from 'react-i18next'
import { Sentence } from '#app/components/bidi.tsx'
import { flags, reviews } from '#db/schema/reviews.ts'
import { assignments, participants } from '#db/schema/rounds.ts'
import { eraseParticipantComments } from '#app/models/comment.server.ts'
import { issuesOfFlags, reevaluate } from '#app/models/issue.server.ts'
import { rebalanceRound } from '#app/models/round.server.ts'
import { notifyTeamOfRound } from '#app/models/team-notify.server.ts'
import { db } from '#app/utils/db.server.ts'
import { requireParticipant } from '#app/utils/participant.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['rounds'], title: (t) => t('rounds:withdraw.title') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { round } = await requireParticipant(request, params.roundId, { consented: false })
	return { round: { id: round.id, title: round.title } }
}

/** Leaving a round: the person chooses whether what they said stays (anonymised) or goes. */
export async function action({ request, params }: ActionFunctionArgs) {
	const { round, participant } = await requireParticipant(request, params.roundId, { consented: false })
	const choice = (await request.formData()).get('feedback')
	if (choice !== 'keep' && choice !== 'delete') return { error: 'withdraw.choose' }
	await db.transaction(async (tx) => {
		await tx
			.update(participants)
			.set({ withdrawnAt: new Date(), keepFeedback: choice === 'keep', showName: false })
			.where(eq(participants.id, participant.id))
		// Unreviewed work goes back to the others; with "delete", everything they said goes too:
		// verdicts and flags, feedback on the generator, and the words of their comments.
		await tx.delete(assignments).where(and(eq(assignments.participantId, participant.id), choice === 'delete' ? undefined : isNull(assignments.completedAt)))
		if (choice === 'delete') {
			const touched = await issuesOfFlags(tx, eq(flags.participantId, participant.id))
			await tx.delete(reviews).where(eq(reviews.participantId, participant.id))
			await tx.delete(flags).where(eq(flags.participantId, participant.id))
			await eraseParticipantComments(participant.id, tx)
			await reevaluate(tx, touched)
		}
		await rebalanceRound(round.id, tx)
		await notifyTeamOfRound(tx, round.id, 'team_reviewer_withdrew')
	})
	throw redirect('/?withdrawn=1')
}

export default function Withdraw() {
	const { t } = useTranslation('rounds')
	const { round } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	return (
		<div className="mx-auto flex max-w-xl flex-col gap-4">
			<h1>
				<Sentence t={t} k="withdraw.heading" values={{ round: round.title }} />
			</h1>
			<p>{t('withdraw.intro')}</p>
			{actionData?.error ? (
				<p role="alert" className="alert-error">
					{t(actionData.error)}
				</p>
			) : null}
			<Form method="post" className="card flex flex-col gap-4">
				<fieldset className="flex flex-col gap-3">
					<legend className="font-semibold">{t('withdraw.question')}</legend>
					<div className="flex items-start gap-2">
						<input type="radio" id="keep" name="feedback" value="keep" className="mt-1" />
						<label htmlFor="keep">{t('withdraw.keep')}</label>
					</div>
					<div className="flex items-start gap-2">
						<input type="radio" id="delete" name="feedback" value="delete" className="mt-1" />
						<label htmlFor="delete">{t('withdraw.delete')}</label>
					</div>
				</fieldset>
				<button type="submit" className="btn self-start">
					{t('withdraw.submit')}
				</button>
			</Form>
		</div>
	)
}
