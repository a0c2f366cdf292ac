import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormAlert, ValidatedForm } from '#app/components/forms.tsx'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { UseCaseSchema } from '#app/domain/use-case.ts'
import { createUseCase } from '#app/models/use-case.server.ts'
import { requireDatasetRole } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { UseCaseFields } from './__use-case-form.tsx'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:useCase.newTitle') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset } = await requireDatasetRole(request, params.slug, 'edit')
	return { dataset: { slug: dataset.slug, name: dataset.name } }
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { dataset, user } = await requireDatasetRole(request, params.slug, 'edit')
	const submission = parseWithZod(await request.formData(), { schema: UseCaseSchema })
	if (submission.status !== 'success') return data({ result: submission.reply() }, { status: 400 })
	await createUseCase(dataset.id, submission.value, user.id)
	throw redirect(`/datasets/${dataset.slug}#use-cases-heading`)
}

export default function NewUseCase() {
	const { t } = useTranslation(['datasets', 'common'])
	const { dataset } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const [form, fields] = useForm({
		id: 'new-use-case',
		lastResult: actionData?.result,
		onValidate: ({ formData }) => parseWithZod(formData, { schema: UseCaseSchema }),
	})
	return (
		<div className="max-w-2xl">
			<PageHeader crumbs={datasetCrumbs(t, dataset)} title={t('useCase.newTitle')} />
			<ValidatedForm form={form} className="card flex flex-col gap-4">
				<FormAlert id={form.errorId} errors={form.errors} />
				<UseCaseFields form={form} fields={fields} />
				<button type="submit" className="btn btn-primary self-start">
					{t('useCase.create')}
				</button>
			</ValidatedForm>
		</div>
	)
}
