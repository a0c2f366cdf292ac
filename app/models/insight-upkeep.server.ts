import { sql } from 'drizzle-orm'
import {
	accumulate,
	type Counts,
	difference,
	rateDifference,
	sameStanding,
	type SampleStanding,
	severityRank,
	splitCountKey,
	splitRateKey,
	standingCounts,
	standingRates,
	type UnitFigures,
	unitCounts,
} from '#app/domain/insight-figures.ts'
import { db, query, type Tx } from '#app/utils/db.server.ts'

/**
 * Keeping the insights dashboard's figures (issue #27, decision 057). The write paths only mark a
 * unit (a sample in a round) dirty, by trigger (migration 0021); `countDirtyUnits` claims a batch of
 * marks, recounts each unit from its own reviews and flags, recounts the standing of its sample in
 * the round and in the version, and moves the counters by new − old. One pass at a time in the
 * whole cluster (an advisory lock), so two passes never recount the same sample's standing at once.
 */

export const UNIT_BATCH = 1000

type Key = { roundId: string; sampleId: number }
type FlagRow = { roundId: string; sampleId: number; participantId: string; userId: string; role: string; category: string | null; severity: string | null }

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`
const pair = (a: string, b: number) => `${a}|${b}`

/**
 * One batch: claims up to `batch` dirty units and brings the figures up to date with them, in one
 * transaction. Returns how many units it counted; null when another pass holds the lock.
 */
export async function countDirtyUnits(batch = UNIT_BATCH): Promise<number | null> {
	// Most passes find nothing: one read, and no transaction (on PGlite a transaction holds the only connection).
	const [any] = await query<{ marked: boolean }>(sql`select exists (select 1 from insight_dirty) as marked`)
	if (!any?.marked) return 0
	return db.transaction(async (tx) => {
		const [lock] = await query<{ ok: boolean }>(sql`select pg_try_advisory_xact_lock(hashtext('insight-figures')) as ok`, tx)
		if (!lock?.ok) return null
		const claimed = await query<Key>(sql`select round_id as "roundId", sample_id::float8 as "sampleId" from insight_dirty limit ${batch} for update skip locked`, tx)
		if (!claimed.length) return 0
		await recount(tx, claimed)
		await query(
			sql`delete from insight_dirty d using jsonb_to_recordset(${json(claimed)}) as k("roundId" uuid, "sampleId" bigint)
				where d.round_id = k."roundId" and d.sample_id = k."sampleId"`,
			tx,
		)
		return claimed.length
	})
}

/** Batches until no unit is dirty (or `maxBatches` ran); the scheduler's and the tests' call. */
export async function refreshInsightFigures({ batch = UNIT_BATCH, maxBatches = Number.POSITIVE_INFINITY }: { batch?: number; maxBatches?: number } = {}) {
	let units = 0
	for (let i = 0; i < maxBatches; i++) {
		const n = await countDirtyUnits(batch)
		if (!n) break
		units += n
	}
	return { units }
}

/** Units changed and not counted yet, in a version (or one of its rounds), and since when: what the dashboard says about its freshness. */
export async function pendingInsightChanges(scope: { versionId: string; roundId?: string | null }) {
	const [row] = await query<{ n: number; since: Date | string | null }>(
		scope.roundId
			? sql`select count(*)::int as n, min(marked_at) as since from (select marked_at from insight_dirty where round_id = ${scope.roundId} limit 10000) d`
			: sql`select count(*)::int as n, min(marked_at) as since from (
					select marked_at from insight_dirty where round_id in (select id from rounds where version_id = ${scope.versionId}) limit 10000) d`,
	)
	return { units: row?.n ?? 0, since: row?.since ? new Date(row.since).toISOString() : null }
}

/** Forgets every kept figure and marks every unit, so the next passes count everything from the raw rows. */
export async function resetInsightFigures() {
	await db.transaction(async (tx) => {
		await query(sql`select pg_advisory_xact_lock(hashtext('insight-figures'))`, tx)
		await query(sql`delete from insight_units`, tx)
		await query(sql`delete from insight_samples`, tx)
		await query(sql`delete from insight_counts`, tx)
		await query(sql`delete from insight_rates`, tx)
		await query(
			sql`insert into insight_dirty (round_id, sample_id) select round_id, sample_id from reviews group by round_id, sample_id
				on conflict (round_id, sample_id) do nothing`,
			tx,
		)
	})
}

async function recount(tx: Tx, claimed: Key[]) {
	const keys = json(claimed)
	const [rounds, verdictRows, flagRows, oldUnits] = await Promise.all([
		query<{ id: string; versionId: string; overlap: number }>(
			sql`select id, version_id as "versionId", overlap from rounds where id in (select distinct "roundId" from jsonb_to_recordset(${keys}) as k("roundId" uuid))`,
			tx,
		),
		query<{ roundId: string; sampleId: number; role: string; verdict: string; n: number }>(
			sql`select rv.round_id as "roundId", rv.sample_id::float8 as "sampleId", p.role, rv.verdict, count(*)::int as n
				from jsonb_to_recordset(${keys}) as k("roundId" uuid, "sampleId" bigint)
				join reviews rv on rv.round_id = k."roundId" and rv.sample_id = k."sampleId"
				join participants p on p.id = rv.participant_id
				group by 1, 2, 3, 4`,
			tx,
		),
		query<FlagRow>(
			sql`select f.round_id as "roundId", f.sample_id::float8 as "sampleId", f.participant_id as "participantId", p.user_id as "userId", p.role, f.category, f.severity
				from jsonb_to_recordset(${keys}) as k("roundId" uuid, "sampleId" bigint)
				join flags f on f.round_id = k."roundId" and f.sample_id = k."sampleId" and f.kind = 'flag'
				join participants p on p.id = f.participant_id`,
			tx,
		),
		query<UnitFigures & { roundId: string; sampleId: number; versionId: string }>(
			sql`select u.round_id as "roundId", u.sample_id::float8 as "sampleId", u.version_id as "versionId", u.said, u.flagged, u.verdicts, u.cells, u.categories
				from jsonb_to_recordset(${keys}) as k("roundId" uuid, "sampleId" bigint)
				join insight_units u on u.round_id = k."roundId" and u.sample_id = k."sampleId"`,
			tx,
		),
	])
	// Running queries one after another on a transaction's single connection; Promise.all only saves the round trips' waits.
	const roundOf = new Map(rounds.map((r) => [r.id, r]))
	const oldUnit = new Map(oldUnits.map((u) => [pair(u.roundId, u.sampleId), u]))
	const verdictsOf = groupBy(verdictRows, (r) => pair(r.roundId, r.sampleId))
	const flagsOf = groupBy(flagRows, (r) => pair(r.roundId, r.sampleId))

	// The units, recounted.
	const units: Array<Key & { versionId: string; before: UnitFigures | null; after: UnitFigures | null }> = []
	for (const k of claimed) {
		const id = pair(k.roundId, k.sampleId)
		const before = oldUnit.get(id) ?? null
		const versionId = roundOf.get(k.roundId)?.versionId ?? before?.versionId
		if (!versionId) continue
		const after = roundOf.has(k.roundId) ? unitFigures(verdictsOf.get(id) ?? [], flagsOf.get(id) ?? []) : null
		units.push({ ...k, versionId, before: before && pickUnit(before), after })
	}
	const changed = units.filter((u) => JSON.stringify(u.before) !== JSON.stringify(u.after))
	const upserts = changed.filter((u) => u.after)
	if (upserts.length)
		await query(
			sql`insert into insight_units as u (round_id, sample_id, version_id, said, flagged, verdicts, cells, categories)
				select * from jsonb_to_recordset(${json(upserts.map((u) => ({ round_id: u.roundId, sample_id: u.sampleId, version_id: u.versionId, ...u.after })))})
					as x(round_id uuid, sample_id bigint, version_id uuid, said int, flagged int, verdicts jsonb, cells jsonb, categories jsonb)
				on conflict (round_id, sample_id) do update set version_id = excluded.version_id, said = excluded.said, flagged = excluded.flagged,
					verdicts = excluded.verdicts, cells = excluded.cells, categories = excluded.categories`,
			tx,
		)
	const gone = changed.filter((u) => !u.after)
	if (gone.length)
		await query(
			sql`delete from insight_units u using jsonb_to_recordset(${json(gone.map((u) => ({ r: u.roundId, s: u.sampleId })))}) as x(r uuid, s bigint)
				where u.round_id = x.r and u.sample_id = x.s`,
			tx,
		)

	// Counters that are sums over units move in the unit's round and in its version alike.
	const counts = new Map<string, Counts>()
	const scopeCounts = (scope: string) => counts.get(scope) ?? counts.set(scope, new Map()).get(scope)!
	for (const u of changed) {
		const delta = difference(unitCounts(u.before), unitCounts(u.after))
		accumulate(scopeCounts(u.roundId), delta)
		accumulate(scopeCounts(u.versionId), delta)
	}

	// Standings: of each unit's sample in its round, and of the sample in the version (over all its rounds' units, as just written).
	const versionPairs = [...new Map(units.map((u) => [pair(u.versionId, u.sampleId), { v: u.versionId, s: u.sampleId }])).values()]
	const [versionUnits, versionFlags] = await Promise.all([
		query<{ versionId: string; sampleId: number; said: number; flagged: number; overlap: number }>(
			sql`select u.version_id as "versionId", u.sample_id::float8 as "sampleId", u.said, u.flagged, r.overlap
				from jsonb_to_recordset(${json(versionPairs)}) as x(v uuid, s bigint)
				join insight_units u on u.version_id = x.v and u.sample_id = x.s
				join rounds r on r.id = u.round_id`,
			tx,
		),
		query<FlagRow & { versionId: string }>(
			sql`select r.version_id as "versionId", f.round_id as "roundId", f.sample_id::float8 as "sampleId", f.participant_id as "participantId", p.user_id as "userId", p.role, f.category, f.severity
				from jsonb_to_recordset(${json(versionPairs)}) as x(v uuid, s bigint)
				join rounds r on r.version_id = x.v
				join flags f on f.round_id = r.id and f.sample_id = x.s and f.kind = 'flag'
				join participants p on p.id = f.participant_id`,
			tx,
		),
	])
	const sampleIds = [...new Set(units.map((u) => u.sampleId))]
	const versionIds = [...new Set(units.map((u) => u.versionId))]
	const attributes = await query<{ versionId: string; keys: string[] }>(
		sql`select v.id as "versionId", coalesce((select array_agg(k order by k) from jsonb_object_keys(i.facets) k), '{}') as keys
			from versions v join imports i on i.id = v.current_import_id
			where v.id in (select value::uuid from jsonb_array_elements_text(${json(versionIds)}))`,
		tx,
	)
	const keysOf = new Map(attributes.map((a) => [a.versionId, a.keys]))
	const wanted = units.flatMap((u) => (keysOf.get(u.versionId) ?? []).map((key) => ({ id: u.sampleId, key })))
	const [samples, values] = await Promise.all([
		query<{ id: number; externalId: string }>(
			sql`select id::float8 as id, external_id as "externalId" from samples where id in (select value::bigint from jsonb_array_elements_text(${json(sampleIds)}))`,
			tx,
		),
		wanted.length
			? query<{ id: number; key: string; value: string | null }>(
					sql`select distinct x.id::float8 as id, x.key, s.metadata #>> string_to_array(x.key, '.') as value
						from jsonb_to_recordset(${json(wanted)}) as x(id bigint, key text) join samples s on s.id = x.id`,
					tx,
				)
			: Promise.resolve([]),
	])
	const externalIdOf = new Map(samples.map((s) => [s.id, s.externalId]))
	const valuesOf = groupBy(values, (v) => String(v.id))
	const attrsOf = (versionId: string, sampleId: number) => {
		const found = new Map((valuesOf.get(String(sampleId)) ?? []).map((v) => [v.key, v.value]))
		return Object.fromEntries((keysOf.get(versionId) ?? []).map((key) => [key, found.get(key) ?? null]))
	}

	const standings: Array<{ scopeId: string; sampleId: number; after: SampleStanding | null }> = []
	for (const u of units) {
		const externalId = externalIdOf.get(u.sampleId)
		const overlap = roundOf.get(u.roundId)?.overlap ?? 0
		standings.push({
			scopeId: u.roundId,
			sampleId: u.sampleId,
			after:
				u.after && externalId !== undefined
					? standing([{ said: u.after.said, flagged: u.after.flagged, overlap }], flagsOf.get(pair(u.roundId, u.sampleId)) ?? [], externalId, attrsOf(u.versionId, u.sampleId))
					: null,
		})
	}
	const unitsOfVersionSample = groupBy(versionUnits, (u) => pair(u.versionId, u.sampleId))
	const flagsOfVersionSample = groupBy(versionFlags, (f) => pair(f.versionId, f.sampleId))
	for (const { v, s } of versionPairs) {
		const mine = unitsOfVersionSample.get(pair(v, s)) ?? []
		const externalId = externalIdOf.get(s)
		standings.push({
			scopeId: v,
			sampleId: s,
			after: mine.length && externalId !== undefined ? standing(mine, flagsOfVersionSample.get(pair(v, s)) ?? [], externalId, attrsOf(v, s)) : null,
		})
	}
	const oldStandings = await query<SampleStanding & { scopeId: string; sampleId: number }>(
		sql`select st.scope_id as "scopeId", st.sample_id::float8 as "sampleId", st.started, st.covered, st.flagged, st.community_flaggers as "communityFlaggers",
				st.max_severity as "maxSeverity", st.categories, st.expert_also as "expertAlso", st.external_id as "externalId", st.attrs
			from jsonb_to_recordset(${json(standings.map((x) => ({ c: x.scopeId, s: x.sampleId })))}) as x(c uuid, s bigint)
			join insight_samples st on st.scope_id = x.c and st.sample_id = x.s`,
		tx,
	)
	const oldStanding = new Map(oldStandings.map(({ scopeId, sampleId, ...rest }) => [pair(scopeId, sampleId), normalStanding(rest)]))
	const rates = new Map<string, Map<string, { reviewed: number; flagged: number }>>()
	const movedStandings: typeof standings = []
	for (const x of standings) {
		const before = oldStanding.get(pair(x.scopeId, x.sampleId)) ?? null
		if (sameStanding(before, x.after)) continue
		movedStandings.push(x)
		accumulate(scopeCounts(x.scopeId), difference(standingCounts(before), standingCounts(x.after)))
		const scopeRates = rates.get(x.scopeId) ?? rates.set(x.scopeId, new Map()).get(x.scopeId)!
		for (const [k, d] of rateDifference(standingRates(before), standingRates(x.after))) {
			const cur = scopeRates.get(k) ?? { reviewed: 0, flagged: 0 }
			scopeRates.set(k, { reviewed: cur.reviewed + d.reviewed, flagged: cur.flagged + d.flagged })
		}
	}
	const keep = movedStandings.filter((x) => x.after)
	if (keep.length)
		await query(
			sql`insert into insight_samples as st (scope_id, sample_id, started, covered, flagged, community_flaggers, max_severity, categories, expert_also, external_id, attrs)
				select x.scope_id, x.sample_id, x.started, x.covered, x.flagged, x.community_flaggers, x.max_severity, array(select jsonb_array_elements_text(x.categories)), x.expert_also, x.external_id, x.attrs
				from jsonb_to_recordset(${json(keep.map((x) => ({ scope_id: x.scopeId, sample_id: x.sampleId, started: x.after!.started, covered: x.after!.covered, flagged: x.after!.flagged, community_flaggers: x.after!.communityFlaggers, max_severity: x.after!.maxSeverity, categories: x.after!.categories, expert_also: x.after!.expertAlso, external_id: x.after!.externalId, attrs: x.after!.attrs })))})
					as x(scope_id uuid, sample_id bigint, started boolean, covered boolean, flagged boolean, community_flaggers int, max_severity int, categories jsonb, expert_also boolean, external_id text, attrs jsonb)
				on conflict (scope_id, sample_id) do update set started = excluded.started, covered = excluded.covered, flagged = excluded.flagged,
					community_flaggers = excluded.community_flaggers, max_severity = excluded.max_severity, categories = excluded.categories,
					expert_also = excluded.expert_also, external_id = excluded.external_id, attrs = excluded.attrs`,
			tx,
		)
	const dropped = movedStandings.filter((x) => !x.after)
	if (dropped.length)
		await query(
			sql`delete from insight_samples st using jsonb_to_recordset(${json(dropped.map((x) => ({ c: x.scopeId, s: x.sampleId })))}) as x(c uuid, s bigint)
				where st.scope_id = x.c and st.sample_id = x.s`,
			tx,
		)

	// The counters, moved in one statement each, in key order.
	const countRows = [...counts].flatMap(([scope, c]) => [...c].map(([k, n]) => ({ scope_id: scope, ...splitCountKey(k), n }))).sort(byKey((r) => `${r.scope_id}\t${r.metric}\t${r.key}`))
	if (countRows.length)
		await query(
			sql`insert into insight_counts as c (scope_id, metric, key, n)
				select * from jsonb_to_recordset(${json(countRows)}) as x(scope_id uuid, metric text, key text, n bigint)
				on conflict (scope_id, metric, key) do update set n = c.n + excluded.n`,
			tx,
		)
	const rateRows = [...rates]
		.flatMap(([scope, r]) => [...r].map(([k, d]) => ({ scope_id: scope, ...splitRateKey(k), ...d })))
		.sort(byKey((r) => `${r.scope_id}\t${r.attribute}\t${r.missing}\t${r.value}`))
	if (rateRows.length)
		await query(
			sql`insert into insight_rates as r (scope_id, attribute, missing, value, reviewed, flagged)
				select * from jsonb_to_recordset(${json(rateRows)}) as x(scope_id uuid, attribute text, missing boolean, value text, reviewed int, flagged int)
				on conflict (scope_id, attribute, missing, value) do update set reviewed = r.reviewed + excluded.reviewed, flagged = r.flagged + excluded.flagged`,
			tx,
		)
}

/** A unit's figures from its reviews (by role and verdict) and its flags; null when it has neither. */
function unitFigures(verdictRows: Array<{ role: string; verdict: string; n: number }>, flagRows: FlagRow[]): UnitFigures | null {
	if (!verdictRows.length && !flagRows.length) return null
	const verdicts: Record<string, number> = {}
	let said = 0
	let flagged = 0
	for (const r of verdictRows) {
		verdicts[`${r.role}:${r.verdict}`] = (verdicts[`${r.role}:${r.verdict}`] ?? 0) + r.n
		if (r.verdict !== 'skipped') said += r.n
		if (r.verdict === 'flagged') flagged += r.n
	}
	const cells: Record<string, number> = {}
	const people = new Map<string, Set<string>>()
	for (const f of flagRows) {
		if (f.category === null) continue
		if (f.severity !== null) cells[`${f.category}:${f.severity}`] = (cells[`${f.category}:${f.severity}`] ?? 0) + 1
		people.set(f.category, (people.get(f.category) ?? new Set()).add(f.participantId))
	}
	const categories = Object.fromEntries([...people].map(([c, who]) => [c, who.size]))
	return sorted({ said, flagged, verdicts: sorted(verdicts), cells: sorted(cells), categories: sorted(categories) })
}

/** A sample's standing in a scope from its units there (with their rounds' overlaps) and its flags there. */
function standing(units: Array<{ said: number; flagged: number; overlap: number }>, flagRows: FlagRow[], externalId: string, attrs: Record<string, string | null>): SampleStanding | null {
	const started = units.some((u) => u.said > 0)
	if (!started && !flagRows.length) return null
	const community = new Set(flagRows.filter((f) => f.role === 'community').map((f) => f.userId))
	return normalStanding({
		started,
		covered: units.some((u) => u.said > 0 && u.said >= u.overlap),
		flagged: units.some((u) => u.flagged > 0),
		communityFlaggers: community.size,
		maxSeverity: flagRows.reduce((m, f) => Math.max(m, severityRank(f.severity)), 0),
		categories: [...new Set(flagRows.flatMap((f) => (f.category ? [f.category] : [])))],
		expertAlso: flagRows.some((f) => f.role === 'expert'),
		externalId,
		attrs,
	})
}

/** The same standing always looks the same (categories sorted, attributes in key order), so comparing is comparing JSON. */
function normalStanding(s: SampleStanding): SampleStanding {
	return {
		started: s.started,
		covered: s.covered,
		flagged: s.flagged,
		communityFlaggers: s.communityFlaggers,
		maxSeverity: s.maxSeverity,
		categories: [...s.categories].sort(),
		expertAlso: s.expertAlso,
		externalId: s.externalId,
		attrs: sorted(s.attrs),
	}
}

function pickUnit(u: UnitFigures): UnitFigures {
	return sorted({ said: u.said, flagged: u.flagged, verdicts: sorted(u.verdicts), cells: sorted(u.cells), categories: sorted(u.categories) })
}

function sorted<T extends Record<string, unknown>>(o: T): T {
	return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
	const out = new Map<string, T[]>()
	for (const r of rows) {
		const k = key(r)
		const list = out.get(k)
		if (list) list.push(r)
		else out.set(k, [r])
	}
	return out
}

const byKey =
	<T>(key: (row: T) => string) =>
	(a: T, b: T) => {
		const x = key(a)
		const y = key(b)
		return x < y ? -1 : x > y ? 1 : 0
	}
