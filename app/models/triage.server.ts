/**
 * The dataset team's side of issues: the inbox (filters, counts, sort), the issue page, and every
 * triage action. Actions name the revision they were made on; a stale one is a conflict, never a
 * silent overwrite. Each action writes the issue's history and the dataset's audit log in the same
 * transaction, and tells the flaggers when something they can see changed.
 */
import { and, asc, eq, sql, type SQL } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { datasetMembers, samples, useCases, versions } from '#db/schema/datasets.ts'
import { issueEvents, issueGroups, issues } from '#db/schema/issues.ts'
import { comments, flags } from '#db/schema/reviews.ts'
import { participants, rounds } from '#db/schema/rounds.ts'
import { attributeFilter, checkBlockingCall, INBOX_PAGE_SIZE, transitionIssue, type InboxFilter, type TriageInput } from '#app/domain/issue.ts'
import { type IssueStatus, type Resolution } from '#app/domain/enums.ts'
import { isOpenBlocker } from '#app/domain/gate.ts'
import { attribute } from '#app/domain/pseudonymity.ts'
import { unresolvedIssue } from '#app/guards/gate-sql.server.ts'
import { db, query, type Tx } from '#app/utils/db.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { recordAudit } from './audit.server.ts'
import { notifyFlaggers, type FeedbackNotice } from './feedback.server.ts'
import { blockVersionAfterApproval, evaluateIssue } from './issue.server.ts'
import { groupSizes } from './pseudonymity.server.ts'
import { notifyTeamOfBlocker } from './team-notify.server.ts'
import { sampleColumns } from './sample.server.ts'
import { emitIssueEvent } from './webhook.server.ts'

const issueState = {
	id: issues.id,
	number: issues.number,
	kind: issues.kind,
	externalId: issues.externalId,
	templateTarget: issues.templateTarget,
	status: issues.status,
	resolution: issues.resolution,
	needsReReview: issues.needsReReview,
	blocking: issues.blocking,
	blockingReasons: issues.blockingReasons,
	ownerBlocking: issues.ownerBlocking,
	assigneeId: issues.assigneeId,
	publicResponse: issues.publicResponse,
	flagCount: issues.flagCount,
	flaggerCount: issues.flaggerCount,
	maxSeverity: issues.maxSeverity,
	categories: issues.categories,
	affectedGroups: issues.affectedGroups,
	revision: issues.revision,
	createdAt: issues.createdAt,
	updatedAt: issues.updatedAt,
}

function filterWhere(versionId: string, f: InboxFilter, userId: string): SQL {
	const parts: Array<SQL | undefined> = [eq(issues.versionId, versionId)]
	if (f.status === 'unresolved') parts.push(unresolvedIssue())
	else if (f.status !== 'all') parts.push(eq(issues.status, f.status))
	if (f.blocking !== 'any') parts.push(eq(issues.blocking, f.blocking === 'yes'))
	if (f.kind !== 'any') parts.push(eq(issues.kind, f.kind))
	if (f.category) parts.push(sql`${issues.categories} @> array[${f.category}]::text[]`)
	if (f.severity) parts.push(sql`${issues.severities} @> array[${f.severity}]::text[]`)
	if (f.group) parts.push(sql`${issues.affectedGroups} @> array[${f.group}]::text[]`)
	if (f.assignee === 'me') parts.push(eq(issues.assigneeId, userId))
	if (f.assignee === 'none') parts.push(sql`${issues.assigneeId} is null`)
	if (f.reReview === 'yes') parts.push(eq(issues.needsReReview, true))
	const attr = f.attribute ? attributeFilter(f.attribute) : null
	// The sample's metadata is copied onto its issue (decision 016); an issue whose sample is gone never matches.
	if (attr) parts.push(sql`${issues.sampleId} is not null and ${issues.sampleMetadata} @> ${JSON.stringify(attr)}::jsonb`)
	return and(...parts)!
}

const sortOrder: Record<InboxFilter['sort'], SQL[]> = {
	newest: [sql`${issues.number} desc`],
	oldest: [sql`${issues.number} asc`],
	flaggers: [sql`${issues.flaggerCount} desc`, sql`${issues.number} desc`],
	severity: [sql`${issues.blocking} desc`, sql`${issues.maxSeverity} desc`, sql`${issues.flaggerCount} desc`, sql`${issues.number} desc`],
	updated: [sql`${issues.updatedAt} desc`, sql`${issues.number} desc`],
}

