/**
 * For tests/integration/query-plans.test.ts: a modest multi-tenant dataset built set-based in SQL,
 * and EXPLAIN of captured statements (custom plan with the real parameters, and the generic plan
 * PostgreSQL may switch a prepared statement to after five runs).
 */
import type postgres from 'postgres'

/** The shape of a seeded consultation; see `seedScale`. */
export type ScaleConfig = {
	/** Datasets, one version in consultation each. */
	datasets: number
	samplesPerVersion: number
	/** Spread evenly over the rounds (two per version), one round each, 10% experts. */
	reviewers: number
	/** Samples round 1 shows: every sample of the version (null), or this many. */
	round1Samples: number | null
	/** Samples round 2 shows. */
	round2Samples: number
	/** `first`: a round shows the version's first N samples by external id; `random`: N picked at random per round (rounds then overlap by chance). */
	selection: 'first' | 'random'
	/** Of the assignments (two reviewers per round sample), the share reviewed; of those, flagged and skipped. */
	reviewedPercent: number
	flaggedPercent: number
	skippedPercent: number
	/** Top-level comments per participant and use case (two use cases per dataset); a fifth get a reply. */
	commentsPerUseCase: number
}

export const SCALE: ScaleConfig = {
	datasets: 20,
	samplesPerVersion: 2_500,
	reviewers: 500,
	// Round 1 shows every sample of a version, round 2 its first 1,000; two reviewers per sample.
	round1Samples: null,
	round2Samples: 1_000,
	selection: 'first',
	reviewedPercent: 60,
	flaggedPercent: 8,
	skippedPercent: 4,
	commentsPerUseCase: 3,
}

const origins = `array['Oaxaca','Lagos','Amman','Bogotá','Lucknow','Dakar']`
const categories = `array['caricature','stereotype','misrepresentation','erasure','demeaning','cultural_default','privacy','other']`

/**
 * Twenty datasets with one version each in consultation (50,000 samples), two open rounds per
 * version, 500 reviewers (one round each, 10% experts) with ~140,000 assignments, ~84,000 reviews,
 * ~20,000 flags, issues as the app would leave them, ~3,600 use-case comments, history and audit
 * rows. The dataset "ds-0" is the one the queries ask about: 5% of every table, as one tenant among many.
 * Rows that arrive over time (reviews, flags, issues, comments) are inserted in random order, so no
 * index looks better than it would in production because the heap happens to be sorted.
 * That is the default `SCALE`; bench/scale-data.ts has the large one (`BENCH_SCALE`) for bench:scale.
 * `pg` must be a single connection (temporary tables).
 */
