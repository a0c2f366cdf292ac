import { Form, Link, useLocation } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { supportedLanguages } from '#app/domain/enums.ts'
import { directionOf, isSupportedLanguage, type Language, languageNames } from '#app/utils/i18n.ts'

export function SiteHeader({ user, language }: { user: { displayName: string; unread: number; team?: boolean } | null; language: string }) {
	const { t } = useTranslation()
	return (
		<header className="border-b border-slate-200 bg-white">
			<div className="mx-auto flex w-full max-w-5xl flex-wrap items-center gap-x-6 gap-y-1 px-4 py-2 sm:gap-y-3 sm:py-3">
				<Link to="/" className="text-lg font-bold text-slate-900 no-underline">
					{t('shell.productName')}
				</Link>
				<nav aria-label={t('shell.mainNav')} className="flex-1">
					<ul className="flex flex-wrap gap-x-4 gap-y-1 sm:gap-y-4">
						<li>
							<Link to="/">{t('shell.home')}</Link>
						</li>
						{user ? (
							<>
								<li>
									<Link to="/datasets">{t('shell.datasets')}</Link>
								</li>
								{user.team ? (
									<li>
										<Link to="/inbox">{t('shell.inbox')}</Link>
									</li>
								) : null}
								<li>
									<Link to="/feedback">{t('shell.myFeedback')}</Link>
								</li>
								<li>
									<Link to="/notifications" className="whitespace-nowrap">
										{user.unread ? t('shell.notificationsUnread', { count: user.unread }) : t('shell.notifications')}
									</Link>
								</li>
							</>
						) : null}
					</ul>
				</nav>
				<LanguageSwitcher current={language} />
				{user ? <AccountMenu displayName={user.displayName} /> : <SignInLinks />}
			</div>
		</header>
	)
}

/**
 * Ten languages: a disclosure menu (native <details>, so it opens with the keyboard and without
 * JavaScript); each language is named in itself, in its own `lang` and direction, and is a submit
 * button of one form that posts to /language and comes back to this page.
 */
function LanguageSwitcher({ current }: { current: string }) {
	const { t } = useTranslation()
	const location = useLocation()
	const menu = useMenuThatCloses()
	const currentName = isSupportedLanguage(current) ? languageNames[current] : current
	return (
		<details ref={menu} className="language-menu relative">
			<summary className="cursor-pointer rounded px-2 py-1 text-sm hover:bg-slate-100">
				<span className="sr-only">{t('shell.language')}: </span>
				<span lang={current}>{currentName}</span>
			</summary>
			<Form method="post" action="/language" className="absolute end-0 z-10 mt-2 w-56 rounded-md border border-slate-200 bg-white p-2 shadow-lg" aria-label={t('shell.language')}>
				<input type="hidden" name="redirectTo" value={location.pathname + location.search} />
				<ul className="flex flex-col gap-1">
					{supportedLanguages.map((lng: Language) => (
						<li key={lng}>
							<button
								type="submit"
								name="lng"
								value={lng}
								lang={lng}
								dir={directionOf(lng)}
								aria-current={lng === current ? 'true' : undefined}
								className="block w-full rounded px-2 py-1 text-start text-sm text-slate-800 hover:bg-slate-100 aria-[current=true]:bg-slate-800 aria-[current=true]:text-white"
							>
								{languageNames[lng]}
							</button>
						</li>
					))}
				</ul>
			</Form>
		</details>
	)
}

/**
 * A header menu (<details>) that closes as a menu does: after a navigation (the header stays
 * mounted across client-side navigations, so an open menu would stay open over the next page),
 * on Escape (focus back on its summary) and on a click outside it. Without JavaScript a
 * navigation loads a new page, where it starts closed.
 */
function useMenuThatCloses() {
	const ref = useRef<HTMLDetailsElement>(null)
	const location = useLocation()
	useEffect(() => {
		if (ref.current) ref.current.open = false
	}, [location.key])
	useEffect(() => {
		const onKey = (e: KeyboardEvent) => {
			const menu = ref.current
			if (e.key !== 'Escape' || !menu?.open) return
			menu.open = false
			menu.querySelector('summary')?.focus()
		}
		const onClick = (e: MouseEvent) => {
			const menu = ref.current
			if (menu?.open && e.target instanceof Node && !menu.contains(e.target)) menu.open = false
		}
		document.addEventListener('keydown', onKey)
		document.addEventListener('click', onClick)
		return () => {
			document.removeEventListener('keydown', onKey)
			document.removeEventListener('click', onClick)
		}
	}, [])
	return ref
}

function AccountMenu({ displayName }: { displayName: string }) {
	const { t } = useTranslation()
	const menu = useMenuThatCloses()
	return (
		<details ref={menu} className="account-menu relative">
			<summary className="cursor-pointer rounded px-2 py-1 text-sm hover:bg-slate-100">
				<span className="sr-only">{t('shell.accountMenu')}: </span>
				{displayName}
			</summary>
			<div className="absolute end-0 z-10 mt-2 w-56 rounded-md border border-slate-200 bg-white p-2 shadow-lg">
				<ul className="flex flex-col gap-1">
					<li>
						<Link to="/account" className="block rounded px-2 py-1 hover:bg-slate-100">
							{t('shell.profile')}
						</Link>
					</li>
					<li>
						<Link to="/account/password" className="block rounded px-2 py-1 hover:bg-slate-100">
							{t('shell.changePassword')}
						</Link>
					</li>
					<li>
						<Form method="post" action="/signout">
							<button type="submit" className="btn-link block w-full px-2 py-1 text-start">
								{t('shell.signOut')}
							</button>
						</Form>
					</li>
				</ul>
			</div>
		</details>
	)
}

function SignInLinks() {
	const { t } = useTranslation()
	return (
		<div className="flex items-center gap-3 text-sm">
			<Link to="/signin">{t('shell.signIn')}</Link>
			<Link to="/signup" className="btn btn-primary">
				{t('shell.signUp')}
			</Link>
		</div>
	)
}
