import { createInstance } from 'i18next'
import { renderToStaticMarkup } from 'react-dom/server'
import { I18nextProvider, initReactI18next } from 'react-i18next'
import { describe, expect, test } from 'vitest'
import { BarChart } from '#app/components/charts/bar-chart.tsx'
import { IntervalChart } from '#app/components/charts/interval-chart.tsx'

function render(lng: 'en' | 'ar', element: React.ReactElement) {
	const i18n = createInstance()
	void i18n.use(initReactI18next).init({ lng, resources: {}, initImmediate: false })
	const html = renderToStaticMarkup(<I18nextProvider i18n={i18n}>{element}</I18nextProvider>)
	return new Markup(html)
}

/** Just enough parsing for the assertions: attributes of the chart's elements, in order. */
class Markup {
	constructor(readonly html: string) {}
	all(tag: string) {
		return [...this.html.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) => Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])))
	}
	text(tag: string) {
		return [...this.html.matchAll(new RegExp(`<${tag}\\b[^>]*>(.*?)</${tag}>`, 'gs'))].map((m) => m[1]!)
	}
}

const bars = (
	<BarChart
		title="Flags by category"
		description="Stereotype: 12. Caricature: 3."
		labelHeader="Category"
		tableLabel="Show the data as a table"
		series={[{ key: 'value', label: 'Flags', color: '#3730a3' }]}
		rows={[
			{ key: 'stereotype', label: 'Stereotype', values: { value: 12 } },
			{ key: 'caricature', label: 'Caricature', values: { value: 3 } },
		]}
	/>
)

const intervals = (
	<IntervalChart
		title="Flag rate by region"
		description="Oaxaca 75%, Amman 20%."
		labelHeader="Value"
		tableLabel="Show the data as a table"
		headers={{ successes: 'Flagged', n: 'Reviewed', rate: 'Rate', interval: '95% interval' }}
		reference={{ value: 0.5, label: 'All samples' }}
		rows={[
			{ key: 'o', label: 'Oaxaca', successes: 3, n: 4, rate: 0.75, low: 0.3006, high: 0.9544 },
			{ key: 'a', label: 'Amman', successes: 1, n: 5, rate: 0.2, low: 0.0362, high: 0.6245 },
		]}
	/>
)

describe('charts render on the server as accessible SVG', () => {
	test('role="img" named by its <title> and <desc>, with the numbers in a table too', () => {
		for (const chart of [bars, intervals]) {
			const page = render('en', chart)
			const [svg] = page.all('svg')
			expect(svg!.role).toBe('img')
			const [titleId, descId] = svg!['aria-labelledby']!.split(' ')
			expect(page.all('title').some((t) => t.id === titleId)).toBe(true)
			expect(page.all('desc')[0]!.id).toBe(descId)
			expect(page.html).toContain('<details')
			expect(page.all('table')).toHaveLength(2) // on screen in <details>, and one for print
			expect(page.all('th').filter((t) => t.scope === 'row')).toHaveLength(4)
		}
	})

	test('bars start on the inline-start side: the left in English, mirrored in Arabic', () => {
		const ltr = render('en', bars).all('rect')
		const rtl = render('ar', bars).all('rect')
		expect(ltr.map((r) => Number(r.x))).toEqual([190, 190])
		const ends = rtl.map((r) => Number(r.x) + Number(r.width))
		expect(ends).toEqual([450, 450])
		// Same lengths either way, proportional to the values.
		expect(rtl.map((r) => Number(r.width))).toEqual(ltr.map((r) => Number(r.width)))
		expect(Number(ltr[0]!.width) / Number(ltr[1]!.width)).toBeCloseTo(4, 6)
		expect(render('ar', bars).all('svg')[0]!.direction).toBe('rtl')
	})

	test('interval whiskers follow the page direction, and numbers use the page language', () => {
		const dots = (lng: 'en' | 'ar') =>
			render(lng, intervals)
				.all('circle')
				.map((c) => Number(c.cx))
		const [oaxacaLtr, ammanLtr] = dots('en')
		const [oaxacaRtl, ammanRtl] = dots('ar')
		expect(oaxacaLtr!).toBeGreaterThan(ammanLtr!)
		expect(oaxacaRtl!).toBeLessThan(ammanRtl!)
		const ar = render('ar', intervals)
		expect(ar.html).toContain(new Intl.NumberFormat('ar', { style: 'percent', maximumFractionDigits: 1 }).format(0.75))
		expect(render('en', intervals).html).toContain('75% (3/4)')
	})
})

