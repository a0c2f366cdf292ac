/**
 * Reads the annotations export (app/domain/annotations.ts): every verdict on a version's rounds,
 * one row per flag of a flagged review, per "no concerns" or "skipped" review, and per piece of
 * template feedback. The columns are named; no query reaches for an email, a name or a user id.
 *
 * Withdrawals and deletions: a participant who withdrew and asked for their feedback to be
 * deleted has no reviews or flags left (the withdraw page deletes them), a withdrawn flag is
 * deleted, and a deleted account takes its participations with it; the filter below also
 * leaves out anyone who withdrew without keeping their feedback, in case rows are left behind.
 */
import { sql, type SQL } from 'drizzle-orm'
import { type SchemaElement } from 'hyparquet-writer'
import { type ParticipantRole } from '#app/domain/enums.ts'
import { ANNOTATION_COLUMNS, ANNOTATIONS_FORMAT, annotationPseudonym, annotationsCsvChunks, annotationsJsonlChunks, type AnnotationFormat, type AnnotationRow } from '#app/domain/annotations.ts'
import { pseudonymKey } from '#app/domain/round.ts'
import { query } from '#app/utils/db.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { getFixedT } from '#app/utils/i18n.server.ts'
import { parquetChunks } from '#app/utils/parquet-stream.server.ts'

// Reviews of this many samples per round trip: memory stays flat, round trips do not dominate.
const SAMPLE_BATCH = 2_000

const tookPart = sql`p.consented_at is not null and (p.withdrawn_at is null or p.keep_feedback)`

type RoundRow = { id: string; title: string; stage: AnnotationRow['round_stage'] }
type GiverRow = { roundId: string; role: ParticipantRole; n: number }

type VerdictRow = {
	sampleKey: string
	sampleId: string | null
	templateTarget: string | null
	content: string | null
	messages: AnnotationRow['messages']
	language: string | null
	metadata: Record<string, unknown> | null
	role: ParticipantRole
	number: number
	verdict: 'no_concerns' | 'flagged' | 'skipped'
	skipReason: string | null
	kind: 'flag' | 'comment' | null
	category: string | null
	severity: AnnotationRow['severity']
	affectedGroups: string[] | null
	rationale: string | null
	quote: string | null
	rewrite: string | null
	unsure: boolean | null
	issueNumber: number | null
	issueStatus: AnnotationRow['issue_status']
	issueResolution: AnnotationRow['issue_resolution']
	issueBlocking: boolean | null
}

const flagColumns = sql`f.kind, f.category, f.severity, f.affected_groups as "affectedGroups", f.rationale,
	f.quoted_span as quote, f.suggested_rewrite as rewrite, f.unsure,
	i.number as "issueNumber", i.status as "issueStatus", i.resolution as "issueResolution", i.blocking as "issueBlocking"`

/** The reviews of the samples after `after` (a sample id), SAMPLE_BATCH samples' worth, with their flags. */
function reviewPage(roundId: string, after: string): SQL {
	return sql`
		with page as (
			select r.sample_id from reviews r join participants p on p.id = r.participant_id
			where r.round_id = ${roundId} and r.sample_id > ${after}::bigint and ${tookPart}
			order by r.sample_id limit ${SAMPLE_BATCH}
		)
		select s.id::text as "sampleKey", s.external_id as "sampleId", null as "templateTarget", s.content, s.messages, s.language, s.metadata,
			p.role, p.number, r.verdict, r.skip_reason as "skipReason", ${flagColumns}
		from reviews r
		join participants p on p.id = r.participant_id
		join samples s on s.id = r.sample_id
		left join flags f on f.review_id = r.id and r.verdict = 'flagged'
		left join issues i on i.id = f.issue_id
		where r.round_id = ${roundId} and r.sample_id > ${after}::bigint and r.sample_id <= (select max(sample_id) from page) and ${tookPart}
		order by s.id, p.role, p.number, f.created_at, f.id`
}

/** Feedback on the round's prompt templates and persona definitions (no review, no sample). */
function templateFeedback(roundId: string): SQL {
	return sql`
		select '' as "sampleKey", null as "sampleId", f.template_target as "templateTarget", null as content, null as messages, null as language, null as metadata,
			p.role, p.number, 'flagged' as verdict, null as "skipReason", ${flagColumns}
		from flags f
		join participants p on p.id = f.participant_id
		left join issues i on i.id = f.issue_id
		where f.round_id = ${roundId} and f.review_id is null and f.sample_id is null and ${tookPart}
		order by f.template_target, p.role, p.number, f.created_at, f.id`
}

/**
 * The version's annotations in batches (rounds in creation order; in a round, samples in file
 * order, then role and pseudonym number, then the flags as given), read as the caller writes them.
 */
