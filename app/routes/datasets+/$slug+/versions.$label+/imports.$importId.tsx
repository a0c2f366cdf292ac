import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { MAX_REPORTED_ERRORS } from '#app/domain/import/types.ts'
import { getImport } from '#app/models/import.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:imports.resultTitle') }

// While the import runs, the page refreshes itself: progress without JavaScript.
export const meta: MetaFunction<typeof loader> = ({ data }) => (data?.imp.status === 'running' ? [{ httpEquiv: 'refresh', content: '3' }] : [])

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	const id = params.importId ?? ''
	const imp = /^[0-9a-f-]{36}$/i.test(id) ? await getImport({ importId: id, versionId: version.id }) : null
	invariantResponse(imp, 'Not found', { status: 404 })
	return {
		dataset: { slug: dataset.slug, name: dataset.name },
		version: { label: version.label },
		imp: { ...imp, startedAt: imp.startedAt.toISOString(), finishedAt: imp.finishedAt?.toISOString() ?? null },
	}
}

export default function ImportResult() {
	const { t } = useTranslation(['datasets', 'common'])
	const { dataset, version, imp } = useLoaderData<typeof loader>()
	const versionPath = `/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`
	return (
		<div className="flex max-w-4xl flex-col gap-6">
			<PageHeader crumbs={datasetCrumbs(t, dataset, version)} title={t('imports.resultOf', { file: imp.filename || imp.id })} />
			{imp.status === 'succeeded' ? (
				<div role="status" className="alert-success">
					{t('imports.succeeded', { count: imp.rowsRead })} <Link to={`${versionPath}/samples`}>{t('imports.browseNow')}</Link>
				</div>
			) : imp.status === 'running' ? (
				<div role="status" className="card">
					<p>{t('imports.running', { count: imp.rowsRead })}</p>
					{imp.bytesTotal ? <progress max={imp.bytesTotal} value={imp.bytesRead} className="mt-2 w-full" aria-label={t('imports.progressLabel')} /> : null}
				</div>
			) : (
				<div role="alert" className="alert-error">
					<p className="font-semibold">{t('imports.failed', { count: imp.errorCount })}</p>
					<p>{t('imports.nothingImported')}</p>
				</div>
			)}
			{imp.errors.length ? (
				<section aria-labelledby="errors-heading">
					<h2 id="errors-heading">{t('imports.errorListTitle')}</h2>
					{imp.errorCount > imp.errors.length ? (
						<p className="text-sm text-slate-700">{t('imports.errorsTruncated', { shown: Math.min(imp.errors.length, MAX_REPORTED_ERRORS), total: imp.errorCount })}</p>
					) : null}
					<table className="mt-2 w-full border-collapse text-sm">
						<thead>
							<tr className="border-b border-slate-300">
								<th scope="col" className="w-24 py-2 text-start">
									{/* A Parquet file's problems are numbered by row (the importer reads row n as line n). */}
									{/\.parquet$/i.test(imp.filename) ? t('imports.row') : t('imports.line')}
								</th>
								<th scope="col" className="py-2 text-start">
									{t('imports.problem')}
								</th>
							</tr>
						</thead>
						<tbody>
							{imp.errors.map((e, i) => (
								<tr key={i} className="border-b border-slate-200">
									<td className="py-2 tabular-nums">{e.line > 0 ? e.line : '—'}</td>
									<td className="py-2">{t(`importErrors.${e.code}`, { ...e.params })}</td>
								</tr>
							))}
						</tbody>
					</table>
				</section>
			) : null}
			<p>
				<Link to={versionPath}>{t('imports.backToVersion', { label: version.label })}</Link>
			</p>
		</div>
	)
}
