import { type TFunction } from 'i18next'
import { type Crumb } from './page-header.tsx'

/** Breadcrumbs down to a dataset and, optionally, one of its versions. */
export function datasetCrumbs(t: TFunction, dataset: { slug: string; name: string }, version?: { label: string }): Crumb[] {
	const crumbs: Crumb[] = [
		{ to: '/datasets', label: t('datasets:list.title') },
		{ to: `/datasets/${dataset.slug}`, label: dataset.name },
	]
	if (version) crumbs.push({ to: `/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`, label: version.label })
	return crumbs
}
