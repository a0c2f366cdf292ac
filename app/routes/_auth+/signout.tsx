import { type ActionFunctionArgs, redirect } from '@remix-run/node'
import { endSession } from '#app/utils/auth.server.ts'

// Signing out changes state, so it is POST only; a GET just goes home.
export async function loader() {
	return redirect('/')
}

export async function action({ request }: ActionFunctionArgs) {
	return redirect('/', { headers: await endSession(request) })
}
