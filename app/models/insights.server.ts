import { sql, type SQL } from 'drizzle-orm'
import { type FlagCategory, flagCategories, type ParticipantRole, participantRoles, type Severity, severities } from '#app/domain/enums.ts'
import { type AlphaResult, alphaNominalFromCounts, type Interval, protectCount, protectGroupCounts, wilsonInterval } from '#app/domain/metrics.ts'
import { query } from '#app/utils/db.server.ts'

/**
 * The dashboard's aggregates for a version (all its rounds) or one of its rounds. Everything is
 * counted in SQL over the rounds' own rows (reviews and flags by round, participants by round) and
 * leaves here as counts: no identities, and counts of people below three are withheld before the
 * numbers reach a loader. The statistics themselves are app/domain/metrics.ts.
 *
 * The caller has checked the version (requireVersion) and that `roundId`, if any, is one of its rounds.
 */
export type InsightScope = { versionId: string; roundId?: string | null }

/** `rounds r` restricted to the scope; every query below starts from it (and the kept figures' live parts, insight-figures.server.ts). */
export function inScope(scope: InsightScope): SQL {
	return scope.roundId ? sql`r.version_id = ${scope.versionId} and r.id = ${scope.roundId}` : sql`r.version_id = ${scope.versionId}`
}

/** The version's rounds, for the round picker. */
export async function listInsightRounds(versionId: string) {
	// The selection's parameters only for a round aimed where the signals are (a hand-picked list can be long).
	return query<{ id: string; title: string; status: string; overlap: number; sampleCount: number; signalSelection: Record<string, unknown> | null }>(sql`
		select id, title, status, overlap, sample_count as "sampleCount", case when selection_mode = 'signals' then selection_params end as "signalSelection"
		from rounds where version_id = ${versionId} order by created_at, id`)
}

export type CoverageRow = { roundId: string; title: string; overlap: number; samples: number; covered: number; started: number }

/**
 * Coverage as `roundProgress` counts it: a sample is covered once it has at least k (the round's
 * overlap) verdicts that say something — no concerns or flagged, not skips. `started` = at least
 * one such verdict. For the version, a sample counts once, covered if covered in any round.
 */
export async function getCoverage(scope: InsightScope) {
	const rounds = await query<CoverageRow>(sql`
		select r.id as "roundId", r.title, r.overlap, r.sample_count as samples,
			coalesce(c.covered, 0)::int as covered, coalesce(c.started, 0)::int as started
		from rounds r
		left join lateral (
			select count(*) filter (where said >= r.overlap) as covered, count(*) as started
			from (select sample_id, count(*) as said from reviews where round_id = r.id and verdict <> 'skipped' group by sample_id) s
		) c on true
		where ${inScope(scope)}
		order by r.created_at, r.id`)
	if (rounds.length <= 1) {
		const only = rounds[0]
		return { rounds, total: { samples: only?.samples ?? 0, covered: only?.covered ?? 0, started: only?.started ?? 0 } }
	}
	// One pass over the scope's reviews (index-only: reviews_round_sample_cover_idx) for both counts.
	const [total] = await query<{ samples: number; covered: number; started: number }>(sql`
		with said as (
			select rv.sample_id, count(*) >= min(r.overlap) as covered
			from reviews rv join rounds r on r.id = rv.round_id
			where ${inScope(scope)} and rv.verdict <> 'skipped'
			group by rv.round_id, rv.sample_id
		)
		select
			(select count(distinct rs.sample_id)::int from round_samples rs join rounds r on r.id = rs.round_id where ${inScope(scope)}) as samples,
			count(distinct sample_id) filter (where covered)::int as covered,
			count(distinct sample_id)::int as started
		from said`)
	return { rounds, total: total ?? { samples: 0, covered: 0, started: 0 } }
}

type Protected = number | null
export type RoleParticipation = {
	role: ParticipantRole
	invited: Protected
	joined: Protected
	active: Protected
	withdrawn: Protected
	/** Verdicts given by the role, withheld altogether when fewer than three of its people joined. */
	verdicts: { no_concerns: number; flagged: number; skipped: number } | null
}

/** People by role (joined, active, withdrawn) and invitations by role: counted live, a few rows per person (the kept figures read them too). */
export function countPeople(scope: InsightScope) {
	return Promise.all([
		query<{ role: ParticipantRole; joined: number; active: number; withdrawn: number }>(sql`
			select p.role,
				count(distinct p.user_id) filter (where p.consented_at is not null)::int as joined,
				count(distinct p.user_id) filter (where exists (select 1 from reviews rv where rv.participant_id = p.id))::int as active,
				count(distinct p.user_id) filter (where p.withdrawn_at is not null)::int as withdrawn
			from participants p join rounds r on r.id = p.round_id
			where ${inScope(scope)}
			group by p.role`),
		query<{ role: ParticipantRole; invited: number }>(sql`
			select i.role, count(distinct i.email_hash)::int as invited
			from invitations i join rounds r on r.id = i.round_id
			where ${inScope(scope)} and i.status <> 'revoked'
			group by i.role`),
	])
}

