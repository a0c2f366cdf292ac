import { z } from 'zod'
import { stances } from '#app/domain/enums.ts'

export const MAX_COMMENT_LENGTH = 5000
/** Top-level comments are depth 0; replies go two levels deep, so a depth-2 comment takes no replies. */
export const MAX_DEPTH = 2

export function canReply(depth: number): boolean {
	return Number.isInteger(depth) && depth >= 0 && depth < MAX_DEPTH
}

const body = z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(MAX_COMMENT_LENGTH, { error: 'discussion:errors.bodyTooLong' })
const stance = z.enum(stances, { error: 'validation.invalidChoice' }).optional()
const commentId = z.uuid({ error: 'discussion:errors.notFound' })

/** A new comment: a top-level one needs a stance, a reply may have one. */
export const CommentSchema = z.object({ intent: z.literal('comment'), stance, body, parentId: z.uuid({ error: 'discussion:errors.notFound' }).optional() }).superRefine((v, ctx) => {
	if (!v.parentId && !v.stance) ctx.addIssue({ code: 'custom', path: ['stance'], message: 'discussion:errors.stanceRequired' })
})

/** Whether the stance is required depends on the comment's depth, which the model checks. */
export const EditCommentSchema = z.object({ intent: z.literal('edit'), commentId, stance, body })

export const DeleteSchema = z.object({ intent: z.literal('delete'), commentId })

export const HideSchema = z.object({
	intent: z.literal('hide'),
	commentId,
	reason: z.string({ error: 'validation.required' }).trim().min(3, { error: 'discussion:errors.reasonLength' }).max(500, { error: 'discussion:errors.reasonLength' }),
})

/**
 * The id of the form a submission came from, so the page shows errors on that form alone
 * (and opens its disclosure when JavaScript is off).
 */
export function commentFormId(intent: string, id?: string | null): string {
	if (intent === 'comment') return id ? `reply-${id}` : 'new-comment'
	return `${intent}-${id ?? ''}`
}

export function formIdOf(formData: FormData): string {
	const intent = String(formData.get('intent') ?? '')
	const id = formData.get(intent === 'comment' ? 'parentId' : 'commentId')
	return commentFormId(intent, typeof id === 'string' && id ? id : null)
}

/** Why the model refused a comment action, and the message a form shows for it. */
export const commentErrors = {
	not_found: 'discussion:errors.notFound',
	too_deep: 'discussion:errors.tooDeep',
	stance_required: 'discussion:errors.stanceRequired',
	parent_unavailable: 'discussion:errors.parentUnavailable',
	not_editable: 'discussion:errors.notEditable',
} as const
export type CommentError = keyof typeof commentErrors

export type Threaded<T> = T & { replies: Array<Threaded<T>> }

/**
 * Nests a flat list (in display order) into threads. A reply whose parent is missing from the
 * list is shown at the top level rather than silently dropped.
 */
export function buildThread<T extends { id: string; parentId: string | null }>(rows: readonly T[]): Array<Threaded<T>> {
	const nodes = new Map<string, Threaded<T>>()
	for (const row of rows) nodes.set(row.id, { ...row, replies: [] })
	const roots: Array<Threaded<T>> = []
	for (const row of rows) {
		const node = nodes.get(row.id)!
		const parent = row.parentId && row.parentId !== row.id ? nodes.get(row.parentId) : undefined
		if (parent) parent.replies.push(node)
		else roots.push(node)
	}
	return roots
}
