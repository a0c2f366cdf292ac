import { teamNoticeText } from '#app/domain/team-notice.ts'
import { getFixedT } from '#app/utils/i18n.server.ts'
import { isolate } from '#app/utils/bidi.ts'
import { type Language } from '#app/utils/i18n.ts'
import { type RenderedEmail, renderEmail } from './layout.server.ts'

type Item = { kind: string; params: Record<string, string | number> }

/** Names and titles inside our sentences are isolated (numbers stay as they are, for plurals). */
const isolated = (params: Item['params']) => Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? isolate(v) : v]))

/** One email listing every change to a participant's feedback since the last pass of the job. */
export function feedbackUpdatesEmail({ language, items, link }: { language: Language; items: Item[]; link: string }): RenderedEmail {
	const t = getFixedT(language, 'emails')
	return renderEmail({
		language,
		subject: t('feedbackUpdates.subject', { count: items.length }),
		paragraphs: [t('feedbackUpdates.intro'), ...items.map((i) => `• ${t(`feedbackUpdates.items.${i.kind}`, isolated(i.params))}`), t('feedbackUpdates.privacy')],
		action: { label: t('feedbackUpdates.action'), url: link },
		footer: t('footer.participant'),
	})
}

/** To a dataset's team: blocking issues have waited too long for a first look. */
export function blockersReminderEmail({ language, items, origin }: { language: Language; items: Item[]; origin: string }): RenderedEmail {
	const t = getFixedT(language, 'emails')
	const first = items[0]!.params
	return renderEmail({
		language,
		subject: t('blockersReminder.subject', { dataset: isolate(String(first.dataset)), version: isolate(String(first.version)) }),
		paragraphs: items.map((i) => t('blockersReminder.body', isolated(i.params))),
		action: {
			label: t('blockersReminder.action'),
			url: `${origin}/datasets/${encodeURIComponent(String(first.slug))}/versions/${encodeURIComponent(String(first.version))}/issues?blocking=yes&status=open`,
		},
		footer: t('footer.team'),
	})
}

/**
 * To a dataset-team member: what happened on their datasets since the last digest (at most one
 * every NOTIFY_DIGEST_MINUTES), or, alone, a blocker that took a version out of approval.
 */
export function teamDigestEmail({ language, items, origin, urgent }: { language: Language; items: Item[]; origin: string; urgent: boolean }): RenderedEmail {
	const t = getFixedT(language, ['emails', 'rounds', 'issues'])
	const first = items[0]!.params
	return renderEmail({
		language,
		subject: urgent ? t('emails:teamDigest.urgentSubject', { dataset: first.dataset, version: first.version }) : t('emails:teamDigest.subject', { count: items.length }),
		paragraphs: [t('emails:teamDigest.intro'), ...items.map((i) => `• ${teamNoticeText(t, i.kind, i.params)}`), t('emails:teamDigest.optOut')],
		action: { label: t('emails:teamDigest.action'), url: `${origin}/inbox` },
		footer: t('emails:footer.team'),
	})
}
