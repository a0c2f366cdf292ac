import { type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { changeLines, type ChangeValue, parseAuditCursor } from '#app/domain/audit.ts'
import { listAudit } from '#app/models/audit.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireDatasetRole } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['audit', 'datasets'], title: (t) => t('audit:title') }

/** The dataset's audit log, newest first, a page at a time (`?before=<ISO time>~<id>`). */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset } = await requireDatasetRole(request, params.slug, 'view_audit')
	const before = parseAuditCursor(new URL(request.url).searchParams.get('before'))
	invariantResponse(before !== 'invalid', 'Bad page link', { status: 400 })
	const { rows, more } = await listAudit({ datasetId: dataset.id, before })
	return {
		dataset: { slug: dataset.slug, name: dataset.name },
		entries: rows.map(({ cursor, createdAt, ...row }) => ({ ...row, createdAt: createdAt.toISOString() })),
		older: more ? (rows.at(-1)?.cursor ?? null) : null,
		paged: !!before,
	}
}

/** Fields whose values are codes (a status, a role…): shown translated; every other value as written. */
const enumFields = new Set(['status', 'role', 'stage', 'selection', 'pipelineStage', 'generationMethod', 'resolution'])

type Entry = ReturnType<typeof useLoaderData<typeof loader>>['entries'][number]

export default function AuditLog() {
	const { t } = useTranslation(['audit', 'datasets'])
	const { dataset, entries, older, paged } = useLoaderData<typeof loader>()
	const here = `/datasets/${dataset.slug}/audit`
	return (
		<div className="flex flex-col gap-4">
			<PageHeader crumbs={datasetCrumbs(t, dataset)} title={t('title')} />
			<p className="text-slate-700">{t('intro')}</p>
			{entries.length === 0 ? (
				<p className="card">{t('none')}</p>
			) : (
				// A wide table scrolls on its own; focusable so keyboard users can scroll it too.
				<div className="overflow-x-auto" role="region" aria-labelledby="audit-caption" tabIndex={0}>
					<table className="w-full border-collapse text-sm">
						<caption id="audit-caption" className="pb-2 text-start text-slate-700">
							{t('caption', { name: dataset.name, count: entries.length })}
						</caption>
						<thead>
							<tr className="border-b border-slate-300">
								<th scope="col" className="py-2 pe-3 text-start">
									{t('columns.when')}
								</th>
								<th scope="col" className="py-2 pe-3 text-start">
									{t('columns.who')}
								</th>
								<th scope="col" className="py-2 pe-3 text-start">
									{t('columns.what')}
								</th>
								<th scope="col" className="py-2 pe-3 text-start">
									{t('columns.target')}
								</th>
								<th scope="col" className="py-2 pe-3 text-start">
									{t('columns.change')}
								</th>
								<th scope="col" className="py-2 text-start">
									{t('columns.reason')}
								</th>
							</tr>
						</thead>
						<tbody>
							{entries.map((e) => (
								<AuditRow key={e.id} entry={e} />
							))}
						</tbody>
					</table>
				</div>
			)}
			{older || paged ? (
				<nav aria-label={t('pages')} className="flex flex-wrap gap-4">
					{paged ? <Link to={here}>{t('newest')}</Link> : null}
					{older ? <Link to={`${here}?before=${encodeURIComponent(older)}`}>{t('older')}</Link> : null}
				</nav>
			) : null}
		</div>
	)
}

function AuditRow({ entry: e }: { entry: Entry }) {
	const { t, i18n } = useTranslation(['audit', 'datasets'])
	const { lines, long } = changeLines(e.before, e.after)
	const field = (key: string) => t(`fields.${key}`, { defaultValue: key })
	const value = (key: string, v: ChangeValue) => (typeof v === 'boolean' ? t(v ? 'yes' : 'no') : v === null || v === '' ? t('empty') : enumFields.has(key) ? t(`values.${v}`, { defaultValue: v }) : v)
	// Audit times are shown in UTC for everyone, so two readers compare the same clock.
	const when = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }).format(new Date(e.createdAt))
	return (
		<tr className="border-b border-slate-200 align-top">
			<td className="py-2 pe-3 whitespace-nowrap">
				<time dateTime={e.createdAt}>{when}</time>
			</td>
			<td className="py-2 pe-3">{e.actorName ? <bdi>{e.actorName}</bdi> : t('automatic')}</td>
			<td className="py-2 pe-3">{t(`actions.${e.action}`, { defaultValue: e.action })}</td>
			<td className="py-2 pe-3">
				{t(`targets.${e.targetType}`, { defaultValue: e.targetType })}
				{e.targetLabel ? (
					<>
						{' '}
						<bdi className="font-medium">{e.targetLabel}</bdi>
					</>
				) : null}
			</td>
			<td className="py-2 pe-3">
				{lines.length || long.length ? (
					<ul className="flex flex-col gap-1">
						{lines.map((l) => (
							<li key={l.key} className="break-words">
								<span className="font-medium">{field(l.key)}</span>
								{': '}
								{l.hadBefore ? (
									<>
										<bdi>{value(l.key, l.before)}</bdi>{' '}
										<span aria-hidden="true" className="inline-block rtl:-scale-x-100">
											→
										</span>
										<span className="sr-only">{t('changedTo')}</span> <bdi>{value(l.key, l.after)}</bdi>
									</>
								) : (
									<bdi>{value(l.key, l.after)}</bdi>
								)}
							</li>
						))}
						{long.length ? <li>{t('longFields', { fields: long.map(field).join(', ') })}</li> : null}
					</ul>
				) : null}
			</td>
			<td className="py-2 whitespace-pre-wrap break-words" dir="auto">
				{e.reason}
			</td>
		</tr>
	)
}
