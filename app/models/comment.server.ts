import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import { type Stance } from '#app/domain/enums.ts'
import { users } from '#db/schema/accounts.ts'
import { useCases } from '#db/schema/datasets.ts'
import { commentRevisions, comments } from '#db/schema/reviews.ts'
import { participants, rounds } from '#db/schema/rounds.ts'
import { canReply, type CommentError } from '#app/domain/comment.ts'
import { attribute } from '#app/domain/pseudonymity.ts'
import { db, type Tx } from '#app/utils/db.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { recordAudit } from './audit.server.ts'
import { groupSizes } from './pseudonymity.server.ts'
import { syncCommentIssue } from './issue.server.ts'

/**
 * Who acts: a round participant (scoped to their round, shown by pseudonym) or a member of the
 * dataset team (sees every round's thread on the use case, writes as "Dataset team").
 */
export type CommentActor = { userId: string; datasetId: string } & ({ participantId: string; roundId: string } | { participantId: null; roundId?: undefined })

/** The comments an actor may see: on a use case of their dataset, and for a participant only their own round's. */
function scope(useCaseId: string, actor: CommentActor): SQL {
	const ofDataset = sql`exists (select 1 from ${useCases} u where u.id = ${comments.useCaseId} and u.dataset_id = ${actor.datasetId})`
	return and(eq(comments.useCaseId, useCaseId), ofDataset, actor.participantId ? eq(comments.roundId, actor.roundId) : undefined)!
}

/** Their own comments: written as this participant, or as the team by this team member. */
function ownedBy(actor: CommentActor): SQL {
	return and(eq(comments.authorId, actor.userId), actor.participantId ? eq(comments.participantId, actor.participantId) : eq(comments.fromTeam, true))!
}

const gone = sql`(${comments.hiddenAt} is not null or ${comments.deletedAt} is not null)`

/**
 * A use case's discussion, flat and oldest first. Authors come as role + number (+ expertise),
 * with a name only if they opted in; never an email or an account id. The body and stance of
 * hidden or deleted comments never leave the database.
 */
export async function listThread({ useCaseId, actor }: { useCaseId: string; actor: CommentActor }) {
	const rows = await db
		.select({
			id: comments.id,
			parentId: comments.parentId,
			depth: comments.depth,
			roundId: comments.roundId,
			roundTitle: rounds.title,
			fromTeam: comments.fromTeam,
			role: participants.role,
			number: participants.number,
			expertise: participants.expertise,
			name: sql<string | null>`case when ${participants.showName} then ${users.displayName} else null end`,
			stance: sql<Stance | null>`case when ${gone} then null else ${comments.stance} end`,
			body: sql<string | null>`case when ${gone} then null else ${comments.body} end`,
			revision: comments.revision,
			createdAt: comments.createdAt,
			editedAt: comments.editedAt,
			deleted: sql<boolean>`${comments.deletedAt} is not null`,
			hidden: sql<boolean>`${comments.hiddenAt} is not null`,
			hiddenReason: comments.hiddenReason,
			mine: sql<boolean>`coalesce(${ownedBy(actor)}, false)`,
		})
		.from(comments)
		.leftJoin(rounds, eq(rounds.id, comments.roundId))
		.leftJoin(participants, eq(participants.id, comments.participantId))
		.leftJoin(users, eq(users.id, participants.userId))
		.where(scope(useCaseId, actor))
		.orderBy(asc(comments.createdAt), asc(comments.id))
	const visible = rows.filter((r) => !r.deleted && !r.hidden && r.revision > 1).map((r) => r.id)
	const history = visible.length
		? await db
				.select({ commentId: commentRevisions.commentId, revision: commentRevisions.revision, stance: commentRevisions.stance, body: commentRevisions.body, createdAt: commentRevisions.createdAt })
				.from(commentRevisions)
				.where(inArray(commentRevisions.commentId, visible))
				.orderBy(asc(commentRevisions.revision))
		: []
	const earlier = new Map<string, Array<{ revision: number; stance: Stance | null; body: string; createdAt: string }>>()
	for (const h of history) {
		const list = earlier.get(h.commentId) ?? []
		list.push({ revision: h.revision, stance: h.stance, body: h.body, createdAt: h.createdAt.toISOString() })
		earlier.set(h.commentId, list)
	}
	// Authors as the reader may see them: no per-person pseudonym in a group below the threshold.
	const min = getEnv().PSEUDONYMITY_MIN_GROUP
	const sizes = await groupSizes(rows.map((r) => r.roundId ?? ''))
	return rows.map(({ role, number, expertise, name, roundId, createdAt, editedAt, ...r }) => ({
		...r,
		createdAt: createdAt.toISOString(),
		editedAt: editedAt?.toISOString() ?? null,
		author: role && number !== null && roundId ? attribute({ role, number, expertise: expertise ?? '', name, roundId }, sizes, min) : null,
		history: earlier.get(r.id) ?? [],
	}))
}

export type CommentOutcome = { ok: true; id: string } | { ok: false; error: CommentError }

