import { Form, Link } from '@remix-run/react'
import { type MouseEvent, useEffect, useState } from 'react'

/**
 * Confirming an action that freezes or decides (opening or closing a round, bulk "not an issue").
 * With JavaScript, the button asks in a dialog and the form carries `confirmed=yes`; without it,
 * the form arrives unconfirmed and the action answers with a confirmation page (`ConfirmPage`)
 * whose button posts the same fields again, confirmed. The server never acts on an unconfirmed post.
 */
export function ConfirmedField() {
	const [hydrated, setHydrated] = useState(false)
	useEffect(() => setHydrated(true), [])
	return hydrated ? <input type="hidden" name="confirmed" value="yes" /> : null
}

/** onClick for a submit button: a native dialog; cancelling stops the submission. */
export function confirmClick(message: string) {
	return (event: MouseEvent<HTMLButtonElement>) => {
		if (!window.confirm(message)) event.preventDefault()
	}
}

export function isConfirmed(form: FormData) {
	return form.get('confirmed') === 'yes'
}

/** The fields of a post to send again (files and the confirmation itself left out). */
export function resubmittable(form: FormData): Array<[string, string]> {
	const out: Array<[string, string]> = []
	for (const [k, v] of form) if (typeof v === 'string' && k !== 'confirmed') out.push([k, v])
	return out
}

/** The no-JavaScript confirmation: what will happen, the same post again with `confirmed=yes`, or go back. */
export function ConfirmPage({
	title,
	body,
	fields,
	confirmLabel,
	cancelLabel,
	cancelTo,
	action,
}: {
	title: string
	body: string
	fields: Array<[string, string]>
	confirmLabel: string
	cancelLabel: string
	cancelTo: string
	action?: string
}) {
	return (
		<section aria-labelledby="confirm-heading" className="card mx-auto flex max-w-xl flex-col gap-4" data-testid="confirm-page">
			<h1 id="confirm-heading">{title}</h1>
			<p>{body}</p>
			<Form method="post" action={action} className="flex flex-wrap gap-2">
				{fields.map(([k, v], i) => (
					<input key={`${k}-${i}`} type="hidden" name={k} value={v} />
				))}
				<input type="hidden" name="confirmed" value="yes" />
				<button type="submit" className="btn btn-primary">
					{confirmLabel}
				</button>
				<Link to={cancelTo} className="btn">
					{cancelLabel}
				</Link>
			</Form>
		</section>
	)
}
