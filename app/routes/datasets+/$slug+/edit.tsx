import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { ConflictNotice, Field, FormAlert, TextAreaField, ValidatedForm } from '#app/components/forms.tsx'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { EditDatasetSchema } from '#app/domain/dataset.ts'
import { slugTaken, updateDataset } from '#app/models/dataset.server.ts'
import { requireDatasetRole } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:edit.title') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset } = await requireDatasetRole(request, params.slug, 'edit')
	return { dataset: { slug: dataset.slug, name: dataset.name, description: dataset.description, revision: dataset.revision } }
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { dataset, user } = await requireDatasetRole(request, params.slug, 'edit')
	const submission = parseWithZod(await request.formData(), { schema: EditDatasetSchema })
	if (submission.status !== 'success') return data({ result: submission.reply(), conflict: false }, { status: 400 })
	if (await slugTaken(submission.value.slug, dataset.id)) {
		return data({ result: submission.reply({ fieldErrors: { slug: ['errors.slugTaken'] } }), conflict: false }, { status: 400 })
	}
	const saved = await updateDataset({ id: dataset.id, ...submission.value, actorId: user.id })
	if (!saved) return data({ result: submission.reply(), conflict: true }, { status: 409 })
	throw redirect(`/datasets/${submission.value.slug}`)
}

export default function EditDataset() {
	const { t } = useTranslation(['datasets', 'common'])
	const { dataset } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const [form, fields] = useForm({
		id: 'edit-dataset',
		lastResult: actionData?.result,
		defaultValue: { name: dataset.name, slug: dataset.slug, description: dataset.description },
		onValidate: ({ formData }) => parseWithZod(formData, { schema: EditDatasetSchema }),
	})
	return (
		<div className="max-w-2xl">
			<PageHeader crumbs={datasetCrumbs(t, dataset)} title={t('edit.title')} />
			<ValidatedForm form={form} className="card flex flex-col gap-4">
				<ConflictNotice show={!!actionData?.conflict} />
				<FormAlert id={form.errorId} errors={form.errors} />
				<input type="hidden" name="revision" value={dataset.revision} />
				<Field label={t('fields.name')} meta={fields.name} />
				<Field label={t('fields.slug')} meta={fields.slug} hint={t('fields.slugHint')} />
				<TextAreaField label={t('fields.description')} meta={fields.description} hint={t('fields.markdownHint')} rows={10} />
				<button type="submit" className="btn btn-primary self-start">
					{t('edit.submit')}
				</button>
			</ValidatedForm>
		</div>
	)
}
