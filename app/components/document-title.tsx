import { useMatches } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { type RouteHandle } from '#app/utils/route-handle.ts'

/** The <title> of the deepest route that names one, then the product name. */
export function DocumentTitle({ override }: { override?: string }) {
	const { t } = useTranslation()
	const matches = useMatches()
	let title = override
	if (!title) {
		for (const match of [...matches].reverse()) {
			const handle = match.handle as RouteHandle | undefined
			if (handle?.title) {
				title = handle.title(t, match.data)
				break
			}
		}
	}
	const product = t('shell.productName')
	return <title>{title ? `${title} · ${product}` : product}</title>
}
