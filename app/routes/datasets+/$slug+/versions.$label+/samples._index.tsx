import { type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { browseSamples, countSamples, facetCounts, getFacetKeys, resolveFilters } from '#app/models/sample.server.ts'
import { getImportSummary } from '#app/models/version.server.ts'
import { directionOf } from '#app/utils/i18n.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:samples.title') }

const MAX_ATTRIBUTE_FILTERS = 20

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	const url = new URL(request.url)
	const language = url.searchParams.get('language') || null
	const q = url.searchParams.get('q')?.slice(0, 200) || null
	const after = url.searchParams.get('after') || null
	const more = url.searchParams.get('more') || null
	// Attribute filters arrive as attr=persona.origin:Oaxaca (repeatable), or for a key offered as a
	// search field as value:<key>=<exact value>; find:<key>=<text> searches within a key's values.
	const attributes: Array<{ path: string; value: string }> = []
	const find: Record<string, string> = {}
	for (const [name, raw] of url.searchParams) {
		const value = raw.trim()
		if (name === 'attr') {
			const i = raw.indexOf(':')
			if (i > 0) attributes.push({ path: raw.slice(0, i), value: raw.slice(i + 1) })
		} else if (name.startsWith('value:') && value) attributes.push({ path: name.slice(6), value })
		else if (name.startsWith('find:') && value) find[name.slice(5)] = value.slice(0, 100)
	}
	attributes.splice(MAX_ATTRIBUTE_FILTERS)
	const filters = { language, q, attributes, after, more, find }
	const base = { dataset: { slug: dataset.slug, name: dataset.name }, version: { label: version.label, sampleCount: version.sampleCount }, filters }
	if (!version.currentImportId) return { ...base, languages: [], keys: [], facets: [], matching: 0, page: { samples: [], nextCursor: null } }
	const importId = version.currentImportId
	const resolved = await resolveFilters(importId, { language, q, after, attributes })
	const filtered = !!(language || resolved.query || attributes.length)
	const [summary, keys, counts, matching, page] = await Promise.all([
		getImportSummary(importId),
		getFacetKeys(importId),
		facetCounts(resolved, { more, find }),
		filtered ? countSamples(resolved) : version.sampleCount,
		browseSamples(importId, resolved),
	])
	return {
		...base,
		languages: Object.keys(summary.languages),
		keys: keys.filter((k) => k.kind === 'search').map((k) => k.key),
		facets: keys.filter((k) => k.kind === 'list').map((k) => counts.get(k.key) ?? { key: k.key, values: [], distinct: 0 }),
		matching,
		page,
	}
}

