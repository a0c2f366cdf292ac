import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { ConflictNotice, FormAlert, ValidatedForm } from '#app/components/forms.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import { canChangeSamples } from '#app/domain/version-status.ts'
import { auditDiff } from '#app/domain/audit.ts'
import { EditProvenanceSchema, type ProvenanceInput, ProvenanceSchema } from '#app/domain/version.ts'
import { recordAudit } from '#app/models/audit.server.ts'
import { updateProvenance } from '#app/models/version.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { ProvenanceFields } from '../__provenance-fields.tsx'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:version.editTitle') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version } = await requireVersion(request, params, 'manage_versions')
	invariantResponse(canChangeSamples(version.status), 'Provenance is frozen once consultation starts', { status: 403 })
	const { id, parent, currentImportId, createdAt, createdBy, sampleCount, ...rest } = version
	return { dataset: { slug: dataset.slug, name: dataset.name }, version: rest }
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { dataset, version, user } = await requireVersion(request, params, 'manage_versions')
	invariantResponse(canChangeSamples(version.status), 'Provenance is frozen once consultation starts', { status: 403 })
	const submission = parseWithZod(await request.formData(), { schema: EditProvenanceSchema })
	if (submission.status !== 'success') return data({ result: submission.reply(), conflict: false }, { status: 400 })
	const saved = await updateProvenance({ ...submission.value, versionId: version.id })
	if (!saved) return data({ result: submission.reply(), conflict: true }, { status: 409 })
	// The save was guarded by the revision the form was opened at, so `version` (read just before) is what it replaced.
	const { revision, ...values } = submission.value
	const change = auditDiff(version, values, Object.keys(ProvenanceSchema.shape) as Array<keyof ProvenanceInput>)
	if (change)
		await recordAudit({
			datasetId: dataset.id,
			versionId: version.id,
			actorId: user.id,
			action: 'version.provenance_updated',
			targetType: 'version',
			targetId: version.id,
			targetLabel: version.label,
			...change,
		})
	throw redirect(`/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`)
}

export default function EditProvenance() {
	const { t } = useTranslation(['datasets', 'common'])
	const { dataset, version } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const { revision, label, status, parentId, ...values } = version
	const [form, fields] = useForm({
		id: 'edit-provenance',
		lastResult: actionData?.result,
		defaultValue: values,
		onValidate: ({ formData }) => parseWithZod(formData, { schema: EditProvenanceSchema }),
	})
	const versionPath = `/datasets/${dataset.slug}/versions/${encodeURIComponent(label)}`
	return (
		<div className="max-w-3xl">
			<PageHeader
				crumbs={[
					{ to: '/datasets', label: t('list.title') },
					{ to: `/datasets/${dataset.slug}`, label: dataset.name },
					{ to: versionPath, label },
				]}
				title={t('version.editTitle')}
			/>
			<ValidatedForm form={form} className="card flex flex-col gap-6">
				<ConflictNotice show={!!actionData?.conflict} />
				<FormAlert id={form.errorId} errors={form.errors} />
				<input type="hidden" name="revision" value={revision} />
				<ProvenanceFields fields={fields} />
				<button type="submit" className="btn btn-primary self-start">
					{t('version.save')}
				</button>
			</ValidatedForm>
		</div>
	)
}
