/**
 * Where feedback becomes issues: every change to a flag, template feedback or an opposed comment
 * calls one of the `sync…` functions inside its own transaction, which finds or creates the
 * issue, points the feedback at it and re-evaluates the blocking rules (app/domain/blocking.ts).
 * Also the gate (open blocking issues of a version) and carry-over to a child version.
 */
import { and, asc, eq, isNull, notInArray, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { type IssueStatus, type TemplateTarget } from '#app/domain/enums.ts'
import { samples, versions } from '#db/schema/datasets.ts'
import { issueSamples } from '#db/schema/similar.ts'
import { issueEvents, issueGroups, issues } from '#db/schema/issues.ts'
import { comments, flags } from '#db/schema/reviews.ts'
import { participants, rounds } from '#db/schema/rounds.ts'
import { evaluateBlocking, severityValue, type FeedbackComment, type FeedbackFlag } from '#app/domain/blocking.ts'
import { openBlocker, unresolvedIssue } from '#app/guards/gate-sql.server.ts'
import { db, query, type Tx } from '#app/utils/db.server.ts'
import { blocksAfterApproval } from '#app/domain/gate.ts'
import { recordAudit } from './audit.server.ts'
import { carryOverIssueSamples } from './similar.server.ts'
import { notifyFlaggers } from './feedback.server.ts'
import { notifyTeamOfBlocker, notifyTeamOfOpposedComment } from './team-notify.server.ts'
import { emitIssueEvaluated, emitVersionStatusChanged } from './webhook.server.ts'

type Exec = Tx

/** Hands out the next "#n" of a version. The row lock is held only to the end of the caller's transaction. */
async function nextNumber(tx: Exec, versionId: string): Promise<number> {
	const [row] = await tx
		.update(versions)
		.set({ issueSeq: sql`${versions.issueSeq} + 1` })
		.where(eq(versions.id, versionId))
		.returning({ n: versions.issueSeq })
	return row!.n
}

async function versionOfRound(tx: Exec, roundId: string) {
	const [r] = await tx.select({ versionId: rounds.versionId }).from(rounds).where(eq(rounds.id, roundId))
	return r?.versionId ?? null
}

type NewIssue = Omit<typeof issues.$inferInsert, 'id' | 'number' | 'lineageId'>

/**
 * Inserts an issue unless its unique key (sample / template target / comment) already has one.
 * `created`: this call inserted it. The caller hands that to the issue's first evaluation, which
 * announces a new issue (notices, the `issue.created` webhook) once the rules have judged it.
 */
async function findOrCreate(tx: Exec, values: NewIssue, existing: () => Promise<string | null>): Promise<{ id: string; created: boolean }> {
	const found = await existing()
	if (found) return { id: found, created: false }
	const id = crypto.randomUUID()
	const number = await nextNumber(tx, values.versionId)
	const rows = await tx
		.insert(issues)
		.values({ ...values, id, number, lineageId: id })
		.onConflictDoNothing()
		.returning({ id: issues.id })
	if (!rows.length) return { id: (await existing())!, created: false }
	await tx.insert(issueEvents).values({ issueId: id, kind: 'created', internal: false })
	return { id, created: true }
}

/** After a participant's flags on a sample changed (added, edited, withdrawn, replaced by "no concerns"). */
export async function syncSampleIssue(tx: Exec, { roundId, sampleId }: { roundId: string; sampleId: number }) {
	const versionId = await versionOfRound(tx, roundId)
	if (!versionId) return
	const existing = async () =>
		(
			await tx
				.select({ id: issues.id })
				.from(issues)
				.where(and(eq(issues.versionId, versionId), eq(issues.kind, 'sample'), eq(issues.sampleId, sampleId)))
		)[0]?.id ?? null
	const [unlinked] = await tx
		.select({ id: flags.id })
		.from(flags)
		.where(and(eq(flags.sampleId, sampleId), isNull(flags.issueId)))
		.limit(1)
	let issueId = await existing()
	let created = false
	if (unlinked) {
		const [sample] = await tx.select({ externalId: samples.externalId, contentHash: samples.contentHash, metadata: samples.metadata }).from(samples).where(eq(samples.id, sampleId))
		const made = await findOrCreate(tx, { versionId, kind: 'sample', sampleId, externalId: sample!.externalId, contentHash: sample!.contentHash, sampleMetadata: sample!.metadata }, existing)
		issueId = made.id
		created = made.created
		await tx
			.update(flags)
			.set({ issueId })
			.where(and(eq(flags.sampleId, sampleId), isNull(flags.issueId)))
	}
	if (issueId) await evaluateLineageOf(tx, issueId, created)
}

/** After template feedback (a flag or comment on prompt templates / persona definitions) changed. */
export async function syncTemplateIssue(tx: Exec, { roundId, target }: { roundId: string; target: TemplateTarget }) {
	const versionId = await versionOfRound(tx, roundId)
	if (!versionId) return
	const existing = async () =>
		(
			await tx
				.select({ id: issues.id })
				.from(issues)
				.where(and(eq(issues.versionId, versionId), eq(issues.kind, 'template'), eq(issues.templateTarget, target)))
		)[0]?.id ?? null
	const ofVersion = sql`${flags.roundId} in (select ${rounds.id} from ${rounds} where ${rounds.versionId} = ${versionId})`
	const [unlinked] = await tx
		.select({ id: flags.id })
		.from(flags)
		.where(and(ofVersion, eq(flags.templateTarget, target), isNull(flags.issueId)))
		.limit(1)
	let issueId = await existing()
	let created = false
	if (unlinked) {
		const made = await findOrCreate(tx, { versionId, kind: 'template', templateTarget: target }, existing)
		issueId = made.id
		created = made.created
		await tx
			.update(flags)
			.set({ issueId })
			.where(and(ofVersion, eq(flags.templateTarget, target), isNull(flags.issueId)))
	}
	if (issueId) await evaluateLineageOf(tx, issueId, created)
}

/** After a top-level use-case comment was written, edited or deleted: "opposed" raises an issue. */
export async function syncCommentIssue(tx: Exec, commentId: string) {
	const [c] = await tx
		.select({ stance: comments.stance, roundId: comments.roundId, useCaseId: comments.useCaseId, issueId: comments.issueId, deleted: sql<boolean>`${comments.deletedAt} is not null` })
		.from(comments)
		.where(eq(comments.id, commentId))
	if (!c?.roundId) return
	let issueId = c.issueId
	let created = false
	if (!issueId && c.stance === 'opposed' && !c.deleted) {
		const versionId = await versionOfRound(tx, c.roundId)
		if (!versionId) return
		const existing = async () =>
			(
				await tx
					.select({ id: issues.id })
					.from(issues)
					.where(and(eq(issues.kind, 'use_case'), eq(issues.commentId, commentId)))
			)[0]?.id ?? null
		const made = await findOrCreate(tx, { versionId, kind: 'use_case', useCaseId: c.useCaseId, commentId }, existing)
		issueId = made.id
		created = made.created
		await tx.update(comments).set({ issueId }).where(eq(comments.id, commentId))
		// The team hears of the opposed comment itself (and, below, of its blocking only if that ends an approval).
		if (created) await notifyTeamOfOpposedComment(tx, issueId)
	}
	if (issueId) await evaluateLineageOf(tx, issueId, created)
}

/** Evaluates every issue of `issueId`'s lineage; `created`: `issueId` itself was just inserted (findOrCreate). */
async function evaluateLineageOf(tx: Exec, issueId: string, created = false) {
	const [row] = await tx.select({ lineageId: issues.lineageId }).from(issues).where(eq(issues.id, issueId))
	if (!row) return
	const members = await tx.select({ id: issues.id }).from(issues).where(eq(issues.lineageId, row.lineageId)).orderBy(asc(issues.createdAt))
	for (const m of members) await evaluateIssue(tx, m.id, { created: created && m.id === issueId })
}

/**
 * Recomputes an issue from its feedback: counters, filter arrays (and its `issue_groups` rows),
 * and blocking. Flags count for every issue of the lineage whose sample content is the same (a
 * carried-over issue keeps its flags; a changed sample starts afresh). An issue left with no
 * feedback that nobody triaged and that was not carried over disappears; otherwise it stays, so
 * no history is lost. `created`: the issue was inserted in this transaction and this is its first
 * evaluation (as findOrCreate or carry-over reported it), so it is announced as new.
 */
export async function evaluateIssue(tx: Exec, issueId: string, { created = false }: { created?: boolean } = {}) {
	const [issue] = await tx
		.select({
			id: issues.id,
			versionId: issues.versionId,
			kind: issues.kind,
			lineageId: issues.lineageId,
			affectedGroups: issues.affectedGroups,
			contentHash: issues.contentHash,
			ownerBlocking: issues.ownerBlocking,
			blocking: issues.blocking,
			blockingReasons: issues.blockingReasons,
			triaged: sql<boolean>`${issues.triagedAt} is not null`,
			carried: sql<boolean>`${issues.carriedFromId} is not null`,
		})
		.from(issues)
		.where(eq(issues.id, issueId))
		// Not FOR UPDATE: linking a flag took a KEY SHARE lock on this row (foreign key), and two
		// participants flagging one sample at once would each wait for the other's.
		.for('no key update')
	if (!issue) return
	const sameContent =
		issue.kind === 'sample'
			? sql`${flags.issueId} in (select j.id from ${issues} j where j.lineage_id = ${issue.lineageId} and j.content_hash is not distinct from ${issue.contentHash})`
			: eq(flags.issueId, issueId)
	const feedback = await tx
		.select({
			personId: participants.userId,
			role: participants.role,
			kind: flags.kind,
			severity: flags.severity,
			category: flags.category,
			affectedGroups: flags.affectedGroups,
			threshold: rounds.blockThreshold,
		})
		.from(flags)
		.innerJoin(participants, eq(participants.id, flags.participantId))
		.innerJoin(rounds, eq(rounds.id, flags.roundId))
		.where(sameContent)
	// A hidden comment still counts: hiding is moderation of words, not dismissal of a concern.
	const opposed =
		issue.kind === 'use_case'
			? await tx
					.select({ stance: comments.stance, opposedBlocks: rounds.opposedBlocks })
					.from(comments)
					.innerJoin(rounds, eq(rounds.id, comments.roundId))
					.where(and(eq(comments.issueId, issueId), isNull(comments.deletedAt), eq(comments.stance, 'opposed')))
			: []
	if (!feedback.length && !opposed.length && !issue.triaged && !issue.carried) {
		await tx.delete(issues).where(eq(issues.id, issueId))
		return
	}
	const flagInputs: FeedbackFlag[] = feedback.map((f) => ({ personId: f.personId, role: f.role, kind: f.kind, severity: f.severity, threshold: f.threshold }))
	const result = evaluateBlocking({ flags: flagInputs, comments: opposed as FeedbackComment[], ownerBlocking: issue.ownerBlocking })
	const onlyFlags = feedback.filter((f) => f.kind === 'flag')
	const uniq = (xs: Array<string | null | undefined>) => [...new Set(xs.filter((x): x is string => !!x))].sort()
	const changed = result.blocking !== issue.blocking
	const groups = uniq(feedback.flatMap((f) => f.affectedGroups ?? []))
	await tx
		.update(issues)
		.set({
			blocking: result.blocking,
			blockingReasons: result.reasons,
			flagCount: feedback.length + opposed.length,
			flaggerCount: new Set(feedback.map((f) => f.personId)).size + opposed.length,
			maxSeverity: Math.max(0, ...onlyFlags.map((f) => severityValue(f.severity))),
			categories: uniq(feedback.map((f) => f.category)),
			severities: uniq(onlyFlags.map((f) => f.severity)),
			affectedGroups: groups,
			// Only a change the team must know about invalidates a triage form they have open.
			...(changed ? { revision: sql`${issues.revision} + 1`, updatedAt: new Date() } : {}),
		})
		.where(eq(issues.id, issueId))
	if (groups.join('\u0000') !== [...issue.affectedGroups].sort().join('\u0000')) await syncIssueGroups(tx, { issueId, versionId: issue.versionId, groups })
	if (changed) {
		await tx.insert(issueEvents).values({ issueId, kind: 'blocking_changed', before: { blocking: issue.blocking }, after: { blocking: result.blocking, reasons: result.reasons }, internal: false })
	}
	if (changed && result.blocking) {
		const afterApproval = await blockVersionAfterApproval(tx, issue.versionId, issueId)
		// A new opposed comment was announced as such (syncCommentIssue); its blocking adds nothing unless it ended an approval.
		if (afterApproval || !(created && issue.kind === 'use_case')) await notifyTeamOfBlocker(tx, issueId, { fresh: created, afterApproval })
	}
	// Webhooks: `issue.created` once a new issue is evaluated, `issue.status_changed` when blocking changed.
	await emitIssueEvaluated(tx, issueId, { created, before: issue.blocking, changed })
}

/**
 * A blocking issue arrived (or came back) on an approved or released version: the version is
 * `blocked` until the team triages the blocker and approves again, so no page, API answer or
 * webhook calls it approved while its gate is closed (decision 029). Returns whether it did.
 */
export async function blockVersionAfterApproval(tx: Exec, versionId: string, issueId: string): Promise<boolean> {
	const [v] = await tx.select({ status: versions.status, label: versions.label, datasetId: versions.datasetId }).from(versions).where(eq(versions.id, versionId)).for('no key update')
	if (!v || !blocksAfterApproval(v.status)) return false
	const [i] = await tx.select({ number: issues.number }).from(issues).where(eq(issues.id, issueId))
	await tx
		.update(versions)
		.set({ status: 'blocked', overriddenBlockers: 0, overrideJustification: null, revision: sql`${versions.revision} + 1`, updatedAt: new Date() })
		.where(eq(versions.id, versionId))
	await emitVersionStatusChanged(tx, { versionId, from: v.status, to: 'blocked', blockingIssue: i?.number })
	await recordAudit(
		{
			datasetId: v.datasetId,
			versionId,
			actorId: null,
			action: 'version.blocked',
			targetType: 'version',
			targetId: versionId,
			targetLabel: v.label,
			before: { status: v.status },
			after: { status: 'blocked', issue: i ? `#${i.number}` : null },
		},
		tx,
	)
	return true
}

/** The issue's rows in `issue_groups` (the inbox's group list) follow its `affected_groups`. */
async function syncIssueGroups(tx: Exec, { issueId, versionId, groups }: { issueId: string; versionId: string; groups: string[] }) {
	await tx.delete(issueGroups).where(and(eq(issueGroups.issueId, issueId), groups.length ? notInArray(issueGroups.name, groups) : undefined))
	if (groups.length)
		await tx
			.insert(issueGroups)
			.values(groups.map((name) => ({ issueId, versionId, name })))
			.onConflictDoNothing()
}

/** Issues touched by a set of flags, to re-evaluate after those flags are deleted. */
export async function issuesOfFlags(tx: Exec, where: ReturnType<typeof and>) {
	const rows = await tx
		.selectDistinct({ id: flags.issueId })
		.from(flags)
		.where(and(where, sql`${flags.issueId} is not null`))
	return rows.map((r) => r.id!)
}

export async function reevaluate(tx: Exec, issueIds: string[]) {
	for (const id of new Set(issueIds)) await evaluateLineageOf(tx, id)
}

/** What a pipeline asks before using a version: its open blocking issues and open issues. */
export async function gateCounts(versionId: string, executor: Pick<Tx, 'execute'> = db) {
	const [row] = await query<{ blocking: number; open: number }>(
		sql`select count(*) filter (where ${openBlocker()})::int as blocking, count(*)::int as open
			from ${issues} where version_id = ${versionId} and ${unresolvedIssue()}`,
		executor,
	)
	return { blocking: row?.blocking ?? 0, open: row?.open ?? 0 }
}

/** The samples the open blockers cover: each sample issue's own and those it was extended to (issue #22). */
export async function countBlockingSamples(versionId: string): Promise<number> {
	const [row] = await query<{ n: number }>(
		sql`select coalesce(sum((${issues.kind} = 'sample')::int + x.n), 0)::int as n
			from ${issues}
			cross join lateral (select count(*)::int as n from ${issueSamples} s where s.issue_id = ${issues.id}) x
			where ${issues.versionId} = ${versionId} and ${openBlocker()}`,
	)
	return row?.n ?? 0
}

/** The open blocking issues, for the message that refuses an approval. */
export async function listOpenBlockers(versionId: string, limit = 50, executor: Exec | typeof db = db) {
	return executor
		.select({ id: issues.id, number: issues.number, kind: issues.kind, externalId: issues.externalId, templateTarget: issues.templateTarget, reasons: issues.blockingReasons, status: issues.status })
		.from(issues)
		.where(and(eq(issues.versionId, versionId), openBlocker()))
		.orderBy(asc(issues.number))
		.limit(limit)
}

/**
 * Carry-over when a child version's samples are published (inside that transaction). The
 * parent's unresolved sample issues follow their sample by external id:
 * - same content hash → a copy in the child, same status, blocking call and response;
 * - sample gone → a record in the child, resolved as `removed`;
 * - content changed → an open issue in the child marked "needs re-review" (also for issues the
 *   parent resolved as regenerated: the flaggers should see the new text), and the flaggers are asked to look again.
 * Re-importing a draft child replaces what an earlier import carried (without notifying the
 * flaggers again of an outcome they were already told). A carried issue copies the
 * child sample's metadata (none for a removed sample): the inbox's attribute filter reads it there.
 */
export async function carryOverIssues(tx: Exec, { versionId, importId }: { versionId: string; importId: string }) {
	const [child] = await tx.select({ parentId: versions.parentId, label: versions.label }).from(versions).where(eq(versions.id, versionId))
	if (!child?.parentId) return { unchanged: 0, removed: 0, changed: 0 }
	// What an earlier import of this draft already told the flaggers (removed, or asked to look
	// again): a re-import that comes to the same outcome for a parent issue does not tell them twice.
	const told = await query<{ from: string; kind: 'removed' | 'changed' }>(
		sql`select carried_from_id as "from", case when resolution = 'removed' and sample_id is null then 'removed' else 'changed' end as kind
			from ${issues} where version_id = ${versionId} and carried_from_id is not null and ((resolution = 'removed' and sample_id is null) or needs_re_review)`,
		tx,
	)
	const alreadyTold = new Set(told.map((t) => `${t.from}:${t.kind}`))
	const i = alias(issues, 'i')
	await tx.delete(issues).where(and(eq(issues.versionId, versionId), sql`${issues.carriedFromId} is not null`))
	const parentIssues = await query<{
		id: string
		lineage_id: string
		external_id: string
		content_hash: string
		status: IssueStatus
		resolution: string | null
		owner_blocking: boolean | null
		blocking: boolean
		public_response: string
		assignee_id: string | null
		new_sample_id: number | null
		new_hash: string | null
		new_metadata: Record<string, unknown> | null
	}>(
		sql`select i.id, i.lineage_id, i.external_id, i.content_hash, i.status, i.resolution, i.owner_blocking, i.blocking, i.public_response, i.assignee_id,
				s.id as new_sample_id, s.content_hash as new_hash, s.metadata as new_metadata
			from ${issues} i
			left join ${samples} s on s.import_id = ${importId} and s.external_id = i.external_id
			where i.version_id = ${child.parentId} and i.kind = 'sample'
				and (${unresolvedIssue(i)} or i.resolution = 'regenerated')
			order by i.number`,
		tx,
	)
	const counts = { unchanged: 0, removed: 0, changed: 0 }
	for (const p of parentIssues) {
		const unresolved = p.status !== 'resolved'
		const kind = p.new_sample_id === null ? 'removed' : p.new_hash === p.content_hash ? 'unchanged' : 'changed'
		if (!unresolved && kind !== 'changed') continue
		const number = await nextNumber(tx, versionId)
		const base = { versionId, number, kind: 'sample' as const, externalId: p.external_id, lineageId: p.lineage_id, carriedFromId: p.id, triagedAt: new Date() }
		const values =
			kind === 'unchanged'
				? {
						...base,
						sampleId: p.new_sample_id,
						sampleMetadata: p.new_metadata,
						contentHash: p.content_hash,
						status: p.status,
						ownerBlocking: p.owner_blocking,
						blocking: p.blocking,
						publicResponse: p.public_response,
						assigneeId: p.assignee_id,
					}
				: kind === 'removed'
					? { ...base, sampleId: null, contentHash: p.content_hash, status: 'resolved' as const, resolution: 'removed' as const, blocking: p.blocking, publicResponse: p.public_response }
					: { ...base, sampleId: p.new_sample_id, sampleMetadata: p.new_metadata, contentHash: p.new_hash, status: 'open' as const, needsReReview: true, publicResponse: p.public_response }
		const [row] = await tx.insert(issues).values(values).returning({ id: issues.id })
		await tx.insert(issueEvents).values({ issueId: row!.id, kind: 'carried_over', after: { from: p.id, change: kind, version: child.label }, internal: false })
		// The samples the parent's issue was extended to follow it where the child kept them unchanged (issue #22).
		await carryOverIssueSamples(tx, { fromIssueId: p.id, toIssueId: row!.id, importId })
		if (kind === 'changed') await tx.insert(issueEvents).values({ issueId: row!.id, kind: 'needs_re_review', internal: false })
		await evaluateIssue(tx, row!.id, { created: true })
		counts[kind]++
		if (kind !== 'unchanged' && !alreadyTold.has(`${p.id}:${kind}`)) await notifyFlaggers(tx, row!.id, kind === 'removed' ? 'issue_removed' : 'issue_re_review')
	}
	return counts
}
