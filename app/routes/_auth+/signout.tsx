import { type ActionFunctionArgs, redirect } from '@remix-run/node'
import { endSession, safeRedirectPath } from '#app/utils/auth.server.ts'

// Signing out changes state, so it is POST only; a GET just goes home.
export async function loader() {
	return redirect('/')
}

export async function action({ request }: ActionFunctionArgs) {
	// e.g. an invitation page asking to switch accounts sends people back to it.
	const back = safeRedirectPath(new URL(request.url).searchParams.get('redirectTo'))
	return redirect(back === '/' ? '/' : `/signin?${new URLSearchParams({ redirectTo: back })}`, { headers: await endSession(request) })
}
