import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { useActionData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormAlert, TextAreaField, ValidatedForm } from '#app/components/forms.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import { DatasetSchema } from '#app/domain/dataset.ts'
import { createDataset } from '#app/models/dataset.server.ts'
import { requireUser } from '#app/utils/auth.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:new.title') }

export async function loader({ request }: LoaderFunctionArgs) {
	await requireUser(request)
	return null
}

export async function action({ request }: ActionFunctionArgs) {
	const user = await requireUser(request)
	const submission = parseWithZod(await request.formData(), { schema: DatasetSchema })
	if (submission.status !== 'success') return data({ result: submission.reply() }, { status: 400 })
	const created = await createDataset({ ...submission.value, ownerId: user.id })
	if (!created) return data({ result: submission.reply({ fieldErrors: { slug: ['errors.slugTaken'] } }) }, { status: 400 })
	throw redirect(`/datasets/${created.slug}`)
}

export default function NewDataset() {
	const { t } = useTranslation(['datasets', 'common'])
	const actionData = useActionData<typeof action>()
	const [form, fields] = useForm({
		id: 'new-dataset',
		lastResult: actionData?.result,
		shouldRevalidate: 'onBlur',
		onValidate: ({ formData }) => parseWithZod(formData, { schema: DatasetSchema }),
	})
	return (
		<div className="max-w-2xl">
			<PageHeader crumbs={[{ to: '/datasets', label: t('list.title') }]} title={t('new.title')} />
			<ValidatedForm form={form} className="card flex flex-col gap-4">
				<FormAlert id={form.errorId} errors={form.errors} />
				<Field label={t('fields.name')} meta={fields.name} />
				<Field label={t('fields.slug')} meta={fields.slug} hint={t('fields.slugHint')} />
				<TextAreaField label={t('fields.description')} meta={fields.description} hint={t('fields.markdownHint')} rows={8} />
				<button type="submit" className="btn btn-primary self-start">
					{t('new.submit')}
				</button>
			</ValidatedForm>
		</div>
	)
}
