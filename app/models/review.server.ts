import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm'
import { type FlagCategory, type Severity, type TemplateTarget } from '#app/domain/enums.ts'
import { imports, samples } from '#db/schema/datasets.ts'
import { flags, reviews, verdictKeys } from '#db/schema/reviews.ts'
import { assignments, participants, rounds } from '#db/schema/rounds.ts'
import { canGiveVerdict, type FlagInput, verdictRoundStatuses } from '#app/domain/review.ts'
import { db, query, queryPrepared, type Tx } from '#app/utils/db.server.ts'
import { isUuid } from '#app/utils/misc.ts'
import { issuesOfFlags, reevaluate, syncSampleIssue, syncTemplateIssue } from './issue.server.ts'

type Category = NonNullable<(typeof flags.$inferSelect)['category']>
type TargetRow = {
	participant_id: string
	consented: boolean
	withdrawn: boolean
	warn_each_time: boolean
	round_id: string
	title: string
	status: (typeof rounds.$inferSelect)['status']
	content_warning: string
	blind_review: boolean
	sample_id: string | number | null
	position: number | null
}

/**
 * The participant (by round and user), their round, and the sample at `externalId` if it is in
 * their queue, in one statement: the focus view's guard and its verdict form both start here.
 */
const targetSql = ({ roundId, userId, externalId }: { roundId: string; userId: string | SQL; externalId: string }) => sql`
	select p.id as participant_id, p.consented_at is not null as consented, p.withdrawn_at is not null as withdrawn, p.warn_each_time,
		r.id as round_id, r.title, r.status, r.content_warning, r.blind_review, t.sample_id, t.position
	from ${participants} p
	join ${rounds} r on r.id = p.round_id
	left join lateral (
		-- By external id within the round's version (its imports' unique keys), then this queue's
		-- primary key: two index probes, however long the queue.
		select a.sample_id, a.position from ${imports} i
		join ${samples} s on s.import_id = i.id and s.external_id = ${externalId}
		join ${assignments} a on a.participant_id = p.id and a.sample_id = s.id
		where i.version_id = r.version_id
	) t on true
	where p.round_id = ${roundId} and p.user_id = ${userId}`

export type ReviewTarget = ReturnType<typeof toTarget>

const toTarget = (row: TargetRow) => ({
	participant: { id: row.participant_id, consented: row.consented, withdrawn: row.withdrawn, warnEachTime: row.warn_each_time },
	round: { id: row.round_id, title: row.title, status: row.status, contentWarning: row.content_warning, blindReview: row.blind_review },
	assignment: row.sample_id === null ? null : { sampleId: Number(row.sample_id), position: row.position! },
})

/** A scalar subquery over the target row `b`: the first sample of the participant's queue where `where` holds, in `order`. */
const queue = (where: SQL, order: 'asc' | 'desc') => sql`(
	select qs.external_id from ${assignments} q join ${samples} qs on qs.id = q.sample_id
	where q.participant_id = b.participant_id and ${where} order by q.position ${sql.raw(order)} limit 1)`

/** What a verdict needs: participant, round and the assigned sample (null: not this person's). */
export async function getReviewTarget(input: { roundId: string; userId: string; externalId: string }) {
	const [row] = await queryPrepared<TargetRow>(targetSql(input))
	return row ? toTarget(row) : null
}

type OwnFlag = {
	id: string
	category: Category
	severity: (typeof flags.$inferSelect)['severity']
	affectedGroups: string[]
	rationale: string
	suggestedRewrite: string
	quotedSpan: string
	unsure: boolean
}
type FocusRow = TargetRow & {
	external_id: string | null
	content: string | null
	messages: (typeof samples.$inferSelect)['messages']
	image_url: string | null
	image_alt: string | null
	language: string | null
	metadata: Record<string, unknown> | null
	own: { id: string; verdict: (typeof reviews.$inferSelect)['verdict']; skipReason: string; flags: OwnFlag[] | null } | null
	others: Category[] | null
	prev: string | null
	next: string | null
	next_pending: string | null
	total: number
	pending: number
}

