/**
 * The owner's side of the loop: the dataset team (owners and maintainers who have not opted out
 * for that dataset) is told in the app and by email when something needs it (decision 030). Each
 * notice is one `notifications` row per member, written in the transaction of the change, with
 * `email_state = 'pending'`: the scheduler's email pass (decision 011) sends them as a digest, at
 * most one every NOTIFY_DIGEST_MINUTES per person, except a blocker on an approved version, which
 * goes out at the next pass. Never sent inside a request.
 */
import { sql } from 'drizzle-orm'
import { datasetMembers, datasets, useCases, versions } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { notifications, rounds } from '#db/schema/rounds.ts'
import { db, query, type Tx } from '#app/utils/db.server.ts'

export const teamNotices = [
	'team_issue_blocking',
	'team_issue_became_blocking',
	'team_blocked_after_approval',
	'team_opposed_comment',
	'team_round_covered',
	'team_round_closed',
	'team_reviewer_withdrew',
] as const
export type TeamNotice = (typeof teamNotices)[number]

/** Emailed at the next pass, whatever the digest's timing. */
export const urgentTeamNotices: readonly TeamNotice[] = ['team_blocked_after_approval']

export function isTeamNotice(kind: string): kind is TeamNotice {
	return (teamNotices as readonly string[]).includes(kind)
}

type Exec = Pick<Tx, 'execute'>

/** One row per team member of the dataset who wants to hear about it. */
export async function notifyTeam(executor: Exec, input: { datasetId: string; kind: TeamNotice; params: Record<string, string | number>; link: string }) {
	await executor.execute(sql`
		insert into ${notifications} (user_id, kind, params, link, email_state)
		select m.user_id, ${input.kind}, ${JSON.stringify(input.params)}::jsonb, ${input.link}, 'pending'
		from ${datasetMembers} m where m.dataset_id = ${input.datasetId} and m.notify`)
}

const versionBase = (slug: string, label: string) => `/datasets/${encodeURIComponent(slug)}/versions/${encodeURIComponent(label)}`

/** What an issue is about, in words a notice can show: the sample's id, the template, or the use case's title. */
async function issueContext(executor: Exec, issueId: string) {
	const [row] = await query<{ dataset_id: string; dataset: string; slug: string; version: string; number: number; kind: string; item: string }>(
		sql`select d.id as dataset_id, d.name as dataset, d.slug, v.label as version, i.number, i.kind,
				coalesce(i.external_id, i.template_target, u.title, '') as item
			from ${issues} i join ${versions} v on v.id = i.version_id join ${datasets} d on d.id = v.dataset_id
			left join ${useCases} u on u.id = i.use_case_id
			where i.id = ${issueId}`,
		executor,
	)
	return row ?? null
}

/** An issue became blocking (`fresh`: it was just raised). `afterApproval`: it took the version out of approval. */
export async function notifyTeamOfBlocker(executor: Exec, issueId: string, { fresh, afterApproval }: { fresh: boolean; afterApproval: boolean }) {
	const c = await issueContext(executor, issueId)
	if (!c) return
	const kind: TeamNotice = afterApproval ? 'team_blocked_after_approval' : fresh ? 'team_issue_blocking' : 'team_issue_became_blocking'
	await notifyTeam(executor, {
		datasetId: c.dataset_id,
		kind,
		params: { dataset: c.dataset, version: c.version, number: c.number, issueKind: c.kind, item: c.item, slug: c.slug },
		link: `${versionBase(c.slug, c.version)}/issues/${c.number}`,
	})
}

/** A participant wrote an "opposed" comment on a use case (its issue was just raised). */
export async function notifyTeamOfOpposedComment(executor: Exec, issueId: string) {
	const c = await issueContext(executor, issueId)
	if (!c) return
	await notifyTeam(executor, {
		datasetId: c.dataset_id,
		kind: 'team_opposed_comment',
		params: { dataset: c.dataset, version: c.version, number: c.number, issueKind: c.kind, item: c.item, slug: c.slug },
		link: `${versionBase(c.slug, c.version)}/issues/${c.number}`,
	})
}

/** Round-level notices: covered, closed at its closing time, a reviewer withdrew. */
export async function notifyTeamOfRound(executor: Exec, roundId: string, kind: 'team_round_covered' | 'team_round_closed' | 'team_reviewer_withdrew', extra: Record<string, string | number> = {}) {
	const [r] = await query<{ dataset_id: string; dataset: string; slug: string; version: string; title: string }>(
		sql`select d.id as dataset_id, d.name as dataset, d.slug, v.label as version, r.title
			from ${rounds} r join ${versions} v on v.id = r.version_id join ${datasets} d on d.id = v.dataset_id where r.id = ${roundId}`,
		executor,
	)
	if (!r) return
	await notifyTeam(executor, {
		datasetId: r.dataset_id,
		kind,
		params: { dataset: r.dataset, version: r.version, round: r.title, slug: r.slug, ...extra },
		link: `${versionBase(r.slug, r.version)}/rounds/${roundId}`,
	})
}

/**
 * Rounds still open whose every sample has reached the round's overlap (its coverage target):
 * the team is told once per round. Claimed with one UPDATE, so instances never tell twice.
 */
export async function notifyCoveredRounds() {
	const covered = await query<{ id: string }>(sql`
		update ${rounds} r set coverage_notified_at = now()
		where r.status = 'open' and r.coverage_notified_at is null and r.sample_count > 0
			and (select count(*) from (
				select sample_id from reviews v where v.round_id = r.id and v.verdict <> 'skipped'
				group by sample_id having count(*) >= r.overlap) c) >= r.sample_count
		returning r.id`)
	for (const r of covered) await notifyTeamOfRound(db, r.id, 'team_round_covered')
	return covered.length
}

/** Per-dataset opt-out: does this member hear about this dataset? */
export async function setTeamNotify({ datasetId, userId, notify }: { datasetId: string; userId: string; notify: boolean }) {
	await db
		.update(datasetMembers)
		.set({ notify })
		.where(sql`${datasetMembers.datasetId} = ${datasetId} and ${datasetMembers.userId} = ${userId}`)
}
