import { type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { type TFunction } from 'i18next'
import { type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { severities } from '#app/domain/enums.ts'
import { BarChart } from '#app/components/charts/bar-chart.tsx'
import { useChartFormat } from '#app/components/charts/format.ts'
import { IntervalChart } from '#app/components/charts/interval-chart.tsx'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { FlagShareTable } from '#app/components/flag-share-table.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import { isSignalSelection } from '#app/domain/signals/selection.ts'
import { alphaReading, type AlphaResult, formatAgreement } from '#app/domain/metrics.ts'
import { getAgreement, getCoverage, getFlagBreakdown, getFlagRateByAttribute, getParticipation, listMinoritySignal } from '#app/models/insight-figures.server.ts'
import { pendingInsightChanges } from '#app/models/insight-upkeep.server.ts'
import { attributeChoices, listInsightRounds } from '#app/models/insights.server.ts'
import { getSignalSelectionRates } from '#app/models/signal-selection.server.ts'
import { getImportSummary } from '#app/models/version.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = {
	i18n: ['datasets', 'insights', 'review', 'rounds', 'issues', 'signals'],
	title: (t, data) => {
		const d = data as { version?: { label: string } } | undefined
		return d?.version ? `${t('insights:title')} · ${d.version.label}` : t('insights:title')
	},
}

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	const url = new URL(request.url)
	const [rounds, summary] = await Promise.all([listInsightRounds(version.id), version.currentImportId ? getImportSummary(version.currentImportId) : null])
	const roundParam = url.searchParams.get('round') || null
	const round = roundParam ? rounds.find((r) => r.id === roundParam) : null
	invariantResponse(!roundParam || round, 'Not found', { status: 404 })
	const choices = attributeChoices(summary?.facets ?? {})
	// Only a key counted at import may be read out of the samples' metadata.
	const wanted = url.searchParams.get('attribute')
	const attribute = choices.find((c) => c.key === wanted)?.key ?? choices.find((c) => c.values > 1)?.key ?? choices[0]?.key ?? null
	const page = Math.min(10_000, Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1))
	const scope = { versionId: version.id, roundId: round?.id ?? null }
	const aimed = round && isSignalSelection(round.signalSelection) ? round.signalSelection : null
	// The figures kept by the insights job (decision 057), with what it has not counted yet.
	const [coverage, participation, flags, rate, agreement, minority, signalRates, pending] = await Promise.all([
		getCoverage(scope),
		getParticipation(scope),
		getFlagBreakdown(scope),
		attribute ? getFlagRateByAttribute(scope, attribute) : Promise.resolve(null),
		getAgreement(scope),
		listMinoritySignal(scope, page),
		round && aimed ? getSignalSelectionRates(round.id, aimed) : Promise.resolve(null),
		pendingInsightChanges(scope),
	])
	return {
		dataset: { slug: dataset.slug, name: dataset.name },
		version: { label: version.label },
		rounds: rounds.map((r) => ({ id: r.id, title: r.title })),
		round: round ? { id: round.id, title: round.title, overlap: round.overlap } : null,
		attributes: choices.map((c) => c.key),
		attribute,
		coverage,
		participation,
		flags,
		rate,
		agreement,
		minority,
		signalSelection: aimed && signalRates ? { attribute: aimed.attribute, rates: signalRates } : null,
		pending: { units: pending.units, seconds: pending.since ? Math.max(0, Math.round((Date.now() - Date.parse(pending.since)) / 1000)) : 0 },
	}
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>

