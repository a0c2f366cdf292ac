import { type TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import { type IssueStatus } from '#app/domain/enums.ts'
import { isOpenBlocker } from '#app/domain/gate.ts'

type IssueLike = { kind: string; externalId: string | null; templateTarget: string | null; useCaseTitle?: string | null }

/** What an issue is about, as a reader recognises it: the sample's id, the template part, or the use case. */
export function issueTitle(t: TFunction, issue: IssueLike) {
	if (issue.kind === 'sample') return t('issues:title.sample', { id: issue.externalId ?? '' })
	if (issue.kind === 'template') return t(`issues:target.${issue.templateTarget ?? 'prompt_templates'}`)
	return t('issues:title.useCase', { title: issue.useCaseTitle ?? '' })
}

const statusTone: Record<string, string> = {
	open: 'border-amber-300 bg-amber-50 text-amber-900',
	acknowledged: 'border-sky-300 bg-sky-50 text-sky-900',
	resolved: 'border-green-300 bg-green-50 text-green-900',
}

/** Status, resolution, blocking (with why) and "needs re-review", as text — never colour alone. */
export function IssueBadges({ issue }: { issue: { status: IssueStatus; resolution: string | null; blocking: boolean; blockingReasons: string[]; needsReReview: boolean; maxSeverity?: number } }) {
	const { t } = useTranslation('issues')
	const pill = 'inline-block rounded-full border px-2 py-0.5 text-xs font-medium'
	return (
		<span className="flex flex-wrap gap-1.5">
			<span className={`${pill} ${statusTone[issue.status] ?? ''}`}>
				{t(`status.${issue.status}`)}
				{issue.resolution ? ` · ${t(`resolution.${issue.resolution}`)}` : ''}
			</span>
			{isOpenBlocker(issue) ? (
				<span className={`${pill} border-red-300 bg-red-50 text-red-900`}>
					{t('badge.blocking')}
					{issue.blockingReasons.length ? `: ${issue.blockingReasons.map((r) => t(`reason.${r}`)).join(', ')}` : ''}
				</span>
			) : null}
			{issue.needsReReview ? <span className={`${pill} border-violet-300 bg-violet-50 text-violet-900`}>{t('badge.reReview')}</span> : null}
		</span>
	)
}
