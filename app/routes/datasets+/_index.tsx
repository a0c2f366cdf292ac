import { type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { PageHeader } from '#app/components/page-header.tsx'
import { listDatasetsForMember } from '#app/models/dataset.server.ts'
import { requireUser } from '#app/utils/auth.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:list.title') }

export async function loader({ request }: LoaderFunctionArgs) {
	const user = await requireUser(request)
	return { datasets: await listDatasetsForMember(user.id) }
}

export default function MyDatasets() {
	const { t } = useTranslation('datasets')
	const { datasets } = useLoaderData<typeof loader>()
	return (
		<div>
			<PageHeader
				title={t('list.title')}
				actions={
					<Link to="/datasets/new" className="btn btn-primary">
						{t('list.new')}
					</Link>
				}
			/>
			{datasets.length === 0 ? (
				<p className="card text-slate-700">{t('list.empty')}</p>
			) : (
				<ul className="flex flex-col gap-3">
					{datasets.map((d) => (
						<li key={d.slug} className="card flex flex-wrap items-baseline justify-between gap-2">
							<Link to={`/datasets/${d.slug}`} className="text-lg font-semibold" dir="auto">
								{d.name}
							</Link>
							<span className="text-sm text-slate-700">
								{t(`roles.team.${d.role}`)} · {t('list.versions', { count: d.versionCount })}
							</span>
						</li>
					))}
				</ul>
			)}
		</div>
	)
}
