/**
 * Checking a version's caricature signals against people (issue #21, item 4): per value of one
 * attribute, among the samples reviewers gave a verdict in any round of the version, how often
 * those containing at least one of the value's listed terms were flagged, against those containing
 * none. Starts from the version's reviews (a small set) and reads only those samples.
 */
import { sql } from 'drizzle-orm'
import { reviews } from '#db/schema/reviews.ts'
import { rounds } from '#db/schema/rounds.ts'
import { samples } from '#db/schema/datasets.ts'
import { versionSignals } from '#db/schema/signals.ts'
import { wilsonInterval, type Interval } from '#app/domain/metrics.ts'
import { query } from '#app/utils/db.server.ts'
import { type StoredValueSignal } from './signals.server.ts'
import { metadataPathLiteral } from '#app/domain/sample.ts'

export type FlagShare = { reviewed: number; flagged: number; interval: Interval | null }
export type ValueFlagRates = { value: string; terms: string[]; withTerms: FlagShare; withoutTerms: FlagShare }

/** Reviewed and flagged samples, with the flagged share's 95 % Wilson interval (none when nothing was reviewed). */
export const flagShare = (reviewed: number, flagged: number): FlagShare => ({ reviewed, flagged, interval: wilsonInterval(flagged, reviewed) })

/**
 * Per value of `attribute` (the values and terms of the stored signals): the version's reviewed
 * samples (at least one verdict that is not a skip) split by whether their search lexemes contain
 * one of the value's listed terms, and how many of each were flagged by anyone. A term is a search
 * lexeme (a word, or a bigram of a script written without spaces), so containment is an exact
 * lexeme match in `search_vector` — the same cut as search and the signals; the search text of a
 * chat has every turn, where the signals count only the generated ones. Null when no sample of the
 * computed sample set has a verdict yet.
 */
export async function getSignalFlagRates(versionId: string, attribute: string, values: StoredValueSignal[]): Promise<ValueFlagRates[] | null> {
	const termsByValue: Record<string, string[]> = {}
	for (const v of values) termsByValue[v.value] = v.terms.map((t) => t.term)
	const path = metadataPathLiteral(attribute)
	const rows = await query<{ value: string | null; has_term: boolean | null; reviewed: number; flagged: number }>(sql`
		with reviewed as (
			select r.sample_id, bool_or(r.verdict = 'flagged') as flagged
			from ${reviews} r join ${rounds} ro on ro.id = r.round_id
			where ro.version_id = ${versionId} and r.verdict <> 'skipped'
			group by r.sample_id)
		select v.value,
			v.value is not null and coalesce(tsvector_to_array(s.search_vector), '{}') && array(select jsonb_array_elements_text(${JSON.stringify(termsByValue)}::jsonb -> v.value)) as has_term,
			count(*)::int as reviewed,
			(count(*) filter (where rv.flagged))::int as flagged
		from reviewed rv
		join ${samples} s on s.id = rv.sample_id
		join ${versionSignals} vs on vs.version_id = ${versionId} and vs.import_id = s.import_id
		cross join lateral (
			select case when jsonb_typeof(s.metadata #> ${path}::text[]) in ('string', 'number', 'boolean') then s.metadata #>> ${path}::text[] end as value) v
		group by 1, 2`)
	if (rows.length === 0) return null
	const counts = new Map<string, { with: [number, number]; without: [number, number] }>()
	for (const r of rows) {
		if (r.value === null || !(r.value in termsByValue)) continue
		const c = counts.get(r.value) ?? { with: [0, 0], without: [0, 0] }
		c[r.has_term ? 'with' : 'without'] = [Number(r.reviewed), Number(r.flagged)]
		counts.set(r.value, c)
	}
	return values.map((v) => {
		const c = counts.get(v.value) ?? { with: [0, 0], without: [0, 0] }
		return { value: v.value, terms: termsByValue[v.value]!, withTerms: flagShare(...c.with), withoutTerms: flagShare(...c.without) }
	})
}
