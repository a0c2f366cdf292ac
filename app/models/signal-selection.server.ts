/**
 * A round aimed "where the signals are" (issue #21, item 3; decision 049): the selection built from
 * the version's stored signals, and, once reviewers have given verdicts, the round's flag rates on
 * the samples the signals picked out (those containing one of their value's listed terms) against
 * the round's other samples.
 */
import { sql } from 'drizzle-orm'
import { samples } from '#db/schema/datasets.ts'
import { reviews } from '#db/schema/reviews.ts'
import { roundSamples } from '#db/schema/rounds.ts'
import { metadataPathLiteral } from '#app/domain/sample.ts'
import { type SignalSelection, signalWeights, TERM_BOOST } from '#app/domain/signals/selection.ts'
import { query } from '#app/utils/db.server.ts'
import { type FlagShare, flagShare } from './signal-flags.server.ts'
import { getSignals, getSignalValues } from './signals.server.ts'

/**
 * The selection for a round of `n` samples over `attribute`, or why there is none: the version's
 * signals are not computed (yet), or not for this attribute (skipped, or not categorical).
 */
export async function buildSignalSelection(input: { versionId: string; attribute: string; n: number; seed: number }): Promise<SignalSelection | { error: 'not_ready' | 'attribute' }> {
	const { summary } = await getSignals(input.versionId)
	if (!summary) return { error: 'not_ready' }
	if (!summary.attributes.includes(input.attribute)) return { error: 'attribute' }
	const values = await getSignalValues(input.versionId, input.attribute)
	return {
		mode: 'signals',
		attribute: input.attribute,
		n: input.n,
		seed: input.seed,
		termBoost: TERM_BOOST,
		computedAt: summary.computedAt,
		weights: signalWeights(values, input.n),
	}
}

export type SignalSelectionRates = {
	/** The round's samples containing one of their value's listed terms (the ones the selection favoured). */
	selected: FlagShare & { samples: number }
	/** The round's other samples. */
	other: FlagShare & { samples: number }
}

/**
 * Per group of the round's samples, how many there are, how many got a verdict in this round (skips
 * do not count) and how many of those anyone flagged. The terms are the ones recorded with the
 * round, so a later computation of the signals does not move the groups.
 */
export async function getSignalSelectionRates(roundId: string, selection: SignalSelection): Promise<SignalSelectionRates> {
	const path = metadataPathLiteral(selection.attribute)
	const terms = JSON.stringify(Object.fromEntries(selection.weights.map((w) => [w.value, w.terms])))
	const rows = await query<{ selected: boolean; samples: number; reviewed: number; flagged: number }>(sql`
		with verdicts as (
			select r.sample_id, bool_or(r.verdict = 'flagged') as flagged
			from ${reviews} r
			where r.round_id = ${roundId} and r.verdict <> 'skipped'
			group by r.sample_id)
		select coalesce(v.value is not null and coalesce(tsvector_to_array(s.search_vector), '{}') && array(select jsonb_array_elements_text(${terms}::jsonb -> v.value)), false) as selected,
			count(*)::int as samples,
			count(vd.sample_id)::int as reviewed,
			(count(*) filter (where vd.flagged))::int as flagged
		from ${roundSamples} rs
		join ${samples} s on s.id = rs.sample_id
		left join verdicts vd on vd.sample_id = rs.sample_id
		cross join lateral (
			select case when jsonb_typeof(s.metadata #> ${path}::text[]) in ('string', 'number', 'boolean') then s.metadata #>> ${path}::text[] end as value) v
		where rs.round_id = ${roundId}
		group by 1`)
	const group = (selected: boolean) => {
		const r = rows.find((x) => x.selected === selected)
		return { samples: Number(r?.samples ?? 0), ...flagShare(Number(r?.reviewed ?? 0), Number(r?.flagged ?? 0)) }
	}
	return { selected: group(true), other: group(false) }
}
