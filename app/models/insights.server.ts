import { sql, type SQL } from 'drizzle-orm'
import { type FlagCategory, flagCategories, type ParticipantRole, participantRoles, type Severity, severities } from '#app/domain/enums.ts'
import { type AlphaResult, alphaNominalFromCounts, type Interval, protectCount, protectGroupCounts, wilsonInterval } from '#app/domain/metrics.ts'
import { query } from '#app/utils/db.server.ts'
import * as recompute from './insights-recompute.server.ts'

/**
 * The dashboard's aggregates for a version (all its rounds) or one of its rounds. They read the
 * figures maintained in the transaction of every write (insight_counts, insight_units,
 * insight_samples: decision 050, migration 0018) instead of counting reviews and flags, so a load
 * costs the same however many verdicts there are. insights-recompute.server.ts counts the same from
 * the raw rows (the reference the tests and `npm run insights:rebuild -- --check` compare with).
 * Everything leaves here as counts: no identities, and counts of people below three are withheld
 * before the numbers reach a loader. The statistics themselves are app/domain/metrics.ts.
 *
 * The caller has checked the version (requireVersion) and that `roundId`, if any, is one of its rounds.
 */
export type InsightScope = { versionId: string; roundId?: string | null }

/** `rounds r` restricted to the scope; every query below starts from it. */
function inScope(scope: InsightScope): SQL {
	return scope.roundId ? sql`r.version_id = ${scope.versionId} and r.id = ${scope.roundId}` : sql`r.version_id = ${scope.versionId}`
}

/**
 * The maintained counters of some kinds in scope, as key → n. A round reads its own rows; the
 * version reads its per-sample kinds (samples, started, covered, m, r, rf: a sample counts once)
 * from its own rows and sums the additive ones (v, f, p, c) over its rounds.
 */
