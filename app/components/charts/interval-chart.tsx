import { max } from 'd3-array'
import { useId } from 'react'
import { ValueAxis } from './axis.tsx'
import { ChartTable } from './chart-table.tsx'
import { shorten, useChartFormat } from './format.ts'
import { barLayout, chartGeometry, plotScales } from './layout.ts'

export type IntervalRow = { key: string; label: string; successes: number; n: number; rate: number; low: number; high: number; /** Written after the whiskers. */ note?: string }

type Props = {
	title: string
	description: string
	rows: IntervalRow[]
	labelHeader: string
	tableLabel: string
	headers: { successes: string; n: string; rate: string; interval: string }
	/** A dashed line across the rows, e.g. the rate over everything. */
	reference?: { value: number; label: string }
}

/**
 * Rates with their confidence intervals: a dot at the rate, whiskers from the lower to the upper
 * bound, "rate (successes/n)" written after. The axis runs from the inline-start side, mirrored
 * in right-to-left pages; the same numbers are in the table.
 */
export function IntervalChart({ title, description, rows, labelHeader, tableLabel, headers, reference }: Props) {
	const id = useId()
	const f = useChartFormat()
	const rtl = f.dir === 'rtl'
	const g = chartGeometry(rows.length)
	const top = Math.max(max(rows, (r) => r.high) ?? 0, reference?.value ?? 0, 0.05)
	const { x, y } = plotScales(g, { rtl, rowKeys: rows.map((r) => r.key), end: Math.min(1, top), nice: true })
	const { label: labelX, after } = barLayout(g, rtl)
	const cap = y.bandwidth() / 3
	return (
		<figure className="flex flex-col gap-2">
			<figcaption className="font-medium">{title}</figcaption>
			{reference ? (
				<p className="text-sm text-slate-700" aria-hidden="true">
					<span className="me-1 inline-block w-6 border-t-2 border-dashed border-slate-700 align-middle" /> {reference.label}
				</p>
			) : null}
			<svg role="img" aria-labelledby={`${id}-title ${id}-desc`} viewBox={`0 0 ${g.width} ${g.height}`} className="h-auto w-full" direction={f.dir} fontSize={13} fontFamily="inherit">
				<title id={`${id}-title`}>{title}</title>
				<desc id={`${id}-desc`}>{description}</desc>
				<ValueAxis x={x} g={g} format={f.percent} />
				{reference ? <line x1={x(reference.value)} x2={x(reference.value)} y1={g.top} y2={g.axisY} stroke="#334155" strokeWidth={1.5} strokeDasharray="5 4" /> : null}
				{rows.map((r) => {
					const cy = (y(r.key) ?? 0) + y.bandwidth() / 2
					const [lo, hi, at] = [x(r.low), x(r.high), x(r.rate)]
					return (
						<g key={r.key}>
							<text x={labelX} y={cy} dominantBaseline="middle" textAnchor="end" fill="#0f172a">
								<title>{r.label}</title>
								{shorten(r.label)}
							</text>
							<g stroke="#3730a3" strokeWidth={2}>
								<line x1={lo} x2={hi} y1={cy} y2={cy} />
								<line x1={lo} x2={lo} y1={cy - cap} y2={cy + cap} />
								<line x1={hi} x2={hi} y1={cy - cap} y2={cy + cap} />
							</g>
							<circle cx={at} cy={cy} r={4.5} fill="#3730a3" stroke="#fff" strokeWidth={1} />
							<text x={after(hi)} y={cy} dominantBaseline="middle" textAnchor="start" fill="#0f172a" fontWeight={600}>
								{r.note ?? `${f.percent(r.rate)} (${f.number(r.successes)}/${f.number(r.n)})`}
							</text>
						</g>
					)
				})}
			</svg>
			<ChartTable
				summary={tableLabel}
				caption={title}
				headers={[labelHeader, headers.successes, headers.n, headers.rate, headers.interval]}
				rows={rows.map((r) => [r.label, f.number(r.successes), f.number(r.n), f.percent(r.rate), `${f.percent(r.low)} – ${f.percent(r.high)}`])}
			/>
		</figure>
	)
}
