import { type FieldMetadata, type SubmissionResult, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { Form, useLocation } from '@remix-run/react'
import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { type ParticipantRole, type Stance, stances } from '#app/domain/enums.ts'
import { Sentence } from '#app/components/bidi.tsx'
import { isolate } from '#app/utils/bidi.ts'
import { DateTime } from '#app/components/date-time.tsx'
import { ErrorList, Field, FormAlert, TextAreaField, ValidatedForm } from '#app/components/forms.tsx'
import { Markdown } from '#app/components/markdown.tsx'
import { buildThread, canReply, CommentSchema, commentFormId, EditCommentSchema, HideSchema, type Threaded } from '#app/domain/comment.ts'

export type CommentView = {
	id: string
	parentId: string | null
	depth: number
	roundTitle: string | null
	fromTeam: boolean
	stance: Stance | null
	body: string | null
	revision: number
	createdAt: string
	editedAt: string | null
	deleted: boolean
	hidden: boolean
	hiddenReason: string | null
	mine: boolean
	author: { role: ParticipantRole; number: number | null; expertise: string; name: string | null } | null
	history: Array<{ revision: number; stance: Stance | null; body: string; createdAt: string }>
}

/** What an action answers when a form fails: which form, and Conform's result for it. */
export type CommentActionData = { form: string; result: SubmissionResult<string[]> | null } | undefined

type Mode = 'participant' | 'team'
type Ctx = { mode: Mode; canPost: boolean; last: CommentActionData }

/** Changes whenever the thread does, so keyed forms start empty and disclosures closed after a post. */
export function threadStamp(comments: CommentView[]) {
	return comments.map((c) => `${c.id}.${c.revision}.${+c.deleted}.${+c.hidden}`).join('|')
}

const tone: Record<Stance, string> = {
	supportive: 'border-green-300 bg-green-50 text-green-900',
	concerned: 'border-amber-300 bg-amber-50 text-amber-900',
	opposed: 'border-red-300 bg-red-50 text-red-900',
	question: 'border-indigo-300 bg-indigo-50 text-indigo-900',
}

export function StanceBadge({ stance }: { stance: Stance }) {
	const { t } = useTranslation('discussion')
	return <span className={`inline-block rounded-full border px-2 py-0.5 text-xs font-medium ${tone[stance]}`}>{t(`stance.${stance}`)}</span>
}

function useAuthorLabel(c: CommentView) {
	const { t } = useTranslation('discussion')
	let label = c.fromTeam ? t('author.team') : c.author ? (c.author.number === null ? t(`author.${c.author.role}Unnumbered`) : t(`author.${c.author.role}`, { n: c.author.number })) : t('author.former')
	// A person's words (their field, their name) are isolated from the label around them.
	if (!c.fromTeam && c.author?.expertise) label += ` · ${isolate(c.author.expertise)}`
	if (!c.fromTeam && c.author?.name) label += ` (${isolate(c.author.name)})`
	return c.mine ? t('author.you', { author: label }) : label
}

/** Stance radio buttons; for replies and edits of replies a "no stance" choice comes first. */
export function StanceChoices({ meta, required, withHints = false }: { meta: FieldMetadata<string | undefined>; required: boolean; withHints?: boolean }) {
	const { t } = useTranslation('discussion')
	const invalid = meta.errors?.length ? true : undefined
	const options: Array<Stance | ''> = required ? [...stances] : ['', ...stances]
	return (
		<fieldset aria-describedby={invalid ? meta.errorId : undefined}>
			<legend className="label">{required ? t('stance.legend') : t('stance.legendOptional')}</legend>
			<div className="flex flex-col gap-2">
				{options.map((s) => {
					const id = `${meta.id}-${s || 'none'}`
					const hint = withHints && s ? `${id}-hint` : undefined
					return (
						<div key={id} className="flex items-start gap-2">
							<input type="radio" id={id} name={meta.name} value={s} defaultChecked={(meta.initialValue ?? '') === s} aria-invalid={invalid} aria-describedby={hint} className="mt-1 size-4" />
							<div>
								<label htmlFor={id} className="text-sm font-medium">
									{s ? t(`stance.${s}`) : t('stance.none')}
								</label>
								{hint ? (
									<p id={hint} className="text-sm text-slate-700">
										{t(`stance.hint.${s}`)}
									</p>
								) : null}
							</div>
						</div>
					)
				})}
			</div>
			<ErrorList id={meta.errorId} errors={meta.errors} />
		</fieldset>
	)
}

const lastFor = (last: CommentActionData, id: string) => (last?.form === id ? (last.result ?? undefined) : undefined)

/** The participant's form for a new top-level comment. */
export function NewCommentForm({ last }: { last: CommentActionData }) {
	const { t } = useTranslation('discussion')
	const id = commentFormId('comment')
	const [form, fields] = useForm({ id, lastResult: lastFor(last, id), onValidate: ({ formData }) => parseWithZod(formData, { schema: CommentSchema }) })
	return (
		<ValidatedForm form={form} className="card flex flex-col gap-4" aria-labelledby={`${id}-title`}>
			<h3 id={`${id}-title`}>{t('new.title')}</h3>
			<FormAlert id={form.errorId} errors={form.errors} />
			<input type="hidden" name="intent" value="comment" />
			<StanceChoices meta={fields.stance} required withHints />
			<TextAreaField label={t('new.body')} meta={fields.body} hint={t('new.bodyHint')} rows={5} />
			<button type="submit" className="btn btn-primary self-start">
				{t('new.submit')}
			</button>
		</ValidatedForm>
	)
}

function ReplyForm({ parent, ctx }: { parent: CommentView; ctx: Ctx }) {
	const { t } = useTranslation('discussion')
	const id = commentFormId('comment', parent.id)
	const [form, fields] = useForm({ id, lastResult: lastFor(ctx.last, id), onValidate: ({ formData }) => parseWithZod(formData, { schema: CommentSchema }) })
	const team = ctx.mode === 'team'
	return (
		<details open={ctx.last?.form === id || undefined}>
			<summary className="btn-link text-sm">{t('reply.summary')}</summary>
			<ValidatedForm form={form} className="mt-2 flex flex-col gap-3">
				<FormAlert id={form.errorId} errors={form.errors} />
				<input type="hidden" name="intent" value="comment" />
				<input type="hidden" name="parentId" value={parent.id} />
				{team ? null : <StanceChoices meta={fields.stance} required={false} />}
				<TextAreaField label={team ? t('reply.teamBody') : t('reply.body')} meta={fields.body} rows={3} />
				<button type="submit" className="btn self-start">
					{team ? t('reply.teamSubmit') : t('reply.submit')}
				</button>
			</ValidatedForm>
		</details>
	)
}

function EditForm({ comment, ctx }: { comment: CommentView; ctx: Ctx }) {
	const { t } = useTranslation('discussion')
	const id = commentFormId('edit', comment.id)
	const [form, fields] = useForm({
		id,
		lastResult: lastFor(ctx.last, id),
		defaultValue: { body: comment.body ?? '', stance: comment.stance ?? '' },
		onValidate: ({ formData }) => parseWithZod(formData, { schema: EditCommentSchema }),
	})
	return (
		<details open={ctx.last?.form === id || undefined}>
			<summary className="btn-link text-sm">{t('edit.summary')}</summary>
			<ValidatedForm form={form} className="mt-2 flex flex-col gap-3">
				<FormAlert id={form.errorId} errors={form.errors} />
				<input type="hidden" name="intent" value="edit" />
				<input type="hidden" name="commentId" value={comment.id} />
				{comment.fromTeam ? null : <StanceChoices meta={fields.stance} required={comment.depth === 0} />}
				<TextAreaField label={t('edit.body')} meta={fields.body} rows={4} />
				<button type="submit" className="btn self-start">
					{t('edit.submit')}
				</button>
			</ValidatedForm>
		</details>
	)
}

function DeleteForm({ comment }: { comment: CommentView }) {
	const { t } = useTranslation('discussion')
	return (
		<details>
			<summary className="btn-link text-sm">{t('delete.summary')}</summary>
			<Form method="post" className="mt-2 flex flex-col gap-2">
				<p className="text-sm">{t('delete.confirm')}</p>
				<input type="hidden" name="intent" value="delete" />
				<input type="hidden" name="commentId" value={comment.id} />
				<button type="submit" className="btn self-start">
					{t('delete.submit')}
				</button>
			</Form>
		</details>
	)
}

function HideForm({ comment, ctx }: { comment: CommentView; ctx: Ctx }) {
	const { t } = useTranslation('discussion')
	const id = commentFormId('hide', comment.id)
	const [form, fields] = useForm({ id, lastResult: lastFor(ctx.last, id), onValidate: ({ formData }) => parseWithZod(formData, { schema: HideSchema }) })
	return (
		<details open={ctx.last?.form === id || undefined}>
			<summary className="btn-link text-sm">{t('hide.summary')}</summary>
			<ValidatedForm form={form} className="mt-2 flex flex-col gap-3">
				<FormAlert id={form.errorId} errors={form.errors} />
				<input type="hidden" name="intent" value="hide" />
				<input type="hidden" name="commentId" value={comment.id} />
				<Field label={t('hide.reason')} meta={fields.reason} hint={t('hide.reasonHint')} />
				<button type="submit" className="btn self-start">
					{t('hide.submit')}
				</button>
			</ValidatedForm>
		</details>
	)
}

function CommentItem({ comment: c, ctx }: { comment: Threaded<CommentView>; ctx: Ctx }) {
	const { t } = useTranslation('discussion')
	const author = useAuthorLabel(c)
	const Heading = c.depth === 0 ? 'h3' : c.depth === 1 ? 'h4' : 'h5'
	const live = !c.deleted && !c.hidden
	const headingId = `comment-${c.id}-author`
	return (
		<li>
			<article
				id={`comment-${c.id}`}
				tabIndex={-1}
				aria-labelledby={headingId}
				className={`flex flex-col gap-2 rounded-lg border p-4 ${c.fromTeam ? 'border-indigo-200 bg-indigo-50/40' : 'border-slate-200 bg-white'}`}
			>
				<header className="flex flex-wrap items-center gap-x-2 gap-y-1">
					<Heading id={headingId} className="text-base font-semibold">
						{author}
					</Heading>
					{c.stance ? <StanceBadge stance={c.stance} /> : null}
					<span className="text-sm text-slate-700">
						<DateTime value={c.createdAt} />
						{c.editedAt && live ? ` · ${t('comment.edited')}` : ''}
					</span>
					{ctx.mode === 'team' && c.depth === 0 && c.roundTitle ? (
						<span className="text-sm text-slate-700">
							<Sentence t={t} k="team.round" values={{ title: c.roundTitle }} />
						</span>
					) : null}
				</header>
				{c.hidden ? (
					<p dir="auto" className="italic text-slate-700">
						<Sentence t={t} k="comment.hidden" values={{ reason: c.hiddenReason ?? '' }} />
					</p>
				) : c.deleted ? (
					<p className="italic text-slate-700">{t('comment.deleted')}</p>
				) : (
					<div dir="auto">
						<Markdown>{c.body ?? ''}</Markdown>
					</div>
				)}
				{live && c.history.length ? (
					<details>
						<summary className="btn-link text-sm">{t('comment.history', { count: c.history.length })}</summary>
						<ol className="mt-2 flex flex-col gap-2 border-s-2 border-slate-200 ps-3">
							{[...c.history].reverse().map((h) => (
								<li key={h.revision} className="flex flex-col gap-1">
									<p className="text-sm text-slate-700">
										{t('comment.version', { n: h.revision })} · <DateTime value={h.createdAt} /> {h.stance ? <StanceBadge stance={h.stance} /> : null}
									</p>
									<div dir="auto">
										<Markdown>{h.body}</Markdown>
									</div>
								</li>
							))}
						</ol>
					</details>
				) : null}
				<div className="flex flex-col gap-2">
					{ctx.canPost && live && canReply(c.depth) ? <ReplyForm parent={c} ctx={ctx} /> : null}
					{ctx.canPost && live && c.mine ? <EditForm comment={c} ctx={ctx} /> : null}
					{ctx.canPost && live && c.mine ? <DeleteForm comment={c} /> : null}
					{ctx.mode === 'team' && live ? <HideForm comment={c} ctx={ctx} /> : null}
				</div>
				{c.replies.length ? (
					<ol className="mt-2 flex flex-col gap-3 border-s-2 border-slate-200 ps-4">
						{c.replies.map((r) => (
							<CommentItem key={r.id} comment={r} ctx={ctx} />
						))}
					</ol>
				) : null}
			</article>
		</li>
	)
}

/** A use case's discussion, nested two replies deep; every action is a plain form post. */
export function CommentThread({ comments, mode, canPost, last }: { comments: CommentView[]; mode: Mode; canPost: boolean; last: CommentActionData }) {
	const { t } = useTranslation('discussion')
	const location = useLocation()
	// After a post the page comes back at #comment-…: move focus there, not just the scroll.
	useEffect(() => {
		if (location.hash.startsWith('#comment-')) document.getElementById(location.hash.slice(1))?.focus()
	}, [location])
	const threads = buildThread(comments)
	if (!threads.length) return <p>{t('thread.empty')}</p>
	return (
		<ol key={threadStamp(comments)} className="flex flex-col gap-4">
			{threads.map((c) => (
				<CommentItem key={c.id} comment={c} ctx={{ mode, canPost, last }} />
			))}
		</ol>
	)
}