export default function InsightsPage() {
	const { t } = useTranslation(['insights', 'datasets'])
	const data = useLoaderData<typeof loader>()
	const { dataset, version, rounds, round, attributes, attribute } = data
	return (
		<div className="flex flex-col gap-8">
			<PageHeader crumbs={datasetCrumbs(t, dataset, version)} title={t('heading', { label: version.label })} />
			<p className="text-slate-700">{t('intro')}</p>
			<p>
				<Link to={`/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}/signals`}>{t('signals:link')}</Link>
			</p>
			{rounds.length === 0 ? (
				<p className="card">{t('noRounds')}</p>
			) : (
				<>
					<Form method="get" className="card flex flex-wrap items-end gap-4" aria-label={t('filters.label')}>
						<div className="flex min-w-56 flex-col gap-1">
							<label htmlFor="insights-round" className="text-sm font-medium">
								{t('filters.round')}
							</label>
							<select id="insights-round" name="round" defaultValue={round?.id ?? ''} className="input">
								<option value="">{t('filters.allRounds')}</option>
								{rounds.map((r) => (
									<option key={r.id} value={r.id}>
										{r.title}
									</option>
								))}
							</select>
						</div>
						{attributes.length ? (
							<div className="flex min-w-56 flex-col gap-1">
								<label htmlFor="insights-attribute" className="text-sm font-medium">
									{t('filters.attribute')}
								</label>
								<select id="insights-attribute" name="attribute" defaultValue={attribute ?? ''} className="input">
									{attributes.map((key) => (
										<option key={key} value={key}>
											{key}
										</option>
									))}
								</select>
							</div>
						) : null}
						<button type="submit" className="btn">
							{t('filters.apply')}
						</button>
					</Form>
					<p className="font-medium">{round ? t('scope.round', { title: round.title }) : t('scope.version', { label: version.label })}</p>
					{data.pending.units ? (
						<p role="status" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
							{t('pending', { count: data.pending.units, seconds: data.pending.seconds })}
						</p>
					) : null}
					<Coverage coverage={data.coverage} />
					<Participation participation={data.participation} />
					<Flags flags={data.flags} />
					{data.signalSelection ? <SignalSelectionSection selection={data.signalSelection} /> : null}
					<Rate rate={data.rate} />
					<AgreementSection agreement={data.agreement} />
					<Minority minority={data.minority} base={`/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`} query={{ round: round?.id ?? '', attribute: attribute ?? '' }} />
				</>
			)}
		</div>
	)
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
	return (
		<section aria-labelledby={`${id}-heading`} className="card flex flex-col gap-3 break-inside-avoid">
			<h2 id={`${id}-heading`}>{title}</h2>
			{children}
		</section>
	)
}

/** A round aimed where the signals are: were the samples the signals favoured flagged more than the round's others? */
function SignalSelectionSection({ selection }: { selection: NonNullable<Data['signalSelection']> }) {
	const { t } = useTranslation(['insights', 'signals'])
	const { selected, other } = selection.rates
	return (
		<Section id="signal-selection" title={t('signalSelection.title')}>
			<p className="text-slate-700">{t('signalSelection.body', { attribute: selection.attribute })}</p>
			<FlagShareTable
				id="signal-selection"
				testId="signal-selection-rates"
				caption={t('signalSelection.caption', { attribute: selection.attribute })}
				rows={[
					{ key: 'selected', label: t('signalSelection.selected'), ...selected },
					{ key: 'other', label: t('signalSelection.other'), ...other },
				]}
			/>
		</Section>
	)
}

function Coverage({ coverage }: { coverage: Data['coverage'] }) {
	const { t } = useTranslation('insights')
	const f = useChartFormat()
	const { total, rounds } = coverage
	const share = (a: number, b: number) => f.percent(b ? a / b : 0)
	const max = Math.max(1, ...rounds.map((r) => r.samples))
	return (
		<Section id="coverage" title={t('coverage.title')}>
			<p className="text-sm text-slate-700">{t('coverage.explain')}</p>
			<p>{t('coverage.summary', { count: total.samples, covered: f.number(total.covered), started: f.number(total.started), percent: share(total.covered, total.samples) })}</p>
			<BarChart
				title={t('coverage.chartTitle')}
				description={t('coverage.chartDesc', {
					details: rounds.map((r) => t('coverage.chartDescRow', { round: r.title, covered: f.number(r.covered), total: f.number(r.samples), k: f.number(r.overlap) })).join(' '),
				})}
				labelHeader={t('coverage.round')}
				tableLabel={t('chart.table')}
				totalHeader={t('coverage.total')}
				domainMax={max}
				series={[
					{ key: 'covered', label: t('coverage.covered'), color: '#3730a3' },
					{ key: 'started', label: t('coverage.started'), color: '#a5b4fc' },
					{ key: 'waiting', label: t('coverage.notStarted'), color: '#f1f5f9' },
				]}
				rows={rounds.map((r) => ({
					key: r.roundId,
					label: r.title,
					values: { covered: r.covered, started: r.started - r.covered, waiting: Math.max(0, r.samples - r.started) },
					note: t('coverage.note', { covered: f.number(r.covered), total: f.number(r.samples), percent: share(r.covered, r.samples) }),
				}))}
			/>
		</Section>
	)
}

