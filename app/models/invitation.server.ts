import { and, asc, desc, eq, sql } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { datasets, versions } from '#db/schema/datasets.ts'
import { emails, invitations, participants, rounds } from '#db/schema/rounds.ts'
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

export type InviteOutcome = { line: number; email: string; result: 'invited' | 'resent' | 'already_participant' | 'cap_reached'; token?: string; language?: Language }

/**
 * Invites each address to the round. A pending invitation to the same address is resent (its
 * token rotates) instead of duplicated; someone already taking part is not invited again. Tokens
 * are 256-bit random and only their SHA-256 is stored; the caller emails the plain token.
 */
export async function inviteToRound(input: { roundId: string; lines: InviteLine[]; message: string; language: Language; createdBy: string }): Promise<InviteOutcome[]> {
	const env = getEnv()
	const expiresAt = new Date(Date.now() + env.INVITATION_TTL_DAYS * 86_400_000)
	return db.transaction(async (tx) => {
		const [{ pending } = { pending: 0 }] = await tx
			.select({ pending: sql<number>`count(*)::int` })
			.from(invitations)
			.where(and(eq(invitations.roundId, input.roundId), eq(invitations.status, 'pending'), sql`${invitations.expiresAt} > now()`))
		let live = pending
		const out: InviteOutcome[] = []
		for (const line of input.lines) {
			const emailHash = sha256Hex(line.email)
			const [existingUser] = await tx.select({ id: users.id, language: users.preferredLanguage }).from(users).where(eq(users.email, line.email))
			if (existingUser) {
				const [already] = await tx.select({ id: participants.id }).from(participants).where(and(eq(participants.roundId, input.roundId), eq(participants.userId, existingUser.id)))
				if (already) {
					out.push({ line: line.line, email: line.email, result: 'already_participant' })
					continue
				}
			}
			const language = (existingUser?.language as Language | null) ?? input.language
			const token = randomToken(32)
			const [resent] = await tx
				.update(invitations)
				.set({ tokenHash: sha256Hex(token), expiresAt, sentCount: sql`${invitations.sentCount} + 1`, lastSentAt: new Date(), role: line.role, expertise: line.expertise, message: input.message || sql`${invitations.message}` })
				.where(and(eq(invitations.roundId, input.roundId), eq(invitations.emailHash, emailHash), eq(invitations.status, 'pending')))
				.returning({ id: invitations.id })
			if (resent) {
				out.push({ line: line.line, email: line.email, result: 'resent', token, language })
				continue
			}
			if (live >= env.INVITATION_PENDING_CAP) {
				out.push({ line: line.line, email: line.email, result: 'cap_reached' })
				continue
			}
			await tx.insert(invitations).values({
				roundId: input.roundId,
				email: line.email,
				emailHash,
				role: line.role,
				expertise: line.expertise,
				message: input.message,
				language,
				tokenHash: sha256Hex(token),
				expiresAt,
				createdBy: input.createdBy,
			})
			live++
			out.push({ line: line.line, email: line.email, result: 'invited', token, language })
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
			{ datasetId: round.datasetId, versionId: round.versionId, actorId, action: 'invitation.sent', targetType: 'invitation', targetId: roundId, targetLabel: round.title, after: { role, count: n.invited, resent: n.resent } },
			tx,
		)
	}
}

/** The team's view: addresses of people not (yet) taking part; accepted ones show no address. */
export async function listInvitations(roundId: string) {
	const rows = await db
		.select({ id: invitations.id, email: invitations.email, role: invitations.role, expertise: invitations.expertise, status: invitations.status, expiresAt: invitations.expiresAt, sentCount: invitations.sentCount, lastSentAt: invitations.lastSentAt })
		.from(invitations)
		.where(eq(invitations.roundId, roundId))
		.orderBy(asc(invitations.status), desc(invitations.lastSentAt))
	const now = new Date()
	return rows.map((r) => ({ ...r, email: r.status === 'accepted' ? null : r.email, state: invitationState(r, now) }))
}

export async function revokeInvitation({ roundId, invitationId, actorId }: { roundId: string; invitationId: string; actorId: string }) {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.update(invitations)
			.set({ status: 'revoked' })
			.where(and(eq(invitations.id, invitationId), eq(invitations.roundId, roundId), eq(invitations.status, 'pending')))
			.returning({ role: invitations.role })
		if (!row) return false
		const round = await roundForAudit(tx, roundId)
		if (round) {
			await recordAudit(
				{ datasetId: round.datasetId, versionId: round.versionId, actorId, action: 'invitation.revoked', targetType: 'invitation', targetId: invitationId, targetLabel: round.title, before: { status: 'pending' }, after: { status: 'revoked', role: row.role } },
				tx,
			)
		}
		return true
	})
}

