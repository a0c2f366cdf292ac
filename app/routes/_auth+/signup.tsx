import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type HeadersFunction, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormAlert, ValidatedForm } from '#app/components/forms.tsx'
import { SignUpSchema } from '#app/domain/account.ts'
import { startSignupVerification } from '#app/models/signup.server.ts'
import { createUser } from '#app/models/user.server.ts'
import { requireAnonymous, safeRedirectPath, startSession } from '#app/utils/auth.server.ts'
import { getEnv, signupNeedsVerification } from '#app/utils/env.server.ts'
import { getLanguage } from '#app/utils/i18n.server.ts'
import { appOrigin } from '#app/utils/origin.server.ts'
import { hitLimit, peekLimit } from '#app/utils/rate-limit.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['auth'], title: (t) => t('auth:signup.title') }

export async function loader({ request }: LoaderFunctionArgs) {
	await requireAnonymous(request)
	return null
}

// A document response keeps the action's Retry-After (Remix drops action headers otherwise).
export const headers: HeadersFunction = ({ actionHeaders }) => {
	const retryAfter = actionHeaders.get('Retry-After')
	return retryAfter ? { 'Retry-After': retryAfter } : new Headers()
}

export async function action({ request, context }: ActionFunctionArgs) {
	await requireAnonymous(request)
	const formData = await request.formData()
	const submission = parseWithZod(formData, { schema: SignUpSchema })
	if (submission.status !== 'success') {
		return data({ result: submission.reply({ hideFields: ['password'] }), retryAfterMinutes: null }, { status: 400 })
	}
	const env = getEnv()
	const limit = { key: `signup:ip:${context.clientIp}`, max: env.SIGNUP_LIMIT_PER_IP, windowSeconds: 3600 }
	const state = await peekLimit(limit)
	if (state.limited) {
		return data(
			{ result: submission.reply({ hideFields: ['password'] }), retryAfterMinutes: Math.ceil(state.retryAfterSeconds / 60) },
			{ status: 429, headers: { 'Retry-After': String(state.retryAfterSeconds) } },
		)
	}
	await hitLimit(limit)
	const { email, displayName, password, redirectTo } = submission.value
	if (signupNeedsVerification(env)) {
		// With email available, the address is proven first (a code sent to it) and the answer is the
		// same whether or not it already has an account.
		const id = await startSignupVerification({ email, displayName, password, language: await getLanguage(request), redirectTo: safeRedirectPath(redirectTo), origin: appOrigin(request) })
		throw redirect(`/signup/verify?${new URLSearchParams({ id })}`)
	}
	const user = await createUser({ email, displayName, password, preferredLanguage: await getLanguage(request) })
	if (!user) {
		return data({ result: submission.reply({ fieldErrors: { email: ['errors.emailTaken'] }, hideFields: ['password'] }), retryAfterMinutes: null }, { status: 400 })
	}
	const headers = await startSession(request, user.id)
	throw redirect(safeRedirectPath(redirectTo), { headers })
}

export default function SignUp() {
	const { t } = useTranslation(['auth', 'common'])
	const actionData = useActionData<typeof action>()
	const [searchParams] = useSearchParams()
	const navigation = useNavigation()
	const [form, fields] = useForm({
		id: 'signup',
		lastResult: actionData?.result,
		constraint: undefined,
		shouldRevalidate: 'onBlur',
		onValidate: ({ formData }) => parseWithZod(formData, { schema: SignUpSchema }),
	})
	const redirectTo = searchParams.get('redirectTo') ?? ''
	return (
		<div className="mx-auto max-w-md">
			<h1>{t('auth:signup.title')}</h1>
			<p className="mt-2 text-slate-700">{t('auth:signup.intro')}</p>
			<ValidatedForm form={form} className="card mt-6 flex flex-col gap-4">
				{actionData?.retryAfterMinutes ? <FormAlert>{t('common:errors.rateLimited', { count: actionData.retryAfterMinutes })}</FormAlert> : <FormAlert id={form.errorId} errors={form.errors} />}
				<input type="hidden" name="redirectTo" value={redirectTo} />
				<Field label={t('auth:fields.email')} meta={fields.email} type="email" autoComplete="email" />
				<Field label={t('auth:fields.displayName')} meta={fields.displayName} autoComplete="nickname" hint={t('auth:signup.displayNameHint')} />
				<Field label={t('auth:fields.password')} meta={fields.password} type="password" autoComplete="new-password" hint={t('auth:signup.passwordHint')} />
				<button type="submit" className="btn btn-primary" disabled={navigation.state === 'submitting'}>
					{t('auth:signup.submit')}
				</button>
			</ValidatedForm>
			<p className="mt-4 text-sm">
				{t('auth:signup.haveAccount')} <Link to={redirectTo ? `/signin?${new URLSearchParams({ redirectTo })}` : '/signin'}>{t('auth:signup.signInInstead')}</Link>
			</p>
		</div>
	)
}
