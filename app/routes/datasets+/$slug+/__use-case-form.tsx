import { type FormMetadata, type FieldMetadata } from '@conform-to/react'
import { useTranslation } from 'react-i18next'
import { Field, SelectField, TextAreaField } from '#app/components/forms.tsx'
import { pipelineStages } from '#app/domain/enums.ts'

type Fields = Record<'title' | 'purpose' | 'modelUsers' | 'deploymentContext' | 'pipelineStage' | 'riskNotes', FieldMetadata<any>>

/** The fields shared by "new use case" and "edit use case". */
export function UseCaseFields({ fields }: { form: FormMetadata<any>; fields: Fields }) {
	const { t } = useTranslation('datasets')
	return (
		<>
			<Field label={t('fields.useCaseTitle')} meta={fields.title} />
			<SelectField
				label={t('fields.pipelineStage')}
				meta={fields.pipelineStage}
				options={[{ value: '', label: t('fields.choose') }, ...pipelineStages.map((s) => ({ value: s, label: t(`pipelineStage.${s}`) }))]}
			/>
			<TextAreaField label={t('fields.purpose')} meta={fields.purpose} />
			<TextAreaField label={t('fields.modelUsers')} meta={fields.modelUsers} hint={t('fields.modelUsersHint')} />
			<TextAreaField label={t('fields.deploymentContext')} meta={fields.deploymentContext} />
			<TextAreaField label={t('fields.riskNotes')} meta={fields.riskNotes} />
		</>
	)
}
