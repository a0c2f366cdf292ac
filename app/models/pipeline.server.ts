/**
 * What the pipeline API shows of versions and issues, in its own explicit shapes (snake case, as
 * in the OpenAPI document). Issues carry their state and counters only: never internal notes,
 * assignees, or anything that identifies a participant (flags are counted, not listed).
 */
import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm'
import { issues } from '#db/schema/issues.ts'
import { type ApiIssueQuery, decodeIssueCursor, encodeIssueCursor, severityName } from '#app/domain/api.ts'
import { db } from '#app/utils/db.server.ts'
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
	if (query.status === 'unresolved') parts.push(sql`${issues.status} <> 'resolved'`)
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
