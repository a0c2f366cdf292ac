import { type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { DateTime } from '#app/components/date-time.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import {
	aboutText,
	blockingSamplesText,
	blockingText,
	categoriesText,
	countText,
	MIN_GROUP_SIZE,
	overrideHeadline,
	roundApprovalHeadline,
	REPORT_NAMESPACES,
	resolutionsText,
	resolutionText,
	roundDates,
	selectionText,
	severityText,
	similarSamplesText,
	statusText,
} from '#app/domain/report.ts'
import { percentText, signalsAbsentText, signalsChosenText, signalTermsText } from '#app/domain/signals/report.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { PipelineDownloads } from './__pipeline-downloads.tsx'
import { requireReport } from './__report.server.ts'

export const handle: RouteHandle = {
	i18n: REPORT_NAMESPACES,
	title: (t, data) => {
		const d = data as { report?: { version: { label: string } } } | undefined
		return d?.report ? t('report:heading', { label: d.report.version.label }) : t('report:title')
	},
}

// Enough for any page a person reads or prints; the downloads hold every issue.
const PAGE_ISSUE_LIMIT = 1000

export async function loader({ request, params }: LoaderFunctionArgs) {
	const report = await requireReport(request, params, { issueLimit: PAGE_ISSUE_LIMIT })
	return { report }
}

const cell = 'border border-slate-300 px-2 py-1 text-start align-top'

function Table({ caption, head, rows }: { caption: string; head: string[]; rows: ReactNode[][] }) {
	return (
		<div className="overflow-x-auto print:overflow-visible">
			<table className="w-full border-collapse bg-white text-sm">
				<caption className="mb-2 text-start font-medium text-slate-800">{caption}</caption>
				<thead>
					<tr>
						{head.map((h) => (
							<th key={h} scope="col" className={`${cell} bg-slate-100`}>
								{h}
							</th>
						))}
					</tr>
				</thead>
				<tbody>
					{rows.map((row, i) => (
						<tr key={i} className="break-inside-avoid">
							{row.map((c, j) =>
								j === 0 ? (
									<th key={j} scope="row" className={`${cell} font-medium`}>
										{c}
									</th>
								) : (
									<td key={j} className={cell}>
										{c}
									</td>
								),
							)}
						</tr>
					))}
				</tbody>
			</table>
		</div>
	)
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
	return (
		<section aria-labelledby={id} className="flex flex-col gap-3">
			<h2 id={id} className="print:break-after-avoid">
				{title}
			</h2>
			{children}
		</section>
	)
}

