/**
 * The annotations export (docs/pipeline.md, decision 033): every verdict a participant gave on a
 * version, as its own row — no majority vote, so disagreement stays visible. Pure: the shape, the
 * pseudonym rule and the renderers to JSONL and CSV; app/models/annotations.server.ts reads the
 * rows, app/utils/parquet-stream.server.ts writes Parquet. A row never holds an identity: no
 * email, name or user id, only the per-round pseudonym (withheld in small groups) and the role.
 */
import { type IssueStatus, type ParticipantRole, type Resolution, type RoundStage, type Severity } from '#app/domain/enums.ts'
import { csvRecord, MIN_GROUP_SIZE } from './report.ts'

export const ANNOTATIONS_FORMAT = 'roundtable.annotations/1'
export const annotationFormats = ['jsonl', 'csv', 'parquet'] as const
export type AnnotationFormat = (typeof annotationFormats)[number]

export type AnnotationVerdict = 'no_concerns' | 'flagged' | 'skipped' | 'commented'

export type AnnotationRow = {
	version: string
	round: string
	round_stage: RoundStage
	/** The sample's external id; null for feedback on the generator's templates. */
	sample_id: string | null
	/** `prompt_templates` or `persona_definitions` for template feedback, else null. */
	template_target: string | null
	content: string | null
	messages: Array<{ role: string; content: string }> | null
	language: string | null
	metadata: Record<string, unknown> | null
	role: ParticipantRole
	/** "Community member 4" in this round; null when fewer than MIN_GROUP_SIZE of the role gave feedback in it. */
	pseudonym: string | null
	/** A flagged review gives one row per flag; a template comment is `commented`. */
	verdict: AnnotationVerdict
	category: string | null
	severity: Severity | null
	affected_groups: string[]
	rationale: string | null
	quote: string | null
	rewrite: string | null
	unsure: boolean | null
	skip_reason: string | null
	issue_number: number | null
	issue_status: IssueStatus | null
	// Rows are reviews of samples, so only sample resolutions occur here (use-case issues come from comments).
	issue_resolution: Resolution | null
	issue_blocking: boolean | null
}

export const ANNOTATION_COLUMNS = [
	'version',
	'round',
	'round_stage',
	'sample_id',
	'template_target',
	'content',
	'messages',
	'language',
	'metadata',
	'role',
	'pseudonym',
	'verdict',
	'category',
	'severity',
	'affected_groups',
	'rationale',
	'quote',
	'rewrite',
	'unsure',
	'skip_reason',
	'issue_number',
	'issue_status',
	'issue_resolution',
	'issue_blocking',
] as const satisfies ReadonlyArray<keyof AnnotationRow>

/**
 * The pseudonym a row carries: the label the team sees on the issue page (`label`, built by the
 * caller from `pseudonymKey`), but only when at least `min` (PSEUDONYMITY_MIN_GROUP) people of that role gave
 * feedback in the round; below that, an export that links every verdict of one person together
 * would single them out among the few, so rows keep their role and lose the pseudonym.
 */
export function annotationPseudonym(label: string, feedbackGivers: number, min: number = MIN_GROUP_SIZE): string | null {
	return feedbackGivers >= min ? label : null
}

/** One JSON Lines record (keys in ANNOTATION_COLUMNS order, as the row is built). */
export function annotationJsonLine(row: AnnotationRow): string {
	return `${JSON.stringify(row)}\n`
}

/** One row as CSV cells: arrays and objects as JSON text, booleans as true/false, null as empty. */
export function annotationCsvCells(row: AnnotationRow): Array<string | number | boolean | null> {
	return ANNOTATION_COLUMNS.map((column) => {
		const value = row[column]
		if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
		if (column === 'affected_groups') return (value as string[]).join('; ')
		return JSON.stringify(value)
	})
}

/** CSV (RFC 4180, formula-safe cells from report.ts), header first, written as batches arrive. */
export async function* annotationsCsvChunks(batches: AsyncIterable<ReadonlyArray<AnnotationRow>>): AsyncGenerator<string> {
	yield csvRecord(ANNOTATION_COLUMNS)
	for await (const batch of batches) if (batch.length) yield batch.map((row) => csvRecord(annotationCsvCells(row))).join('')
}

/** JSON Lines, one verdict a line, written as batches arrive. */
export async function* annotationsJsonlChunks(batches: AsyncIterable<ReadonlyArray<AnnotationRow>>): AsyncGenerator<string> {
	for await (const batch of batches) if (batch.length) yield batch.map(annotationJsonLine).join('')
}

/** `<slug>-<label>-annotations.<ext>`, safe for a header whatever the slug and label. */
export function annotationsFilename(dataset: string, version: string, ext: AnnotationFormat): string {
	const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_')
	return `${safe(dataset)}-${safe(version)}-annotations.${ext}`
}

export const annotationContentTypes: Record<AnnotationFormat, string> = {
	jsonl: 'application/x-ndjson; charset=utf-8',
	csv: 'text/csv; charset=utf-8',
	parquet: 'application/vnd.apache.parquet',
}
