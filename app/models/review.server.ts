import { and, asc, eq, gt, lt, ne, sql } from 'drizzle-orm'
import { samples } from '#db/schema/datasets.ts'
import { flags, reviews } from '#db/schema/reviews.ts'
import { assignments } from '#db/schema/rounds.ts'
import { type FlagInput } from '#app/domain/review.ts'
import { db, type Tx } from '#app/utils/db.server.ts'
import { issuesOfFlags, reevaluate, syncSampleIssue, syncTemplateIssue } from './issue.server.ts'
import { sampleColumns } from './sample.server.ts'

/**
 * The sample at `externalId` in this participant's queue — authorization is the join on their
 * assignments: a sample outside their queue does not exist for them.
 */
export async function getAssignedSample({ participantId, externalId }: { participantId: string; externalId: string }) {
	const [row] = await db
		.select({ ...sampleColumns, position: assignments.position })
		.from(assignments)
		.innerJoin(samples, eq(samples.id, assignments.sampleId))
		.where(and(eq(assignments.participantId, participantId), eq(samples.externalId, externalId)))
	return row ?? null
}

/** Previous and next samples in the queue, and the next one still waiting for a verdict. */
export async function queueNeighbours(participantId: string, position: number) {
	const pick = (where: ReturnType<typeof and>, order: 'asc' | 'desc') =>
		db
			.select({ externalId: samples.externalId })
			.from(assignments)
			.innerJoin(samples, eq(samples.id, assignments.sampleId))
			.where(where)
			.orderBy(order === 'asc' ? asc(assignments.position) : sql`${assignments.position} desc`)
			.limit(1)
	const [prev] = await pick(and(eq(assignments.participantId, participantId), lt(assignments.position, position)), 'desc')
	const [next] = await pick(and(eq(assignments.participantId, participantId), gt(assignments.position, position)), 'asc')
	return { prev: prev?.externalId ?? null, next: next?.externalId ?? null }
}

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

export async function getOwnReview({ participantId, sampleId }: { participantId: string; sampleId: number }) {
	const [review] = await db
		.select({ id: reviews.id, verdict: reviews.verdict, skipReason: reviews.skipReason })
		.from(reviews)
		.where(and(eq(reviews.participantId, participantId), eq(reviews.sampleId, sampleId)))
	if (!review) return null
	const own = await db
		.select({ id: flags.id, category: flags.category, severity: flags.severity, affectedGroups: flags.affectedGroups, rationale: flags.rationale, suggestedRewrite: flags.suggestedRewrite, quotedSpan: flags.quotedSpan, unsure: flags.unsure })
		.from(flags)
		.where(eq(flags.reviewId, review.id))
		.orderBy(asc(flags.createdAt))
	return { ...review, flags: own }
}

/** Categories of other participants' flags on this sample in this round (no identities). */
export async function othersFlagCategories({ roundId, sampleId, participantId }: { roundId: string; sampleId: number; participantId: string }) {
	const rows = await db
		.select({ category: flags.category })
		.from(flags)
		.where(and(eq(flags.roundId, roundId), eq(flags.sampleId, sampleId), ne(flags.participantId, participantId)))
	return rows.map((r) => r.category!).filter(Boolean)
}

type Verdict = { kind: 'no_concerns' } | { kind: 'skipped'; reason: string } | { kind: 'flag'; flag: FlagInput }

/**
 * Records a verdict. "No concerns" and "skip" replace whatever the participant said before on the
 * sample; a flag is added to their flags on it. The assignment is marked done either way.
 */