export default function ReportPage() {
	// A `t` bound to the language (not just following it), so lists are joined the reader's way.
	const { i18n } = useTranslation()
	const { t } = useTranslation(REPORT_NAMESPACES, { lng: i18n.language })
	const { report } = useLoaderData<typeof loader>()
	const { dataset, version, provenance: p, summary: s, gate } = report
	const base = `/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`
	const documented = report.issues.filter((i) => i.resolution === 'documented')
	const responded = report.issues.filter((i) => i.resolution !== 'documented' && i.publicResponse.trim())
	const overrides = report.overrides.history.length ? report.overrides.history : report.overrides.current ? [report.overrides.current] : []
	const text = (value: string) =>
		value ? (
			<span dir="auto" className="whitespace-pre-wrap break-words">
				{value}
			</span>
		) : (
			'—'
		)
	return (
		// The site header and footer belong to the root layout; they are left out only when this page is printed.
		<article aria-labelledby="report-title" className="flex flex-col gap-8 print:gap-5 print:text-sm print:[body:has(&)>footer]:hidden print:[body:has(&)>header]:hidden">
			<div className="print:[&_nav]:hidden">
				<PageHeader crumbs={datasetCrumbs(t, dataset, version)} title={<span id="report-title">{t('report:heading', { label: version.label })}</span>} />
				<dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[12rem_1fr]">
					<dt className="font-medium">{t('report:provenance.version')}</dt>
					<dd>
						<bdi>{dataset.name}</bdi> · <bdi>{version.label}</bdi>
					</dd>
					<dt className="font-medium">{t('report:rounds.status')}</dt>
					<dd>{t(`datasets:versionStatus.${version.status}`)}</dd>
					<dt className="font-medium">{t('report:generated')}</dt>
					<dd>
						<DateTime value={report.generatedAt} />
					</dd>
				</dl>
			</div>

			<p>{t('report:intro')}</p>

			<section aria-labelledby="downloads-heading" className="card flex flex-col gap-2 print:hidden">
				<h2 id="downloads-heading">{t('report:downloads.title')}</h2>
				<ul className="flex flex-wrap gap-2">
					<li>
						<a href={`${base}/report.md`} download className="btn btn-primary">
							{t('report:downloads.markdown')}
						</a>
					</li>
					<li>
						<a href={`${base}/report.csv`} download className="btn">
							{t('report:downloads.csv')}
						</a>
					</li>
					<li>
						<a href={`${base}/report.json`} download className="btn">
							{t('report:downloads.json')}
						</a>
					</li>
				</ul>
				<p className="text-sm text-slate-700">{t('report:downloads.cardHint')}</p>
				<p className="text-sm text-slate-700">{t('report:downloads.printHint')}</p>
			</section>
			<PipelineDownloads base={base} />

			<Section id="provenance-heading" title={t('report:sections.provenance')}>
				<dl className="grid gap-x-6 gap-y-3 sm:grid-cols-[12rem_1fr]">
					{(
						[
							[t('datasets:provenance.modelName'), text(p.modelName)],
							[t('datasets:provenance.modelVersion'), text(p.modelVersion)],
							[t('datasets:provenance.modelProvider'), text(p.modelProvider)],
							[t('datasets:provenance.generationMethod'), t(`datasets:generationMethod.${p.generationMethod}`)],
							[t('datasets:provenance.seedDataDescription'), text(p.seedDataDescription)],
							[t('datasets:provenance.knownLimitations'), text(p.knownLimitations)],
							[t('datasets:provenance.changelog'), text(p.changelog)],
							[t('report:provenance.parent'), version.parent ? <bdi>{version.parent}</bdi> : '—'],
							[t('report:provenance.samples'), version.sampleCount],
						] as const
					).map(([label, value]) => (
						<div key={label} className="contents">
							<dt className="font-medium">{label}</dt>
							<dd>{value}</dd>
						</div>
					))}
				</dl>
				{(
					[
						['promptTemplates', p.promptTemplates],
						['personaDefinitions', p.personaDefinitions],
					] as const
				).map(([key, value]) =>
					value.trim() ? (
						<div key={key} className="flex flex-col gap-1">
							<h3 className="font-medium">{t(`datasets:provenance.${key}`)}</h3>
							<pre dir="auto" className="overflow-x-auto whitespace-pre-wrap break-words rounded bg-slate-100 p-3 text-sm print:bg-transparent print:p-0">
								{value}
							</pre>
						</div>
					) : null,
				)}
			</Section>

			<Section id="rounds-heading" title={t('report:sections.rounds')}>
				{report.rounds.length ? (
					<Table
						caption={t('report:rounds.caption')}
						head={[t('report:rounds.title'), t('report:rounds.stage'), t('report:rounds.status'), t('report:rounds.dates'), t('report:rounds.selectionLabel'), t('report:rounds.overlap')]}
						rows={report.rounds.map((r) => [
							<bdi key="t">{r.title}</bdi>,
							t(`rounds:stage.${r.stage}`),
							t(`rounds:status.${r.status}`),
							<span key="d" dir="ltr">
								{roundDates(r)}
							</span>,
							selectionText(t, r),
							r.overlap,
						])}
					/>
				) : (
					<p>{t('report:rounds.none')}</p>
				)}
			</Section>

			<Section id="participation-heading" title={t('report:sections.participation')}>
				<p>{t('report:participation.note', { min: MIN_GROUP_SIZE })}</p>
				{report.rounds.length ? (
					<Table
						caption={t('report:participation.caption')}
						head={[t('report:rounds.title'), t('report:participation.community'), t('report:participation.experts')]}
						rows={[
							...report.rounds.map((r) => [<bdi key="t">{r.title}</bdi>, countText(t, r.participation.community), countText(t, r.participation.expert)]),
							[t('report:participation.total'), countText(t, report.participation.community), countText(t, report.participation.expert)],
						]}
					/>
				) : null}
			</Section>

			<Section id="signals-heading" title={t('report:sections.signals')}>
				<p>{t('report:signals.method')}</p>
				{signalsAbsentText(t, report.signals) ? (
					<p data-testid="signals-absent">{signalsAbsentText(t, report.signals)}</p>
				) : (
					<>
						<p dir="auto">{signalsChosenText(t, report.signals)}</p>
						<Table
							caption={`${t('report:sections.signals')}: ${report.signals.attribute ?? ''}`}
							head={[t('report:signals.value'), t('report:signals.samples'), t('report:signals.share'), t('report:signals.distinct2'), t('report:signals.terms')]}
							rows={report.signals.values.map((v) => [
								<bdi key="v">{v.value}</bdi>,
								String(v.samples),
								percentText(v.share),
								`${v.distinct2.toFixed(2)}${v.lowDiversity ? ` (${t('report:signals.lowDiversity')})` : ''}`,
								<span key="t" dir="auto">
									{signalTermsText(t, v)}
								</span>,
							])}
						/>
					</>
				)}
			</Section>

			<Section id="issues-heading" title={t('report:sections.issues')}>
				{s.issues ? (
					<>
						<p>{t('report:issues.summary', { count: s.issues, open: s.open, acknowledged: s.acknowledged, resolved: s.resolved, blocking: s.blocking })}</p>
						{blockingSamplesText(t, s) ? <p data-testid="blocking-samples">{blockingSamplesText(t, s)}</p> : null}
						{s.resolved ? (
							<p>
								{t('report:issues.resolutions')}: {resolutionsText(t, s.resolutions)}
							</p>
						) : null}
						{s.listed < s.issues ? <p>{t('report:issues.truncated', { count: s.issues, shown: s.listed })}</p> : null}
						<Table
							caption={t('report:issues.caption')}
							head={[
								t('report:issues.number'),
								t('report:issues.about'),
								t('report:issues.status'),
								t('report:issues.resolution'),
								t('report:issues.blocking'),
								t('report:issues.categories'),
								t('report:issues.severity'),
								t('report:issues.flaggers'),
							]}
							rows={report.issues.map((i) => [
								<Link key="n" to={`${base}/issues/${i.number}`}>
									#{i.number}
								</Link>,
								<span key="a">
									<bdi>{aboutText(t, i)}</bdi>
									{i.similarSamples > 0 ? ` · ${similarSamplesText(t, i)}` : null}
								</span>,
								statusText(t, i),
								resolutionText(t, i),
								blockingText(t, i),
								categoriesText(t, i),
								severityText(t, i),
								i.flaggers,
							])}
						/>
					</>
				) : (
					<p>{t('report:issues.none')}</p>
				)}
			</Section>

			<Section id="documented-heading" title={t('report:sections.documented')}>
				{documented.length ? (
					<ul className="flex list-disc flex-col gap-2 ps-6">
						{documented.map((i) => (
							<li key={i.number}>
								<span className="font-medium">
									#{i.number} · <bdi>{aboutText(t, i)}</bdi>
								</span>{' '}
								({categoriesText(t, i)}): {text(i.publicResponse)}
							</li>
						))}
					</ul>
				) : (
					<p>{t('report:documented.none')}</p>
				)}
			</Section>

			<Section id="responses-heading" title={t('report:sections.responses')}>
				{responded.length ? (
					<ul className="flex list-disc flex-col gap-2 ps-6">
						{responded.map((i) => (
							<li key={i.number}>
								<span className="font-medium">
									#{i.number} · <bdi>{aboutText(t, i)}</bdi>
								</span>{' '}
								({statusText(t, i)}
								{i.resolution ? `: ${resolutionText(t, i)}` : ''}): {text(i.publicResponse)}
							</li>
						))}
					</ul>
				) : (
					<p>{t('report:responses.none')}</p>
				)}
			</Section>

			<Section id="overrides-heading" title={t('report:sections.overrides')}>
				{overrides.length ? (
					<>
						{overrides.map((o, n) => (
							<div key={n} className="flex flex-col gap-1">
								<p>{overrideHeadline(t, o)}</p>
								<blockquote className="border-s-4 border-red-300 ps-3">{text(o.justification)}</blockquote>
							</div>
						))}
						<p>{report.overrides.current ? t('report:overrides.inForce', { count: report.overrides.current.overriddenBlockers }) : t('report:overrides.lapsed')}</p>
					</>
				) : (
					<p>{t('report:overrides.none')}</p>
				)}
			</Section>

			<Section id="round-approvals-heading" title={t('report:sections.roundApprovals')}>
				{report.roundApprovals.length ? (
					report.roundApprovals.map((a, n) => (
						<div key={n} className="flex flex-col gap-1">
							<p>{roundApprovalHeadline(t, a)}</p>
							<blockquote className="border-s-4 border-amber-300 ps-3">{text(a.justification)}</blockquote>
						</div>
					))
				) : (
					<p>{t('report:roundApprovals.none')}</p>
				)}
			</Section>

			<Section id="gate-heading" title={t('report:sections.gate')}>
				<p>
					{t('report:gate.status', { status: t(`datasets:versionStatus.${gate.status}`) })} {t('report:gate.counts', { count: gate.openIssues, blocking: gate.blockingIssues })}{' '}
					<span className={gate.blocked ? 'font-semibold text-red-900' : ''}>{gate.blocked ? t('report:gate.blocked') : t('report:gate.clear')}</span>
				</p>
			</Section>
		</article>
	)
}