/**
 * Everything the focus view shows, in one round trip: the guard's rows (as getReviewTarget), the
 * sample, the participant's own verdict and flags, other participants' flag categories, the
 * neighbours in the queue, the next sample still waiting and progress. Each part is an index
 * lookup on this participant's queue or this sample (tests/integration/query-plans.test.ts).
 */
export async function getFocusView(input: { roundId: string; userId: string; externalId: string }) {
	const [row] = await queryPrepared<FocusRow>(sql`
		with b as (${targetSql(input)})
		select b.*, s.external_id, s.content, s.messages, s.image_url, s.image_alt, s.language, s.metadata,
			(select json_build_object('id', rv.id, 'verdict', rv.verdict, 'skipReason', rv.skip_reason, 'flags', (
				select json_agg(json_build_object('id', f.id, 'category', f.category, 'severity', f.severity, 'affectedGroups', f.affected_groups,
					'rationale', f.rationale, 'suggestedRewrite', f.suggested_rewrite, 'quotedSpan', f.quoted_span, 'unsure', f.unsure) order by f.created_at)
				from ${flags} f where f.review_id = rv.id))
				from ${reviews} rv where rv.participant_id = b.participant_id and rv.sample_id = b.sample_id) as own,
			(select json_agg(o.category) from ${flags} o
				where o.round_id = b.round_id and o.sample_id = b.sample_id and o.participant_id <> b.participant_id and o.category is not null) as others,
			${queue(sql`q.position < b.position`, 'desc')} as prev,
			${queue(sql`q.position > b.position`, 'asc')} as next,
			coalesce(${queue(sql`q.completed_at is null and q.position > b.position`, 'asc')}, ${queue(sql`q.completed_at is null`, 'asc')}) as next_pending,
			(select count(*)::int from ${assignments} c where c.participant_id = b.participant_id) as total,
			(select count(*)::int from ${assignments} c where c.participant_id = b.participant_id and c.completed_at is null) as pending
		from b left join ${samples} s on s.id = b.sample_id`)
	if (!row) return null
	const target = toTarget(row)
	const sample =
		target.assignment && row.external_id !== null
			? {
					id: target.assignment.sampleId,
					externalId: row.external_id,
					content: row.content,
					messages: row.messages,
					imageUrl: row.image_url,
					imageAlt: row.image_alt,
					language: row.language,
					metadata: row.metadata ?? {},
					position: target.assignment.position,
				}
			: null
	return {
		...target,
		sample,
		own: row.own ? { ...row.own, flags: row.own.flags ?? [] } : null,
		othersCategories: row.others ?? [],
		neighbours: { prev: row.prev, next: row.next },
		nextPending: row.next_pending,
		progress: { done: row.total - row.pending, total: row.total },
	}
}

export type QueuedSample = {
	externalId: string
	position: number
	content: string | null
	messages: (typeof samples.$inferSelect)['messages']
	imageUrl: string | null
	imageAlt: string | null
	language: string | null
	metadata: Record<string, unknown>
	others: Category[]
}

/**
 * The focus view's local queue (with JavaScript): up to `n` samples still waiting in the
 * participant's queue, those after position `after` first, then from the start (as nextPending),
 * leaving out the external ids the page already holds (`have`). Two probes of the partial index
 * of waiting assignments, then the samples by primary key. `withOthers`: other participants'
 * flag categories too (rounds without blind review show them before one's own verdict).
 */
export async function reviewQueue(input: { participantId: string; roundId: string; after: number; have: readonly string[]; n: number; withOthers: boolean }): Promise<QueuedSample[]> {
	if (input.n <= 0) return []
	const rows = await queryPrepared<QueueRow>(waitingSamplesSql({ ...input, withOthers: input.withOthers ? sql`true` : sql`false` }))
	return toQueue(rows, input.n)
}

type QueueRow = {
	external_id: string
	position: number
	content: string | null
	messages: QueuedSample['messages']
	image_url: string | null
	image_alt: string | null
	language: string | null
	metadata: Record<string, unknown> | null
	others: Category[] | null
}

/**
 * reviewQueue's statement (also a subquery of quickSync's): the participant's waiting samples,
 * those after `after` first, leaving out `have`; at most `n + have.length` rows, cut to `n` by
 * toQueue. The participant and round may be values or scalar subqueries of an enclosing statement.
 */