export async function seedScale(pg: postgres.Sql, scale: ScaleConfig = SCALE) {
	await pg.unsafe(`set work_mem = '64MB'`)
	// Every row is built from rows already there, so foreign-key triggers can be skipped where the
	// role may (superuser): seeding is then twice as fast. Otherwise they simply run.
	await pg.unsafe('set session_replication_role = replica').catch(() => {})
	const { datasets: D, samplesPerVersion: S, reviewers: R, round1Samples: S1, round2Samples: S2, reviewedPercent, flaggedPercent, skippedPercent, commentsPerUseCase: C } = scale
	const first = (n: number) => `s.external_id < 's-${String(n).padStart(6, '0')}'`
	const timings: string[] = []
	const run = async (text: string) => {
		const t0 = performance.now()
		const result = await pg.unsafe(text)
		timings.push(`${(performance.now() - t0).toFixed(0)} ms ${text.trim().split('\n')[0]!.slice(0, 60)}`)
		return result
	}
	await run(`insert into users (email, display_name, password_hash)
		select 'owner' || d || '@plans.test', 'Owner ' || d, 'x' from generate_series(0, ${D - 1}) d
		union all
		select 'r' || j || '@plans.test', 'Reviewer ' || j, 'x' from generate_series(0, ${R - 1}) j`)
	await run(`insert into datasets (slug, name, created_by)
		select 'ds-' || d, 'Dataset ' || d, u.id from generate_series(0, ${D - 1}) d join users u on u.email = 'owner' || d || '@plans.test'`)
	await run(`insert into dataset_members (dataset_id, user_id, role) select id, created_by, 'owner' from datasets`)
	await run(`insert into use_cases (dataset_id, title, pipeline_stage) select id, 'Use case ' || k, 'training' from datasets cross join generate_series(1, 2) k`)
	await run(`insert into versions (dataset_id, label, status, generation_method, created_by) select id, 'v1', 'in_consultation', 'persona_simulation', created_by from datasets`)
	await run(`insert into imports (version_id, status, format, filename, rows_read, finished_at, created_by)
		select id, 'succeeded', 'jsonl', 'plans.jsonl', ${S}, now(), created_by from versions`)
	// An import's rows arrive together (COPY), so samples are contiguous per import, as in production.
	await run(`insert into samples (import_id, external_id, content, language, metadata, content_hash)
		select i.id, 's-' || lpad(n::text, 6, '0'),
			'Sample ' || n || ' written as a persona from ' || (${origins})[1 + n % 6] || ' about the quarterly schedule.', 'en',
			jsonb_build_object('persona', jsonb_build_object('origin', (${origins})[1 + n % 6], 'age', 20 + n % 50), 'prompt_id', 't' || n % 7),
			md5(i.id::text || n)
		from imports i cross join generate_series(0, ${S - 1}) n order by i.id, n`)
	await run(`update versions v set current_import_id = i.id, sample_count = ${S} from imports i where i.version_id = v.id`)

	await run(`insert into rounds (version_id, stage, title, overlap, status, selection_mode, selection_params, sample_count, created_by, opened_at)
		select v.id, 'validation', 'Round ' || k, 2, 'open', case when k = 1 and ${S1 === null} then 'all' else 'random' end,
			case when k = 1 and ${S1 === null} then '{}'::jsonb else jsonb_build_object('n', case k when 1 then ${S1 ?? S} else ${S2} end, 'seed', 7) end,
			case k when 1 then ${S1 ?? S} else ${S2} end, v.created_by, now() - interval '10 days'
		from versions v cross join generate_series(1, 2) k`)
	await run(`create temp table plan_rounds as select id, row_number() over (order by version_id, title)::int - 1 as idx from rounds`)
	if (scale.selection === 'random') {
		// Each round draws its own N (a rank in a per-round hash order), shown in external-id order.
		await run(`insert into round_samples (round_id, sample_id, position)
			select id, sample_id, row_number() over (partition by id order by external_id)
			from (
				select r.id, s.id as sample_id, s.external_id, r.sample_count, row_number() over (partition by r.id order by hashtext(r.id::text || s.id), s.id) as pick
				from rounds r join versions v on v.id = r.version_id join samples s on s.import_id = v.current_import_id
			) x
			where pick <= sample_count`)
	} else {
		await run(`insert into round_samples (round_id, sample_id, position)
			select r.id, s.id, row_number() over (partition by r.id order by s.external_id)
			from rounds r join versions v on v.id = r.version_id join samples s on s.import_id = v.current_import_id
			where ${S1 === null ? `r.title = 'Round 1' or ${first(S2)}` : `case r.title when 'Round 1' then ${first(S1)} else ${first(S2)} end`}`)
	}
	await run(`insert into participants (round_id, user_id, role, expertise, number, consented_at)
		select pr.id, u.id, case when j % 10 = 0 then 'expert' else 'community' end, case when j % 10 = 0 then 'Sociolinguist' else '' end,
			row_number() over (partition by pr.id, j % 10 = 0 order by j), now() - interval '9 days'
		from generate_series(0, ${R - 1}) j join users u on u.email = 'r' || j || '@plans.test' join plan_rounds pr on pr.idx = j % (select count(*) from plan_rounds)`)
	await run(`insert into invitations (round_id, email, email_hash, role, token_hash, status, expires_at, accepted_by, accepted_at)
		select round_id, '', md5(id::text), role, md5('token' || id), 'accepted', now() + interval '14 days', user_id, now() - interval '9 days' from participants
		union all
		select pr.id, 'pending' || k || '@plans.test', md5(pr.id::text || k), 'community', md5('token' || pr.id || k), 'pending', now() + interval '14 days', null, null
		from plan_rounds pr cross join generate_series(1, 5) k`)
	await run(`create temp table plan_pp as
		select id, round_id, row_number() over (partition by round_id order by id)::int - 1 as k, count(*) over (partition by round_id)::int as n from participants`)
	// Two reviewers per round sample, spread evenly; each assignment reviewed or not, by a hash.
	await run(`create temp table plan_assign as
		select rs.round_id, r.version_id, pp.id as participant_id, rs.sample_id, rs.position, x.h,
			case when x.h < ${reviewedPercent * 10} then gen_random_uuid() end as review_id,
			case when x.h % 100 < ${flaggedPercent} then 'flagged' when x.h % 100 < ${flaggedPercent + skippedPercent} then 'skipped' else 'no_concerns' end as verdict,
			now() - (abs(hashtext(rs.sample_id || ':t')) % 864000) * interval '1 second' as at
		from round_samples rs join rounds r on r.id = rs.round_id
			join plan_pp pp on pp.round_id = rs.round_id and (pp.k = rs.position % pp.n or pp.k = (rs.position + 1) % pp.n)
			cross join lateral (select abs(hashtext(pp.id::text || rs.sample_id)) % 1000 as h) x`)
	// A queue is inserted in one go (the rebalance); verdicts arrive over time, in any order.
	await run(`insert into assignments (round_id, participant_id, sample_id, position, completed_at)
		select round_id, participant_id, sample_id, position, case when review_id is not null then at end from plan_assign order by round_id, participant_id, position`)
	await run(`insert into reviews (id, round_id, participant_id, sample_id, verdict, created_at, updated_at)
		select review_id, round_id, participant_id, sample_id, verdict, at, at from plan_assign where review_id is not null order by md5(review_id::text)`)
	await run(`create temp table plan_flags as
		select a.review_id, a.round_id, a.version_id, a.participant_id, a.sample_id, a.at, k,
			(${categories})[1 + abs(hashtext(a.review_id::text || k)) % 8] as category,
			case when abs(hashtext(a.review_id::text || k || 's')) % 100 < 60 then 'minor' when abs(hashtext(a.review_id::text || k || 's')) % 100 < 93 then 'major' else 'critical' end as severity
		from plan_assign a cross join lateral generate_series(1, 1 + abs(hashtext(a.review_id::text)) % 4) k
		where a.verdict = 'flagged' and a.review_id is not null`)

	// Issues as syncSampleIssue/evaluateIssue leave them: one per flagged sample of a version, per
	// template target, per opposed comment; a fifth triaged, some assigned, some to re-review.
	await run(`insert into issues (id, version_id, number, kind, sample_id, external_id, content_hash, sample_metadata, lineage_id, status, resolution, needs_re_review,
			blocking, blocking_reasons, assignee_id, public_response, flag_count, flagger_count, max_severity, categories, severities, affected_groups,
			triaged_at, created_at, updated_at)
		select id, version_id, number, 'sample', sample_id, external_id, content_hash, sample_metadata, id, status, case when status = 'resolved' then 'documented' end, h % 33 = 0,
			blocking, case when blocking then '["threshold"]'::jsonb else '[]'::jsonb end, case when h % 20 = 0 then owner_id end,
			case when status = 'resolved' then 'Thank you: documented in the dataset card.' else '' end,
			flag_count, flagger_count, max_severity, categories, severities, case when h % 4 = 0 then array['older adults'] else '{}'::text[] end,
			case when status <> 'open' then last_at + interval '1 hour' end, first_at, last_at
		from (
			select a.*, x.*, s.external_id, s.content_hash, s.metadata as sample_metadata, v.created_by as owner_id, gen_random_uuid() as id,
				row_number() over (partition by a.version_id order by a.first_at, a.sample_id)::int as number,
				case when x.h < 15 then 'resolved' when x.h < 30 then 'acknowledged' else 'open' end as status,
				a.crit or a.flagger_count >= 2 as blocking
			from (
				select version_id, sample_id, count(*)::int as flag_count, count(distinct participant_id)::int as flagger_count,
					max(case severity when 'minor' then 1 when 'major' then 2 else 3 end) as max_severity,
					array_agg(distinct category) as categories, array_agg(distinct severity) as severities,
					bool_or(severity = 'critical') as crit, min(at) as first_at, max(at) as last_at
				from plan_flags group by version_id, sample_id
			) a join samples s on s.id = a.sample_id join versions v on v.id = a.version_id
				cross join lateral (select abs(hashtext(a.sample_id::text)) % 100 as h) x
		) i
		order by md5(id::text)`)
	await run(`insert into issue_groups (issue_id, version_id, name) select id, version_id, unnest(affected_groups) from issues`)
	await run(`insert into issues (id, version_id, number, kind, template_target, lineage_id, flag_count, flagger_count, max_severity, categories, severities, blocking, blocking_reasons)
		select id, version_id, base + row_number() over (partition by version_id order by target), 'template', target, id, 50, 25, 1, array['stereotype'], array['minor'], true, '["threshold"]'::jsonb
		from (select gen_random_uuid() as id, v.id as version_id, t.target, (select coalesce(max(number), 0) from issues i where i.version_id = v.id) as base
			from versions v cross join (values ('prompt_templates'), ('persona_definitions')) t(target)) x`)
	await run(`insert into flags (review_id, round_id, participant_id, sample_id, kind, category, severity, affected_groups, rationale, issue_id, created_at, updated_at)
		select f.review_id, f.round_id, f.participant_id, f.sample_id, 'flag', f.category, f.severity,
			case when f.k = 1 then '["older adults"]'::jsonb else '[]'::jsonb end, 'The persona is reduced to a stock figure.', i.id, f.at, f.at
		from plan_flags f join issues i on i.version_id = f.version_id and i.kind = 'sample' and i.sample_id = f.sample_id
		order by md5(f.review_id::text || f.k)`)
	await run(`insert into flags (round_id, participant_id, template_target, kind, category, severity, rationale, issue_id, created_at, updated_at)
		select pp.round_id, pp.id, i.template_target, case when t = 3 then 'comment' else 'flag' end,
			case when t = 3 then null else 'stereotype' end, case when t = 3 then null else 'minor' end, 'The template assumes one family shape.', i.id,
			now() - t * interval '1 day', now() - t * interval '1 day'
		from plan_pp pp join rounds r on r.id = pp.round_id cross join generate_series(1, 4) t
			join issues i on i.version_id = r.version_id and i.kind = 'template' and i.template_target = case when t % 2 = 0 then 'prompt_templates' else 'persona_definitions' end
		order by md5(pp.id::text || t)`)

	await run(`insert into comments (use_case_id, round_id, author_id, participant_id, stance, body, created_at)
		select uc.id, p.round_id, p.user_id, p.id,
			case when h < 5 then 'opposed' when h < 40 then 'supportive' when h < 70 then 'concerned' else 'question' end,
			'This use case needs a second look.', now() - (h * 3000 + k) * interval '1 second'
		from participants p join rounds r on r.id = p.round_id join versions v on v.id = r.version_id
			join use_cases uc on uc.dataset_id = v.dataset_id cross join generate_series(1, ${C}) k
			cross join lateral (select abs(hashtext(p.id::text || uc.id || k)) % 100 as h) hh
		order by md5(p.id::text || uc.id || k)`)
	await run(`insert into comments (use_case_id, round_id, parent_id, depth, author_id, participant_id, from_team, body, created_at)
		select c.use_case_id, case when t then null else c.round_id end, c.id, 1, case when t then ds.created_by else c.author_id end,
			case when t then null else c.participant_id end, t, 'A reply.', c.created_at + interval '1 hour'
		from comments c join use_cases uc on uc.id = c.use_case_id join datasets ds on ds.id = uc.dataset_id
			cross join lateral (select abs(hashtext(c.id::text)) % 10 = 0 as t) tt
		where abs(hashtext(c.id::text || 'reply')) % 5 = 0`)
	await run(`insert into issues (id, version_id, number, kind, use_case_id, comment_id, lineage_id, flag_count, flagger_count, blocking, blocking_reasons)
		select id, version_id, base + row_number() over (partition by version_id order by comment_id), 'use_case', use_case_id, comment_id, id, 1, 1, true, '["opposed"]'::jsonb
		from (select gen_random_uuid() as id, r.version_id, c.id as comment_id, c.use_case_id, (select max(number) from issues i where i.version_id = r.version_id) as base
			from comments c join rounds r on r.id = c.round_id where c.stance = 'opposed' and c.parent_id is null) x`)
	await run(`update comments c set issue_id = i.id from issues i where i.kind = 'use_case' and i.comment_id = c.id`)
	await run(`update versions v set issue_seq = (select max(number) from issues i where i.version_id = v.id)`)
	await run(`insert into issue_events (issue_id, kind, internal, created_at)
		select id, 'created', false, created_at from issues
		union all
		select id, case status when 'resolved' then 'resolved' else 'acknowledged' end, false, triaged_at from issues where status <> 'open'`)
	await run(`insert into audit_events (dataset_id, version_id, actor_id, actor_name, action, target_type, target_id, created_at)
		select v.dataset_id, v.id, v.created_by, 'Owner', (array['issue.acknowledged','issue.resolved','round.opened','invitation.sent'])[1 + n % 4], 'issue', n::text,
			now() - n * interval '1 minute'
		from versions v cross join generate_series(1, 1000) n order by md5(v.id::text || n)`)
	await run(`insert into audit_events (dataset_id, version_id, actor_id, actor_name, action, target_type, reason, after, created_at)
		select dataset_id, id, created_by, 'Owner', 'version.approved_with_override', 'version', 'Documented in the card.', '{"overriddenBlockers": 3, "blockers": ["#1", "#2", "#3"]}'::jsonb, now() - k * interval '1 day'
		from versions cross join generate_series(1, 2) k`)
	await pg.unsafe('reset session_replication_role').catch(() => {})
	await run('vacuum analyze')
	const tables = ['samples', 'round_samples', 'assignments', 'reviews', 'flags', 'issues', 'issue_events', 'comments', 'participants', 'audit_events']
	const counts = await pg.unsafe<Array<{ table: string; rows: number }>>(tables.map((t) => `select '${t}' as table, count(*)::int as rows from ${t}`).join(' union all '))
	if (process.env.RT_PLANS_VERBOSE) console.log(timings.join('\n'))
	return Object.fromEntries(counts.map((c) => [c.table, c.rows])) as Record<string, number>
}

