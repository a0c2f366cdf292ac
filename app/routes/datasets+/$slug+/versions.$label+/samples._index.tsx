import { type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { browseSamples } from '#app/models/sample.server.ts'
import { getImportSummary } from '#app/models/version.server.ts'
import { directionOf } from '#app/utils/i18n.ts'
import { requireVersion } from '#app/utils/permissions.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:samples.title') }

const MAX_ATTRIBUTE_FILTERS = 5

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	const url = new URL(request.url)
	const language = url.searchParams.get('language') || null
	const q = url.searchParams.get('q')?.slice(0, 200) || null
	const after = url.searchParams.get('after') || null
	// Attribute filters arrive as attr=persona.origin:Oaxaca (repeatable).
	const attributes = url.searchParams
		.getAll('attr')
		.slice(0, MAX_ATTRIBUTE_FILTERS)
		.map((a) => {
			const i = a.indexOf(':')
			return i > 0 ? { path: a.slice(0, i), value: a.slice(i + 1) } : null
		})
		.filter((a): a is { path: string; value: string } => !!a)
	const summary = version.currentImportId ? await getImportSummary(version.currentImportId) : { facets: {}, languages: {} }
	const page = version.currentImportId ? await browseSamples(version.currentImportId, { language, q, after, attributes }) : { samples: [], nextCursor: null }
	return {
		dataset: { slug: dataset.slug, name: dataset.name },
		version: { label: version.label, sampleCount: version.sampleCount },
		filters: { language, q, attributes, after },
		languages: Object.keys(summary.languages),
		facets: Object.entries(summary.facets).map(([key, values]) => ({ key, values: Object.entries(values).slice(0, 30) })),
		page,
	}
}

export default function BrowseSamples() {
	const { t } = useTranslation(['datasets', 'common'])
	const { dataset, version, filters, languages, facets, page } = useLoaderData<typeof loader>()
	const versionPath = `/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`
	const active = new Set(filters.attributes.map((a) => `${a.path}:${a.value}`))
	const next = new URLSearchParams()
	if (filters.q) next.set('q', filters.q)
	if (filters.language) next.set('language', filters.language)
	for (const a of active) next.append('attr', a)
	if (page.nextCursor) next.set('after', page.nextCursor)
	const firstPage = new URLSearchParams(next)
	firstPage.delete('after')
	return (
		<div className="flex flex-col gap-6">
			<PageHeader
				crumbs={datasetCrumbs(t, dataset, version)}
				title={t('samples.heading', { label: version.label, count: version.sampleCount })}
			/>
			<div className="grid gap-6 lg:grid-cols-[16rem_1fr]">
				{/* Keyed by the filters so "Clear filters" (a client navigation) also resets the inputs. */}
				<Form key={JSON.stringify(filters)} method="get" className="flex flex-col gap-4" aria-label={t('samples.filters')}>
					<div>
						<label htmlFor="q" className="label">
							{t('samples.search')}
						</label>
						<input id="q" name="q" type="search" defaultValue={filters.q ?? ''} className="input" dir="auto" />
					</div>
					<div>
						<label htmlFor="language" className="label">
							{t('samples.language')}
						</label>
						<select id="language" name="language" defaultValue={filters.language ?? ''} className="input">
							<option value="">{t('samples.anyLanguage')}</option>
							{languages.map((l) => (
								<option key={l} value={l}>
									{l}
								</option>
							))}
						</select>
					</div>
					{facets.map((f) => (
						<fieldset key={f.key} className="flex flex-col gap-1">
							<legend className="label">{f.key}</legend>
							<div className="flex max-h-48 flex-col gap-1 overflow-y-auto">
								{f.values.map(([value, count]) => {
									const token = `${f.key}:${value}`
									const id = `attr-${f.key}-${value}`.replace(/[^A-Za-z0-9_-]/g, '_')
									return (
										<div key={value} className="flex items-center gap-2 text-sm">
											<input type="checkbox" id={id} name="attr" value={token} defaultChecked={active.has(token)} />
											<label htmlFor={id} dir="auto">
												{value} <span className="text-slate-700">({count})</span>
											</label>
										</div>
									)
								})}
							</div>
						</fieldset>
					))}
					<button type="submit" className="btn btn-primary">
						{t('samples.apply')}
					</button>
					<Link to={`${versionPath}/samples`} className="text-sm">
						{t('samples.clear')}
					</Link>
				</Form>
				<section aria-labelledby="results-heading" className="flex flex-col gap-3">
					<h2 id="results-heading" className="sr-only">
						{t('samples.results')}
					</h2>
					{page.samples.length === 0 ? <p className="card">{t('samples.none')}</p> : null}
					<ul className="flex flex-col gap-2">
						{page.samples.map((s) => (
							<li key={s.externalId} className="card p-4">
								<Link to={`${versionPath}/samples/${encodeURIComponent(s.externalId)}`} className="font-mono text-sm">
									{s.externalId}
								</Link>
								<span className="ms-2 text-xs text-slate-700">
									{s.language ?? ''} {s.turns ? `· ${t('samples.turns', { count: s.turns })}` : ''} {s.hasImage ? `· ${t('samples.image')}` : ''}
								</span>
								<p lang={s.language ?? undefined} dir={s.language ? directionOf(s.language) : 'auto'} className="mt-1 line-clamp-3 whitespace-pre-wrap break-words">
									{s.content ?? s.firstTurn}
								</p>
							</li>
						))}
					</ul>
					<nav aria-label={t('samples.pagination')} className="flex gap-3">
						{filters.after ? (
							<Link to={`?${firstPage}`} className="btn">
								{t('samples.firstPage')}
							</Link>
						) : null}
						{page.nextCursor ? (
							<Link to={`?${next}`} className="btn">
								{t('samples.nextPage')}
							</Link>
						) : null}
					</nav>
				</section>
			</div>
		</div>
	)
}
