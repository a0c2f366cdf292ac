/**
 * Closing the loop: what became of each participant's feedback ("My feedback"), the
 * notifications that tell them when it changes, the queue of those notifications' emails (sent by
 * app/jobs/notification-emails.server.ts) and the reminder to the team about blocking issues
 * nobody has looked at.
 */
import { and, eq, inArray, or, sql } from 'drizzle-orm'
import { type PgUpdateSetSource } from 'drizzle-orm/pg-core'
import { users } from '#db/schema/accounts.ts'
import { datasetMembers, datasets, samples, useCases, versions } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { comments, flags } from '#db/schema/reviews.ts'
import { notifications, participants, rounds } from '#db/schema/rounds.ts'
import { MAX_ATTEMPTS, retryDelay } from '#app/domain/webhook.ts'
import { db, query, type Tx } from '#app/utils/db.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { teamNotices, urgentTeamNotices } from './team-notify.server.ts'

export type FeedbackNotice =
	| 'issue_acknowledged'
	| 'issue_resolved_removed'
	| 'issue_resolved_regenerated'
	| 'issue_resolved_documented'
	| 'issue_resolved_not_an_issue'
	| 'issue_resolved_use_case_revised'
	| 'issue_resolved_use_case_narrowed'
	| 'issue_reopened'
	| 'issue_responded'
	| 'issue_removed'
	| 'issue_re_review'

/**
 * Tells everyone whose feedback is on the issue's lineage (flags, template feedback, an opposed
 * comment) what changed — in the app, and by email through the job queue. Participants who
 * withdrew are not written to. The notice names the dataset, version and sample, never a person.
 */
export async function notifyFlaggers(tx: Tx, issueId: string, kind: FeedbackNotice) {
	const [i] = await tx
		.select({
			lineageId: issues.lineageId,
			number: issues.number,
			externalId: issues.externalId,
			templateTarget: issues.templateTarget,
			useCase: useCases.title,
			version: versions.label,
			dataset: datasets.name,
		})
		.from(issues)
		.innerJoin(versions, eq(versions.id, issues.versionId))
		.innerJoin(datasets, eq(datasets.id, versions.datasetId))
		.leftJoin(useCases, eq(useCases.id, issues.useCaseId))
		.where(eq(issues.id, issueId))
	if (!i) return
	const params = JSON.stringify({ dataset: i.dataset, version: i.version, number: i.number, item: i.externalId ?? i.templateTarget ?? i.useCase ?? '' })
	await tx.execute(sql`
		insert into ${notifications} (user_id, kind, params, link, email_state)
		select distinct who.user_id, ${kind}, ${params}::jsonb, '/feedback', 'pending'
		from (
			select p.user_id from ${flags} f join ${participants} p on p.id = f.participant_id
			where f.issue_id in (select id from ${issues} where lineage_id = ${i.lineageId}) and p.withdrawn_at is null
			union
			select c.author_id from ${comments} c join ${participants} p on p.id = c.participant_id
			where c.issue_id in (select id from ${issues} where lineage_id = ${i.lineageId}) and c.deleted_at is null and p.withdrawn_at is null
		) who`)
}

const FEEDBACK_PAGE = 50

/**
 * Every flag, template feedback and comment this person made, newest first, with what became of
 * it: the latest issue of its lineage (which may be in a later version), its status, resolution
 * and public response. Internal notes, blocking reasons, assignees and other people's feedback
 * are not selected.
 */
