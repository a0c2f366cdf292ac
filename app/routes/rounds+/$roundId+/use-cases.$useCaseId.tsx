import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Sentence } from '#app/components/bidi.tsx'
import { type CommentActionData, CommentThread, NewCommentForm, threadStamp } from '#app/components/comment-thread.tsx'
import { commentErrors, CommentSchema, DeleteSchema, EditCommentSchema, formIdOf } from '#app/domain/comment.ts'
import { addComment, type CommentActor, deleteComment, editComment, listThread } from '#app/models/comment.server.ts'
import { getUseCase } from '#app/models/use-case.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireParticipant } from '#app/guards/participant.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { intentOf } from '#app/routes/__form.server.ts'

export const handle: RouteHandle = {
	i18n: ['discussion', 'datasets'],
	title: (t, loaderData) => (loaderData as { useCase?: { title: string } } | undefined)?.useCase?.title ?? t('discussion:participant.title'),
}

const isUuid = (v: string | undefined) => !!v && /^[0-9a-f-]{36}$/i.test(v)

/** The participant, their round, and a use case of that round's dataset — or 404. */
async function requireDiscussion(request: Request, params: LoaderFunctionArgs['params']) {
	const { user, round, participant } = await requireParticipant(request, params.roundId)
	const useCase = isUuid(params.useCaseId) ? await getUseCase({ datasetId: round.datasetId, useCaseId: params.useCaseId! }) : null
	invariantResponse(useCase, 'Not found', { status: 404 })
	const actor: CommentActor = { userId: user.id, datasetId: round.datasetId, participantId: participant.id, roundId: round.id }
	return { round, useCase, actor }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { round, useCase, actor } = await requireDiscussion(request, params)
	return {
		round: { id: round.id, title: round.title, datasetName: round.datasetName, status: round.status },
		useCase: { id: useCase.id, title: useCase.title, purpose: useCase.purpose, modelUsers: useCase.modelUsers, deploymentContext: useCase.deploymentContext, pipelineStage: useCase.pipelineStage },
		comments: await listThread({ useCaseId: useCase.id, actor }),
		canPost: round.status === 'open',
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { round, useCase, actor } = await requireDiscussion(request, params)
	const formData = await request.formData()
	const intent = intentOf(formData)
	if (intent !== 'comment' && intent !== 'edit' && intent !== 'delete') throw new Response('Unknown intent', { status: 400 })
	const form = formIdOf(formData)
	const here = `/rounds/${round.id}/use-cases/${useCase.id}`
	// Reading stays possible after the round closes; writing does not.
	if (round.status !== 'open') return data({ form, result: null }, { status: 409 })
	if (intent === 'delete') {
		const submission = parseWithZod(formData, { schema: DeleteSchema })
		invariantResponse(submission.status === 'success', 'Bad request', { status: 400 })
		const deleted = await deleteComment({ useCaseId: useCase.id, commentId: submission.value.commentId, actor })
		invariantResponse(deleted, 'Not found', { status: 404 })
		throw redirect(`${here}#comment-${submission.value.commentId}`)
	}
	const submission = parseWithZod(formData, { schema: intent === 'comment' ? CommentSchema : EditCommentSchema })
	if (submission.status !== 'success') return data({ form, result: submission.reply() }, { status: 400 })
	const v = submission.value
	const outcome =
		v.intent === 'comment'
			? await addComment({ useCaseId: useCase.id, actor, stance: v.stance, body: v.body, parentId: v.parentId })
			: await editComment({ useCaseId: useCase.id, commentId: v.commentId, actor, stance: v.stance, body: v.body })
	if (!outcome.ok) {
		return data({ form, result: submission.reply({ formErrors: [commentErrors[outcome.error]] }) }, { status: outcome.error === 'not_found' ? 404 : 400 })
	}
	throw redirect(`${here}#comment-${outcome.id}`)
}

export default function UseCaseDiscussion() {
	const { t } = useTranslation(['discussion', 'datasets'])
	const { round, useCase, comments, canPost } = useLoaderData<typeof loader>()
	const last = useActionData<typeof action>() as CommentActionData
	const fields = [
		['purpose', useCase.purpose],
		['modelUsers', useCase.modelUsers],
		['deploymentContext', useCase.deploymentContext],
	] as const
	return (
		<div className="flex max-w-3xl flex-col gap-6">
			<div className="flex flex-col gap-1">
				<p className="text-sm">
					<Link to={`/rounds/${round.id}`}>
						<Sentence t={t} k="participant.back" values={{ round: round.title }} />
					</Link>
				</p>
				<p className="text-sm text-slate-700">{round.datasetName}</p>
				<h1 dir="auto">{useCase.title}</h1>
			</div>
			<section aria-labelledby="about-heading" className="card flex flex-col gap-3">
				<h2 id="about-heading">{t('participant.aboutTitle')}</h2>
				<dl className="flex flex-col gap-3">
					{fields.map(([key, value]) =>
						value ? (
							<div key={key}>
								<dt className="font-medium">{t(`datasets:fields.${key}`)}</dt>
								<dd dir="auto" className="whitespace-pre-wrap">
									{value}
								</dd>
							</div>
						) : null,
					)}
					<div>
						<dt className="font-medium">{t('datasets:fields.pipelineStage')}</dt>
						<dd>{t(`datasets:pipelineStage.${useCase.pipelineStage}`)}</dd>
					</div>
				</dl>
			</section>
			<section aria-labelledby="discussion-heading" className="flex flex-col gap-4">
				<div>
					<h2 id="discussion-heading">{t('thread.title')}</h2>
					<p className="text-sm text-slate-700">{t('thread.count', { count: comments.filter((c) => !c.deleted && !c.hidden).length })}</p>
				</div>
				<p className="text-sm text-slate-700">{t('participant.pseudonymNote')}</p>
				{canPost ? <NewCommentForm key={threadStamp(comments)} last={last} /> : <p role="note">{t('participant.readOnly')}</p>}
				<CommentThread comments={comments} mode="participant" canPost={canPost} last={last} />
			</section>
		</div>
	)
}