export type Statement = { label: string; text: string; parameters: unknown[] }

type PlanNode = {
	'Node Type': string
	'Relation Name'?: string
	'Index Name'?: string
	'Index Cond'?: string
	'Recheck Cond'?: string
	'Total Cost': number
	Plans?: PlanNode[]
}

function nodes(plan: PlanNode): PlanNode[] {
	return [plan, ...(plan.Plans ?? []).flatMap(nodes)]
}

/** A value as an SQL literal of unknown type, for EXECUTE (PostgreSQL casts it to the parameter's type). */
function literal(value: unknown): string {
	if (value === null || value === undefined) return 'NULL'
	if (typeof value === 'number' || typeof value === 'bigint') return String(value)
	if (typeof value === 'boolean') return value ? 'true' : 'false'
	const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value)
	return `'${text.replaceAll("'", "''")}'`
}

/** Whether every read of `table` in the plan goes through an index condition (not a whole-table or whole-index scan). */
function readThroughIndex(plan: PlanNode, table: string): boolean {
	return nodes(plan)
		.filter((n) => n['Relation Name'] === table)
		.every((n) => (n['Node Type'] === 'Bitmap Heap Scan' ? !!n['Recheck Cond'] : n['Node Type'].startsWith('Index') && !!n['Index Cond']))
}