/**
 * Participation by role: people invited, joined (consented), active (gave a verdict) and withdrawn;
 * a person in several rounds counts once. Counts of people below three read "fewer than 3", and so
 * does the total when any role is withheld (it could be subtracted back).
 */
export async function getParticipation(scope: InsightScope) {
	const [[people, invited], verdicts] = await Promise.all([
		countPeople(scope),
		query<{ role: ParticipantRole; verdict: 'no_concerns' | 'flagged' | 'skipped'; n: number }>(sql`
			select p.role, rv.verdict, count(*)::int as n
			from reviews rv join rounds r on r.id = rv.round_id join participants p on p.id = rv.participant_id
			where ${inScope(scope)}
			group by p.role, rv.verdict`),
	])
	return participationFrom(people, invited, verdicts)
}

/** Shapes the people and verdict counts, withholding small groups (shared with the kept figures, insight-figures.server.ts). */
export function participationFrom(
	people: Array<{ role: ParticipantRole; joined: number; active: number; withdrawn: number }>,
	invited: Array<{ role: ParticipantRole; invited: number }>,
	verdicts: Array<{ role: ParticipantRole; verdict: 'no_concerns' | 'flagged' | 'skipped'; n: number }>,
) {
	const raw = (role: ParticipantRole) => people.find((p) => p.role === role) ?? { joined: 0, active: 0, withdrawn: 0 }
	const joined = protectGroupCounts(Object.fromEntries(participantRoles.map((role) => [role, raw(role).joined])) as Record<ParticipantRole, number>)
	const roles: RoleParticipation[] = participantRoles.map((role) => {
		const own = raw(role)
		const count = (v: 'no_concerns' | 'flagged' | 'skipped') => verdicts.find((x) => x.role === role && x.verdict === v)?.n ?? 0
		return {
			role,
			invited: protectCount(invited.find((i) => i.role === role)?.invited ?? 0),
			joined: joined.groups[role],
			active: protectCount(own.active),
			withdrawn: protectCount(own.withdrawn),
			verdicts: joined.groups[role] === null ? null : { no_concerns: count('no_concerns'), flagged: count('flagged'), skipped: count('skipped') },
		}
	})
	return { roles, totalJoined: joined.total }
}

/** Flags on samples by category × severity: how many flags, and on how many samples. */
export async function getFlagBreakdown(scope: InsightScope) {
	const rows = await query<{ category: FlagCategory; severity: Severity; flags: number; samples: number }>(sql`
		select f.category, f.severity, count(*)::int as flags, count(distinct f.sample_id)::int as samples
		from flags f join rounds r on r.id = f.round_id
		where ${inScope(scope)} and f.sample_id is not null and f.kind = 'flag' and f.category is not null and f.severity is not null
		group by f.category, f.severity`)
	return breakdownFrom(rows)
}

/** Flags by category and severity, shaped for the page. */
export function breakdownFrom(rows: Array<{ category: FlagCategory; severity: Severity; flags: number }>) {
	const cell = (c: FlagCategory, s: Severity) => rows.find((r) => r.category === c && r.severity === s)?.flags ?? 0
	return {
		byCategory: flagCategories.map((category) => ({
			category,
			flags: severities.reduce((n, s) => n + cell(category, s), 0),
			bySeverity: Object.fromEntries(severities.map((s) => [s, cell(category, s)])) as Record<Severity, number>,
		})),
		bySeverity: severities.map((severity) => ({ severity, flags: flagCategories.reduce((n, c) => n + cell(c, severity), 0) })),
		total: rows.reduce((n, r) => n + r.flags, 0),
	}
}

/** Most attribute values listed; the rest are summed into one "other values" row. */
export const RATE_VALUES_SHOWN = 40

export type RateRow = { value: string | null; reviewed: number; flagged: number; interval: Interval | null }

/**
 * Share of reviewed samples (at least one verdict other than a skip) that somebody flagged, per
 * value of one metadata attribute (`persona.origin`), with Wilson 95% intervals. Only the chosen
 * attribute is read (`metadata #>> path`), and only for the samples reviewed in scope.
 */
