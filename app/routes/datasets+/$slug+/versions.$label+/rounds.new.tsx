import { useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod/v4'
import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { roundStages, selectionModes } from '#app/domain/enums.ts'
import { CheckboxField, Field, FormAlert, SelectField, TextAreaField, ValidatedForm } from '#app/components/forms.tsx'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { randomSeed } from '#app/domain/random.ts'
import { RoundSchema } from '#app/domain/round.ts'
import { zonedLocalToUtc } from '#app/domain/time.ts'
import { createRound, type SelectionSpec } from '#app/models/round.server.ts'
import { buildSignalSelection } from '#app/models/signal-selection.server.ts'
import { getSignals } from '#app/models/signals.server.ts'
import { getImportSummary } from '#app/models/version.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { getTimeZone } from '#app/utils/time.server.ts'

export const handle: RouteHandle = { i18n: ['rounds', 'datasets'], title: (t) => t('rounds:new.title') }

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version } = await requireVersion(request, params, 'manage_versions')
	invariantResponse(version.currentImportId, 'Import samples first', { status: 409 })
	const [summary, signals] = await Promise.all([getImportSummary(version.currentImportId), getSignals(version.id)])
	return {
		dataset: { slug: dataset.slug, name: dataset.name },
		version: { label: version.label, sampleCount: version.sampleCount },
		attributes: Object.keys(summary.facets),
		// "Where the signals are" needs them computed: the attributes it can use, or none yet.
		signalAttributes: signals.summary?.attributes ?? [],
		timeZone: getTimeZone(request),
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { dataset, version, user } = await requireVersion(request, params, 'manage_versions')
	invariantResponse(version.currentImportId, 'Import samples first', { status: 409 })
	const submission = parseWithZod(await request.formData(), { schema: RoundSchema })
	if (submission.status !== 'success') return data({ result: submission.reply() }, { status: 400 })
	const v = submission.value
	const tz = getTimeZone(request)
	const opensAt = v.opensAt ? zonedLocalToUtc(v.opensAt, tz) : null
	const closesAt = v.closesAt ? zonedLocalToUtc(v.closesAt, tz) : null
	if ((v.opensAt && !opensAt) || (v.closesAt && !closesAt) || (opensAt && closesAt && closesAt <= opensAt)) {
		return data({ result: submission.reply({ fieldErrors: { closesAt: ['rounds:errors.dates'] } }) }, { status: 400 })
	}
	const seed = v.seed ?? randomSeed()
	const aimed = v.selectionMode === 'signals' ? await buildSignalSelection({ versionId: version.id, attribute: v.attribute!, n: v.sampleN!, seed }) : null
	if (aimed && 'error' in aimed) {
		const fieldErrors: Record<string, string[]> = aimed.error === 'not_ready' ? { selectionMode: ['rounds:errors.signalsNotReady'] } : { attribute: ['rounds:errors.signalsAttribute'] }
		return data({ result: submission.reply({ fieldErrors }) }, { status: 400 })
	}
	const selection: SelectionSpec =
		v.selectionMode === 'random'
			? { mode: 'random', n: v.sampleN!, seed }
			: v.selectionMode === 'stratified'
				? { mode: 'stratified', attribute: v.attribute!, perValue: v.perValue!, seed }
				: aimed
					? aimed
					: v.selectionMode === 'manual'
						? { mode: 'manual', externalIds: [...new Set(v.externalIds!.split(/[\s,]+/).filter(Boolean))] }
						: { mode: 'all' }
	const created = await createRound({
		versionId: version.id,
		importId: version.currentImportId,
		userId: user.id,
		selection,
		settings: {
			stage: v.stage,
			title: v.title,
			guidelines: v.guidelines,
			opensAt,
			closesAt,
			overlap: v.overlap,
			blindReview: v.blindReview,
			blockThreshold: v.blockThreshold,
			opposedBlocks: v.opposedBlocks,
			contentWarning: v.contentWarning,
			expertiseOptions: v.expertiseOptions,
		},
	})
	if ('error' in created) {
		const field = selection.mode === 'manual' ? 'externalIds' : 'selectionMode'
		const key = created.error === 'unknown_ids' ? 'rounds:errors.unknownIds' : 'rounds:errors.emptySelection'
		return data({ result: submission.reply({ fieldErrors: { [field]: [key] } }), unknown: created.unknown ?? [] }, { status: 400 })
	}
	throw redirect(`/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}/rounds/${created.roundId}`)
}

