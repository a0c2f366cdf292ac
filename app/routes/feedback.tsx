import { type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { DateTime } from '#app/components/date-time.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import { listMyFeedback } from '#app/models/feedback.server.ts'
import { requireUser } from '#app/utils/auth.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['issues', 'review', 'discussion'], title: (t) => t('issues:mine.title') }

/** Closing the loop: everything this person said in consultations, and what the team made of it. */
export async function loader({ request }: LoaderFunctionArgs) {
	const user = await requireUser(request)
	const page = Math.min(10_000, Math.max(1, Number(new URL(request.url).searchParams.get('page')) || 1))
	const { rows, more } = await listMyFeedback(user.id, page)
	return {
		page,
		more,
		items: rows.map((r) => ({ ...r, created_at: new Date(r.created_at).toISOString() })),
	}
}

export default function MyFeedback() {
	const { t } = useTranslation(['issues', 'review', 'discussion'])
	const { items, page, more } = useLoaderData<typeof loader>()
	return (
		<div className="flex flex-col gap-6">
			<PageHeader title={t('mine.title')} />
			<p className="text-slate-700">{t('mine.intro')}</p>
			{items.length === 0 ? <p className="card">{t('mine.none')}</p> : null}
			<ul className="flex flex-col gap-3">
				{items.map((f) => (
					<li key={f.id} className="card flex flex-col gap-2">
						{/* Each name and the date in its own isolate: an English dataset name never splits an Arabic date. */}
						<p className="text-sm text-slate-700">
							{t(`mine.type.${f.type}`)} · <bdi>{f.dataset}</bdi> · <bdi>{f.version}</bdi> ·{' '}
							<Link to={`/rounds/${f.round_id}`} dir="auto">
								{f.round_title}
							</Link>{' '}
							·{' '}
							<bdi>
								<DateTime value={f.created_at} />
							</bdi>
						</p>
						<p className="font-semibold break-words">
							{f.type === 'template' ? t(`target.${f.item}`) : <bdi>{f.item}</bdi>}
							{f.category ? ` · ${t(`review:categories.${f.category}.label`)}` : ''}
							{f.severity ? ` · ${t(`review:severity.${f.severity}`)}` : ''}
							{f.stance ? ` · ${t(`discussion:stance.${f.stance}`)}` : ''}
						</p>
						<div className={f.sample_text ? 'grid gap-3 sm:grid-cols-2' : ''}>
							{f.sample_text ? (
								<figure className="min-w-0">
									<figcaption className="text-sm font-medium">{t('mine.sampleText')}</figcaption>
									<p lang={f.sample_language ?? undefined} dir="auto" className="line-clamp-4 whitespace-pre-wrap break-words rounded border border-slate-200 bg-white p-2 text-sm" data-flagged-sample>
										{f.sample_text}
									</p>
								</figure>
							) : null}
							{f.excerpt ? (
								<div className="min-w-0">
									{f.sample_text ? <p className="text-sm font-medium">{t('mine.yourFlag')}</p> : null}
									<p className="whitespace-pre-wrap break-words text-slate-800" dir="auto">
										{f.excerpt}
									</p>
								</div>
							) : null}
						</div>
						<div className="rounded border border-slate-200 bg-slate-50 p-3">
							<h2 className="text-sm font-semibold">{t('mine.outcome')}</h2>
							{f.issue_number === null ? (
								<p className="text-sm">{f.type === 'comment' ? t('mine.commentNoIssue') : t('mine.noIssue')}</p>
							) : (
								<>
									<p>
										{t('mine.issue', { number: f.issue_number, version: f.issue_version })}: <strong>{t(`status.${f.status}`)}</strong>
										{f.resolution ? ` · ${t(`resolution.${f.resolution}`)}` : ''}
										{f.needs_re_review ? ` · ${t('badge.reReview')}` : ''}
									</p>
									{f.needs_re_review ? <p className="text-sm">{t('mine.reReviewHint')}</p> : null}
									{f.public_response ? (
										<figure className="mt-2">
											<figcaption className="text-sm font-medium">{t('mine.response')}</figcaption>
											<blockquote className="border-s-4 border-slate-300 ps-3 whitespace-pre-wrap break-words" dir="auto">
												{f.public_response}
											</blockquote>
										</figure>
									) : null}
								</>
							)}
						</div>
					</li>
				))}
			</ul>
			{page > 1 || more ? (
				<nav aria-label={t('mine.pagesLabel')} className="flex gap-4">
					{page > 1 ? <Link to={`?page=${page - 1}`}>{t('inbox.previous')}</Link> : null}
					{more ? <Link to={`?page=${page + 1}`}>{t('inbox.next')}</Link> : null}
				</nav>
			) : null}
		</div>
	)
}
