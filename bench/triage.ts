/**
 * `npm run bench:triage` — the dataset team's triage inbox on a heavily flagged version (issue #6).
 * On PostgreSQL (BENCH_DATABASE_URL, default the local server) a scratch database is created,
 * migrated and seeded set-based: one version of SAMPLES samples with persona metadata, one open
 * round, PARTICIPANTS participants (10% experts) and FLAGS flags over FLAGGED samples with a
 * Zipf-like skew (a few samples carry hundreds of flags, most carry one to three). The issues
 * table is then built in SQL the way `syncSampleIssue`/`evaluateIssue` would leave it, and the
 * real `evaluateIssue` is run on a sample of issues (rolled back) to check the counters agree.
 *
 * Then, side by side in this run, round-robin over RUNS runs after a warm-up:
 *  - server time of the real `listIssues` for several inbox views, `listAffectedGroups`, and
 *    `getIssue` of the most-flagged issue;
 *  - the floor: `select id from issues where version_id = $1 order by number desc limit 50`
 *    with postgres.js (one round trip, an index scan, no counts);
 *  - the cost of one more flag (`saveVerdict`) on a new sample, a typical issue and the hottest one.
 * Flags: --flags 200000 --samples 100000 --flagged 60000 --participants 500 --runs 30 --skew 0.6 --check 200
 *        --keep (keep the database) --reuse <db> (measure a kept database again, no seeding)
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => {
	const i = args.indexOf(`--${name}`)
	return i >= 0 ? args[i + 1]! : fallback
}
const FLAGS = Number(arg('flags', '200000'))
const SAMPLES = Number(arg('samples', '100000'))
const FLAGGED = Math.min(SAMPLES, Number(arg('flagged', String(Math.round(SAMPLES * 0.6)))))
const PARTICIPANTS = Number(arg('participants', '500'))
const RUNS = Number(arg('runs', '30'))
const WARMUP = 5
const SKEW = Number(arg('skew', '0.6'))
const CHECK = Number(arg('check', '200'))
const REUSE = arg('reuse', '')
const KEEP = args.includes('--keep') || !!REUSE
if (FLAGS < FLAGGED) throw new Error('--flags must be at least --flagged (every flagged sample has a flag)')

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dbName = REUSE || `rt_bench_triage_${Date.now()}`
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
if (!REUSE) await admin.unsafe(`create database ${dbName}`)
const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString()
process.env.DATABASE_URL = dbUrl
process.env.NODE_ENV = 'production'

// The app's modules go through Vite's SSR loader (as in `npm run dev`): the e-mail templates
// that triage.server.ts reaches read their locale files with `import.meta.glob`. Dependencies
// (drizzle, postgres.js) stay plain Node modules, as in the built server.
const { createServer } = await import('vite')
const vite = await createServer({
	configFile: false,
	logLevel: 'error',
	appType: 'custom',
	server: { middlewareMode: true, hmr: false, watch: null },
	optimizeDeps: { noDiscovery: true, include: [] },
	ssr: { external: ['@electric-sql/pglite', '@node-rs/argon2', 'postgres'] },
})
const load = <T>(file: string) => vite.ssrLoadModule(file) as Promise<T>
const { migrate, db, closeDb } = await load<typeof import('#app/utils/db.server.ts')>('/app/utils/db.server.ts')
const { listIssues, listAffectedGroups, getIssue } = await load<typeof import('#app/models/triage.server.ts')>('/app/models/triage.server.ts')
const { evaluateIssue } = await load<typeof import('#app/models/issue.server.ts')>('/app/models/issue.server.ts')
const { saveVerdict } = await load<typeof import('#app/models/review.server.ts')>('/app/models/review.server.ts')
const { InboxFilterSchema } = await load<typeof import('#app/domain/issue.ts')>('/app/domain/issue.ts')

// One connection: temp tables live across the seeding statements; also the floor's client.
const pg = postgres(dbUrl, { max: 1, onnotice: () => {} })
const pgVersion = ((await pg`show server_version`)[0]!.server_version as string).split(' ')[0]!

const origins = ['Oaxaca', 'Lagos', 'Amman', 'Bogotá', 'Lucknow', 'Dakar']
const groups = [
	'Nigerian women', 'Indigenous Mexicans', 'Muslims', 'older adults', 'Black women', 'Dalits', 'migrants', 'Arab men', 'rural communities', 'people with disabilities',
	'Colombians', 'Jordanians', 'Senegalese', 'teenagers', 'LGBTQ+ people', 'refugees', 'working-class people', 'single mothers', 'Hindus', 'Palestinians',
	'Zapotec people', 'Yoruba people', 'Hausa people', 'Wolof speakers', 'Afro-Colombians', 'Bedouins', 'farmers', 'domestic workers', 'nurses', 'trans women',
	'Deaf people', 'blind people', 'Christians', 'Sikhs', 'Roma', 'non-binary people', 'people with mental illness', 'indigenous language speakers', 'low-literacy readers', 'veterans',
]
const t = () => performance.now()
const secs = (since: number) => `${((t() - since) / 1000).toFixed(1)} s`

type Ids = { versionId: string; roundId: string; ownerId: string }

async function seed(): Promise<Ids> {
	const started = t()
	await migrate()
	const [owner] = await pg`insert into users (email, display_name, password_hash) values ('owner@bench.test', 'Owner', 'x') returning id`
	const ownerId = owner!.id as string
	const [dataset] = await pg`insert into datasets (slug, name, created_by) values ('bench', 'Bench', ${ownerId}) returning id`
	await pg`insert into dataset_members (dataset_id, user_id, role) values (${dataset!.id}, ${ownerId}, 'owner')`
	const [version] = await pg`insert into versions (dataset_id, label, status, generation_method, created_by) values (${dataset!.id}, 'v1', 'in_consultation', 'persona_simulation', ${ownerId}) returning id`
	const versionId = version!.id as string
	const [imp] = await pg`insert into imports (version_id, status, format, filename, rows_read, created_by, finished_at) values (${versionId}, 'succeeded', 'jsonl', 'bench.jsonl', ${SAMPLES}, ${ownerId}, now()) returning id`
	const importId = imp!.id as string

	let s = t()
	await pg`
		insert into samples (import_id, external_id, content, language, metadata, content_hash)
		select ${importId}, 's-' || lpad(i::text, 8, '0'),
			'Dear team, sample ' || i || ' written as a persona from ' || (${origins}::text[])[1 + i % 6] || ' about the quarterly schedule and the new badge system.',
			'en',
			jsonb_build_object('persona', jsonb_build_object('origin', (${origins}::text[])[1 + i % 6], 'age', 20 + i % 50), 'prompt_id', 't' || (i % 7)),
			md5('sample ' || i)
		from generate_series(0, ${SAMPLES - 1}) i`
	await pg`update versions set current_import_id = ${importId}, sample_count = ${SAMPLES} where id = ${versionId}`
	console.log(`  ${SAMPLES.toLocaleString()} samples: ${secs(s)}`)

	const [round] = await pg`
		insert into rounds (version_id, stage, title, selection_mode, selection_params, overlap, block_threshold, status, sample_count, created_by, opened_at)
		values (${versionId}, 'validation', 'Bench round', 'all', '{}', 2, 2, 'open', ${SAMPLES}, ${ownerId}, now() - interval '21 days') returning id`
	const roundId = round!.id as string
	await pg`insert into round_samples (round_id, sample_id, position) select ${roundId}, id, row_number() over (order by id) from samples where import_id = ${importId}`
	const experts = Math.round(PARTICIPANTS / 10)
	await pg`insert into users (email, display_name, password_hash) select 'r' || i || '@bench.test', 'R' || i, 'x' from generate_series(0, ${PARTICIPANTS - 1}) i`
	await pg`
		insert into participants (round_id, user_id, role, expertise, number, consented_at)
		select ${roundId}, u.id, case when i >= ${PARTICIPANTS - experts} then 'expert' else 'community' end,
			case when i >= ${PARTICIPANTS - experts} then 'Sociolinguist' else '' end,
			case when i >= ${PARTICIPANTS - experts} then i - ${PARTICIPANTS - experts} + 1 else i + 1 end, now()
		from generate_series(0, ${PARTICIPANTS - 1}) i join users u on u.email = 'r' || i || '@bench.test'`
	await pg`create temp table bench_pp as select (row_number() over (order by (regexp_replace(u.email, '[^0-9]', '', 'g'))::int) - 1)::int as idx, p.id from participants p join users u on u.id = p.user_id where p.round_id = ${roundId}`

	// Flags per flagged sample: 1 + a Zipf-like share (weight rank^-SKEW) of the rest.
	const w = Array.from({ length: FLAGGED }, (_, j) => (j + 1) ** -SKEW)
	const W = w.reduce((a, b) => a + b, 0)
	const counts = w.map((x) => 1 + Math.floor(((FLAGS - FLAGGED) * x) / W))
	for (let left = FLAGS - counts.reduce((a, b) => a + b, 0), j = 0; left > 0; left--, j = (j + 1) % FLAGGED) counts[j]!++
	let mult = 7919
	while (SAMPLES % mult === 0) mult += 2
	s = t()
	// One row per flag: which sample (rank → spread over the version), who, and hashes for the rest.
	await pg`
		create temp table bench_plan as
		select c.rank::int as rank, k::int as k, s.id as sample_id, pp.id as participant_id,
			abs(hashtext(c.rank || ':' || k || ':c')) % 100 as hc,
			abs(hashtext(c.rank || ':' || k || ':s')) % 100 as hs,
			abs(hashtext(c.rank || ':' || k || ':g')) % 1000 as hg,
			abs(hashtext(c.rank || ':' || k || ':t')) % (21 * 86400) as ht
		from unnest(${'{' + counts.join(',') + '}'}::int[]) with ordinality as c(cnt, rank)
		join samples s on s.import_id = ${importId} and s.external_id = 's-' || lpad((((c.rank - 1) * ${mult}) % ${SAMPLES})::text, 8, '0')
		cross join lateral generate_series(1, c.cnt) k
		join bench_pp pp on pp.idx = (c.rank * 7919 + k) % ${PARTICIPANTS}`
	await pg`
		insert into reviews (round_id, participant_id, sample_id, verdict, created_at, updated_at)
		select ${roundId}, participant_id, sample_id, 'flagged', min(now() - ht * interval '1 second'), min(now() - ht * interval '1 second')
		from bench_plan group by participant_id, sample_id`
	await pg`
		insert into flags (review_id, round_id, participant_id, sample_id, kind, category, severity, affected_groups, rationale, suggested_rewrite, quoted_span, unsure, created_at, updated_at)
		select r.id, ${roundId}, p.participant_id, p.sample_id, 'flag',
			case when hc < 28 then 'stereotype' when hc < 46 then 'caricature' when hc < 60 then 'misrepresentation' when hc < 72 then 'cultural_default'
				when hc < 82 then 'demeaning' when hc < 90 then 'erasure' when hc < 94 then 'privacy' else 'other' end,
			case when hs < 60 then 'minor' when hs < 92 then 'major' else 'critical' end,
			case when hg % 20 < 5 then '[]'::jsonb
				when hg % 20 < 16 then jsonb_build_array((${groups}::text[])[1 + floor(40 * (hg / 1000.0) ^ 2)::int])
				else jsonb_build_array((${groups}::text[])[1 + floor(40 * (hg / 1000.0) ^ 2)::int], (${groups}::text[])[1 + (floor(40 * (hg / 1000.0) ^ 2)::int + 7) % 40]) end,
			case when hs < 40 then '' else 'The persona is reduced to a stock figure: the sample assumes what people from this place eat, earn and believe, and says it as fact.' end,
			case when hc % 5 = 0 then 'Describe the schedule without the assumption about the family.' else '' end,
			case when hg % 3 = 0 then 'as everyone from there does' else '' end,
			hg % 10 = 0,
			now() - ht * interval '1 second', now() - ht * interval '1 second'
		from bench_plan p join reviews r on r.participant_id = p.participant_id and r.sample_id = p.sample_id`
	console.log(`  ${FLAGS.toLocaleString()} flags on ${FLAGGED.toLocaleString()} samples: ${secs(s)}`)

	// The issues table as syncSampleIssue + evaluateIssue leave it (same rules as app/domain/blocking.ts),
	// plus a realistic triage state: 15% resolved, 15% acknowledged, 5% assigned, 1% owner overrides.
	s = t()
	await pg`
		create temp table bench_agg as
		select f.sample_id,
			count(*)::int as flag_count,
			count(distinct p.user_id)::int as flagger_count,
			coalesce(max(case f.severity when 'minor' then 1 when 'major' then 2 when 'critical' then 3 else 0 end) filter (where f.kind = 'flag'), 0) as max_severity,
			coalesce(array_agg(distinct f.category collate "C" order by f.category collate "C") filter (where f.category is not null), '{}') as categories,
			coalesce(array_agg(distinct f.severity collate "C" order by f.severity collate "C") filter (where f.kind = 'flag' and f.severity is not null), '{}') as severities,
			coalesce(bool_or(f.kind = 'flag' and f.severity = 'critical'), false) as crit,
			count(distinct p.user_id) filter (where f.kind = 'flag') as people,
			min(r.block_threshold) filter (where f.kind = 'flag') as thr,
			coalesce(bool_or(f.kind = 'flag' and p.role = 'expert' and f.severity in ('major', 'critical')), false) as expert,
			min(f.created_at) as first_at, max(f.created_at) as last_at
		from flags f join participants p on p.id = f.participant_id join rounds r on r.id = f.round_id
		where f.round_id = ${roundId} and f.sample_id is not null
		group by f.sample_id`
	await pg`
		create temp table bench_groups as
		select f.sample_id, array_agg(distinct g collate "C" order by g collate "C") as groups
		from flags f cross join lateral jsonb_array_elements_text(f.affected_groups) g
		where f.round_id = ${roundId} and g <> ''
		group by f.sample_id`
	await pg`
		with a as (
			select a.*, s.external_id, s.content_hash, gen_random_uuid() as id,
				row_number() over (order by a.first_at, a.sample_id)::int as number,
				abs(hashtext(a.sample_id || ':st')) % 100 as hst,
				abs(hashtext(a.sample_id || ':ob')) % 1000 as hob,
				array_remove(array[
					case when crit then 'critical' end,
					case when people > 0 and people >= greatest(1, thr) then 'threshold' end,
					case when expert then 'expert' end], null) as reasons,
				coalesce(g.groups, '{}') as groups
			from bench_agg a join samples s on s.id = a.sample_id left join bench_groups g on g.sample_id = a.sample_id
		), b as (
			select *, case when hob < 5 then true when hob < 10 then false end as owner_blocking,
				case when hst < 15 then 'resolved' when hst < 30 then 'acknowledged' else 'open' end as status
			from a
		)
		insert into issues (id, version_id, number, kind, sample_id, external_id, content_hash, lineage_id, status, resolution, blocking, blocking_reasons,
			owner_blocking, assignee_id, public_response, flag_count, flagger_count, max_severity, categories, severities, affected_groups, triaged_at, created_at, updated_at)
		select id, ${versionId}, number, 'sample', sample_id, external_id, content_hash, id, status,
			case when status = 'resolved' then (array['removed', 'regenerated', 'documented', 'not_an_issue'])[1 + hst % 4] end,
			coalesce(owner_blocking, cardinality(reasons) > 0),
			to_jsonb(case when owner_blocking then reasons || array['owner'] else reasons end),
			owner_blocking,
			case when hst % 20 = 0 then ${ownerId}::uuid end,
			case when status = 'resolved' then 'Thank you: we looked at this sample and changed how it is used.' else '' end,
			flag_count, flagger_count, max_severity, categories, severities, groups,
			case when status <> 'open' or owner_blocking is not null or hst % 20 = 0 then last_at + interval '1 hour' end,
			first_at, greatest(last_at, case when status <> 'open' then last_at + interval '1 hour' else last_at end)
		from b`
	await pg`update flags f set issue_id = i.id from issues i where i.version_id = ${versionId} and i.kind = 'sample' and i.sample_id = f.sample_id and f.round_id = ${roundId}`
	await pg`insert into issue_events (issue_id, kind, internal, created_at) select id, 'created', false, created_at from issues where version_id = ${versionId}`
	await pg`
		insert into issue_events (issue_id, kind, actor_id, before, after, internal, created_at)
		select id, case status when 'resolved' then 'resolved' else 'acknowledged' end, ${ownerId}, jsonb_build_object('status', 'open'), jsonb_build_object('status', status), false, triaged_at
		from issues where version_id = ${versionId} and status <> 'open'`
	await pg`update versions set issue_seq = (select max(number) from issues where version_id = ${versionId}) where id = ${versionId}`
	console.log(`  issues built set-based: ${secs(s)}`)
	s = t()
	await pg`vacuum analyze`
	console.log(`  vacuum analyze: ${secs(s)} (seeding total ${secs(started)})`)
	return { versionId, roundId, ownerId }
}

async function findIds(): Promise<Ids> {
	const [r] = await pg`select r.id as round_id, r.version_id, (select id from users where email = 'owner@bench.test') as owner_id from rounds r limit 1`
	return { versionId: r!.version_id, roundId: r!.round_id, ownerId: r!.owner_id }
}

console.log(`Database ${dbName} (PostgreSQL ${pgVersion})${REUSE ? ', reused' : `: seeding ${FLAGS.toLocaleString()} flags…`}`)
const { versionId, roundId, ownerId } = REUSE ? await findIds() : await seed()

const [shape] = await pg`
	select count(*)::int as issues, count(*) filter (where status <> 'resolved')::int as unresolved, count(*) filter (where blocking and status <> 'resolved')::int as blocking,
		sum(flag_count)::int as flags, max(flag_count)::int as max_flags, percentile_disc(0.5) within group (order by flag_count)::int as median_flags,
		count(*) filter (where flag_count >= 50)::int as over50
	from issues where version_id = ${versionId}`
console.log(
	`  ${shape!.issues.toLocaleString()} issues (${shape!.unresolved.toLocaleString()} unresolved, ${shape!.blocking.toLocaleString()} blocking), ${shape!.flags.toLocaleString()} flags: ` +
		`median ${shape!.median_flags} per issue, max ${shape!.max_flags}, ${shape!.over50} issues with ≥ 50`,
)

// Check: the real evaluateIssue, run on the hottest issues and a spread of others, must leave
// every counter, array and the blocking state exactly as the SQL built them (then rolled back).
const checkIds = (await pg`
	(select id from issues where version_id = ${versionId} order by flag_count desc limit 20)
	union (select id from issues where version_id = ${versionId} order by md5(id::text) limit ${Math.max(0, CHECK - 20)})`).map((r) => r.id as string)
class Rollback extends Error {}
const snap = async (tx: { execute: (typeof db)['execute'] }, id: string) => {
	const rows = (await tx.execute(sql`select blocking, blocking_reasons, flag_count, flagger_count, max_severity, categories, severities, affected_groups, revision, status from issues where id = ${id}`)) as unknown as Record<string, unknown>[]
	return JSON.stringify(rows[0] ?? null)
}
let agree = 0
const mismatches: string[] = []
const evalMs: number[] = []
for (const id of checkIds) {
	try {
		await db.transaction(async (tx) => {
			const before = await snap(tx, id)
			const t0 = t()
			await evaluateIssue(tx, id)
			evalMs.push(t() - t0)
			const after = await snap(tx, id)
			if (before === after) agree++
			else if (mismatches.length < 3) mismatches.push(`${id}\n    sql:           ${before}\n    evaluateIssue: ${after}`)
			throw new Rollback()
		})
	} catch (e) {
		if (!(e instanceof Rollback)) throw e
	}
}
console.log(`Check: evaluateIssue agrees with the SQL-built issue on ${agree}/${checkIds.length} issues (the 20 most flagged + a spread)`)
for (const m of mismatches) console.log(`  mismatch ${m}`)

// ---- Reads, round-robin ----
const pct = (xs: number[], p: number) => {
	const s = [...xs].sort((a, b) => a - b)
	return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0
}
const [hot] = await pg`select number, flag_count, sample_id from issues where version_id = ${versionId} order by flag_count desc limit 1`
const [commonGroup] = await pg`select g, count(*)::int as n from issues, unnest(affected_groups) g where version_id = ${versionId} group by g order by n desc limit 1`
const [rareGroup] = await pg`select g, count(*)::int as n from issues, unnest(affected_groups) g where version_id = ${versionId} group by g order by n asc limit 1`
const f = (o: Record<string, unknown>) => InboxFilterSchema.parse(o)
type Case = { name: string; run: () => Promise<number | null> }
const view = (name: string, filter: Record<string, unknown>): Case => ({
	name,
	run: async () => (await listIssues({ versionId, filter: f(filter), userId: ownerId })).matching,
})
const cases: Case[] = [
	{ name: 'floor: raw `select id … order by number desc limit 50`', run: async () => (await pg`select id from issues where version_id = ${versionId} order by number desc limit 50`).length },
	view('default (unresolved, newest)', {}),
	view('blocking only', { blocking: 'yes' }),
	view('category = stereotype (common)', { category: 'stereotype' }),
	view('category = privacy (rare)', { category: 'privacy' }),
	view('severity = critical', { severity: 'critical' }),
	view(`affected group = ${commonGroup!.g} (common)`, { group: commonGroup!.g }),
	view(`affected group = ${rareGroup!.g} (rare)`, { group: rareGroup!.g }),
	view('attribute persona.origin = Lagos', { attribute: 'persona.origin=Lagos' }),
	view('sort by severity', { sort: 'severity' }),
	view('sort by flaggers', { sort: 'flaggers' }),
	view('page 200 (newest)', { page: 200 }),
	view('all statuses, recently updated', { status: 'all', sort: 'updated' }),
	view('blocking + stereotype + Lagos, by severity', { blocking: 'yes', category: 'stereotype', attribute: 'persona.origin=Lagos', sort: 'severity' }),
	{ name: 'listAffectedGroups', run: async () => (await listAffectedGroups(versionId)).length },
	{
		name: 'inbox page: default view ‖ listAffectedGroups',
		run: async () => (await Promise.all([listIssues({ versionId, filter: f({}), userId: ownerId }), listAffectedGroups(versionId)]))[0].matching,
	},
	{ name: `getIssue #${hot!.number} (${hot!.flag_count} flags)`, run: async () => (await getIssue({ versionId, number: hot!.number }))!.flags.length },
]
const loadBefore = os.loadavg()[0]!
const times = new Map<string, number[]>(cases.map((c) => [c.name, []]))
const matching = new Map<string, number | null>()
for (let i = 0; i < WARMUP + RUNS; i++) {
	for (const c of cases) {
		const t0 = t()
		const n = await c.run()
		const ms = t() - t0
		if (i >= WARMUP) times.get(c.name)!.push(ms)
		matching.set(c.name, n)
	}
}
const floorP50 = pct(times.get(cases[0]!.name)!, 50)
type Row = { name: string; rows: number | null; p50: number; p95: number; max: number; ratio: number }
const reads: Row[] = cases.map((c) => {
	const xs = times.get(c.name)!
	return { name: c.name, rows: matching.get(c.name) ?? null, p50: pct(xs, 50), p95: pct(xs, 95), max: Math.max(...xs), ratio: pct(xs, 50) / floorP50 }
})

// ---- Writes: one more flag, through the real saveVerdict (which runs syncSampleIssue → evaluateIssue) ----
const participantIds = (await pg`select id from participants where round_id = ${roundId} order by role, number`).map((r) => r.id as string)
const [typical] = await pg`select sample_id, flag_count from issues where version_id = ${versionId} and flag_count = ${shape!.median_flags} limit 1`
const fresh = (await pg`select s.id from samples s join versions v on v.current_import_id = s.import_id where v.id = ${versionId} and not exists (select 1 from flags f where f.sample_id = s.id) order by s.id limit ${WARMUP + RUNS}`).map((r) => Number(r.id))
const flag = { intent: 'flag' as const, category: 'stereotype' as const, severity: 'major' as const, affectedGroups: ['Nigerian women'], rationale: 'The persona is reduced to a stock figure.', suggestedRewrite: '', quotedSpan: '', unsure: false }
const writeCases = [
	{ name: 'one flag on a new sample (creates the issue)', sample: (i: number) => fresh[i]!, flags: 0 },
	{ name: `one flag on a typical issue (${typical!.flag_count} flags)`, sample: () => Number(typical!.sample_id), flags: typical!.flag_count as number },
	{ name: `one flag on the hottest issue (${hot!.flag_count} flags)`, sample: () => Number(hot!.sample_id), flags: hot!.flag_count as number },
]
const writeTimes = writeCases.map(() => [] as number[])
for (let i = 0; i < WARMUP + RUNS; i++) {
	for (const [j, w] of writeCases.entries()) {
		const t0 = t()
		await saveVerdict({ roundId, participantId: participantIds[(i * 37 + j * 101) % participantIds.length]!, sampleId: w.sample(i), verdict: { kind: 'flag', flag } })
		if (i >= WARMUP) writeTimes[j]!.push(t() - t0)
	}
}
const freshP50 = pct(writeTimes[0]!, 50)
const writes: Row[] = writeCases.map((w, j) => ({ name: w.name, rows: null, p50: pct(writeTimes[j]!, 50), p95: pct(writeTimes[j]!, 95), max: Math.max(...writeTimes[j]!), ratio: pct(writeTimes[j]!, 50) / freshP50 }))
const [hotAfter] = await pg`select flag_count, flagger_count from issues where version_id = ${versionId} and number = ${hot!.number}`

// ---- Report ----
const ms = (x: number) => `${x.toFixed(1)} ms`
const loadAfter = os.loadavg()[0]!
console.log(`\nReads: ${RUNS} runs each after ${WARMUP} warm-up, round-robin; server time of the model function (no HTTP, no render)`)
console.log(`Machine: ${os.cpus().length} cores, 1-min load average ${loadBefore.toFixed(1)} before the measurements and ${loadAfter.toFixed(1)} after\n`)
console.log('| call | matching | p50 | p95 | max | p50 / floor |')
console.log('|---|---:|---:|---:|---:|---:|')
for (const r of reads) console.log(`| ${r.name} | ${r.rows?.toLocaleString() ?? ''} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.max)} | ${r.ratio.toFixed(1)} |`)
console.log(`\nWrites: saveVerdict adding one flag, ${RUNS} runs each after ${WARMUP} warm-up\n`)
console.log('| write | p50 | p95 | max | p50 / new sample |')
console.log('|---|---:|---:|---:|---:|')
for (const r of writes) console.log(`| ${r.name} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.max)} | ${r.ratio.toFixed(1)} |`)
console.log(`(hottest issue afterwards: ${hotAfter!.flag_count} flags from ${hotAfter!.flagger_count} people; evaluateIssue alone in the check: p50 ${ms(pct(evalMs, 50))}, max ${ms(Math.max(...evalMs))})`)
const over = reads.filter((r) => r.p95 >= 200)
console.log(over.length ? `\nOver 200 ms at p95: ${over.map((r) => r.name).join('; ')}` : `\nEvery read is under 200 ms at p95 (slowest p95: ${ms(Math.max(...reads.map((r) => r.p95)))}).`)

await closeDb()
await vite.close()
await pg.end()
if (KEEP) console.log(`Kept database ${dbName} (measure again with --reuse ${dbName}; drop it with: psql -c 'drop database ${dbName}')`)
else await admin.unsafe(`drop database ${dbName} with (force)`)
await admin.end()
const out = path.resolve('bench/.out')
mkdirSync(out, { recursive: true })
writeFileSync(
	path.join(out, 'triage.json'),
	JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, postgres: pgVersion, loadAverage: [loadBefore, loadAfter] }, flags: FLAGS, samples: SAMPLES, flagged: FLAGGED, participants: PARTICIPANTS, runs: RUNS, shape, check: { agree, of: checkIds.length }, reads, writes }, null, 2),
)
console.log('Written to bench/.out/triage.json')
