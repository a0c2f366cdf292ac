import { type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { Markdown } from '#app/components/markdown.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import { VersionStatusBadge } from '#app/components/status-badge.tsx'
import { can } from '#app/domain/permissions.ts'
import { listUseCases } from '#app/models/use-case.server.ts'
import { listVersions } from '#app/models/version.server.ts'
import { requireDatasetRole } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['datasets', 'audit', 'issues', 'webhooks'], title: (_t, data) => (data as { dataset?: { name: string } } | undefined)?.dataset?.name ?? '' }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset } = await requireDatasetRole(request, params.slug, 'view')
	const [useCases, versions] = await Promise.all([listUseCases(dataset.id), listVersions(dataset.id)])
	const labels = new Map(versions.map((v) => [v.id, v.label]))
	return {
		dataset: { slug: dataset.slug, name: dataset.name, description: dataset.description },
		canEdit: can(dataset.role, 'edit'),
		canManageTeam: can(dataset.role, 'manage_team'),
		canViewAudit: can(dataset.role, 'view_audit'),
		canManageWebhooks: can(dataset.role, 'manage_versions'),
		useCases,
		versions: versions.map((v) => ({
			label: v.label,
			status: v.status,
			sampleCount: v.sampleCount,
			overriddenBlockers: v.overriddenBlockers,
			parent: v.parentId ? (labels.get(v.parentId) ?? null) : null,
		})),
	}
}

export default function DatasetOverview() {
	const { t, i18n } = useTranslation(['datasets', 'audit'])
	const { dataset, canEdit, canManageTeam, canViewAudit, canManageWebhooks, useCases, versions } = useLoaderData<typeof loader>()
	const base = `/datasets/${dataset.slug}`
	return (
		<div className="flex flex-col gap-8">
			<PageHeader
				crumbs={[{ to: '/datasets', label: t('list.title') }]}
				title={dataset.name}
				actions={
					<>
						{canEdit ? (
							<Link to={`${base}/edit`} className="btn">
								{t('overview.edit')}
							</Link>
						) : null}
						{canManageTeam ? (
							<Link to={`${base}/team`} className="btn">
								{t('overview.team')}
							</Link>
						) : null}
						{canViewAudit ? (
							<Link to={`${base}/audit`} className="btn">
								{t('audit:link')}
							</Link>
						) : null}
						{canManageWebhooks ? (
							<Link to={`${base}/webhooks`} className="btn">
								{t('webhooks:link')}
							</Link>
						) : null}
					</>
				}
			/>
			{dataset.description ? <Markdown>{dataset.description}</Markdown> : <p className="text-slate-700">{t('overview.noDescription')}</p>}

			<section aria-labelledby="versions-heading" className="flex flex-col gap-3">
				<div className="flex flex-wrap items-center justify-between gap-2">
					<h2 id="versions-heading">{t('overview.versions')}</h2>
					{canEdit ? (
						<Link to={`${base}/versions/new`} className="btn btn-primary">
							{t('overview.newVersion')}
						</Link>
					) : null}
				</div>
				{versions.length === 0 ? (
					<p className="text-slate-700">{t('overview.noVersions')}</p>
				) : (
					<table className="w-full border-collapse text-start text-sm">
						<thead>
							<tr className="border-b border-slate-300 text-start">
								<th scope="col" className="py-2 text-start">
									{t('fields.label')}
								</th>
								<th scope="col" className="py-2 text-start">
									{t('fields.status')}
								</th>
								<th scope="col" className="py-2 text-start">
									{t('fields.samples')}
								</th>
								<th scope="col" className="py-2 text-start">
									{t('fields.parent')}
								</th>
							</tr>
						</thead>
						<tbody>
							{versions.map((v) => (
								<tr key={v.label} className="border-b border-slate-200">
									<td className="py-2">
										<Link to={`${base}/versions/${v.label}`}>{v.label}</Link>
									</td>
									<td className="py-2">
										<VersionStatusBadge status={v.status} overriddenBlockers={v.overriddenBlockers} />
									</td>
									<td className="py-2">{v.sampleCount.toLocaleString(i18n.language)}</td>
									<td className="py-2">{v.parent ?? '—'}</td>
								</tr>
							))}
						</tbody>
					</table>
				)}
			</section>

			<section aria-labelledby="use-cases-heading" className="flex flex-col gap-3">
				<div className="flex flex-wrap items-center justify-between gap-2">
					<h2 id="use-cases-heading">{t('overview.useCases')}</h2>
					{canEdit ? (
						<Link to={`${base}/use-cases/new`} className="btn">
							{t('overview.newUseCase')}
						</Link>
					) : null}
				</div>
				{useCases.length === 0 ? <p className="text-slate-700">{t('overview.noUseCases')}</p> : null}
				<ul className="flex flex-col gap-3">
					{useCases.map((u) => (
						<li key={u.id} className="card flex flex-col gap-2">
							<h3 className="font-semibold">{u.title}</h3>
							<p className="text-sm text-slate-700">{t(`pipelineStage.${u.pipelineStage}`)}</p>
							{u.purpose ? <p dir="auto">{u.purpose}</p> : null}
							<dl className="grid gap-1 text-sm sm:grid-cols-[max-content_1fr] sm:gap-x-4">
								{u.modelUsers ? (
									<>
										<dt className="font-medium">{t('fields.modelUsers')}</dt>
										<dd dir="auto">{u.modelUsers}</dd>
									</>
								) : null}
								{u.deploymentContext ? (
									<>
										<dt className="font-medium">{t('fields.deploymentContext')}</dt>
										<dd dir="auto">{u.deploymentContext}</dd>
									</>
								) : null}
								{u.riskNotes ? (
									<>
										<dt className="font-medium">{t('fields.riskNotes')}</dt>
										<dd dir="auto">{u.riskNotes}</dd>
									</>
								) : null}
							</dl>
							<p className="flex gap-4 text-sm">
								{canEdit ? <Link to={`${base}/use-cases/${u.id}/edit`}>{t('overview.editUseCase', { title: u.title })}</Link> : null}
								<Link to={`${base}/use-cases/${u.id}/history`}>{t('overview.useCaseHistory', { title: u.title })}</Link>
								<Link to={`${base}/use-cases/${u.id}/discussion`}>{t('overview.useCaseDiscussion', { title: u.title })}</Link>
							</p>
						</li>
					))}
				</ul>
			</section>
		</div>
	)
}
