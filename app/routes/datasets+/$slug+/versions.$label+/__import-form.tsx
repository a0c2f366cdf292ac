import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'

type Progress = { uploaded: number; total: number; rows: number | null }

/**
 * A plain multipart form (it works without JavaScript: the browser posts the file and shows the
 * result page). With JavaScript the upload goes through XHR for a progress bar, and the server's
 * own progress (rows parsed so far) is polled under the import id the form carries. A Parquet file
 * is staged and the answer is its column-mapping page (columns.$uploadId.tsx).
 */
export function ImportForm({ action, hasSamples }: { action: string; hasSamples: boolean }) {
	const { t } = useTranslation('datasets')
	const [importId, setImportId] = useState('')
	const [progress, setProgress] = useState<Progress | null>(null)
	const [failed, setFailed] = useState(false)
	const poll = useRef<ReturnType<typeof setInterval>>()
	useEffect(() => {
		setImportId(crypto.randomUUID())
		return () => clearInterval(poll.current)
	}, [])

	function onSubmit(event: React.FormEvent<HTMLFormElement>) {
		const form = event.currentTarget
		if (typeof XMLHttpRequest === 'undefined' || !importId) return
		event.preventDefault()
		setFailed(false)
		const xhr = new XMLHttpRequest()
		xhr.open('POST', form.action)
		xhr.upload.onprogress = (e) => setProgress((p) => ({ rows: p?.rows ?? null, uploaded: e.loaded, total: e.lengthComputable ? e.total : 0 }))
		xhr.onload = () => {
			clearInterval(poll.current)
			window.location.assign(xhr.responseURL || form.action)
		}
		xhr.onerror = () => {
			clearInterval(poll.current)
			setFailed(true)
			setProgress(null)
		}
		xhr.send(new FormData(form))
		setProgress({ uploaded: 0, total: 0, rows: null })
		poll.current = setInterval(async () => {
			const res = await fetch(`${form.action.replace(/\/import$/, '')}/imports/${importId}/progress`).catch(() => null)
			if (!res?.ok) return
			const body = (await res.json()) as { rowsRead: number }
			setProgress((p) => (p ? { ...p, rows: body.rowsRead } : p))
		}, 1000)
	}

	const percent = progress && progress.total ? Math.round((progress.uploaded / progress.total) * 100) : null
	return (
		<section aria-labelledby="import-heading" className="card flex flex-col gap-3">
			<h2 id="import-heading">{t('import.title')}</h2>
			<p className="text-sm text-slate-700">{hasSamples ? t('import.replaceIntro') : t('import.intro')}</p>
			<form method="post" action={action} encType="multipart/form-data" onSubmit={onSubmit} className="flex flex-col gap-3">
				{/* Before the file, so the server knows the id while the file is still streaming in. */}
				<input type="hidden" name="importId" value={importId} />
				<div>
					<label htmlFor="import-file" className="label">
						{t('import.file')}
					</label>
					<input
						id="import-file"
						name="file"
						type="file"
						required
						accept=".jsonl,.ndjson,.json,.csv,.parquet,application/x-ndjson,text/csv,application/vnd.apache.parquet"
						aria-describedby="import-file-hint"
						className="input"
					/>
					<p id="import-file-hint" className="mt-1 text-sm text-slate-700">
						{t('import.fileHint')}
					</p>
				</div>
				<button type="submit" className="btn btn-primary self-start" disabled={!!progress}>
					{t('import.submit')}
				</button>
				{progress ? (
					<div className="flex flex-col gap-1" aria-live="polite">
						<label htmlFor="upload-progress" className="text-sm">
							{percent === null ? t('import.uploading') : t('import.uploadedPercent', { percent })}
						</label>
						<progress id="upload-progress" max={100} value={percent ?? undefined} className="w-full" />
						{progress.rows !== null ? <p className="text-sm">{t('import.rowsProcessed', { count: progress.rows })}</p> : null}
					</div>
				) : null}
				{failed ? (
					<p role="alert" className="alert-error">
						{t('import.networkError')}
					</p>
				) : null}
			</form>
		</section>
	)
}
