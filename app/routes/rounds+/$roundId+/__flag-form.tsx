import { Form, useActionData } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { flagCategories, severities } from '#app/domain/enums.ts'
import { ErrorList } from '#app/components/forms.tsx'
import { QuoteSelection } from './__review-shortcuts.tsx'

/** The flag form's answers, as the reviewer left them (a refused flag shows them again). */
export type FlagValues = {
	externalId: string
	category: string
	severity: string
	affectedGroups: string[]
	otherGroups: string
	rationale: string
	quotedSpan: string
	suggestedRewrite: string
	unsure: boolean
}

/** Where a draft flag waits (with JavaScript): this tab only, this round and this sample only. */
export const draftKey = (roundId: string, externalId: string) => `roundtable:flag-draft:${roundId}:${externalId}`

const textFields = ['otherGroups', 'rationale', 'quotedSpan', 'suggestedRewrite'] as const

function readForm(form: HTMLFormElement): Omit<FlagValues, 'externalId'> {
	const data = new FormData(form)
	const text = (name: string) => String(data.get(name) ?? '')
	return {
		category: text('category'),
		severity: text('severity'),
		affectedGroups: data.getAll('affectedGroups').map(String),
		otherGroups: text('otherGroups'),
		rationale: text('rationale'),
		quotedSpan: text('quotedSpan'),
		suggestedRewrite: text('suggestedRewrite'),
		unsure: data.get('unsure') === 'on',
	}
}

function fillForm(form: HTMLFormElement, v: Partial<FlagValues>) {
	for (const input of Array.from(form.querySelectorAll<HTMLInputElement>('input[type="radio"], input[type="checkbox"]'))) {
		if (input.name === 'category' && v.category !== undefined) input.checked = input.value === v.category
		if (input.name === 'severity' && v.severity) input.checked = input.value === v.severity
		if (input.name === 'affectedGroups' && v.affectedGroups) input.checked = v.affectedGroups.includes(input.value)
		if (input.name === 'unsure' && v.unsure !== undefined) input.checked = v.unsure
	}
	for (const name of textFields) {
		const field = form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | null
		if (field && typeof v[name] === 'string') field.value = v[name]
	}
}

/**
 * The flag form of one sample. It is keyed by the sample, so each new sample starts empty; with
 * JavaScript an unsent draft is kept in session storage under this round and this sample, and
 * restored only when the reviewer comes back to that sample. A sent flag clears its draft.
 * Without JavaScript a refused flag comes back as a new page with every answer (`refused`).
 */
