import { sql } from 'drizzle-orm'
import { type FlagCategory, type ParticipantRole, type Severity } from '#app/domain/enums.ts'
import {
	type Agreement,
	agreementFrom,
	breakdownFrom,
	countPeople,
	type CoverageRow,
	type InsightScope,
	inScope,
	MINORITY_PAGE_SIZE,
	type MinorityRow,
	participationFrom,
	rateFrom,
} from '#app/models/insights.server.ts'
import { query } from '#app/utils/db.server.ts'

/**
 * The insights dashboard's figures as kept by the insights job (issue #27, decision 057): each read
 * is a handful of rows of the scope's counters, whatever the consultation's size. They answer what
 * app/models/insights.server.ts answers by recounting the raw rows — the same shapes, the same
 * numbers once the job has counted every change (`pendingInsightChanges` says how many it has not);
 * `npm run insights:rebuild -- --check` compares the two.
 */

/** A version's figures are kept under its own id, a round's under the round's. */
const scopeId = (scope: InsightScope) => scope.roundId ?? scope.versionId

async function counts(scope: InsightScope, metric: string) {
	return query<{ key: string; n: number }>(sql`select key, n::int as n from insight_counts where scope_id = ${scopeId(scope)} and metric = ${metric} and n <> 0`)
}

export async function getCoverage(scope: InsightScope) {
	const rounds = await query<CoverageRow>(sql`
		select r.id as "roundId", r.title, r.overlap, r.sample_count as samples,
			coalesce((select n from insight_counts where scope_id = r.id and metric = 'coverage' and key = 'covered'), 0)::int as covered,
			coalesce((select n from insight_counts where scope_id = r.id and metric = 'coverage' and key = 'started'), 0)::int as started
		from rounds r
		where ${inScope(scope)}
		order by r.created_at, r.id`)
	if (rounds.length <= 1) {
		const only = rounds[0]
		return { rounds, total: { samples: only?.samples ?? 0, covered: only?.covered ?? 0, started: only?.started ?? 0 } }
	}
	const [total] = await query<{ samples: number; covered: number; started: number }>(sql`
		select
			(select count(distinct rs.sample_id)::int from round_samples rs join rounds r on r.id = rs.round_id where r.version_id = ${scope.versionId}) as samples,
			coalesce((select n from insight_counts where scope_id = ${scope.versionId} and metric = 'coverage' and key = 'covered'), 0)::int as covered,
			coalesce((select n from insight_counts where scope_id = ${scope.versionId} and metric = 'coverage' and key = 'started'), 0)::int as started`)
	return { rounds, total: total ?? { samples: 0, covered: 0, started: 0 } }
}

/** People are counted live (a few rows per participant); the verdicts by role come from the counters. */
export async function getParticipation(scope: InsightScope) {
	const [[people, invited], verdicts] = await Promise.all([countPeople(scope), counts(scope, 'verdicts')])
	return participationFrom(
		people,
		invited,
		verdicts.map(({ key, n }) => {
			const [role, verdict] = key.split(':') as [ParticipantRole, 'no_concerns' | 'flagged' | 'skipped']
			return { role, verdict, n }
		}),
	)
}

export async function getFlagBreakdown(scope: InsightScope) {
	const cells = await counts(scope, 'cells')
	return breakdownFrom(
		cells.map(({ key, n }) => {
			const [category, severity] = key.split(':') as [FlagCategory, Severity]
			return { category, severity, flags: n }
		}),
	)
}

export async function getFlagRateByAttribute(scope: InsightScope, attribute: string) {
	// Ordered as the recount orders them (the database's collation breaks ties between values).
	const rows = await query<{ value: string | null; reviewed: number; flagged: number }>(sql`
		select case when missing then null else value end as value, reviewed, flagged
		from insight_rates
		where scope_id = ${scopeId(scope)} and attribute = ${attribute} and reviewed > 0
		order by reviewed desc, 1 nulls last`)
	return rateFrom(attribute, rows)
}

export async function getAgreement(scope: InsightScope): Promise<Agreement> {
	const rows = await query<{ metric: string; key: string; n: number }>(
		sql`select metric, key, n::int as n from insight_counts where scope_id = ${scopeId(scope)} and metric in ('agree', 'agree_cat') and n <> 0`,
	)
	return agreementFrom(
		rows.map(({ metric, key, n }) => {
			const parts = key.split(':')
			if (metric === 'agree') return { category: null, m: Number(parts[0]), a: Number(parts[1]), units: n }
			return { category: parts[0] as FlagCategory, m: Number(parts[1]), a: Number(parts[2]), units: n }
		}),
	)
}

/** The minority signal from the scope's kept standings: a page of the partial index `insight_samples_minority_idx`. */
export async function listMinoritySignal(scope: InsightScope, page = 1) {
	const offset = (Math.max(1, page) - 1) * MINORITY_PAGE_SIZE
	const rows = await query<MinorityRow>(sql`
		with shown as (
			select sample_id, external_id, categories, max_severity, expert_also
			from insight_samples
			where scope_id = ${scopeId(scope)} and community_flaggers = 1
			order by max_severity desc, external_id
			limit ${MINORITY_PAGE_SIZE} offset ${offset}
		)
		select sh.external_id as "externalId", sh.categories, sh.max_severity as "maxSeverity", sh.expert_also as "expertAlso",
			(select count(*)::int from reviews rv join rounds r on r.id = rv.round_id where ${inScope(scope)} and rv.sample_id = sh.sample_id and rv.verdict = 'no_concerns') as "noConcerns",
			i.number as "issueNumber", i.status as "issueStatus", i.blocking
		from shown sh
		left join issues i on i.version_id = ${scope.versionId} and i.kind = 'sample' and i.sample_id = sh.sample_id
		order by sh.max_severity desc, sh.external_id`)
	const [total] = await counts(scope, 'minority')
	return { total: total?.n ?? 0, page: Math.max(1, page), pageSize: MINORITY_PAGE_SIZE, rows }
}
