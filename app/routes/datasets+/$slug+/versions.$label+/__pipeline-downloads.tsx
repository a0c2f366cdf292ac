import { useTranslation } from 'react-i18next'
import { MIN_GROUP_SIZE } from '#app/domain/report.ts'

/** The report page's downloads for pipelines: the annotations, Croissant and the dataset card (decisions 033–034). */
export function PipelineDownloads({ base }: { base: string }) {
	const { t } = useTranslation('report')
	const links = [
		['annotations.jsonl', 'annotationsJsonl'],
		['annotations.csv', 'annotationsCsv'],
		['annotations.parquet', 'annotationsParquet'],
		['croissant.json', 'croissant'],
		['dataset-card.md', 'card'],
	] as const
	return (
		<section aria-labelledby="exports-heading" className="card flex flex-col gap-2 print:hidden">
			<h2 id="exports-heading">{t('report:exports.title')}</h2>
			<ul className="flex flex-wrap gap-2">
				{links.map(([file, key]) => (
					<li key={file}>
						<a href={`${base}/${file}`} download className="btn">
							{t(`report:exports.${key}`)}
						</a>
					</li>
				))}
			</ul>
			<p className="text-sm text-slate-700">{t('report:exports.annotationsHint', { min: MIN_GROUP_SIZE })}</p>
			<p className="text-sm text-slate-700">{t('report:exports.cliHint')}</p>
		</section>
	)
}
