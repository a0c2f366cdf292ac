import { type TFunction } from 'i18next'

/** What a route may declare in `handle`: its translation namespaces and its page title. */
export type RouteHandle = {
	i18n?: string[]
	title?: (t: TFunction, data: unknown) => string
}
