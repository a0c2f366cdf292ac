import { type FieldMetadata } from '@conform-to/react'
import { useTranslation } from 'react-i18next'
import { generationMethods } from '#app/domain/enums.ts'
import { Field, SelectField, TextAreaField } from '#app/components/forms.tsx'

type Name =
	| 'modelName'
	| 'modelVersion'
	| 'modelProvider'
	| 'generationMethod'
	| 'promptTemplates'
	| 'personaDefinitions'
	| 'seedDataDescription'
	| 'knownLimitations'
	| 'changelog'
	| 'templateKey'
	| 'personaKey'

/** Provenance: what generated the samples, shown to reviewers and in the report. */
export function ProvenanceFields({ fields }: { fields: Record<Name, FieldMetadata<any>> }) {
	const { t } = useTranslation('datasets')
	return (
		<fieldset className="flex flex-col gap-4">
			<legend className="mb-2 text-lg font-semibold">{t('provenance.title')}</legend>
			<div className="grid gap-4 sm:grid-cols-3">
				<Field label={t('provenance.modelName')} meta={fields.modelName} />
				<Field label={t('provenance.modelVersion')} meta={fields.modelVersion} />
				<Field label={t('provenance.modelProvider')} meta={fields.modelProvider} />
			</div>
			<SelectField label={t('provenance.generationMethod')} meta={fields.generationMethod} options={generationMethods.map((m) => ({ value: m, label: t(`generationMethod.${m}`) }))} />
			<TextAreaField label={t('provenance.promptTemplates')} meta={fields.promptTemplates} rows={6} hint={t('provenance.promptTemplatesHint')} />
			<TextAreaField label={t('provenance.personaDefinitions')} meta={fields.personaDefinitions} rows={6} hint={t('provenance.personaDefinitionsHint')} />
			<div className="grid gap-4 sm:grid-cols-2">
				<Field label={t('provenance.templateKey')} meta={fields.templateKey} hint={t('provenance.templateKeyHint')} />
				<Field label={t('provenance.personaKey')} meta={fields.personaKey} hint={t('provenance.personaKeyHint')} />
			</div>
			<TextAreaField label={t('provenance.seedDataDescription')} meta={fields.seedDataDescription} />
			<TextAreaField label={t('provenance.knownLimitations')} meta={fields.knownLimitations} />
			<TextAreaField label={t('provenance.changelog')} meta={fields.changelog} />
		</fieldset>
	)
}
