import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type HeadersFunction, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormAlert, ValidatedForm } from '#app/components/forms.tsx'
import { SignInSchema } from '#app/domain/account.ts'
import { findUserForSignIn } from '#app/models/user.server.ts'
import { requireAnonymous, safeRedirectPath, startSession } from '#app/utils/auth.server.ts'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { verifyPassword } from '#app/utils/password.server.ts'
import { hitLimit, peekLimit, resetLimit } from '#app/utils/rate-limit.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['auth'], title: (t) => t('auth:signin.title') }

export async function loader({ request }: LoaderFunctionArgs) {
	await requireAnonymous(request)
	return null
}

// No anonymity guard here: signing in while signed in switches accounts (the old session ends).
// A document response keeps the action's Retry-After (Remix drops action headers otherwise).
export const headers: HeadersFunction = ({ actionHeaders }) => {
	const retryAfter = actionHeaders.get('Retry-After')
	return retryAfter ? { 'Retry-After': retryAfter } : new Headers()
}

export async function action({ request, context }: ActionFunctionArgs) {
	const formData = await request.formData()
	const submission = parseWithZod(formData, { schema: SignInSchema })
	if (submission.status !== 'success') {
		return data({ result: submission.reply({ hideFields: ['password'] }), retryAfterMinutes: null }, { status: 400 })
	}
	const { email, password, redirectTo } = submission.value
	const env = getEnv()
	const windowSeconds = env.RATE_LIMIT_WINDOW_MINUTES * 60
	// Failed attempts are counted per account and per address, in the database.
	const limits = [
		{ key: `signin:account:${sha256Hex(email)}`, max: env.SIGNIN_LIMIT_PER_ACCOUNT, windowSeconds },
		{ key: `signin:ip:${context.clientIp}`, max: env.SIGNIN_LIMIT_PER_IP, windowSeconds },
	]
	const states = await Promise.all(limits.map(peekLimit))
	const blocked = states.filter((s) => s.limited)
	if (blocked.length) {
		const retryAfter = Math.max(...blocked.map((s) => s.retryAfterSeconds))
		return data({ result: submission.reply({ hideFields: ['password'] }), retryAfterMinutes: Math.ceil(retryAfter / 60) }, { status: 429, headers: { 'Retry-After': String(retryAfter) } })
	}

	const user = await findUserForSignIn(email)
	// Unknown email and wrong password take the same time and get the same words.
	const ok = await verifyPassword(user?.passwordHash ?? null, password)
	if (!user || !ok) {
		await Promise.all(limits.map(hitLimit))
		return data({ result: submission.reply({ formErrors: ['errors.invalidCredentials'], hideFields: ['password'] }), retryAfterMinutes: null }, { status: 400 })
	}
	await resetLimit(limits[0]!.key)
	const headers = await startSession(request, user.id)
	throw redirect(safeRedirectPath(redirectTo), { headers })
}

export default function SignIn() {
	const { t } = useTranslation(['auth', 'common'])
	const actionData = useActionData<typeof action>()
	const [searchParams] = useSearchParams()
	const navigation = useNavigation()
	const [form, fields] = useForm({
		id: 'signin',
		lastResult: actionData?.result,
		shouldRevalidate: 'onBlur',
		onValidate: ({ formData }) => parseWithZod(formData, { schema: SignInSchema }),
	})
	const redirectTo = searchParams.get('redirectTo') ?? ''
	return (
		<div className="mx-auto max-w-md">
			<h1>{t('auth:signin.title')}</h1>
			<ValidatedForm form={form} className="card mt-6 flex flex-col gap-4">
				{actionData?.retryAfterMinutes ? <FormAlert>{t('common:errors.rateLimited', { count: actionData.retryAfterMinutes })}</FormAlert> : <FormAlert id={form.errorId} errors={form.errors} />}
				<input type="hidden" name="redirectTo" value={redirectTo} />
				<Field label={t('auth:fields.email')} meta={fields.email} type="email" autoComplete="username" />
				<Field label={t('auth:fields.password')} meta={fields.password} type="password" autoComplete="current-password" />
				<button type="submit" className="btn btn-primary" disabled={navigation.state === 'submitting'}>
					{t('auth:signin.submit')}
				</button>
			</ValidatedForm>
			<p className="mt-4 text-sm">
				{t('auth:signin.noAccount')} <Link to={redirectTo ? `/signup?${new URLSearchParams({ redirectTo })}` : '/signup'}>{t('auth:signin.signUpInstead')}</Link>
			</p>
		</div>
	)
}
