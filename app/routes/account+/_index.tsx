import { getSelectProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { ErrorList, Field, ValidatedForm } from '#app/components/forms.tsx'
import { ProfileSchema } from '#app/domain/account.ts'
import { getProfile, updateProfile } from '#app/models/user.server.ts'
import { requireUser } from '#app/utils/auth.server.ts'
import { supportedLanguages } from '#app/domain/enums.ts'
import { languageNames } from '#app/utils/i18n.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['auth', 'api'], title: (t) => t('auth:profile.title') }

export async function loader({ request }: LoaderFunctionArgs) {
	const user = await requireUser(request)
	const profile = await getProfile(user.id)
	invariantResponse(profile, 'Not found', { status: 404 })
	return { profile }
}

export async function action({ request }: ActionFunctionArgs) {
	const user = await requireUser(request)
	const submission = parseWithZod(await request.formData(), { schema: ProfileSchema })
	if (submission.status !== 'success') return data({ result: submission.reply(), saved: false }, { status: 400 })
	await updateProfile(user.id, {
		displayName: submission.value.displayName,
		preferredLanguage: submission.value.preferredLanguage ?? null,
	})
	return { result: submission.reply(), saved: true }
}

export default function Profile() {
	const { t } = useTranslation(['auth', 'common', 'api'])
	const { profile } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const navigation = useNavigation()
	const [form, fields] = useForm({
		id: 'profile',
		lastResult: actionData?.result,
		defaultValue: { displayName: profile.displayName, preferredLanguage: profile.preferredLanguage ?? '' },
		onValidate: ({ formData }) => parseWithZod(formData, { schema: ProfileSchema }),
	})
	const { key: selectKey, ...selectProps } = getSelectProps(fields.preferredLanguage, { ariaAttributes: false })
	return (
		<div className="mx-auto max-w-md">
			<h1>{t('auth:profile.title')}</h1>
			<ValidatedForm form={form} className="card mt-6 flex flex-col gap-4">
				{actionData?.saved ? (
					<p role="status" className="alert-success">
						{t('auth:profile.saved')}
					</p>
				) : null}
				<div>
					<span className="label">{t('auth:fields.email')}</span>
					<p className="text-slate-800">{profile.email}</p>
				</div>
				<Field label={t('auth:fields.displayName')} meta={fields.displayName} autoComplete="nickname" />
				<div>
					<label htmlFor={fields.preferredLanguage.id} className="label">
						{t('auth:fields.preferredLanguage')}
					</label>
					<select key={selectKey} {...selectProps} className="input" aria-describedby={`${fields.preferredLanguage.id}-hint`}>
						<option value="">{t('auth:profile.languageAuto')}</option>
						{supportedLanguages.map((lng) => (
							<option key={lng} value={lng} lang={lng}>
								{languageNames[lng]}
							</option>
						))}
					</select>
					<p id={`${fields.preferredLanguage.id}-hint`} className="mt-1 text-sm text-slate-700">
						{t('auth:profile.languageHint')}
					</p>
					<ErrorList id={fields.preferredLanguage.errorId} errors={fields.preferredLanguage.errors} />
				</div>
				<button type="submit" className="btn btn-primary" disabled={navigation.state === 'submitting'}>
					{t('auth:profile.submit')}
				</button>
			</ValidatedForm>
			<section aria-labelledby="api-tokens-heading" className="card mt-6 flex flex-col gap-2">
				<h2 id="api-tokens-heading">{t('api:tokens.title')}</h2>
				<p className="text-sm text-slate-700">{t('api:tokens.summary')}</p>
				<Link to="/account/tokens" className="self-start">
					{t('api:tokens.manage')}
				</Link>
			</section>
		</div>
	)
}
