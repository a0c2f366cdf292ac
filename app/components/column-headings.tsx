import { useTranslation } from 'react-i18next'

/** A table's column headings: each a translation key of `ns`, aligned to the start (text) or the end (numbers). */
export function ColumnHeadings({ ns, columns }: { ns: string; columns: Array<[key: string, align: 'start' | 'end']> }) {
	const { t } = useTranslation(ns)
	return (
		<thead>
			<tr>
				{columns.map(([key, align]) => (
					<th key={key} scope="col" className={align === 'end' ? 'text-end' : 'text-start'}>
						{t(key)}
					</th>
				))}
			</tr>
		</thead>
	)
}
