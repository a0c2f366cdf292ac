import { type LoaderFunctionArgs } from '@remix-run/node'
import { isGateBlocked } from '#app/domain/api.ts'
import { type VersionStatus } from '#app/domain/version-status.ts'
import { gateCounts } from '#app/models/issue.server.ts'
import { apiJson, apiRoute, methodNotAllowed, requireApiVersion } from '#app/utils/api.server.ts'

export const action = methodNotAllowed(['GET'])

/**
 * `GET …/versions/{version}/gate`: may a pipeline use this version? `blocked` is true unless the
 * version is approved or released AND has no unresolved blocking issue (app/domain/api.ts).
 */
export const loader = apiRoute(async ({ request, params }: LoaderFunctionArgs) => {
	const { version } = await requireApiVersion(request, params, 'view')
	const counts = await gateCounts(version.id)
	return apiJson({
		version: version.label,
		status: version.status,
		blocked: isGateBlocked(version.status as VersionStatus, counts.blocking),
		blocking_issues: counts.blocking,
		open_issues: counts.open,
	})
})
