import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { flagCategories, severities } from '#app/domain/enums.ts'
import { ErrorList, FormAlert } from '#app/components/forms.tsx'
import { canGiveVerdict, DeleteTemplateFeedbackSchema, TemplateFeedbackSchema } from '#app/domain/review.ts'
import { addTemplateFeedback, deleteTemplateFeedback, listOwnTemplateFeedback } from '#app/models/review.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireParticipant } from '#app/guards/participant.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { intentOf, parseForm } from '#app/routes/__form.server.ts'

export const handle: RouteHandle = { i18n: ['review', 'datasets', 'rounds'], title: (t) => t('review:templates.title') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { round, participant } = await requireParticipant(request, params.roundId)
	invariantResponse(round.stage === 'generation', 'Not found', { status: 404 })
	return {
		round: { id: round.id, title: round.title, open: canGiveVerdict(round.status), promptTemplates: round.promptTemplates, personaDefinitions: round.personaDefinitions },
		own: await listOwnTemplateFeedback({ roundId: round.id, participantId: participant.id }),
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { round, participant } = await requireParticipant(request, params.roundId)
	invariantResponse(round.stage === 'generation', 'Not found', { status: 404 })
	if (!canGiveVerdict(round.status)) return data({ fieldErrors: null, error: 'review:errors.closed', saved: false }, { status: 409 })
	const form = await request.formData()
	if (intentOf(form) === 'delete') {
		const parsed = parseForm(form, DeleteTemplateFeedbackSchema)
		const ok = parsed.ok && (await deleteTemplateFeedback({ roundId: round.id, participantId: participant.id, id: parsed.value.id }))
		return data({ fieldErrors: null, error: ok ? null : 'review:errors.notYours', saved: false }, { status: ok ? 200 : 404 })
	}
	const parsed = parseForm(form, TemplateFeedbackSchema)
	if (!parsed.ok) return data({ fieldErrors: parsed.fieldErrors, error: 'review:errors.flagForm', saved: false }, { status: 400 })
	await addTemplateFeedback({ roundId: round.id, participantId: participant.id, ...parsed.value })
	return { fieldErrors: null, error: null, saved: true }
}

export default function TemplateFeedback() {
	const { t } = useTranslation(['review', 'datasets'])
	const { round, own } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const errors = actionData?.fieldErrors ?? {}
	return (
		<div className="flex flex-col gap-6">
			<p className="text-sm">
				<Link to={`/rounds/${round.id}`}>{round.title}</Link>
			</p>
			<h1>{t('templates.heading')}</h1>
			<p>{t('templates.intro')}</p>
			{(['promptTemplates', 'personaDefinitions'] as const).map((k) => (
				<section key={k} aria-labelledby={`${k}-heading`} className="card">
					<h2 id={`${k}-heading`}>{t(`datasets:provenance.${k}`)}</h2>
					<pre dir="auto" className="mt-2 whitespace-pre-wrap break-words rounded bg-slate-100 p-3 text-sm">
						{round[k] || '—'}
					</pre>
				</section>
			))}
			{own.length ? (
				<section aria-labelledby="own-tf-heading" className="flex flex-col gap-2">
					<h2 id="own-tf-heading">{t('templates.yours')}</h2>
					<ul className="flex flex-col gap-2">
						{own.map((f) => (
							<li key={f.id} className="card p-3 text-sm">
								<p className="font-medium">
									{t(`templates.targets.${f.target}`)} · {f.kind === 'flag' ? `${t(`categories.${f.category}.label`)} · ${t(`severity.${f.severity}`)}` : t('templates.comment')}
								</p>
								<p dir="auto">{f.rationale}</p>
								{round.open ? (
									<Form method="post">
										<input type="hidden" name="id" value={f.id} />
										<button type="submit" name="intent" value="delete" className="btn-link">
											{t('templates.delete')}
										</button>
									</Form>
								) : null}
							</li>
						))}
					</ul>
				</section>
			) : null}
			{round.open ? (
				<Form method="post" className="card flex flex-col gap-4">
					<h2>{t('templates.formTitle')}</h2>
					{actionData?.saved ? (
						<p role="status" className="alert-success">
							{t('templates.saved')}
						</p>
					) : null}
					{actionData?.error ? <FormAlert errors={[actionData.error]} /> : null}
					<input type="hidden" name="intent" value="template_feedback" />
					<div className="grid gap-4 sm:grid-cols-2">
						<div>
							<label htmlFor="target" className="label">
								{t('templates.target')}
							</label>
							<select id="target" name="target" className="input">
								<option value="prompt_templates">{t('templates.targets.prompt_templates')}</option>
								<option value="persona_definitions">{t('templates.targets.persona_definitions')}</option>
							</select>
						</div>
						<div>
							<label htmlFor="kind" className="label">
								{t('templates.kind')}
							</label>
							<select id="kind" name="kind" className="input">
								<option value="flag">{t('templates.flag')}</option>
								<option value="comment">{t('templates.comment')}</option>
							</select>
						</div>
						<div>
							<label htmlFor="category" className="label">
								{t('flag.category')}
							</label>
							<select id="category" name="category" className="input" aria-describedby={errors.category ? 'category-error' : undefined}>
								<option value="">—</option>
								{flagCategories.map((c) => (
									<option key={c} value={c}>
										{t(`categories.${c}.label`)}
									</option>
								))}
							</select>
							<ErrorList id="category-error" errors={errors.category} />
						</div>
						<div>
							<label htmlFor="severity" className="label">
								{t('flag.severity')}
							</label>
							<select id="severity" name="severity" className="input">
								<option value="">—</option>
								{severities.map((s) => (
									<option key={s} value={s}>
										{t(`severity.${s}`)}
									</option>
								))}
							</select>
							<ErrorList errors={errors.severity} />
						</div>
					</div>
					<div>
						<label htmlFor="tf-rationale" className="label">
							{t('templates.rationale')}
						</label>
						<textarea id="tf-rationale" name="rationale" required rows={4} maxLength={2000} dir="auto" className="input" />
						<ErrorList errors={errors.rationale} />
					</div>
					<div>
						<label htmlFor="tf-span" className="label">
							{t('flag.quotedSpan')}
						</label>
						<input id="tf-span" name="quotedSpan" maxLength={1000} dir="auto" className="input" />
					</div>
					<button type="submit" className="btn btn-primary self-start">
						{t('templates.submit')}
					</button>
				</Form>
			) : null}
		</div>
	)
}
