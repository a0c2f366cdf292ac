/** Shared frame of the horizontal charts: a label column, the plot, room for a value after each mark. */
export function chartGeometry(rowCount: number) {
	const width = 640
	const top = 6
	const rowHeight = 30
	const axisY = top + Math.max(1, rowCount) * rowHeight
	return { width, top, rowHeight, labelWidth: 190, endWidth: 130, axisY, height: axisY + 24 }
}

/**
 * Where the row labels sit and how far past a mark its value is written. The SVG takes the page
 * direction, so `text-anchor="end"` puts a label against the plot on both sides and "start" makes
 * a value read away from its mark; only the x positions are mirrored here.
 */
export function barLayout(g: ReturnType<typeof chartGeometry>, rtl: boolean) {
	return {
		label: rtl ? g.width - g.labelWidth + 8 : g.labelWidth - 8,
		after: (x: number) => (rtl ? x - 6 : x + 6),
	}
}
