import { type LoaderFunctionArgs } from '@remix-run/node'
import { openApiDocument } from '#app/domain/openapi.ts'
import { apiJson, apiRoute, methodNotAllowed } from '#app/utils/api.server.ts'
import { appOrigin } from '#app/utils/origin.server.ts'

export const action = methodNotAllowed(['GET'])

/** `GET /api/v1/openapi.json`: the API's OpenAPI 3.1 document (public: it holds no data). */
export const loader = apiRoute(async ({ request }: LoaderFunctionArgs) => {
	return apiJson({ ...openApiDocument, servers: [{ url: appOrigin(request) }] })
})