export type PlanCheck = {
	label: string
	plan: 'custom' | 'generic'
	/** A generic plan runs only if it looks no dearer than the custom ones (see `explain`). */
	reachable: boolean
	cost: number
	/** Tables the plan reads whole. */
	seqScans: string[]
	/** Watched ones of those that no index can read by the query's conditions, even with sequential scans disabled. */
	unindexed: string[]
	scans: string[]
	text: string
	sql: string
}

/**
 * EXPLAINs a captured statement on `client` (the app's own postgres.js client, so parameters are
 * serialized exactly as the app sends them):
 *  - with its parameters: the custom plan of its first executions;
 *  - as a prepared statement under plan_cache_mode = force_generic_plan: the generic plan
 *    postgres.js's prepared statements may switch to after five runs. PostgreSQL switches only
 *    when the generic plan costs less than the custom ones plus their planning (1000 ×
 *    cpu_operator_cost per range-table entry, approximated here by the relations scanned), so a
 *    generic plan above that is marked unreachable;
 *  - for a plan that reads a watched table whole, again with sequential scans, hash and merge
 *    joins off: if an index then reaches the rows by the query's own conditions or join keys, the
 *    scan was the planner's costing at this size (the scope is a few percent of a table of 50,000–140,000 rows spread over every
 *    page, where reading it whole is cheaper); if not, no index fits the query (`unindexed`).
 */
