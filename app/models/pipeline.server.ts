/**
 * What the pipeline API shows of versions and issues, in its own explicit shapes (snake case, as
 * in the OpenAPI document). Issues carry their state and counters only: never internal notes,
 * assignees, or anything that identifies a participant (flags are counted, not listed).
 */
import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { type DatasetRole, type VersionStatus } from '#app/domain/enums.ts'
import { rateLimits } from '#db/schema/accounts.ts'
import { apiTokenDatasets, apiTokens } from '#db/schema/api.ts'
import { datasetMembers, datasets, versions } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { type ApiIssueQuery, decodeIssueCursor, encodeIssueCursor, severityName } from '#app/domain/api.ts'
import { openBlocker, unresolvedIssue } from '#app/guards/gate-sql.server.ts'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { db, queryPrepared } from '#app/utils/db.server.ts'
import { type getVersion } from './version.server.ts'

type Version = NonNullable<Awaited<ReturnType<typeof getVersion>>>

export function versionJson(v: Version) {
	return {
		label: v.label,
		status: v.status,
		parent: v.parent?.label ?? null,
		sample_count: v.sampleCount,
		model_name: v.modelName,
		model_version: v.modelVersion,
		model_provider: v.modelProvider,
		generation_method: v.generationMethod,
		prompt_templates: v.promptTemplates,
		persona_definitions: v.personaDefinitions,
		seed_data_description: v.seedDataDescription,
		known_limitations: v.knownLimitations,
		changelog: v.changelog,
		template_key: v.templateKey,
		persona_key: v.personaKey,
		// Set when the samples were imported from the Hugging Face Hub (decision 048).
		source: v.source
			? { endpoint: v.source.endpoint, repo: v.source.repo, revision: v.source.revision, sha: v.source.sha, config: v.source.config, split: v.source.split, files: v.source.files }
			: null,
		created_at: v.createdAt.toISOString(),
	}
}

const apiIssueColumns = {
	number: issues.number,
	kind: issues.kind,
	externalId: issues.externalId,
	templateTarget: issues.templateTarget,
	status: issues.status,
	resolution: issues.resolution,
	blocking: issues.blocking,
	blockingReasons: issues.blockingReasons,
	flagCount: issues.flagCount,
	flaggerCount: issues.flaggerCount,
	categories: issues.categories,
	maxSeverity: issues.maxSeverity,
	needsReReview: issues.needsReReview,
	publicResponse: issues.publicResponse,
	createdAt: issues.createdAt,
	updatedAt: issues.updatedAt,
}

/** One page of a version's issues by number (keyset on the (version_id, number) unique index). */
export async function listApiIssues({ versionId, query }: { versionId: string; query: ApiIssueQuery }) {
	const parts: SQL[] = [eq(issues.versionId, versionId)]
	if (query.status === 'unresolved') parts.push(unresolvedIssue())
	else if (query.status !== 'all') parts.push(eq(issues.status, query.status))
	if (query.blocking) parts.push(eq(issues.blocking, query.blocking === 'true'))
	const after = query.cursor ? decodeIssueCursor(query.cursor) : null
	if (after !== null) parts.push(gt(issues.number, after))
	const rows = await db
		.select(apiIssueColumns)
		.from(issues)
		.where(and(...parts))
		.orderBy(asc(issues.number))
		.limit(query.limit + 1)
	const page = rows.slice(0, query.limit)
	const more = rows.length > query.limit
	return {
		issues: page.map((r) => ({
			number: r.number,
			kind: r.kind,
			external_id: r.externalId,
			template_target: r.templateTarget,
			status: r.status,
			resolution: r.resolution,
			blocking: r.blocking,
			blocking_reasons: r.blockingReasons,
			flag_count: r.flagCount,
			flagger_count: r.flaggerCount,
			categories: r.categories,
			max_severity: severityName(r.maxSeverity),
			needs_re_review: r.needsReReview,
			public_response: r.publicResponse,
			created_at: r.createdAt.toISOString(),
			updated_at: r.updatedAt.toISOString(),
		})),
		next_cursor: more && page.length ? encodeIssueCursor(page.at(-1)!.number) : null,
	}
}

