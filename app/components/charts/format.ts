import { useTranslation } from 'react-i18next'
import { directionOf } from '#app/utils/i18n.ts'

/** Numbers in the page language (Arabic gets its own digits and separators), and the page direction. */
export function useChartFormat() {
	const { i18n } = useTranslation()
	const lang = i18n.language || 'en'
	const integer = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 })
	const percent = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 })
	return {
		lang,
		dir: directionOf(lang),
		number: (n: number) => integer.format(n),
		percent: (x: number) => percent.format(x),
	}
}

/** SVG text does not wrap: long labels are shortened in the chart (the table keeps them whole). */
export function shorten(label: string, max = 26): string {
	const chars = [...label]
	return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : label
}