function Participation({ participation }: { participation: Data['participation'] }) {
	const { t } = useTranslation(['insights', 'rounds'])
	const f = useChartFormat()
	const shown = (n: number | null) => (n === null ? t('fewerThan3') : f.number(n))
	return (
		<Section id="participation" title={t('participation.title')}>
			<p className="text-sm text-slate-700">{t('participation.explain')}</p>
			<RoleTable
				roles={participation.roles}
				headers={[t('participation.invited'), t('participation.joined'), t('participation.active'), t('participation.withdrawn')]}
				cells={(r) => [shown(r.invited), shown(r.joined), shown(r.active), shown(r.withdrawn)]}
			/>
			<p>{participation.totalJoined === null ? t('participation.totalWithheld') : t('participation.total', { total: f.number(participation.totalJoined) })}</p>
			<h3 className="font-medium">{t('participation.verdictsTitle')}</h3>
			<RoleTable
				roles={participation.roles}
				headers={[t('participation.noConcerns'), t('participation.flagged'), t('participation.skipped')]}
				cells={(r) => (r.verdicts ? [f.number(r.verdicts.no_concerns), f.number(r.verdicts.flagged), f.number(r.verdicts.skipped)] : { withheld: t('participation.withheld') })}
			/>
		</Section>
	)
}

type RoleRow = Data['participation']['roles'][number]

/**
 * One row per role, a count per column; a withheld row says so once across all its columns. Not
 * ChartTable: these tables are the content itself, shown open, not the data behind a chart.
 */
function RoleTable({ roles, headers, cells }: { roles: RoleRow[]; headers: string[]; cells: (role: RoleRow) => string[] | { withheld: string } }) {
	const { t } = useTranslation(['insights', 'rounds'])
	return (
		<div className="overflow-x-auto">
			<table className="w-full border-collapse text-sm">
				<thead>
					<tr className="border-b border-slate-300">
						<th scope="col" className="py-2 pe-3 text-start">
							{t('participation.role')}
						</th>
						{headers.map((h, i) => (
							<th key={i} scope="col" className="py-2 pe-3 text-end">
								{h}
							</th>
						))}
					</tr>
				</thead>
				<tbody>
					{roles.map((r) => {
						const row = cells(r)
						return (
							<tr key={r.role} className="border-b border-slate-200">
								<th scope="row" className="py-2 pe-3 text-start font-normal">
									{t(`rounds:roles.${r.role}`)}
								</th>
								{Array.isArray(row) ? (
									row.map((c, i) => (
										<td key={i} className="py-2 pe-3 text-end tabular-nums">
											{c}
										</td>
									))
								) : (
									<td colSpan={headers.length} className="py-2 pe-3 text-end text-slate-700">
										{row.withheld}
									</td>
								)}
							</tr>
						)
					})}
				</tbody>
			</table>
		</div>
	)
}

function Flags({ flags }: { flags: Data['flags'] }) {
	const { t } = useTranslation(['insights', 'review'])
	const f = useChartFormat()
	const rows = flags.byCategory.filter((c) => c.flags > 0).sort((a, b) => b.flags - a.flags)
	const category = (c: string) => t(`review:categories.${c}.label`)
	const colors = { minor: '#c7d2fe', major: '#6366f1', critical: '#312e81' } as const
	return (
		<Section id="flags" title={t('flags.title')}>
			{flags.total === 0 ? (
				<p>{t('flags.none')}</p>
			) : (
				<>
					<p>
						{t('flags.total', { count: flags.total })} {flags.bySeverity.map((s) => `${t(`review:severity.${s.severity}`)}: ${f.number(s.flags)}`).join(' · ')}
					</p>
					<BarChart
						title={t('flags.chartTitle')}
						description={t('flags.chartDesc', { details: rows.map((r) => t('flags.chartDescRow', { category: category(r.category), n: f.number(r.flags) })).join(' ') })}
						labelHeader={t('flags.category')}
						tableLabel={t('chart.table')}
						totalHeader={t('flags.allSeverities')}
						series={severities.map((s) => ({ key: s, label: t(`review:severity.${s}`), color: colors[s] }))}
						rows={rows.map((r) => ({ key: r.category, label: category(r.category), values: r.bySeverity }))}
					/>
				</>
			)}
		</Section>
	)
}

