import { type LoaderFunctionArgs } from '@remix-run/node'
import { ApiIssueQuerySchema } from '#app/domain/api.ts'
import { listApiIssues } from '#app/models/pipeline.server.ts'
import { ApiError, apiJson, apiRoute, fieldErrors, methodNotAllowed } from '#app/utils/api.server.ts'
import { requireApiVersion } from '#app/guards/api-token.server.ts'

export const action = methodNotAllowed(['GET'])

/** `GET …/versions/{version}/issues?status=&blocking=&limit=&cursor=`: a page of issues by number, and the cursor of the next. */
export const loader = apiRoute(async ({ request, params }: LoaderFunctionArgs) => {
	const { version } = await requireApiVersion(request, params, 'view')
	const parsed = ApiIssueQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams))
	if (!parsed.success) throw new ApiError(400, 'invalid_query', 'The query string is not valid; see details.fields.', { fields: fieldErrors(parsed.error) })
	return apiJson(await listApiIssues({ versionId: version.id, query: parsed.data }))
})
