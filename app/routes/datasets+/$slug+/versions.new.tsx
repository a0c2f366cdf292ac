import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormAlert, ValidatedForm } from '#app/components/forms.tsx'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { NewVersionSchema } from '#app/domain/version.ts'
import { recordAudit } from '#app/models/audit.server.ts'
import { createVersion, listVersions } from '#app/models/version.server.ts'
import { requireDatasetRole } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { VersionLabelFields } from './__version-label-fields.tsx'
import { ProvenanceFields } from './__provenance-fields.tsx'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:version.newTitle') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset } = await requireDatasetRole(request, params.slug, 'manage_versions')
	const versions = await listVersions(dataset.id)
	return { dataset: { slug: dataset.slug, name: dataset.name }, versions: versions.map((v) => v.label) }
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { dataset, user } = await requireDatasetRole(request, params.slug, 'manage_versions')
	const submission = parseWithZod(await request.formData(), { schema: NewVersionSchema })
	if (submission.status !== 'success') return data({ result: submission.reply() }, { status: 400 })
	const { label, parent, ...provenance } = submission.value
	const result = await createVersion({ ...provenance, datasetId: dataset.id, label, parentLabel: parent || null, userId: user.id })
	if (result.error === 'label_taken') return data({ result: submission.reply({ fieldErrors: { label: ['errors.versionLabelTaken'] } }) }, { status: 400 })
	if (result.error === 'parent_not_found') return data({ result: submission.reply({ fieldErrors: { parent: ['validation.invalidChoice'] } }) }, { status: 400 })
	// createVersion (app/models/version.server.ts) runs no transaction of its own: the entry follows the insert.
	const { id } = result.version!
	await recordAudit({
		datasetId: dataset.id,
		versionId: id,
		actorId: user.id,
		action: 'version.created',
		targetType: 'version',
		targetId: id,
		targetLabel: label,
		after: { label, parent: parent || null },
	})
	throw redirect(`/datasets/${dataset.slug}/versions/${encodeURIComponent(label)}`)
}

export default function NewVersion() {
	const { t } = useTranslation(['datasets', 'common'])
	const { dataset, versions } = useLoaderData<typeof loader>()
	const [searchParams] = useSearchParams()
	const actionData = useActionData<typeof action>()
	const [form, fields] = useForm({
		id: 'new-version',
		lastResult: actionData?.result,
		defaultValue: { parent: searchParams.get('parent') ?? versions[0] ?? '', generationMethod: 'persona_simulation' },
		onValidate: ({ formData }) => parseWithZod(formData, { schema: NewVersionSchema }),
	})
	return (
		<div className="max-w-3xl">
			<PageHeader crumbs={datasetCrumbs(t, dataset)} title={t('version.newTitle')} />
			<p className="mb-4 text-sm">
				<Link to={`/datasets/${dataset.slug}/versions/new-from-hub`}>{t('hub.link')}</Link>
			</p>
			<ValidatedForm form={form} className="card flex flex-col gap-6">
				<FormAlert id={form.errorId} errors={form.errors} />
				<VersionLabelFields fields={fields} versions={versions} labelHint={t('version.labelHint')} />
				<ProvenanceFields fields={fields} />
				<button type="submit" className="btn btn-primary self-start">
					{t('version.create')}
				</button>
			</ValidatedForm>
		</div>
	)
}
