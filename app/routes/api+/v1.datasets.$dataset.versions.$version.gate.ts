import { type LoaderFunctionArgs } from '@remix-run/node'
import { isGateBlocked } from '#app/domain/api.ts'
import { type VersionStatus } from '#app/domain/version-status.ts'
import { apiJson, apiRoute, methodNotAllowed, requireApiGate } from '#app/utils/api.server.ts'

export const action = methodNotAllowed(['GET'])

/**
 * `GET …/versions/{version}/gate`: may a pipeline use this version? `blocked` is true unless the
 * version is approved or released AND has no unresolved blocking issue (app/domain/api.ts).
 * Token, rate limit, scope, version and counts come from one query (`requireApiGate`).
 */
export const loader = apiRoute(async ({ request, params }: LoaderFunctionArgs) => {
	const { version } = await requireApiGate(request, params)
	return apiJson({
		version: version.label,
		status: version.status,
		blocked: isGateBlocked(version.status as VersionStatus, version.blocking),
		blocking_issues: version.blocking,
		open_issues: version.open,
	})
})
