/**
 * The consultation report of a version (DESIGN.md "Report"): its shape, and pure renderers to
 * JSON, CSV and a Markdown section for a dataset card. The model (app/models/report.server.ts)
 * builds the object with explicit column selections; nothing here touches a database, so the
 * printable page can use the same helpers. The object holds no identities: participants are
 * counted by role (small groups not exactly), flags appear as counts, team members not at all.
 */
import {
	type IssueKind,
	type IssueStatus,
	type ParticipantRole,
	type Resolution,
	type RoundStage,
	type RoundStatus,
	type SelectionMode,
	type Severity,
	type TemplateTarget,
	type VersionStatus,
} from '#app/domain/enums.ts'
import { type TFunction } from 'i18next'
import { resolutionValues } from './issue.ts'
import { percentText, signalsAbsentText, signalsChosenText, signalTermsText, type ReportSignals } from './signals/report.ts'

export const REPORT_FORMAT = 'roundtable.consultation-report/1'

/** Namespaces the report's text needs: its own, plus the labels it shares with the issue and round pages. */
export const REPORT_NAMESPACES = ['report', 'issues', 'review', 'rounds', 'datasets']

/** Groups smaller than this are reported as "fewer than 3", never exactly: small groups break anonymity. */
export const MIN_GROUP_SIZE = 3

/**
 * How many people of a role: `exact` (zero too: it singles nobody out), `fewer_than_min` (1 or 2,
 * count null), or `withheld` (3 or more, count null, because next to the per-round counts the
 * number would give a small round's exact size away).
 */
export type GroupCount = { count: number | null; shown: 'exact' | 'fewer_than_min' | 'withheld' }

export function groupCount(n: number): GroupCount {
	return n > 0 && n < MIN_GROUP_SIZE ? { count: null, shown: 'fewer_than_min' } : { count: n, shown: 'exact' }
}

export type Participation = Record<ParticipantRole, GroupCount>

/**
 * Participation counts safe to publish, from the raw numbers (which go no further): per round and
 * role, and distinct people per role over all rounds. The total is withheld when a round's count
 * of that role is suppressed and there are other rounds: distinct people ≤ the sum of the rounds,
 * so "total 7, round A 5, round B fewer than 3" would pin round B at exactly 2.
 */
export function publishParticipation(rounds: ReadonlyArray<Record<ParticipantRole, number>>, distinct: Record<ParticipantRole, number>): { rounds: Participation[]; total: Participation } {
	const shown = rounds.map((r) => ({ community: groupCount(r.community), expert: groupCount(r.expert) }))
	const total = (role: ParticipantRole): GroupCount => {
		const count = groupCount(distinct[role])
		const derivable = rounds.length > 1 && count.shown === 'exact' && shown.some((r) => r[role].shown === 'fewer_than_min')
		return derivable ? { count: null, shown: 'withheld' } : count
	}
	return { rounds: shown, total: { community: total('community'), expert: total('expert') } }
}

export type ReportRound = {
	title: string
	stage: RoundStage
	status: RoundStatus
	opensAt: string | null
	closesAt: string | null
	openedAt: string | null
	closedAt: string | null
	/** `size`: N of a random or signal-aimed selection or the number of hand-picked ids; `seed` reproduces random, stratified and signal-aimed ones. */
	selection: { mode: SelectionMode; size: number | null; seed: number | null; attribute: string | null; perValue: number | null }
	sampleCount: number
	overlap: number
	blindReview: boolean
	blockThreshold: number
	opposedBlocks: boolean
	participation: Participation
}

export type ReportIssue = {
	number: number
	kind: IssueKind
	/** The sample's external id (kind sample). */
	sample: string | null
	templateTarget: TemplateTarget | null
	/** The use case's title (kind use_case); null if the use case was deleted. */
	useCase: string | null
	status: IssueStatus
	resolution: Resolution | null
	needsReReview: boolean
	blocking: boolean
	/** What the rules found (plus `owner` when the team marked it blocking) — also when the team overruled them. */
	blockingReasons: string[]
	/** The team's call instead of the rules; its written reason is an internal note and stays out. */
	teamCall: 'blocking' | 'not_blocking' | null
	categories: string[]
	maxSeverity: Severity | null
	flags: number
	flaggers: number
	affectedGroups: string[]
	publicResponse: string
	carriedOver: boolean
	/** How many samples the issue was extended to beyond its own, because they are similar (issue #22); 0 for other kinds. */
	similarSamples: number
}

