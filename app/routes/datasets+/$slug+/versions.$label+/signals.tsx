import { type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { useChartFormat } from '#app/components/charts/format.ts'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { ColumnHeadings } from '#app/components/column-headings.tsx'
import { FlagShareTable } from '#app/components/flag-share-table.tsx'
import { getSignalFlagRates, type FlagShare } from '#app/models/signal-flags.server.ts'
import { getSignals, getSignalValues } from '#app/models/signals.server.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { signalStateText } from './__signal-state.tsx'

export const handle: RouteHandle = {
	i18n: ['signals', 'datasets'],
	title: (t, data) => {
		const d = data as { version?: { label: string } } | undefined
		return d?.version ? `${t('signals:title')} · ${d.version.label}` : t('signals:title')
	},
}

/** The team's view of a version's caricature signals (issue #21), precomputed by the signals job: one attribute at a time. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	const { state, summary } = await getSignals(version.id)
	const wanted = new URL(request.url).searchParams.get('attribute')
	const attribute = summary ? (summary.attributes.find((a) => a === wanted) ?? summary.attributes[0] ?? null) : null
	const values = attribute ? await getSignalValues(version.id, attribute) : []
	// Item 4: the signals against the reviewers' verdicts (null: no verdict yet).
	const flagRates = attribute && values.length ? await getSignalFlagRates(version.id, attribute, values) : null
	return {
		dataset: { slug: dataset.slug, name: dataset.name },
		version: { label: version.label },
		state,
		summary: summary && {
			computedAt: summary.computedAt,
			samples: summary.samples,
			distinct2: summary.distinct2,
			attributes: summary.attributes,
			skipped: summary.skipped,
			fdr: typeof summary.method.fdr === 'number' ? summary.method.fdr : null,
		},
		attribute,
		values,
		flagRates,
	}
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>

// The bar's length in 5 % steps, as literal classes (the stylesheet is built from them; no inline styles under the CSP).
const BAR_LENGTHS = [
	'[inline-size:0%]',
	'[inline-size:5%]',
	'[inline-size:10%]',
	'[inline-size:15%]',
	'[inline-size:20%]',
	'[inline-size:25%]',
	'[inline-size:30%]',
	'[inline-size:35%]',
	'[inline-size:40%]',
	'[inline-size:45%]',
	'[inline-size:50%]',
	'[inline-size:55%]',
	'[inline-size:60%]',
	'[inline-size:65%]',
	'[inline-size:70%]',
	'[inline-size:75%]',
	'[inline-size:80%]',
	'[inline-size:85%]',
	'[inline-size:90%]',
	'[inline-size:95%]',
	'[inline-size:100%]',
] as const
const barClass = (z: number, max: number) => BAR_LENGTHS[Math.max(1, Math.round((Math.max(0, z) / Math.max(max, 1e-9)) * 20))]!

export default function SignalsPage() {
	const { t } = useTranslation(['signals', 'datasets'])
	const f = useChartFormat()
	const { dataset, version, state, summary, attribute, values, flagRates } = useLoaderData<typeof loader>()
	const base = `/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`
	const decimals = new Intl.NumberFormat(f.lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
	return (
		<div className="flex flex-col gap-6">
			<PageHeader crumbs={datasetCrumbs(t, dataset, version)} title={t('heading', { label: version.label })} />
			<section aria-labelledby="method-heading" className="card flex flex-col gap-2">
				<h2 id="method-heading">{t('method.title')}</h2>
				<p>{t('method.body')}</p>
				<p className="text-sm text-slate-700">{t('method.reference', { fdr: f.percent(summary?.fdr ?? 0.05) })}</p>
			</section>
			{!summary ? (
				<p className="card" role="status">
					{state.status === 'failed' ? t('failed', { error: state.error }) : `${t('notReady')} ${t('state.label')} ${signalStateText(t, state, f.number)}`}
				</p>
			) : (
				<>
					<p>{t('summary', { count: summary.samples, distinct2: decimals.format(summary.distinct2) })}</p>
					{summary.attributes.length === 0 ? (
						<p className="card">{t('noAttributes')}</p>
					) : (
						<div className="flex flex-wrap items-end gap-4">
							<Form method="get" className="card flex flex-wrap items-end gap-4" aria-label={t('chooser.label')}>
								<div className="flex min-w-56 flex-col gap-1">
									<label htmlFor="signals-attribute" className="text-sm font-medium">
										{t('chooser.attribute')}
									</label>
									<select id="signals-attribute" name="attribute" defaultValue={attribute ?? ''} className="input">
										{summary.attributes.map((key) => (
											<option key={key} value={key}>
												{key}
											</option>
										))}
									</select>
								</div>
								<button type="submit" className="btn">
									{t('chooser.apply')}
								</button>
							</Form>
							{attribute ? (
								<a href={`${base}/signals.csv?${new URLSearchParams({ attribute })}`} className="btn" download>
									{t('csv')}
								</a>
							) : null}
						</div>
					)}
					{attribute && values.length ? (
						<section aria-labelledby="people-heading" className="card flex flex-col gap-2" data-testid="flag-rates-intro">
							<h2 id="people-heading">{t('people.title')}</h2>
							<p>{flagRates ? t('people.body') : t('people.noVerdicts')}</p>
						</section>
					) : null}
					{attribute
						? values.map((v, i) => (
								<ValueSection
									key={v.value}
									id={`value-${i}`}
									base={base}
									attribute={attribute}
									versionDistinct2={summary.distinct2}
									v={v}
									rates={flagRates?.find((r) => r.value === v.value) ?? null}
								/>
							))
						: null}
					{summary.skipped.length ? (
						<section aria-labelledby="skipped-heading" className="card flex flex-col gap-2">
							<h2 id="skipped-heading">{t('skipped.title')}</h2>
							<ul className="list-disc ps-6">
								{summary.skipped.map((s) => (
									<li key={s.attribute}>{t(`skipped.${s.reason}`, { attribute: s.attribute, count: s.distinct })}</li>
								))}
							</ul>
						</section>
					) : null}
				</>
			)}
		</div>
	)
}

function ValueSection({
	id,
	base,
	attribute,
	versionDistinct2,
	v,
	rates,
}: {
	id: string
	base: string
	attribute: string
	versionDistinct2: number
	v: Data['values'][number]
	rates: NonNullable<Data['flagRates']>[number] | null
}) {
	const { t } = useTranslation('signals')
	const f = useChartFormat()
	const decimals = new Intl.NumberFormat(f.lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
	const z = new Intl.NumberFormat(f.lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
	const max = Math.max(0, ...v.terms.map((term) => term.z))
	const browse = (term: string) =>
		`${base}/samples?${new URLSearchParams([
			['attr', `${attribute}:${v.value}`],
			['q', term],
		])}`
	return (
		<section aria-labelledby={`${id}-heading`} className="card flex flex-col gap-3 break-inside-avoid">
			<h2 id={`${id}-heading`} dir="auto">
				{attribute} = {v.value}
			</h2>
			<p>
				{t('value.samples', { count: v.samples, share: f.percent(v.share) })} {t('value.distinct2', { value: decimals.format(v.distinct2) })}{' '}
				{v.lowDiversity ? (
					<strong className="text-red-800" data-testid="low-diversity">
						{t('value.lowDiversity', { version: decimals.format(versionDistinct2) })}
					</strong>
				) : null}
			</p>
			{v.terms.length === 0 ? (
				<p className="text-slate-700">{t('value.noTerms')}</p>
			) : (
				<div className="overflow-x-auto">
					<table className="w-full text-start">
						<caption className="text-start text-sm text-slate-700" dir="auto">
							{t('terms.caption', { value: v.value })}
						</caption>
						<ColumnHeadings
							ns="signals"
							columns={[
								['terms.term', 'start'],
								['terms.z', 'end'],
								['terms.count', 'end'],
								['terms.strength', 'start'],
								['terms.samples', 'start'],
							]}
						/>
						<tbody>
							{v.terms.map((term) => (
								<tr key={term.term}>
									<th scope="row" className="text-start font-medium" dir="auto">
										{term.term}
									</th>
									<td className="text-end tabular-nums">{z.format(term.z)}</td>
									<td className="text-end tabular-nums">{f.number(term.count)}</td>
									<td className="min-w-24">
										<div className="h-3 w-full rounded-sm bg-slate-100" aria-hidden="true">
											<div className={`h-3 rounded-sm bg-indigo-700 ${barClass(term.z, max)}`} />
										</div>
									</td>
									<td>
										<Link to={browse(term.term)}>
											{t('terms.link')}
											<span className="sr-only"> ({t('terms.linkContext', { attribute, value: v.value, term: term.term })})</span>
										</Link>
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
			{rates ? <FlagRatesTable id={id} value={v.value} hasTerms={v.terms.length > 0} rates={rates} /> : null}
		</section>
	)
}

/** Item 4: verdicts on this value's samples with and without its listed words. */
function FlagRatesTable({ id, value, hasTerms, rates }: { id: string; value: string; hasTerms: boolean; rates: { withTerms: FlagShare; withoutTerms: FlagShare } }) {
	const { t } = useTranslation('signals')
	const groups = hasTerms ? (['withTerms', 'withoutTerms'] as const) : (['withoutTerms'] as const)
	return <FlagShareTable id={id} testId="flag-rates" caption={t('people.caption', { value })} rows={groups.map((key) => ({ key, label: t(`people.${key}`), ...rates[key] }))} />
}
