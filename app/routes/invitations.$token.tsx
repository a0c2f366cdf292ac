import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useLocation } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Sentence } from '#app/components/bidi.tsx'
import { InvitationAccount, InvitationClosed } from '#app/components/invitation-card.tsx'
import { emailField, InvitationSignupSchema, PASSWORD_MIN } from '#app/domain/account.ts'
import { acceptInvitation, findInvitation, roundTeam } from '#app/models/invitation.server.ts'
import { notify } from '#app/models/notification.server.ts'
import { startSignupVerification } from '#app/models/signup.server.ts'
import { createUser } from '#app/models/user.server.ts'
import { getUser, startSession } from '#app/utils/auth.server.ts'
import { signupNeedsVerification } from '#app/utils/env.server.ts'
import { getLanguage } from '#app/utils/i18n.server.ts'
import { appOrigin } from '#app/utils/origin.server.ts'
import { intentOf, parseForm } from '#app/routes/__form.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

// Every namespace the page reads must be listed: the browser loads only these before hydrating, and
// a missing one ('auth' was) renders keys instead of words, a hydration error (React 418).
export const handle: RouteHandle = { i18n: ['rounds', 'auth'], title: (t) => t('rounds:accept.title') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const invitation = await findInvitation(params.token)
	const user = await getUser(request)
	if (!invitation) return data({ state: 'invalid' as const, invitation: null, user: null, hasAccount: false }, { status: 404 })
	if (invitation.state === 'accepted' && user && invitation.acceptedBy === user.id) throw redirect(`/rounds/${invitation.roundId}`)
	// To anyone but the person who accepted, an accepted link looks exactly like a pending one, and
	// the page says nothing about whether the address has an account (decision 027).
	const state = invitation.shown
	const view = {
		roundTitle: invitation.roundTitle,
		datasetName: invitation.datasetName,
		role: invitation.role,
		message: invitation.message,
		// The invited address is shown only to someone holding the link, to say which account to use.
		email: state === 'pending' ? invitation.email : null,
		expiresAt: invitation.expiresAt.toISOString(),
	}
	const status = state === 'pending' ? 200 : 410
	return data({ state, invitation: view, user: user ? { email: user.email } : null }, { status })
}

export async function action({ request, params }: ActionFunctionArgs) {
	const token = params.token ?? ''
	const form = await request.formData()
	const intent = intentOf(form)
	const invitation = await findInvitation(token)
	if (!invitation) return data({ error: 'accept.errors.invalid' }, { status: 404 })
	if (!['request_new_link', 'signup', 'accept'].includes(intent)) throw new Response('Unknown intent', { status: 400 })

	if (intent === 'request_new_link') {
		// Expired links are not a dead end: the team is told someone wants a new one.
		if (invitation.shown === 'expired') await notify(await roundTeam(invitation.roundId), 'invitation_renewal_requested', { round: invitation.roundTitle }, `/datasets`)
		return { error: null, requested: true }
	}

	let user = await getUser(request)
	let headers: Headers | undefined
	if (intent === 'signup' && !user) {
		if (invitation.shown !== 'pending') return data({ error: `accept.errors.${invitation.shown}` }, { status: 410 })
		const parsed = parseForm(form, InvitationSignupSchema)
		// One message for the page, the first field's.
		if (!parsed.ok) return data({ error: Object.values(parsed.fieldErrors).flat()[0] ?? 'accept.errors.displayName' }, { status: 400 })
		const { displayName, password } = parsed.value
		// The account is created for the invited address, whatever the form says.
		const email = emailField.parse(invitation.email)
		if (signupNeedsVerification()) {
			// Holding the link is not holding the mailbox: the address is proven by a separate code.
			const id = await startSignupVerification({ email, displayName, password, language: await getLanguage(request), redirectTo: `/invitations/${token}`, origin: appOrigin(request) })
			throw redirect(`/signup/verify?${new URLSearchParams({ id })}`)
		}
		const created = await createUser({ email, displayName, password, preferredLanguage: await getLanguage(request) })
		if (!created) return data({ error: 'accept.errors.accountExists' }, { status: 400 })
		headers = await startSession(request, created.id)
		user = { id: created.id, email, displayName, preferredLanguage: null }
	}
	if (!user) throw redirect(`/signin?${new URLSearchParams({ redirectTo: `/invitations/${token}` })}`)
	const result = await acceptInvitation(token, user)
	if (!result.ok) return data({ error: `accept.errors.${result.reason}` }, { status: result.reason === 'wrong_account' ? 403 : 410, headers })
	throw redirect(`/rounds/${result.roundId}/consent`, { headers })
}

