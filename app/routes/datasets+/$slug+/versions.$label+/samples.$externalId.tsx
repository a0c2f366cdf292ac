import { type LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { PageHeader } from '#app/components/page-header.tsx'
import { MetadataList, SampleContent } from '#app/components/sample-content.tsx'
import { SimilarIndexLine, SimilarList, SimilarThresholdForm } from '#app/components/similar-samples.tsx'
import { similarQueryOrDefault } from '#app/domain/similar/query.ts'
import { getSample } from '#app/models/sample.server.ts'
import { findSimilar } from '#app/models/similar.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = {
	i18n: ['datasets'],
	title: (t, data) => t('datasets:sample.title', { id: (data as { sample?: { externalId: string } } | undefined)?.sample?.externalId ?? '' }),
}

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	const sample = version.currentImportId && params.externalId ? await getSample({ importId: version.currentImportId, externalId: params.externalId }) : null
	invariantResponse(sample, 'Not found', { status: 404 })
	// Similar samples (issue #22): a bad threshold falls back to the default, said beside the field.
	const query = similarQueryOrDefault(new URL(request.url).searchParams)
	const found = await findSimilar({ versionId: version.id, externalId: sample.externalId, min: query.min })
	return {
		dataset: { slug: dataset.slug, name: dataset.name },
		version: { label: version.label },
		sample,
		similar: {
			min: query.min,
			invalid: query.invalid,
			total: found?.similar.length ?? 0,
			capped: found?.capped ?? false,
			index: found?.index ?? ({ status: 'none' } as const),
			items: (found?.similar ?? []).slice(0, query.limit).map((s) => ({ externalId: s.externalId, similarity: s.similarity, shared: s.shared })),
		},
	}
}

export default function SamplePage() {
	const { t } = useTranslation('datasets')
	const { dataset, version, sample, similar } = useLoaderData<typeof loader>()
	const versionPath = `/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`
	return (
		<div className="flex max-w-3xl flex-col gap-6">
			<PageHeader
				crumbs={[
					{ to: '/datasets', label: t('list.title') },
					{ to: `/datasets/${dataset.slug}`, label: dataset.name },
					{ to: versionPath, label: version.label },
					{ to: `${versionPath}/samples`, label: t('samples.title') },
				]}
				title={t('sample.title', { id: sample.externalId })}
			/>
			<SampleContent sample={sample} />
			<section aria-labelledby="metadata-heading" className="card">
				<h2 id="metadata-heading">{t('sample.metadata')}</h2>
				<div className="mt-3">
					<MetadataList metadata={sample.metadata} />
				</div>
				<p className="mt-4 text-xs text-slate-700">
					{t('sample.language')}: {sample.language ?? '—'} · {t('sample.hash')}: <code className="break-all">{sample.contentHash.slice(0, 16)}</code>
				</p>
			</section>
			<section aria-labelledby="similar-heading" className="card flex flex-col gap-3">
				<h2 id="similar-heading">{t('similar.heading', { count: similar.total })}</h2>
				<SimilarIndexLine state={similar.index} />
				<SimilarThresholdForm min={similar.min} invalid={similar.invalid} />
				{similar.items.length ? <SimilarList items={similar.items} versionPath={versionPath} /> : <p className="text-slate-700">{t('similar.none')}</p>}
				{similar.total > similar.items.length || similar.capped ? <p className="text-sm text-slate-700">{t('similar.more', { shown: similar.items.length })}</p> : null}
			</section>
		</div>
	)
}