/**
 * One page of a version's issues with the counts the inbox shows: by status and blocking for the
 * whole version, and the number matching the filters. Reads only the issues table: counters,
 * arrays and the sample's metadata are kept on each issue.
 */
export async function listIssues({ versionId, filter, userId }: { versionId: string; filter: InboxFilter; userId: string }) {
	const where = filterWhere(versionId, filter, userId)
	// The page is picked on ids and sort keys only, then its 50 rows are read and joined: sorting
	// whole rows (arrays, jsonb, texts) of tens of thousands of issues spilled to disk (bench:triage).
	const page = db
		.select({ id: issues.id })
		.from(issues)
		.where(where)
		.orderBy(...sortOrder[filter.sort])
		.limit(INBOX_PAGE_SIZE)
		.offset((filter.page - 1) * INBOX_PAGE_SIZE)
		.as('page')
	const [rows, matching, counts] = await Promise.all([
		db
			.select({ ...issueState, assignee: users.displayName, useCaseTitle: useCases.title })
			.from(page)
			.innerJoin(issues, eq(issues.id, page.id))
			.leftJoin(users, eq(users.id, issues.assigneeId))
			.leftJoin(useCases, eq(useCases.id, issues.useCaseId))
			.orderBy(...sortOrder[filter.sort]),
		db
			.select({ n: sql<number>`count(*)::int` })
			.from(issues)
			.where(where),
		query<{ status: IssueStatus; blocking: boolean; n: number }>(sql`select status, blocking, count(*)::int as n from ${issues} where version_id = ${versionId} group by status, blocking`),
	])
	const by = (pred: (c: { status: IssueStatus; blocking: boolean }) => boolean) => counts.filter(pred).reduce((a, c) => a + c.n, 0)
	return {
		rows,
		matching: matching[0]?.n ?? 0,
		counts: {
			open: by((c) => c.status === 'open'),
			acknowledged: by((c) => c.status === 'acknowledged'),
			resolved: by((c) => c.status === 'resolved'),
			blockingOpen: by(isOpenBlocker),
			all: by(() => true),
		},
	}
}

/**
 * The values the inbox's group filter offers: every affected group named on an issue of this
 * version (any status), in order, at most 200. Skips through `issue_groups` (version_id, name)
 * one name at a time: one index probe per distinct name, however many issues name it.
 */
export async function listAffectedGroups(versionId: string) {
	const rows = await query<{ g: string }>(sql`
		with recursive g(name) as (
			(select name from ${issueGroups} where version_id = ${versionId} order by name limit 1)
			union all
			select (select n.name from ${issueGroups} n where n.version_id = ${versionId} and n.name > g.name order by n.name limit 1) from g where g.name is not null
		)
		select name as g from g where name is not null limit 200`)
	return rows.map((r) => r.g)
}

/**
 * The issue to triage after `afterNumber`: the version's next one nobody on the team has touched
 * yet (unresolved, never triaged), blocking ones first, then oldest first — the order the inbox
 * lists untriaged blockers in. Null when none remain.
 */
export async function nextUntriagedIssue({ versionId, afterNumber }: { versionId: string; afterNumber: number }) {
	const [row] = await db
		.select({ number: issues.number, blocking: issues.blocking })
		.from(issues)
		.where(and(eq(issues.versionId, versionId), sql`${issues.triagedAt} is null`, sql`${issues.status} <> 'resolved'`, sql`${issues.number} <> ${afterNumber}`))
		.orderBy(sql`${issues.blocking} desc`, asc(issues.createdAt), asc(issues.number))
		.limit(1)
	return row ?? null
}

/** The team members an issue can be assigned to. */
export async function listAssignable(datasetId: string) {
	return db
		.select({ id: users.id, name: users.displayName, role: datasetMembers.role })
		.from(datasetMembers)
		.innerJoin(users, eq(users.id, datasetMembers.userId))
		.where(eq(datasetMembers.datasetId, datasetId))
		.orderBy(asc(users.displayName))
}

