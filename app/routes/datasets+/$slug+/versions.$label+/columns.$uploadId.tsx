import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { z } from 'zod'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { COLUMN_USES, type ColumnUse, type MappingProblem, mappingFromUses, prefillUses } from '#app/domain/import/column-mapping.ts'
import { canChangeSamples } from '#app/domain/version-status.ts'
import { ImportNotAllowedError } from '#app/models/import.server.ts'
import { ParquetFileError } from '#app/models/parquet-import.server.ts'
import { discardStagedUpload, getColumnMapping, getStagedUpload, importStagedUpload } from '#app/models/parquet-mapping.server.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { intentOf, parseForm } from '#app/routes/__form.server.ts'
import { isUuid } from '#app/utils/misc.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'

export const handle: RouteHandle = { i18n: ['datasets'], title: (t) => t('datasets:columns.title') }

const ImportSchema = z.object({ use: z.array(z.enum(COLUMN_USES)) })

async function staged(request: Request, params: LoaderFunctionArgs['params']) {
	const { user, dataset, version } = await requireVersion(request, params, 'import')
	const back = `/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`
	if (!canChangeSamples(version.status)) throw redirect(`${back}?notice=frozen`)
	const upload = isUuid(params.uploadId) ? await getStagedUpload({ uploadId: params.uploadId, versionId: version.id }) : null
	if (!upload) throw redirect(`${back}?notice=stagedgone`)
	return { user, dataset, version, upload, back }
}

/** Step 2 of a Parquet upload (decision 047): the staged file's columns, each with its use pre-filled. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version, upload } = await staged(request, params)
	const remembered = await getColumnMapping(dataset.id)
	const { uses, missing } = prefillUses(upload.columns, remembered)
	return {
		dataset: { slug: dataset.slug, name: dataset.name },
		version: { label: version.label },
		upload: { filename: upload.filename, rows: upload.rows, columns: upload.columns },
		uses,
		missing,
		remembered: remembered !== null,
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { user, dataset, version, upload, back } = await staged(request, params)
	const formData = await request.formData()
	const intent = intentOf(formData)
	if (intent === 'cancel') {
		await discardStagedUpload({ uploadId: upload.id, versionId: version.id })
		throw redirect(back)
	}
	if (intent !== 'import') throw new Response('Unknown intent', { status: 400 })
	const parsed = parseForm(formData, ImportSchema, { lists: ['use'] })
	if (!parsed.ok || parsed.value.use.length !== upload.columns.length) throw new Response('Bad request', { status: 400 })
	const uses: ColumnUse[] = parsed.value.use
	const result = mappingFromUses(upload.columns, uses)
	if (!result.mapping) return data({ problems: result.problems, uses }, { status: 400 })
	const outcome = await importStagedUpload({ uploadId: upload.id, versionId: version.id, datasetId: dataset.id, mapping: result.mapping, userId: user.id }).catch((error: unknown) => {
		if (error instanceof ImportNotAllowedError) throw redirect(`${back}?notice=frozen`)
		if (error instanceof ParquetFileError) throw redirect(`${back}?notice=unreadable`)
		throw error
	})
	// Sent twice: the first submission imports, the second finds nothing staged.
	if (!outcome) throw redirect(`${back}?notice=stagedgone`)
	throw redirect(`${back}/imports/${outcome.importId}`)
}

function problemText(t: (key: string, options?: Record<string, unknown>) => string, p: MappingProblem) {
	if (p.code === 'mapping_part_twice') return t('columns.problems.part_twice', { part: t(`columns.use.${p.part}`), columns: p.columns })
	if (p.code === 'mapping_messages_not_list') return t('columns.problems.messages_not_list', { column: p.column, type: p.type })
	return t(`columns.problems.${p.code === 'mapping_no_id' ? 'no_id' : 'no_content'}`)
}

export default function MapColumns() {
	const { t } = useTranslation(['datasets', 'common'])
	const { dataset, version, upload, uses, missing, remembered } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const busy = useNavigation().state === 'submitting'
	const chosen = actionData?.uses ?? uses
	return (
		<div className="flex max-w-4xl flex-col gap-6">
			<PageHeader crumbs={datasetCrumbs(t, dataset, version)} title={t('columns.title')} />
			<p>{t('columns.intro', { file: upload.filename, rows: t('imports.rows', { count: upload.rows }) })}</p>
			{remembered ? <p className="text-sm text-slate-700">{t('columns.remembered')}</p> : null}
			{missing.length ? (
				<div role="status" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
					{t('columns.missing', { columns: missing.join(', '), count: missing.length })}
				</div>
			) : null}
			{actionData?.problems.length ? (
				<div role="alert" className="alert-error" id="mapping-problems">
					<p className="font-semibold">{t('columns.problemsTitle')}</p>
					<ul className="list-disc ps-5">
						{actionData.problems.map((p, i) => (
							<li key={i}>{problemText(t, p)}</li>
						))}
					</ul>
				</div>
			) : null}
			<Form method="post" className="card flex flex-col gap-4" aria-describedby={actionData?.problems.length ? 'mapping-problems' : undefined}>
				<table className="w-full border-collapse text-sm">
					<caption className="text-start font-semibold">{t('columns.caption')}</caption>
					<thead>
						<tr className="border-b border-slate-300">
							<th scope="col" className="py-2 text-start">
								{t('columns.column')}
							</th>
							<th scope="col" className="py-2 text-start">
								{t('columns.type')}
							</th>
							<th scope="col" className="py-2 text-start">
								{t('columns.useAs')}
							</th>
						</tr>
					</thead>
					<tbody>
						{upload.columns.map((c, i) => (
							<tr key={`${i}-${c.name}`} className="border-b border-slate-200">
								<th scope="row" className="py-2 text-start font-normal">
									<code dir="auto">{c.name}</code>
								</th>
								<td className="py-2">
									<code dir="ltr" className="break-all">
										{c.type}
									</code>
								</td>
								<td className="py-2">
									<select name="use" aria-label={t('columns.useOf', { column: c.name })} defaultValue={chosen[i]} key={`${i}-${chosen[i]}`} className="input">
										{COLUMN_USES.map((u) => (
											<option key={u} value={u}>
												{t(`columns.use.${u}`)}
											</option>
										))}
									</select>
								</td>
							</tr>
						))}
					</tbody>
				</table>
				<p className="text-sm text-slate-700">{t('columns.hint')}</p>
				<div className="flex flex-wrap gap-3">
					<button type="submit" name="intent" value="import" className="btn btn-primary" disabled={busy}>
						{t('columns.import')}
					</button>
					<button type="submit" name="intent" value="cancel" className="btn" disabled={busy} formNoValidate>
						{t('columns.cancel')}
					</button>
				</div>
			</Form>
		</div>
	)
}
