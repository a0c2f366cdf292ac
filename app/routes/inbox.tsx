import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { DateTime } from '#app/components/date-time.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import { AcknowledgeSchema, NotifySchema } from '#app/domain/inbox.ts'
import { findMembership, findTriageableIssue, getInbox } from '#app/models/inbox.server.ts'
import { setTeamNotify } from '#app/models/team-notify.server.ts'
import { triageIssue } from '#app/models/triage.server.ts'
import { requireUser } from '#app/utils/auth.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { intentOf, parseForm } from '#app/routes/__form.server.ts'

export const handle: RouteHandle = { i18n: ['rounds', 'issues', 'datasets'], title: (t) => t('rounds:inbox.title') }

export async function loader({ request }: LoaderFunctionArgs) {
	const user = await requireUser(request)
	const inbox = await getInbox(user.id)
	const iso = (d: Date) => new Date(d).toISOString()
	return {
		blockers: inbox.blockers.map((b) => ({ ...b, created_at: iso(b.created_at) })),
		blocked: inbox.blocked.map((b) => ({ ...b, updated_at: iso(b.updated_at) })),
		closing: inbox.closing.map((r) => ({ ...r, closes_at: iso(r.closes_at) })),
		comments: inbox.comments.map((c) => ({ ...c, created_at: iso(c.created_at) })),
		memberships: inbox.memberships.map(({ slug, name, notify }) => ({ slug, name, notify })),
	}
}

/** One click from the inbox: acknowledge a blocker (at the revision shown), or turn a dataset's notifications on or off. */
export async function action({ request }: ActionFunctionArgs) {
	const user = await requireUser(request)
	const form = await request.formData()
	const intent = intentOf(form)
	if (intent === 'acknowledge') {
		const submission = parseForm(form, AcknowledgeSchema)
		if (!submission.ok) throw new Response('Bad request', { status: 400 })
		const { issue: issueId, revision } = submission.value
		// The issue must be on a dataset this person triages; otherwise it does not exist for them.
		const found = await findTriageableIssue({ issueId, userId: user.id })
		if (!found) throw new Response('Not found', { status: 404 })
		const outcome = await triageIssue({ versionId: found.versionId, issueId, actor: { userId: user.id, datasetId: found.datasetId }, input: { intent: 'acknowledge', revision } })
		if (!outcome.ok) return data({ done: null, error: outcome.reason === 'conflict' ? 'inbox.conflict' : 'inbox.notAllowed' }, { status: 409 })
		return { done: 'inbox.acknowledged', error: null }
	}
	if (intent === 'notify') {
		const submission = parseForm(form, NotifySchema)
		if (!submission.ok) throw new Response('Bad request', { status: 400 })
		const { dataset: slug, notify: on } = submission.value
		const membership = await findMembership({ slug, userId: user.id })
		if (!membership) throw new Response('Not found', { status: 404 })
		await setTeamNotify({ datasetId: membership.datasetId, userId: user.id, notify: on })
		return { done: on ? 'inbox.notifyOn' : 'inbox.notifyOff', error: null }
	}
	throw new Response('Unknown intent', { status: 400 })
}