export async function* listAnnotations({ versionId, versionLabel }: { versionId: string; versionLabel: string }): AsyncGenerator<AnnotationRow[]> {
	const [rounds, givers] = await Promise.all([
		query<RoundRow>(sql`select id, title, stage from rounds where version_id = ${versionId} order by created_at, id`),
		// k of the pseudonymity rule: people of each role who gave feedback in each round.
		query<GiverRow>(sql`
			select p.round_id as "roundId", p.role, count(*)::int as n
			from participants p join rounds ro on ro.id = p.round_id
			where ro.version_id = ${versionId} and ${tookPart}
				and (exists (select 1 from reviews r where r.participant_id = p.id) or exists (select 1 from flags f where f.participant_id = p.id and f.review_id is null))
			group by p.round_id, p.role`),
	])
	const t = getFixedT('en', ['rounds'])
	// The same threshold as every team page (PSEUDONYMITY_MIN_GROUP, decision 027).
	const minGroup = getEnv().PSEUDONYMITY_MIN_GROUP
	for (const round of rounds) {
		const giversOf = (role: ParticipantRole) => givers.find((g) => g.roundId === round.id && g.role === role)?.n ?? 0
		// One label per person of the round, not one translation per row (a person has many rows).
		const labels = new Map<string, string | null>()
		const pseudonymOf = (v: VerdictRow) => {
			const key = `${v.role} ${v.number}`
			if (!labels.has(key)) labels.set(key, annotationPseudonym(t(pseudonymKey(v.role), { n: v.number }), giversOf(v.role), minGroup))
			return labels.get(key)!
		}
		const toRow = (v: VerdictRow): AnnotationRow => ({
			version: versionLabel,
			round: round.title,
			round_stage: round.stage,
			sample_id: v.sampleId,
			template_target: v.templateTarget,
			content: v.content,
			messages: v.messages,
			language: v.language,
			metadata: v.metadata,
			role: v.role,
			pseudonym: pseudonymOf(v),
			verdict: v.kind === 'comment' ? 'commented' : v.verdict,
			category: v.category,
			severity: v.severity,
			affected_groups: v.affectedGroups ?? [],
			rationale: v.verdict === 'flagged' ? v.rationale : null,
			quote: v.verdict === 'flagged' ? v.quote : null,
			rewrite: v.verdict === 'flagged' ? v.rewrite : null,
			unsure: v.verdict === 'flagged' ? v.unsure : null,
			skip_reason: v.verdict === 'skipped' ? (v.skipReason ?? '') : null,
			issue_number: v.issueNumber,
			issue_status: v.issueStatus,
			issue_resolution: v.issueStatus === 'resolved' ? v.issueResolution : null,
			issue_blocking: v.issueBlocking,
		})
		// The next page is asked for before this one is handed out, so the database reads it meanwhile.
		let after = '0'
		let next = query<VerdictRow>(reviewPage(round.id, after))
		for (;;) {
			const rows = await next
			if (!rows.length) break
			after = rows.at(-1)!.sampleKey
			next = query<VerdictRow>(reviewPage(round.id, after))
			next.catch(() => {})
			yield rows.map(toRow)
		}
		const template = await query<VerdictRow>(templateFeedback(round.id))
		if (template.length) yield template.map(toRow)
	}
}

const text = (name: string, required = false): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: required ? 'REQUIRED' : 'OPTIONAL' })

/**
 * The Parquet schema of the export: the same columns as JSONL and CSV, typed — `messages` a list of
 * `{role, content}` structs and `affected_groups` a list of strings (3-level LISTs, as the format
 * specifies), `metadata` JSON text, `unsure` and `issue_blocking` booleans, `issue_number` INT32.
 */
export const ANNOTATIONS_PARQUET_SCHEMA: SchemaElement[] = [
	{ name: 'root', num_children: ANNOTATION_COLUMNS.length },
	text('version', true),
	text('round', true),
	text('round_stage', true),
	text('sample_id'),
	text('template_target'),
	text('content'),
	{ name: 'messages', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
	{ name: 'list', repetition_type: 'REPEATED', num_children: 1 },
	{ name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
	text('role'),
	text('content'),
	text('language'),
	{ name: 'metadata', type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'OPTIONAL' },
	text('role', true),
	text('pseudonym'),
	text('verdict', true),
	text('category'),
	text('severity'),
	{ name: 'affected_groups', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
	{ name: 'list', repetition_type: 'REPEATED', num_children: 1 },
	text('element'),
	text('rationale'),
	text('quote'),
	text('rewrite'),
	{ name: 'unsure', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
	text('skip_reason'),
	{ name: 'issue_number', type: 'INT32', repetition_type: 'OPTIONAL' },
	text('issue_status'),
	text('issue_resolution'),
	{ name: 'issue_blocking', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
]

/** The export as Parquet bytes, a row group at a time. */
export function annotationsParquetChunks(batches: AsyncIterable<ReadonlyArray<AnnotationRow>>): AsyncGenerator<Uint8Array> {
	return parquetChunks({
		schema: ANNOTATIONS_PARQUET_SCHEMA,
		columns: ANNOTATION_COLUMNS.map((name) => ({ name, value: (row: AnnotationRow) => row[name] })),
		batches,
		metadata: [{ key: 'roundtable.format', value: ANNOTATIONS_FORMAT }],
	})
}

/** The export's bytes in `format`, read as they are written. */
export function annotationsBody({ versionId, versionLabel, format }: { versionId: string; versionLabel: string; format: AnnotationFormat }): AsyncIterable<string | Uint8Array> {
	const rows = listAnnotations({ versionId, versionLabel })
	if (format === 'parquet') return annotationsParquetChunks(rows)
	if (format === 'csv') return withBom(annotationsCsvChunks(rows))
	return annotationsJsonlChunks(rows)
}

// Spreadsheet apps read a CSV as UTF-8 only with it (as the report's CSV).
async function* withBom(chunks: AsyncIterable<string>) {
	yield '\uFEFF'
	yield* chunks
}
