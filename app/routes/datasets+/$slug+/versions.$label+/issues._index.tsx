import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { flagCategories } from '#app/domain/enums.ts'
import { ConfirmedField, ConfirmPage, confirmClick, isConfirmed, resubmittable } from '#app/components/confirm.tsx'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { DateTime } from '#app/components/date-time.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import { BulkAcknowledgeSchema, BulkResolveSchema, INBOX_PAGE_SIZE, InboxFilterSchema, resolutionValues, type InboxFilter } from '#app/domain/issue.ts'
import { bulkTriage, listAffectedGroups, listIssues } from '#app/models/triage.server.ts'
import { getImportSummary } from '#app/models/version.server.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { intentOf, parseForm } from '#app/routes/__form.server.ts'
import { IssueBadges, issueTitle } from './__issue-badges.tsx'

export const handle: RouteHandle = {
	i18n: ['datasets', 'issues', 'review'],
	title: (t, data) => {
		const d = data as { version?: { label: string } } | undefined
		return d?.version ? `${t('issues:inbox.title')} · ${d.version.label}` : t('issues:inbox.title')
	},
}

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { user, dataset, version } = await requireVersion(request, params, 'triage')
	const filter = InboxFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams))
	const [list, groups, summary] = await Promise.all([
		listIssues({ versionId: version.id, filter, userId: user.id }),
		listAffectedGroups(version.id),
		version.currentImportId ? getImportSummary(version.currentImportId) : Promise.resolve({ facets: {} as Record<string, Record<string, number>> }),
	])
	const attributes = Object.entries(summary.facets).flatMap(([key, values]) =>
		Object.keys(values)
			.slice(0, 30)
			.map((v) => `${key}=${v}`),
	)
	// A bulk action's outcome, carried by the redirect that follows it (so no `?index` stays in the address).
	const search = new URL(request.url).searchParams
	const count = (k: string) => Math.max(0, Number(search.get(k)) || 0)
	const bulk = search.has('done') ? { done: count('done'), conflicts: count('conflicts'), skipped: count('skipped') } : null
	return {
		bulk,
		dataset: { slug: dataset.slug, name: dataset.name },
		version: { label: version.label, status: version.status },
		filter,
		groups,
		attributes,
		...list,
		rows: list.rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() })),
	}
}

/** Bulk acknowledge / resolve: each selected issue carries the revision the list showed ("id:revision"). */
export async function action({ request, params }: ActionFunctionArgs) {
	const { user, dataset, version } = await requireVersion(request, params, 'triage')
	const form = await request.formData()
	const intent = intentOf(form)
	const actor = { userId: user.id, datasetId: dataset.id }
	// Back to the list the team was looking at, with the outcome, and without Remix's `?index`.
	const done = (result: { done: number; conflicts: number; skipped: number }) => {
		const url = new URL(request.url)
		const params = new URLSearchParams(url.search)
		for (const k of ['index', 'done', 'conflicts', 'skipped']) params.delete(k)
		for (const [k, v] of Object.entries(result)) params.set(k, String(v))
		return redirect(`${url.pathname}?${params}`, 303)
	}
	// One message for the page, the first refusal in the form's order (nothing ticked, no resolution, no public answer).
	const refused = (fieldErrors: Record<string, string[]>) => data({ error: Object.values(fieldErrors).flat()[0] as BulkError, result: null }, { status: 400 })
	if (intent === 'bulk_acknowledge') {
		const parsed = parseForm(form, BulkAcknowledgeSchema, { lists: ['issue'] })
		if (!parsed.ok) return refused(parsed.fieldErrors)
		return done(await bulkTriage({ versionId: version.id, actor, items: parsed.value.issue, input: { intent: 'acknowledge' } }))
	}
	if (intent === 'bulk_resolve') {
		const parsed = parseForm(form, BulkResolveSchema, { lists: ['issue'] })
		if (!parsed.ok) return refused(parsed.fieldErrors)
		const { issue: items, resolution, publicResponse } = parsed.value
		// Dismissing many people's concerns at once is confirmed first (a dialog, or this page without JavaScript).
		if (resolution === 'not_an_issue' && !isConfirmed(form)) return { error: null, result: null, confirm: { count: items.length, fields: resubmittable(form) } }
		return done(await bulkTriage({ versionId: version.id, actor, items, input: { intent: 'resolve', resolution, publicResponse } }))
	}
	throw new Response('Unknown intent', { status: 400 })
}

type BulkError = 'bulk.noneSelected' | 'bulk.resolutionRequired' | 'bulk.justificationRequired'

function query(filter: InboxFilter, change: Partial<InboxFilter>) {
	const merged = { ...filter, ...change }
	const params = new URLSearchParams()
	const defaults = InboxFilterSchema.parse({})
	for (const [k, v] of Object.entries(merged)) if (v !== defaults[k as keyof InboxFilter]) params.set(k, String(v))
	const s = params.toString()
	return s ? `?${s}` : '?'
}

