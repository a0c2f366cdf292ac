import { sql } from 'drizzle-orm'
import { db, query } from '#app/utils/db.server.ts'

/**
 * The repair path of the maintained insights (decision 050): every figure of the given versions (all
 * by default) is recomputed from the raw reviews, flags and round samples (insight_rebuild, migration
 * 0018) and compared with what was stored. `repair: false` (the check) rolls the recomputation back,
 * so it changes nothing; `repair: true` keeps it. Either way the drift found is returned.
 */
export type Drift = {
	/** Counters that differed: (version, round or null, kind, attr, key) with the stored and the recomputed n. */
	counts: Array<{ versionId: string; roundId: string | null; kind: string; attr: string; key: string; stored: number; expected: number }>
	/** Units (sample in a round) and samples (across a version) whose maintained state differed. */
	units: number
	samples: number
	versions: number
}

const NONE = '00000000-0000-0000-0000-000000000000'
const SHOWN = 50

class CheckOnly extends Error {}

export async function rebuildInsights({ repair, versionIds }: { repair: boolean; versionIds?: string[] }): Promise<Drift> {
	let drift: Drift | null = null
	try {
		await db.transaction(async (tx) => {
			const ids = (
				await query<{ id: string }>(
					versionIds
						? sql`select id from versions where id in (${sql.join(
								versionIds.map((v) => sql`${v}::uuid`),
								sql`, `,
							)}) order by id`
						: sql`select id from versions order by id`,
					tx,
				)
			).map((r) => r.id)
			const inVersions = ids.length
				? sql`version_id in (${sql.join(
						ids.map((v) => sql`${v}::uuid`),
						sql`, `,
					)})`
				: sql`false`
			await query(sql`create temp table insight_before_counts on commit drop as select version_id, round_id, kind, attr, key, n from insight_counts where ${inVersions} and n <> 0`, tx)
			await query(sql`create temp table insight_before_units on commit drop as select * from insight_units where ${inVersions}`, tx)
			await query(sql`create temp table insight_before_samples on commit drop as select * from insight_samples where ${inVersions}`, tx)
			for (const id of ids) await query(sql`select insight_rebuild(${id}::uuid)`, tx)
			const counts = await query<Drift['counts'][number]>(
				sql`select coalesce(a.version_id, b.version_id) as "versionId", nullif(coalesce(a.round, b.round), ${NONE}::uuid) as "roundId",
					coalesce(a.kind, b.kind) as kind, coalesce(a.attr, b.attr) as attr, coalesce(a.key, b.key) as key,
					coalesce(b.n, 0)::int as stored, coalesce(a.n, 0)::int as expected
				from (select version_id, coalesce(round_id, ${NONE}::uuid) as round, kind, attr, key, n from insight_counts where ${inVersions} and n <> 0) a
				full join (select version_id, coalesce(round_id, ${NONE}::uuid) as round, kind, attr, key, n from insight_before_counts) b
					on a.version_id = b.version_id and a.round = b.round and a.kind = b.kind and a.attr = b.attr and a.key = b.key
				where a.n is distinct from b.n
				order by 1, 2 nulls first, 3, 4, 5`,
				tx,
			)
			const [units] = await query<{ n: number }>(
				sql`select count(*)::int as n from (select * from insight_units where ${inVersions}) now
				full join insight_before_units was on now.round_id = was.round_id and now.sample_id = was.sample_id
				where to_jsonb(now) is distinct from to_jsonb(was)`,
				tx,
			)
			const [samples] = await query<{ n: number }>(
				sql`select count(*)::int as n from (select * from insight_samples where ${inVersions}) now
				full join insight_before_samples was on now.version_id = was.version_id and now.sample_id = was.sample_id
				where to_jsonb(now) is distinct from to_jsonb(was)`,
				tx,
			)
			drift = { counts, units: units?.n ?? 0, samples: samples?.n ?? 0, versions: ids.length }
			if (!repair) throw new CheckOnly()
		})
	} catch (error) {
		if (!(error instanceof CheckOnly)) throw error
	}
	return drift!
}

export function hasDrift(d: Drift) {
	return d.counts.length > 0 || d.units > 0 || d.samples > 0
}

/** The drift as lines for a terminal: the first counters that differed, then the totals. */
export function describeDrift(d: Drift) {
	const lines = d.counts
		.slice(0, SHOWN)
		.map((c) => `  ${c.versionId} ${c.roundId ?? '(version)'} ${c.kind}${c.attr ? ` ${c.attr}` : ''}${c.key ? ` ${c.key}` : ''}: stored ${c.stored}, recomputed ${c.expected}`)
	if (d.counts.length > SHOWN) lines.push(`  … and ${d.counts.length - SHOWN} more counters`)
	lines.push(`${d.versions} version(s): ${d.counts.length} counter(s), ${d.units} unit(s), ${d.samples} sample state(s) differed from a recomputation.`)
	return lines.join('\n')
}
