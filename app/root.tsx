import { data, type LinksFunction, type LoaderFunctionArgs } from '@remix-run/node'
import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration, useMatches, useNavigation, useRouteError, useRouteLoaderData } from '@remix-run/react'
import { type ReactNode, useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { useChangeLanguage } from 'remix-i18next/react'
import { DocumentTitle } from './components/document-title.tsx'
import { SiteHeader } from './components/site-header.tsx'
import tailwindHref from './tailwind.css?url'
import { getSessionCookieUpdate, isOnTeam, getUser } from './utils/auth.server.ts'
import { getUnreadCount } from './guards/session.server.ts'
import { getLanguage } from './utils/i18n.server.ts'
import { type RouteHandle } from './utils/route-handle.ts'
import { getTimeZone } from './utils/time.server.ts'
import { directionOf, fallbackLanguage } from './utils/i18n.ts'
import { useNonce } from './utils/nonce-provider.tsx'

export const links: LinksFunction = () => [
	{ rel: 'stylesheet', href: tailwindHref },
	{ rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]

export const handle = { i18n: ['common'] }

export async function loader({ request }: LoaderFunctionArgs) {
	const [user, language, setCookie] = await Promise.all([getUser(request), getLanguage(request), getSessionCookieUpdate(request)])
	return data(
		{
			language,
			timeZone: getTimeZone(request),
			// Only what the header shows; the email stays on the profile page.
			user: user ? { displayName: user.displayName, unread: await getUnreadCount(request), team: await isOnTeam(request) } : null,
		},
		setCookie ? { headers: { 'Set-Cookie': setCookie } } : undefined,
	)
}

export function useRootData() {
	return useRouteLoaderData<typeof loader>('root')
}

export function Layout({ children }: { children: ReactNode }) {
	const error = useRouteError()
	const rootData = useRootData()
	const { i18n, t } = useTranslation()
	// The language the words are in: after a switch with JavaScript the root's data names the new
	// language at once, but i18next changes `i18n.language` only once its translations have arrived,
	// so `lang`, `dir` and the words change together (no moment of Arabic layout with English words).
	const language = i18n.language || rootData?.language || fallbackLanguage
	const nonce = useNonce()
	const title = error ? t(`errorPage.${errorKey(error)}.title`) : undefined
	return (
		<html lang={language} dir={directionOf(language)}>
			<head>
				<meta charSet="utf-8" />
				<meta name="viewport" content="width=device-width, initial-scale=1" />
				<DocumentTitle override={title} />
				<Meta />
				<Links />
			</head>
			<body className="min-h-screen">
				<a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:start-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
					{t('shell.skipToContent')}
				</a>
				<SiteHeader user={rootData?.user ?? null} language={language} />
				<main id="main" tabIndex={-1} className="mx-auto w-full max-w-5xl px-4 py-4 focus:outline-none sm:py-8">
					{children}
				</main>
				<footer className="mx-auto w-full max-w-5xl border-t border-slate-200 px-4 py-6 text-sm text-slate-700">{t('shell.footer')}</footer>
				<ScrollRestoration nonce={nonce} />
				<Scripts nonce={nonce} />
			</body>
		</html>
	)
}

/**
 * Every namespace the matched routes declare (`handle.i18n`) is loaded, also after a client-side
 * navigation: a page that writes `t('report:link')` without listing `report` in its own
 * useTranslation would otherwise show the bare key ("link") until a full reload. Not suspending:
 * the page renders again when they arrive.
 */
function useRouteNamespaces() {
	const matches = useMatches()
	const namespaces = [...new Set(matches.flatMap((m) => (m.handle as RouteHandle | undefined)?.i18n ?? []))]
	useTranslation(namespaces, { useSuspense: false })
}

export default function App() {
	const rootData = useRootData()
	useChangeLanguage(rootData?.language ?? fallbackLanguage)
	useRouteNamespaces()
	// Marks the page interactive: end-to-end tests wait for it before using JavaScript features.
	useEffect(() => {
		document.documentElement.dataset.hydrated = 'true'
	}, [])
	const navigation = useNavigation().state
	// Whether a submission or page load is under way (a form's answer can show before the page's
	// data has been read again): tests wait for "idle" before the next click.
	useEffect(() => {
		document.documentElement.dataset.navigation = navigation
	}, [navigation])
	return (
		<>
			<NavigationProgress busy={navigation !== 'idle'} />
			<Outlet />
		</>
	)
}

/**
 * A thin bar along the top while a page loads or a form is sent (with JavaScript, the page stays
 * in place meanwhile; on a slow connection the person sees that something is happening). Screen
 * readers are told by the page that follows, not by this bar.
 */
function NavigationProgress({ busy }: { busy: boolean }) {
	return <div aria-hidden="true" data-testid="navigation-progress" className={busy ? 'fixed inset-x-0 top-0 z-50 h-1 animate-pulse bg-sky-700' : 'hidden'} />
}

export function ErrorBoundary() {
	const error = useRouteError()
	const { t } = useTranslation()
	const key = errorKey(error)
	return (
		<div className="card max-w-xl">
			<h1>{t(`errorPage.${key}.title`)}</h1>
			<p className="mt-3">{t(`errorPage.${key}.body`)}</p>
			<p className="mt-6">
				<a href="/">{t('errorPage.home')}</a>
			</p>
		</div>
	)
}

function errorKey(error: unknown) {
	const status = isRouteErrorResponse(error) ? error.status : 500
	return status === 400 ? 'badRequest' : status === 404 ? 'notFound' : status === 403 ? 'forbidden' : status === 413 ? 'tooLarge' : status === 503 ? 'unavailable' : 'unexpected'
}