/**
 * The issue page: the issue, its sample, every flag on its lineage (by pseudonym — role, number,
 * expertise, a name only if the participant opted in), an opposed comment, and the history.
 */
export async function getIssue({ versionId, number }: { versionId: string; number: number }) {
	// What the page shows of the issue, and apart from it the keys the other queries need (never sent to the page).
	const [row] = await db
		.select({
			issue: { ...issueState, useCaseTitle: useCases.title, assignee: users.displayName },
			keys: { lineageId: issues.lineageId, contentHash: issues.contentHash, sampleId: issues.sampleId, commentId: issues.commentId, useCaseId: issues.useCaseId },
		})
		.from(issues)
		.leftJoin(users, eq(users.id, issues.assigneeId))
		.leftJoin(useCases, eq(useCases.id, issues.useCaseId))
		.where(and(eq(issues.versionId, versionId), eq(issues.number, number)))
	if (!row) return null
	const { issue, keys } = row
	const [sample] = keys.sampleId ? await db.select(sampleColumns).from(samples).where(eq(samples.id, keys.sampleId)) : []
	const [useCase] = keys.useCaseId
		? await db.select({ title: useCases.title, purpose: useCases.purpose, riskNotes: useCases.riskNotes, pipelineStage: useCases.pipelineStage }).from(useCases).where(eq(useCases.id, keys.useCaseId))
		: []
	const flagRows = await db
		.select({
			id: flags.id,
			kind: flags.kind,
			category: flags.category,
			severity: flags.severity,
			affectedGroups: flags.affectedGroups,
			rationale: flags.rationale,
			suggestedRewrite: flags.suggestedRewrite,
			quotedSpan: flags.quotedSpan,
			unsure: flags.unsure,
			createdAt: flags.createdAt,
			roundId: flags.roundId,
			roundTitle: rounds.title,
			role: participants.role,
			number: participants.number,
			expertise: participants.expertise,
			name: sql<string | null>`case when ${participants.showName} then ${users.displayName} else null end`,
			// Flags on earlier content of a changed sample are shown, but marked.
			earlierContent: sql<boolean>`coalesce(${issues.contentHash} is distinct from ${keys.contentHash}, false)`,
		})
		.from(flags)
		.innerJoin(issues, eq(issues.id, flags.issueId))
		.innerJoin(participants, eq(participants.id, flags.participantId))
		.innerJoin(users, eq(users.id, participants.userId))
		.innerJoin(rounds, eq(rounds.id, flags.roundId))
		.where(eq(issues.lineageId, keys.lineageId))
		.orderBy(asc(flags.createdAt))
	const [comment] = keys.commentId
		? await db
				.select({
					body: sql<string | null>`case when ${comments.deletedAt} is null and ${comments.hiddenAt} is null then ${comments.body} else null end`,
					stance: comments.stance,
					role: participants.role,
					number: participants.number,
					expertise: participants.expertise,
					roundId: comments.roundId,
					roundTitle: rounds.title,
				})
				.from(comments)
				.leftJoin(participants, eq(participants.id, comments.participantId))
				.leftJoin(rounds, eq(rounds.id, comments.roundId))
				.where(eq(comments.id, keys.commentId))
		: []
	const history = await db
		.select({
			id: issueEvents.id,
			kind: issueEvents.kind,
			before: issueEvents.before,
			after: issueEvents.after,
			note: issueEvents.note,
			internal: issueEvents.internal,
			createdAt: issueEvents.createdAt,
			actor: users.displayName,
			version: versions.label,
		})
		.from(issueEvents)
		.leftJoin(users, eq(users.id, issueEvents.actorId))
		.innerJoin(issues, eq(issues.id, issueEvents.issueId))
		.innerJoin(versions, eq(versions.id, issues.versionId))
		.where(eq(issues.lineageId, keys.lineageId))
		.orderBy(asc(issueEvents.createdAt))
	// Who said it, as the team may see it: no per-person pseudonym in a group below the threshold.
	const min = getEnv().PSEUDONYMITY_MIN_GROUP
	const sizes = await groupSizes([...flagRows.map((f) => f.roundId), ...(comment?.roundId ? [comment.roundId] : [])])
	const shownFlags = flagRows.map(({ roundId, ...f }) => ({ ...f, ...attribute({ ...f, roundId }, sizes, min) }))
	const shownComment = comment
		? (({ roundId, ...c }) => ({
				...c,
				...(c.role && c.number !== null && roundId ? attribute({ role: c.role, number: c.number, expertise: c.expertise, name: null, roundId }, sizes, min) : { number: null, expertise: '' }),
			}))(comment)
		: null
	return { issue, sample: sample ?? null, useCase: useCase ?? null, flags: shownFlags, comment: shownComment, history }
}

