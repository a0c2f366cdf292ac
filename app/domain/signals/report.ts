/**
 * The consultation report's section "What the text says about each group" (issue #21): of the
 * version's caricature signals, the attribute whose values are marked most strongly (the largest
 * z of any listed term; ties go to the attribute offered first), each of its values with its top
 * REPORT_TERMS_PER_VALUE terms and the low-diversity marks, or why there is nothing to show. One
 * attribute keeps the section readable in a dataset card; the Signals page and its CSV have every one.
 */
import { type TFunction } from 'i18next'
import { type SignalStatus } from './status.ts'

export const REPORT_TERMS_PER_VALUE = 5

export type ReportSignalValue = {
	value: string
	samples: number
	share: number
	distinct2: number
	lowDiversity: boolean
	terms: Array<{ term: string; z: number; count: number }>
}

export type ReportSignals = {
	/** `none`: no samples yet; `queued`/`running`: not computed yet; `failed`; `succeeded`. */
	status: 'none' | SignalStatus
	computedAt: string | null
	samples: number | null
	/** The version's distinct-2 (each value's is compared with it). */
	distinct2: number | null
	/** Every attribute compared. */
	attributes: string[]
	/** The attribute shown: the one with the strongest signals (null when none was compared). */
	attribute: string | null
	values: ReportSignalValue[]
}

type StoredRow = ReportSignalValue & { attribute: string }

/** The section from a computation's summary and every stored value row of the version. */
export function reportSignals(
	state: { status: ReportSignals['status'] },
	summary: { computedAt: string; samples: number; distinct2: number; attributes: string[] } | null,
	rows: StoredRow[],
): ReportSignals {
	if (!summary || state.status !== 'succeeded') return { status: state.status, computedAt: null, samples: null, distinct2: null, attributes: [], attribute: null, values: [] }
	let attribute: string | null = null
	let best = -Infinity
	for (const a of summary.attributes) {
		const strongest = Math.max(-Infinity, ...rows.filter((r) => r.attribute === a).flatMap((r) => r.terms.map((t) => t.z)))
		if (attribute === null || strongest > best) {
			attribute = a
			best = strongest
		}
	}
	return {
		status: 'succeeded',
		computedAt: summary.computedAt,
		samples: summary.samples,
		distinct2: summary.distinct2,
		attributes: summary.attributes,
		attribute,
		values: rows
			.filter((r) => r.attribute === attribute)
			.map((r) => ({
				value: r.value,
				samples: r.samples,
				share: r.share,
				distinct2: r.distinct2,
				lowDiversity: r.lowDiversity,
				terms: r.terms.slice(0, REPORT_TERMS_PER_VALUE).map((t) => ({ term: t.term, z: t.z, count: t.count })),
			})),
	}
}

type Esc = (text: string) => string
const same: Esc = (text) => text

/** Why the section has no table, or null when it has one. */
export function signalsAbsentText(t: TFunction, s: ReportSignals): string | null {
	if (s.status === 'none') return t('report:signals.none')
	if (s.status === 'queued' || s.status === 'running') return t('report:signals.pending')
	if (s.status === 'failed') return t('report:signals.failed')
	if (!s.attribute) return t('report:signals.noAttributes')
	return null
}

/** The line above the table: which attribute, over how many samples, which others were compared. */
export function signalsChosenText(t: TFunction, s: ReportSignals, esc: Esc = same): string {
	const others = s.attributes.filter((a) => a !== s.attribute)
	return [
		t('report:signals.chosen', { attribute: esc(s.attribute ?? ''), distinct2: (s.distinct2 ?? 0).toFixed(2) }),
		others.length ? t('report:signals.others', { attributes: others.map(esc).join(', ') }) : '',
	]
		.filter(Boolean)
		.join(' ')
}

/** "word (z 7.1), other (z 4.2)", or the sentence for a value no word marks. */
export function signalTermsText(t: TFunction, v: ReportSignalValue, esc: Esc = same): string {
	if (!v.terms.length) return t('report:signals.noTerms')
	return v.terms.map((term) => t('report:signals.term', { term: esc(term.term), z: term.z.toFixed(1) })).join(', ')
}

export const percentText = (share: number) => `${(share * 100).toFixed(1)} %`
