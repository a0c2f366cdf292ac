import { getFixedT } from '#app/utils/i18n.server.ts'
import { type Language } from '#app/utils/i18n.ts'
import { type EmailParagraph, type RenderedEmail, renderEmail } from './layout.server.ts'

/** Dates in emails: the reader's language, always in UTC and saying so (we do not know their time zone). */
export function formatEmailDate(language: Language, date: Date): string {
	return `${new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(date)} (UTC)`
}

export function invitationEmail({
	language,
	datasetName,
	roundTitle,
	role,
	expertise,
	message,
	link,
	expiresAt,
	inviterLabel,
}: {
	language: Language
	datasetName: string
	roundTitle: string
	role: 'community' | 'expert'
	expertise?: string
	message?: string
	link: string
	expiresAt: Date
	/** The team's name, or left out for a sentence that names nobody. */
	inviterLabel?: string
}): RenderedEmail {
	const t = getFixedT(language, 'emails')
	const inviter = inviterLabel?.trim()
	const field = expertise?.trim()
	const note = message?.trim()
	const paragraphs: EmailParagraph[] = [
		inviter
			? t('invitation.intro', { inviter, roundTitle, datasetName })
			: t('invitation.introNoInviter', { roundTitle, datasetName }),
		t('invitation.about'),
		role === 'community'
			? t('invitation.taskCommunity')
			: field
				? t('invitation.taskExpertField', { expertise: field })
				: t('invitation.taskExpert'),
	]
	if (note) paragraphs.push(t('invitation.messageIntro'), { quote: note })
	paragraphs.push(
		t('invitation.pseudonymous'),
		t('invitation.withdraw'),
		t('invitation.expires', { date: formatEmailDate(language, expiresAt) }),
	)
	return renderEmail({
		language,
		subject: t('invitation.subject', { datasetName }),
		paragraphs,
		action: { label: t('invitation.action'), url: link },
		footer: t('footer.invitation'),
	})
}

export function roundOpenedEmail({
	language,
	roundTitle,
	datasetName,
	link,
	closesAt,
}: {
	language: Language
	roundTitle: string
	datasetName: string
	link: string
	closesAt: Date | null
}): RenderedEmail {
	const t = getFixedT(language, 'emails')
	return renderEmail({
		language,
		subject: t('roundOpened.subject', { roundTitle }),
		paragraphs: [
			t('roundOpened.body', { roundTitle, datasetName }),
			closesAt ? t('roundOpened.closes', { date: formatEmailDate(language, closesAt) }) : t('roundOpened.noClosingDate'),
		],
		action: { label: t('roundOpened.action'), url: link },
		footer: t('footer.participant'),
	})
}

/** Sent 48 hours before a round closes, to participants who still have samples to review. */
export function roundReminderEmail({
	language,
	roundTitle,
	remaining,
	link,
	closesAt,
}: {
	language: Language
	roundTitle: string
	remaining: number
	link: string
	closesAt: Date
}): RenderedEmail {
	const t = getFixedT(language, 'emails')
	const date = formatEmailDate(language, closesAt)
	return renderEmail({
		language,
		subject: t('roundReminder.subject', { roundTitle, date }),
		paragraphs: [t('roundReminder.remaining', { count: remaining, roundTitle }), t('roundReminder.closes', { date })],
		action: { label: t('roundReminder.action'), url: link },
		footer: t('footer.participant'),
	})
}

export function roundClosedEmail({ language, roundTitle, link }: { language: Language; roundTitle: string; link: string }): RenderedEmail {
	const t = getFixedT(language, 'emails')
	return renderEmail({
		language,
		subject: t('roundClosed.subject', { roundTitle }),
		paragraphs: [t('roundClosed.body', { roundTitle }), t('roundClosed.follow')],
		action: { label: t('roundClosed.action'), url: link },
		footer: t('footer.participant'),
	})
}
