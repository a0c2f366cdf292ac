import { scaleBand, scaleLinear } from 'd3-scale'

/** Shared frame of the horizontal charts: a label column, the plot, room for a value after each mark. */
export function chartGeometry(rowCount: number) {
	const width = 640
	const top = 6
	const rowHeight = 30
	const axisY = top + Math.max(1, rowCount) * rowHeight
	return { width, top, rowHeight, labelWidth: 190, endWidth: 130, axisY, height: axisY + 24 }
}

export type ChartGeometry = ReturnType<typeof chartGeometry>

/**
 * Where the row labels sit and how far past a mark its value is written. The SVG takes the page
 * direction, so `text-anchor="end"` puts a label against the plot on both sides and "start" makes
 * a value read away from its mark; only the x positions are mirrored here.
 */
export function barLayout(g: ChartGeometry, rtl: boolean) {
	return {
		label: rtl ? g.width - g.labelWidth + 8 : g.labelWidth - 8,
		after: (x: number) => (rtl ? x - 6 : x + 6),
	}
}

/**
 * The scales of a horizontal chart: values from 0 to `end` along x, from the inline-start side of
 * the plot (mirrored in right-to-left pages), and one band per row along y. `nice` rounds the end
 * up to a tick; a fixed end (e.g. the samples in a round) is left as given.
 */
export function plotScales(g: ChartGeometry, { rtl, rowKeys, end, nice }: { rtl: boolean; rowKeys: string[]; end: number; nice: boolean }) {
	const x = scaleLinear()
		.domain([0, end])
		.range(rtl ? [g.width - g.labelWidth, g.endWidth] : [g.labelWidth, g.width - g.endWidth])
	if (nice) x.nice(4)
	const y = scaleBand<string>()
		.domain(rowKeys)
		.range([g.top, g.top + rowKeys.length * g.rowHeight])
		.paddingInner(0.3)
		.paddingOuter(0.15)
	return { x, y }
}
