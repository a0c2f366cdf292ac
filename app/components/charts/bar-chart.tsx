import { max } from 'd3-array'
import { stack } from 'd3-shape'
import { useId } from 'react'
import { ValueAxis } from './axis.tsx'
import { ChartTable } from './chart-table.tsx'
import { shorten, useChartFormat } from './format.ts'
import { barLayout, chartGeometry, plotScales } from './layout.ts'

export type BarSeries = { key: string; label: string; color: string }
export type BarRow = { key: string; label: string; values: Record<string, number>; /** Written after the bar (defaults to the total). */ note?: string }

type Props = {
	title: string
	/** What the chart shows and its main finding, in words: the text alternative. */
	description: string
	rows: BarRow[]
	/** One series draws plain bars; several are stacked in this order from the axis, with a legend. */
	series: BarSeries[]
	labelHeader: string
	tableLabel: string
	/** Column header for the row total in the table (stacked charts). */
	totalHeader?: string
	/** A fixed end of the scale (e.g. the samples in a round); otherwise the largest bar. */
	domainMax?: number
}

/**
 * Horizontal bars, labelled, rendered on the server as SVG (role="img" with its title and
 * description) with the same numbers in a table. Bars start on the inline-start side: on the
 * left in English, on the right in Arabic.
 */
export function BarChart({ title, description, rows, series, labelHeader, tableLabel, totalHeader, domainMax }: Props) {
	const id = useId()
	const f = useChartFormat()
	const rtl = f.dir === 'rtl'
	const g = chartGeometry(rows.length)
	const totals = rows.map((r) => series.reduce((n, s) => n + (r.values[s.key] ?? 0), 0))
	const { x, y } = plotScales(g, { rtl, rowKeys: rows.map((r) => r.key), end: domainMax ?? Math.max(1, max(totals) ?? 0), nice: domainMax === undefined })
	const layers = stack<BarRow>()
		.keys(series.map((s) => s.key))
		.value((row, key) => row.values[key] ?? 0)(rows)
	const { label: labelX, after } = barLayout(g, rtl)
	return (
		<figure className="flex flex-col gap-2">
			<figcaption className="font-medium">{title}</figcaption>
			{series.length > 1 ? (
				<ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-hidden="true">
					{series.map((s) => (
						<li key={s.key} className="flex items-center gap-1.5">
							{/* An SVG swatch: its fill is an attribute, not an inline style, which the page's Content-Security-Policy would block (a blank legend). */}
							<svg width="12" height="12" viewBox="0 0 12 12" className="shrink-0" aria-hidden="true">
								<rect x="0.5" y="0.5" width="11" height="11" rx="2" fill={s.color} stroke="#64748b" />
							</svg>
							{s.label}
						</li>
					))}
				</ul>
			) : null}
			<svg role="img" aria-labelledby={`${id}-title ${id}-desc`} viewBox={`0 0 ${g.width} ${g.height}`} className="h-auto w-full" direction={f.dir} fontSize={13} fontFamily="inherit">
				<title id={`${id}-title`}>{title}</title>
				<desc id={`${id}-desc`}>{description}</desc>
				<ValueAxis x={x} g={g} format={f.number} integers />
				{layers.map((layer, i) => (
					<g key={layer.key} fill={series[i]!.color} stroke="#1e293b" strokeWidth={0.5}>
						{layer.map((point) => {
							const a = x(point[0])
							const b = x(point[1])
							if (a === b) return null
							return <rect key={point.data.key} x={Math.min(a, b)} width={Math.abs(b - a)} y={y(point.data.key)} height={y.bandwidth()} />
						})}
					</g>
				))}
				<g fill="#0f172a">
					{rows.map((r, i) => {
						const cy = (y(r.key) ?? 0) + y.bandwidth() / 2
						return (
							<g key={r.key}>
								<text x={labelX} y={cy} dominantBaseline="middle" textAnchor="end">
									<title>{r.label}</title>
									{shorten(r.label)}
								</text>
								<text x={after(x(totals[i]!))} y={cy} dominantBaseline="middle" textAnchor="start" fontWeight={600}>
									{r.note ?? f.number(totals[i]!)}
								</text>
							</g>
						)
					})}
				</g>
			</svg>
			<ChartTable
				summary={tableLabel}
				caption={title}
				headers={[labelHeader, ...series.map((s) => s.label), ...(series.length > 1 && totalHeader ? [totalHeader] : [])]}
				rows={rows.map((r, i) => [r.label, ...series.map((s) => f.number(r.values[s.key] ?? 0)), ...(series.length > 1 && totalHeader ? [f.number(totals[i]!)] : [])])}
			/>
		</figure>
	)
}