const waitingSamplesSql = (input: { participantId: string | SQL; roundId: string | SQL; after: number; have: readonly string[]; n: number; withOthers: SQL }) => {
	const m = input.n + input.have.length
	const waiting = (where: SQL) =>
		sql`(select a.sample_id, a.position from ${assignments} a where a.participant_id = ${input.participantId} and a.completed_at is null and ${where} order by a.position limit ${m})`
	return sql`
		select s.external_id, w.position, s.content, s.messages, s.image_url, s.image_alt, s.language, s.metadata,
			case when ${input.withOthers} then (select json_agg(o.category) from ${flags} o
				where o.round_id = ${input.roundId} and o.sample_id = s.id and o.participant_id <> ${input.participantId} and o.category is not null) end as others
		from (${waiting(sql`a.position > ${input.after}`)} union all ${waiting(sql`a.position <= ${input.after}`)}) w
		join ${samples} s on s.id = w.sample_id
		where s.external_id not in (select jsonb_array_elements_text(${JSON.stringify(input.have)}::jsonb))
		order by w.position <= ${input.after}, w.position`
}

const toQueue = (rows: QueueRow[], n: number): QueuedSample[] =>
	rows.slice(0, n).map((r) => ({
		externalId: r.external_id,
		position: r.position,
		content: r.content,
		messages: r.messages,
		imageUrl: r.image_url,
		imageAlt: r.image_alt,
		language: r.language,
		metadata: r.metadata ?? {},
		others: r.others ?? [],
	}))

export async function nextPending(participantId: string, after?: number): Promise<string | null> {
	const base = and(eq(assignments.participantId, participantId), sql`${assignments.completedAt} is null`)
	const query = (where: ReturnType<typeof and>) =>
		db.select({ externalId: samples.externalId }).from(assignments).innerJoin(samples, eq(samples.id, assignments.sampleId)).where(where).orderBy(asc(assignments.position)).limit(1)
	// The next one after this sample first, then wrap around to anything skipped earlier.
	const [later] = after === undefined ? [] : await query(and(base, gt(assignments.position, after)))
	if (later) return later.externalId
	const [any] = await query(base)
	return any?.externalId ?? null
}

type Verdict = { kind: 'no_concerns' } | { kind: 'skipped'; reason: string } | { kind: 'flag'; flag: FlagInput }

type VerdictTarget = { roundId: string; participantId: string; sampleId: number }
/** Where a verdict goes: values, or scalar subqueries over a CTE of the same statement. */
type VerdictRef = { [K in keyof VerdictTarget]: VerdictTarget[K] | SQL }

/** A CTE body: the participant's verdict on the sample, replacing what they said before (when `onlyIf` holds), returning its id. */
const upsertReview = (t: VerdictRef, verdict: string, skipReason: string, onlyIf: SQL = sql`true`) => sql`
	insert into ${reviews} (round_id, participant_id, sample_id, verdict, skip_reason)
	select ${t.roundId}::uuid, ${t.participantId}::uuid, ${t.sampleId}::bigint, ${verdict}::text, ${skipReason}::text where ${onlyIf}
	on conflict (participant_id, sample_id) do update
		set verdict = excluded.verdict, skip_reason = excluded.skip_reason, revision = ${reviews}.revision + 1, updated_at = now()
	returning id`

/** A CTE body: the sample is done in the participant's queue (when `onlyIf` holds). */
const completeAssignment = (t: VerdictRef, onlyIf: SQL = sql`true`) =>
	sql`update ${assignments} set completed_at = now() where participant_id = ${t.participantId} and sample_id = ${t.sampleId} and ${onlyIf}`

export type QuickVerdict = { kind: 'no_concerns' } | { kind: 'skipped'; reason: string }

/**
 * The review loop's POST in one prepared statement: the verdict's guard (as getReviewTarget), the
 * verdict when the guard lets it through (consented, not withdrawn, the sample in their queue,
 * the round taking verdicts) and nothing earlier on the sample had flags, and the next sample
 * still waiting. `reviewId` null: nothing was written; the caller answers from `target` (404,
 * consent, closed) or, when all of that holds, records the verdict with saveVerdict.
 */
