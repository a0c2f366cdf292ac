import { randomInt } from 'node:crypto'
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm'
import { type ParticipantRole } from '#app/domain/enums.ts'
import { datasets, versions } from '#db/schema/datasets.ts'
import { invitations, participants, rounds } from '#db/schema/rounds.ts'
import { drawNumber } from '#app/domain/pseudonymity.ts'
import { type InviteLine } from '#app/domain/round.ts'
import { randomToken, sha256Hex } from '#app/utils/crypto.server.ts'
import { db, query, type Tx } from '#app/utils/db.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { type Language } from '#app/utils/i18n.ts'
import { recordAudit } from './audit.server.ts'

export type InvitationState = 'pending' | 'accepted' | 'expired' | 'revoked'

export function invitationState(row: { status: string; expiresAt: Date }, now = new Date()): InvitationState {
	if (row.status === 'pending' && row.expiresAt <= now) return 'expired'
	return row.status as InvitationState
}

export type InviteOutcome = { line: number; email: string; result: 'invited' | 'resent' | 'cap_reached'; token?: string; language?: Language }

/** Live invitations (pending or accepted): the team's list treats both alike (decision 027). */
const live = inArray(invitations.status, ['pending', 'accepted'])

/**
 * Invites each address to the round, in the inviter's language (never the account's: that would
 * tell the inviter the account exists). An address already invited and not revoked is sent a
 * new link whether or not it was accepted, so inviting again tells the team nothing about who
 * joined. Tokens are 256-bit random and only their SHA-256 is stored; the caller emails the token.
 */
export async function inviteToRound(input: { roundId: string; lines: InviteLine[]; message: string; language: Language; createdBy: string }): Promise<InviteOutcome[]> {
	const env = getEnv()
	const expiresAt = new Date(Date.now() + env.INVITATION_TTL_DAYS * 86_400_000)
	return db.transaction(async (tx) => {
		const [{ pending } = { pending: 0 }] = await tx
			.select({ pending: sql<number>`count(*)::int` })
			.from(invitations)
			.where(and(eq(invitations.roundId, input.roundId), eq(invitations.status, 'pending'), sql`${invitations.expiresAt} > now()`))
		let open = pending
		const out: InviteOutcome[] = []
		for (const line of input.lines) {
			const emailHash = sha256Hex(line.email)
			const token = randomToken(32)
			const [existing] = await tx
				.select({ id: invitations.id })
				.from(invitations)
				.where(and(eq(invitations.roundId, input.roundId), eq(invitations.emailHash, emailHash), live))
				.orderBy(desc(invitations.createdAt))
				.limit(1)
			if (existing) {
				await tx
					.update(invitations)
					.set({
						tokenHash: sha256Hex(token),
						expiresAt,
						sentCount: sql`${invitations.sentCount} + 1`,
						lastSentAt: new Date(),
						role: line.role,
						language: input.language,
						message: input.message || sql`${invitations.message}`,
					})
					.where(eq(invitations.id, existing.id))
				out.push({ line: line.line, email: line.email, result: 'resent', token, language: input.language })
				continue
			}
			if (open >= env.INVITATION_PENDING_CAP) {
				out.push({ line: line.line, email: line.email, result: 'cap_reached' })
				continue
			}
			await tx.insert(invitations).values({
				roundId: input.roundId,
				email: line.email,
				emailHash,
				role: line.role,
				message: input.message,
				language: input.language,
				tokenHash: sha256Hex(token),
				expiresAt,
				createdBy: input.createdBy,
			})
			open++
			out.push({ line: line.line, email: line.email, result: 'invited', token, language: input.language })
		}
		await auditInvitations(tx, input.roundId, input.createdBy, input.lines, out)
		return out
	})
}

/** The round and its dataset, for an audit entry about its invitations. */
async function roundForAudit(tx: Tx, roundId: string) {
	const [row] = await tx
		.select({ title: rounds.title, versionId: rounds.versionId, datasetId: versions.datasetId })
		.from(rounds)
		.innerJoin(versions, eq(versions.id, rounds.versionId))
		.where(eq(rounds.id, roundId))
	return row ?? null
}

