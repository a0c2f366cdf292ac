import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { ConflictNotice, FormAlert, ValidatedForm } from '#app/components/forms.tsx'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { EditUseCaseSchema } from '#app/domain/use-case.ts'
import { getUseCase, updateUseCase } from '#app/models/use-case.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireDatasetRole } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { UseCaseFields } from './__use-case-form.tsx'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:useCase.editTitle') }

const isUuid = (v: string | undefined) => !!v && /^[0-9a-f-]{36}$/i.test(v)

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset } = await requireDatasetRole(request, params.slug, 'edit')
	const useCase = isUuid(params.useCaseId) ? await getUseCase({ datasetId: dataset.id, useCaseId: params.useCaseId! }) : null
	invariantResponse(useCase, 'Not found', { status: 404 })
	return { dataset: { slug: dataset.slug, name: dataset.name }, useCase }
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { dataset, user } = await requireDatasetRole(request, params.slug, 'edit')
	invariantResponse(isUuid(params.useCaseId), 'Not found', { status: 404 })
	const submission = parseWithZod(await request.formData(), { schema: EditUseCaseSchema })
	if (submission.status !== 'success') return data({ result: submission.reply(), conflict: false }, { status: 400 })
	const { revision, ...values } = submission.value
	const existing = await getUseCase({ datasetId: dataset.id, useCaseId: params.useCaseId! })
	invariantResponse(existing, 'Not found', { status: 404 })
	const saved = await updateUseCase({ datasetId: dataset.id, useCaseId: params.useCaseId!, revision, values, userId: user.id })
	if (!saved) return data({ result: submission.reply(), conflict: true }, { status: 409 })
	throw redirect(`/datasets/${dataset.slug}#use-cases-heading`)
}

export default function EditUseCase() {
	const { t } = useTranslation(['datasets', 'common'])
	const { dataset, useCase } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const [form, fields] = useForm({
		id: 'edit-use-case',
		lastResult: actionData?.result,
		defaultValue: {
			title: useCase.title,
			purpose: useCase.purpose,
			modelUsers: useCase.modelUsers,
			deploymentContext: useCase.deploymentContext,
			pipelineStage: useCase.pipelineStage,
			riskNotes: useCase.riskNotes,
		},
		onValidate: ({ formData }) => parseWithZod(formData, { schema: EditUseCaseSchema }),
	})
	return (
		<div className="max-w-2xl">
			<PageHeader crumbs={datasetCrumbs(t, dataset)} title={t('useCase.editTitle')} />
			<ValidatedForm form={form} className="card flex flex-col gap-4">
				<ConflictNotice show={!!actionData?.conflict} />
				<FormAlert id={form.errorId} errors={form.errors} />
				<input type="hidden" name="revision" value={useCase.revision} />
				<UseCaseFields form={form} fields={fields} />
				<button type="submit" className="btn btn-primary self-start">
					{t('useCase.save')}
				</button>
			</ValidatedForm>
		</div>
	)
}
