import { getFixedT } from '#app/utils/i18n.server.ts'
import { isolate } from '#app/utils/bidi.ts'
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
	/** The team's public name; left out, the team is named after its dataset ("the “X” dataset team"). */
	inviterLabel?: string
}): RenderedEmail {
	const t = getFixedT(language, 'emails')
	// Every name a person chose (dataset, round, expertise, team) is isolated: an English title in an
	// Arabic sentence, or the reverse, never reorders the words around it.
	const dataset = isolate(datasetName)
	const round = isolate(roundTitle)
	const field = expertise?.trim()
	const note = message?.trim()
	// Who invites: the dataset's team, by its public name, never a person's name.
	const inviter = inviterLabel?.trim() ? isolate(inviterLabel.trim()) : t('invitation.team', { datasetName: dataset })
	// What the round asks of this role, said from the subject on.
	const intro =
		role === 'community'
			? t('invitation.introCommunity', { inviter, roundTitle: round })
			: field
				? t('invitation.introExpertField', { inviter, roundTitle: round, expertise: isolate(field) })
				: t('invitation.introExpert', { inviter, roundTitle: round })
	const paragraphs: EmailParagraph[] = [intro, t('invitation.about'), role === 'community' ? t('invitation.taskCommunity') : t('invitation.taskExpert')]
	if (note) paragraphs.push(t('invitation.messageIntro'), { quote: note })
	paragraphs.push(t('invitation.pseudonymous'), t('invitation.withdraw'), t('invitation.expires', { date: isolate(formatEmailDate(language, expiresAt)) }))
	return renderEmail({
		language,
		subject: t(role === 'community' ? 'invitation.subjectCommunity' : 'invitation.subjectExpert', { datasetName: dataset }),
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
		subject: t('roundOpened.subject', { roundTitle: isolate(roundTitle) }),
		paragraphs: [
			t('roundOpened.body', { roundTitle: isolate(roundTitle), datasetName: isolate(datasetName) }),
			closesAt ? t('roundOpened.closes', { date: isolate(formatEmailDate(language, closesAt)) }) : t('roundOpened.noClosingDate'),
		],
		action: { label: t('roundOpened.action'), url: link },
		footer: t('footer.participant'),
	})
}

/** Sent 48 hours before a round closes, to participants who still have samples to review. */
export function roundReminderEmail({ language, roundTitle, remaining, link, closesAt }: { language: Language; roundTitle: string; remaining: number; link: string; closesAt: Date }): RenderedEmail {
	const t = getFixedT(language, 'emails')
	const date = isolate(formatEmailDate(language, closesAt))
	return renderEmail({
		language,
		subject: t('roundReminder.subject', { roundTitle: isolate(roundTitle), date }),
		paragraphs: [t('roundReminder.remaining', { count: remaining, roundTitle: isolate(roundTitle) }), t('roundReminder.closes', { date })],
		action: { label: t('roundReminder.action'), url: link },
		footer: t('footer.participant'),
	})
}

export function roundClosedEmail({ language, roundTitle, link }: { language: Language; roundTitle: string; link: string }): RenderedEmail {
	const t = getFixedT(language, 'emails')
	return renderEmail({
		language,
		subject: t('roundClosed.subject', { roundTitle: isolate(roundTitle) }),
		paragraphs: [t('roundClosed.body', { roundTitle: isolate(roundTitle) }), t('roundClosed.follow')],
		action: { label: t('roundClosed.action'), url: link },
		footer: t('footer.participant'),
	})
}
