import { type ActionFunctionArgs } from '@remix-run/node'
import { ApiNewVersionSchema, provenanceFromApi } from '#app/domain/api.ts'
import { recordAudit } from '#app/models/audit.server.ts'
import { versionJson } from '#app/models/pipeline.server.ts'
import { createVersion, getVersion } from '#app/models/version.server.ts'
import { ApiError, apiJson, assertMethod, apiRoute, fieldErrors, methodNotAllowed, readJsonBody } from '#app/utils/api.server.ts'
import { requireApiDataset } from '#app/guards/api-token.server.ts'

export const loader = methodNotAllowed(['POST'])

/** `POST /api/v1/datasets/{dataset}/versions`: a new draft version with its provenance → 201 with the version. */
export const action = apiRoute(async ({ request, params }: ActionFunctionArgs) => {
	assertMethod(request, ['POST'])
	const { principal, dataset } = await requireApiDataset(request, params.dataset, 'manage_versions')
	const parsed = ApiNewVersionSchema.safeParse(await readJsonBody(request))
	if (!parsed.success) throw new ApiError(422, 'validation_failed', 'The version is not valid; see details.fields.', { fields: fieldErrors(parsed.error) })
	const { label, parent } = parsed.data
	const result = await createVersion({ ...provenanceFromApi(parsed.data), datasetId: dataset.id, label, parentLabel: parent ?? null, userId: principal.userId })
	if (result.error === 'label_taken') throw new ApiError(409, 'version_exists', `Dataset "${dataset.slug}" already has a version "${label}".`)
	if (result.error === 'parent_not_found')
		throw new ApiError(422, 'validation_failed', 'The version is not valid; see details.fields.', { fields: { parent: [`Dataset "${dataset.slug}" has no version "${parent}".`] } })
	const { id } = result.version!
	await recordAudit({
		datasetId: dataset.id,
		versionId: id,
		actorId: principal.userId,
		action: 'version.created',
		targetType: 'version',
		targetId: id,
		targetLabel: label,
		after: { label, parent: parent ?? null },
	})
	const version = (await getVersion({ datasetId: dataset.id, label }))!
	return apiJson(versionJson(version), { status: 201 })
})
