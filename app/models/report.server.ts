/**
 * The consultation report of a version (app/domain/report.ts has its shape and renderers). Every
 * query names its columns, and none reaches for an identity: participants only as counts per
 * role, flags only through the counters kept on issues, no actor of the audit log, no assignee,
 * no issue history (that is where internal notes and the team's blocking reasons live).
 */
import { and, asc, eq, isNotNull, or, sql, type SQL } from 'drizzle-orm'
import { type ParticipantRole, type Resolution, type Severity } from '#app/domain/enums.ts'
import { auditEvents, issues } from '#db/schema/issues.ts'
import { participants, rounds } from '#db/schema/rounds.ts'
import { issueSamples } from '#db/schema/similar.ts'
import { isOpenBlocker } from '#app/domain/gate.ts'
import { resolutionValues } from '#app/domain/issue.ts'
import {
	publishParticipation,
	REPORT_FORMAT,
	MIN_GROUP_SIZE,
	type ConsultationReport,
	type CsvIssue,
	type ReportExportIssue,
	type ReportIssue,
	type ReportOverride,
	type ReportRound,
	type ReportRoundApproval,
} from '#app/domain/report.ts'
import { db, query, queryCursor } from '#app/utils/db.server.ts'
import { countBlockingSamples, gateCounts } from './issue.server.ts'
import { getReportSignals } from './signals.server.ts'
import { type getVersion } from './version.server.ts'

type Version = NonNullable<Awaited<ReturnType<typeof getVersion>>>

const severityNames: Record<number, Severity | null> = { 0: null, 1: 'minor', 2: 'major', 3: 'critical' }

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const str = (v: unknown) => (typeof v === 'string' ? v : null)

function selectionOf(mode: ReportRound['selection']['mode'], params: Record<string, unknown>): ReportRound['selection'] {
	return {
		mode,
		size: mode === 'random' || mode === 'signals' ? num(params.n) : mode === 'manual' && Array.isArray(params.externalIds) ? params.externalIds.length : null,
		seed: mode === 'random' || mode === 'stratified' || mode === 'signals' ? num(params.seed) : null,
		attribute: mode === 'stratified' || mode === 'signals' ? str(params.attribute) : null,
		perValue: mode === 'stratified' ? num(params.perValue) : null,
	}
}

// Who took part: consented, and not withdrawn with their feedback deleted (they asked to be gone).
const tookPart = and(isNotNull(participants.consentedAt), or(sql`${participants.withdrawnAt} is null`, eq(participants.keepFeedback, true)))

function byRole(rows: Array<{ role: ParticipantRole; n: number }>): Record<ParticipantRole, number> {
	const of = (role: ParticipantRole) => rows.filter((r) => r.role === role).reduce((a, r) => a + r.n, 0)
	return { community: of('community'), expert: of('expert') }
}

type IssueRow = {
	id: string
	number: number
	kind: ReportIssue['kind']
	externalId: string | null
	templateTarget: ReportIssue['templateTarget']
	useCaseTitle: string | null
	status: ReportIssue['status']
	resolution: ReportIssue['resolution']
	needsReReview: boolean
	blocking: boolean
	blockingReasons: string[]
	ownerBlocking: boolean | null
	categories: string[]
	maxSeverity: number
	flagCount: number
	flaggerCount: number
	affectedGroups: string[]
	publicResponse: string
	carriedOver: boolean
	/** The CSV's columns only: how many samples the issue was extended to (issue #22). */
	similarCount?: number
}

type Columns = 'all' | 'csv'

// A CSV row needs fewer columns than the report's issue: the rest (two arrays, a jsonb) would be
// read and parsed for nothing, which is most of an export's time.
const selected: Record<Columns, SQL> = {
	all: sql`i.id, i.number, i.kind, i.external_id as "externalId", i.template_target as "templateTarget", uc.title as "useCaseTitle",
			i.status, i.resolution, i.needs_re_review as "needsReReview", i.blocking, i.blocking_reasons as "blockingReasons",
			i.owner_blocking as "ownerBlocking", i.categories, i.max_severity as "maxSeverity", i.flag_count as "flagCount",
			i.flagger_count as "flaggerCount", i.affected_groups as "affectedGroups", i.public_response as "publicResponse",
			i.carried_from_id is not null as "carriedOver"`,
	csv: sql`i.id, i.number, i.kind, i.external_id as "externalId", i.template_target as "templateTarget", uc.title as "useCaseTitle",
			i.status, i.resolution, i.blocking, i.categories, i.max_severity as "maxSeverity", i.flagger_count as "flaggerCount", i.public_response as "publicResponse",
			case when i.kind = 'sample' then (select count(*)::int from issue_samples s where s.issue_id = i.id) else 0 end as "similarCount"`,
}

