import { type LoaderFunctionArgs } from '@remix-run/node'
import { getImport } from '#app/models/import.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'

/** Server-side progress of an import, polled by the upload form while the file streams in. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { version } = await requireVersion(request, params, 'view')
	const id = params.importId ?? ''
	const row = /^[0-9a-f-]{36}$/i.test(id) ? await getImport({ importId: id, versionId: version.id }) : null
	invariantResponse(row, 'Not found', { status: 404 })
	return Response.json({ status: row.status, rowsRead: row.rowsRead, bytesRead: row.bytesRead, bytesTotal: row.bytesTotal, errorCount: row.errorCount }, { headers: { 'Cache-Control': 'no-store' } })
}
