import { type ActionFunctionArgs, redirect } from '@remix-run/node'
import { setPreferredLanguage } from '#app/models/user.server.ts'
import { getUser, safeRedirectPath } from '#app/utils/auth.server.ts'
import { languageCookie } from '#app/utils/i18n.server.ts'
import { LanguageSwitchSchema } from '#app/domain/language.ts'
import { parseForm } from '#app/routes/__form.server.ts'

export async function loader() {
	return redirect('/')
}

/** The visible language switcher: a cookie for everyone, and the profile for a signed-in user. */
export async function action({ request }: ActionFunctionArgs) {
	const form = await request.formData()
	const parsed = parseForm(form, LanguageSwitchSchema)
	const { lng, redirectTo } = parsed.ok ? parsed.value : { lng: undefined, redirectTo: undefined }
	const back = safeRedirectPath(redirectTo)
	if (!lng) return redirect(back)
	const user = await getUser(request)
	if (user) await setPreferredLanguage(user.id, lng)
	return redirect(back, { headers: { 'Set-Cookie': await languageCookie.serialize(lng) } })
}
