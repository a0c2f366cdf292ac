import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, ValidatedForm } from '#app/components/forms.tsx'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { AddMaintainerSchema, RemoveMaintainerSchema } from '#app/domain/dataset.ts'
import { addMaintainer, listTeam, removeMaintainer } from '#app/models/dataset.server.ts'
import { requireDatasetRole } from '#app/utils/permissions.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:team.title') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset } = await requireDatasetRole(request, params.slug, 'manage_team')
	return { dataset: { slug: dataset.slug, name: dataset.name }, team: await listTeam(dataset.id) }
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { dataset, user } = await requireDatasetRole(request, params.slug, 'manage_team')
	const formData = await request.formData()
	const intent = formData.get('intent')
	if (intent === 'add') {
		const submission = parseWithZod(formData, { schema: AddMaintainerSchema })
		if (submission.status !== 'success') return data({ result: submission.reply(), notice: null }, { status: 400 })
		const outcome = await addMaintainer(dataset.id, submission.value.email, user.id)
		if (outcome === 'no_account') {
			return data({ result: submission.reply({ fieldErrors: { email: ['errors.noAccountForEmail'] } }), notice: null }, { status: 400 })
		}
		return { result: submission.reply({ resetForm: true }), notice: outcome === 'added' ? 'team.added' : 'team.alreadyMember' }
	}
	if (intent === 'remove') {
		const submission = parseWithZod(formData, { schema: RemoveMaintainerSchema })
		if (submission.status !== 'success') return data({ result: null, notice: null }, { status: 400 })
		const removed = await removeMaintainer(dataset.id, submission.value.userId, user.id)
		return data({ result: null, notice: removed ? 'team.removed' : null }, { status: removed ? 200 : 404 })
	}
	throw new Response('Unknown intent', { status: 400 })
}

export default function Team() {
	const { t } = useTranslation(['datasets', 'common'])
	const { dataset, team } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const [form, fields] = useForm({
		id: 'add-maintainer',
		lastResult: actionData?.result ?? undefined,
		onValidate: ({ formData }) => parseWithZod(formData, { schema: AddMaintainerSchema }),
	})
	return (
		<div className="flex max-w-2xl flex-col gap-6">
			<PageHeader crumbs={datasetCrumbs(t, dataset)} title={t('team.title')} />
			<p className="text-slate-700">{t('team.intro')}</p>
			{actionData?.notice ? (
				<p role="status" className="alert-success">
					{t(actionData.notice)}
				</p>
			) : null}
			<ul className="flex flex-col gap-2">
				{team.map((m) => (
					<li key={m.userId} className="card flex flex-wrap items-center justify-between gap-2 p-4">
						<span>
							<span className="font-medium">{m.displayName}</span> <span className="text-sm text-slate-700">{m.email}</span> ·{' '}
							<span className="text-sm">{t(`roles.team.${m.role}`)}</span>
						</span>
						{m.role === 'maintainer' ? (
							<Form method="post">
								<input type="hidden" name="intent" value="remove" />
								<input type="hidden" name="userId" value={m.userId} />
								<button type="submit" className="btn">
									{t('team.remove', { name: m.displayName })}
								</button>
							</Form>
						) : null}
					</li>
				))}
			</ul>
			<ValidatedForm form={form} className="card flex flex-col gap-4">
				<h2>{t('team.addTitle')}</h2>
				<input type="hidden" name="intent" value="add" />
				<Field label={t('team.email')} meta={fields.email} type="email" hint={t('team.emailHint')} />
				<button type="submit" className="btn btn-primary self-start">
					{t('team.add')}
				</button>
			</ValidatedForm>
		</div>
	)
}
