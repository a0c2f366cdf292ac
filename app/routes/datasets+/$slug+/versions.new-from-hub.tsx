import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { z } from 'zod'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { DateTime } from '#app/components/date-time.tsx'
import { ErrorList, Field, FormAlert, ValidatedForm } from '#app/components/forms.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import { HubImportError, HubImportSchema, HubTokenSchema } from '#app/domain/hub.ts'
import { can } from '#app/domain/permissions.ts'
import { ProvenanceSchema, VERSION_LABEL } from '#app/domain/version.ts'
import { canChangeSamples } from '#app/domain/version-status.ts'
import { recordAudit } from '#app/models/audit.server.ts'
import { prepareHubImport } from '#app/models/hub-import.server.ts'
import { deleteHubToken, getHubTokenState, readHubToken, saveHubToken } from '#app/models/hub-token.server.ts'
import { ImportNotAllowedError } from '#app/models/import.server.ts'
import { createVersion, getVersion, listVersions } from '#app/models/version.server.ts'
import { requireDatasetRole } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { VersionLabelFields } from './__version-label-fields.tsx'
import { canStoreSecrets, SecretsKeyMissingError } from '#app/utils/secrets.server.ts'
import { intentOf, parseForm } from '#app/routes/__form.server.ts'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:hub.title') }

/** The page's import form: the version to fill (new, or a draft of that label) and what to read from the Hub. */
const HubPageSchema = HubImportSchema.extend({
	label: z.string({ error: 'validation.required' }).trim().regex(VERSION_LABEL, { error: 'validation.versionLabel' }),
	parent: z.string().trim().optional(),
})

const TokenSchema = z.object({ token: HubTokenSchema })

type HubError = { code: string; params: Record<string, string | number> }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset } = await requireDatasetRole(request, params.slug, 'manage_versions')
	const [versions, token] = await Promise.all([listVersions(dataset.id), getHubTokenState(dataset.id)])
	return {
		dataset: { slug: dataset.slug, name: dataset.name },
		versions: versions.map((v) => v.label),
		token: token.saved ? { saved: true, updatedBy: token.updatedBy, updatedAt: token.updatedAt.toISOString() } : { saved: false, updatedBy: '', updatedAt: '' },
		mayManageToken: can(dataset.role, 'manage_hub_token'),
		canStoreToken: canStoreSecrets(),
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { dataset, user } = await requireDatasetRole(request, params.slug, 'manage_versions')
	const formData = await request.formData()
	const intent = intentOf(formData) || 'import'
	const back = `/datasets/${dataset.slug}/versions/new-from-hub`

	if (intent === 'save_token' || intent === 'delete_token') {
		if (!can(dataset.role, 'manage_hub_token')) throw new Response('Forbidden', { status: 403 })
		if (intent === 'delete_token') {
			await deleteHubToken({ datasetId: dataset.id, actorId: user.id })
			throw redirect(`${back}?notice=tokenDeleted`)
		}
		const parsed = parseForm(formData, TokenSchema)
		if (!parsed.ok) return data({ result: null, hubError: null, tokenErrors: parsed.fieldErrors.token ?? ['validation.hubToken'] }, { status: 400 })
		try {
			await saveHubToken({ datasetId: dataset.id, token: parsed.value.token, actorId: user.id })
		} catch (error) {
			if (error instanceof SecretsKeyMissingError) return data({ result: null, hubError: null, tokenErrors: ['datasets:hub.token.noKey'] }, { status: 503 })
			throw error
		}
		throw redirect(`${back}?notice=tokenSaved`)
	}
	if (intent !== 'import') throw new Response('Unknown intent', { status: 400 })

	const submission = parseWithZod(formData, { schema: HubPageSchema })
	if (submission.status !== 'success') return data({ result: submission.reply(), hubError: null, tokenErrors: null }, { status: 400 })
	const { label, parent, ...hub } = submission.value
	const existing = await getVersion({ datasetId: dataset.id, label })
	if (existing && !canChangeSamples(existing.status)) {
		return data({ result: submission.reply({ fieldErrors: { label: ['datasets:hub.errors.frozen'] } }), hubError: null, tokenErrors: null }, { status: 409 })
	}
	const failed = (error: HubImportError, status = 422) => data({ result: submission.reply(), hubError: { code: error.code, params: error.params } satisfies HubError, tokenErrors: null }, { status })
	let prepared
	try {
		// The Hub is asked first: a version is created only once its files are found and readable.
		prepared = await prepareHubImport({ request: hub, token: await readHubToken(dataset.id) })
	} catch (error) {
		if (error instanceof HubImportError) return failed(error, error.code === 'network_error' || error.code === 'hub_error' ? 502 : 422)
		throw error
	}
	let versionId = existing?.id
	if (!versionId) {
		const created = await createVersion({ ...ProvenanceSchema.parse({ generationMethod: 'other' }), datasetId: dataset.id, label, parentLabel: parent || null, userId: user.id })
		if (created.error) {
			await prepared.discard()
			const field: Record<string, string[]> = created.error === 'label_taken' ? { label: ['errors.versionLabelTaken'] } : { parent: ['validation.invalidChoice'] }
			return data({ result: submission.reply({ fieldErrors: field }), hubError: null, tokenErrors: null }, { status: 400 })
		}
		versionId = created.version.id
		await recordAudit({
			datasetId: dataset.id,
			versionId,
			actorId: user.id,
			action: 'version.created',
			targetType: 'version',
			targetId: versionId,
			targetLabel: label,
			after: { label, parent: parent || null, source: `${hub.repo}@${prepared.source.sha}` },
		})
	}
	try {
		const outcome = await prepared.run({ versionId, userId: user.id })
		throw redirect(`/datasets/${dataset.slug}/versions/${encodeURIComponent(label)}/imports/${outcome.importId}`)
	} catch (error) {
		if (error instanceof HubImportError) return failed(error, error.code === 'network_error' || error.code === 'hub_error' ? 502 : 422)
		if (error instanceof ImportNotAllowedError)
			return data({ result: submission.reply({ fieldErrors: { label: ['datasets:hub.errors.frozen'] } }), hubError: null, tokenErrors: null }, { status: 409 })
		throw error
	}
}