export async function saveVerdict(input: { roundId: string; participantId: string; sampleId: number; verdict: Verdict }) {
	return db.transaction(async (tx) => {
		const verdict = input.verdict.kind === 'flag' ? 'flagged' : input.verdict.kind
		const skipReason = input.verdict.kind === 'skipped' ? input.verdict.reason : ''
		const [review] = await tx
			.insert(reviews)
			.values({ roundId: input.roundId, participantId: input.participantId, sampleId: input.sampleId, verdict, skipReason })
			.onConflictDoUpdate({
				target: [reviews.participantId, reviews.sampleId],
				set: { verdict, skipReason, revision: sql`${reviews.revision} + 1`, updatedAt: new Date() },
			})
			.returning({ id: reviews.id })
		if (input.verdict.kind === 'flag') {
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
		} else {
			const dropped = await tx.delete(flags).where(eq(flags.reviewId, review!.id)).returning({ issueId: flags.issueId })
			await reevaluate(tx, dropped.flatMap((d) => (d.issueId ? [d.issueId] : [])))
		}
		await tx
			.update(assignments)
			.set({ completedAt: new Date() })
			.where(and(eq(assignments.participantId, input.participantId), eq(assignments.sampleId, input.sampleId)))
		// Most verdicts are "no concerns" with nothing to re-evaluate; only a new flag needs its issue.
		if (input.verdict.kind === 'flag') await syncSampleIssue(tx, { roundId: input.roundId, sampleId: input.sampleId })
		return review!.id
	})
}

/** Takes back the participant's verdict (and flags) on a sample; it returns to their queue. */
export async function withdrawVerdict({ participantId, sampleId }: { participantId: string; sampleId: number }, executor?: Tx) {
	const run = async (tx: Tx) => {
		const touched = await issuesOfFlags(tx, and(eq(flags.participantId, participantId), eq(flags.sampleId, sampleId)))
		await tx.delete(reviews).where(and(eq(reviews.participantId, participantId), eq(reviews.sampleId, sampleId)))
		await tx.update(assignments).set({ completedAt: null }).where(and(eq(assignments.participantId, participantId), eq(assignments.sampleId, sampleId)))
		await reevaluate(tx, touched)
	}
	await (executor ? run(executor) : db.transaction(run))
}

/** Removes one of the participant's own flags; with none left the verdict itself is taken back. */
export async function withdrawFlag({ participantId, sampleId, flagId }: { participantId: string; sampleId: number; flagId: string }) {
	return db.transaction(async (tx) => {
		const removed = await tx.delete(flags).where(and(eq(flags.id, flagId), eq(flags.participantId, participantId), eq(flags.sampleId, sampleId))).returning({ reviewId: flags.reviewId, issueId: flags.issueId })
		if (!removed.length) return false
		const [left] = await tx.select({ n: sql<number>`count(*)::int` }).from(flags).where(eq(flags.reviewId, removed[0]!.reviewId!))
		if (!left?.n) await withdrawVerdict({ participantId, sampleId }, tx)
		await reevaluate(tx, removed[0]!.issueId ? [removed[0]!.issueId] : [])
		return true
	})
}

/** Template feedback is stored like sample flags, with the part of the provenance it is about. */
export async function addTemplateFeedback(input: { roundId: string; participantId: string; target: 'prompt_templates' | 'persona_definitions'; kind: 'flag' | 'comment'; category?: string; severity?: string; rationale: string; quotedSpan: string }) {
	await db.transaction(async (tx) => {
		await tx.insert(flags).values({
			roundId: input.roundId,
			participantId: input.participantId,
			templateTarget: input.target,
			kind: input.kind,
			category: (input.category ?? null) as (typeof flags.$inferInsert)['category'],
			severity: (input.severity ?? null) as (typeof flags.$inferInsert)['severity'],
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
	return db.transaction(async (tx) => {
		const rows = await tx
			.delete(flags)
			.where(and(eq(flags.id, id), eq(flags.roundId, roundId), eq(flags.participantId, participantId), sql`${flags.templateTarget} is not null`))
			.returning({ issueId: flags.issueId })
		await reevaluate(tx, rows.flatMap((r) => (r.issueId ? [r.issueId] : [])))
		return rows.length === 1
	})
}