function Rate({ rate }: { rate: Data['rate'] }) {
	const { t } = useTranslation('insights')
	const f = useChartFormat()
	if (!rate) {
		return (
			<Section id="rate" title={t('rate.title')}>
				<p>{t('filters.noAttributes')}</p>
			</Section>
		)
	}
	const rows = [
		...rate.rows.map((r) => ({ key: `v:${r.value}`, label: r.value ?? t('rate.notSet'), r })),
		...(rate.other ? [{ key: 'other', label: t('rate.otherValues', { count: rate.other.values }), r: rate.other }] : []),
		...(rate.missing ? [{ key: 'missing', label: t('rate.notSet'), r: rate.missing }] : []),
	].flatMap(({ key, label, r }) =>
		r.interval
			? [
					{
						key,
						label,
						successes: r.flagged,
						n: r.reviewed,
						rate: r.interval.rate,
						low: r.interval.low,
						high: r.interval.high,
						note: t('rate.note', { rate: f.percent(r.interval.rate), flagged: f.number(r.flagged), n: f.number(r.reviewed) }),
					},
				]
			: [],
	)
	const overall = rate.overall.interval
	return (
		<Section id="rate" title={t('rate.title')}>
			<p className="text-sm text-slate-700">{t('rate.explain', { attribute: rate.attribute })}</p>
			{!overall ? (
				<p>{t('rate.none')}</p>
			) : (
				<IntervalChart
					title={t('rate.chartTitle', { attribute: rate.attribute })}
					description={t('rate.chartDesc', {
						attribute: rate.attribute,
						details: rows.map((r) => t('rate.chartDescRow', { value: r.label, rate: f.percent(r.rate), n: f.number(r.n), low: f.percent(r.low), high: f.percent(r.high) })).join(' '),
					})}
					labelHeader={t('rate.value')}
					tableLabel={t('chart.table')}
					headers={{ successes: t('rate.flagged'), n: t('rate.reviewed'), rate: t('rate.rateHeader'), interval: t('rate.interval') }}
					reference={{ value: overall.rate, label: t('rate.overall', { rate: f.percent(overall.rate), flagged: f.number(rate.overall.flagged), n: f.number(rate.overall.reviewed) }) }}
					rows={rows}
				/>
			)}
		</Section>
	)
}

function alphaText(t: TFunction, f: ReturnType<typeof useChartFormat>, result: AlphaResult) {
	if (result.alpha === null) return { value: t('notAvailable'), reading: t(result.reason === 'no_variation' ? 'agreement.noVariation' : 'agreement.noPairableUnits') }
	// Three decimals at least: the reading is against 0.667 and 0.800 (see formatAgreement).
	return { value: formatAgreement(result.alpha, f.lang), reading: t(`agreement.${alphaReading(result.alpha)}`) }
}

function AgreementSection({ agreement }: { agreement: Data['agreement'] }) {
	const { t } = useTranslation(['insights', 'review'])
	const f = useChartFormat()
	const rows = [
		{ key: 'overall', label: t('agreement.overall'), result: agreement.overall },
		...agreement.byCategory.map((c) => ({ key: c.category, label: t(`review:categories.${c.category}.label`), result: c.result })),
	]
	return (
		<Section id="agreement" title={t('agreement.title')}>
			<p className="text-sm text-slate-700">{t('agreement.explain')}</p>
			<div className="overflow-x-auto">
				<table className="w-full border-collapse text-sm">
					<thead>
						<tr className="border-b border-slate-300">
							<th scope="col" className="py-2 pe-3 text-start">
								{t('agreement.category')}
							</th>
							<th scope="col" className="py-2 pe-3 text-end">
								{t('agreement.alpha')}
							</th>
							<th scope="col" className="py-2 pe-3 text-end">
								{t('agreement.units')}
							</th>
							<th scope="col" className="py-2 pe-3 text-start">
								{t('agreement.reading')}
							</th>
						</tr>
					</thead>
					<tbody>
						{rows.map((r, i) => {
							const text = alphaText(t, f, r.result)
							return (
								<tr key={r.key} className={`border-b border-slate-200 ${i === 0 ? 'font-semibold' : ''}`}>
									<th scope="row" className="py-2 pe-3 text-start font-[inherit]">
										{r.label}
									</th>
									<td className="py-2 pe-3 text-end tabular-nums">{text.value}</td>
									<td className="py-2 pe-3 text-end tabular-nums">{f.number(r.result.pairableUnits)}</td>
									<td className="py-2 pe-3 text-start">{text.reading}</td>
								</tr>
							)
						})}
					</tbody>
				</table>
			</div>
		</Section>
	)
}

