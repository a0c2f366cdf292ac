import { Link } from '@remix-run/react'
import { type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

export type Crumb = { to: string; label: string }

/** Breadcrumbs (a nav landmark) above the page's one h1. */
export function PageHeader({ crumbs, title, actions }: { crumbs?: Crumb[]; title: ReactNode; actions?: ReactNode }) {
	const { t } = useTranslation()
	return (
		<div className="mb-6 flex flex-col gap-2">
			{crumbs?.length ? (
				<nav aria-label={t('shell.breadcrumbs')}>
					<ol className="flex flex-wrap items-center gap-1 text-sm text-slate-700">
						{crumbs.map((c, i) => (
							<li key={c.to} className="flex items-center gap-1">
								{i > 0 ? <span aria-hidden="true">/</span> : null}
								<Link to={c.to} dir="auto">
									{c.label}
								</Link>
							</li>
						))}
					</ol>
				</nav>
			) : null}
			<div className="flex flex-wrap items-center justify-between gap-3">
				{/* dir="auto": a title that is a user's name takes its own direction (a translated one, the page's). */}
				<h1 dir="auto">{title}</h1>
				{actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
			</div>
		</div>
	)
}