type GateRow = {
	token_id: string
	user_id: string
	last_used_at: Date | string | null
	count: number
	retry_after: number
	dataset_id: string | null
	dataset_slug: string | null
	role: DatasetRole | null
	version_label: string | null
	version_status: VersionStatus | null
	blocking: number | null
	open: number | null
}

/**
 * Everything the gate needs, in one statement: pipelines poll the gate, so it is the API's hot path,
 * and separate queries cost a round trip and a query plan each. The parts are those of the general
 * path (app/utils/api.server.ts `requireApiVersion`), and must stay the same:
 * - the live token by its hash (`findActiveToken`); no row at all when there is none;
 * - its hit on the per-token rate limit, key `api:<token id>` (the upsert of `hitLimit`), with the
 *   seconds left in the window for Retry-After;
 * - the dataset as the token sees it (`getTokenDataset`: the token is scoped to it AND its creator
 *   is on its team, with their role now), skipped once over the limit;
 * - the version by label (`getVersion`) and its unresolved and blocking issues (`gateCounts`).
 * The statement's only write is the rate-limit count, so it commits asynchronously
 * (`synchronous_commit` off for this transaction only): it does not wait for the WAL to reach the
 * disk, which on a busy disk was most of the gate's time. A crash can lose the last fraction of a
 * second of counts, which only lets a token make a few more requests.
 */
export async function gateLookup(input: { token: string; slug: string; label: string; limit: number; windowSeconds: number }) {
	const window = sql`make_interval(secs => ${input.windowSeconds})`
	const i = alias(issues, 'i')
	const [row] = await queryPrepared<GateRow>(sql`
		with tok as (
			select id, user_id, last_used_at from ${apiTokens} where token_hash = ${sha256Hex(input.token)} and revoked_at is null
		), hit as (
			insert into ${rateLimits} (key, count, window_started_at) select 'api:' || tok.id::text, 1, now()
			from tok cross join (select set_config('synchronous_commit', 'off', true)) async_commit
			on conflict (key) do update set
				count = case when ${rateLimits.windowStartedAt} <= now() - ${window} then 1 else ${rateLimits.count} + 1 end,
				window_started_at = case when ${rateLimits.windowStartedAt} <= now() - ${window} then now() else ${rateLimits.windowStartedAt} end
			returning count, ceil(extract(epoch from (window_started_at + ${window} - now())))::int as retry_after
		), ds as (
			select d.id, d.slug, m.role from tok cross join hit
				join ${apiTokenDatasets} td on td.token_id = tok.id
				join ${datasets} d on d.id = td.dataset_id and d.slug = ${input.slug}
				join ${datasetMembers} m on m.dataset_id = d.id and m.user_id = tok.user_id
			where hit.count <= ${input.limit}
		), ver as (
			select v.id, v.label, v.status from ds join ${versions} v on v.dataset_id = ds.id and v.label = ${input.label}
		)
		select tok.id as token_id, tok.user_id, tok.last_used_at, hit.count, hit.retry_after,
			ds.id as dataset_id, ds.slug as dataset_slug, ds.role, ver.label as version_label, ver.status as version_status, c.blocking, c.open
		from tok cross join hit
			left join ds on true
			left join ver on true
			left join lateral (
				select count(*) filter (where ${openBlocker(i)})::int as blocking, count(*)::int as open from ${issues} i where i.version_id = ver.id and ${unresolvedIssue(i)}
			) c on ver.id is not null`)
	if (!row) return null
	return {
		token: { id: row.token_id, userId: row.user_id, lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at) },
		count: row.count,
		retryAfterSeconds: row.retry_after,
		dataset: row.dataset_id ? { id: row.dataset_id, slug: row.dataset_slug!, role: row.role! } : null,
		version: row.version_label ? { label: row.version_label, status: row.version_status!, blocking: row.blocking ?? 0, open: row.open ?? 0 } : null,
	}
}