/** A new link for a pending or expired invitation; the old link stops working. */
export async function rotateInvitation({ roundId, invitationId, actorId }: { roundId: string; invitationId: string; actorId: string }) {
	const token = randomToken(32)
	const expiresAt = new Date(Date.now() + getEnv().INVITATION_TTL_DAYS * 86_400_000)
	return db.transaction(async (tx) => {
		const [row] = await tx
			.update(invitations)
			.set({ tokenHash: sha256Hex(token), expiresAt, sentCount: sql`${invitations.sentCount} + 1`, lastSentAt: new Date() })
			.where(and(eq(invitations.id, invitationId), eq(invitations.roundId, roundId), eq(invitations.status, 'pending')))
			.returning({ email: invitations.email, role: invitations.role, expertise: invitations.expertise, message: invitations.message, language: invitations.language, sentCount: invitations.sentCount })
		if (!row) return null
		const round = await roundForAudit(tx, roundId)
		if (round) {
			await recordAudit(
				{ datasetId: round.datasetId, versionId: round.versionId, actorId, action: 'invitation.resent', targetType: 'invitation', targetId: invitationId, targetLabel: round.title, after: { role: row.role, sentCount: row.sentCount } },
				tx,
			)
		}
		const { sentCount, ...invitation } = row
		return { ...invitation, token }
	})
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
			expertise: invitations.expertise,
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
	return row ? { ...row, state: invitationState(row) } : null
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
			.select({ id: invitations.id, roundId: invitations.roundId, emailHash: invitations.emailHash, status: invitations.status, expiresAt: invitations.expiresAt, role: invitations.role, expertise: invitations.expertise, acceptedBy: invitations.acceptedBy })
			.from(invitations)
			.where(eq(invitations.tokenHash, sha256Hex(token)))
			.for('update')
		if (!inv) return { ok: false, reason: 'invalid' }
		if (inv.status === 'accepted') return inv.acceptedBy === user.id ? { ok: true, roundId: inv.roundId } : { ok: false, reason: 'used' }
		if (inv.status === 'revoked') return { ok: false, reason: 'revoked' }
		if (inv.expiresAt <= new Date()) return { ok: false, reason: 'expired' }
		if (inv.emailHash !== sha256Hex(user.email)) return { ok: false, reason: 'wrong_account' }
		await tx.update(invitations).set({ status: 'accepted', acceptedBy: user.id, acceptedAt: new Date(), email: '' }).where(eq(invitations.id, inv.id))
		// The invitation emails in the team's outbox named this person: blank them out too.
		await tx.execute(sql`update ${emails} set "to" = '', text = '', html = '' where kind = 'invitation' and "to" = ${user.email}
			and dataset_id = (select v.dataset_id from ${rounds} r join ${versions} v on v.id = r.version_id where r.id = ${inv.roundId})`)
		await joinRound(tx, { roundId: inv.roundId, userId: user.id, role: inv.role, expertise: inv.expertise })
		return { ok: true, roundId: inv.roundId }
	})
}

/** Adds the participant with the next number for their role (no duplicate if already there). */
async function joinRound(tx: Tx, p: { roundId: string; userId: string; role: 'community' | 'expert'; expertise: string }) {
	const [existing] = await tx.select({ id: participants.id }).from(participants).where(and(eq(participants.roundId, p.roundId), eq(participants.userId, p.userId)))
	if (existing) return existing.id
	// Serialise numbering within the round.
	await tx.select({ id: rounds.id }).from(rounds).where(eq(rounds.id, p.roundId)).for('update')
	const [{ next } = { next: 1 }] = await tx
		.select({ next: sql<number>`coalesce(max(${participants.number}), 0)::int + 1` })
		.from(participants)
		.where(and(eq(participants.roundId, p.roundId), eq(participants.role, p.role)))
	const [row] = await tx.insert(participants).values({ ...p, number: next }).returning({ id: participants.id })
	return row!.id
}

/** The team of the dataset behind a round, to tell them an invitee asked for a new link. */
export async function roundTeam(roundId: string) {
	const rows = await query<{ user_id: string }>(sql`
		select m.user_id from ${rounds} r join ${versions} v on v.id = r.version_id join dataset_members m on m.dataset_id = v.dataset_id where r.id = ${roundId}`)
	return rows.map((r) => r.user_id)
}