/**
 * One entry per role: how many were invited and how many pending invitations were sent again.
 * Addresses are personal data and stay out of the log (it is kept forever).
 */
async function auditInvitations(tx: Tx, roundId: string, actorId: string, lines: InviteLine[], out: InviteOutcome[]) {
	const roleOf = new Map(lines.map((l) => [l.line, l.role]))
	const byRole = new Map<string, { invited: number; resent: number }>()
	for (const o of out) {
		if (o.result !== 'invited' && o.result !== 'resent') continue
		const role = roleOf.get(o.line) ?? 'community'
		const n = byRole.get(role) ?? { invited: 0, resent: 0 }
		n[o.result === 'invited' ? 'invited' : 'resent']++
		byRole.set(role, n)
	}
	if (!byRole.size) return
	const round = await roundForAudit(tx, roundId)
	if (!round) return
	for (const [role, n] of byRole) {
		await recordAudit(
			{
				datasetId: round.datasetId,
				versionId: round.versionId,
				actorId,
				action: 'invitation.sent',
				targetType: 'invitation',
				targetId: roundId,
				targetLabel: round.title,
				after: { role, count: n.invited, resent: n.resent },
			},
			tx,
		)
	}
}

/**
 * What the team may see of an invitation: sent, reminded, expired or revoked — never whether it
 * was accepted, so the list reads the same before and after someone joins.
 */
export type TeamInvitationState = 'sent' | 'reminded' | 'expired' | 'revoked'

export function teamInvitationState(row: { status: string; expiresAt: Date; remindedAt: Date | null }, now = new Date()): TeamInvitationState {
	if (row.status === 'revoked') return 'revoked'
	if (row.expiresAt <= now) return 'expired'
	return row.remindedAt ? 'reminded' : 'sent'
}

/** The team's view of a round's invitations, in the order they were made (not by state). */
export async function listInvitations(roundId: string) {
	const rows = await db
		.select({
			id: invitations.id,
			email: invitations.email,
			role: invitations.role,
			status: invitations.status,
			expiresAt: invitations.expiresAt,
			remindedAt: invitations.remindedAt,
			sentCount: invitations.sentCount,
			lastSentAt: invitations.lastSentAt,
		})
		.from(invitations)
		.where(eq(invitations.roundId, roundId))
		.orderBy(desc(invitations.createdAt), asc(invitations.email))
	const now = new Date()
	return rows.map(({ status, remindedAt, ...r }) => ({ ...r, state: teamInvitationState({ status, expiresAt: r.expiresAt, remindedAt }, now) }))
}

/** "5 of 8 have joined", per role: aggregates only. */
export async function invitationCounts(roundId: string) {
	const rows = await query<{ role: ParticipantRole; invited: number; joined: number }>(sql`
		select r.role,
			(select count(distinct i.email_hash)::int from ${invitations} i where i.round_id = ${roundId} and i.role = r.role and i.status <> 'revoked') as invited,
			(select count(*)::int from ${participants} p where p.round_id = ${roundId} and p.role = r.role and p.withdrawn_at is null) as joined
		from (values ('community'), ('expert')) as r(role)`)
	return rows
}

/**
 * Revokes a live invitation. One already accepted is marked revoked too (the team cannot tell the
 * two apart), but its participant stays in the round: leaving is theirs to decide.
 */
export async function revokeInvitation({ roundId, invitationId, actorId }: { roundId: string; invitationId: string; actorId: string }) {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.update(invitations)
			.set({ status: 'revoked' })
			.where(and(eq(invitations.id, invitationId), eq(invitations.roundId, roundId), live))
			.returning({ role: invitations.role })
		if (!row) return false
		const round = await roundForAudit(tx, roundId)
		if (round) {
			await recordAudit(
				{
					datasetId: round.datasetId,
					versionId: round.versionId,
					actorId,
					action: 'invitation.revoked',
					targetType: 'invitation',
					targetId: invitationId,
					targetLabel: round.title,
					before: { status: 'pending' },
					after: { status: 'revoked', role: row.role },
				},
				tx,
			)
		}
		return true
	})
}

/** A new link for a live invitation (accepted or not, alike); the old link stops working. */
export async function rotateInvitation({ roundId, invitationId, actorId }: { roundId: string; invitationId: string; actorId: string }) {
	const token = randomToken(32)
	const expiresAt = new Date(Date.now() + getEnv().INVITATION_TTL_DAYS * 86_400_000)
	return db.transaction(async (tx) => {
		const [row] = await tx
			.update(invitations)
			.set({ tokenHash: sha256Hex(token), expiresAt, sentCount: sql`${invitations.sentCount} + 1`, lastSentAt: new Date() })
			.where(and(eq(invitations.id, invitationId), eq(invitations.roundId, roundId), live))
			.returning({ email: invitations.email, role: invitations.role, message: invitations.message, language: invitations.language, sentCount: invitations.sentCount })
		if (!row) return null
		const round = await roundForAudit(tx, roundId)
		if (round) {
			await recordAudit(
				{
					datasetId: round.datasetId,
					versionId: round.versionId,
					actorId,
					action: 'invitation.resent',
					targetType: 'invitation',
					targetId: invitationId,
					targetLabel: round.title,
					after: { role: row.role, sentCount: row.sentCount },
				},
				tx,
			)
		}
		const { sentCount, ...invitation } = row
		return { ...invitation, token }
	})
}

/**
 * The automatic reminder, halfway through an invitation's life. Every live invitation of that age
 * is marked reminded and gets a new link (so the team's list and its copied links change alike
 * for all), but only those not accepted are emailed — and never into the team's outbox, which
 * would show who was not reminded.
 */
export async function claimInvitationReminders(now = new Date()) {
	const ttlDays = getEnv().INVITATION_TTL_DAYS
	const due = await query<{ id: string; round_id: string; email: string; role: ParticipantRole; language: string | null; message: string; status: string; expires_at: Date }>(sql`
		update ${invitations} i set reminded_at = ${now.toISOString()}::timestamptz
		from ${rounds} r
		where r.id = i.round_id and r.status in ('draft', 'open') and i.status in ('pending', 'accepted') and i.reminded_at is null
			and i.expires_at > ${now.toISOString()}::timestamptz and i.last_sent_at <= ${new Date(now.getTime() - (ttlDays * 86_400_000) / 2).toISOString()}::timestamptz
		returning i.id, i.round_id, i.email, i.role, i.language, i.message, i.status, i.expires_at`)
	const out: Array<{ roundId: string; email: string; role: ParticipantRole; language: string | null; message: string; token: string; expiresAt: Date }> = []
	for (const d of due) {
		const token = randomToken(32)
		await db
			.update(invitations)
			.set({ tokenHash: sha256Hex(token) })
			.where(eq(invitations.id, d.id))
		if (d.status === 'pending') out.push({ roundId: d.round_id, email: d.email, role: d.role, language: d.language, message: d.message, token, expiresAt: new Date(d.expires_at) })
	}
	return out
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,64}$/

/** Looks an invitation up by the token in its link; malformed or empty tokens never query. */
export async function findInvitation(token: string | undefined) {
	if (!token || !TOKEN_SHAPE.test(token)) return null
	const [row] = await db
		.select({
			id: invitations.id,
			roundId: invitations.roundId,
			email: invitations.email,
			role: invitations.role,
			message: invitations.message,
			status: invitations.status,
			expiresAt: invitations.expiresAt,
			acceptedBy: invitations.acceptedBy,
			roundTitle: rounds.title,
			roundStatus: rounds.status,
			datasetName: datasets.name,
			datasetId: datasets.id,
		})
		.from(invitations)
		.innerJoin(rounds, eq(rounds.id, invitations.roundId))
		.innerJoin(versions, eq(versions.id, rounds.versionId))
		.innerJoin(datasets, eq(datasets.id, versions.datasetId))
		.where(eq(invitations.tokenHash, sha256Hex(token)))
	if (!row) return null
	// What a holder of the link sees: acceptance shows only to the person who accepted.
	const shown: InvitationState = row.status === 'revoked' ? 'revoked' : row.expiresAt <= new Date() ? 'expired' : 'pending'
	return { ...row, state: invitationState(row), shown }
}

export type AcceptResult = { ok: true; roundId: string } | { ok: false; reason: 'invalid' | 'expired' | 'revoked' | 'used' | 'wrong_account' }

/**
 * Accepts for the signed-in user, whose email must be the invited one. Single use: the row is
 * locked and flipped to accepted in one transaction, and its address is wiped — from now on the
 * team knows this person only by pseudonym.
 */
export async function acceptInvitation(token: string, user: { id: string; email: string }): Promise<AcceptResult> {
	if (!TOKEN_SHAPE.test(token)) return { ok: false, reason: 'invalid' }
	return db.transaction(async (tx) => {
		const [inv] = await tx
			.select({
				id: invitations.id,
				roundId: invitations.roundId,
				emailHash: invitations.emailHash,
				status: invitations.status,
				expiresAt: invitations.expiresAt,
				role: invitations.role,
				acceptedBy: invitations.acceptedBy,
			})
			.from(invitations)
			.where(eq(invitations.tokenHash, sha256Hex(token)))
			.for('update')
		if (!inv) return { ok: false, reason: 'invalid' }
		if (inv.status === 'accepted' && inv.acceptedBy === user.id) return { ok: true, roundId: inv.roundId }
		// Anyone else learns nothing they could not tell before acceptance: the address check comes
		// before "used", so an accepted link answers a stranger exactly as a pending one does.
		if (inv.status === 'revoked') return { ok: false, reason: 'revoked' }
		if (inv.expiresAt <= new Date()) return { ok: false, reason: 'expired' }
		if (inv.emailHash !== sha256Hex(user.email)) return { ok: false, reason: 'wrong_account' }
		if (inv.status === 'accepted') return { ok: false, reason: 'used' }
		// Nothing the team can read changes here: the address, the list and the outbox stay as they were.
		await tx.update(invitations).set({ status: 'accepted', acceptedBy: user.id }).where(eq(invitations.id, inv.id))
		await joinRound(tx, { roundId: inv.roundId, userId: user.id, role: inv.role })
		return { ok: true, roundId: inv.roundId }
	})
}

/**
 * Adds the participant (no duplicate if already there) with a pseudonym number drawn at random
 * among those free for their role in the round, the pool as large as that role's invitations: the
 * number says nothing about who joined when.
 */
async function joinRound(tx: Tx, p: { roundId: string; userId: string; role: ParticipantRole }) {
	const [existing] = await tx
		.select({ id: participants.id })
		.from(participants)
		.where(and(eq(participants.roundId, p.roundId), eq(participants.userId, p.userId)))
	if (existing) return existing.id
	// Serialise numbering within the round.
	await tx.select({ id: rounds.id }).from(rounds).where(eq(rounds.id, p.roundId)).for('update')
	const taken = await tx
		.select({ n: participants.number })
		.from(participants)
		.where(and(eq(participants.roundId, p.roundId), eq(participants.role, p.role)))
	const [{ pool } = { pool: 0 }] = await tx
		.select({ pool: sql<number>`count(distinct ${invitations.emailHash})::int` })
		.from(invitations)
		.where(and(eq(invitations.roundId, p.roundId), eq(invitations.role, p.role)))
	const number = drawNumber(
		taken.map((t) => t.n),
		pool,
		() => randomInt(0x7fffffff) / 0x7fffffff,
	)
	const [row] = await tx
		.insert(participants)
		.values({ ...p, number })
		.returning({ id: participants.id })
	return row!.id
}

/** The team of the dataset behind a round, to tell them an invitee asked for a new link. */
export async function roundTeam(roundId: string) {
	const rows = await query<{ user_id: string }>(sql`
		select m.user_id from ${rounds} r join ${versions} v on v.id = r.version_id join dataset_members m on m.dataset_id = v.dataset_id where r.id = ${roundId}`)
	return rows.map((r) => r.user_id)
}