export async function explain(client: postgres.Sql, s: Statement, watched: ReadonlySet<string>): Promise<PlanCheck[]> {
	const conn = await client.reserve()
	const args = s.parameters.map(literal).join(', ')
	const plan = async (kind: 'custom' | 'generic', prefix: string) => {
		if (kind === 'custom') return conn.unsafe(`${prefix} ${s.text}`, s.parameters as never[])
		// A prepared statement keeps its generic plan: prepare it again under the current settings.
		await conn.unsafe('deallocate all')
		await conn.unsafe(`prepare rt_plan_check as ${s.text}`)
		return conn.unsafe(`${prefix} execute rt_plan_check(${args})`)
	}
	const check = async (kind: 'custom' | 'generic'): Promise<PlanCheck> => {
		const root = ((await plan(kind, 'explain (format json)'))[0]!['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan
		const text = (await plan(kind, 'explain')).map((r) => r['QUERY PLAN']).join('\n')
		const all = nodes(root)
		const seqScans = [...new Set(all.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']!))]
		let unindexed: string[] = []
		if (seqScans.some((t) => watched.has(t))) {
			// Nested loops only, so a table joined by key is probed through an index if one fits.
			for (const setting of ['enable_seqscan', 'enable_hashjoin', 'enable_mergejoin']) await conn.unsafe(`set ${setting} = off`)
			const forced = ((await plan(kind, 'explain (format json)'))[0]!['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan
			for (const setting of ['enable_seqscan', 'enable_hashjoin', 'enable_mergejoin']) await conn.unsafe(`reset ${setting}`)
			unindexed = seqScans.filter((t) => watched.has(t) && !readThroughIndex(forced, t))
		}
		return {
			label: s.label,
			plan: kind,
			reachable: true,
			cost: root['Total Cost'],
			seqScans,
			unindexed,
			scans: all.filter((n) => n['Relation Name']).map((n) => `${n['Node Type']} ${n['Relation Name']}${n['Index Name'] ? ` (${n['Index Name']})` : ''}`),
			text,
			sql: s.text,
		}
	}
	try {
		const custom = await check('custom')
		if (!s.parameters.length) return [custom]
		const [{ cpu_operator_cost }] = (await conn.unsafe('show cpu_operator_cost')) as unknown as [{ cpu_operator_cost: string }]
		await conn.unsafe('set plan_cache_mode = force_generic_plan')
		const generic = await check('generic')
		generic.reachable = generic.cost < custom.cost + 1000 * Number(cpu_operator_cost) * (custom.scans.length + 1)
		return [custom, generic]
	} finally {
		await conn.unsafe('deallocate all').catch(() => {})
		await conn.unsafe('reset all').catch(() => {})
		conn.release()
	}
}