export async function quickVerdict(input: { roundId: string; userId: string; externalId: string; verdict: QuickVerdict; key?: string }) {
	const [row] = await queryPrepared<TargetRow & { review_id: string | null; had_flags: boolean; next_pending: string | null }>(sql`
		${verdictCtes(input)}
		select b.*, (select id from rv) as review_id, exists (select 1 from had_flags) as had_flags,
			-- The statement sees the queue as it was before it: this sample still counts as waiting.
			coalesce(${queue(sql`q.completed_at is null and q.position > b.position`, 'asc')},
				${queue(sql`q.completed_at is null and q.position <> b.position`, 'asc')}) as next_pending
		from b`)
	const target = row ? toTarget(row) : null
	return { target, reviewId: row?.review_id ?? null, replayed: wasReplayed(input.key, target, row), nextPending: row?.next_pending ?? null }
}

/**
 * quickVerdict's CTEs, shared with quickSync: `b` the target, `ok` the target when a verdict may
 * be given, `had_flags`, `claim` (with a key), `rv` the review written, `done` the assignment.
 * An earlier verdict with flags is left to saveVerdict: dropping them re-evaluates their issues.
 */
function verdictCtes(input: { roundId: string; userId: string | SQL; externalId: string; verdict: QuickVerdict; key?: string }) {
	const skipReason = input.verdict.kind === 'skipped' ? input.verdict.reason : ''
	const fromOk = { roundId: sql`(select round_id from ok)`, participantId: sql`(select participant_id from ok)`, sampleId: sql`(select sample_id from ok)` }
	const open = sql.join(
		verdictRoundStatuses.map((s) => sql`${s}`),
		sql`, `,
	)
	return sql`
		with b as (${targetSql(input)}),
		ok as (select round_id, participant_id, sample_id from b where consented and not withdrawn and sample_id is not null and status in (${open})),
		had_flags as (
			select 1 from ${flags} f join ${reviews} r on r.id = f.review_id join ok on r.participant_id = ok.participant_id and r.sample_id = ok.sample_id limit 1
		),
		${
			input.key === undefined
				? sql`rv as (${upsertReview(fromOk, input.verdict.kind, skipReason, sql`exists (select 1 from ok) and not exists (select 1 from had_flags)`)}),`
				: // Sent from the local queue with an idempotency key: the verdict is recorded only by the statement that claims its key.
					sql`claim as (
			insert into ${verdictKeys} (participant_id, key) select participant_id, ${input.key}::text from ok where not exists (select 1 from had_flags)
			on conflict do nothing returning 1),
		rv as (${upsertReview(fromOk, input.verdict.kind, skipReason, sql`exists (select 1 from claim)`)}),`
		}
		done as (${completeAssignment(fromOk, sql`exists (select 1 from rv)`)})`
}

/**
 * Why a verdict on the target cannot be recorded now — the reviewer has withdrawn (or not
 * consented), the round takes no verdicts, the sample is not in their queue — or null when it can.
 */
export function verdictRefusal(target: ReviewTarget): 'reviewer_gone' | 'closed' | 'sample_gone' | null {
	if (!target.participant.consented || target.participant.withdrawn) return 'reviewer_gone'
	if (!canGiveVerdict(target.round.status)) return 'closed'
	if (!target.assignment) return 'sample_gone'
	return null
}

/** With a key: the guard passed, nothing earlier had flags, and still nothing was recorded — the key was used before. */
function wasReplayed(key: string | undefined, target: ReviewTarget | null, row: { review_id: string | null; had_flags: boolean } | undefined) {
	return key !== undefined && !!target && !!row && !row.review_id && !row.had_flags && verdictRefusal(target) === null
}

/**
 * The local queue's common exchange — one "no concerns" or "skip" with its key, and a refill — in
 * one prepared statement (decision 058): the session's user (`user`: a scalar subquery that finds
 * none when the session is not valid as it stands), the verdict as quickVerdict records it, and up
 * to `want` of the participant's waiting samples for the page, as reviewQueue reads them. The
 * statement sees the queue as it was before it, so the judged sample is left out by name.
 * `signedIn` false or `target` null: nothing was written, and the caller takes the long way.
 */
