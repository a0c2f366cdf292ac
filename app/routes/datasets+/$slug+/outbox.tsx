import { type LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { DateTime } from '#app/components/date-time.tsx'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { CopyLink } from '#app/components/copy-link.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import { listOutbox } from '#app/utils/email.server.ts'
import { requireDatasetRole } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['rounds', 'datasets'], title: (t) => t('rounds:outbox.title') }

/** Emails not delivered by SMTP (none configured, or it failed): the team copies invitation links from here. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset } = await requireDatasetRole(request, params.slug, 'manage_versions')
	const items = await listOutbox(dataset.id)
	return { dataset: { slug: dataset.slug, name: dataset.name }, items: items.filter((i) => i.to).map((i) => ({ ...i, createdAt: i.createdAt.toISOString() })) }
}

/** The invitation link an email carries (round or team), for the copy button. */
function invitationLink(text: string) {
	return /https?:\/\/\S+\/(?:team-)?invitations\/[A-Za-z0-9_-]+/.exec(text)?.[0] ?? null
}

export default function Outbox() {
	const { t } = useTranslation(['rounds', 'datasets'])
	const { dataset, items } = useLoaderData<typeof loader>()
	return (
		<div className="flex flex-col gap-4">
			<PageHeader crumbs={datasetCrumbs(t, dataset)} title={t('outbox.title')} />
			<p className="text-slate-700">{t('outbox.intro')}</p>
			{items.length === 0 ? <p className="card">{t('outbox.none')}</p> : null}
			<ul className="flex flex-col gap-3">
				{items.map((m) => (
					<li key={m.id} className="card flex flex-col gap-2">
						<p className="text-sm">
							<span className="font-medium">{m.to}</span> · {t(`outbox.status.${m.status}`)} · <DateTime value={m.createdAt} />
						</p>
						<p className="font-semibold">{m.subject}</p>
						<pre dir="auto" className="whitespace-pre-wrap break-words rounded bg-slate-50 p-3 text-sm">
							{m.text}
						</pre>
						{invitationLink(m.text) ? <CopyLink href={invitationLink(m.text)!} label={t('outbox.copyLink', { email: m.to })} /> : null}
					</li>
				))}
			</ul>
		</div>
	)
}