/**
 * The version's issues in number order, as the report lists them: `after`/`upTo` bound the
 * numbers (a keyset page, and the last issue counted in the summary), `limit` the rows.
 */
function issueRowsQuery(versionId: string, { after = 0, upTo, limit, columns = 'all' }: { after?: number; upTo?: number; limit?: number; columns?: Columns } = {}): SQL {
	return sql`
		select ${selected[columns]}
		from issues i left join use_cases uc on uc.id = i.use_case_id
		where i.version_id = ${versionId} and i.number > ${after}${upTo === undefined ? sql`` : sql` and i.number <= ${upTo}`}
		order by i.number${limit === undefined ? sql`` : sql` limit ${limit}`}`
}

type SubjectColumns = 'number' | 'kind' | 'externalId' | 'templateTarget' | 'useCaseTitle' | 'status' | 'resolution'

/**
 * The fields that open every issue of the report, its CSV rows included: which issue, about what, in
 * what state. Callers add the rest with `Object.assign` on this object: an object spread
 * (`{ ...issueSubject(i), … }`) halved the streamed export's rows/s (bench:scale, 164k → 86k).
 */
function issueSubject(i: Pick<IssueRow, SubjectColumns>) {
	return {
		number: i.number,
		kind: i.kind,
		sample: i.kind === 'sample' ? i.externalId : null,
		templateTarget: i.kind === 'template' ? i.templateTarget : null,
		useCase: i.kind === 'use_case' ? i.useCaseTitle : null,
		status: i.status,
		resolution: i.status === 'resolved' ? i.resolution : null,
	}
}

function toCsvIssue(i: Pick<IssueRow, SubjectColumns | 'blocking' | 'categories' | 'maxSeverity' | 'flaggerCount' | 'publicResponse'>, similarSamples: number): CsvIssue {
	return Object.assign(issueSubject(i), {
		blocking: i.blocking,
		categories: i.categories,
		maxSeverity: severityNames[i.maxSeverity] ?? null,
		flaggers: i.flaggerCount,
		publicResponse: i.publicResponse,
		similarSamples,
	})
}

function toReportIssue(i: IssueRow, similarSamples: number): ReportIssue {
	return Object.assign(issueSubject(i), {
		needsReReview: i.needsReReview,
		blocking: i.blocking,
		blockingReasons: i.blockingReasons,
		teamCall: i.ownerBlocking === null ? null : i.ownerBlocking ? ('blocking' as const) : ('not_blocking' as const),
		categories: i.categories,
		maxSeverity: severityNames[i.maxSeverity] ?? null,
		flags: i.flagCount,
		flaggers: i.flaggerCount,
		affectedGroups: i.affectedGroups,
		publicResponse: i.publicResponse,
		carriedOver: i.carriedOver,
		similarSamples,
	})
}