/** A top-level comment (participants only) or a reply; a reply joins its parent's round. */
export async function addComment(input: { useCaseId: string; actor: CommentActor; stance?: Stance; body: string; parentId?: string }): Promise<CommentOutcome> {
	const { actor } = input
	let depth = 0
	let roundId = actor.roundId ?? null
	if (input.parentId) {
		const [parent] = await db
			.select({ depth: comments.depth, roundId: comments.roundId, gone: sql<boolean>`${gone}` })
			.from(comments)
			.where(and(eq(comments.id, input.parentId), scope(input.useCaseId, actor)))
		if (!parent) return { ok: false, error: 'not_found' }
		if (!canReply(parent.depth)) return { ok: false, error: 'too_deep' }
		if (parent.gone) return { ok: false, error: 'parent_unavailable' }
		depth = parent.depth + 1
		roundId = parent.roundId
	} else {
		// Only participants start threads; the use case must be their dataset's.
		if (!actor.participantId) return { ok: false, error: 'not_found' }
		const [useCase] = await db
			.select({ id: useCases.id })
			.from(useCases)
			.where(and(eq(useCases.id, input.useCaseId), eq(useCases.datasetId, actor.datasetId)))
		if (!useCase) return { ok: false, error: 'not_found' }
	}
	if (depth === 0 && !input.stance) return { ok: false, error: 'stance_required' }
	return db.transaction(async (tx) => {
		const [row] = await tx
			.insert(comments)
			.values({
				useCaseId: input.useCaseId,
				roundId,
				parentId: input.parentId ?? null,
				depth,
				authorId: actor.userId,
				participantId: actor.participantId,
				fromTeam: !actor.participantId,
				stance: input.stance ?? null,
				body: input.body,
			})
			.returning({ id: comments.id })
		// An "opposed" comment raises an issue on the round's version.
		if (depth === 0) await syncCommentIssue(tx, row!.id)
		return { ok: true, id: row!.id } as const
	})
}

/** The author changes their comment; the version it replaces is kept as a revision. */
export async function editComment(input: { useCaseId: string; commentId: string; actor: CommentActor; stance?: Stance; body: string }): Promise<CommentOutcome> {
	return db.transaction(async (tx) => {
		const [current] = await tx
			.select({ depth: comments.depth, stance: comments.stance, body: comments.body, revision: comments.revision, gone: sql<boolean>`${gone}` })
			.from(comments)
			.where(and(eq(comments.id, input.commentId), scope(input.useCaseId, input.actor), ownedBy(input.actor)))
			.for('update')
		if (!current) return { ok: false, error: 'not_found' } as const
		if (current.gone) return { ok: false, error: 'not_editable' } as const
		if (current.depth === 0 && !input.stance) return { ok: false, error: 'stance_required' } as const
		const stance = input.stance ?? null
		if (current.body === input.body && current.stance === stance) return { ok: true, id: input.commentId } as const
		await tx.insert(commentRevisions).values({ commentId: input.commentId, revision: current.revision, stance: current.stance, body: current.body })
		await tx
			.update(comments)
			.set({ body: input.body, stance, revision: current.revision + 1, editedAt: new Date() })
			.where(eq(comments.id, input.commentId))
		if (current.depth === 0) await syncCommentIssue(tx, input.commentId)
		return { ok: true, id: input.commentId } as const
	})
}

/**
 * The author removes their words (body and earlier versions); the comment stays as "deleted by
 * its author" so replies keep their place. A hidden comment stays as it is, for the audit.
 */
export async function deleteComment(input: { useCaseId: string; commentId: string; actor: CommentActor }): Promise<boolean> {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.update(comments)
			.set({ deletedAt: new Date(), body: '' })
			.where(and(eq(comments.id, input.commentId), scope(input.useCaseId, input.actor), ownedBy(input.actor), isNull(comments.deletedAt), isNull(comments.hiddenAt)))
			.returning({ id: comments.id })
		if (!row) return false
		await tx.delete(commentRevisions).where(eq(commentRevisions.commentId, row.id))
		await syncCommentIssue(tx, row.id)
		return true
	})
}

/**
 * The team hides an abusive comment with a reason everyone sees; the body stays in the database.
 * The audit entry names the use case, not the comment's author or words.
 */
export async function hideComment(input: { useCaseId: string; commentId: string; datasetId: string; userId: string; reason: string }): Promise<boolean> {
	const team: CommentActor = { userId: input.userId, datasetId: input.datasetId, participantId: null }
	return db.transaction(async (tx) => {
		const [row] = await tx
			.update(comments)
			.set({ hiddenAt: new Date(), hiddenReason: input.reason, hiddenBy: input.userId })
			.where(and(eq(comments.id, input.commentId), scope(input.useCaseId, team), isNull(comments.hiddenAt), isNull(comments.deletedAt)))
			.returning({ id: comments.id })
		if (!row) return false
		const [useCase] = await tx.select({ title: useCases.title }).from(useCases).where(eq(useCases.id, input.useCaseId))
		await recordAudit(
			{
				datasetId: input.datasetId,
				actorId: input.userId,
				action: 'comment.hidden',
				targetType: 'comment',
				targetId: row.id,
				targetLabel: useCase?.title ?? '',
				before: { hidden: false },
				after: { hidden: true },
				reason: input.reason,
			},
			tx,
		)
		return true
	})
}

/** A participant leaving with "delete my feedback": every comment they wrote in the round loses its words. */
export async function eraseParticipantComments(participantId: string, tx: Tx) {
	const erased = await tx
		.update(comments)
		.set({ deletedAt: new Date(), body: '' })
		.where(and(eq(comments.participantId, participantId), isNull(comments.deletedAt)))
		.returning({ id: comments.id })
	for (const { id } of erased) {
		await tx.delete(commentRevisions).where(eq(commentRevisions.commentId, id))
		await syncCommentIssue(tx, id)
	}
}