export default function NewRound() {
	const { t } = useTranslation(['rounds', 'datasets', 'common'])
	const { dataset, version, attributes, signalAttributes, timeZone } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const [form, fields] = useForm({
		id: 'new-round',
		lastResult: actionData?.result,
		defaultValue: { stage: 'validation', selectionMode: 'all', overlap: '2', blindReview: 'on', blockThreshold: '2', opposedBlocks: 'on' },
		onValidate: ({ formData }) => parseWithZod(formData, { schema: RoundSchema }),
	})
	const unknown = actionData && 'unknown' in actionData ? (actionData.unknown as string[]) : []
	return (
		<div className="max-w-3xl">
			<PageHeader crumbs={datasetCrumbs(t, dataset, version)} title={t('new.title')} />
			<ValidatedForm form={form} className="card flex flex-col gap-5">
				<FormAlert id={form.errorId} errors={form.errors} />
				<SelectField label={t('fields.stage')} meta={fields.stage} hint={t('fields.stageHint')} options={roundStages.map((s) => ({ value: s, label: t(`stage.${s}`) }))} />
				<Field label={t('fields.title')} meta={fields.title} />
				<TextAreaField label={t('fields.guidelines')} meta={fields.guidelines} rows={6} hint={t('datasets:fields.markdownHint')} />
				<div className="grid gap-4 sm:grid-cols-2">
					<Field label={t('fields.opensAt', { zone: timeZone })} meta={fields.opensAt} type="datetime-local" />
					<Field label={t('fields.closesAt', { zone: timeZone })} meta={fields.closesAt} type="datetime-local" />
				</div>
				<fieldset className="flex flex-col gap-3">
					<legend className="mb-1 font-semibold">{t('fields.selection', { count: version.sampleCount })}</legend>
					<SelectField
						label={t('fields.selectionMode')}
						meta={fields.selectionMode}
						hint={signalAttributes.length ? t('fields.signalsHint', { attributes: signalAttributes.join(', ') }) : t('fields.signalsHintNone')}
						options={selectionModes.map((m) => ({ value: m, label: t(`selection.${m}`) }))}
					/>
					<div className="grid gap-4 sm:grid-cols-3">
						<Field label={t('fields.sampleN')} meta={fields.sampleN} type="number" hint={t('fields.sampleNHint')} />
						<Field label={t('fields.perValue')} meta={fields.perValue} type="number" hint={t('fields.perValueHint')} />
						<Field label={t('fields.seed')} meta={fields.seed} type="number" hint={t('fields.seedHint')} />
					</div>
					<SelectField label={t('fields.attribute')} meta={fields.attribute} options={[{ value: '', label: t('fields.noAttribute') }, ...attributes.map((a) => ({ value: a, label: a }))]} />
					<TextAreaField label={t('fields.externalIds')} meta={fields.externalIds} hint={t('fields.externalIdsHint')} />
					{unknown.length ? <p className="error-text">{t('errors.unknownIdsList', { ids: unknown.join(', ') })}</p> : null}
				</fieldset>
				<fieldset className="flex flex-col gap-3">
					<legend className="mb-1 font-semibold">{t('fields.reviewSettings')}</legend>
					<Field label={t('fields.overlap')} meta={fields.overlap} type="number" hint={t('fields.overlapHint')} />
					<CheckboxField label={t('fields.blindReview')} meta={fields.blindReview} hint={t('fields.blindReviewHint')} />
					<Field label={t('fields.blockThreshold')} meta={fields.blockThreshold} type="number" hint={t('fields.blockThresholdHint')} />
					<CheckboxField label={t('fields.opposedBlocks')} meta={fields.opposedBlocks} />
					<TextAreaField label={t('fields.contentWarning')} meta={fields.contentWarning} hint={t('fields.contentWarningHint')} />
					<TextAreaField label={t('fields.expertiseOptions')} meta={fields.expertiseOptions} hint={t('fields.expertiseOptionsHint')} />
				</fieldset>
				<button type="submit" className="btn btn-primary self-start">
					{t('new.submit')}
				</button>
			</ValidatedForm>
		</div>
	)
}
