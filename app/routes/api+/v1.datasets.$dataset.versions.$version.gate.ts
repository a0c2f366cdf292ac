import { type LoaderFunctionArgs } from '@remix-run/node'
import { isGateBlocked } from '#app/domain/gate.ts'
import { apiJson, apiRoute, methodNotAllowed } from '#app/utils/api.server.ts'
import { requireApiGate } from '#app/guards/api-token.server.ts'

export const action = methodNotAllowed(['GET'])

/**
 * `GET …/versions/{version}/gate`: may a pipeline use this version? `blocked` is true unless the
 * version is approved or released AND has no open blocker (app/domain/gate.ts).
 * Token, rate limit, scope, version and counts come from one query (`requireApiGate`).
 */
export const loader = apiRoute(async ({ request, params }: LoaderFunctionArgs) => {
	const { version } = await requireApiGate(request, params)
	return apiJson({
		version: version.label,
		status: version.status,
		blocked: isGateBlocked(version.status, version.blocking),
		blocking_issues: version.blocking,
		open_issues: version.open,
	})
})
