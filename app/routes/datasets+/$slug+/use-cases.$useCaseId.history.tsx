import { type LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { useCaseFields } from '#app/domain/use-case.ts'
import { getUseCase, useCaseHistory } from '#app/models/use-case.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireDatasetRole } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:useCase.historyTitle') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset } = await requireDatasetRole(request, params.slug, 'view')
	const useCase = params.useCaseId && /^[0-9a-f-]{36}$/i.test(params.useCaseId) ? await getUseCase({ datasetId: dataset.id, useCaseId: params.useCaseId }) : null
	invariantResponse(useCase, 'Not found', { status: 404 })
	const revisions = await useCaseHistory(useCase.id)
	// Each revision lists only the fields that changed from the one before it.
	const entries = revisions.map((r, i) => {
		const previous = revisions[i + 1]?.snapshot
		const changed = useCaseFields.filter((f) => !previous || previous[f] !== r.snapshot[f])
		return { revision: r.revision, editedBy: r.editedBy, createdAt: r.createdAt.toISOString(), changes: changed.map((f) => ({ field: f, before: previous?.[f] ?? null, after: r.snapshot[f] ?? '' })) }
	})
	return { dataset: { slug: dataset.slug, name: dataset.name }, title: useCase.title, entries }
}

export default function UseCaseHistory() {
	const { t, i18n } = useTranslation('datasets')
	const { dataset, title, entries } = useLoaderData<typeof loader>()
	return (
		<div className="flex max-w-3xl flex-col gap-4">
			<PageHeader crumbs={datasetCrumbs(t, dataset)} title={t('useCase.historyOf', { title })} />
			<ol className="flex flex-col gap-4">
				{entries.map((e) => (
					<li key={e.revision} className="card flex flex-col gap-2">
						<h2 className="text-base">
							{t('useCase.revision', { n: e.revision })} ·{' '}
							<time dateTime={e.createdAt}>{new Date(e.createdAt).toLocaleString(i18n.language, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' })} UTC</time>
							{e.editedBy ? ` · ${e.editedBy}` : ''}
						</h2>
						<dl className="flex flex-col gap-2 text-sm">
							{e.changes.map((c) => (
								<div key={c.field}>
									<dt className="font-medium">{t(`fields.${c.field === 'title' ? 'useCaseTitle' : c.field}`)}</dt>
									<dd dir="auto">
										{c.before !== null ? <del className="me-2 text-red-800">{c.field === 'pipelineStage' && c.before ? t(`pipelineStage.${c.before}`) : c.before || '—'}</del> : null}
										<ins className="text-green-900 no-underline">{c.field === 'pipelineStage' ? t(`pipelineStage.${c.after}`) : c.after || '—'}</ins>
									</dd>
								</div>
							))}
						</dl>
					</li>
				))}
			</ol>
		</div>
	)
}
