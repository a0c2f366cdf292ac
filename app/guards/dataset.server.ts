import { can, type DatasetCapability } from '#app/domain/permissions.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import { requireUser } from '#app/utils/auth.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'

/**
 * Guard for every dataset page: the signed-in user must be on the dataset's team with the
 * capability. Anyone else gets 404 — not 403 — so a dataset's existence is not revealed.
 */
export async function requireDatasetRole(request: Request, slug: string | undefined, capability: DatasetCapability) {
	const user = await requireUser(request)
	const dataset = slug ? await getDatasetForMember({ slug, userId: user.id }) : null
	invariantResponse(dataset && can(dataset.role, 'view'), 'Not found', { status: 404 })
	invariantResponse(can(dataset.role, capability), 'Forbidden', { status: 403 })
	return { user, dataset }
}

/** A version of a dataset the user may act on (same 404 rule as the dataset). */
export async function requireVersion(request: Request, params: { slug?: string; label?: string }, capability: DatasetCapability) {
	const { user, dataset } = await requireDatasetRole(request, params.slug, capability)
	const version = params.label ? await getVersion({ datasetId: dataset.id, label: params.label }) : null
	invariantResponse(version, 'Not found', { status: 404 })
	return { user, dataset, version }
}