export default function IssueInbox() {
	const { t } = useTranslation(['issues', 'review', 'datasets'])
	const { dataset, version, filter, groups, attributes, rows, matching, counts, bulk } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const base = `/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}/issues`
	const confirm = actionData && 'confirm' in actionData ? actionData.confirm : null
	if (confirm) {
		return (
			<ConfirmPage
				title={t('bulk.confirmNotAnIssueTitle', { count: confirm.count })}
				body={t('bulk.confirmNotAnIssueBody', { count: confirm.count })}
				fields={confirm.fields}
				confirmLabel={t('bulk.confirmNotAnIssue', { count: confirm.count })}
				cancelLabel={t('bulk.cancel')}
				cancelTo={`${base}${query(filter, {})}`}
			/>
		)
	}
	const tabs: Array<{ label: string; count: number; to: Partial<InboxFilter> }> = [
		{ label: t('inbox.tabs.unresolved'), count: counts.open + counts.acknowledged, to: { status: 'unresolved', blocking: 'any', page: 1 } },
		{ label: t('inbox.tabs.blocking'), count: counts.blockingOpen, to: { status: 'unresolved', blocking: 'yes', page: 1 } },
		{ label: t('inbox.tabs.open'), count: counts.open, to: { status: 'open', blocking: 'any', page: 1 } },
		{ label: t('inbox.tabs.acknowledged'), count: counts.acknowledged, to: { status: 'acknowledged', blocking: 'any', page: 1 } },
		{ label: t('inbox.tabs.resolved'), count: counts.resolved, to: { status: 'resolved', blocking: 'any', page: 1 } },
	]
	const pages = Math.max(1, Math.ceil(matching / INBOX_PAGE_SIZE))
	const select = (name: keyof InboxFilter, options: Array<[string, string]>) => (
		<div className="flex flex-col gap-1">
			<label htmlFor={`filter-${name}`} className="text-sm font-medium">
				{t(`inbox.filters.${name}`)}
			</label>
			<select id={`filter-${name}`} name={name} defaultValue={String(filter[name])} className="input">
				{options.map(([value, label]) => (
					<option key={value} value={value} dir="auto">
						{label}
					</option>
				))}
			</select>
		</div>
	)
	return (
		<div className="flex flex-col gap-6">
			<PageHeader crumbs={datasetCrumbs(t, dataset, version)} title={t('inbox.heading', { label: version.label })} />
			<nav aria-label={t('inbox.tabsLabel')}>
				<ul className="flex flex-wrap gap-2">
					{tabs.map((tab) => {
						const current = filter.status === tab.to.status && filter.blocking === tab.to.blocking
						return (
							<li key={tab.label}>
								<Link to={query(filter, tab.to)} aria-current={current ? 'page' : undefined} className={`btn ${current ? 'btn-primary' : ''}`}>
									{tab.label} <span className="ms-1 rounded bg-white/80 px-1.5 text-slate-900">{tab.count}</span>
								</Link>
							</li>
						)
					})}
				</ul>
			</nav>

			<details
				className="card"
				open={filter.category !== '' || filter.severity !== '' || filter.group !== '' || filter.attribute !== '' || filter.kind !== 'any' || filter.assignee !== 'any' || filter.reReview !== 'any'}
			>
				<summary className="cursor-pointer font-semibold">{t('inbox.filters.title')}</summary>
				<Form method="get" className="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
					{select(
						'status',
						(['unresolved', 'open', 'acknowledged', 'resolved', 'all'] as const).map((s) => [s, t(`inbox.status.${s}`)]),
					)}
					{select(
						'blocking',
						(['any', 'yes', 'no'] as const).map((s) => [s, t(`inbox.blocking.${s}`)]),
					)}
					{select(
						'kind',
						(['any', 'sample', 'template', 'use_case'] as const).map((s) => [s, s === 'any' ? t('inbox.any') : t(`kind.${s}`)]),
					)}
					{select('category', [['', t('inbox.any')], ...flagCategories.map((c): [string, string] => [c, t(`review:categories.${c}.label`)])])}
					{select('severity', [['', t('inbox.any')], ...(['minor', 'major', 'critical'] as const).map((s): [string, string] => [s, t(`review:severity.${s}`)])])}
					{select('group', [['', t('inbox.any')], ...groups.map((g): [string, string] => [g, g])])}
					{select('attribute', [['', t('inbox.any')], ...attributes.map((a): [string, string] => [a, a])])}
					{select(
						'assignee',
						(['any', 'me', 'none'] as const).map((s) => [s, t(`inbox.assignee.${s}`)]),
					)}
					{select(
						'reReview',
						(['any', 'yes'] as const).map((s) => [s, t(`inbox.reReview.${s}`)]),
					)}
					{select(
						'sort',
						(['newest', 'oldest', 'severity', 'flaggers', 'updated'] as const).map((s) => [s, t(`inbox.sort.${s}`)]),
					)}
					<div className="flex items-end gap-2">
						<button type="submit" className="btn btn-primary">
							{t('inbox.filters.apply')}
						</button>
						<Link to="?" className="btn">
							{t('inbox.filters.clear')}
						</Link>
					</div>
				</Form>
			</details>

			{actionData?.error ? (
				<p role="alert" className="alert-error">
					{t(actionData.error)}
				</p>
			) : null}
			{bulk ? (
				<p role="status" className="card">
					{t('bulk.done', { count: bulk.done })}
					{bulk.conflicts ? ` ${t('bulk.conflicts', { count: bulk.conflicts })}` : ''}
					{bulk.skipped ? ` ${t('bulk.skipped', { count: bulk.skipped })}` : ''}
				</p>
			) : null}

			<Form method="post" className="flex flex-col gap-3">
				<ConfirmedField />
				<p aria-live="polite" className="text-slate-700">
					{t('inbox.matching', { count: matching })}
				</p>
				{rows.length === 0 ? <p className="card">{t('inbox.none')}</p> : null}
				<ul className="flex flex-col gap-2">
					{rows.map((r) => (
						<li key={r.id} className="card flex flex-wrap items-start gap-3 p-3">
							<input type="checkbox" name="issue" value={`${r.id}:${r.revision}`} id={`select-${r.number}`} className="mt-1.5 size-5" />
							<label htmlFor={`select-${r.number}`} className="sr-only">
								{t('bulk.select', { number: r.number })}
							</label>
							<div className="flex min-w-0 flex-1 flex-col gap-1">
								<Link to={`${base}/${r.number}`} className="font-semibold break-words">
									#{r.number} · {issueTitle(t, r)}
								</Link>
								<IssueBadges issue={r} />
								<p className="text-sm text-slate-700">
									{t('inbox.row', { feedback: t('inbox.rowFeedback', { count: r.flagCount }), people: t('inbox.rowPeople', { count: r.flaggerCount }) })}
									{r.categories.length ? ` · ${r.categories.map((c) => t(`review:categories.${c}.label`)).join(', ')}` : ''}
									{r.assignee ? ` · ${t('inbox.assignedTo', { name: r.assignee })}` : ''} · <DateTime value={r.updatedAt} />
								</p>
							</div>
						</li>
					))}
				</ul>
				{rows.length ? (
					<fieldset className="card flex flex-col gap-3">
						<legend className="px-1 font-semibold">{t('bulk.legend')}</legend>
						<button type="submit" name="intent" value="bulk_acknowledge" className="btn self-start">
							{t('bulk.acknowledge')}
						</button>
						<div className="grid gap-3 sm:grid-cols-2">
							<div className="flex flex-col gap-1">
								<label htmlFor="bulk-resolution" className="text-sm font-medium">
									{t('triage.resolution')}
								</label>
								<select id="bulk-resolution" name="resolution" className="input" defaultValue="">
									<option value="">{t('triage.chooseResolution')}</option>
									{resolutionValues.map((r) => (
										<option key={r} value={r}>
											{t(`resolution.${r}`)}
										</option>
									))}
								</select>
							</div>
							<div className="flex flex-col gap-1">
								<label htmlFor="bulk-response" className="text-sm font-medium">
									{t('triage.publicResponse')}
								</label>
								<textarea id="bulk-response" name="publicResponse" rows={2} maxLength={4000} dir="auto" className="input" aria-describedby="bulk-response-hint" />
								<p id="bulk-response-hint" className="text-sm text-slate-700">
									{t('triage.publicResponseHint')}
								</p>
							</div>
						</div>
						<button
							type="submit"
							name="intent"
							value="bulk_resolve"
							className="btn self-start"
							onClick={(e) => {
								const selected = e.currentTarget.form?.querySelectorAll('input[name="issue"]:checked').length ?? 0
								if ((e.currentTarget.form?.elements.namedItem('resolution') as HTMLSelectElement | null)?.value === 'not_an_issue')
									confirmClick(t('bulk.confirmNotAnIssueBody', { count: selected }))(e)
							}}
						>
							{t('bulk.resolve')}
						</button>
					</fieldset>
				) : null}
			</Form>

			{pages > 1 ? (
				<nav aria-label={t('inbox.pagesLabel')} className="flex items-center gap-3">
					{filter.page > 1 ? <Link to={query(filter, { page: filter.page - 1 })}>{t('inbox.previous')}</Link> : null}
					<span>{t('inbox.page', { page: filter.page, pages })}</span>
					{filter.page < pages ? <Link to={query(filter, { page: filter.page + 1 })}>{t('inbox.next')}</Link> : null}
				</nav>
			) : null}
		</div>
	)
}