export default function NewVersionFromHub() {
	const { t } = useTranslation(['datasets', 'common'])
	const { dataset, versions, token, mayManageToken, canStoreToken } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const [searchParams] = useSearchParams()
	const navigation = useNavigation()
	const importing = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'import'
	const notice = searchParams.get('notice')
	const [form, fields] = useForm({
		id: 'hub-import',
		lastResult: actionData?.result,
		defaultValue: { parent: versions[0] ?? '', revision: 'main', config: 'default', split: 'train' },
		onValidate: ({ formData }) => parseWithZod(formData, { schema: HubPageSchema }),
		shouldRevalidate: 'onBlur',
	})
	const hubError = actionData?.hubError
	return (
		<div className="flex max-w-3xl flex-col gap-6">
			<PageHeader crumbs={datasetCrumbs(t, dataset)} title={t('hub.title')} />
			<p className="text-slate-700">{t('hub.intro')}</p>
			{notice === 'tokenSaved' || notice === 'tokenDeleted' ? (
				<p role="status" className="alert-success">
					{t(`hub.token.${notice}`)}
				</p>
			) : null}

			<ValidatedForm form={form} className="card flex flex-col gap-6">
				<input type="hidden" name="intent" value="import" />
				<FormAlert id={form.errorId} errors={form.errors}>
					{hubError ? <p>{t(`hub.errors.${hubError.code}`, { ...hubError.params, offered: hubError.params.offered || '—' })}</p> : null}
				</FormAlert>
				<VersionLabelFields fields={fields} versions={versions} labelHint={t('hub.labelHint')} />
				<fieldset className="flex flex-col gap-4">
					<legend className="font-semibold">{t('hub.sourceTitle')}</legend>
					<Field label={t('hub.repo')} meta={fields.repo} hint={t('hub.repoHint')} />
					<div className="grid gap-4 sm:grid-cols-3">
						<Field label={t('hub.revision')} meta={fields.revision} hint={t('hub.revisionHint')} />
						<Field label={t('hub.config')} meta={fields.config} />
						<Field label={t('hub.split')} meta={fields.split} />
					</div>
				</fieldset>
				<fieldset className="flex flex-col gap-4">
					<legend className="font-semibold">{t('hub.mappingTitle')}</legend>
					<p className="text-sm text-slate-700">{t('hub.mappingIntro')}</p>
					<div className="grid gap-4 sm:grid-cols-2">
						<Field label={t('hub.idColumn')} meta={fields.idColumn} />
						<Field label={t('hub.contentColumn')} meta={fields.contentColumn} />
						<Field label={t('hub.messagesColumn')} meta={fields.messagesColumn} />
						<Field label={t('hub.languageColumn')} meta={fields.languageColumn} />
					</div>
				</fieldset>
				<p className="text-sm text-slate-700">{token.saved ? t('hub.usesToken') : t('hub.noTokenUsed')}</p>
				<button type="submit" className="btn btn-primary self-start" disabled={importing}>
					{importing ? t('hub.importing') : t('hub.submit')}
				</button>
			</ValidatedForm>

			<section aria-labelledby="hub-token-heading" className="card flex flex-col gap-3">
				<h2 id="hub-token-heading">{t('hub.token.title')}</h2>
				<p className="text-sm text-slate-700">{t('hub.token.intro')}</p>
				<p>
					{token.saved ? (
						<>
							{t('hub.token.saved', { name: token.updatedBy || '—' })} <DateTime value={token.updatedAt} />
						</>
					) : (
						t('hub.token.none')
					)}
				</p>
				{!mayManageToken ? (
					<p className="text-sm text-slate-700">{t('hub.token.ownersOnly')}</p>
				) : !canStoreToken ? (
					<p className="text-sm text-slate-700">{t('hub.token.noKey')}</p>
				) : (
					<div className="flex flex-col gap-3">
						<Form method="post" className="flex flex-col gap-2" autoComplete="off">
							<input type="hidden" name="intent" value="save_token" />
							<label htmlFor="hub-token" className="label">
								{t('hub.token.label')}
							</label>
							<input
								id="hub-token"
								name="token"
								type="password"
								required
								autoComplete="off"
								spellCheck={false}
								className="input"
								aria-invalid={actionData?.tokenErrors ? true : undefined}
								aria-describedby={actionData?.tokenErrors ? 'hub-token-error' : undefined}
							/>
							<ErrorList id="hub-token-error" errors={actionData?.tokenErrors} />
							<button type="submit" className="btn self-start">
								{token.saved ? t('hub.token.replace') : t('hub.token.save')}
							</button>
						</Form>
						{token.saved ? (
							<Form method="post">
								<input type="hidden" name="intent" value="delete_token" />
								<button type="submit" className="btn">
									{t('hub.token.delete')}
								</button>
							</Form>
						) : null}
					</div>
				)}
			</section>
		</div>
	)
}