async function counts(scope: InsightScope, kinds: string[]) {
	const rows = await query<{ kind: string; key: string; n: number }>(
		scope.roundId
			? sql`select kind, key, n::int as n from insight_counts
				where version_id = ${scope.versionId} and round_id = ${scope.roundId} and kind in (${sql.join(
					kinds.map((k) => sql`${k}`),
					sql`, `,
				)}) and n <> 0`
			: sql`select kind, key, sum(n)::int as n from insight_counts
				where version_id = ${scope.versionId} and kind in (${sql.join(
					kinds.map((k) => sql`${k}`),
					sql`, `,
				)})
					and (case when kind in ('v', 'f', 'p', 'c') then round_id is not null else round_id is null end)
				group by kind, key having sum(n) <> 0`,
	)
	const byKind = new Map<string, Map<string, number>>()
	for (const r of rows) {
		const m = byKind.get(r.kind) ?? new Map<string, number>()
		m.set(r.key, r.n)
		byKind.set(r.kind, m)
	}
	return (kind: string) => byKind.get(kind) ?? new Map<string, number>()
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
			coalesce(sum(c.n) filter (where c.kind = 'covered'), 0)::int as covered,
			coalesce(sum(c.n) filter (where c.kind = 'started'), 0)::int as started
		from rounds r
		left join insight_counts c on c.version_id = r.version_id and c.round_id = r.id and c.kind in ('covered', 'started')
		where ${inScope(scope)}
		group by r.id
		order by r.created_at, r.id`)
	if (rounds.length <= 1) {
		const only = rounds[0]
		return { rounds, total: { samples: only?.samples ?? 0, covered: only?.covered ?? 0, started: only?.started ?? 0 } }
	}
	const count = await counts({ versionId: scope.versionId }, ['samples', 'covered', 'started'])
	const one = (kind: string) => count(kind).get('') ?? 0
	return { rounds, total: { samples: one('samples'), covered: one('covered'), started: one('started') } }
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

/**
 * Participation by role: people invited, joined (consented), active (gave a verdict) and withdrawn;
 * a person in several rounds counts once. Counts of people below three read "fewer than 3", and so
 * does the total when any role is withheld (it could be subtracted back).
 */
export async function getParticipation(scope: InsightScope) {
	const [people, invited, count] = await Promise.all([
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
		counts(scope, ['v']),
	])
	const verdicts = count('v')
	const raw = (role: ParticipantRole) => people.find((p) => p.role === role) ?? { joined: 0, active: 0, withdrawn: 0 }
	const joined = protectGroupCounts(Object.fromEntries(participantRoles.map((role) => [role, raw(role).joined])) as Record<ParticipantRole, number>)
	const roles: RoleParticipation[] = participantRoles.map((role) => {
		const own = raw(role)
		const count = (v: 'no_concerns' | 'flagged' | 'skipped') => verdicts.get(`${role}/${v}`) ?? 0
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
	const flags = (await counts(scope, ['f']))('f')
	const rows = [...flags].map(([key, flags]) => ({ flags, ...(([category, severity]) => ({ category: category as FlagCategory, severity: severity as Severity }))(key.split('/')) }))
	const cell = (c: FlagCategory, s: Severity) => flags.get(`${c}/${s}`) ?? 0
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
	// Counts are kept for the keys counted at import (the only ones the page offers); another key is
	// counted from the raw rows.
	const [kept] = await query<{ kept: boolean }>(sql`
		select coalesce(i.facets ? ${attribute}, false) as kept from versions v left join imports i on i.id = v.current_import_id where v.id = ${scope.versionId}`)
	if (!kept?.kept) return recompute.getFlagRateByAttribute(scope, attribute)
	// The value is kept as JSON (null: the sample lacks the attribute); the order is SQL's, as before.
	const rows = await query<{ value: string | null; reviewed: number; flagged: number }>(sql`
		select key::jsonb #>> '{}' as value, coalesce(sum(n) filter (where kind = 'r'), 0)::int as reviewed, coalesce(sum(n) filter (where kind = 'rf'), 0)::int as flagged
		from insight_counts
		where version_id = ${scope.versionId} and ${scope.roundId ? sql`round_id = ${scope.roundId}` : sql`round_id is null`} and kind in ('r', 'rf') and attr = ${attribute}
		group by key
		having sum(n) filter (where kind = 'r') > 0
		order by reviewed desc, value nulls last`)
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
 * "flagged with this category" or not. For nominal data only the counts per unit matter, so the
 * triggers keep how many units share each (reviewers, flagged) pattern, and per category each
 * (reviewers, people who used it) — a handful of rows however many samples there are.
 */
export async function getAgreement(scope: InsightScope): Promise<Agreement> {
	// One statement, so the units (one pass over the scope's reviews, index-only) are grouped once
	// for both parts. A sample's flag always belongs to its author's review of the sample in the
	// flag's round, and that review says "flagged" (saveVerdict deletes a review's flags when its
	// verdict changes; deleting a review deletes its flags), so the flags are counted from their own
	// covering index without going back to the reviews; the join with the units keeps only units of
	// two or more verdicts.
	// Units of two or more verdicts by pattern (m verdicts, a of them flagged), and per category
	// (m, a = people who flagged with it), as maintained: a handful of rows however many samples.
	const count = await counts(scope, ['p', 'c'])
	const rows = [
		...[...count('p')].map(([key, units]) => ({ category: null, m: Number(key.split('/')[0]), a: Number(key.split('/')[1]), units })),
		...[...count('c')].map(([key, units]) => {
			const [category, m, a] = key.split('/')
			return { category: category as FlagCategory, m: Number(m), a: Number(a), units }
		}),
	]
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

/**
 * The minority signal: samples flagged by exactly one community member in scope (a person in
 * several rounds counts once), whatever anyone else said. They are listed, never folded into an
 * average, each linked to its issue. Experts' flags on them are shown as a yes/no only.
 */
export async function listMinoritySignal(scope: InsightScope, page = 1) {
	const offset = (Math.max(1, page) - 1) * MINORITY_PAGE_SIZE
	// The maintained candidates (community = 1), in the order of their partial index.
	const candidates = scope.roundId
		? sql`select sample_id, external_id, categories, max_severity, expert_also from insight_units
			where round_id = ${scope.roundId} and community = 1 order by max_severity desc, external_id limit ${MINORITY_PAGE_SIZE} offset ${offset}`
		: sql`select sample_id, external_id, categories, max_severity, expert_also from insight_samples
			where version_id = ${scope.versionId} and community = 1 order by max_severity desc, external_id limit ${MINORITY_PAGE_SIZE} offset ${offset}`
	const [rows, count] = await Promise.all([
		query<{
			externalId: string
			categories: FlagCategory[]
			maxSeverity: number
			expertAlso: boolean
			noConcerns: number
			issueNumber: number | null
			issueStatus: string | null
			blocking: boolean | null
		}>(sql`
			select sh.external_id as "externalId", sh.categories, sh.max_severity::int as "maxSeverity", sh.expert_also as "expertAlso",
				(select count(*)::int from reviews rv join rounds r on r.id = rv.round_id where ${inScope(scope)} and rv.sample_id = sh.sample_id and rv.verdict = 'no_concerns') as "noConcerns",
				i.number as "issueNumber", i.status as "issueStatus", i.blocking
			from (${candidates}) sh
			left join issues i on i.version_id = ${scope.versionId} and i.kind = 'sample' and i.sample_id = sh.sample_id
			order by sh.max_severity desc, sh.external_id`),
		counts(scope, ['m']),
	])
	return {
		total: count('m').get('') ?? 0,
		page: Math.max(1, page),
		pageSize: MINORITY_PAGE_SIZE,
		rows: rows.map((r) => ({ ...r, categories: r.categories ?? [] })),
	}
}

/** Metadata keys counted at import, offered as the attribute to break the flag rate down by. */
export function attributeChoices(facets: Record<string, Record<string, number>>) {
	return Object.entries(facets)
		.map(([key, values]) => ({ key, values: Object.keys(values).length }))
		.sort((a, b) => a.key.localeCompare(b.key))
}
