import { type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { DateTime } from '#app/components/date-time.tsx'
import { teamNoticeText } from '#app/domain/team-notice.ts'
import { listNotifications, markRead } from '#app/models/notification.server.ts'
import { requireUser } from '#app/utils/auth.server.ts'
import { isolateParams } from '#app/utils/bidi.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['rounds', 'issues'], title: (t) => t('rounds:notifications.title') }

export async function loader({ request }: LoaderFunctionArgs) {
	const user = await requireUser(request)
	const items = await listNotifications(user.id)
	return { items: items.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() })) }
}

export async function action({ request }: ActionFunctionArgs) {
	const user = await requireUser(request)
	await markRead(user.id)
	return { ok: true }
}

export default function Notifications() {
	const { t } = useTranslation('rounds')
	const { items } = useLoaderData<typeof loader>()
	return (
		<div className="flex max-w-2xl flex-col gap-4">
			<div className="flex flex-wrap items-center justify-between gap-2">
				<h1>{t('notifications.title')}</h1>
				{items.some((i) => !i.read) ? (
					<Form method="post">
						<button type="submit" className="btn">
							{t('notifications.markAllRead')}
						</button>
					</Form>
				) : null}
			</div>
			{items.length === 0 ? <p className="card">{t('notifications.none')}</p> : null}
			<ul className="flex flex-col gap-2">
				{items.map((n) => (
					<li key={n.id} className={`card p-4 ${n.read ? '' : 'border-indigo-300'}`}>
						<p>
							{n.read ? null : <span className="me-2 rounded bg-indigo-800 px-1.5 py-0.5 text-xs text-white">{t('notifications.new')}</span>}
							<Link to={n.link}>
								{n.kind.startsWith('team_')
									? teamNoticeText(t, n.kind, { ...isolateParams(n.params), issueKind: n.params.issueKind ?? '' })
									: t(`notifications.kinds.${n.kind}`, isolateParams(n.params))}
							</Link>
						</p>
						<p className="text-xs text-slate-700">
							<DateTime value={n.createdAt} />
						</p>
					</li>
				))}
			</ul>
		</div>
	)
}
