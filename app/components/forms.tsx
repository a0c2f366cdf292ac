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

type FieldProps = {
	label: string
	meta: FieldMetadata<any>
	type?: 'text' | 'email' | 'password' | 'number' | 'datetime-local'
	autoComplete?: string
	hint?: string
	readOnly?: boolean
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

export function Field({ label, meta: passed, type = 'text', autoComplete, hint, readOnly }: FieldProps) {
	const [meta] = useField<string | undefined>(passed.name, { formId: passed.formId })
	const hintId = hint ? `${meta.id}-hint` : undefined
	const describedBy = [hintId, meta.errors?.length ? meta.errorId : undefined].filter(Boolean).join(' ') || undefined
	const { key, ...inputProps } = getInputProps(meta, { type, ariaAttributes: false })
	return (
		<div>
			<label htmlFor={meta.id} className="label">
				{label}
			</label>
			<input
				key={key}
				{...inputProps}
				autoComplete={autoComplete}
				readOnly={readOnly}
				aria-invalid={meta.errors?.length ? true : undefined}
				aria-describedby={describedBy}
				className="input"
			/>
			{hint ? (
				<p id={hintId} className="mt-1 text-sm text-slate-700">
					{hint}
				</p>
			) : null}
			<ErrorList id={meta.errorId} errors={meta.errors} />
		</div>
	)
}

type TextAreaProps = { label: string; meta: FieldMetadata<any>; hint?: string; rows?: number; dir?: 'auto' }

/** A multi-line field; `dir="auto"` by default so text in any script reads the right way. */
export function TextAreaField({ label, meta: passed, hint, rows = 4 }: TextAreaProps) {
	const [meta] = useField<string | undefined>(passed.name, { formId: passed.formId })
	const hintId = hint ? `${meta.id}-hint` : undefined
	const describedBy = [hintId, meta.errors?.length ? meta.errorId : undefined].filter(Boolean).join(' ') || undefined
	const { key, ...props } = getTextareaProps(meta, { ariaAttributes: false })
	return (
		<div>
			<label htmlFor={meta.id} className="label">
				{label}
			</label>
			<textarea key={key} {...props} rows={rows} dir="auto" aria-invalid={meta.errors?.length ? true : undefined} aria-describedby={describedBy} className="input" />
			{hint ? (
				<p id={hintId} className="mt-1 text-sm text-slate-700">
					{hint}
				</p>
			) : null}
			<ErrorList id={meta.errorId} errors={meta.errors} />
		</div>
	)
}

type SelectProps = { label: string; meta: FieldMetadata<any>; options: Array<{ value: string; label: string }>; hint?: string }

export function SelectField({ label, meta: passed, options, hint }: SelectProps) {
	const [meta] = useField<string | undefined>(passed.name, { formId: passed.formId })
	const hintId = hint ? `${meta.id}-hint` : undefined
	const describedBy = [hintId, meta.errors?.length ? meta.errorId : undefined].filter(Boolean).join(' ') || undefined
	const { key, ...props } = getSelectProps(meta, { ariaAttributes: false })
	return (
		<div>
			<label htmlFor={meta.id} className="label">
				{label}
			</label>
			<select key={key} {...props} aria-invalid={meta.errors?.length ? true : undefined} aria-describedby={describedBy} className="input">
				{options.map((o) => (
					<option key={o.value} value={o.value}>
						{o.label}
					</option>
				))}
			</select>
			{hint ? (
				<p id={hintId} className="mt-1 text-sm text-slate-700">
					{hint}
				</p>
			) : null}
			<ErrorList id={meta.errorId} errors={meta.errors} />
		</div>
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
