import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useNavigation } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Field, FormAlert, ValidatedForm } from '#app/components/forms.tsx'
import { ChangePasswordSchema } from '#app/domain/account.ts'
import { getPasswordHash, setPassword } from '#app/models/user.server.ts'
import { endAllSessions, requireUser, startSession } from '#app/utils/auth.server.ts'
import { verifyPassword } from '#app/utils/password.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['auth'], title: (t) => t('auth:password.title') }

const secretFields = ['currentPassword', 'newPassword', 'confirmPassword']

export async function loader({ request }: LoaderFunctionArgs) {
	await requireUser(request)
	return null
}

export async function action({ request }: ActionFunctionArgs) {
	const user = await requireUser(request)
	const submission = parseWithZod(await request.formData(), { schema: ChangePasswordSchema })
	if (submission.status !== 'success') {
		return data({ result: submission.reply({ hideFields: secretFields }), changed: false }, { status: 400 })
	}
	const ok = await verifyPassword(await getPasswordHash(user.id), submission.value.currentPassword)
	if (!ok) {
		return data({ result: submission.reply({ fieldErrors: { currentPassword: ['errors.wrongPassword'] }, hideFields: secretFields }), changed: false }, { status: 400 })
	}
	await setPassword(user.id, submission.value.newPassword)
	// Every session ends, here and on other devices; this browser gets a fresh one.
	await endAllSessions(user.id)
	const headers = await startSession(request, user.id)
	return data({ result: submission.reply({ resetForm: true }), changed: true }, { headers })
}

export default function ChangePassword() {
	const { t } = useTranslation(['auth', 'common'])
	const actionData = useActionData<typeof action>()
	const navigation = useNavigation()
	const [form, fields] = useForm({
		id: 'password',
		lastResult: actionData?.result,
		onValidate: ({ formData }) => parseWithZod(formData, { schema: ChangePasswordSchema }),
	})
	return (
		<div className="mx-auto max-w-md">
			<h1>{t('auth:password.title')}</h1>
			<p className="mt-2 text-slate-700">{t('auth:password.intro')}</p>
			<ValidatedForm form={form} className="card mt-6 flex flex-col gap-4">
				{actionData?.changed ? (
					<p role="status" className="alert-success">
						{t('auth:password.changed')}
					</p>
				) : null}
				<FormAlert id={form.errorId} errors={form.errors} />
				<Field label={t('auth:fields.currentPassword')} meta={fields.currentPassword} type="password" autoComplete="current-password" />
				<Field label={t('auth:fields.newPassword')} meta={fields.newPassword} type="password" autoComplete="new-password" hint={t('auth:signup.passwordHint')} />
				<Field label={t('auth:fields.confirmPassword')} meta={fields.confirmPassword} type="password" autoComplete="new-password" />
				<button type="submit" className="btn btn-primary" disabled={navigation.state === 'submitting'}>
					{t('auth:password.submit')}
				</button>
			</ValidatedForm>
		</div>
	)
}
