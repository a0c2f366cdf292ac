import { parseWithZod } from '@conform-to/zod/v4'
import { describe, expect, test } from 'vitest'
import { buildThread, canReply, CommentSchema, commentFormId, DeleteSchema, EditCommentSchema, formIdOf, HideSchema, MAX_COMMENT_LENGTH } from '#app/domain/comment.ts'

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

function form(fields: Record<string, string>) {
	const data = new FormData()
	for (const [k, v] of Object.entries(fields)) data.set(k, v)
	return data
}

describe('canReply', () => {
	test('top-level comments and first replies take replies; second-level replies do not', () => {
		expect([0, 1, 2, 3].map(canReply)).toEqual([true, true, false, false])
	})
	test('nonsense depths take no replies', () => {
		expect([-1, 0.5, Number.NaN].map(canReply)).toEqual([false, false, false])
	})
})

describe('buildThread', () => {
	test('nests replies under their parents, keeping the order given', () => {
		const rows = [
			{ id: 'a', parentId: null },
			{ id: 'b', parentId: null },
			{ id: 'a1', parentId: 'a' },
			{ id: 'a1x', parentId: 'a1' },
			{ id: 'a2', parentId: 'a' },
			{ id: 'b1', parentId: 'b' },
		]
		const threads = buildThread(rows)
		expect(threads.map((t) => t.id)).toEqual(['a', 'b'])
		expect(threads[0]!.replies.map((r) => r.id)).toEqual(['a1', 'a2'])
		expect(threads[0]!.replies[0]!.replies.map((r) => r.id)).toEqual(['a1x'])
		expect(threads[1]!.replies.map((r) => r.id)).toEqual(['b1'])
	})

	test('a reply listed before its parent still lands under it', () => {
		const threads = buildThread([
			{ id: 'r', parentId: 'p' },
			{ id: 'p', parentId: null },
		])
		expect(threads).toHaveLength(1)
		expect(threads[0]!.replies.map((r) => r.id)).toEqual(['r'])
	})

	test('a reply whose parent is missing is shown at the top level, not dropped', () => {
		const threads = buildThread([{ id: 'x', parentId: 'gone' }])
		expect(threads.map((t) => t.id)).toEqual(['x'])
	})

	test('keeps every field and does not change its input', () => {
		const rows = [
			{ id: 'a', parentId: null, body: 'hi' },
			{ id: 'b', parentId: 'a', body: 'yo' },
		]
		const threads = buildThread(rows)
		expect(threads[0]).toMatchObject({ body: 'hi', replies: [{ id: 'b', body: 'yo', replies: [] }] })
		expect(rows[0]).not.toHaveProperty('replies')
		expect(buildThread([])).toEqual([])
	})
})

describe('CommentSchema', () => {
	const parse = (fields: Record<string, string>) => parseWithZod(form(fields), { schema: CommentSchema })

	test('a top-level comment needs a stance', () => {
		const missing = parse({ intent: 'comment', body: 'Fine by me' })
		expect(missing.status).toBe('error')
		expect(missing.reply().error).toMatchObject({ stance: ['discussion:errors.stanceRequired'] })
		for (const stance of ['supportive', 'concerned', 'opposed', 'question']) {
			expect(parse({ intent: 'comment', body: 'x', stance }).status).toBe('success')
		}
		expect(parse({ intent: 'comment', body: 'x', stance: 'angry' }).status).toBe('error')
	})

	test('a reply may leave the stance out', () => {
		const reply = parse({ intent: 'comment', body: ' Agreed ', parentId: id(1), stance: '' })
		expect(reply.status).toBe('success')
		expect(reply.status === 'success' && reply.value).toEqual({ intent: 'comment', body: 'Agreed', parentId: id(1) })
		expect(parse({ intent: 'comment', body: 'x', parentId: 'not-a-uuid' }).status).toBe('error')
	})

	test('the body is required, trimmed and at most 5,000 characters', () => {
		expect(parse({ intent: 'comment', stance: 'question', body: '   ' }).reply().error).toMatchObject({ body: ['validation.required'] })
		expect(parse({ intent: 'comment', stance: 'question', body: 'x'.repeat(MAX_COMMENT_LENGTH) }).status).toBe('success')
		expect(parse({ intent: 'comment', stance: 'question', body: 'x'.repeat(MAX_COMMENT_LENGTH + 1) }).reply().error).toMatchObject({ body: ['discussion:errors.bodyTooLong'] })
	})

	test('markdown and HTML are kept as typed (rendering makes them safe, not the schema)', () => {
		const body = '**bold** <script>alert(1)</script>'
		const result = parse({ intent: 'comment', stance: 'concerned', body })
		expect(result.status === 'success' && result.value.body).toBe(body)
	})

	test('the intent must be "comment"', () => {
		expect(parse({ intent: 'edit', stance: 'question', body: 'x' }).status).toBe('error')
	})
})

describe('EditCommentSchema, DeleteSchema and HideSchema', () => {
	test('an edit names the comment; its stance is optional here (the model checks depth)', () => {
		expect(parseWithZod(form({ intent: 'edit', commentId: id(2), body: 'new' }), { schema: EditCommentSchema }).status).toBe('success')
		expect(parseWithZod(form({ intent: 'edit', commentId: 'x', body: 'new' }), { schema: EditCommentSchema }).status).toBe('error')
		expect(parseWithZod(form({ intent: 'edit', commentId: id(2), body: '' }), { schema: EditCommentSchema }).status).toBe('error')
	})

	test('a delete names the comment', () => {
		expect(DeleteSchema.safeParse({ intent: 'delete', commentId: id(3) }).success).toBe(true)
		expect(DeleteSchema.safeParse({ intent: 'delete' }).success).toBe(false)
	})

	test('hiding needs a reason of 3 to 500 characters', () => {
		const hide = (reason?: string) => parseWithZod(form({ intent: 'hide', commentId: id(4), ...(reason === undefined ? {} : { reason }) }), { schema: HideSchema })
		expect(hide().reply().error).toMatchObject({ reason: ['validation.required'] })
		expect(hide('  ab  ').reply().error).toMatchObject({ reason: ['discussion:errors.reasonLength'] })
		expect(hide('abc').status).toBe('success')
		expect(hide('x'.repeat(500)).status).toBe('success')
		expect(hide('x'.repeat(501)).status).toBe('error')
	})
})

describe('form ids', () => {
	test('each form on the page has its own id, derived the same way from a submission', () => {
		expect(commentFormId('comment')).toBe('new-comment')
		expect(commentFormId('comment', id(1))).toBe(`reply-${id(1)}`)
		expect(commentFormId('hide', id(1))).toBe(`hide-${id(1)}`)
		expect(formIdOf(form({ intent: 'comment', parentId: id(1) }))).toBe(`reply-${id(1)}`)
		expect(formIdOf(form({ intent: 'comment' }))).toBe('new-comment')
		expect(formIdOf(form({ intent: 'edit', commentId: id(5) }))).toBe(`edit-${id(5)}`)
	})
})
