import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Sentence } from '#app/components/bidi.tsx'
import { WithdrawSchema } from '#app/domain/participation.ts'
import { withdrawFromRound } from '#app/models/participation.server.ts'
import { requireParticipant } from '#app/guards/participant.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { parseForm } from '#app/routes/__form.server.ts'

export const handle: RouteHandle = { i18n: ['rounds'], title: (t) => t('rounds:withdraw.title') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { round } = await requireParticipant(request, params.roundId, { consented: false })
	return { round: { id: round.id, title: round.title } }
}

/** Leaving a round: the person chooses whether what they said stays (anonymised) or goes. */
export async function action({ request, params }: ActionFunctionArgs) {
	const { round, participant } = await requireParticipant(request, params.roundId, { consented: false })
	const submission = parseForm(await request.formData(), WithdrawSchema)
	if (!submission.ok) return { error: 'withdraw.choose' }
	await withdrawFromRound({ roundId: round.id, participantId: participant.id, keepFeedback: submission.value.feedback === 'keep' })
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