export function FlagForm({
	roundId,
	externalId,
	action,
	suggestions,
	refused,
	busy,
	intercept,
}: {
	roundId: string
	externalId: string
	/** The sample's own address (with the local queue the page's address follows the sample shown). */
	action?: string
	suggestions: string[]
	refused: { fieldErrors: Record<string, string[] | undefined>; values: FlagValues } | null
	busy: boolean
	/** With the local queue: takes the flag instead of the form's post; true when it was taken (not refused). */
	intercept?: (form: HTMLFormElement) => boolean
}) {
	const { t } = useTranslation('review')
	const form = useRef<HTMLFormElement>(null)
	const sent = useRef(false)
	const actionData = useActionData()
	const key = draftKey(roundId, externalId)
	const v = refused?.values
	const errors = refused?.fieldErrors ?? {}
	// Suggested groups are checkboxes; anything else the reviewer named goes back into "other groups".
	const others = v ? [v.otherGroups, ...v.affectedGroups.filter((g) => !suggestions.includes(g))].filter(Boolean).join(', ') : ''

	useEffect(() => {
		const el = form.current
		if (!el) return
		try {
			const saved = sessionStorage.getItem(key)
			if (saved && !refused) fillForm(el, JSON.parse(saved) as Partial<FlagValues>)
		} catch {
			// Storage can be unavailable (private modes, quotas): the form simply starts empty.
		}
		const save = () => {
			try {
				sessionStorage.setItem(key, JSON.stringify(readForm(el)))
			} catch {
				// Not kept; nothing else to do.
			}
		}
		el.addEventListener('input', save)
		el.addEventListener('change', save)
		return () => {
			el.removeEventListener('input', save)
			el.removeEventListener('change', save)
			// Leaving the sample after sending its flag: the draft has become a flag.
			if (sent.current) sessionStorage.removeItem(key)
		}
		// once per sample (the form is keyed by it), so only the key is a dependency
	}, [key])
	// A refused flag stays a draft.
	useEffect(() => {
		if (actionData) sent.current = false
	}, [actionData])

	return (
		<Form
			method="post"
			action={action}
			id="flag-form"
			ref={form}
			className="card flex flex-col gap-4"
			onSubmit={(event) => {
				const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null
				if (intercept) {
					event.preventDefault()
					sent.current = intercept(event.currentTarget)
					return
				}
				if (submitter?.value === 'flag') sent.current = true
			}}
		>
			<h3 className="text-lg font-semibold">{t('flag.title')}</h3>
			<fieldset aria-describedby={errors.category ? 'category-error' : undefined}>
				<legend className="label">{t('flag.category')}</legend>
				<div className="grid gap-2 sm:grid-cols-2">
					{flagCategories.map((c, i) => (
						<div key={c} className="flex items-start gap-2">
							<input
								type="radio"
								id={`category-${c}`}
								name="category"
								value={c}
								required
								className="mt-1"
								data-category-key={i + 1}
								aria-describedby={`category-${c}-def`}
								aria-keyshortcuts={String(i + 1)}
								defaultChecked={v?.category === c}
							/>
							<div>
								<label htmlFor={`category-${c}`} className="font-medium">
									<span className="me-1 text-xs text-slate-700" aria-hidden="true">
										{i + 1}
									</span>
									{t(`categories.${c}.label`)}
								</label>
								<p id={`category-${c}-def`} className="text-sm text-slate-700">
									{t(`categories.${c}.definition`)}
								</p>
							</div>
						</div>
					))}
				</div>
				<ErrorList id="category-error" errors={errors.category} />
			</fieldset>
			<fieldset aria-describedby={errors.severity ? 'severity-error' : undefined}>
				<legend className="label">{t('flag.severity')}</legend>
				<div className="flex flex-wrap gap-4">
					{severities.map((s) => (
						<div key={s} className="flex items-center gap-2">
							<input type="radio" id={`severity-${s}`} name="severity" value={s} required defaultChecked={(v?.severity || 'minor') === s} />
							<label htmlFor={`severity-${s}`}>{t(`severity.${s}`)}</label>
						</div>
					))}
				</div>
				<ErrorList id="severity-error" errors={errors.severity} />
			</fieldset>
			<fieldset aria-describedby={errors.affectedGroups ? 'groups-error' : undefined}>
				<legend className="label">{t('flag.groups')}</legend>
				{suggestions.length ? (
					<div className="mb-2 flex flex-wrap gap-3">
						{suggestions.map((g, i) => (
							<div key={g} className="flex items-center gap-1">
								<input type="checkbox" id={`group-${i}`} name="affectedGroups" value={g} defaultChecked={!!v?.affectedGroups.includes(g)} />
								<label htmlFor={`group-${i}`} dir="auto">
									{g}
								</label>
							</div>
						))}
					</div>
				) : null}
				<label htmlFor="group-other" className="text-sm">
					{t('flag.otherGroups')}
				</label>
				<input id="group-other" name="otherGroups" className="input" dir="auto" defaultValue={others} />
				<ErrorList id="groups-error" errors={errors.affectedGroups} />
			</fieldset>
			<div>
				<label htmlFor="rationale" className="label">
					{t('flag.rationale')}
				</label>
				<textarea
					id="rationale"
					name="rationale"
					rows={3}
					maxLength={2000}
					dir="auto"
					className="input"
					aria-describedby={errors.rationale ? 'rationale-error rationale-hint' : 'rationale-hint'}
					aria-invalid={errors.rationale ? true : undefined}
					defaultValue={v?.rationale ?? ''}
				/>
				<ErrorList id="rationale-error" errors={errors.rationale} />
				<p id="rationale-hint" className="mt-1 text-sm text-slate-700">
					{t('flag.rationaleHint')}
				</p>
			</div>
			<div>
				<label htmlFor="quotedSpan" className="label">
					{t('flag.quotedSpan')}
				</label>
				<div className="flex flex-wrap gap-2">
					<input
						id="quotedSpan"
						name="quotedSpan"
						maxLength={1000}
						dir="auto"
						className="input flex-1"
						aria-describedby={errors.quotedSpan ? 'quotedSpan-error quotedSpan-hint' : 'quotedSpan-hint'}
						aria-invalid={errors.quotedSpan ? true : undefined}
						defaultValue={v?.quotedSpan ?? ''}
					/>
					<QuoteSelection target="quotedSpan" />
				</div>
				<ErrorList id="quotedSpan-error" errors={errors.quotedSpan} />
				<p id="quotedSpan-hint" className="mt-1 text-sm text-slate-700">
					{t('flag.quotedSpanHint')}
				</p>
			</div>
			<div>
				<label htmlFor="suggestedRewrite" className="label">
					{t('flag.rewrite')}
				</label>
				<textarea
					id="suggestedRewrite"
					name="suggestedRewrite"
					rows={3}
					maxLength={4000}
					dir="auto"
					className="input"
					aria-describedby={errors.suggestedRewrite ? 'suggestedRewrite-error' : undefined}
					aria-invalid={errors.suggestedRewrite ? true : undefined}
					defaultValue={v?.suggestedRewrite ?? ''}
				/>
				<ErrorList id="suggestedRewrite-error" errors={errors.suggestedRewrite} />
			</div>
			<div className="flex items-center gap-2">
				<input type="checkbox" id="unsure" name="unsure" defaultChecked={!!v?.unsure} />
				<label htmlFor="unsure">{t('flag.unsureLabel')}</label>
			</div>
			<button type="submit" name="intent" value="flag" className="btn btn-primary self-start" disabled={busy}>
				{t('flag.submit')}
			</button>
		</Form>
	)
}
