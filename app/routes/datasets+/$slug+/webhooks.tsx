import { getCollectionProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { DateTime } from '#app/components/date-time.tsx'
import { ErrorList, Field, FormAlert, ValidatedForm } from '#app/components/forms.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import { SecretOnce } from '#app/components/secret-once.tsx'
import { createWebhookSchema, WEBHOOK_EVENTS, WebhookTargetSchema } from '#app/domain/webhook-form.ts'
import { createWebhook, deleteWebhook, disableWebhook, listDeliveries, listWebhooks, webhookUrlPolicy } from '#app/models/webhook.server.ts'
import { requireDatasetRole } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { intentOf } from '#app/routes/__form.server.ts'

export const handle: RouteHandle = { i18n: ['webhooks', 'datasets'], title: (t) => t('webhooks:title') }

// What the page shows of a response body: the log keeps 2 KB, the table a glance.
const EXCERPT_CHARS = 300

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset } = await requireDatasetRole(request, params.slug, 'manage_versions')
	const hooks = await listWebhooks(dataset.id)
	const withLog = await Promise.all(
		hooks.map(async (h) => ({
			id: h.id,
			url: h.url,
			events: h.events,
			createdBy: h.createdBy,
			createdAt: h.createdAt.toISOString(),
			disabledAt: h.disabledAt?.toISOString() ?? null,
			deliveries: (await listDeliveries({ datasetId: dataset.id, webhookId: h.id })).map((d) => ({
				id: d.id,
				event: d.event,
				status: d.status,
				attempts: d.attempts,
				lastStatus: d.lastStatus,
				nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
				createdAt: d.createdAt.toISOString(),
				excerpt: (d.lastResponse || d.lastError || '').slice(0, EXCERPT_CHARS),
			})),
		})),
	)
	// The form checks URLs in the browser with the server's own policy.
	return { dataset: { slug: dataset.slug, name: dataset.name }, webhooks: withLog, urlPolicy: webhookUrlPolicy() }
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { dataset, user } = await requireDatasetRole(request, params.slug, 'manage_versions')
	const formData = await request.formData()
	const intent = intentOf(formData)
	if (intent === 'create') {
		const submission = parseWithZod(formData, { schema: createWebhookSchema(webhookUrlPolicy()) })
		if (submission.status !== 'success') return data({ result: submission.reply(), created: null, notice: null }, { status: 400 })
		const created = await createWebhook({ datasetId: dataset.id, actorId: user.id, url: submission.value.url, events: submission.value.events })
		// The secret is in this one response only; keep it out of caches and history restores.
		return data({ result: submission.reply({ resetForm: true }), created: { url: created.url, secret: created.secret }, notice: 'notices.created' }, { headers: { 'Cache-Control': 'no-store' } })
	}
	if (intent === 'disable' || intent === 'delete') {
		const submission = parseWithZod(formData, { schema: WebhookTargetSchema })
		if (submission.status !== 'success') return data({ result: null, created: null, notice: null }, { status: 400 })
		const target = { datasetId: dataset.id, webhookId: submission.value.webhookId, actorId: user.id }
		const done = intent === 'disable' ? await disableWebhook(target) : await deleteWebhook(target)
		return data({ result: null, created: null, notice: done ? `notices.${intent}d` : null }, { status: done ? 200 : 404 })
	}
	throw new Response('Unknown intent', { status: 400 })
}

const eventKey = (event: string) => `events.${event.replace('.', '_')}`
// A URL inside translated text reads left to right even in Arabic (Unicode left-to-right isolate).
const ltr = (text: string) => `\u2066${text}\u2069`

