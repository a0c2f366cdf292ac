import { getFixedT } from '#app/utils/i18n.server.ts'
import { type Language } from '#app/utils/i18n.ts'
import { formatEmailDate } from './round-emails.server.ts'
import { type RenderedEmail, renderEmail } from './layout.server.ts'

/** The code that proves a sign-up's address (sent only when SMTP is configured; never in an outbox). */
export function signupCodeEmail({ language, code }: { language: Language; code: string }): RenderedEmail {
	const t = getFixedT(language, 'emails')
	return renderEmail({ language, subject: t('signupCode.subject'), paragraphs: [t('signupCode.body', { code }), t('signupCode.ignore')], footer: t('footer.account') })
}

/** Sent instead of a code when the address already has an account: the sign-up page looks the same. */
export function signupExistsEmail({ language, signInUrl }: { language: Language; signInUrl: string }): RenderedEmail {
	const t = getFixedT(language, 'emails')
	return renderEmail({
		language,
		subject: t('signupExists.subject'),
		paragraphs: [t('signupExists.body'), t('signupCode.ignore')],
		action: { label: t('signupExists.action'), url: signInUrl },
		footer: t('footer.account'),
	})
}

/** An invitation to a dataset's team, in the language the inviter chose. */
export function teamInvitationEmail({ language, datasetName, link, expiresAt }: { language: Language; datasetName: string; link: string; expiresAt: Date }): RenderedEmail {
	const t = getFixedT(language, 'emails')
	return renderEmail({
		language,
		subject: t('teamInvitation.subject', { datasetName }),
		paragraphs: [t('teamInvitation.body', { datasetName }), t('invitation.expires', { date: formatEmailDate(language, expiresAt) })],
		action: { label: t('teamInvitation.action'), url: link },
		footer: t('footer.account'),
	})
}