/** An issue as the JSON download lists it: also the external ids of the samples it was extended to (by id, in code-unit order). */
export type ReportExportIssue = ReportIssue & { similarSampleIds: string[] }

export type ReportOverride = { at: string | null; overriddenBlockers: number; blockers: number[]; justification: string }

/**
 * An approval given while a round was open or below its coverage target (the guarded approve):
 * whether the team closed the round(s) or left them open, which rounds, and the team's reason.
 */
export type ReportRoundApproval = { at: string; choice: 'close' | 'keep_open'; rounds: string[]; justification: string }

export type ConsultationReport = {
	format: typeof REPORT_FORMAT
	generatedAt: string
	dataset: { slug: string; name: string }
	version: { label: string; status: VersionStatus; parent: string | null; createdAt: string; sampleCount: number }
	provenance: {
		modelName: string
		modelVersion: string
		modelProvider: string
		generationMethod: 'paraphrase' | 'templates' | 'persona_simulation' | 'other'
		promptTemplates: string
		personaDefinitions: string
		seedDataDescription: string
		knownLimitations: string
		changelog: string
	}
	rounds: ReportRound[]
	/** Distinct people across the version's rounds, per role; `minGroupSize` is the suppression threshold. */
	participation: Participation & { minGroupSize: number }
	/** "What the text says about each group": the caricature signals of the attribute marked most strongly (issue #21). */
	signals: ReportSignals
	summary: {
		issues: number
		open: number
		acknowledged: number
		resolved: number
		blocking: number
		/** The samples the open blocking issues cover: each sample issue's own sample and the similar samples it was extended to. */
		blockingSamples: number
		resolutions: Record<Resolution, number>
		/** How many of the issues `issues` lists (fewer than `issues` when the caller capped the list). */
		listed: number
	}
	issues: ReportIssue[]
	/** `current`: the override the version's approval rests on now; `history`: every approval despite blockers (audit log). */
	overrides: { current: ReportOverride | null; history: ReportOverride[] }
	/** Every approval given with a round open or below its coverage target, oldest first (audit log). */
	roundApprovals: ReportRoundApproval[]
	/** As a pipeline would ask it: `blocked` while blocking issues are open, whatever the status (overrides are listed above). */
	gate: { status: VersionStatus; blocked: boolean; blockingIssues: number; openIssues: number }
}

// ---------------------------------------------------------------------------------------------
// Text shared by the page (esc = identity) and the Markdown (esc = escapeMarkdown).

type Esc = (text: string) => string
const same: Esc = (text) => text

/** A list in the reader's language ("a, b et c", "a، وb"); `t` from getFixedT or useTranslation knows its language. */
export function listText(t: TFunction, items: string[]): string {
	return new Intl.ListFormat((t as { lng?: string }).lng ?? 'en', { style: 'short', type: 'unit' }).format(items)
}

/** The resolutions used, with their counts ("Documented 1, Use case revised 2"); unused ones are left out. */
export function resolutionsText(t: TFunction, counts: ConsultationReport['summary']['resolutions']): string {
	return listText(
		t,
		resolutionValues.filter((r) => counts[r] > 0).map((r) => `${t(`issues:resolution.${r}`)} ${counts[r]}`),
	)
}

export function countText(t: TFunction, c: GroupCount): string {
	if (c.shown === 'fewer_than_min') return t('report:participation.fewerThan', { min: MIN_GROUP_SIZE })
	if (c.shown === 'withheld') return t('report:participation.withheld')
	return String(c.count ?? 0)
}