export async function getFlagRateByAttribute(scope: InsightScope, attribute: string) {
	const rows = await query<{ value: string | null; reviewed: number; flagged: number }>(sql`
		with reviewed as (
			select rv.sample_id, bool_or(rv.verdict = 'flagged') as flagged
			from reviews rv join rounds r on r.id = rv.round_id
			where ${inScope(scope)} and rv.verdict <> 'skipped'
			group by rv.sample_id
		)
		select s.metadata #>> string_to_array(${attribute}, '.') as value, count(*)::int as reviewed, count(*) filter (where reviewed.flagged)::int as flagged
		from reviewed join samples s on s.id = reviewed.sample_id
		-- The ids as an array: PostgreSQL then fetches just these samples by primary key, in id order
		-- (a version's samples are contiguous), instead of hash-joining all million rows of samples.
		where s.id = any(array(select sample_id from reviewed))
		group by 1
		order by reviewed desc, value nulls last`)
	return rateFrom(attribute, rows)
}

/** Rows per value (largest first, values without the attribute as `null`), shaped with their intervals. */
export function rateFrom(attribute: string, rows: Array<{ value: string | null; reviewed: number; flagged: number }>) {
	// Values without the attribute go last, whatever their size.
	const present = rows.filter((r) => r.value !== null)
	const shown = present.slice(0, RATE_VALUES_SHOWN)
	const rest = present.slice(RATE_VALUES_SHOWN)
	const missing = rows.find((r) => r.value === null)
	const withInterval = (r: { value: string | null; reviewed: number; flagged: number }): RateRow => ({ ...r, interval: wilsonInterval(r.flagged, r.reviewed) })
	const other = rest.length ? withInterval({ value: null, reviewed: rest.reduce((n, r) => n + r.reviewed, 0), flagged: rest.reduce((n, r) => n + r.flagged, 0) }) : null
	return {
		attribute,
		rows: shown.map(withInterval),
		other: other ? { ...other, values: rest.length } : null,
		missing: missing ? withInterval(missing) : null,
		overall: withInterval({ value: null, reviewed: rows.reduce((n, r) => n + r.reviewed, 0), flagged: rows.reduce((n, r) => n + r.flagged, 0) }),
	}
}

export type Agreement = { overall: AlphaResult; byCategory: Array<{ category: FlagCategory; result: AlphaResult }> }

/**
 * Krippendorff's alpha (nominal) between reviewers. A unit is a sample in a round; each reviewer
 * who gave a verdict other than a skip contributes one value: flagged or no concerns; per category,
 * "flagged with this category" or not. For nominal data only the counts per unit matter, so SQL
 * returns how many units share each (reviewers, flagged) pattern — a handful of rows however many
 * samples there are.
 */
export async function getAgreement(scope: InsightScope): Promise<Agreement> {
	// One statement, so the units (one pass over the scope's reviews, index-only) are grouped once
	// for both parts. A sample's flag always belongs to its author's review of the sample in the
	// flag's round, and that review says "flagged" (saveVerdict deletes a review's flags when its
	// verdict changes; deleting a review deletes its flags), so the flags are counted from their own
	// covering index without going back to the reviews; the join with the units keeps only units of
	// two or more verdicts.
	const rows = await query<{ category: FlagCategory | null; m: number; a: number; units: number }>(sql`
		with u as materialized (
			select rv.round_id, rv.sample_id, count(*)::int as m, count(*) filter (where rv.verdict = 'flagged')::int as a
			from reviews rv join rounds r on r.id = rv.round_id
			where ${inScope(scope)} and rv.verdict <> 'skipped'
			group by rv.round_id, rv.sample_id
			having count(*) >= 2
		), c as (
			select f.round_id, f.sample_id, f.category, count(distinct f.participant_id)::int as a
			from flags f join rounds r on r.id = f.round_id
			where ${inScope(scope)} and f.sample_id is not null and f.kind = 'flag' and f.category is not null
			group by f.round_id, f.sample_id, f.category
		)
		select null as category, m, a, count(*)::int as units from u group by m, a
		union all
		select c.category, u.m, c.a, count(*)::int as units
		from c join u on u.round_id = c.round_id and u.sample_id = c.sample_id
		group by c.category, u.m, c.a`)
	return agreementFrom(rows)
}

