/**
 * The consultation report of a version (app/domain/report.ts has its shape and renderers). Every
 * query names its columns, and none reaches for an identity: participants only as counts per
 * role, flags only through the counters kept on issues, no actor of the audit log, no assignee,
 * no issue history (that is where internal notes and the team's blocking reasons live).
 */
import { and, asc, eq, isNotNull, or, sql } from 'drizzle-orm'
import { useCases } from '#db/schema/datasets.ts'
import { auditEvents, issues } from '#db/schema/issues.ts'
import { participants, rounds } from '#db/schema/rounds.ts'
import { publishParticipation, REPORT_FORMAT, MIN_GROUP_SIZE, type ConsultationReport, type ReportOverride, type ReportRound, type Role, type Severity } from '#app/domain/report.ts'
import { db } from '#app/utils/db.server.ts'
import { gateCounts } from './issue.server.ts'
import { type getVersion } from './version.server.ts'

type Version = NonNullable<Awaited<ReturnType<typeof getVersion>>>

const severityNames: Record<number, Severity | null> = { 0: null, 1: 'minor', 2: 'major', 3: 'critical' }

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const str = (v: unknown) => (typeof v === 'string' ? v : null)

function selectionOf(mode: ReportRound['selection']['mode'], params: Record<string, unknown>): ReportRound['selection'] {
	return {
		mode,
		size: mode === 'random' ? num(params.n) : mode === 'manual' && Array.isArray(params.externalIds) ? params.externalIds.length : null,
		seed: mode === 'random' || mode === 'stratified' ? num(params.seed) : null,
		attribute: mode === 'stratified' ? str(params.attribute) : null,
		perValue: mode === 'stratified' ? num(params.perValue) : null,
	}
}

// Who took part: consented, and not withdrawn with their feedback deleted (they asked to be gone).
const tookPart = and(isNotNull(participants.consentedAt), or(sql`${participants.withdrawnAt} is null`, eq(participants.keepFeedback, true)))

function byRole(rows: Array<{ role: Role; n: number }>): Record<Role, number> {
	const of = (role: Role) => rows.filter((r) => r.role === role).reduce((a, r) => a + r.n, 0)
	return { community: of('community'), expert: of('expert') }
}

/**
 * The report of `version` (from the version guard, so the caller may view it). `issueLimit` caps
 * the listed issues for the page and the Markdown; the counts always cover them all.
 */
export async function getConsultationReport({ dataset, version, issueLimit, now = new Date() }: { dataset: { slug: string; name: string }; version: Version; issueLimit?: number; now?: Date }): Promise<ConsultationReport> {
	const versionId = version.id
	const [roundRows, perRound, perPerson, issueRows, counts, overrideRows, gate] = await Promise.all([
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
		(() => {
			const q = db
				.select({
					number: issues.number,
					kind: issues.kind,
					externalId: issues.externalId,
					templateTarget: issues.templateTarget,
					useCaseTitle: useCases.title,
					status: issues.status,
					resolution: issues.resolution,
					needsReReview: issues.needsReReview,
					blocking: issues.blocking,
					blockingReasons: issues.blockingReasons,
					ownerBlocking: issues.ownerBlocking,
					categories: issues.categories,
					maxSeverity: issues.maxSeverity,
					flagCount: issues.flagCount,
					flaggerCount: issues.flaggerCount,
					affectedGroups: issues.affectedGroups,
					publicResponse: issues.publicResponse,
					carriedOver: sql<boolean>`${issues.carriedFromId} is not null`,
				})
				.from(issues)
				.leftJoin(useCases, eq(useCases.id, issues.useCaseId))
				.where(eq(issues.versionId, versionId))
				.orderBy(asc(issues.number))
			return issueLimit === undefined ? q : q.limit(issueLimit)
		})(),
		db
			.select({ status: issues.status, resolution: issues.resolution, blocking: issues.blocking, n: sql<number>`count(*)::int` })
			.from(issues)
			.where(eq(issues.versionId, versionId))
			.groupBy(issues.status, issues.resolution, issues.blocking),
		// The actor (id and copied name) stays in the audit log.
		db
			.select({ at: auditEvents.createdAt, after: auditEvents.after, reason: auditEvents.reason })
			.from(auditEvents)
			.where(and(eq(auditEvents.versionId, versionId), eq(auditEvents.action, 'version.approved_with_override')))
			.orderBy(asc(auditEvents.createdAt), asc(auditEvents.id)),
		gateCounts(versionId),
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
	const current: ReportOverride | null =
		version.overriddenBlockers > 0 && (version.status === 'approved' || version.status === 'released')
			? { at: history.at(-1)?.at ?? null, overriddenBlockers: version.overriddenBlockers, blockers: history.at(-1)?.blockers ?? [], justification: version.overrideJustification ?? '' }
			: null

	return {
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
		summary: {
			issues: sum(() => true),
			open: sum((c) => c.status === 'open'),
			acknowledged: sum((c) => c.status === 'acknowledged'),
			resolved: sum((c) => c.status === 'resolved'),
			blocking: sum((c) => c.blocking && c.status !== 'resolved'),
			resolutions: {
				removed: sum((c) => c.status === 'resolved' && c.resolution === 'removed'),
				regenerated: sum((c) => c.status === 'resolved' && c.resolution === 'regenerated'),
				documented: sum((c) => c.status === 'resolved' && c.resolution === 'documented'),
				not_an_issue: sum((c) => c.status === 'resolved' && c.resolution === 'not_an_issue'),
			},
			listed: issueRows.length,
		},
		issues: issueRows.map((i) => ({
			number: i.number,
			kind: i.kind,
			sample: i.kind === 'sample' ? i.externalId : null,
			templateTarget: i.kind === 'template' ? i.templateTarget : null,
			useCase: i.kind === 'use_case' ? i.useCaseTitle : null,
			status: i.status,
			resolution: i.status === 'resolved' ? i.resolution : null,
			needsReReview: i.needsReReview,
			blocking: i.blocking,
			blockingReasons: i.blockingReasons,
			teamCall: i.ownerBlocking === null ? null : i.ownerBlocking ? 'blocking' : 'not_blocking',
			categories: i.categories,
			maxSeverity: severityNames[i.maxSeverity] ?? null,
			flags: i.flagCount,
			flaggers: i.flaggerCount,
			affectedGroups: i.affectedGroups,
			publicResponse: i.publicResponse,
			carriedOver: i.carriedOver,
		})),
		overrides: { current, history },
		gate: { status: version.status, blocked: gate.blocking > 0, blockingIssues: gate.blocking, openIssues: gate.open },
	}
}
