import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { SignupVerifySchema } from '#app/domain/account.ts'
import { verifySignup } from '#app/models/signup.server.ts'
import { parseForm } from '#app/routes/__form.server.ts'
import { requireAnonymous, startSession } from '#app/utils/auth.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['auth'], title: (t) => t('auth:verify.title') }

/** The second step of a sign-up when SMTP is configured: the code sent to the address. */
export async function loader({ request }: LoaderFunctionArgs) {
	await requireAnonymous(request)
	return { id: new URL(request.url).searchParams.get('id') ?? '' }
}

export async function action({ request }: ActionFunctionArgs) {
	await requireAnonymous(request)
	const form = await request.formData()
	const parsed = parseForm(form, SignupVerifySchema)
	if (!parsed.ok) return data({ error: 'auth:verify.errors.expired' }, { status: 400 })
	const result = await verifySignup(parsed.value.id, parsed.value.code)
	if (!result.ok) return data({ error: `auth:verify.errors.${result.reason}` }, { status: 400 })
	const headers = await startSession(request, result.userId)
	throw redirect(result.redirectTo, { headers })
}

export default function VerifySignup() {
	const { t } = useTranslation(['auth', 'common'])
	const { id } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const navigation = useNavigation()
	return (
		<div className="mx-auto max-w-md">
			<h1>{t('auth:verify.title')}</h1>
			<p className="mt-2 text-slate-700">{t('auth:verify.intro')}</p>
			<Form method="post" className="card mt-6 flex flex-col gap-4">
				{actionData?.error ? (
					<p role="alert" className="alert-error">
						{t(actionData.error)}
					</p>
				) : null}
				<input type="hidden" name="id" value={id} />
				<div>
					<label htmlFor="code" className="label">
						{t('auth:verify.code')}
					</label>
					<input id="code" name="code" required inputMode="numeric" autoComplete="one-time-code" maxLength={32} className="input" />
				</div>
				<button type="submit" className="btn btn-primary self-start" disabled={navigation.state === 'submitting'}>
					{t('auth:verify.submit')}
				</button>
			</Form>
		</div>
	)
}