export function aboutText(t: TFunction, issue: ReportIssue, esc: Esc = same): string {
	if (issue.kind === 'sample') return t('issues:title.sample', { id: esc(issue.sample ?? '') })
	if (issue.kind === 'template') return t(`issues:target.${issue.templateTarget ?? 'prompt_templates'}`)
	return issue.useCase === null ? t('report:issues.useCaseDeleted') : t('issues:title.useCase', { title: esc(issue.useCase) })
}

export function statusText(t: TFunction, issue: ReportIssue): string {
	const status = t(`issues:status.${issue.status}`)
	return issue.needsReReview ? `${status} · ${t('issues:badge.reReview')}` : status
}

export function resolutionText(t: TFunction, issue: ReportIssue): string {
	return issue.resolution ? t(`issues:resolution.${issue.resolution}`) : '—'
}

export function blockingText(t: TFunction, issue: ReportIssue): string {
	const reasons = listText(
		t,
		issue.blockingReasons.map((r) => t(`issues:reason.${r}`)),
	)
	if (issue.blocking) return reasons ? t('report:issues.blockingYes', { reasons }) : t('report:issues.blockingPlain')
	if (issue.teamCall === 'not_blocking' && reasons) return t('report:issues.blockingOverruled', { reasons })
	return t('report:issues.blockingNo')
}

/** "also covers 3 similar samples", or '' for an issue not extended to any. */
export function similarSamplesText(t: TFunction, issue: Pick<ReportIssue, 'similarSamples'>): string {
	return issue.similarSamples > 0 ? t('report:issues.similarSamples', { count: issue.similarSamples }) : ''
}

/** The issue table's "About" cell: what the issue is about, and the similar samples it also covers. */
export function aboutWithSimilarText(t: TFunction, issue: ReportIssue, esc: Esc = same): string {
	const similar = similarSamplesText(t, issue)
	return similar ? `${aboutText(t, issue, esc)} · ${similar}` : aboutText(t, issue, esc)
}

/** "The open blocking issues cover 7 samples…", when they cover more samples than there are of them (else ''). */
export function blockingSamplesText(t: TFunction, summary: Pick<ConsultationReport['summary'], 'blocking' | 'blockingSamples'>): string {
	return summary.blockingSamples > summary.blocking ? t('report:issues.blockingSamples', { count: summary.blockingSamples }) : ''
}

export function categoriesText(t: TFunction, issue: ReportIssue): string {
	return issue.categories.length
		? listText(
				t,
				issue.categories.map((c) => t(`review:categories.${c}.label`)),
			)
		: '—'
}

export function severityText(t: TFunction, issue: ReportIssue): string {
	return issue.maxSeverity ? t(`review:severity.${issue.maxSeverity}`) : '—'
}

export function selectionText(t: TFunction, round: ReportRound, esc: Esc = same): string {
	const s = round.selection
	const count = round.sampleCount
	if (s.mode === 'random') return t('report:rounds.selection.random', { count, seed: s.seed ?? '—' })
	if (s.mode === 'stratified') return t('report:rounds.selection.stratified', { count, attribute: esc(s.attribute ?? ''), perValue: s.perValue ?? '—', seed: s.seed ?? '—' })
	if (s.mode === 'signals') return t('report:rounds.selection.signals', { count, attribute: esc(s.attribute ?? ''), seed: s.seed ?? '—' })
	if (s.mode === 'manual') return t('report:rounds.selection.manual', { count })
	return t('report:rounds.selection.all', { count })
}

/** A calendar date in UTC, the same in every language: dataset cards are read worldwide. */
export function isoDate(value: string | null): string {
	return value ? value.slice(0, 10) : '…'
}

export function roundDates(round: ReportRound): string {
	return `${isoDate(round.openedAt ?? round.opensAt)} – ${isoDate(round.closedAt ?? round.closesAt)}`
}

export function overrideHeadline(t: TFunction, o: ReportOverride): string {
	const issues = listText(
		t,
		o.blockers.map((n) => `#${n}`),
	)
	if (!o.at) return t('report:overrides.entryUndated', { count: o.overriddenBlockers })
	return issues ? t('report:overrides.entry', { count: o.overriddenBlockers, date: isoDate(o.at), issues }) : t('report:overrides.entryNoList', { count: o.overriddenBlockers, date: isoDate(o.at) })
}

