/**
 * The owner's inbox (/inbox): across every dataset the person is on the team of, what needs them —
 * untriaged blocking issues (oldest first), versions blocked after approval, rounds closing within
 * 48 hours with their coverage, and recent participant comments on use cases. Each list is one
 * statement bounded by a LIMIT and driven from the person's memberships (dataset_members_user_idx),
 * so it costs what the person's datasets hold, not what the database holds (bench:scale).
 */
import { and, eq, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { datasetMembers, datasets, useCases, versions } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { comments, reviews } from '#db/schema/reviews.ts'
import { rounds } from '#db/schema/rounds.ts'
import { openBlocker } from '#app/guards/gate-sql.server.ts'
import { can } from '#app/domain/permissions.ts'
import { db, query } from '#app/utils/db.server.ts'

export const INBOX_LIMIT = 25
const CLOSING_HOURS = 48
const COMMENT_DAYS = 14
// The issues table under the names the statements below give it.
const i = alias(issues, 'i')
const j = alias(issues, 'j')

export async function getInbox(userId: string) {
	const mine = sql`select m.dataset_id from ${datasetMembers} m where m.user_id = ${userId}`
	const [blockers, blocked, closing, recent, memberships] = await Promise.all([
		// Per version, the partial index issues_untriaged_blockers_idx (version_id, created_at) gives
		// the oldest few; the merge keeps the oldest overall.
		query<{ id: string; number: number; revision: number; kind: string; item: string; reasons: string[]; created_at: Date; slug: string; dataset: string; version: string }>(sql`
			select i.id, i.number, i.revision, i.kind, coalesce(i.external_id, i.template_target, u.title, '') as item, i.blocking_reasons as reasons, i.created_at,
				d.slug, d.name as dataset, v.label as version
			from ${versions} v
			join ${datasets} d on d.id = v.dataset_id
			cross join lateral (
				select * from ${issues} j
				where j.version_id = v.id and ${openBlocker(j)} and j.triaged_at is null
				order by j.created_at limit ${INBOX_LIMIT}
			) i
			left join ${useCases} u on u.id = i.use_case_id
			where v.dataset_id in (${mine})
			order by i.created_at, i.number
			limit ${INBOX_LIMIT}`),
		query<{ slug: string; dataset: string; version: string; updated_at: Date; first_blocker: number | null; blocking: number }>(sql`
			select d.slug, d.name as dataset, v.label as version, v.updated_at,
				(select min(i.number) from ${issues} i where i.version_id = v.id and ${openBlocker(i)}) as first_blocker,
				(select count(*)::int from ${issues} i where i.version_id = v.id and ${openBlocker(i)}) as blocking
			from ${versions} v join ${datasets} d on d.id = v.dataset_id
			where v.dataset_id in (${mine}) and v.status = 'blocked'
			order by v.updated_at
			limit ${INBOX_LIMIT}`),
		// The rounds closing soon, with their coverage: samples with the round's overlap of reviews
		// (skips not counted), counted for the few rounds of the page only. The overlap is a constant
		// of each round's count; read inside the grouping it was a subquery run once per reviewed
		// sample (bench:scale, docs/benchmarks.md "Owner inbox"). Counted here, with the other lists,
		// rather than in a second round trip after them.
		query<{ id: string; title: string; closes_at: Date; sample_count: number; overlap: number; slug: string; dataset: string; version: string; covered: number }>(sql`
			select c.*, (
				select count(*)::int from (
					select 1 from ${reviews} v where v.round_id = c.id and v.verdict <> 'skipped'
					group by v.sample_id having count(*) >= c.overlap
				) k
			) as covered
			from (
				select r.id, r.title, r.closes_at, r.sample_count, r.overlap, d.slug, d.name as dataset, v.label as version
				from ${rounds} r join ${versions} v on v.id = r.version_id join ${datasets} d on d.id = v.dataset_id
				where v.dataset_id in (${mine}) and r.status = 'open' and r.closes_at is not null and r.closes_at <= now() + make_interval(hours => ${CLOSING_HOURS})
				order by r.closes_at, r.id
				limit ${INBOX_LIMIT}
			) c
			order by c.closes_at, c.id`),
		query<{ id: string; use_case_id: string; title: string; stance: string | null; excerpt: string; created_at: Date; slug: string; dataset: string }>(sql`
			select c.id, c.use_case_id, u.title, c.stance, left(c.body, 200) as excerpt, c.created_at, d.slug, d.name as dataset
			from ${useCases} u
			join ${datasets} d on d.id = u.dataset_id
			cross join lateral (
				select * from ${comments} k
				where k.use_case_id = u.id and k.created_at > now() - make_interval(days => ${COMMENT_DAYS})
					and not k.from_team and k.deleted_at is null and k.hidden_at is null
				order by k.created_at desc limit ${INBOX_LIMIT}
			) c
			where u.dataset_id in (${mine})
			order by c.created_at desc
			limit ${INBOX_LIMIT}`),
		query<{ dataset_id: string; slug: string; name: string; notify: boolean }>(sql`
			select d.id as dataset_id, d.slug, d.name, m.notify from ${datasetMembers} m join ${datasets} d on d.id = m.dataset_id
			where m.user_id = ${userId} order by d.name`),
	])
	return {
		blockers,
		blocked,
		closing,
		comments: recent,
		memberships,
	}
}

/** An issue the person may triage from the inbox, with where it lives; null when it does not exist for them. */
export async function findTriageableIssue({ issueId, userId }: { issueId: string; userId: string }) {
	const [row] = await db
		.select({ versionId: issues.versionId, datasetId: versions.datasetId, role: datasetMembers.role })
		.from(issues)
		.innerJoin(versions, eq(versions.id, issues.versionId))
		.innerJoin(datasetMembers, and(eq(datasetMembers.datasetId, versions.datasetId), eq(datasetMembers.userId, userId)))
		.where(eq(issues.id, issueId))
	return row && can(row.role, 'triage') ? { versionId: row.versionId, datasetId: row.datasetId } : null
}

/** The dataset (by slug) the person is on the team of; null otherwise. */
export async function findMembership({ slug, userId }: { slug: string; userId: string }) {
	const [row] = await db
		.select({ datasetId: datasetMembers.datasetId })
		.from(datasetMembers)
		.innerJoin(datasets, eq(datasets.id, datasetMembers.datasetId))
		.where(and(eq(datasetMembers.userId, userId), eq(datasets.slug, slug)))
	return row ?? null
}
