import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'

/** A button that copies a link to the clipboard; rendered only once JavaScript runs (the link stays readable without it). */
export function CopyLink({ href, label }: { href: string; label: string }) {
	const { t } = useTranslation('rounds')
	const [ready, setReady] = useState(false)
	const [copied, setCopied] = useState(false)
	useEffect(() => setReady(true), [])
	if (!ready) return null
	return (
		<span className="inline-flex items-center gap-2">
			<button
				type="button"
				className="btn"
				onClick={() => {
					void navigator.clipboard?.writeText(href).then(() => setCopied(true))
				}}
			>
				{label}
			</button>
			<span role="status" className="text-sm text-slate-700">
				{copied ? t('outbox.copied') : ''}
			</span>
		</span>
	)
}
