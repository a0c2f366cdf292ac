import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { CardList, ItemAction } from '#app/components/card-list.tsx'
import { Field, ValidatedForm } from '#app/components/forms.tsx'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { InvitationLanguageSelect } from '#app/components/language-select.tsx'
import { AddMaintainerSchema, RemoveMaintainerSchema, RevokeTeamInvitationSchema } from '#app/domain/dataset.ts'
import { teamInvitationEmail } from '#app/emails/account-emails.server.ts'
import { listTeam, removeMaintainer } from '#app/models/dataset.server.ts'
import { inviteToTeam, listTeamInvitations, revokeTeamInvitation } from '#app/models/team-invitation.server.ts'
import { sendEmail } from '#app/utils/email.server.ts'
import { getLanguage } from '#app/utils/i18n.server.ts'
import { appOrigin } from '#app/utils/origin.server.ts'
import { requireDatasetRole } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { intentOf, parseForm } from '#app/routes/__form.server.ts'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:team.title') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset } = await requireDatasetRole(request, params.slug, 'manage_team')
	const [team, invitations] = await Promise.all([listTeam(dataset.id), listTeamInvitations(dataset.id)])
	return {
		dataset: { slug: dataset.slug, name: dataset.name },
		team,
		invitations: invitations.map((i) => ({ id: i.id, email: i.email, state: i.state, expiresAt: i.expiresAt.toISOString() })),
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { dataset, user } = await requireDatasetRole(request, params.slug, 'manage_team')
	const formData = await request.formData()
	const intent = intentOf(formData)
	if (intent === 'add') {
		const submission = parseWithZod(formData, { schema: AddMaintainerSchema })
		if (submission.status !== 'success') return data({ result: submission.reply(), notice: null }, { status: 400 })
		// An invitation the person accepts, never a direct add: the answer is the same whether or not
		// the address has an account (decision 028).
		const language = submission.value.language ?? (await getLanguage(request))
		const outcome = await inviteToTeam({ datasetId: dataset.id, email: submission.value.email, language, actorId: user.id })
		if (outcome.result === 'already_member') return { result: submission.reply({ resetForm: true }), notice: 'team.alreadyMember' }
		const content = teamInvitationEmail({ language, datasetName: dataset.name, link: `${appOrigin(request)}/team-invitations/${outcome.token}`, expiresAt: outcome.expiresAt })
		await sendEmail({ to: submission.value.email, language, kind: 'team_invitation', datasetId: dataset.id, ...content })
		return { result: submission.reply({ resetForm: true }), notice: 'team.invited' }
	}
	if (intent === 'revoke_invitation') {
		const parsed = parseForm(formData, RevokeTeamInvitationSchema)
		const done = parsed.ok && (await revokeTeamInvitation(dataset.id, parsed.value.invitationId))
		return data({ result: null, notice: done ? 'team.invitationRevoked' : null }, { status: done ? 200 : 404 })
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
	const { dataset, team, invitations } = useLoaderData<typeof loader>()
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
			<CardList items={team} keyOf={(m) => m.userId}>
				{(m) => ({
					text: (
						<span>
							<span className="font-medium">{m.displayName}</span> <span className="text-sm text-slate-700">{m.email}</span> · <span className="text-sm">{t(`roles.team.${m.role}`)}</span>
						</span>
					),
					action: m.role === 'maintainer' ? <ItemAction intent="remove" name="userId" value={m.userId} label={t('team.remove', { name: m.displayName })} /> : null,
				})}
			</CardList>
			{invitations.length ? (
				<section aria-labelledby="team-invitations-heading" className="flex flex-col gap-2">
					<h2 id="team-invitations-heading">{t('team.invitationsTitle')}</h2>
					<CardList items={invitations} keyOf={(i) => i.id}>
						{(i) => ({
							text: (
								<span>
									<span className="text-sm">{i.email}</span> · <span className="text-sm">{t(`team.invitationStates.${i.state}`)}</span>
								</span>
							),
							action: i.state === 'pending' ? <ItemAction intent="revoke_invitation" name="invitationId" value={i.id} label={t('team.revokeInvitation', { email: i.email })} /> : null,
						})}
					</CardList>
				</section>
			) : null}
			<ValidatedForm form={form} className="card flex flex-col gap-4">
				<h2>{t('team.addTitle')}</h2>
				<input type="hidden" name="intent" value="add" />
				<Field label={t('team.email')} meta={fields.email} type="email" hint={t('team.emailHint')} />
				<InvitationLanguageSelect id="team-language" label={t('team.language')} defaultLabel={t('team.languageMine')} />
				<button type="submit" className="btn btn-primary self-start">
					{t('team.add')}
				</button>
			</ValidatedForm>
		</div>
	)
}
