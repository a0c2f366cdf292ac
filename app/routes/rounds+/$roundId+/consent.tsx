import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Sentence } from '#app/components/bidi.tsx'
import { ConsentSchema } from '#app/domain/participation.ts'
import { recordConsent } from '#app/models/participation.server.ts'
import { groupSizeFor } from '#app/models/round.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { requireParticipant } from '#app/guards/participant.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { parseForm } from '#app/routes/__form.server.ts'

export const handle: RouteHandle = { i18n: ['rounds'], title: (t) => t('rounds:consent.title') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { round, participant } = await requireParticipant(request, params.roundId, { consented: false })
	return {
		round: { id: round.id, title: round.title, datasetName: round.datasetName, stage: round.stage, contentWarning: round.contentWarning, expertiseOptions: round.expertiseOptions },
		participant: { role: participant.role, consented: !!participant.consentedAt, showName: participant.showName, warnEachTime: participant.warnEachTime, expertise: participant.expertise },
		// So the participant can judge their cover before taking part (decision 027).
		others: await groupSizeFor({ roundId: round.id, role: participant.role, participantId: participant.id }),
		min: getEnv().PSEUDONYMITY_MIN_GROUP,
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { round, participant } = await requireParticipant(request, params.roundId, { consented: false })
	const submission = parseForm(await request.formData(), ConsentSchema)
	if (!submission.ok) return { error: 'consent.mustAgree' }
	await recordConsent({ round, participant, choices: submission.value })
	throw redirect(`/rounds/${round.id}`)
}

export default function Consent() {
	const { t } = useTranslation('rounds')
	const { round, participant, others, min } = useLoaderData<typeof loader>()
	return (
		<div className="mx-auto flex max-w-2xl flex-col gap-5">
			<h1>
				<Sentence t={t} k="consent.heading" values={{ round: round.title }} />
			</h1>
			<section aria-labelledby="what-heading" className="card flex flex-col gap-2">
				<h2 id="what-heading">{t('consent.whatTitle')}</h2>
				<p>
					<Sentence t={t} k={round.stage === 'generation' ? 'consent.whatGeneration' : 'consent.whatValidation'} values={{ dataset: round.datasetName }} />
				</p>
			</section>
			<section aria-labelledby="use-heading" className="card flex flex-col gap-2">
				<h2 id="use-heading">{t('consent.useTitle')}</h2>
				<p>{t('consent.useBody')}</p>
			</section>
			<section aria-labelledby="pseudonym-heading" className="card flex flex-col gap-2">
				<h2 id="pseudonym-heading">{t('consent.pseudonymTitle')}</h2>
				<p>{t(participant.role === 'expert' ? 'consent.pseudonymExpert' : 'consent.pseudonymCommunity')}</p>
				<p>{t('consent.guarantee', { min })}</p>
				<p className="font-medium">{t(`consent.groupSize.${participant.role}`, { n: others, min })}</p>
				<p className="text-sm text-slate-700">{t('consent.guaranteeLimits')}</p>
			</section>
			{round.contentWarning ? (
				<section aria-labelledby="warning-heading" className="rounded-lg border border-amber-300 bg-amber-50 p-6">
					<h2 id="warning-heading">{t('consent.warningTitle')}</h2>
					<p dir="auto" className="mt-2 whitespace-pre-wrap">
						{round.contentWarning}
					</p>
					<p className="mt-3">{t('consent.warningAck')}</p>
					<div className="mt-3 flex items-start gap-2">
						<input id="warnEachTime" name="warnEachTime" type="checkbox" form="consent-form" defaultChecked={participant.warnEachTime} className="mt-1 size-4" aria-describedby="warnEachTime-hint" />
						<div>
							<label htmlFor="warnEachTime" className="font-medium">
								{t('consent.warnEachTime')}
							</label>
							<p id="warnEachTime-hint" className="text-sm text-slate-700">
								{t('consent.warnEachTimeHint')}
							</p>
						</div>
					</div>
				</section>
			) : null}
			<section aria-labelledby="withdraw-heading" className="card flex flex-col gap-2">
				<h2 id="withdraw-heading">{t('consent.withdrawTitle')}</h2>
				<p>{t('consent.withdrawBody')}</p>
			</section>
			<Form method="post" id="consent-form" className="card flex flex-col gap-4">
				{round.expertiseOptions.length ? (
					<div>
						<label htmlFor="expertise" className="label">
							{t('consent.expertise')}
						</label>
						<select id="expertise" name="expertise" className="input" defaultValue={participant.expertise} aria-describedby="expertise-hint">
							<option value="">{t('consent.expertiseNone')}</option>
							{round.expertiseOptions.map((e) => (
								<option key={e} value={e} dir="auto">
									{e}
								</option>
							))}
						</select>
						<p id="expertise-hint" className="mt-1 text-sm text-slate-700">
							{t('consent.expertiseHint', { min })}
						</p>
					</div>
				) : null}
				<div className="flex items-start gap-2">
					<input id="showName" name="showName" type="checkbox" defaultChecked={participant.showName} className="mt-1 size-4" aria-describedby="showName-hint" />
					<div>
						<label htmlFor="showName" className="font-medium">
							{t('consent.showName')}
						</label>
						<p id="showName-hint" className="text-sm text-slate-700">
							{t('consent.showNameHint')}
						</p>
					</div>
				</div>
				<button type="submit" name="agree" value="yes" className="btn btn-primary self-start">
					{participant.consented ? t('consent.save') : t('consent.agree')}
				</button>
			</Form>
		</div>
	)
}
