import { useTranslation } from 'react-i18next'
import { useRootData } from '#app/root.tsx'

/** An instant in the viewer's language and time zone (UTC when the browser has not told us its zone). */
export function DateTime({ value, withTime = true }: { value: string | Date | null | undefined; withTime?: boolean }) {
	const { i18n } = useTranslation()
	const timeZone = useRootData()?.timeZone ?? 'UTC'
	if (!value) return <>—</>
	const date = typeof value === 'string' ? new Date(value) : value
	const text = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', ...(withTime ? { timeStyle: 'short' } : {}), timeZone }).format(date)
	const zone = withTime ? new Intl.DateTimeFormat(i18n.language, { timeZone, timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value : null
	return (
		<time dateTime={date.toISOString()}>
			{text}
			{zone ? ` (${zone})` : ''}
		</time>
	)
}
