import { type FieldMetadata } from '@conform-to/react'
import { useTranslation } from 'react-i18next'
import { Field, SelectField } from '#app/components/forms.tsx'

/** A new version's label and parent, the same on the upload form and the Hub import form. */
export function VersionLabelFields({ fields, versions, labelHint }: { fields: Record<'label' | 'parent', FieldMetadata<any>>; versions: string[]; labelHint: string }) {
	const { t } = useTranslation('datasets')
	return (
		<div className="grid gap-4 sm:grid-cols-2">
			<Field label={t('fields.label')} meta={fields.label} hint={labelHint} />
			<SelectField
				label={t('fields.parent')}
				meta={fields.parent}
				hint={t('version.parentHint')}
				options={[{ value: '', label: t('version.noParent') }, ...versions.map((v) => ({ value: v, label: v }))]}
			/>
		</div>
	)
}