export function roundApprovalHeadline(t: TFunction, a: ReportRoundApproval, esc: Esc = same): string {
	const rounds = listText(
		t,
		a.rounds.map((r) => `“${esc(r)}”`),
	)
	return t(a.choice === 'close' ? 'report:roundApprovals.closed' : 'report:roundApprovals.keptOpen', { count: a.rounds.length, date: isoDate(a.at), rounds })
}

// ---------------------------------------------------------------------------------------------
// JSON

/** The JSON download: the report object as built (keys in a fixed order, dates as ISO 8601 strings in UTC). */
export function toJson(report: ConsultationReport): string {
	return `${JSON.stringify(report, null, 2)}\n`
}

// Stands in for the issue list while the rest of the report is rendered. Found with its key at the
// top level (a raw line break, which no JSON string holds), so no text of the report can fake it.
const ISSUES_SLOT = '\n  "issues": "\\u0000issues\\u0000"'
const ISSUES_KEY = '\n  "issues": '

/**
 * The same bytes as `toJson({ ...report, issues })`, written as the issues arrive: the report
 * (whose own `issues` is ignored) up to its issue list, each batch of issues, then the rest.
 */
export async function* toJsonChunks(report: ConsultationReport, batches: AsyncIterable<ReadonlyArray<ReportIssue>>): AsyncGenerator<string> {
	const whole = JSON.stringify({ ...report, issues: '\u0000issues\u0000' }, null, 2)
	const at = whole.indexOf(ISSUES_SLOT) + ISSUES_KEY.length
	const rest = whole.slice(at + ISSUES_SLOT.length - ISSUES_KEY.length)
	// The report's head leaves before the first issue is read.
	yield whole.slice(0, at)
	let first = true
	for await (const batch of batches) {
		if (!batch.length) continue
		// An element of the list sits two levels deep: every line of it indented by four spaces.
		const items = batch.map((issue) => `    ${JSON.stringify(issue, null, 2).replaceAll('\n', '\n    ')}`).join(',\n')
		yield `${first ? '[\n' : ',\n'}${items}`
		first = false
	}
	yield `${first ? '[]' : '\n  ]'}${rest}\n`
}

// ---------------------------------------------------------------------------------------------
// CSV

// similar_samples was added last (issue #22), so the columns before it keep their positions.
export const CSV_COLUMNS = ['number', 'about', 'status', 'resolution', 'blocking', 'categories', 'max_severity', 'flaggers', 'public_response', 'version', 'similar_samples'] as const

// Spreadsheets run a cell starting with these as a formula (OWASP "CSV injection").
const FORMULA_START = new Set(['=', '+', '-', '@'])

/**
 * Would a spreadsheet read this cell as a formula? Yes when it starts with a tab or CR, or when
 * its first non-whitespace character — after NFKC folding, so the full-width and small forms
 * ＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫ count too — is = + - or @. Whitespace is JavaScript's `\s` (spaces,
 * tabs, line breaks, NBSP, the ideographic space), since spreadsheets trim some of it first.
 */
export function isFormulaLike(text: string): boolean {
	// Fast path for the common case, same answer: a printable ASCII character is neither
	// whitespace nor changed by NFKC.
	const c = text.charCodeAt(0)
	if (c > 0x20 && c < 0x7f) return c === 0x3d || c === 0x2b || c === 0x2d || c === 0x40
	if (text.startsWith('\t') || text.startsWith('\r')) return true
	const first = /^\s*(\S)/u.exec(text)?.[1]
	return first !== undefined && FORMULA_START.has(first.normalize('NFKC'))
}