export async function quickSync(input: { roundId: string; user: SQL; externalId: string; verdict: QuickVerdict; key: string; refill: { have: readonly string[]; want: number; after: number } }) {
	const { want, after } = input.refill
	const have = [...new Set([...input.refill.have, input.externalId])]
	const participant = sql`(select participant_id from b)`
	const [row] = await queryPrepared<Partial<TargetRow> & { signed_in: boolean; review_id: string | null; had_flags: boolean; queue: QueueRow[] | null }>(sql`
		${verdictCtes({ ...input, userId: sql`(${input.user})` })}
		select exists (${input.user}) as signed_in, b.*, (select id from rv) as review_id, exists (select 1 from had_flags) as had_flags,
			case when ${want}::int > 0 then (select json_agg(q) from (${waitingSamplesSql({ participantId: participant, roundId: sql`(select round_id from b)`, after, have, n: want, withOthers: sql`not (select blind_review from b)` })}) q) end as queue
		from (select 1) one left join b on true`)
	const target = row?.participant_id ? toTarget(row as TargetRow) : null
	return {
		signedIn: !!row?.signed_in,
		target,
		reviewId: row?.review_id ?? null,
		replayed: wasReplayed(input.key, target, row),
		// In reviewQueue's order: after `after` first, then from the start.
		queue: toQueue(
			(row?.queue ?? []).sort((x, y) => Number(x.position <= after) - Number(y.position <= after) || x.position - y.position),
			want,
		),
	}
}

/**
 * Records a verdict. "No concerns" and "skip" replace whatever the participant said before on the
 * sample; a flag is added to their flags on it. The assignment is marked done either way.
 * Returns the review's id, or null when `key` was given and had been used already (nothing written).
 */
export async function saveVerdict(input: VerdictTarget & { verdict: Verdict; key?: string }): Promise<string | null> {
	const verdict = input.verdict.kind === 'flag' ? 'flagged' : input.verdict.kind
	const skipReason = input.verdict.kind === 'skipped' ? input.verdict.reason : ''
	return db.transaction(async (tx) => {
		// With an idempotency key (the local queue): recorded only by the transaction that claims it; null when it was used before.
		if (input.key !== undefined) {
			const claimed = await tx.insert(verdictKeys).values({ participantId: input.participantId, key: input.key }).onConflictDoNothing().returning({ key: verdictKeys.key })
			if (!claimed.length) return null
		}
		if (input.verdict.kind !== 'flag') {
			// One statement (the review loop's common case, without earlier flags, is quickVerdict): the
			// verdict replaces what was said before, the flags it had go (their issues are re-evaluated),
			// the assignment is done.
			const [row] = await query<{ id: string; issues: string[] | null }>(
				sql`with rv as (${upsertReview(input, verdict, skipReason)}),
					dropped as (delete from ${flags} where review_id in (select id from rv) returning issue_id),
					done as (${completeAssignment(input)})
					select (select id from rv) as id, (select json_agg(issue_id) from dropped where issue_id is not null) as issues`,
				tx,
			)
			await reevaluate(tx, row!.issues ?? [])
			return row!.id
		}
		const [review] = await tx
			.insert(reviews)
			.values({ roundId: input.roundId, participantId: input.participantId, sampleId: input.sampleId, verdict, skipReason })
			.onConflictDoUpdate({
				target: [reviews.participantId, reviews.sampleId],
				set: { verdict, skipReason, revision: sql`${reviews.revision} + 1`, updatedAt: new Date() },
			})
			.returning({ id: reviews.id })
		const f = input.verdict.flag
		await tx.insert(flags).values({
			reviewId: review!.id,
			roundId: input.roundId,
			participantId: input.participantId,
			sampleId: input.sampleId,
			category: f.category,
			severity: f.severity,
			affectedGroups: f.affectedGroups,
			rationale: f.rationale,
			suggestedRewrite: f.suggestedRewrite,
			quotedSpan: f.quotedSpan,
			unsure: f.unsure,
		})
		await tx
			.update(assignments)
			.set({ completedAt: new Date() })
			.where(and(eq(assignments.participantId, input.participantId), eq(assignments.sampleId, input.sampleId)))
		await syncSampleIssue(tx, { roundId: input.roundId, sampleId: input.sampleId })
		return review!.id
	})
}

