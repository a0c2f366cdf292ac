import { createElement, Fragment, type ComponentType } from 'react'
import { renderToString } from 'react-dom/server'
import { I18nextProvider } from 'react-i18next'
import { UNSAFE_RemixContext as RemixContext, type UNSAFE_RemixContextObject as RemixContextObject } from '@remix-run/react'
// why: a static router stands in for the Remix runtime, so a real route component renders with its loader data.
import { Outlet } from 'react-router-dom'
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router-dom/server'
import { DocumentTitle } from '#app/components/document-title.tsx'
import { getI18n } from '#app/utils/i18n.server.ts'
import { type Language } from '#app/utils/i18n.ts'

// What Remix's own components (PrefetchPageLinks) read: a manifest of the two routes renderRoute builds.
const remixContext = {
	manifest: {
		routes: {
			root: { id: 'root', path: '/', hasLoader: false, hasAction: false, hasClientLoader: false, hasClientAction: false, hasErrorBoundary: false, module: '/build/root.js' },
			page: { id: 'page', parentId: 'root', path: '*', hasLoader: true, hasAction: true, hasClientLoader: false, hasClientAction: false, hasErrorBoundary: false, module: '/build/page.js' },
		},
		entry: { module: '/build/entry.js', imports: [] },
		url: '/build/manifest.js',
		version: 'test',
	},
	routeModules: {},
	future: {},
	isSpaMode: false,
} as unknown as RemixContextObject

const json = (value: unknown) => (value === undefined ? null : JSON.parse(JSON.stringify(value)))

export type RouteModule = { default?: ComponentType; handle?: unknown }

/**
 * Server-renders a route module's component at `path` with the given loader data (and action
 * data, when given), under a root that renders the document <title> from the route's handle the
 * way app/root.tsx does. Returns the HTML.
 */
export async function renderRoute(mod: RouteModule, options: { path: string; data: unknown; actionData?: unknown; language?: Language }): Promise<string> {
	if (!mod.default) throw new Error(`route for ${options.path} has no component`)
	const root = createElement(Fragment, null, createElement(DocumentTitle), createElement(Outlet))
	const page = {
		id: 'page',
		path: '*',
		handle: mod.handle,
		// As the browser would get them: through JSON (Dates become strings, undefined disappears).
		loader: () => json(options.data),
		...(options.actionData === undefined ? {} : { action: () => json(options.actionData) }),
		element: createElement(mod.default),
	}
	const handler = createStaticHandler([{ id: 'root', path: '/', element: root, children: [page] }])
	// The catch-all route stands in for the real one; its pattern (.*) does not match line separators.
	const url = `http://localhost${options.path.replace(/%(?:0A|0D|E2%80%A8|E2%80%A9)/gi, '')}`
	const request = options.actionData === undefined ? new Request(url) : new Request(url, { method: 'POST', body: new URLSearchParams() })
	const context = await handler.query(request)
	if (context instanceof Response) throw new Error(`rendering ${options.path} answered ${context.status}`)
	if (context.errors) throw new Error(`rendering ${options.path} failed: ${JSON.stringify(context.errors)}`)
	const router = createStaticRouter(handler.dataRoutes, context)
	const app = createElement(StaticRouterProvider, { router, context, hydrate: false })
	// why: for the same reason, Remix's <PrefetchPageLinks> warns that a link to such an id matches no route here.
	const warn = console.warn
	console.warn = (...args: unknown[]) => void (String(args[0]).startsWith('Tried to prefetch') ? undefined : warn(...args))
	try {
		return renderToString(createElement(I18nextProvider, { i18n: getI18n(options.language ?? 'en') }, createElement(RemixContext.Provider, { value: remixContext }, app)))
	} finally {
		console.warn = warn
	}
}
