import { type ScaleLinear } from 'd3-scale'
import { type ChartGeometry } from './layout.ts'

/**
 * The value axis under the rows of a horizontal chart: a solid line at 0, dotted grid lines at
 * the other ticks, and their values written below. `integers` keeps only whole ticks (counts).
 */
export function ValueAxis({ x, g, format, integers = false }: { x: ScaleLinear<number, number>; g: ChartGeometry; format: (n: number) => string; integers?: boolean }) {
	const ticks = integers ? x.ticks(4).filter(Number.isInteger) : x.ticks(4)
	return (
		<>
			<g stroke="#cbd5e1">
				{ticks.map((t) => (
					<line key={t} x1={x(t)} x2={x(t)} y1={g.top} y2={g.axisY} strokeDasharray={t === 0 ? undefined : '2 3'} />
				))}
			</g>
			<g fill="#334155" textAnchor="middle">
				{ticks.map((t) => (
					<text key={t} x={x(t)} y={g.axisY + 16}>
						{format(t)}
					</text>
				))}
			</g>
		</>
	)
}