export default function AcceptInvitation() {
	const { t } = useTranslation(['rounds', 'auth', 'common'])
	const { state, invitation, user } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const here = useLocation().pathname
	if (state !== 'pending' || !invitation) {
		return (
			<InvitationClosed title={t(`accept.states.${state}.title`)} body={t(`accept.states.${state}.body`)}>
				{state === 'expired' ? (
					actionData && 'requested' in actionData ? (
						<p role="status" className="alert-success mt-4">
							{t('accept.requested')}
						</p>
					) : (
						<Form method="post" className="mt-4">
							<button type="submit" name="intent" value="request_new_link" className="btn btn-primary">
								{t('accept.requestNewLink')}
							</button>
						</Form>
					)
				) : null}
			</InvitationClosed>
		)
	}
	return (
		<div className="mx-auto flex max-w-xl flex-col gap-4">
			<h1>
				<Sentence t={t} k="accept.heading" values={{ round: invitation.roundTitle }} />
			</h1>
			<p>
				<Sentence t={t} k={invitation.role === 'expert' ? 'accept.introExpert' : 'accept.introCommunity'} values={{ dataset: invitation.datasetName }} />
			</p>
			{invitation.message ? (
				<blockquote dir="auto" className="whitespace-pre-wrap border-s-4 border-slate-300 ps-3 text-slate-800">
					{invitation.message}
				</blockquote>
			) : null}
			{actionData?.error ? (
				<p role="alert" className="alert-error">
					{t(actionData.error)}
				</p>
			) : null}
			<InvitationAccount
				user={user}
				invitedEmail={invitation.email}
				labels={{ wrongAccount: t('accept.wrongAccount', { current: user?.email, invited: invitation.email }), switchAccount: t('accept.switchAccount'), accept: t('accept.accept') }}
				acceptIntent="accept"
				signedOut={
					<>
						<div className="card flex flex-col gap-3">
							<p>{t('accept.signInFirst', { email: invitation.email })}</p>
							<Link to={`/signin?${new URLSearchParams({ redirectTo: here })}`} className="btn btn-primary self-start">
								{t('auth:signin.submit')}
							</Link>
						</div>
						<Form method="post" className="card flex flex-col gap-4">
							<h2>{t('accept.createAccount')}</h2>
							<div>
								<label htmlFor="invited-email" className="label">
									{t('auth:fields.email')}
								</label>
								<input id="invited-email" type="email" value={invitation.email ?? ''} readOnly className="input bg-slate-100" aria-describedby="invited-email-hint" />
								<p id="invited-email-hint" className="mt-1 text-sm text-slate-700">
									{t('accept.emailFixed')}
								</p>
							</div>
							<div>
								<label htmlFor="displayName" className="label">
									{t('auth:fields.displayName')}
								</label>
								<input id="displayName" name="displayName" required maxLength={80} autoComplete="nickname" className="input" aria-describedby="displayName-hint" />
								<p id="displayName-hint" className="mt-1 text-sm text-slate-700">
									{t('auth:signup.displayNameHint')}
								</p>
							</div>
							<div>
								<label htmlFor="password" className="label">
									{t('auth:fields.password')}
								</label>
								<input id="password" name="password" type="password" required minLength={PASSWORD_MIN} autoComplete="new-password" className="input" aria-describedby="password-hint" />
								<p id="password-hint" className="mt-1 text-sm text-slate-700">
									{t('auth:signup.passwordHint')}
								</p>
							</div>
							<button type="submit" name="intent" value="signup" className="btn btn-primary self-start">
								{t('accept.createAndAccept')}
							</button>
						</Form>
					</>
				}
			/>
		</div>
	)
}