export type TriageOutcome =
	| { ok: true; revision: number }
	| { ok: false; reason: 'not_found' }
	| { ok: false; reason: 'conflict'; current: { revision: number; status: string; blocking: boolean } }
	| { ok: false; reason: 'not_allowed' | 'justification_required' | 'resolution_unfit' | 'reason_required' | 'not_team' }

type Actor = { userId: string; datasetId: string }

/**
 * Applies one triage action to one issue of `versionId`, if the issue is still at `revision`.
 * Concurrency: the row is locked (FOR NO KEY UPDATE), then its revision compared — of N racing edits made on the same
 * revision exactly one wins and the others get `conflict` with the current state.
 */
export async function triageIssue({ versionId, issueId, actor, input }: { versionId: string; issueId: string; actor: Actor; input: TriageInput }): Promise<TriageOutcome> {
	return db.transaction(async (tx) => {
		const [cur] = await tx
			.select({ ...issueState, lineageId: issues.lineageId, triagedAt: issues.triagedAt })
			.from(issues)
			.where(and(eq(issues.id, issueId), eq(issues.versionId, versionId)))
			// Not FOR UPDATE, the same lock as evaluateIssue: a flag being linked holds a KEY SHARE lock
			// on this row (foreign key), which FOR UPDATE waits for and which then queues behind it
			// (a deadlock with 12 flags and 12 notes racing on PostgreSQL). Triage changes no key column.
			.for('no key update')
		if (!cur) return { ok: false, reason: 'not_found' } as const
		if (input.intent === 'note') {
			await tx.insert(issueEvents).values({ issueId, kind: 'noted', actorId: actor.userId, note: input.note, internal: true })
			await audit(tx, actor, versionId, cur, 'issue.noted', null, null, '')
			return { ok: true, revision: cur.revision } as const
		}
		if (input.revision !== cur.revision) return { ok: false, reason: 'conflict', current: { revision: cur.revision, status: cur.status, blocking: cur.blocking } } as const
		const before = { status: cur.status, resolution: cur.resolution, blocking: cur.blocking, ownerBlocking: cur.ownerBlocking, assigneeId: cur.assigneeId, publicResponse: cur.publicResponse }
		const set: Partial<typeof issues.$inferInsert> = {}
		let event: (typeof issueEvents.$inferInsert)['kind']
		let notice: FeedbackNotice | null = null
		let note = ''
		switch (input.intent) {
			case 'acknowledge': {
				const r = transitionIssue(cur.status, { type: 'acknowledge' })
				if (!r.ok) return r
				set.status = r.status
				event = 'acknowledged'
				notice = 'issue_acknowledged'
				break
			}
			case 'resolve': {
				const r = transitionIssue(cur.status, { type: 'resolve', resolution: input.resolution, publicResponse: input.publicResponse || cur.publicResponse, kind: cur.kind })
				if (!r.ok) return r
				set.status = r.status
				set.resolution = r.resolution
				set.needsReReview = false
				if (input.publicResponse) set.publicResponse = input.publicResponse
				event = 'resolved'
				notice = `issue_resolved_${input.resolution}`
				note = input.note
				break
			}
			case 'reopen': {
				const r = transitionIssue(cur.status, { type: 'reopen' })
				if (!r.ok) return r
				set.status = r.status
				set.resolution = null
				event = 'reopened'
				notice = 'issue_reopened'
				note = input.reason
				break
			}
			case 'assign': {
				if (input.assignee) {
					const [member] = await tx
						.select({ userId: datasetMembers.userId })
						.from(datasetMembers)
						.where(and(eq(datasetMembers.datasetId, actor.datasetId), eq(datasetMembers.userId, input.assignee)))
					if (!member) return { ok: false, reason: 'not_team' } as const
				}
				set.assigneeId = input.assignee || null
				event = 'assigned'
				break
			}
			case 'blocking': {
				if (checkBlockingCall(input.call, input.reason) !== 'ok') return { ok: false, reason: 'reason_required' } as const
				set.ownerBlocking = input.call === 'rules' ? null : input.call === 'blocking'
				event = 'marked_blocking'
				note = input.reason
				break
			}
			case 'respond': {
				if (cur.status === 'resolved' && cur.resolution === 'not_an_issue' && input.publicResponse.length < 10) return { ok: false, reason: 'justification_required' } as const
				set.publicResponse = input.publicResponse
				event = 'responded'
				notice = input.publicResponse ? 'issue_responded' : null
				break
			}
		}
		await tx
			.update(issues)
			.set({ ...set, revision: sql`${issues.revision} + 1`, updatedAt: new Date(), triagedAt: cur.triagedAt ?? new Date() })
			.where(eq(issues.id, issueId))
		if (input.intent === 'blocking') await evaluateIssue(tx, issueId)
		const [after] = await tx
			.select({
				status: issues.status,
				resolution: issues.resolution,
				blocking: issues.blocking,
				ownerBlocking: issues.ownerBlocking,
				assigneeId: issues.assigneeId,
				publicResponse: issues.publicResponse,
				revision: issues.revision,
			})
			.from(issues)
			.where(eq(issues.id, issueId))
		const { revision, ...afterState } = after!
		// History and audit keep only the fields that changed.
		const keys = (Object.keys(afterState) as Array<keyof typeof afterState>).filter((k) => before[k] !== afterState[k])
		const pick = (o: Record<string, unknown>) => Object.fromEntries(keys.map((k) => [k, o[k]]))
		await tx.insert(issueEvents).values({ issueId, kind: event, actorId: actor.userId, before: pick(before), after: pick(afterState), note, internal: !!note })
		await audit(tx, actor, versionId, cur, `issue.${event}`, pick(before), pick(afterState), note)
		if (notice) await notifyFlaggers(tx, issueId, notice)
		// A blocker reopened on an approved version closes its gate again: the status follows (decision 029).
		if (input.intent === 'reopen' && afterState.blocking && (await blockVersionAfterApproval(tx, versionId, issueId))) await notifyTeamOfBlocker(tx, issueId, { fresh: false, afterApproval: true })
		// A change of blocking (intent `blocking`) was already sent by evaluateIssue.
		if (keys.includes('status') || keys.includes('resolution'))
			await emitIssueEvent(tx, issueId, 'issue.status_changed', { status: before.status, resolution: before.resolution, blocking: before.blocking })
		return { ok: true, revision } as const
	})
}

