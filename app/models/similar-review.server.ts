/**
 * "Do these look the same?" after a flag (issue #22 item 3): the reviewer's own samples, still
 * waiting in this round, that are like the one they just flagged. Only what the lookup of similar
 * samples (./similar.server.ts) finds at the default threshold — a near-identical text, or the
 * same template and persona — and only the participant's own unfinished assignments: nothing here
 * reads or reveals another reviewer's queue or verdicts. Answers are ordinary verdicts, recorded
 * by the review page's action or the review-sync route like any other.
 */
import { and, desc, eq, isNotNull, sql } from 'drizzle-orm'
import { samples } from '#db/schema/datasets.ts'
import { flags } from '#db/schema/reviews.ts'
import { assignments, rounds } from '#db/schema/rounds.ts'
import { offeredAsSimilar, type SameFlagSource, SIMILAR_PROMPT_MAX } from '#app/domain/review.ts'
import { type SimilarItem } from '#app/domain/review-sync.ts'
import { DEFAULT_MIN_SIMILARITY } from '#app/domain/similar/minhash.ts'
import { db, query } from '#app/utils/db.server.ts'
import { findSimilar } from './similar.server.ts'

/**
 * Up to SIMILAR_PROMPT_MAX samples like `externalId` in the participant's queue of this round that
 * they have not given a verdict on yet, most similar first. Null when the round or the sample is
 * not found. The caller has guarded the participant (theirs, consented, not withdrawn).
 */
export async function similarPending(input: { roundId: string; participantId: string; externalId: string }): Promise<SimilarItem[] | null> {
	const [round] = await db.select({ versionId: rounds.versionId }).from(rounds).where(eq(rounds.id, input.roundId))
	if (!round) return null
	const found = await findSimilar({ versionId: round.versionId, externalId: input.externalId, min: DEFAULT_MIN_SIMILARITY })
	if (!found) return null
	const offered = found.similar.filter((s) => offeredAsSimilar(s.shared))
	if (!offered.length) return []
	// Which of them wait in this participant's queue (the partial index of waiting assignments, then the samples by key).
	const rows = await query<{ id: string | number; external_id: string; content: string | null; messages: SimilarItem['messages']; language: string | null }>(sql`
		select s.id, s.external_id, s.content, s.messages, s.language
		from ${assignments} a join ${samples} s on s.id = a.sample_id
		where a.participant_id = ${input.participantId} and a.completed_at is null
			and a.sample_id = any(${`{${offered.map((s) => s.id).join(',')}}`}::bigint[])`)
	const waiting = new Map(rows.map((r) => [Number(r.id), r]))
	const items: SimilarItem[] = []
	// `offered` is most similar first (findSimilar's order).
	for (const s of offered) {
		const row = waiting.get(s.id)
		if (!row) continue
		items.push({ externalId: row.external_id, content: row.content, messages: row.messages, language: row.language, shared: s.shared })
		if (items.length === SIMILAR_PROMPT_MAX) break
	}
	return items
}

/** The participant's latest flag on a sample (what a "yes, the same" copies), or null. */
export async function latestOwnFlag({ participantId, sampleId }: { participantId: string; sampleId: number }): Promise<SameFlagSource | null> {
	const [row] = await db
		.select({ category: flags.category, severity: flags.severity, affectedGroups: flags.affectedGroups, unsure: flags.unsure, rationale: flags.rationale })
		.from(flags)
		.where(and(eq(flags.participantId, participantId), eq(flags.sampleId, sampleId), isNotNull(flags.category), isNotNull(flags.severity)))
		.orderBy(desc(flags.createdAt))
		.limit(1)
	if (!row?.category || !row.severity) return null
	return { category: row.category, severity: row.severity, affectedGroups: row.affectedGroups, unsure: row.unsure, rationale: row.rationale }
}

export type SimilarPrompt = { source: string; flag: SameFlagSource; items: SimilarItem[] }

/** The prompt after the participant flagged `sample`: their flag and their waiting samples like it; null when there is no flag or nothing to offer. */
export async function similarPrompt(input: { roundId: string; participantId: string; sample: { id: number; externalId: string } }): Promise<SimilarPrompt | null> {
	const flag = await latestOwnFlag({ participantId: input.participantId, sampleId: input.sample.id })
	if (!flag) return null
	const items = await similarPending({ roundId: input.roundId, participantId: input.participantId, externalId: input.sample.externalId })
	return items?.length ? { source: input.sample.externalId, flag, items } : null
}