/**
 * One CSV cell: formula-like text is neutralised with a leading single quote (the text itself is
 * kept, so nothing is lost), and every cell is quoted per RFC 4180 with inner quotes doubled.
 * Numbers and booleans are written as text; the report has no negative numbers.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
	const text = value === null || value === undefined ? '' : String(value)
	const safe = isFormulaLike(text) ? `'${text}` : text
	return `"${safe.includes('"') ? safe.replaceAll('"', '""') : safe}"`
}

/** What a CSV row needs of an issue (a streamed export reads only these columns). */
export type CsvIssue = Pick<
	ReportIssue,
	'number' | 'kind' | 'sample' | 'templateTarget' | 'useCase' | 'status' | 'resolution' | 'blocking' | 'categories' | 'maxSeverity' | 'flaggers' | 'publicResponse' | 'similarSamples'
>

function csvAbout(issue: CsvIssue): string {
	if (issue.kind === 'sample') return `sample:${issue.sample ?? ''}`
	if (issue.kind === 'template') return `template:${issue.templateTarget ?? ''}`
	return `use_case:${issue.useCase ?? ''}`
}

/** One issue's CSV row, as plain values (language-independent codes). */
export function csvIssueRow(i: CsvIssue, versionLabel: string): string[] {
	return [
		String(i.number),
		csvAbout(i),
		i.status,
		i.resolution ?? '',
		i.blocking ? 'true' : 'false',
		i.categories.join('; '),
		i.maxSeverity ?? '',
		String(i.flaggers),
		i.publicResponse,
		versionLabel,
		String(i.similarSamples),
	]
}

/** A header row, then one row per listed issue. */
export function toCsvRows(report: ConsultationReport): string[][] {
	return [[...CSV_COLUMNS], ...report.issues.map((i) => csvIssueRow(i, report.version.label))]
}

/** One record, RFC 4180: every cell quoted, CRLF after it. */
export function csvRecord(row: ReadonlyArray<string | number | boolean | null>): string {
	return `${row.map(csvCell).join(',')}\r\n`
}

/** RFC 4180: every cell quoted, CRLF after every record. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null>>): string {
	return rows.map(csvRecord).join('')
}

/** The same text as `toCsv(toCsvRows({ ...report, issues }))`, written as the batches of issues arrive. */
export async function* toCsvChunks(report: { version: { label: string } }, batches: AsyncIterable<ReadonlyArray<CsvIssue>>): AsyncGenerator<string> {
	yield csvRecord(CSV_COLUMNS)
	for await (const batch of batches) if (batch.length) yield batch.map((i) => csvRecord(csvIssueRow(i, report.version.label))).join('')
}

// ---------------------------------------------------------------------------------------------
// Markdown

// Everything CommonMark or GFM could read as markup inside a line: emphasis, code, links and
// images (brackets are enough: without [ ] no ( ) or ! means anything), raw HTML and entities,
// tables, strikethrough, headings, math ($ on the Hub), @mentions (the Hub links them) and
// email autolinks. Parentheses stay readable in limitations and responses.
const INLINE_SPECIAL = /[\\`*_[\]<>#|~&$@]/g

/**
 * User text for one line of Markdown (a table cell, a list item): line breaks and tabs become
 * spaces, control characters go, and whatever could become markup is backslash-escaped — so a
 * title cannot open a link, an image, HTML, a heading or a new table cell. GFM's bare-URL
 * autolinks (`https://…`, `www.…`) are broken by escaping their `:` or `.`.
 */
export function escapeMarkdown(text: string): string {
	const line = text
		.replace(/[\u0000-\u0008\u000B\u000E-\u001F\u007F]/g, '')
		.replace(/[\s\u0085\u2028\u2029]+/g, ' ')
		.trim()
	return escapeLineStart(
		line
			.replace(INLINE_SPECIAL, (c) => `\\${c}`)
			.replace(/:(?=\/\/)/g, '\\:')
			.replace(/(www)\./gi, '$1\\.'),
	)
}

// At the start of a line: list markers (- + and "1." "1)"), setext underlines (=), which the
// inline pass leaves alone.
function escapeLineStart(line: string): string {
	return line.replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2')
}

/** Multi-line user text as a block quote, one escaped line each; blank lines keep paragraphs apart. */
export function markdownQuote(text: string): string {
	const lines = text
		.replace(/\r\n?/g, '\n')
		.split('\n')
		.map((l) => escapeMarkdown(l))
	const out: string[] = []
	for (const l of lines) if (l || (out.length && out.at(-1) !== '')) out.push(l)
	while (out.at(-1) === '') out.pop()
	return out.map((l) => (l ? `> ${l}` : '>')).join('\n')
}

/** Text shown verbatim (prompt templates): a fence longer than any backtick run inside, so it cannot be closed early. */
export function markdownCode(text: string): string {
	const body = text
		.replace(/\r\n?/g, '\n')
		.replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '')
		.replace(/\n+$/, '')
	const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length))
	const fence = '`'.repeat(Math.max(3, longest + 1))
	return `${fence}text\n${body}\n${fence}`
}

