/**
 * Gathers a version's documentation facts (app/domain/documentation.ts) for the Croissant file and
 * the dataset card: the consultation report, the dashboard's agreement and flag counts, and a few
 * counts of their own. Every query names its columns and returns counts or the team's own text;
 * people appear only as counts by role under the report's small-group rule.
 */
import { eq, sql } from 'drizzle-orm'
import { datasets } from '#db/schema/datasets.ts'
import { type DatasetDocumentation } from '#app/domain/documentation.ts'
import { db, query } from '#app/utils/db.server.ts'
import { getAgreement, getFlagRateByAttribute } from './insights.server.ts'
import { getConsultationReport } from './report.server.ts'
import { listUseCases } from './use-case.server.ts'
import { getImportSummary, type getVersion } from './version.server.ts'

type Version = NonNullable<Awaited<ReturnType<typeof getVersion>>>

// Issues the documentation quotes (documented limitations); the counts cover them all.
const ISSUE_LIMIT = 500
// Facet attributes checked for groups nobody reviewed, and values listed per attribute.
const FACETS_CHECKED = 5
const VALUES_LISTED = 30

const tookPart = sql`p.consented_at is not null and (p.withdrawn_at is null or p.keep_feedback)`

export async function getDatasetDocumentation({
	dataset,
	version,
	origin,
	now = new Date(),
}: {
	dataset: { id: string; slug: string; name: string }
	version: Version
	origin: string
	now?: Date
}): Promise<DatasetDocumentation> {
	const versionId = version.id
	const base = `${origin}/datasets/${encodeURIComponent(dataset.slug)}/versions`
	const api = `${origin}/api/v1/datasets/${encodeURIComponent(dataset.slug)}/versions/${encodeURIComponent(version.label)}`
	const [[described], report, useCases, summary, agreement, breakdown, [roles], [verdicts], privacy, groups] = await Promise.all([
		db.select({ description: datasets.description }).from(datasets).where(eq(datasets.id, dataset.id)),
		getConsultationReport({ dataset, version, now, issueLimit: ISSUE_LIMIT }),
		listUseCases(dataset.id),
		version.currentImportId ? getImportSummary(version.currentImportId) : Promise.resolve({ facets: {} as Record<string, Record<string, number>>, languages: {} as Record<string, number> }),
		getAgreement({ versionId }),
		query<{ category: string; flags: number; samples: number }>(sql`
			select f.category, count(*)::int as flags, count(distinct f.sample_id)::int as samples
			from flags f join rounds r on r.id = f.round_id
			where r.version_id = ${versionId} and f.sample_id is not null and f.kind = 'flag' and f.category is not null
			group by f.category order by flags desc, f.category`),
		// Per sample and round, whether any community member and any expert flagged it.
		query<{ bothRoles: number; communityOnly: number; expertOnly: number }>(sql`
			with v as (
				select rv.round_id, rv.sample_id, p.role, bool_or(rv.verdict = 'flagged') as flagged
				from reviews rv join participants p on p.id = rv.participant_id join rounds r on r.id = rv.round_id
				where r.version_id = ${versionId} and rv.verdict <> 'skipped' and ${tookPart}
				group by rv.round_id, rv.sample_id, p.role
			)
			select count(*)::int as "bothRoles",
				count(*) filter (where c.flagged and not e.flagged)::int as "communityOnly",
				count(*) filter (where e.flagged and not c.flagged)::int as "expertOnly"
			from v c join v e on e.round_id = c.round_id and e.sample_id = c.sample_id and e.role = 'expert'
			where c.role = 'community'`),
		query<{ verdicts: number; reviewedSamples: number }>(sql`
			select count(*)::int as verdicts, count(distinct (rv.round_id, rv.sample_id))::int as "reviewedSamples"
			from reviews rv join rounds r on r.id = rv.round_id
			where r.version_id = ${versionId} and rv.verdict <> 'skipped'`),
		query<{ number: number; status: string; resolution: string | null; flags: number }>(sql`
			select i.number, i.status, case when i.status = 'resolved' then i.resolution else null end as resolution,
				(select count(*)::int from flags f where f.issue_id = i.id and f.category = 'privacy') as flags
			from issues i where i.version_id = ${versionId} and 'privacy' = any(i.categories)
			order by i.number limit 200`),
		query<{ g: string; n: number }>(sql`
			select g, count(*)::int as n from issues i, unnest(i.affected_groups) g
			where i.version_id = ${versionId} group by g order by n desc, g limit 30`),
	])

	// The attributes with the fewest values are the likeliest to name groups (persona.origin, not prompt ids).
	const attributes = Object.entries(summary.facets)
		.filter(([, values]) => Object.keys(values).length > 1 && Object.keys(values).length <= 200)
		.sort((a, b) => Object.keys(a[1]).length - Object.keys(b[1]).length)
		.slice(0, FACETS_CHECKED)
	const notConsulted: DatasetDocumentation['notConsulted'] = []
	if (verdicts && verdicts.reviewedSamples > 0) {
		for (const [attribute, values] of attributes) {
			const rates = await getFlagRateByAttribute({ versionId }, attribute)
			// With more values than the rate table lists, some reviewed values are summed as "other": skip.
			if (rates.other) continue
			const seen = new Set(rates.rows.map((r) => r.value))
			const missing = Object.keys(values)
				.filter((v) => !seen.has(v))
				.sort()
				.slice(0, VALUES_LISTED)
			if (missing.length) notConsulted.push({ attribute, values: missing })
		}
	}

	return {
		generatedAt: now.toISOString(),
		dataset: { slug: dataset.slug, name: dataset.name, description: described?.description ?? '' },
		urls: {
			version: `${base}/${encodeURIComponent(version.label)}`,
			report: `${base}/${encodeURIComponent(version.label)}/report`,
			annotationsJsonl: `${api}/annotations?format=jsonl`,
			annotationsParquet: `${api}/annotations?format=parquet`,
			croissant: `${api}/croissant.json`,
			parent: version.parent ? `${base}/${encodeURIComponent(version.parent.label)}` : null,
		},
		report,
		useCases: useCases.map((u) => ({ title: u.title, purpose: u.purpose, pipelineStage: u.pipelineStage, modelUsers: u.modelUsers, deploymentContext: u.deploymentContext })),
		languages: Object.entries(summary.languages)
			.sort((a, b) => b[1] - a[1])
			.map(([l]) => l),
		agreement: { overall: agreement.overall, byCategory: agreement.byCategory.map((c) => ({ category: c.category, alpha: c.result.alpha })) },
		roleDisagreement: roles ?? { bothRoles: 0, communityOnly: 0, expertOnly: 0 },
		flagsByCategory: breakdown,
		verdicts: verdicts ?? { verdicts: 0, reviewedSamples: 0 },
		privacy: { flags: privacy.reduce((n, i) => n + i.flags, 0), issues: privacy.map((i) => ({ number: i.number, status: i.status, resolution: i.resolution })) },
		notConsulted,
		groupsNamed: groups.map((g) => g.g),
	}
}
