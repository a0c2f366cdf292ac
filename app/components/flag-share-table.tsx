import { useTranslation } from 'react-i18next'
import { ColumnHeadings } from '#app/components/column-headings.tsx'
import { useChartFormat } from '#app/components/charts/format.ts'
import { type Interval } from '#app/domain/metrics.ts'

export type FlagShareRow = { key: string; label: string; samples?: number; reviewed: number; flagged: number; interval: Interval | null }

/**
 * Groups of samples side by side: how many were reviewed (skips do not count), how many of those
 * anyone flagged, the flagged share and its 95 % interval; with `samples`, also how many the group
 * holds. The Signals page compares a value's samples with and without its words; the insights
 * compare a signal-aimed round's favoured samples with the others.
 */
export function FlagShareTable({ id, caption, rows, testId }: { id: string; caption: string; rows: FlagShareRow[]; testId: string }) {
	const { t } = useTranslation('signals')
	const f = useChartFormat()
	const withSamples = rows.some((r) => r.samples !== undefined)
	const columns: Array<[key: string, align: 'start' | 'end']> = [
		['people.group', 'start'],
		...(withSamples ? [['people.samples', 'end'] as [string, 'end']] : []),
		['people.reviewed', 'end'],
		['people.flagged', 'end'],
		['people.share', 'end'],
		['people.interval', 'end'],
	]
	return (
		<div className="overflow-x-auto">
			<table className="w-full text-start" data-testid={testId}>
				<caption className="text-start text-sm text-slate-700" dir="auto">
					{caption}
				</caption>
				<ColumnHeadings ns="signals" columns={columns} />
				<tbody>
					{rows.map((r) => (
						<tr key={r.key} id={`${id}-${r.key}`}>
							<th scope="row" className="text-start font-medium">
								{r.label}
							</th>
							{withSamples ? <td className="text-end tabular-nums">{f.number(r.samples ?? 0)}</td> : null}
							<td className="text-end tabular-nums">{f.number(r.reviewed)}</td>
							<td className="text-end tabular-nums">{f.number(r.flagged)}</td>
							<td className="text-end tabular-nums">{r.interval ? f.percent(r.interval.rate) : t('people.none')}</td>
							<td className="text-end tabular-nums">{r.interval ? t('people.intervalValue', { low: f.percent(r.interval.low), high: f.percent(r.interval.high) }) : t('people.none')}</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	)
}