export default function Inbox() {
	const { t } = useTranslation(['rounds', 'issues', 'datasets'])
	const { blockers, blocked, closing, comments, memberships } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const versionPath = (slug: string, label: string) => `/datasets/${slug}/versions/${encodeURIComponent(label)}`
	const subject = (kind: string, item: string) => (kind === 'sample' ? item : kind === 'template' ? t(`issues:target.${item}`) : item)
	return (
		<div className="flex flex-col gap-8">
			<PageHeader title={t('inbox.title')} />
			<p className="text-slate-700">{t('inbox.intro')}</p>
			{actionData?.done ? (
				<p role="status" className="card">
					{t(actionData.done)}
				</p>
			) : null}
			{actionData?.error ? (
				<p role="alert" className="alert-error">
					{t(actionData.error)}
				</p>
			) : null}

			<section aria-labelledby="inbox-blockers" className="flex flex-col gap-2">
				<h2 id="inbox-blockers">{t('inbox.blockers', { count: blockers.length })}</h2>
				{blockers.length === 0 ? <p className="text-slate-700">{t('inbox.blockersNone')}</p> : null}
				<ul className="flex flex-col gap-2">
					{blockers.map((b) => (
						<li key={b.id} className="card flex flex-wrap items-center justify-between gap-3 p-3">
							<span className="min-w-0">
								<Link to={`${versionPath(b.slug, b.version)}/issues/${b.number}`} className="font-semibold">
									{b.dataset} {b.version} · #{b.number} · <bdi>{subject(b.kind, b.item)}</bdi>
								</Link>{' '}
								<span className="text-sm text-slate-700">
									({b.reasons.map((r) => t(`issues:reason.${r}`)).join(', ')}) · <DateTime value={b.created_at} />
								</span>
							</span>
							<Form method="post">
								<input type="hidden" name="intent" value="acknowledge" />
								<input type="hidden" name="issue" value={b.id} />
								<input type="hidden" name="revision" value={b.revision} />
								<button type="submit" className="btn" aria-label={t('inbox.acknowledgeLabel', { number: b.number, dataset: b.dataset, version: b.version })}>
									{t('inbox.acknowledge')}
								</button>
							</Form>
						</li>
					))}
				</ul>
			</section>

			<section aria-labelledby="inbox-blocked" className="flex flex-col gap-2">
				<h2 id="inbox-blocked">{t('inbox.blocked', { count: blocked.length })}</h2>
				{blocked.length === 0 ? <p className="text-slate-700">{t('inbox.blockedNone')}</p> : null}
				<ul className="flex flex-col gap-2">
					{blocked.map((v) => (
						<li key={`${v.slug}/${v.version}`} className="card flex flex-wrap items-center justify-between gap-3 p-3">
							<span>
								{v.dataset} {v.version} · {t('inbox.blockedCount', { count: v.blocking })}
							</span>
							<Link to={v.first_blocker ? `${versionPath(v.slug, v.version)}/issues/${v.first_blocker}` : versionPath(v.slug, v.version)} className="btn">
								{t('inbox.review')}
							</Link>
						</li>
					))}
				</ul>
			</section>

			<section aria-labelledby="inbox-closing" className="flex flex-col gap-2">
				<h2 id="inbox-closing">{t('inbox.closing', { count: closing.length })}</h2>
				{closing.length === 0 ? <p className="text-slate-700">{t('inbox.closingNone')}</p> : null}
				<ul className="flex flex-col gap-2">
					{closing.map((r) => (
						<li key={r.id} className="card flex flex-wrap items-center justify-between gap-3 p-3">
							<span>
								{r.dataset} {r.version} · {r.title} · {t('inbox.closesAt')} <DateTime value={r.closes_at} /> · {t('inbox.coverage', { covered: r.covered, total: r.sample_count })}
							</span>
							<Link to={`${versionPath(r.slug, r.version)}/rounds/${r.id}`} className="btn">
								{t('inbox.openRound')}
							</Link>
						</li>
					))}
				</ul>
			</section>

			<section aria-labelledby="inbox-comments" className="flex flex-col gap-2">
				<h2 id="inbox-comments">{t('inbox.comments', { count: comments.length })}</h2>
				{comments.length === 0 ? <p className="text-slate-700">{t('inbox.commentsNone')}</p> : null}
				<ul className="flex flex-col gap-2">
					{comments.map((c) => (
						<li key={c.id} className="card flex flex-wrap items-center justify-between gap-3 p-3">
							<span className="min-w-0">
								<span className="font-semibold">
									{c.dataset} · <bdi>{c.title}</bdi>
								</span>
								{c.stance ? ` · ${t(`inbox.stance.${c.stance}`)}` : ''} · <DateTime value={c.created_at} />
								<span className="block break-words text-sm text-slate-700" dir="auto">
									{c.excerpt}
								</span>
							</span>
							<Link to={`/datasets/${c.slug}/use-cases/${c.use_case_id}/discussion#comment-${c.id}`} className="btn">
								{t('inbox.reply')}
							</Link>
						</li>
					))}
				</ul>
			</section>

			<section aria-labelledby="inbox-notify" className="flex flex-col gap-2">
				<h2 id="inbox-notify">{t('inbox.notifyTitle')}</h2>
				<p className="text-sm text-slate-700">{t('inbox.notifyIntro')}</p>
				<ul className="flex flex-col gap-2">
					{memberships.map((m) => (
						<li key={m.slug} className="flex flex-wrap items-center gap-3">
							<span>{m.name}</span>
							<span className="text-sm text-slate-700">{m.notify ? t('inbox.notifyIsOn') : t('inbox.notifyIsOff')}</span>
							<Form method="post">
								<input type="hidden" name="intent" value="notify" />
								<input type="hidden" name="dataset" value={m.slug} />
								<input type="hidden" name="notify" value={m.notify ? 'off' : 'on'} />
								<button type="submit" className="btn" aria-label={`${m.notify ? t('inbox.notifyStop') : t('inbox.notifyStart')} · ${m.name}`}>
									{m.notify ? t('inbox.notifyStop') : t('inbox.notifyStart')}
								</button>
							</Form>
						</li>
					))}
				</ul>
			</section>
		</div>
	)
}
