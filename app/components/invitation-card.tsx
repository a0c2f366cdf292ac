import { Form, useLocation } from '@remix-run/react'
import { type ReactNode } from 'react'

/** An invitation link that can no longer be used (invalid, expired, revoked…): what happened, and what may be done. */
export function InvitationClosed({ title, body, children }: { title: string; body: string; children?: ReactNode }) {
	return (
		<div className="card mx-auto max-w-xl">
			<h1>{title}</h1>
			<p className="mt-3">{body}</p>
			{children}
		</div>
	)
}

/**
 * What an invitation page offers, by who is signed in: the invited account accepts; another account
 * is told so and may sign out to switch; no account gets `signedOut` (sign in, or sign up).
 * Round and team invitations differ in their words and in `acceptIntent` only.
 */
export function InvitationAccount({
	user,
	invitedEmail,
	labels,
	acceptIntent,
	signedOut,
}: {
	user: { email: string } | null
	invitedEmail: string | null
	labels: { wrongAccount: string; switchAccount: string; accept: string }
	acceptIntent?: string
	signedOut: ReactNode
}) {
	const here = useLocation().pathname
	if (user && user.email !== invitedEmail) {
		return (
			<div role="alert" className="card flex flex-col gap-3">
				<p>{labels.wrongAccount}</p>
				<Form method="post" action={`/signout?redirectTo=${encodeURIComponent(here)}`}>
					<button type="submit" className="btn">
						{labels.switchAccount}
					</button>
				</Form>
			</div>
		)
	}
	if (user) {
		return (
			<Form method="post" className="card">
				<button type="submit" name={acceptIntent ? 'intent' : undefined} value={acceptIntent} className="btn btn-primary">
					{labels.accept}
				</button>
			</Form>
		)
	}
	return <>{signedOut}</>
}
