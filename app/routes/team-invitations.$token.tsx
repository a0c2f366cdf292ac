import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useLocation } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { InvitationAccount, InvitationClosed } from '#app/components/invitation-card.tsx'
import { acceptTeamInvitation, findTeamInvitation } from '#app/models/team-invitation.server.ts'
import { getUser } from '#app/utils/auth.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['datasets', 'auth'], title: (t) => t('datasets:teamAccept.title') }

/** An invitation to a dataset's team: the invitee signs in (or signs up) with the invited address and accepts. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const invitation = await findTeamInvitation(params.token)
	if (!invitation) return data({ state: 'invalid' as const, invitation: null, user: null }, { status: 404 })
	const user = await getUser(request)
	const view = { datasetName: invitation.datasetName, email: invitation.state === 'pending' ? invitation.email : null }
	return data({ state: invitation.state, invitation: view, user: user ? { email: user.email } : null }, { status: invitation.state === 'pending' ? 200 : 410 })
}

export async function action({ request, params }: ActionFunctionArgs) {
	const token = params.token ?? ''
	const user = await getUser(request)
	if (!user) throw redirect(`/signin?${new URLSearchParams({ redirectTo: `/team-invitations/${token}` })}`)
	const result = await acceptTeamInvitation(token, user)
	if (!result.ok) return data({ error: `datasets:teamAccept.errors.${result.reason}` }, { status: result.reason === 'wrong_account' ? 403 : 410 })
	throw redirect(`/datasets/${result.slug}`)
}

export default function AcceptTeamInvitation() {
	const { t } = useTranslation(['datasets', 'auth'])
	const { state, invitation, user } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const here = useLocation().pathname
	if (state !== 'pending' || !invitation) {
		return <InvitationClosed title={t('teamAccept.title')} body={t(`teamAccept.states.${state}`)} />
	}
	return (
		<div className="mx-auto flex max-w-xl flex-col gap-4">
			<h1>{t('teamAccept.heading', { dataset: invitation.datasetName })}</h1>
			<p>{t('teamAccept.intro', { email: invitation.email })}</p>
			{actionData?.error ? (
				<p role="alert" className="alert-error">
					{t(actionData.error)}
				</p>
			) : null}
			<InvitationAccount
				user={user}
				invitedEmail={invitation.email}
				labels={{ wrongAccount: t('teamAccept.wrongAccount', { current: user?.email, invited: invitation.email }), switchAccount: t('teamAccept.switchAccount'), accept: t('teamAccept.accept') }}
				signedOut={
					<div className="card flex flex-wrap gap-3">
						<Link to={`/signin?${new URLSearchParams({ redirectTo: here })}`} className="btn btn-primary">
							{t('auth:signin.submit')}
						</Link>
						<Link to={`/signup?${new URLSearchParams({ redirectTo: here })}`} className="btn">
							{t('auth:signup.submit')}
						</Link>
					</div>
				}
			/>
		</div>
	)
}