export default function BrowseSamples() {
	const { t } = useTranslation(['datasets', 'common'])
	const { dataset, version, filters, languages, keys, facets, matching, page } = useLoaderData<typeof loader>()
	const versionPath = `/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`
	const active = new Set(filters.attributes.map((a) => `${a.path}:${a.value}`))
	const searchKeys = new Set(keys)
	const current = new URLSearchParams()
	if (filters.q) current.set('q', filters.q)
	if (filters.language) current.set('language', filters.language)
	for (const a of filters.attributes) {
		if (searchKeys.has(a.path)) current.append(`value:${a.path}`, a.value)
		else current.append('attr', `${a.path}:${a.value}`)
	}
	for (const [k, v] of Object.entries(filters.find)) current.set(`find:${k}`, v)
	const withParams = (change: (p: URLSearchParams) => void) => {
		const p = new URLSearchParams(current)
		change(p)
		return `?${p}`
	}
	const filtered = !!(filters.q || filters.language || filters.attributes.length)
	return (
		<div className="flex flex-col gap-6">
			<PageHeader crumbs={datasetCrumbs(t, dataset, version)} title={t('samples.heading', { label: version.label, count: version.sampleCount })} />
			<div className="grid gap-6 lg:grid-cols-[16rem_1fr]">
				{/* Keyed by the filters so "Clear filters" (a client navigation) also resets the inputs. */}
				<Form key={JSON.stringify(filters)} method="get" className="flex flex-col gap-4" aria-label={t('samples.filters')}>
					{filters.more ? <input type="hidden" name="more" value={filters.more} /> : null}
					<div>
						<label htmlFor="q" className="label">
							{t('samples.search')}
						</label>
						<input id="q" name="q" type="search" defaultValue={filters.q ?? ''} className="input" dir="auto" aria-describedby="q-help" />
						<p id="q-help" className="mt-1 text-xs text-slate-700">
							{t('samples.searchHelp')}
						</p>
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
					<button type="submit" className="btn btn-primary">
						{t('samples.apply')}
					</button>
					{keys.map((key) => {
						const id = `value-${key}`.replace(/[^A-Za-z0-9_-]/g, '_')
						return (
							<div key={key}>
								<label htmlFor={id} className="label">
									{t('samples.exactValue', { key })}
								</label>
								<input id={id} name={`value:${key}`} type="search" dir="auto" className="input" defaultValue={filters.attributes.find((a) => a.path === key)?.value ?? ''} />
							</div>
						)
					})}
					{facets.map((f) => {
						const shown = new Set(f.values.map((v) => v.value))
						// A chosen value stays on the list even when no sample left has it.
						const values = [...f.values, ...filters.attributes.filter((a) => a.path === f.key && !shown.has(a.value)).map((a) => ({ value: a.value, count: 0 }))]
						const findId = `find-${f.key}`.replace(/[^A-Za-z0-9_-]/g, '_')
						const expanded = filters.more === f.key || f.key in filters.find
						return (
							<fieldset key={f.key} className="flex flex-col gap-1" data-facet={f.key}>
								<legend className="label">{f.key}</legend>
								<div className="flex max-h-72 flex-col gap-1 overflow-y-auto">
									{values.map(({ value, count }) => {
										const token = `${f.key}:${value}`
										const id = `attr-${f.key}-${value}`.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.codePointAt(0)!.toString(16)}`)
										return (
											<div key={value} className="flex items-center gap-2 text-sm">
												<input type="checkbox" id={id} name="attr" value={token} defaultChecked={active.has(token)} />
												<label htmlFor={id} dir="auto">
													{value} <span className="text-slate-700">({count})</span>
												</label>
											</div>
										)
									})}
									{values.length === 0 ? <p className="text-sm text-slate-700">{t('samples.noValues')}</p> : null}
								</div>
								{f.distinct > f.values.length && filters.more !== f.key ? (
									<Link to={withParams((p) => p.set('more', f.key))} className="text-sm">
										{t('samples.moreValues', { count: f.distinct })}
									</Link>
								) : null}
								{expanded ? (
									<Link to={withParams((p) => (p.delete('more'), p.delete(`find:${f.key}`)))} className="text-sm">
										{t('samples.fewerValues')}
									</Link>
								) : null}
								<label htmlFor={findId} className="sr-only">
									{t('samples.findValue', { key: f.key })}
								</label>
								<input
									id={findId}
									name={`find:${f.key}`}
									type="search"
									dir="auto"
									className="input text-sm"
									placeholder={t('samples.findValue', { key: f.key })}
									defaultValue={filters.find[f.key] ?? ''}
								/>
							</fieldset>
						)
					})}
					<Link to={`${versionPath}/samples`} className="text-sm">
						{t('samples.clear')}
					</Link>
				</Form>
				<section aria-labelledby="results-heading" className="flex flex-col gap-3">
					<h2 id="results-heading" className="sr-only">
						{t('samples.results')}
					</h2>
					<p role="status" data-testid="matching">
						{filtered ? t('samples.matching', { count: matching }) : t('samples.heading', { label: version.label, count: version.sampleCount })}
					</p>
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
									{s.snippet.map((part, i) => (part.hit ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
								</p>
							</li>
						))}
					</ul>
					<nav aria-label={t('samples.pagination')} className="flex gap-3">
						{filters.after ? (
							<Link to={withParams((p) => p.delete('after'))} className="btn">
								{t('samples.firstPage')}
							</Link>
						) : null}
						{page.nextCursor ? (
							<Link to={withParams((p) => p.set('after', page.nextCursor!))} className="btn">
								{t('samples.nextPage')}
							</Link>
						) : null}
					</nav>
				</section>
			</div>
		</div>
	)
}
