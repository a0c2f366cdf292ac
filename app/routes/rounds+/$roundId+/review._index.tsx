import { type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Sentence } from '#app/components/bidi.tsx'
import { nextPending } from '#app/models/review.server.ts'
import { getProgress } from '#app/models/round.server.ts'
import { requireParticipant } from '#app/guards/participant.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['review', 'rounds'], title: (t) => t('review:done.title') }

/** Start reviewing: the next sample still waiting for a verdict, or "all done". */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { round, participant } = await requireParticipant(request, params.roundId)
	const next = await nextPending(participant.id)
	if (next && round.status === 'open') throw redirect(`/rounds/${round.id}/review/${encodeURIComponent(next)}`)
	const { done, total } = await getProgress(participant.id)
	return { round: { id: round.id, title: round.title, status: round.status }, done, total }
}

export default function ReviewDone() {
	const { t } = useTranslation('review')
	const { round, done, total } = useLoaderData<typeof loader>()
	return (
		<div className="card mx-auto flex max-w-xl flex-col gap-3">
			<h1>{round.status === 'open' ? t('done.heading') : t('done.closed')}</h1>
			<p role="status">{t('done.progress', { done, total })}</p>
			<p>
				<Link to={`/rounds/${round.id}`}>
					<Sentence t={t} k="done.back" values={{ round: round.title }} />
				</Link>
			</p>
		</div>
	)
}
