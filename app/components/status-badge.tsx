import { useTranslation } from 'react-i18next'

const tone: Record<string, string> = {
	draft: 'bg-slate-100 text-slate-800 border-slate-300',
	in_consultation: 'bg-amber-50 text-amber-900 border-amber-300',
	approved: 'bg-green-50 text-green-900 border-green-300',
	blocked: 'bg-red-50 text-red-900 border-red-300',
	released: 'bg-indigo-50 text-indigo-900 border-indigo-300',
	archived: 'bg-slate-50 text-slate-700 border-slate-300',
}

/** A version's status; an approval that overrode blocking issues says so wherever the version is shown. */
export function VersionStatusBadge({ status, overriddenBlockers = 0 }: { status: string; overriddenBlockers?: number }) {
	const { t } = useTranslation(['datasets', 'issues'])
	const overridden = overriddenBlockers > 0 && (status === 'approved' || status === 'released')
	return (
		<span className={`inline-block rounded-full border px-2 py-0.5 text-xs font-medium ${overridden ? 'border-red-300 bg-red-50 text-red-900' : (tone[status] ?? '')}`}>
			{t(`versionStatus.${status}`)}
			{overridden ? ` · ${t('issues:gate.overriddenBadge', { count: overriddenBlockers })}` : null}
		</span>
	)
}
