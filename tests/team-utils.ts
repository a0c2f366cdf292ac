import { and, desc, eq } from 'drizzle-orm'
import { emails } from '#db/schema/rounds.ts'
import { action as teamAction } from '#app/routes/datasets+/$slug+/team.tsx'
import { action as acceptTeamAction } from '#app/routes/team-invitations.$token.tsx'
import { db } from '#app/utils/db.server.ts'
import { formRequest, run } from './route-utils.ts'

/** The link of the latest team invitation emailed to `email` (kept in the emails table, with or without SMTP). */
export async function teamInvitationToken(email: string) {
	const [row] = await db
		.select({ text: emails.text })
		.from(emails)
		.where(and(eq(emails.kind, 'team_invitation'), eq(emails.to, email.toLowerCase())))
		.orderBy(desc(emails.createdAt))
		.limit(1)
	const token = row ? /\/team-invitations\/([A-Za-z0-9_-]+)/.exec(row.text)?.[1] : undefined
	if (!token) throw new Error(`no team invitation to ${email}`)
	return token
}

/**
 * Adds a maintainer the only way the product allows: the owner invites the address, the invitee
 * (signed in as `inviteeCookie`) accepts the emailed link. Returns both answers.
 */
export async function addMaintainer(ownerCookie: string, slug: string, email: string, inviteeCookie: string) {
	const invited = await run(teamAction, formRequest(`/datasets/${slug}/team`, { intent: 'add', email }, { cookie: ownerCookie }), {}, { slug })
	const token = await teamInvitationToken(email)
	const accepted = await run(acceptTeamAction, formRequest(`/team-invitations/${token}`, {}, { cookie: inviteeCookie }), {}, { token })
	return { invited, accepted }
}