/** Takes back the participant's verdict (and flags) on a sample; it returns to their queue. */
export async function withdrawVerdict({ participantId, sampleId }: { participantId: string; sampleId: number }, executor?: Tx) {
	const run = async (tx: Tx) => {
		const touched = await issuesOfFlags(tx, and(eq(flags.participantId, participantId), eq(flags.sampleId, sampleId)))
		await tx.delete(reviews).where(and(eq(reviews.participantId, participantId), eq(reviews.sampleId, sampleId)))
		await tx
			.update(assignments)
			.set({ completedAt: null })
			.where(and(eq(assignments.participantId, participantId), eq(assignments.sampleId, sampleId)))
		await reevaluate(tx, touched)
	}
	await (executor ? run(executor) : db.transaction(run))
}

/** Removes one of the participant's own flags; with none left the verdict itself is taken back. */
export async function withdrawFlag({ participantId, sampleId, flagId }: { participantId: string; sampleId: number; flagId: string }) {
	if (!isUuid(flagId)) return false
	return db.transaction(async (tx) => {
		const removed = await tx
			.delete(flags)
			.where(and(eq(flags.id, flagId), eq(flags.participantId, participantId), eq(flags.sampleId, sampleId)))
			.returning({ reviewId: flags.reviewId, issueId: flags.issueId })
		if (!removed.length) return false
		const [left] = await tx
			.select({ n: sql<number>`count(*)::int` })
			.from(flags)
			.where(eq(flags.reviewId, removed[0]!.reviewId!))
		if (!left?.n) await withdrawVerdict({ participantId, sampleId }, tx)
		await reevaluate(tx, removed[0]!.issueId ? [removed[0]!.issueId] : [])
		return true
	})
}

/** Template feedback is stored like sample flags, with the part of the provenance it is about. */
export async function addTemplateFeedback(input: {
	roundId: string
	participantId: string
	target: TemplateTarget
	kind: 'flag' | 'comment'
	category?: FlagCategory
	severity?: Severity
	rationale: string
	quotedSpan: string
}) {
	await db.transaction(async (tx) => {
		await tx.insert(flags).values({
			roundId: input.roundId,
			participantId: input.participantId,
			templateTarget: input.target,
			kind: input.kind,
			category: input.category ?? null,
			severity: input.severity ?? null,
			rationale: input.rationale,
			quotedSpan: input.quotedSpan,
		})
		await syncTemplateIssue(tx, { roundId: input.roundId, target: input.target })
	})
}

export async function listOwnTemplateFeedback({ roundId, participantId }: { roundId: string; participantId: string }) {
	return db
		.select({ id: flags.id, target: flags.templateTarget, kind: flags.kind, category: flags.category, severity: flags.severity, rationale: flags.rationale, quotedSpan: flags.quotedSpan })
		.from(flags)
		.where(and(eq(flags.roundId, roundId), eq(flags.participantId, participantId), sql`${flags.templateTarget} is not null`))
		.orderBy(asc(flags.createdAt))
}

export async function deleteTemplateFeedback({ roundId, participantId, id }: { roundId: string; participantId: string; id: string }) {
	if (!isUuid(id)) return false
	return db.transaction(async (tx) => {
		const rows = await tx
			.delete(flags)
			.where(and(eq(flags.id, id), eq(flags.roundId, roundId), eq(flags.participantId, participantId), sql`${flags.templateTarget} is not null`))
			.returning({ issueId: flags.issueId })
		await reevaluate(
			tx,
			rows.flatMap((r) => (r.issueId ? [r.issueId] : [])),
		)
		return rows.length === 1
	})
}

/** Where a returning reviewer stands: the samples they skipped (how many, and the first in queue order). */
export async function skippedSamples(participantId: string) {
	const [row] = await query<{ count: number; first: string | null }>(sql`
		select count(*)::int as count,
			(array_agg(s.external_id order by a.position))[1] as first
		from ${reviews} r
		join ${assignments} a on a.participant_id = r.participant_id and a.sample_id = r.sample_id
		join ${samples} s on s.id = r.sample_id
		where r.participant_id = ${participantId} and r.verdict = 'skipped'`)
	return { count: row?.count ?? 0, first: row?.first ?? null }
}