export default function Webhooks() {
	const { t } = useTranslation(['webhooks', 'datasets'])
	const { dataset, webhooks, urlPolicy } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const [form, fields] = useForm({
		id: 'add-webhook',
		lastResult: actionData?.result ?? undefined,
		onValidate: ({ formData }) => parseWithZod(formData, { schema: createWebhookSchema(urlPolicy) }),
	})
	const eventsInvalid = fields.events.errors?.length ? true : undefined
	return (
		<div className="flex max-w-4xl flex-col gap-6">
			<PageHeader crumbs={datasetCrumbs(t, dataset)} title={t('title')} />
			<p className="text-slate-700">{t('intro')}</p>
			<p className="text-slate-700">{t('verifyHint')}</p>
			{actionData?.notice ? (
				<p role="status" className="alert-success">
					{t(actionData.notice)}
				</p>
			) : null}
			{actionData?.created ? (
				<SecretOnce
					frame={{ as: 'section', headingId: 'secret-heading' }}
					heading={t('secret.title')}
					explanation={
						<p>
							<span dir="ltr">{actionData.created.url}</span>
						</p>
					}
					label={t('secret.label')}
					value={actionData.created.secret}
					warning={t('secret.once')}
					ids={{ field: 'new-secret', warning: 'new-secret-hint' }}
				/>
			) : null}

			<section aria-labelledby="webhooks-heading" className="flex flex-col gap-3">
				<h2 id="webhooks-heading">{t('list.title')}</h2>
				{webhooks.length === 0 ? <p className="text-slate-700">{t('list.none')}</p> : null}
				<ul className="flex flex-col gap-4">
					{webhooks.map((w) => (
						<li key={w.id} className="card flex flex-col gap-3">
							<h3 className="font-semibold break-all" dir="ltr">
								{w.url}
							</h3>
							<p className="text-sm">
								{w.disabledAt ? (
									<>
										{t('list.disabled')} · <DateTime value={w.disabledAt} />
									</>
								) : (
									t('list.active')
								)}
								{' · '}
								{w.createdBy ? t('list.addedBy', { name: w.createdBy }) : t('list.added')} · <DateTime value={w.createdAt} />
							</p>
							<div className="text-sm">
								<p className="font-medium">{t('list.events')}</p>
								<ul className="list-disc ps-6">
									{w.events.map((e) => (
										<li key={e}>
											{t(eventKey(e))} (<code dir="ltr">{e}</code>)
										</li>
									))}
								</ul>
							</div>
							<div className="flex flex-wrap gap-2">
								{w.disabledAt ? null : (
									<Form method="post">
										<input type="hidden" name="intent" value="disable" />
										<input type="hidden" name="webhookId" value={w.id} />
										<button type="submit" className="btn">
											{t('list.disable', { url: ltr(w.url) })}
										</button>
									</Form>
								)}
								<Form method="post">
									<input type="hidden" name="intent" value="delete" />
									<input type="hidden" name="webhookId" value={w.id} />
									<button type="submit" className="btn" aria-describedby={`delete-hint-${w.id}`}>
										{t('list.delete', { url: ltr(w.url) })}
									</button>
								</Form>
							</div>
							<p id={`delete-hint-${w.id}`} className="text-sm text-slate-700">
								{t('list.deleteHint')}
							</p>
							<details>
								<summary className="cursor-pointer font-medium">{t('deliveries.summary', { count: w.deliveries.length })}</summary>
								{w.deliveries.length === 0 ? (
									<p className="mt-2 text-sm text-slate-700">{t('deliveries.none')}</p>
								) : (
									<table className="mt-2 w-full border-collapse text-start text-sm">
										<caption className="sr-only">{t('deliveries.caption', { url: ltr(w.url) })}</caption>
										<thead>
											<tr className="border-b border-slate-300">
												<th scope="col" className="py-2 pe-3 text-start">
													{t('deliveries.columns.created')}
												</th>
												<th scope="col" className="py-2 pe-3 text-start">
													{t('deliveries.columns.event')}
												</th>
												<th scope="col" className="py-2 pe-3 text-start">
													{t('deliveries.columns.status')}
												</th>
												<th scope="col" className="py-2 pe-3 text-start">
													{t('deliveries.columns.attempts')}
												</th>
												<th scope="col" className="py-2 pe-3 text-start">
													{t('deliveries.columns.lastStatus')}
												</th>
												<th scope="col" className="py-2 pe-3 text-start">
													{t('deliveries.columns.nextAttempt')}
												</th>
												<th scope="col" className="py-2 text-start">
													{t('deliveries.columns.response')}
												</th>
											</tr>
										</thead>
										<tbody>
											{w.deliveries.map((d) => (
												<tr key={d.id} className="border-b border-slate-200 align-top">
													<td className="py-2 pe-3">
														<DateTime value={d.createdAt} />
													</td>
													<td className="py-2 pe-3">
														<code dir="ltr">{d.event}</code>
													</td>
													<td className="py-2 pe-3">{t(`status.${d.status}`)}</td>
													<td className="py-2 pe-3">{d.attempts}</td>
													<td className="py-2 pe-3">{d.lastStatus ?? '—'}</td>
													<td className="py-2 pe-3">{d.nextAttemptAt ? <DateTime value={d.nextAttemptAt} /> : '—'}</td>
													<td className="py-2">
														{d.excerpt ? (
															<pre dir="auto" className="whitespace-pre-wrap break-all font-mono text-xs">
																{d.excerpt}
															</pre>
														) : (
															'—'
														)}
													</td>
												</tr>
											))}
										</tbody>
									</table>
								)}
							</details>
						</li>
					))}
				</ul>
			</section>

			<ValidatedForm form={form} className="card flex flex-col gap-4">
				<h2>{t('add.title')}</h2>
				<FormAlert id={form.errorId} errors={form.errors} />
				<input type="hidden" name="intent" value="create" />
				<Field label={t('add.url')} meta={fields.url} hint={t('add.urlHint')} />
				<fieldset aria-describedby={eventsInvalid ? fields.events.errorId : undefined}>
					<legend className="label">{t('add.events')}</legend>
					<div className="flex flex-col gap-2">
						{getCollectionProps(fields.events, { type: 'checkbox', options: [...WEBHOOK_EVENTS], ariaAttributes: false }).map(({ key, ...props }) => (
							<div key={key} className="flex items-start gap-2">
								<input {...props} aria-invalid={eventsInvalid} className="mt-1 size-4" />
								<label htmlFor={props.id} className="text-sm">
									{t(eventKey(props.value))} (<code dir="ltr">{props.value}</code>)
								</label>
							</div>
						))}
					</div>
					<ErrorList id={fields.events.errorId} errors={fields.events.errors} />
				</fieldset>
				<button type="submit" className="btn btn-primary self-start">
					{t('add.submit')}
				</button>
			</ValidatedForm>
		</div>
	)
}