function table(head: string[], rows: string[][]): string {
	const line = (cells: string[]) => `| ${cells.join(' | ')} |`
	return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}

/**
 * The "## Community consultation" section for a Hugging Face dataset card, in the reader's
 * language (`t` must load the report, issues, review, rounds and datasets namespaces). Its
 * subsections fit the card's "Bias, Risks, and Limitations": provenance, rounds, participation,
 * issues and resolutions, documented limitations, public responses, overrides, the gate.
 */
export function toMarkdown(report: ConsultationReport, t: TFunction): string {
	const e = escapeMarkdown
	const out: string[] = []
	const h3 = (key: string) => out.push(`### ${t(`report:sections.${key}`)}`)
	const para = (text: string) => out.push(text)

	out.push(`## ${t('report:sections.consultation')}`)
	para(t('report:cardIntro', { version: e(report.version.label), dataset: e(report.dataset.name) }))

	h3('provenance')
	const p = report.provenance
	const field = (label: string, value: string) => `- **${label}:** ${value ? e(value) : '—'}`
	out.push(
		[
			field(t('datasets:provenance.modelName'), p.modelName),
			field(t('datasets:provenance.modelVersion'), p.modelVersion),
			field(t('datasets:provenance.modelProvider'), p.modelProvider),
			`- **${t('datasets:provenance.generationMethod')}:** ${t(`datasets:generationMethod.${p.generationMethod}`)}`,
			field(t('datasets:provenance.seedDataDescription'), p.seedDataDescription),
			field(t('report:provenance.parent'), report.version.parent ?? ''),
			`- **${t('report:provenance.samples')}:** ${report.version.sampleCount}`,
		].join('\n'),
	)
	for (const [key, value, kind] of [
		['knownLimitations', p.knownLimitations, 'quote'],
		['changelog', p.changelog, 'quote'],
		['promptTemplates', p.promptTemplates, 'code'],
		['personaDefinitions', p.personaDefinitions, 'code'],
	] as const) {
		if (!value.trim()) continue
		para(`**${t(`datasets:provenance.${key}`)}:**`)
		out.push(kind === 'code' ? markdownCode(value) : markdownQuote(value))
	}

	h3('rounds')
	if (!report.rounds.length) para(t('report:rounds.none'))
	else
		out.push(
			table(
				[t('report:rounds.title'), t('report:rounds.stage'), t('report:rounds.status'), t('report:rounds.dates'), t('report:rounds.selectionLabel'), t('report:rounds.overlap')],
				report.rounds.map((r) => [e(r.title), t(`rounds:stage.${r.stage}`), t(`rounds:status.${r.status}`), roundDates(r), selectionText(t, r, e), String(r.overlap)]),
			),
		)

	h3('participation')
	para(t('report:participation.note', { min: MIN_GROUP_SIZE }))
	if (report.rounds.length)
		out.push(
			table(
				[t('report:rounds.title'), t('report:participation.community'), t('report:participation.experts')],
				[
					...report.rounds.map((r) => [e(r.title), countText(t, r.participation.community), countText(t, r.participation.expert)]),
					[`**${t('report:participation.total')}**`, countText(t, report.participation.community), countText(t, report.participation.expert)],
				],
			),
		)

	h3('signals')
	para(t('report:signals.method'))
	const absent = signalsAbsentText(t, report.signals)
	if (absent) para(absent)
	else {
		para(signalsChosenText(t, report.signals, e))
		out.push(
			table(
				[t('report:signals.value'), t('report:signals.samples'), t('report:signals.share'), t('report:signals.distinct2'), t('report:signals.terms')],
				report.signals.values.map((v) => [
					e(v.value),
					String(v.samples),
					percentText(v.share),
					`${v.distinct2.toFixed(2)}${v.lowDiversity ? ` (${t('report:signals.lowDiversity')})` : ''}`,
					signalTermsText(t, v, e),
				]),
			),
		)
	}

	h3('issues')
	const s = report.summary
	if (!s.issues) para(t('report:issues.none'))
	else {
		para(t('report:issues.summary', { count: s.issues, open: s.open, acknowledged: s.acknowledged, resolved: s.resolved, blocking: s.blocking }))
		const covered = blockingSamplesText(t, s)
		if (covered) para(covered)
		if (s.resolved) para(`${t('report:issues.resolutions')}: ${resolutionsText(t, s.resolutions)}.`)
		if (s.listed < s.issues) para(t('report:issues.truncated', { count: s.issues, shown: s.listed }))
		out.push(
			table(
				[
					t('report:issues.number'),
					t('report:issues.about'),
					t('report:issues.status'),
					t('report:issues.resolution'),
					t('report:issues.blocking'),
					t('report:issues.categories'),
					t('report:issues.severity'),
					t('report:issues.flaggers'),
				],
				report.issues.map((i) => [
					`#${i.number}`,
					aboutWithSimilarText(t, i, e),
					statusText(t, i),
					resolutionText(t, i),
					blockingText(t, i),
					categoriesText(t, i),
					severityText(t, i),
					String(i.flaggers),
				]),
			),
		)
	}

	h3('documented')
	const documented = report.issues.filter((i) => i.resolution === 'documented')
	if (!documented.length) para(t('report:documented.none'))
	else out.push(documented.map((i) => `- **#${i.number} · ${aboutText(t, i, e)}** (${categoriesText(t, i)}): ${i.publicResponse.trim() ? e(i.publicResponse) : '—'}`).join('\n'))

	h3('responses')
	const responded = report.issues.filter((i) => i.resolution !== 'documented' && i.publicResponse.trim())
	if (!responded.length) para(t('report:responses.none'))
	else out.push(responded.map((i) => `- **#${i.number} · ${aboutText(t, i, e)}** (${statusText(t, i)}${i.resolution ? `: ${resolutionText(t, i)}` : ''}): ${e(i.publicResponse)}`).join('\n'))

	h3('overrides')
	const history = report.overrides.history.length ? report.overrides.history : report.overrides.current ? [report.overrides.current] : []
	if (!history.length) para(t('report:overrides.none'))
	for (const o of history) {
		para(overrideHeadline(t, o))
		out.push(markdownQuote(o.justification))
	}
	if (history.length) para(report.overrides.current ? t('report:overrides.inForce', { count: report.overrides.current.overriddenBlockers }) : t('report:overrides.lapsed'))

	h3('roundApprovals')
	if (!report.roundApprovals.length) para(t('report:roundApprovals.none'))
	for (const a of report.roundApprovals) {
		para(roundApprovalHeadline(t, a, e))
		out.push(markdownQuote(a.justification))
	}

	h3('gate')
	const g = report.gate
	para(
		[
			t('report:gate.status', { status: t(`datasets:versionStatus.${g.status}`) }),
			t('report:gate.counts', { count: g.openIssues, blocking: g.blockingIssues }),
			g.blocked ? t('report:gate.blocked') : t('report:gate.clear'),
		].join(' '),
	)

	out.push(`---\n\n*${t('report:footer', { date: isoDate(report.generatedAt) })}*`)
	return `${out.join('\n\n')}\n`
}

/** `<slug>-<label>-consultation.<ext>`; slugs and labels are already safe, this keeps it so for any header. */
export function reportFilename(report: { dataset: { slug: string }; version: { label: string } }, ext: 'json' | 'csv' | 'md'): string {
	const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_')
	return `${safe(report.dataset.slug)}-${safe(report.version.label)}-consultation.${ext}`
}