/** A batch's issue ids as one parameter (`{…}`::uuid[]): a list of up to 2,000 parameters cost the streamed export half its speed. */
const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`

// Only an issue about a sample is extended to similar samples: a batch without one asks nothing.
const sampleIssueIds = (rows: ReadonlyArray<Pick<IssueRow, 'id' | 'kind'>>) => rows.filter((r) => r.kind === 'sample').map((r) => r.id)

/** How many samples each of these issues was extended to (issue #22), in one statement; an issue without any is absent. */
async function similarSampleCounts(rows: ReadonlyArray<Pick<IssueRow, 'id' | 'kind'>>): Promise<Map<string, number>> {
	const ids = sampleIssueIds(rows)
	if (!ids.length) return new Map()
	const counts = await db
		.select({ issueId: issueSamples.issueId, n: sql<number>`count(*)::int` })
		.from(issueSamples)
		.where(sql`${issueSamples.issueId} = any(${uuidArray(ids)})`)
		.groupBy(issueSamples.issueId)
	return new Map(counts.map((c) => [c.issueId, c.n]))
}

/** The external ids of the samples each of these issues was extended to, in one statement, in code-unit order (the same on every collation). */
async function similarSampleIds(rows: ReadonlyArray<Pick<IssueRow, 'id' | 'kind'>>): Promise<Map<string, string[]>> {
	const ids = sampleIssueIds(rows)
	const byIssue = new Map<string, string[]>()
	if (!ids.length) return byIssue
	const found = await db
		.select({ issueId: issueSamples.issueId, externalId: issueSamples.externalId })
		.from(issueSamples)
		.where(sql`${issueSamples.issueId} = any(${uuidArray(ids)})`)
		.orderBy(asc(issueSamples.issueId), sql`${issueSamples.externalId} collate "C"`)
	for (const f of found) {
		const list = byIssue.get(f.issueId)
		if (list) list.push(f.externalId)
		else byIssue.set(f.issueId, [f.externalId])
	}
	return byIssue
}

/** Report issues with their similar samples counted (the page, the Markdown). */
async function withSimilarCounts(rows: IssueRow[]): Promise<ReportIssue[]> {
	const counts = await similarSampleCounts(rows)
	return rows.map((r) => toReportIssue(r, counts.get(r.id) ?? 0))
}

/** CSV rows, their similar samples counted by the row's own statement (an index probe per sample issue, no statement more per batch). */
async function csvWithSimilarCounts(rows: IssueRow[]): Promise<CsvIssue[]> {
	return rows.map((r) => toCsvIssue(r, r.similarCount ?? 0))
}

/** The JSON's issues: each with the ids of its similar samples, and their number. */
async function withSimilarIds(rows: IssueRow[]): Promise<ReportExportIssue[]> {
	const ids = await similarSampleIds(rows)
	return rows.map((r) => {
		const similar = ids.get(r.id) ?? []
		return Object.assign(toReportIssue(r, similar.length), { similarSampleIds: similar })
	})
}

type ReportArgs = { dataset: { slug: string; name: string }; version: Version; now?: Date }

/**
 * The report of `version` (from the version guard, so the caller may view it). `issueLimit` caps
 * the listed issues for the page and the Markdown; the counts always cover them all.
 */
export async function getConsultationReport({ issueLimit, ...args }: ReportArgs & { issueLimit?: number }): Promise<ConsultationReport> {
	const [{ report }, rows] = await Promise.all([reportWithoutIssues(args), query<IssueRow>(issueRowsQuery(args.version.id, { limit: issueLimit }))])
	const listed = await withSimilarCounts(rows)
	return { ...report, summary: { ...report.summary, listed: listed.length }, issues: listed }
}

// Rows per round trip of an export: small enough that memory stays flat, large enough that the
// round trips do not dominate (bench:scale).
const EXPORT_BATCH = 2_000

/**
 * The report for a download that streams its issues (JSON): the report with `issues` empty, and
 * every issue the summary counted in number order, in batches read as the response is written.
 * Issues filed while it downloads are left out (the list stops at the last number counted), so
 * the summary and the list agree.
 */
export async function getConsultationReportExport({
	batch = EXPORT_BATCH,
	...args
}: ReportArgs & { batch?: number }): Promise<{ report: ConsultationReport; issues: AsyncIterable<ReportExportIssue[]> }> {
	const { report, lastNumber } = await reportWithoutIssues(args)
	return { report: { ...report, summary: { ...report.summary, listed: report.summary.issues } }, issues: issueBatches(args.version.id, lastNumber, batch, 'all', withSimilarIds) }
}

/**
 * The CSV download's rows: every issue of the version in number order, with a CSV row's columns
 * only, in batches read as the response is written. The CSV carries no summary, so nothing else
 * is read: the first row leaves after one round trip.
 */
export function listReportCsvIssues({ versionId, batch = EXPORT_BATCH }: { versionId: string; batch?: number }): AsyncIterable<CsvIssue[]> {
	return issueBatches(versionId, undefined, batch, 'csv', csvWithSimilarCounts)
}

/** `complete` turns a batch of rows into issues, reading what else they need for the whole batch at once (their similar samples). */
async function* issueBatches<T>(versionId: string, upTo: number | undefined, batch: number, columns: Columns, complete: (rows: IssueRow[]) => Promise<T[]>): AsyncGenerator<T[]> {
	if (upTo !== undefined && upTo <= 0) return
	// PostgreSQL: one statement read through a cursor. PGlite (no cursor outside a transaction that
	// would hold its only connection for the whole download): keyset pages by number.
	const cursor = queryCursor<IssueRow>(issueRowsQuery(versionId, { upTo, columns }), batch)
	if (cursor) {
		for await (const rows of readAhead(cursor)) yield await complete(rows)
		return
	}
	for (let after = 0; ;) {
		const rows = await query<IssueRow>(issueRowsQuery(versionId, { after, upTo, limit: batch, columns }))
		if (rows.length) yield await complete(rows)
		if (rows.length < batch) return
		after = rows.at(-1)!.number
	}
}

/**
 * Asks for the next batch before handing out this one, so the database reads it while this one is
 * rendered and written (a cursor otherwise waits for its reader between batches).
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
	const it = source[Symbol.asyncIterator]()
	// postgres.js's cursor answers a plain `{ done: true }`, not a promise, when asked after its
	// statement has finished — which happens once the reader is slower than the last read.
	const step = () => Promise.resolve(it.next())
	let next = step()
	try {
		for (;;) {
			// A failure is thrown where the batch is awaited; until then it must not count as unhandled.
			next.catch(() => {})
			const result = await next
			if (result.done) return
			next = step()
			yield result.value
		}
	} finally {
		// Stopped early (a client that went away): let the read in flight settle, then close the cursor.
		const last = await next.catch(() => ({ done: true }))
		if (!last.done) await it.return?.()
	}
}

/** Everything but the issue list (`issues` empty, `summary.listed` 0), and the highest issue number counted. */
async function reportWithoutIssues({ dataset, version, now = new Date() }: ReportArgs): Promise<{ report: ConsultationReport; lastNumber: number }> {
	const versionId = version.id
	const [roundRows, perRound, perPerson, counts, overrideRows, roundApprovalRows, gate, blockingSamples, signals] = await Promise.all([
		db
			.select({
				id: rounds.id,
				title: rounds.title,
				stage: rounds.stage,
				status: rounds.status,
				opensAt: rounds.opensAt,
				closesAt: rounds.closesAt,
				openedAt: rounds.openedAt,
				closedAt: rounds.closedAt,
				selectionMode: rounds.selectionMode,
				selectionParams: rounds.selectionParams,
				sampleCount: rounds.sampleCount,
				overlap: rounds.overlap,
				blindReview: rounds.blindReview,
				blockThreshold: rounds.blockThreshold,
				opposedBlocks: rounds.opposedBlocks,
			})
			.from(rounds)
			.where(eq(rounds.versionId, versionId))
			.orderBy(asc(rounds.createdAt), asc(rounds.id)),
		db
			.select({ roundId: participants.roundId, role: participants.role, n: sql<number>`count(*)::int` })
			.from(participants)
			.innerJoin(rounds, eq(rounds.id, participants.roundId))
			.where(and(eq(rounds.versionId, versionId), tookPart))
			.groupBy(participants.roundId, participants.role),
		// One person in two rounds counts once per role.
		db
			.select({ role: participants.role, n: sql<number>`count(distinct ${participants.userId})::int` })
			.from(participants)
			.innerJoin(rounds, eq(rounds.id, participants.roundId))
			.where(and(eq(rounds.versionId, versionId), tookPart))
			.groupBy(participants.role),
		db
			.select({ status: issues.status, resolution: issues.resolution, blocking: issues.blocking, n: sql<number>`count(*)::int`, last: sql<number>`max(${issues.number})::int` })
			.from(issues)
			.where(eq(issues.versionId, versionId))
			.groupBy(issues.status, issues.resolution, issues.blocking),
		// The actor (id and copied name) stays in the audit log.
		db
			.select({ at: auditEvents.createdAt, after: auditEvents.after, reason: auditEvents.reason })
			.from(auditEvents)
			.where(and(eq(auditEvents.versionId, versionId), eq(auditEvents.action, 'version.approved_with_override')))
			.orderBy(asc(auditEvents.createdAt), asc(auditEvents.id)),
		// Approvals past an open or under-covered round: the guarded approve writes the team's choice into the audit log.
		db
			.select({ at: auditEvents.createdAt, after: auditEvents.after })
			.from(auditEvents)
			.where(and(eq(auditEvents.versionId, versionId), sql`${auditEvents.action} in ('version.approved', 'version.approved_with_override')`, sql`${auditEvents.after} ->> 'roundChoice' is not null`))
			.orderBy(asc(auditEvents.createdAt), asc(auditEvents.id)),
		gateCounts(versionId),
		countBlockingSamples(versionId),
		getReportSignals(versionId),
	])

	const people = publishParticipation(
		roundRows.map((r) => byRole(perRound.filter((p) => p.roundId === r.id))),
		byRole(perPerson),
	)
	const sum = (pred: (c: (typeof counts)[number]) => boolean) => counts.filter(pred).reduce((a, c) => a + c.n, 0)
	const history: ReportOverride[] = overrideRows.map((o) => ({
		at: o.at.toISOString(),
		overriddenBlockers: num(o.after?.overriddenBlockers) ?? 0,
		blockers: (Array.isArray(o.after?.blockers) ? o.after.blockers : []).map((b) => Number(String(b).replace(/^#/, ''))).filter((n) => Number.isInteger(n)),
		justification: o.reason,
	}))
	const roundApprovals: ReportRoundApproval[] = roundApprovalRows.map((a) => ({
		at: a.at.toISOString(),
		choice: a.after?.roundChoice === 'close' ? 'close' : 'keep_open',
		rounds: (Array.isArray(a.after?.rounds) ? a.after.rounds : []).map(String),
		justification: typeof a.after?.roundJustification === 'string' ? a.after.roundJustification : '',
	}))
	const current: ReportOverride | null =
		version.overriddenBlockers > 0 && (version.status === 'approved' || version.status === 'released')
			? { at: history.at(-1)?.at ?? null, overriddenBlockers: version.overriddenBlockers, blockers: history.at(-1)?.blockers ?? [], justification: version.overrideJustification ?? '' }
			: null

	const report: ConsultationReport = {
		format: REPORT_FORMAT,
		generatedAt: now.toISOString(),
		dataset: { slug: dataset.slug, name: dataset.name },
		version: { label: version.label, status: version.status, parent: version.parent?.label ?? null, createdAt: version.createdAt.toISOString(), sampleCount: version.sampleCount },
		provenance: {
			modelName: version.modelName,
			modelVersion: version.modelVersion,
			modelProvider: version.modelProvider,
			generationMethod: version.generationMethod,
			promptTemplates: version.promptTemplates,
			personaDefinitions: version.personaDefinitions,
			seedDataDescription: version.seedDataDescription,
			knownLimitations: version.knownLimitations,
			changelog: version.changelog,
		},
		rounds: roundRows.map((r, n) => ({
			title: r.title,
			stage: r.stage,
			status: r.status,
			opensAt: r.opensAt?.toISOString() ?? null,
			closesAt: r.closesAt?.toISOString() ?? null,
			openedAt: r.openedAt?.toISOString() ?? null,
			closedAt: r.closedAt?.toISOString() ?? null,
			selection: selectionOf(r.selectionMode, r.selectionParams),
			sampleCount: r.sampleCount,
			overlap: r.overlap,
			blindReview: r.blindReview,
			blockThreshold: r.blockThreshold,
			opposedBlocks: r.opposedBlocks,
			participation: people.rounds[n]!,
		})),
		participation: { ...people.total, minGroupSize: MIN_GROUP_SIZE },
		signals,
		summary: {
			issues: sum(() => true),
			open: sum((c) => c.status === 'open'),
			acknowledged: sum((c) => c.status === 'acknowledged'),
			resolved: sum((c) => c.status === 'resolved'),
			blocking: sum(isOpenBlocker),
			blockingSamples,
			resolutions: Object.fromEntries(resolutionValues.map((r) => [r, sum((c) => c.status === 'resolved' && c.resolution === r)])) as Record<Resolution, number>,
			listed: 0,
		},
		issues: [],
		overrides: { current, history },
		roundApprovals,
		gate: { status: version.status, blocked: gate.blocking > 0, blockingIssues: gate.blocking, openIssues: gate.open },
	}
	return { report, lastNumber: Math.max(0, ...counts.map((c) => c.last)) }
}
