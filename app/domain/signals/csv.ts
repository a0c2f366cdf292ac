import { csvRecord } from '#app/domain/report.ts'
import { type SignalTerm } from './types.ts'

export const SIGNAL_CSV_COLUMNS = ['attribute', 'value', 'samples', 'share', 'distinct2', 'version_distinct2', 'low_diversity', 'rank', 'term', 'z', 'count', 'term_samples'] as const

type CsvValue = { value: string; samples: number; share: number; distinct2: number; lowDiversity: boolean; terms: SignalTerm[] }

/**
 * The Signals page's table as CSV: one row per listed term (a value with none gets one row without
 * a term), formula-safe and RFC 4180 quoted as the report's CSV is (csvRecord).
 */
export function signalsCsv(attribute: string, versionDistinct2: number, values: readonly CsvValue[]): string {
	const rows: string[] = [csvRecord(SIGNAL_CSV_COLUMNS)]
	for (const v of values) {
		const head = [attribute, v.value, v.samples, round(v.share, 4), round(v.distinct2, 4), round(versionDistinct2, 4), v.lowDiversity]
		if (!v.terms.length) rows.push(csvRecord([...head, '', '', '', '', '']))
		v.terms.forEach((t, i) => rows.push(csvRecord([...head, i + 1, t.term, round(t.z, 3), t.count, t.samples])))
	}
	return rows.join('')
}

export const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits
