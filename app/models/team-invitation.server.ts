import { and, desc, eq, sql } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { datasetMembers, datasets, teamInvitations } from '#db/schema/datasets.ts'
import { randomToken, sha256Hex } from '#app/utils/crypto.server.ts'
import { db } from '#app/utils/db.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { type Language } from '#app/utils/i18n.ts'
import { recordAudit } from './audit.server.ts'

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,64}$/

/**
 * Invites an address to the dataset's team (decision 028). Nothing about an account is looked up:
 * whether the address has one, its name, id and language stay unknown to the inviter until the
 * invitee accepts. Inviting the same address again sends a new link. A current member's address
 * (the team sees members' addresses anyway) is reported as such.
 */
export async function inviteToTeam(input: { datasetId: string; email: string; language: Language; actorId: string }) {
	const [member] = await db
		.select({ userId: datasetMembers.userId })
		.from(datasetMembers)
		.innerJoin(users, eq(users.id, datasetMembers.userId))
		.where(and(eq(datasetMembers.datasetId, input.datasetId), eq(users.email, input.email)))
	if (member) return { result: 'already_member' as const }
	const token = randomToken(32)
	const expiresAt = new Date(Date.now() + getEnv().INVITATION_TTL_DAYS * 86_400_000)
	return db.transaction(async (tx) => {
		const [resent] = await tx
			.update(teamInvitations)
			.set({ tokenHash: sha256Hex(token), expiresAt, language: input.language })
			.where(and(eq(teamInvitations.datasetId, input.datasetId), eq(teamInvitations.email, input.email), eq(teamInvitations.status, 'pending')))
			.returning({ id: teamInvitations.id })
		if (!resent) {
			await tx.insert(teamInvitations).values({ datasetId: input.datasetId, email: input.email, language: input.language, tokenHash: sha256Hex(token), expiresAt, createdBy: input.actorId })
		}
		// Addresses stay out of the log (it is kept forever).
		await recordAudit({ datasetId: input.datasetId, actorId: input.actorId, action: 'team.invited', targetType: 'team', targetId: input.datasetId, targetLabel: '', after: { role: 'maintainer' } }, tx)
		return { result: resent ? ('resent' as const) : ('invited' as const), token, expiresAt }
	})
}

export async function listTeamInvitations(datasetId: string) {
	const rows = await db
		.select({ id: teamInvitations.id, email: teamInvitations.email, status: teamInvitations.status, expiresAt: teamInvitations.expiresAt, createdAt: teamInvitations.createdAt })
		.from(teamInvitations)
		.where(eq(teamInvitations.datasetId, datasetId))
		.orderBy(desc(teamInvitations.createdAt))
		.limit(200)
	const now = new Date()
	return rows.map((r) => ({ ...r, state: r.status === 'pending' && r.expiresAt <= now ? ('expired' as const) : r.status }))
}

export async function revokeTeamInvitation(datasetId: string, invitationId: string) {
	const rows = await db
		.update(teamInvitations)
		.set({ status: 'revoked' })
		.where(and(eq(teamInvitations.id, invitationId), eq(teamInvitations.datasetId, datasetId), eq(teamInvitations.status, 'pending')))
		.returning({ id: teamInvitations.id })
	return rows.length === 1
}

export async function findTeamInvitation(token: string | undefined) {
	if (!token || !TOKEN_SHAPE.test(token)) return null
	const [row] = await db
		.select({ id: teamInvitations.id, email: teamInvitations.email, status: teamInvitations.status, expiresAt: teamInvitations.expiresAt, datasetName: datasets.name, datasetSlug: datasets.slug })
		.from(teamInvitations)
		.innerJoin(datasets, eq(datasets.id, teamInvitations.datasetId))
		.where(eq(teamInvitations.tokenHash, sha256Hex(token)))
	if (!row) return null
	const state = row.status === 'pending' && row.expiresAt <= new Date() ? ('expired' as const) : row.status
	return { ...row, state }
}

export type TeamAcceptResult = { ok: true; slug: string } | { ok: false; reason: 'invalid' | 'expired' | 'revoked' | 'used' | 'wrong_account' }

/** Accepts for the signed-in user, whose address must be the invited one; single use. */
export async function acceptTeamInvitation(token: string, user: { id: string; email: string; displayName: string }): Promise<TeamAcceptResult> {
	if (!TOKEN_SHAPE.test(token)) return { ok: false, reason: 'invalid' }
	return db.transaction(async (tx) => {
		const [inv] = await tx
			.select({
				id: teamInvitations.id,
				datasetId: teamInvitations.datasetId,
				email: teamInvitations.email,
				status: teamInvitations.status,
				expiresAt: teamInvitations.expiresAt,
				createdBy: teamInvitations.createdBy,
				slug: datasets.slug,
			})
			.from(teamInvitations)
			.innerJoin(datasets, eq(datasets.id, teamInvitations.datasetId))
			.where(eq(teamInvitations.tokenHash, sha256Hex(token)))
			.for('update', { of: teamInvitations })
		if (!inv) return { ok: false, reason: 'invalid' }
		if (inv.status === 'revoked') return { ok: false, reason: 'revoked' }
		if (inv.status === 'accepted') return { ok: false, reason: 'used' }
		if (inv.expiresAt <= new Date()) return { ok: false, reason: 'expired' }
		if (inv.email !== user.email) return { ok: false, reason: 'wrong_account' }
		await tx
			.update(teamInvitations)
			.set({ status: 'accepted', acceptedAt: sql`now()` })
			.where(eq(teamInvitations.id, inv.id))
		const added = await tx.insert(datasetMembers).values({ datasetId: inv.datasetId, userId: user.id, role: 'maintainer' }).onConflictDoNothing().returning({ userId: datasetMembers.userId })
		if (added.length) {
			// The entry is the inviter's act, completed by the invitee's acceptance.
			await recordAudit(
				{
					datasetId: inv.datasetId,
					actorId: inv.createdBy ?? user.id,
					action: 'team.member_added',
					targetType: 'team',
					targetId: user.id,
					targetLabel: user.displayName,
					after: { role: 'maintainer' },
				},
				tx,
			)
		}
		return { ok: true, slug: inv.slug }
	})
}