export async function listMyFeedback(userId: string, page = 1) {
	const offset = (page - 1) * FEEDBACK_PAGE
	const rows = await query<{
		type: 'flag' | 'template' | 'comment'
		id: string
		created_at: Date
		round_id: string
		round_title: string
		dataset: string
		version: string
		item: string | null
		category: string | null
		severity: string | null
		stance: string | null
		excerpt: string
		sample_text: string | null
		sample_language: string | null
		issue_number: number | null
		issue_version: string | null
		status: string | null
		resolution: string | null
		needs_re_review: boolean | null
		public_response: string | null
	}>(sql`
		with mine as (
			select 'flag' as type, f.id, f.created_at, f.round_id, f.issue_id, s.external_id as item, f.category, f.severity, null::text as stance, f.rationale as excerpt,
				-- The flagged sample's first lines, so the person sees what they flagged.
				left(coalesce(s.content, s.messages->0->>'content'), 300) as sample_text, s.language as sample_language
			from ${flags} f join ${participants} p on p.id = f.participant_id
			left join ${samples} s on s.id = f.sample_id
			where p.user_id = ${userId} and f.template_target is null
			union all
			select 'template', f.id, f.created_at, f.round_id, f.issue_id, f.template_target, f.category, f.severity, null, f.rationale, null, null
			from ${flags} f join ${participants} p on p.id = f.participant_id
			where p.user_id = ${userId} and f.template_target is not null
			union all
			select 'comment', c.id, c.created_at, c.round_id, c.issue_id, u.title, null, null, c.stance, case when c.deleted_at is null then c.body else '' end, null, null
			from ${comments} c join ${participants} p on p.id = c.participant_id join ${useCases} u on u.id = c.use_case_id
			where p.user_id = ${userId}
		)
		select m.type, m.id, m.created_at, m.round_id, r.title as round_title, d.name as dataset, v.label as version, m.item, m.category, m.severity, m.stance,
			left(m.excerpt, 280) as excerpt, m.sample_text, m.sample_language,
			latest.number as issue_number, latest.version as issue_version, latest.status, latest.resolution, latest.needs_re_review, latest.public_response
		from mine m
		join ${rounds} r on r.id = m.round_id
		join ${versions} v on v.id = r.version_id
		join ${datasets} d on d.id = v.dataset_id
		left join lateral (
			select j.number, jv.label as version, j.status, j.resolution, j.needs_re_review, j.public_response
			from ${issues} i join ${issues} j on j.lineage_id = i.lineage_id join ${versions} jv on jv.id = j.version_id
			where i.id = m.issue_id
			order by j.created_at desc, j.number desc limit 1
		) latest on true
		order by m.created_at desc, m.id
		limit ${FEEDBACK_PAGE + 1} offset ${offset}`)
	return { rows: rows.slice(0, FEEDBACK_PAGE), more: rows.length > FEEDBACK_PAGE }
}

// A claim not finished within this is taken to be abandoned (its instance died) and is claimed again.
export const NOTIFICATION_EMAIL_LEASE_MS = 10 * 60_000

export type ClaimedNotification = { id: string; user_id: string; kind: string; params: Record<string, string | number> | string; attempts: number; email: string; language: string | null }

/**
 * The email queue of notifications (decision 011; the job that sends: app/jobs/notification-emails.server.ts).
 * Claims up to `limit` rows due for an email, oldest first, with one UPDATE … RETURNING and SKIP
 * LOCKED, so several instances never send the same row. Due: pending and past its retry time, or
 * claimed by a pass that died (its lease of NOTIFICATION_EMAIL_LEASE_MS ran out); a row whose claims
 * all died with their instance (a crash-looping email) is given up first. Dataset-team digest notices
 * wait for the person's next digest (decision 030); urgent ones do not. Times are the database's
 * clock, so instances whose clocks differ agree on leases and due rows.
 */
export async function claimNotificationEmails(limit: number) {
	const digestKinds = teamNotices.filter((k) => !urgentTeamNotices.includes(k))
	const digestMinutes = getEnv().NOTIFY_DIGEST_MINUTES
	const lease = NOTIFICATION_EMAIL_LEASE_MS / 1000
	await db.execute(sql`
		update ${notifications} set email_state = 'failed', email_claimed_at = null
		where email_state = 'sending' and email_claimed_at < now() - make_interval(secs => ${lease}) and email_attempts >= ${MAX_ATTEMPTS}`)
	return query<ClaimedNotification>(sql`
		with picked as (
			select id from ${notifications}
			where email_state in ('pending', 'sending')
				and (
					(email_state = 'pending' and (email_next_attempt_at is null or email_next_attempt_at <= now()))
					or (email_state = 'sending' and email_claimed_at < now() - make_interval(secs => ${lease}) and email_attempts < ${MAX_ATTEMPTS})
				)
				and (kind <> all(${sql.raw(`array[${digestKinds.map((k) => `'${k}'`).join(', ')}]`)})
					or not exists (select 1 from ${users} u where u.id = user_id and u.team_digest_at > now() - make_interval(mins => ${digestMinutes})))
			order by created_at limit ${limit} for update skip locked
		), claimed as (
			update ${notifications} n set email_state = 'sending', email_claimed_at = now(), email_attempts = n.email_attempts + 1
			from picked where n.id = picked.id
			returning n.id, n.user_id, n.kind, n.params, n.created_at, n.email_attempts
		)
		select c.id, c.user_id, c.kind, c.params, c.email_attempts as attempts, u.email, u.preferred_language as language
		from claimed c join ${users} u on u.id = c.user_id
		order by c.created_at, c.id`)
}

