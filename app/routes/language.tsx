import { type ActionFunctionArgs, redirect } from '@remix-run/node'
import { setPreferredLanguage } from '#app/models/user.server.ts'
import { getUser, safeRedirectPath } from '#app/utils/auth.server.ts'
import { languageCookie } from '#app/utils/i18n.server.ts'
import { isSupportedLanguage } from '#app/utils/i18n.ts'

export async function loader() {
	return redirect('/')
}

/** The visible language switcher: a cookie for everyone, and the profile for a signed-in user. */
export async function action({ request }: ActionFunctionArgs) {
	const form = await request.formData()
	const lng = form.get('lng')
	const back = safeRedirectPath(form.get('redirectTo'))
	if (!isSupportedLanguage(lng)) return redirect(back)
	const user = await getUser(request)
	if (user) await setPreferredLanguage(user.id, lng)
	return redirect(back, { headers: { 'Set-Cookie': await languageCookie.serialize(lng) } })
}
