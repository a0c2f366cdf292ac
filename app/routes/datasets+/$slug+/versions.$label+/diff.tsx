import { type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { diffCounts, type DiffKind, diffPage } from '#app/models/sample.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:diff.title') }

const kinds: DiffKind[] = ['added', 'removed', 'changed']

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	invariantResponse(version.parent, 'Not found', { status: 404 })
	const url = new URL(request.url)
	const kind = (kinds as string[]).includes(url.searchParams.get('kind') ?? '') ? (url.searchParams.get('kind') as DiffKind) : 'changed'
	const after = url.searchParams.get('after')
	const parentImport = version.parent.currentImportId
	const childImport = version.currentImportId
	const ready = !!parentImport && !!childImport
	const counts = ready ? await diffCounts(parentImport, childImport) : null
	const page = ready ? await diffPage(parentImport, childImport, kind, after) : { ids: [], nextCursor: null }
	return { dataset: { slug: dataset.slug, name: dataset.name }, version: { label: version.label }, parent: { label: version.parent.label }, counts, kind, page }
}

export default function VersionDiff() {
	const { t } = useTranslation('datasets')
	const { dataset, version, parent, counts, kind, page } = useLoaderData<typeof loader>()
	const base = `/datasets/${dataset.slug}/versions`
	const versionPath = `${base}/${encodeURIComponent(version.label)}`
	const linkFor = (kind === 'removed' ? `${base}/${encodeURIComponent(parent.label)}` : versionPath) + '/samples/'
	return (
		<div className="flex flex-col gap-6">
			<PageHeader crumbs={datasetCrumbs(t, dataset, version)} title={t('diff.heading', { parent: parent.label, label: version.label })} />
			{!counts ? (
				<p className="card">{t('diff.notReady')}</p>
			) : (
				<>
					<nav aria-label={t('diff.kinds')}>
						<ul className="flex flex-wrap gap-2">
							{kinds.map((k) => (
								<li key={k}>
									<Link to={`?kind=${k}`} aria-current={k === kind ? 'page' : undefined} className={`btn ${k === kind ? 'btn-primary' : ''}`}>
										{t(`diff.${k}`, { count: counts[k] })}
									</Link>
								</li>
							))}
						</ul>
					</nav>
					<p className="text-sm text-slate-700">{t('diff.unchanged', { count: counts.unchanged })}</p>
					<section aria-labelledby="diff-list-heading">
						<h2 id="diff-list-heading">{t(`diff.${kind}`, { count: counts[kind] })}</h2>
						{page.ids.length === 0 ? <p className="mt-2">{t('diff.empty')}</p> : null}
						<ul className="mt-2 grid gap-1 font-mono text-sm sm:grid-cols-2 lg:grid-cols-3">
							{page.ids.map((id) => (
								<li key={id}>
									<Link to={linkFor + encodeURIComponent(id)}>{id}</Link>
								</li>
							))}
						</ul>
						{page.nextCursor ? (
							<Link to={`?kind=${kind}&after=${encodeURIComponent(page.nextCursor)}`} className="btn mt-3">
								{t('samples.nextPage')}
							</Link>
						) : null}
					</section>
				</>
			)}
		</div>
	)
}
