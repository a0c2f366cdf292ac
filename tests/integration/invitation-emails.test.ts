import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { supportedLanguages } from '#app/domain/enums.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { createRound, roundAction, world } from '#tests/round-fixtures.ts'
import { type Received } from '#tests/smtp-sink.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

// An owner invites a community member and an expert in one list, in each of the four languages;
// the emails go through the app's real path (route action, invitation, mailer, SMTP) to a sink.

useTestDatabase()

const sink = useSmtpSink()

type Strings = Record<string, string>
const emails = (lng: string) => (JSON.parse(readFileSync(`locales/${lng}/emails.json`, 'utf8')) as { invitation: Strings }).invitation
const iso = (s: string) => `\u2068${s}\u2069`
const fill = (template: string, vars: Strings) => template.replace(/{{\s*(\w+)\s*}}/g, (_, k: string) => vars[k] ?? `{{${k}}}`)
/** The decoded message with soft line breaks and the MIME line folding of long words undone. */
const body = (m: Received) => m.decoded.replace(/\r?\n/g, ' ')
const subjectOf = (m: Received) => {
	const encoded = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(m.raw)?.[1] ?? ''
	return encoded
		.replace(/\r?\n[ \t]+/g, ' ')
		.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, kind: string, data: string) =>
			kind.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('latin1') : data.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_h, hex: string) => String.fromCharCode(parseInt(hex, 16))),
		)
}
const decodeSubject = (m: Received) => Buffer.from(subjectOf(m), 'latin1').toString('utf8')

describe('invitation emails say who invites and what the round asks of this role', () => {
	test('a community member and an expert get different emails, in each of the ten languages', async () => {
		const { owner } = await world(2)
		const roundId = await createRound(owner, { title: 'Community check' })
		for (const lng of supportedLanguages) {
			const community = `community-${lng.toLowerCase()}@example.org`
			const expert = `expert-${lng.toLowerCase()}@example.org`
			// One list: the expert's line gives its own role (and a label, which the team may not attach to a person: dropped); the form's default is community.
			const res = await roundAction(owner, roundId, { intent: 'invite', emails: `${community}\n${expert}, expert, sociolinguistics`, role: 'community', expertise: '', language: lng })
			expect(res.status).toBe(200)
			const s = emails(lng)
			const inviter = fill(s.team!, { datasetName: iso('Hints') })
			const round = iso('Community check')
			const toCommunity = sink.messages.find((m) => m.to.includes(community))!
			const toExpert = sink.messages.find((m) => m.to.includes(expert))!
			expect(toCommunity, `${lng}: community email sent`).toBeDefined()
			expect(toExpert, `${lng}: expert email sent`).toBeDefined()

			// Each says who invites — the dataset's team — and what the round asks of this role.
			const communityIntro = fill(s.introCommunity!, { inviter, roundTitle: round })
			const expertIntro = fill(s.introExpert!, { inviter, roundTitle: round })
			expect(body(toCommunity)).toContain(communityIntro)
			expect(body(toCommunity)).toContain(s.taskCommunity)
			expect(body(toExpert)).toContain(expertIntro)
			expect(body(toExpert)).toContain(s.taskExpert)
			expect(body(toExpert)).not.toContain('sociolinguistics')
			// … and never the other role's words (the first real round sent an expert the community text).
			expect(body(toExpert)).not.toContain(s.taskCommunity)
			expect(body(toCommunity)).not.toContain(s.taskExpert)
			expect(body(toCommunity)).not.toContain(fill(s.introExpert!, { inviter, roundTitle: round }))
			// Invited by the team, not by the dataset's bare name.
			expect(body(toCommunity)).toContain(inviter)
			expect(decodeSubject(toCommunity)).toBe(fill(s.subjectCommunity!, { datasetName: iso('Hints') }))
			expect(decodeSubject(toExpert)).toBe(fill(s.subjectExpert!, { datasetName: iso('Hints') }))
			expect(decodeSubject(toCommunity)).not.toBe(decodeSubject(toExpert))
			// Written in the invited language: the HTML part says so.
			expect(toExpert.decoded).toContain(`lang="${lng}" dir="${['ar', 'ur'].includes(lng) ? 'rtl' : 'ltr'}"`)
		}
	})
})
