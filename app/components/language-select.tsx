import { languageNames, supportedLanguages } from '#app/utils/i18n.ts'

/**
 * The language an invitation email is written in: each language named in itself (and marked with
 * its own `lang`), or the default (the invitee's own choice, else the sender's language).
 */
export function InvitationLanguageSelect({ id, label, defaultLabel }: { id: string; label: string; defaultLabel: string }) {
	return (
		<div>
			<label htmlFor={id} className="label">
				{label}
			</label>
			<select id={id} name="language" className="input" defaultValue="">
				<option value="">{defaultLabel}</option>
				{supportedLanguages.map((lng) => (
					<option key={lng} value={lng} lang={lng}>
						{languageNames[lng]}
					</option>
				))}
			</select>
		</div>
	)
}
