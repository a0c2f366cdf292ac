import { type FieldMetadata, type FormMetadata, FormProvider, getFormProps, getInputProps, getSelectProps, getTextareaProps, useField } from '@conform-to/react'
import { Form, type FormProps } from '@remix-run/react'
import { type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

/** Errors are translation keys; this turns them into text in the reader's language. */
export function ErrorList({ id, errors }: { id?: string; errors?: string[] | null }) {
	const { t } = useTranslation()
	if (!errors?.length) return null
	return (
		<ul id={id} className="error-text">
			{errors.map((e) => (
				<li key={e}>{t(e)}</li>
			))}
		</ul>
	)
}

/** A form-level message box, announced to screen readers when it appears. */
export function FormAlert({ id, errors, children }: { id?: string; errors?: string[] | null; children?: ReactNode }) {
	const { t } = useTranslation()
	if (!errors?.length && !children) return null
	return (
		<div id={id} role="alert" className="alert-error">
			{children}
			{errors?.map((e) => (
				<p key={e}>{t(e)}</p>
			))}
		</div>
	)
}

/**
 * A Remix <Form> (a plain POST without JavaScript) wired to Conform. The provider lets fields
 * subscribe to their own errors, so a child component re-renders when validation changes.
 */
export function ValidatedForm({ form, children, ...props }: { form: FormMetadata<any> } & Omit<FormProps, 'id'>) {
	return (
		<FormProvider context={form.context}>
			<Form method="post" {...getFormProps(form)} {...props}>
				{children}
			</Form>
		</FormProvider>
	)
}

type FieldProps = {
	label: string
	meta: FieldMetadata<any>
	type?: 'text' | 'email' | 'password' | 'number' | 'datetime-local'
	autoComplete?: string
	hint?: string
	readOnly?: boolean
}

/** Label, control, hint and errors wired together (ids, aria-describedby, aria-invalid) for every field kind. */
function FieldShell({
	meta,
	label,
	hint,
	children,
}: {
	meta: { id: string; errorId: string; errors?: string[] }
	label: string
	hint?: string
	children: (aria: { 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode
}) {
	const hintId = hint ? `${meta.id}-hint` : undefined
	const describedBy = [hintId, meta.errors?.length ? meta.errorId : undefined].filter(Boolean).join(' ') || undefined
	return (
		<div>
			<label htmlFor={meta.id} className="label">
				{label}
			</label>
			{children({ 'aria-invalid': meta.errors?.length ? true : undefined, 'aria-describedby': describedBy })}
			{hint ? (
				<p id={hintId} className="mt-1 text-sm text-slate-700">
					{hint}
				</p>
			) : null}
			<ErrorList id={meta.errorId} errors={meta.errors} />
		</div>
	)
}

export function Field({ label, meta: passed, type = 'text', autoComplete, hint, readOnly }: FieldProps) {
	const [meta] = useField<string | undefined>(passed.name, { formId: passed.formId })
	const { key, ...inputProps } = getInputProps(meta, { type, ariaAttributes: false })
	return (
		<FieldShell meta={meta} label={label} hint={hint}>
			{(aria) => <input key={key} {...inputProps} {...aria} autoComplete={autoComplete} readOnly={readOnly} className="input" />}
		</FieldShell>
	)
}

/** A multi-line field; `dir="auto"` so text in any script reads the right way. */
export function TextAreaField({ label, meta: passed, hint, rows = 4 }: { label: string; meta: FieldMetadata<any>; hint?: string; rows?: number }) {
	const [meta] = useField<string | undefined>(passed.name, { formId: passed.formId })
	const { key, ...props } = getTextareaProps(meta, { ariaAttributes: false })
	return (
		<FieldShell meta={meta} label={label} hint={hint}>
			{(aria) => <textarea key={key} {...props} {...aria} rows={rows} dir="auto" className="input" />}
		</FieldShell>
	)
}

export function SelectField({ label, meta: passed, options, hint }: { label: string; meta: FieldMetadata<any>; options: Array<{ value: string; label: string }>; hint?: string }) {
	const [meta] = useField<string | undefined>(passed.name, { formId: passed.formId })
	const { key, ...props } = getSelectProps(meta, { ariaAttributes: false })
	return (
		<FieldShell meta={meta} label={label} hint={hint}>
			{(aria) => (
				<select key={key} {...props} {...aria} className="input">
					{options.map((o) => (
						<option key={o.value} value={o.value}>
							{o.label}
						</option>
					))}
				</select>
			)}
		</FieldShell>
	)
}

/** Shown when someone else saved the same thing after this form was opened: nothing was overwritten. */
export function ConflictNotice({ show }: { show: boolean }) {
	const { t } = useTranslation()
	if (!show) return null
	return (
		<div role="alert" className="alert-error">
			{t('errors.editConflict')}
		</div>
	)
}

export function CheckboxField({ label, meta: passed, hint }: { label: string; meta: FieldMetadata<any>; hint?: string }) {
	const [meta] = useField<boolean | string | undefined>(passed.name, { formId: passed.formId })
	const hintId = hint ? `${meta.id}-hint` : undefined
	const { key, ...props } = getInputProps(meta, { type: 'checkbox', ariaAttributes: false })
	return (
		<div className="flex items-start gap-2">
			<input key={key} {...props} aria-describedby={hintId} className="mt-1 size-4" />
			<div>
				<label htmlFor={meta.id} className="text-sm font-medium">
					{label}
				</label>
				{hint ? (
					<p id={hintId} className="text-sm text-slate-700">
						{hint}
					</p>
				) : null}
				<ErrorList id={meta.errorId} errors={meta.errors} />
			</div>
		</div>
	)
}
