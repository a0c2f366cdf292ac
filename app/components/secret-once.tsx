import { type ReactNode } from 'react'

type Props = {
	heading: string
	/** Said between the heading and the field, e.g. what the secret belongs to. */
	explanation?: ReactNode
	label: string
	value: string
	/** That this is the only time the secret is shown: the field is described by it. */
	warning: string
	ids: { field: string; warning: string }
	/**
	 * `status` when nothing else on the page announces the result of the form: the panel is then
	 * the status message, its heading in bold. `section` when a separate notice already does: the
	 * panel is a region named by its own heading (and its warning in the card's muted text).
	 */
	frame: { as: 'status' } | { as: 'section'; headingId: string }
}

/**
 * A secret shown once, in the response that made it (an API token, a webhook signing secret): in
 * a read-only field to select and copy, described by the warning that it will not be shown again.
 * Left to right in every page direction; never spell-checked (some spell-checkers send the text
 * away) or autofilled.
 */
export function SecretOnce({ heading, explanation, label, value, warning, ids, frame }: Props) {
	const status = frame.as === 'status'
	const content = (
		<>
			{status ? <p className="font-semibold">{heading}</p> : <h2 id={frame.headingId}>{heading}</h2>}
			{explanation}
			<label htmlFor={ids.field} className="label">
				{label}
			</label>
			<input id={ids.field} readOnly value={value} dir="ltr" spellCheck={false} autoComplete="off" aria-describedby={ids.warning} className="input font-mono" />
			<p id={ids.warning} className={status ? 'text-sm' : 'text-sm text-slate-700'}>
				{warning}
			</p>
		</>
	)
	return status ? (
		<div role="status" className="alert-success flex flex-col gap-2">
			{content}
		</div>
	) : (
		<section aria-labelledby={frame.headingId} className="card flex flex-col gap-2 border-green-300">
			{content}
		</section>
	)
}