function Minority({ minority, base, query }: { minority: Data['minority']; base: string; query: { round: string; attribute: string } }) {
	const { t } = useTranslation(['insights', 'review', 'issues'])
	const f = useChartFormat()
	const pages = Math.max(1, Math.ceil(minority.total / minority.pageSize))
	const pageLink = (page: number) =>
		`?${new URLSearchParams({ ...(query.round ? { round: query.round } : {}), ...(query.attribute ? { attribute: query.attribute } : {}), page: String(page) })}#minority-heading`
	const severity = (n: number) => (n >= 1 ? t(`review:severity.${severities[n - 1]}`) : t('notAvailable'))
	return (
		<Section id="minority" title={t('minority.title')}>
			<p className="text-sm text-slate-700">{t('minority.explain')}</p>
			{minority.total === 0 ? (
				<p>{t('minority.none')}</p>
			) : (
				<>
					<p>{t('minority.count', { count: minority.total })}</p>
					<div className="overflow-x-auto">
						<table className="w-full border-collapse text-sm">
							<thead>
								<tr className="border-b border-slate-300">
									<th scope="col" className="py-2 pe-3 text-start">
										{t('minority.sample')}
									</th>
									<th scope="col" className="py-2 pe-3 text-start">
										{t('minority.issue')}
									</th>
									<th scope="col" className="py-2 pe-3 text-start">
										{t('minority.categories')}
									</th>
									<th scope="col" className="py-2 pe-3 text-start">
										{t('minority.severity')}
									</th>
									<th scope="col" className="py-2 pe-3 text-end">
										{t('minority.others')}
									</th>
									<th scope="col" className="py-2 pe-3 text-start">
										{t('minority.expert')}
									</th>
								</tr>
							</thead>
							<tbody>
								{minority.rows.map((r) => (
									<tr key={r.externalId} className="border-b border-slate-200">
										<th scope="row" className="py-2 pe-3 text-start font-normal">
											<bdi>{r.externalId}</bdi>
										</th>
										<td className="py-2 pe-3">
											{r.issueNumber !== null ? (
												<Link to={`${base}/issues/${r.issueNumber}`}>{t('minority.issueLink', { number: r.issueNumber, status: t(`issues:status.${r.issueStatus}`) })}</Link>
											) : (
												t('minority.noIssue')
											)}
										</td>
										<td className="py-2 pe-3">{r.categories.map((c) => t(`review:categories.${c}.label`)).join(', ')}</td>
										<td className="py-2 pe-3">{severity(r.maxSeverity)}</td>
										<td className="py-2 pe-3 text-end tabular-nums">{f.number(r.noConcerns)}</td>
										<td className="py-2 pe-3">{r.expertAlso ? t('minority.yes') : t('minority.no')}</td>
									</tr>
								))}
							</tbody>
						</table>
					</div>
					{pages > 1 ? (
						<nav aria-label={t('minority.pages')} className="flex flex-wrap items-center gap-3 text-sm">
							{minority.page > 1 ? <Link to={pageLink(minority.page - 1)}>{t('minority.previous')}</Link> : null}
							<span>{t('minority.page', { page: f.number(minority.page), pages: f.number(pages) })}</span>
							{minority.page < pages ? <Link to={pageLink(minority.page + 1)}>{t('minority.next')}</Link> : null}
						</nav>
					) : null}
				</>
			)}
		</Section>
	)
}
