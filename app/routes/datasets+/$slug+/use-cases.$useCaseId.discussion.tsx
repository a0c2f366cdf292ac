import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { type CommentActionData, CommentThread } from '#app/components/comment-thread.tsx'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { commentErrors, CommentSchema, DeleteSchema, EditCommentSchema, formIdOf, HideSchema } from '#app/domain/comment.ts'
import { addComment, type CommentActor, deleteComment, editComment, hideComment, listThread } from '#app/models/comment.server.ts'
import { getUseCase } from '#app/models/use-case.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireDatasetRole } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { intentOf } from '#app/routes/__form.server.ts'

export const handle: RouteHandle = { i18n: ['discussion', 'datasets'], title: (t) => t('discussion:team.pageTitle') }

const isUuid = (v: string | undefined) => !!v && /^[0-9a-f-]{36}$/i.test(v)

/** A team member with triage rights and a use case of their dataset — or 404. */
async function requireTeamDiscussion(request: Request, params: LoaderFunctionArgs['params']) {
	const { user, dataset } = await requireDatasetRole(request, params.slug, 'triage')
	const useCase = isUuid(params.useCaseId) ? await getUseCase({ datasetId: dataset.id, useCaseId: params.useCaseId! }) : null
	invariantResponse(useCase, 'Not found', { status: 404 })
	const actor: CommentActor = { userId: user.id, datasetId: dataset.id, participantId: null }
	return { user, dataset, useCase, actor }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, useCase, actor } = await requireTeamDiscussion(request, params)
	return {
		dataset: { slug: dataset.slug, name: dataset.name },
		useCase: { id: useCase.id, title: useCase.title, pipelineStage: useCase.pipelineStage },
		comments: await listThread({ useCaseId: useCase.id, actor }),
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { user, dataset, useCase, actor } = await requireTeamDiscussion(request, params)
	const formData = await request.formData()
	const intent = intentOf(formData)
	const form = formIdOf(formData)
	const here = `/datasets/${dataset.slug}/use-cases/${useCase.id}/discussion`
	if (intent === 'delete') {
		const submission = parseWithZod(formData, { schema: DeleteSchema })
		invariantResponse(submission.status === 'success', 'Bad request', { status: 400 })
		invariantResponse(await deleteComment({ useCaseId: useCase.id, commentId: submission.value.commentId, actor }), 'Not found', { status: 404 })
		throw redirect(`${here}#comment-${submission.value.commentId}`)
	}
	if (intent === 'hide') {
		const submission = parseWithZod(formData, { schema: HideSchema })
		if (submission.status !== 'success') return data({ form, result: submission.reply() }, { status: 400 })
		const { commentId, reason } = submission.value
		const hidden = await hideComment({ useCaseId: useCase.id, commentId, datasetId: dataset.id, userId: user.id, reason })
		if (!hidden) return data({ form, result: submission.reply({ formErrors: [commentErrors.not_found] }) }, { status: 404 })
		throw redirect(`${here}#comment-${commentId}`)
	}
	if (intent !== 'comment' && intent !== 'edit') throw new Response('Unknown intent', { status: 400 })
	const submission = parseWithZod(formData, { schema: intent === 'comment' ? CommentSchema : EditCommentSchema })
	if (submission.status !== 'success') return data({ form, result: submission.reply() }, { status: 400 })
	const v = submission.value
	// The team replies without a stance: a stance is a participant's view of the use case.
	const outcome =
		v.intent === 'comment'
			? await addComment({ useCaseId: useCase.id, actor, body: v.body, parentId: v.parentId })
			: await editComment({ useCaseId: useCase.id, commentId: v.commentId, actor, body: v.body })
	if (!outcome.ok) {
		return data({ form, result: submission.reply({ formErrors: [commentErrors[outcome.error]] }) }, { status: outcome.error === 'not_found' ? 404 : 400 })
	}
	throw redirect(`${here}#comment-${outcome.id}`)
}

export default function TeamDiscussion() {
	const { t } = useTranslation(['discussion', 'datasets'])
	const { dataset, useCase, comments } = useLoaderData<typeof loader>()
	const last = useActionData<typeof action>() as CommentActionData
	return (
		<div className="flex max-w-3xl flex-col gap-4">
			<PageHeader crumbs={datasetCrumbs(t, dataset)} title={t('team.title', { title: useCase.title })} />
			<p className="text-sm text-slate-700">{t(`datasets:pipelineStage.${useCase.pipelineStage}`)}</p>
			<p>{t('team.intro')}</p>
			<section aria-labelledby="discussion-heading" className="flex flex-col gap-4">
				<div>
					<h2 id="discussion-heading">{t('thread.title')}</h2>
					<p className="text-sm text-slate-700">{t('thread.count', { count: comments.filter((c) => !c.deleted && !c.hidden).length })}</p>
				</div>
				<p className="text-sm text-slate-700">{t('team.onlyReplies')}</p>
				<CommentThread comments={comments} mode="team" canPost last={last} />
			</section>
		</div>
	)
}
