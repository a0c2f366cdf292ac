import { type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { listMyRounds } from '#app/models/round.server.ts'
import { getUser } from '#app/utils/auth.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['rounds'], title: (t) => t('home.title') }

export async function loader({ request }: LoaderFunctionArgs) {
	const user = await getUser(request)
	return { displayName: user?.displayName ?? null, rounds: user ? await listMyRounds(user.id) : [] }
}

export default function Home() {
	const { t } = useTranslation()
	const { displayName, rounds } = useLoaderData<typeof loader>()
	return (
		<div className="flex flex-col gap-6">
			<h1>{displayName ? t('home.welcomeBack', { name: displayName }) : t('home.title')}</h1>
			{rounds.length ? (
				<section aria-labelledby="my-rounds-heading" className="flex flex-col gap-2">
					<h2 id="my-rounds-heading">{t('home.myRounds')}</h2>
					<ul className="flex flex-col gap-2">
						{rounds.map((r) => (
							<li key={r.id} className="card flex flex-wrap items-baseline justify-between gap-2 p-4">
								<Link to={r.consented ? `/rounds/${r.id}` : `/rounds/${r.id}/consent`} className="font-semibold">
									{r.title}
								</Link>
								<span className="text-sm text-slate-700">
									{r.datasetName} · {t(`rounds:status.${r.status}`)}
								</span>
							</li>
						))}
					</ul>
				</section>
			) : null}
			<p className="max-w-2xl text-lg text-slate-800">{t('home.lead')}</p>
			<ul className="grid gap-4 sm:grid-cols-3">
				<li className="card">
					<h2>{t('home.owners.title')}</h2>
					<p className="mt-2 text-slate-700">{t('home.owners.body')}</p>
				</li>
				<li className="card">
					<h2>{t('home.reviewers.title')}</h2>
					<p className="mt-2 text-slate-700">{t('home.reviewers.body')}</p>
				</li>
				<li className="card">
					<h2>{t('home.gate.title')}</h2>
					<p className="mt-2 text-slate-700">{t('home.gate.body')}</p>
				</li>
			</ul>
			{displayName ? null : (
				<p className="flex gap-3">
					<Link to="/signup" className="btn btn-primary">
						{t('shell.signUp')}
					</Link>
					<Link to="/signin" className="btn">
						{t('shell.signIn')}
					</Link>
				</p>
			)}
		</div>
	)
}
