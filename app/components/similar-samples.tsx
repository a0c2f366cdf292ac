import { Form, Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { useChartFormat } from '#app/components/charts/format.ts'
import { type SimilarIndexState } from '#app/domain/similar/status.ts'

export type SimilarItem = { externalId: string; similarity: number; shared: Array<'text' | 'template' | 'persona'> }

/** While the text index is not ready, the section says so (template × persona matches are there already). */
export function SimilarIndexLine({ state }: { state: SimilarIndexState }) {
	const { t } = useTranslation('datasets')
	const f = useChartFormat()
	if (state.status === 'succeeded') return null
	const text =
		state.status === 'running'
			? t('similar.index.running', { done: f.number(state.done), total: f.number(state.total) })
			: state.status === 'failed'
				? t('similar.index.failed', { error: state.error })
				: t(`similar.index.${state.status}`)
	return (
		<p data-testid="similar-index" role={state.status === 'failed' ? undefined : 'status'} className="text-sm text-slate-700">
			{text}
		</p>
	)
}

/**
 * Similar samples as a list: each links to its sample, with its text similarity and what it shares.
 * With `select`, each has a checkbox named `sample` (the issue page's "add to this issue" form).
 */
export function SimilarList({ items, versionPath, select }: { items: SimilarItem[]; versionPath: string; select?: { form: string } }) {
	const { t } = useTranslation('datasets')
	const f = useChartFormat()
	return (
		<ul className="flex flex-col divide-y divide-slate-200" data-testid="similar-list">
			{items.map((s) => (
				<li key={s.externalId} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2">
					{select ? (
						<input type="checkbox" name="sample" value={s.externalId} form={select.form} id={`similar-${s.externalId}`} aria-label={t('similar.select', { id: s.externalId })} className="h-5 w-5" />
					) : null}
					<Link to={`${versionPath}/samples/${encodeURIComponent(s.externalId)}`} className="font-mono" dir="auto">
						{s.externalId}
					</Link>
					<span>{t('similar.similarity', { value: f.percent(s.similarity) })}</span>
					<span className="text-sm text-slate-700">{s.shared.map((k) => t(`similar.shared.${k}`)).join(' · ')}</span>
				</li>
			))}
		</ul>
	)
}

/** The threshold, a GET form (the address keeps it; no JavaScript needed). `invalid`: the value given was refused and the default is shown. */
export function SimilarThresholdForm({ min, invalid = false }: { min: number; invalid?: boolean }) {
	const { t } = useTranslation('datasets')
	return (
		<Form method="get" className="flex flex-wrap items-end gap-3" aria-label={t('similar.thresholdForm')}>
			<div className="flex flex-col gap-1">
				<label htmlFor="similar-min" className="text-sm font-medium">
					{t('similar.min')}
				</label>
				<input
					id="similar-min"
					name="min"
					type="number"
					min={0.1}
					max={1}
					step={0.05}
					defaultValue={min}
					className="input w-28"
					aria-invalid={invalid || undefined}
					aria-describedby={invalid ? 'similar-min-error' : 'similar-min-hint'}
				/>
				{invalid ? (
					<p id="similar-min-error" className="text-sm text-red-700">
						{t('similar.invalid')}
					</p>
				) : (
					<p id="similar-min-hint" className="text-xs text-slate-700">
						{t('similar.minHint')}
					</p>
				)}
			</div>
			<button type="submit" className="btn">
				{t('similar.apply')}
			</button>
		</Form>
	)
}