/** Alpha overall and per category from how many units share each (category, m, a) pattern (category null: the verdict itself). */
export function agreementFrom(rows: Array<{ category: FlagCategory | null; m: number; a: number; units: number }>): Agreement {
	const patterns = rows.filter((r) => r.category === null)
	const categoryPatterns = rows.filter((r): r is typeof r & { category: FlagCategory } => r.category !== null)
	const overall = alphaNominalFromCounts(patterns.map((p) => ({ counts: { flagged: p.a, no_concerns: p.m - p.a }, weight: p.units })))
	// Units where nobody used the category are every pairable unit minus those where somebody did.
	const unitsByM = new Map<number, number>()
	for (const p of patterns) unitsByM.set(p.m, (unitsByM.get(p.m) ?? 0) + p.units)
	const byCategory = flagCategories.map((category) => {
		const mine = categoryPatterns.filter((p) => p.category === category)
		const withCategory = new Map<number, number>()
		for (const p of mine) withCategory.set(p.m, (withCategory.get(p.m) ?? 0) + p.units)
		const counts = [
			...mine.map((p) => ({ counts: { yes: p.a, no: p.m - p.a }, weight: p.units })),
			...[...unitsByM].map(([m, total]) => ({ counts: { yes: 0, no: m }, weight: total - (withCategory.get(m) ?? 0) })),
		]
		return { category, result: alphaNominalFromCounts(counts) }
	})
	return { overall, byCategory }
}

export const MINORITY_PAGE_SIZE = 50

/** A sample of the minority signal, as the page lists it. */
export type MinorityRow = {
	externalId: string
	categories: FlagCategory[]
	maxSeverity: number
	expertAlso: boolean
	noConcerns: number
	issueNumber: number | null
	issueStatus: string | null
	blocking: boolean | null
}

/**
 * The minority signal: samples flagged by exactly one community member in scope (a person in
 * several rounds counts once), whatever anyone else said. They are listed, never folded into an
 * average, each linked to its issue. Experts' flags on them are shown as a yes/no only.
 */
export async function listMinoritySignal(scope: InsightScope, page = 1) {
	const offset = (Math.max(1, page) - 1) * MINORITY_PAGE_SIZE
	const rows = await query<MinorityRow & { sampleId: number; total: number }>(sql`
		with flagged as (
			select f.sample_id,
				array_agg(distinct f.category) filter (where f.category is not null) as categories,
				max(case f.severity when 'critical' then 3 when 'major' then 2 when 'minor' then 1 else 0 end) as max_severity,
				count(distinct p.user_id) filter (where p.role = 'expert') > 0 as expert_also
			from flags f
			join rounds r on r.id = f.round_id
			join participants p on p.id = f.participant_id
			where ${inScope(scope)} and f.sample_id is not null and f.kind = 'flag'
			group by f.sample_id
			having count(distinct p.user_id) filter (where p.role = 'community') = 1
		),
		-- The page first; the reviews and the issue of its fifty samples only after (an issue per sample: issues_version_sample_key).
		shown as (
			select fl.*, s.external_id, (count(*) over ())::int as total
			from flagged fl
			join samples s on s.id = fl.sample_id
			order by fl.max_severity desc, s.external_id
			limit ${MINORITY_PAGE_SIZE} offset ${offset}
		)
		select sh.sample_id as "sampleId", sh.external_id as "externalId", sh.categories, sh.max_severity::int as "maxSeverity", sh.expert_also as "expertAlso",
			(select count(*)::int from reviews rv join rounds r on r.id = rv.round_id where ${inScope(scope)} and rv.sample_id = sh.sample_id and rv.verdict = 'no_concerns') as "noConcerns",
			i.number as "issueNumber", i.status as "issueStatus", i.blocking, sh.total
		from shown sh
		left join issues i on i.version_id = ${scope.versionId} and i.kind = 'sample' and i.sample_id = sh.sample_id
		order by sh.max_severity desc, sh.external_id`)
	return {
		total: rows[0]?.total ?? (offset > 0 ? await countMinority(scope) : 0),
		page: Math.max(1, page),
		pageSize: MINORITY_PAGE_SIZE,
		rows: rows.map(({ total: _total, sampleId: _sampleId, ...r }) => ({ ...r, categories: r.categories ?? [] })),
	}
}

async function countMinority(scope: InsightScope) {
	const [row] = await query<{ n: number }>(sql`
		select count(*)::int as n from (
			select f.sample_id from flags f join rounds r on r.id = f.round_id join participants p on p.id = f.participant_id
			where ${inScope(scope)} and f.sample_id is not null and f.kind = 'flag'
			group by f.sample_id having count(distinct p.user_id) filter (where p.role = 'community') = 1) m`)
	return row?.n ?? 0
}

/** Metadata keys counted at import, offered as the attribute to break the flag rate down by. */
export function attributeChoices(facets: Record<string, Record<string, number>>) {
	return Object.entries(facets)
		.map(([key, values]) => ({ key, values: Object.keys(values).length }))
		.sort((a, b) => a.key.localeCompare(b.key))
}
