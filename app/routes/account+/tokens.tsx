import { getCollectionProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type HeadersFunction, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { DateTime } from '#app/components/date-time.tsx'
import { ErrorList, Field, FormAlert, ValidatedForm } from '#app/components/forms.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import { SecretOnce } from '#app/components/secret-once.tsx'
import { CreateTokenSchema, MAX_ACTIVE_TOKENS, RevokeTokenSchema } from '#app/domain/api-token.ts'
import { createApiToken, listApiTokens, listTokenDatasetChoices, revokeApiToken } from '#app/models/api-token.server.ts'
import { requireUser } from '#app/utils/auth.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { intentOf } from '#app/routes/__form.server.ts'

export const handle: RouteHandle = { i18n: ['api', 'auth'], title: (t) => t('api:tokens.title') }

// The page may show a new token: never keep it in a cache.
const noStore = { 'Cache-Control': 'no-store' }
export const headers: HeadersFunction = () => noStore

/** A name in any script inside a sentence: Unicode isolates keep its direction from reordering the text around it. */
const isolate = (text: string) => `\u2068${text}\u2069`

export async function loader({ request }: LoaderFunctionArgs) {
	const user = await requireUser(request)
	const [tokens, choices] = await Promise.all([listApiTokens(user.id), listTokenDatasetChoices(user.id)])
	return data(
		{
			tokens: tokens.map((t) => ({ ...t, createdAt: t.createdAt.toISOString(), lastUsedAt: t.lastUsedAt?.toISOString() ?? null, revokedAt: t.revokedAt?.toISOString() ?? null })),
			choices: choices.map(({ slug, name }) => ({ slug, name })),
		},
		{ headers: noStore },
	)
}

export async function action({ request }: ActionFunctionArgs) {
	const user = await requireUser(request)
	const formData = await request.formData()
	const intent = intentOf(formData)
	if (intent === 'create') {
		const submission = parseWithZod(formData, { schema: CreateTokenSchema })
		if (submission.status !== 'success') return data({ result: submission.reply(), created: null, notice: null }, { status: 400, headers: noStore })
		const outcome = await createApiToken({ userId: user.id, name: submission.value.name, datasetSlugs: submission.value.datasets })
		if ('error' in outcome) {
			const reply = outcome.error === 'too_many' ? submission.reply({ formErrors: ['api:tokens.tooMany'] }) : submission.reply({ fieldErrors: { datasets: ['api:tokens.datasetsNotAllowed'] } })
			return data({ result: reply, created: null, notice: null }, { status: 400, headers: noStore })
		}
		const { token, name, prefix } = outcome.token
		return data({ result: submission.reply({ resetForm: true }), created: { token, name, prefix }, notice: null }, { headers: noStore })
	}
	if (intent === 'revoke') {
		const submission = parseWithZod(formData, { schema: RevokeTokenSchema })
		if (submission.status !== 'success') return data({ result: null, created: null, notice: null }, { status: 400, headers: noStore })
		const revoked = await revokeApiToken({ userId: user.id, tokenId: submission.value.tokenId })
		return data({ result: null, created: null, notice: revoked ? ('revoked' as const) : null }, { status: revoked ? 200 : 404, headers: noStore })
	}
	throw new Response('Unknown intent', { status: 400 })
}

export default function ApiTokens() {
	const { t } = useTranslation(['api', 'common'])
	const { tokens, choices } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const navigation = useNavigation()
	const [form, fields] = useForm({
		id: 'new-token',
		lastResult: actionData?.result ?? undefined,
		onValidate: ({ formData }) => parseWithZod(formData, { schema: CreateTokenSchema }),
		shouldRevalidate: 'onBlur',
	})
	const datasetsInvalid = fields.datasets.errors?.length ? true : undefined
	const active = tokens.filter((tk) => !tk.revokedAt).length
	return (
		<div className="flex max-w-4xl flex-col gap-6">
			<PageHeader crumbs={[{ to: '/account', label: t('auth:profile.title') }]} title={t('tokens.title')} />
			<p className="text-slate-700">{t('tokens.intro')}</p>
			<p className="text-slate-700">
				{t('tokens.docs')}{' '}
				<a href="/api/v1/openapi.json" dir="ltr">
					/api/v1/openapi.json
				</a>
			</p>

			{actionData?.created ? (
				<SecretOnce
					frame={{ as: 'status' }}
					heading={t('tokens.created', { name: isolate(actionData.created.name) })}
					label={t('tokens.newToken')}
					value={actionData.created.token}
					warning={t('tokens.shownOnce')}
					ids={{ field: 'new-token-value', warning: 'new-token-hint' }}
				/>
			) : null}
			{actionData?.notice === 'revoked' ? (
				<p role="status" className="alert-success">
					{t('tokens.revoked')}
				</p>
			) : null}

			<section aria-labelledby="tokens-heading" className="flex flex-col gap-3">
				<h2 id="tokens-heading">{t('tokens.listTitle')}</h2>
				{tokens.length === 0 ? (
					<p className="card">{t('tokens.none')}</p>
				) : (
					<div className="overflow-x-auto" role="region" aria-labelledby="tokens-caption" tabIndex={0}>
						<table className="w-full border-collapse text-sm">
							<caption id="tokens-caption" className="pb-2 text-start text-slate-700">
								{t('tokens.caption', { count: active })}
							</caption>
							<thead>
								<tr className="border-b border-slate-300">
									<th scope="col" className="py-2 pe-3 text-start">
										{t('tokens.columns.name')}
									</th>
									<th scope="col" className="py-2 pe-3 text-start">
										{t('tokens.columns.prefix')}
									</th>
									<th scope="col" className="py-2 pe-3 text-start">
										{t('tokens.columns.datasets')}
									</th>
									<th scope="col" className="py-2 pe-3 text-start">
										{t('tokens.columns.created')}
									</th>
									<th scope="col" className="py-2 pe-3 text-start">
										{t('tokens.columns.lastUsed')}
									</th>
									<th scope="col" className="py-2 pe-3 text-start">
										{t('tokens.columns.status')}
									</th>
									<th scope="col" className="py-2 text-start">
										{t('tokens.columns.actions')}
									</th>
								</tr>
							</thead>
							<tbody>
								{tokens.map((tk) => (
									<tr key={tk.id} className="border-b border-slate-200 align-top">
										<th scope="row" className="py-2 pe-3 text-start font-medium">
											<bdi>{tk.name}</bdi>
										</th>
										<td className="py-2 pe-3">
											<code dir="ltr">{tk.prefix}…</code>
										</td>
										<td className="py-2 pe-3">
											{tk.datasets.length ? (
												<ul>
													{tk.datasets.map((d) => (
														<li key={d.slug}>
															<bdi>{d.name}</bdi> (<code dir="ltr">{d.slug}</code>)
														</li>
													))}
												</ul>
											) : (
												t('tokens.noDatasets')
											)}
										</td>
										<td className="py-2 pe-3">
											<DateTime value={tk.createdAt} />
										</td>
										<td className="py-2 pe-3">{tk.lastUsedAt ? <DateTime value={tk.lastUsedAt} /> : t('tokens.neverUsed')}</td>
										<td className="py-2 pe-3">
											{tk.revokedAt ? (
												<>
													{t('tokens.statusRevoked')} (<DateTime value={tk.revokedAt} />)
												</>
											) : (
												t('tokens.statusActive')
											)}
										</td>
										<td className="py-2">
											{tk.revokedAt ? null : (
												<Form method="post">
													<input type="hidden" name="intent" value="revoke" />
													<input type="hidden" name="tokenId" value={tk.id} />
													<button type="submit" className="btn">
														{t('tokens.revoke', { name: isolate(tk.name) })}
													</button>
												</Form>
											)}
										</td>
									</tr>
								))}
							</tbody>
						</table>
					</div>
				)}
			</section>

			{choices.length === 0 ? (
				<p className="card">{t('tokens.noChoices')}</p>
			) : active >= MAX_ACTIVE_TOKENS ? (
				<p className="card">{t('tokens.tooMany')}</p>
			) : (
				<ValidatedForm form={form} className="card flex flex-col gap-4">
					<h2>{t('tokens.newTitle')}</h2>
					<FormAlert id={form.errorId} errors={form.errors} />
					<input type="hidden" name="intent" value="create" />
					<Field label={t('tokens.name')} meta={fields.name} hint={t('tokens.nameHint')} autoComplete="off" />
					<fieldset aria-describedby={['token-datasets-hint', datasetsInvalid ? fields.datasets.errorId : ''].filter(Boolean).join(' ')}>
						<legend className="label">{t('tokens.datasets')}</legend>
						<p id="token-datasets-hint" className="mb-2 text-sm text-slate-700">
							{t('tokens.datasetsHint')}
						</p>
						<div className="flex flex-col gap-2">
							{getCollectionProps(fields.datasets, { type: 'checkbox', options: choices.map((c) => c.slug), ariaAttributes: false }).map(({ key, ...props }) => (
								<div key={key} className="flex items-start gap-2">
									<input {...props} aria-invalid={datasetsInvalid} className="mt-1 size-4" />
									<label htmlFor={props.id} className="text-sm">
										<bdi>{choices.find((c) => c.slug === props.value)?.name}</bdi> (<code dir="ltr">{props.value}</code>)
									</label>
								</div>
							))}
						</div>
						<ErrorList id={fields.datasets.errorId} errors={fields.datasets.errors} />
					</fieldset>
					<button type="submit" className="btn btn-primary self-start" disabled={navigation.state === 'submitting'}>
						{t('tokens.submit')}
					</button>
				</ValidatedForm>
			)}
		</div>
	)
}
