import { type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { DateTime } from '#app/components/date-time.tsx'
import { Sentence } from '#app/components/bidi.tsx'
import { Markdown } from '#app/components/markdown.tsx'
import { nextPending, skippedSamples } from '#app/models/review.server.ts'
import { getQueue } from '#app/models/round.server.ts'
import { listUseCases } from '#app/models/use-case.server.ts'
import { directionOf } from '#app/utils/i18n.ts'
import { requireParticipant } from '#app/guards/participant.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['rounds', 'datasets'], title: (t, data) => (data as { round?: { title: string } } | undefined)?.round?.title ?? t('rounds:home.title') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { round, participant } = await requireParticipant(request, params.roundId)
	const [queue, useCases, skipped, next] = await Promise.all([getQueue(participant.id), listUseCases(round.datasetId), skippedSamples(participant.id), nextPending(participant.id)])
	return {
		round: {
			id: round.id,
			title: round.title,
			status: round.status,
			stage: round.stage,
			guidelines: round.guidelines,
			datasetName: round.datasetName,
			closesAt: round.closesAt?.toISOString() ?? null,
			closedAt: round.closedAt?.toISOString() ?? null,
			// Generation-stage rounds also show what steers the generator.
			promptTemplates: round.stage === 'generation' ? round.promptTemplates : null,
			personaDefinitions: round.stage === 'generation' ? round.personaDefinitions : null,
		},
		useCases: useCases.map(({ id, title, purpose, modelUsers, deploymentContext, pipelineStage }) => ({ id, title, purpose, modelUsers, deploymentContext, pipelineStage })),
		progress: { done: queue.done, total: queue.total },
		// "Continue where you left off": the first sample still waiting; and the ones skipped, to return to.
		next,
		skipped,
		hasWarning: !!round.contentWarning,
		queue: queue.queue,
	}
}