function groupByAttempts(rows: ClaimedNotification[]): Array<[number, ClaimedNotification[]]> {
	const groups = new Map<number, ClaimedNotification[]>()
	for (const r of rows) groups.set(r.attempts, [...(groups.get(r.attempts) ?? []), r])
	return [...groups]
}

/** Only the claim this pass made (same row, same attempt, still sending) is written: never one taken over after the lease. */
function mine(rows: ClaimedNotification[]) {
	return and(
		eq(notifications.emailState, 'sending'),
		or(
			...groupByAttempts(rows).map(([attempts, group]) =>
				and(
					eq(notifications.emailAttempts, attempts),
					inArray(
						notifications.id,
						group.map((r) => r.id),
					),
				),
			),
		),
	)
}

async function finishClaims(rows: ClaimedNotification[], set: PgUpdateSetSource<typeof notifications>) {
	if (!rows.length) return 0
	const done = await db.update(notifications).set(set).where(mine(rows)).returning({ id: notifications.id })
	return done.length
}

/** The claimed rows were emailed (or filed in the outbox, which is final too). Returns how many were still this pass's claim. */
export async function markNotificationEmailsSent(rows: ClaimedNotification[]) {
	return finishClaims(rows, { emailState: 'sent', emailClaimedAt: null })
}

/**
 * The email carrying these rows failed: each is retried on the webhooks' schedule (retryDelay:
 * 1 min, 5 min, 30 min, 2 h, 6 h — one retry policy to reason about) and given up as `failed` after
 * the last attempt. Rows in one email can be on different attempts (an update joined a retried one).
 */
export async function retryNotificationEmails(rows: ClaimedNotification[]) {
	await Promise.all(
		groupByAttempts(rows).map(([attempts, group]) => {
			const delay = retryDelay(attempts, Math.random())
			const next = delay === null ? { emailState: 'failed' as const } : { emailState: 'pending' as const, emailNextAttemptAt: sql`now() + make_interval(secs => ${delay / 1000})` }
			return finishClaims(group, { ...next, emailClaimedAt: null })
		}),
	)
}

/** Hands rows back unattempted: pending again, the claim's attempt not counted. */
export async function releaseNotificationClaims(rows: ClaimedNotification[]) {
	await finishClaims(rows, { emailState: 'pending', emailClaimedAt: null, emailAttempts: sql`${notifications.emailAttempts} - 1` })
}

/** A digest of team notices went to this person: the next waits NOTIFY_DIGEST_MINUTES. */
export async function markTeamDigestSent(userId: string) {
	await db
		.update(users)
		.set({ teamDigestAt: sql`now()` })
		.where(eq(users.id, userId))
}

/**
 * Reminds a version's team when blocking issues have sat untriaged (never acknowledged, assigned,
 * answered or resolved) for ISSUE_REMINDER_DAYS; again after as many days if still untouched.
 */
export async function remindUntriagedBlockers(now = new Date()) {
	const days = getEnv().ISSUE_REMINDER_DAYS
	// As ISO strings: drizzle's postgres.js driver does not serialize a Date bound in raw SQL (PGlite does).
	const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString()
	const at = now.toISOString()
	const due = await query<{ version_id: string; n: number }>(sql`
		with picked as (
			select id from ${issues}
			where blocking and status = 'open' and triaged_at is null and created_at < ${cutoff}::timestamptz
				and (reminded_at is null or reminded_at < ${cutoff}::timestamptz)
			for update skip locked
		), marked as (
			update ${issues} i set reminded_at = ${at}::timestamptz from picked where i.id = picked.id returning i.version_id
		)
		select version_id, count(*)::int as n from marked group by version_id`)
	for (const d of due) {
		const [v] = await db
			.select({ label: versions.label, datasetId: versions.datasetId, slug: datasets.slug, name: datasets.name })
			.from(versions)
			.innerJoin(datasets, eq(datasets.id, versions.datasetId))
			.where(eq(versions.id, d.version_id))
		if (!v) continue
		const team = await db
			.select({ userId: datasetMembers.userId })
			.from(datasetMembers)
			.where(and(eq(datasetMembers.datasetId, v.datasetId), eq(datasetMembers.notify, true)))
		if (!team.length) continue
		await db.insert(notifications).values(
			team.map((m) => ({
				userId: m.userId,
				kind: 'blockers_untriaged',
				params: { dataset: v.name, version: v.label, count: d.n, days, slug: v.slug },
				link: `/datasets/${v.slug}/versions/${encodeURIComponent(v.label)}/issues?blocking=yes&status=open`,
				emailState: 'pending' as const,
			})),
		)
	}
	return { versions: due.length }
}