describe('the value axis, shared by both kinds of chart', () => {
	/** Tick values written under the plot (at y = axisY + 16) and the grid lines across it, in order. */
	function axis(lng: 'en' | 'ar', chart: React.ReactElement) {
		const page = render(lng, chart)
		const labels = page.text('text')
		const ticks = page.all('text').flatMap((t, i) => (t.y === '82' ? [{ x: Number(t.x), label: labels[i]! }] : []))
		const grid = page.all('line').filter((l) => l.y1 === '6' && l.y2 === '66' && l.stroke === undefined)
		return { ticks, grid }
	}

	test('bars: counts from 0 with a solid line at 0 and dotted lines at each tick', () => {
		const { ticks, grid } = axis('en', bars)
		expect(ticks.map((t) => t.label)).toEqual(['0', '2', '4', '6', '8', '10', '12'])
		expect(ticks[0]!.x).toBe(190)
		expect(grid.map((l) => Number(l.x1))).toEqual(ticks.map((t) => t.x))
		expect(grid.map((l) => l['stroke-dasharray'])).toEqual([undefined, ...Array(6).fill('2 3')])
	})

	test('the legend’s colours are SVG fills, never inline styles (the Content-Security-Policy blocks those: a blank legend)', () => {
		const stacked = (
			<BarChart
				title="T"
				description="D"
				labelHeader="C"
				tableLabel="S"
				series={[
					{ key: 'a', label: 'Covered', color: '#3730a3' },
					{ key: 'b', label: 'Started', color: '#a5b4fc' },
				]}
				rows={[{ key: 'r', label: 'R', values: { a: 2, b: 1 } }]}
			/>
		)
		const html = render('en', stacked).html
		expect(html).not.toMatch(/\sstyle=/)
		expect(html).toMatch(/<rect[^>]*fill="#3730a3"[^>]*stroke="#64748b"/)
		expect(html).toMatch(/<rect[^>]*fill="#a5b4fc"[^>]*stroke="#64748b"/)
	})

	test('bars: no fractional ticks for counts', () => {
		const small = (
			<BarChart
				title="T"
				description="D"
				labelHeader="C"
				tableLabel="S"
				series={[{ key: 'v', label: 'V', color: '#000' }]}
				rows={[
					{ key: 'a', label: 'A', values: { v: 2 } },
					{ key: 'b', label: 'B', values: { v: 1 } },
				]}
			/>
		)
		expect(axis('en', small).ticks.map((t) => t.label)).toEqual(['0', '1', '2'])
	})

	test('intervals: percentages, and the reference line is not taken for a grid line', () => {
		const { ticks, grid } = axis('en', intervals)
		expect(ticks.map((t) => t.label)).toEqual(['0%', '20%', '40%', '60%', '80%', '100%'])
		expect(grid).toHaveLength(6)
		expect(grid.map((l) => Number(l.x1))).toEqual(ticks.map((t) => t.x))
	})

	test('the axis starts on the inline-start side and speaks the page language', () => {
		for (const chart of [bars, intervals]) {
			const { ticks } = axis('ar', chart)
			expect(ticks[0]!.x).toBe(450)
			expect(ticks.at(-1)!.x).toBe(130)
		}
		const percent = new Intl.NumberFormat('ar', { style: 'percent', maximumFractionDigits: 1 })
		expect(axis('ar', intervals).ticks.map((t) => t.label)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1].map((n) => percent.format(n)))
	})
})