export default function RoundHome() {
	const { t } = useTranslation(['rounds', 'datasets'])
	const { round, useCases, progress, queue, next, skipped, hasWarning } = useLoaderData<typeof loader>()
	return (
		<div className="flex flex-col gap-6">
			<div className="flex flex-col gap-1">
				<p className="text-sm text-slate-700" dir="auto">
					{round.datasetName}
				</p>
				<h1 dir="auto">{round.title}</h1>
				<p className="text-sm">
					{t(`status.${round.status}`)}
					{round.status === 'closed' && round.closedAt ? (
						<>
							{' · '}
							{t('home.closedOn')} <DateTime value={round.closedAt} />
						</>
					) : round.closesAt ? (
						<>
							{' · '}
							{t('home.closes')} <DateTime value={round.closesAt} />
						</>
					) : null}
				</p>
			</div>
			<section aria-labelledby="progress-heading" className="card flex flex-col gap-2">
				<h2 id="progress-heading">{t('home.progressTitle')}</h2>
				<p>{t('home.progress', { done: progress.done, total: progress.total })}</p>
				<progress max={Math.max(progress.total, 1)} value={progress.done} aria-labelledby="progress-heading" className="w-full" />
				{round.status === 'open' && next ? (
					<>
						<Link to={`/rounds/${round.id}/review/${encodeURIComponent(next)}`} className="btn btn-primary self-start">
							{progress.done ? t('home.resume') : t('home.start')}
						</Link>
						{progress.done ? (
							<p className="text-sm text-slate-700">
								<Sentence t={t} k="home.resumeHint" values={{ sample: next }} />
							</p>
						) : null}
					</>
				) : null}
				{skipped.count ? (
					<div className="flex flex-wrap items-baseline gap-3">
						<p>{t('home.skippedCount', { count: skipped.count })}</p>
						{round.status === 'open' && skipped.first ? <Link to={`/rounds/${round.id}/review/${encodeURIComponent(skipped.first)}`}>{t('home.returnToSkipped')}</Link> : null}
					</div>
				) : null}
				{hasWarning ? (
					<p className="text-sm">
						<Link to={`/rounds/${round.id}/consent`}>{t('home.warningSetting')}</Link>
					</p>
				) : null}
			</section>
			{round.guidelines ? (
				<section aria-labelledby="guidelines-heading" className="card">
					<h2 id="guidelines-heading">{t('home.guidelines')}</h2>
					<div className="mt-2">
						<Markdown>{round.guidelines}</Markdown>
					</div>
				</section>
			) : null}
			{useCases.length ? (
				<section aria-labelledby="usecases-heading" className="flex flex-col gap-2">
					<h2 id="usecases-heading">{t('home.useCases')}</h2>
					<ul className="flex flex-col gap-2">
						{useCases.map((u) => (
							<li key={u.id} className="card p-4">
								<h3 className="font-semibold" dir="auto">
									{u.title}
								</h3>
								<p className="text-sm text-slate-700">{t(`datasets:pipelineStage.${u.pipelineStage}`)}</p>
								{u.purpose ? <p dir="auto">{u.purpose}</p> : null}
								{u.modelUsers ? (
									<p dir="auto" className="text-sm">
										{t('datasets:fields.modelUsers')}: {u.modelUsers}
									</p>
								) : null}
								<Link to={`/rounds/${round.id}/use-cases/${u.id}`} className="mt-2 inline-block text-sm">
									<Sentence t={t} k="home.discuss" values={{ title: u.title }} />
								</Link>
							</li>
						))}
					</ul>
				</section>
			) : null}
			{round.promptTemplates || round.personaDefinitions ? (
				<section aria-labelledby="generator-heading" className="card flex flex-col gap-3">
					<h2 id="generator-heading">{t('home.generator')}</h2>
					{round.status === 'open' ? (
						<Link to={`/rounds/${round.id}/templates`} className="btn self-start">
							{t('home.templateFeedback')}
						</Link>
					) : null}
					{round.promptTemplates ? (
						<div>
							<h3 className="font-semibold">{t('datasets:provenance.promptTemplates')}</h3>
							<pre dir="auto" className="mt-1 whitespace-pre-wrap break-words rounded bg-slate-100 p-3 text-sm">
								{round.promptTemplates}
							</pre>
						</div>
					) : null}
					{round.personaDefinitions ? (
						<div>
							<h3 className="font-semibold">{t('datasets:provenance.personaDefinitions')}</h3>
							<pre dir="auto" className="mt-1 whitespace-pre-wrap break-words rounded bg-slate-100 p-3 text-sm">
								{round.personaDefinitions}
							</pre>
						</div>
					) : null}
				</section>
			) : null}
			<section aria-labelledby="queue-heading" className="flex flex-col gap-2">
				<h2 id="queue-heading">{t('home.queue')}</h2>
				{queue.length === 0 ? <p>{round.status === 'open' ? t('home.queueEmpty') : t('home.notOpen')}</p> : null}
				<ol className="flex flex-col gap-2">
					{queue.map((s) => (
						<li key={s.externalId} className="card p-3">
							{round.status === 'open' ? (
								<Link to={`/rounds/${round.id}/review/${encodeURIComponent(s.externalId)}`} className="font-mono text-sm">
									{s.externalId}
								</Link>
							) : (
								<span className="font-mono text-sm">{s.externalId}</span>
							)}
							<span className="ms-2 text-xs">{s.completed ? t('home.reviewed') : t('home.toReview')}</span>
							<p lang={s.language ?? undefined} dir={s.language ? directionOf(s.language) : 'auto'} className="mt-1 line-clamp-2 text-sm text-slate-800">
								{s.preview}
							</p>
						</li>
					))}
				</ol>
			</section>
			<p>
				<Link to={`/rounds/${round.id}/withdraw`}>{t('home.withdraw')}</Link>
			</p>
		</div>
	)
}