async function audit(
	tx: Tx,
	actor: Actor,
	versionId: string,
	cur: { id: string; number: number },
	action: string,
	before: Record<string, unknown> | null,
	after: Record<string, unknown> | null,
	reason: string,
) {
	await recordAudit({ datasetId: actor.datasetId, versionId, actorId: actor.userId, action, targetType: 'issue', targetId: cur.id, targetLabel: `#${cur.number}`, before, after, reason }, tx)
}

/**
 * Acknowledge or resolve many issues at once. Each is applied at the revision the inbox showed;
 * issues that changed since are left alone and reported back.
 */
export async function bulkTriage({
	versionId,
	actor,
	items,
	input,
}: {
	versionId: string
	actor: Actor
	items: Array<{ id: string; revision: number }>
	input: { intent: 'acknowledge' } | { intent: 'resolve'; resolution: Resolution; publicResponse: string }
}) {
	const result = { done: 0, conflicts: 0, skipped: 0 }
	for (const item of items) {
		const outcome = await triageIssue({
			versionId,
			issueId: item.id,
			actor,
			input:
				input.intent === 'acknowledge'
					? { intent: 'acknowledge', revision: item.revision }
					: { intent: 'resolve', revision: item.revision, resolution: input.resolution, publicResponse: input.publicResponse, note: '' },
		})
		if (outcome.ok) result.done++
		else if (outcome.reason === 'conflict') result.conflicts++
		else result.skipped++
	}
	return result
}
