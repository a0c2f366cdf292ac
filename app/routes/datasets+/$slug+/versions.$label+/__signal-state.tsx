import { Link } from '@remix-run/react'
import { type TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import { useChartFormat } from '#app/components/charts/format.ts'
import { type SignalState } from '#app/domain/signals/status.ts'

/** "queued", "computing n of N", "ready", "failed: …": the signals' state in words. */
export function signalStateText(t: TFunction | ((key: string, options?: Record<string, unknown>) => string), state: SignalState, number: (n: number) => string): string {
	const tr = t as (key: string, options?: Record<string, unknown>) => string
	if (state.status === 'queued') return tr('signals:state.queued')
	if (state.status === 'running') return tr('signals:state.running', { done: number(state.done), total: number(state.total) })
	if (state.status === 'succeeded') return tr('signals:state.succeeded')
	if (state.status === 'failed') return tr('signals:state.failed', { error: state.error })
	return tr('signals:state.none')
}

/** The version page's line about its signals, with the link once they are ready. */
export function SignalStateLine({ state, href }: { state: SignalState; href: string }) {
	const { t } = useTranslation('signals')
	const f = useChartFormat()
	return (
		<p data-testid="signal-state" role={state.status === 'running' || state.status === 'queued' ? 'status' : undefined}>
			<span className="font-medium">{t('state.label')}</span> {signalStateText(t, state, f.number)}{' '}
			{state.status === 'running' ? <progress max={Math.max(state.total, 1)} value={state.done} aria-label={t('title')} className="align-middle" /> : null}
			{state.status === 'succeeded' ? <Link to={href}>{t('state.view')}</Link> : null}
		</p>
	)
}
