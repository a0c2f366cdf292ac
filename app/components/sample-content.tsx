import { useTranslation } from 'react-i18next'
import { directionOf } from '#app/utils/i18n.ts'

type Sample = {
	content: string | null
	messages: Array<{ role: string; content: string }> | null
	imageUrl: string | null
	imageAlt: string | null
	language: string | null
}

/** A sample as text (never HTML), in its own language and direction; chats as turns. */
export function SampleContent({ sample }: { sample: Sample }) {
	const { t } = useTranslation('datasets')
	const lang = sample.language ?? undefined
	const dir = sample.language ? directionOf(sample.language) : 'auto'
	return (
		<div className="flex flex-col gap-3">
			{sample.imageUrl ? (
				<figure>
					<img src={sample.imageUrl} alt={sample.imageAlt ?? t('sample.imageNoAlt')} className="max-h-96 rounded border border-slate-200" loading="lazy" referrerPolicy="no-referrer" />
					{sample.imageAlt ? null : <figcaption className="text-sm text-slate-700">{t('sample.imageNoAlt')}</figcaption>}
				</figure>
			) : null}
			{sample.messages ? (
				<ol className="flex flex-col gap-2" aria-label={t('sample.conversation')}>
					{sample.messages.map((m, i) => (
						<li key={i} className={`rounded-lg border p-3 ${m.role === 'assistant' ? 'border-indigo-200 bg-indigo-50' : 'border-slate-200 bg-white'}`}>
							<p className="text-xs font-semibold uppercase tracking-wide text-slate-700">{t(`roles.${m.role}`, { defaultValue: m.role })}</p>
							<p lang={lang} dir={dir} className="mt-1 whitespace-pre-wrap break-words">
								{m.content}
							</p>
						</li>
					))}
				</ol>
			) : (
				<p lang={lang} dir={dir} className="whitespace-pre-wrap break-words rounded-lg border border-slate-200 bg-white p-3 sm:p-4">
					{sample.content}
				</p>
			)}
		</div>
	)
}

/** Metadata the generator was given, as a readable definition list (values are text). */
export function MetadataList({ metadata }: { metadata: Record<string, unknown> }) {
	const entries = flatten(metadata)
	if (!entries.length) return null
	return (
		<dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
			{entries.map(([k, v]) => (
				<div key={k} className="contents">
					<dt className="font-medium text-slate-700">{k}</dt>
					<dd dir="auto" className="break-words">
						{v}
					</dd>
				</div>
			))}
		</dl>
	)
}

function flatten(value: Record<string, unknown>, prefix = ''): Array<[string, string]> {
	return Object.entries(value).flatMap(([k, v]): Array<[string, string]> => {
		const key = prefix ? `${prefix}.${k}` : k
		if (v && typeof v === 'object' && !Array.isArray(v)) return flatten(v as Record<string, unknown>, key)
		return [[key, typeof v === 'string' ? v : JSON.stringify(v)]]
	})
}
