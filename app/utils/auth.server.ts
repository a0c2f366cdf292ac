/**
 * The only module that touches `lucia` (v3, deprecated upstream). Everything else calls the
 * functions below; docs/decisions/002-sessions-behind-one-module.md says how to replace it.
 */
import { redirect } from '@remix-run/node'
import { eq, lte, type SQL, sql } from 'drizzle-orm'
import { type Adapter, type DatabaseSession, type DatabaseUser, Lucia, type Session, TimeSpan } from 'lucia'
import { sessions, users } from '#db/schema/accounts.ts'
import { datasetMembers } from '#db/schema/datasets.ts'
import { notifications } from '#db/schema/rounds.ts'
import { sha256Hex } from './crypto.server.ts'
import { db, queryPrepared } from './db.server.ts'
import { cookieSecure, getEnv } from './env.server.ts'

type UserAttributes = { email: string; displayName: string; preferredLanguage: string | null; unread: number; team: boolean }

declare module 'lucia' {
	interface Register {
		Lucia: Lucia<Record<never, never>, UserAttributes>
		DatabaseUserAttributes: UserAttributes
	}
}

const toDatabaseSession = (row: { userId: string; expiresAt: Date }, id: string): DatabaseSession => ({
	id,
	userId: row.userId,
	expiresAt: row.expiresAt,
	attributes: {},
})

/** Lucia adapter that stores only the SHA-256 of each session id: a leaked table opens no session. */
const hashedAdapter: Adapter = {
	async getSessionAndUser(sessionId) {
		// Every signed-in request runs this: a prepared statement (queryPrepared). It also counts the
		// bell's unread notifications (a partial index of unread rows), which every page shows:
		// one round trip instead of two.
		// And whether the person is on a dataset team (the header's inbox link): one index probe.
		const [found] = await queryPrepared<{ userId: string; expiresMs: number; email: string; displayName: string; preferredLanguage: string | null; unread: number; team: boolean }>(sql`
			select s.user_id as "userId", (extract(epoch from s.expires_at) * 1000)::float8 as "expiresMs", u.email, u.display_name as "displayName", u.preferred_language as "preferredLanguage",
				(select count(*)::int from ${notifications} n where n.user_id = s.user_id and n.read_at is null) as unread,
				exists (select 1 from ${datasetMembers} m where m.user_id = s.user_id) as team
			from ${sessions} s join ${users} u on u.id = s.user_id
			where s.id = ${sha256Hex(sessionId)}`)
		if (!found) return [null, null]
		const row = { ...found, expiresAt: new Date(found.expiresMs) }
		const user: DatabaseUser = {
			id: row.userId,
			attributes: { email: row.email, displayName: row.displayName, preferredLanguage: row.preferredLanguage, unread: row.unread, team: row.team },
		}
		return [toDatabaseSession(row, sessionId), user]
	},
	async getUserSessions(userId) {
		const rows = await db.select({ id: sessions.id, userId: sessions.userId, expiresAt: sessions.expiresAt }).from(sessions).where(eq(sessions.userId, userId))
		// Only hashes are stored; callers get them as opaque ids.
		return rows.map((r) => toDatabaseSession(r, r.id))
	},
	async setSession(session) {
		await db.insert(sessions).values({ id: sha256Hex(session.id), userId: session.userId, expiresAt: session.expiresAt })
	},
	async updateSessionExpiration(sessionId, expiresAt) {
		await db
			.update(sessions)
			.set({ expiresAt })
			.where(eq(sessions.id, sha256Hex(sessionId)))
	},
	async deleteSession(sessionId) {
		await db.delete(sessions).where(eq(sessions.id, sha256Hex(sessionId)))
	},
	async deleteUserSessions(userId) {
		await db.delete(sessions).where(eq(sessions.userId, userId))
	},
	async deleteExpiredSessions() {
		await db.delete(sessions).where(lte(sessions.expiresAt, new Date()))
	},
}

function createLucia() {
	const secure = cookieSecure()
	return new Lucia(hashedAdapter, {
		sessionExpiresIn: new TimeSpan(getEnv().SESSION_DAYS, 'd'),
		sessionCookie: {
			// __Host- pins the cookie to this exact origin over HTTPS.
			name: secure ? '__Host-roundtable_session' : 'roundtable_session',
			attributes: { secure, sameSite: 'lax', path: '/' },
		},
		getUserAttributes: (a) => ({ email: a.email, displayName: a.displayName, preferredLanguage: a.preferredLanguage, unread: a.unread, team: a.team }),
	})
}

let lucia: ReturnType<typeof createLucia> | undefined
function auth() {
	lucia ??= createLucia()
	return lucia
}

export type SessionUser = { id: string; email: string; displayName: string; preferredLanguage: string | null }
type Resolved = { user: SessionUser | null; sessionId: string | null; setCookie: string | null; unread: number; team: boolean }

// One validation per request, however many loaders ask.
const perRequest = new WeakMap<Request, Promise<Resolved>>()

async function resolve(request: Request): Promise<Resolved> {
	const l = auth()
	const sessionId = l.readSessionCookie(request.headers.get('Cookie') ?? '')
	if (!sessionId) return { user: null, sessionId: null, setCookie: null, unread: 0, team: false }
	const { session, user } = await l.validateSession(sessionId)
	if (!session) return { user: null, sessionId: null, setCookie: cookieUpdate(null), unread: 0, team: false }
	return {
		user: { id: user.id, email: user.email, displayName: user.displayName, preferredLanguage: user.preferredLanguage },
		sessionId: session.id,
		setCookie: cookieUpdate(session),
		unread: user.unread,
		team: user.team,
	}
}

/** The Set-Cookie that lucia's validation calls for: a blank cookie for a session gone, a new one for a session extended, else none. */
function cookieUpdate(session: Session | null): string | null {
	const l = auth()
	if (!session) return l.createBlankSessionCookie().serialize()
	return session.fresh ? l.createSessionCookie(session.id).serialize() : null
}

function resolved(request: Request) {
	let p = perRequest.get(request)
	if (!p) {
		p = resolve(request)
		perRequest.set(request, p)
	}
	return p
}

export async function getUser(request: Request): Promise<SessionUser | null> {
	return (await resolved(request)).user
}

/** The user and the unread count as read with the session (one query per request; see app/guards/session.server.ts). */
export async function getSessionSnapshot(request: Request): Promise<{ user: SessionUser | null; unread: number }> {
	const { user, unread } = await resolved(request)
	return { user, unread }
}

/** Is the signed-in person on a dataset team (owner or maintainer anywhere)? Read with the session. */
export async function isOnTeam(request: Request): Promise<boolean> {
	return (await resolved(request)).team
}

/** A Set-Cookie value when the session was extended or found invalid (the root loader sends it). */
export async function getSessionCookieUpdate(request: Request): Promise<string | null> {
	return (await resolved(request)).setCookie
}

export function safeRedirectPath(to: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
	// Browsers drop tabs and newlines from URLs and read "\\" as "/": refused before parsing.
	if (typeof to !== 'string' || !to.startsWith('/') || to.length > 4096 || /[\u0000-\u001f\u007f\\]/.test(to)) return fallback
	const base = 'http://roundtable.invalid'
	let url: URL
	try {
		url = new URL(to, base)
	} catch {
		return fallback
	}
	const path = url.pathname + url.search + url.hash
	// The parsed target, not the raw one: same origin, and a path no browser reads as "//host".
	if (url.origin !== base || !path.startsWith('/') || path.startsWith('//')) return fallback
	return path
}

/**
 * The signed-in user's id from a Cookie header alone, for the review-sync door, which has no
 * Request (app/models/review-sync.server.ts): one index probe of the session, nothing of the bell
 * or the header (freshSessionUserSql). Any other session — unknown, expired (deleted), or in the
 * second half of its life (extended, with a new cookie) — goes through lucia's own validation, so
 * the rules are the same as for a page; `setCookie` then says what the browser must hold.
 */
export async function userOfCookie(cookie: string): Promise<{ userId: string | null; setCookie: string | null }> {
	const sessionId = sessionIdOfCookie(cookie)
	if (!sessionId) return { userId: null, setCookie: null }
	const [fresh] = await queryPrepared<{ user_id: string }>(freshSessionUserSql(sessionId))
	if (fresh) return { userId: fresh.user_id, setCookie: null }
	const { session } = await auth().validateSession(sessionId)
	return { userId: session?.userId ?? null, setCookie: cookieUpdate(session) }
}

/** The session id a Cookie header carries, or null. */
export function sessionIdOfCookie(cookie: string): string | null {
	return auth().readSessionCookie(cookie)
}

/**
 * A subquery for fused statements (decision 058): the user id of session `sessionId` when lucia
 * would accept the session unchanged on this request — not expired, not in the second half of its
 * life — and no row otherwise, in which case the caller goes through userOfCookie.
 */
export function freshSessionUserSql(sessionId: string): SQL {
	return sql`select user_id from ${sessions} where id = ${sha256Hex(sessionId)} and expires_at > now() + ${halfLifeMs()}::float8 * interval '1 millisecond'`
}

/** Half a session's life: lucia extends a session validated closer than this to its end. */
const halfLifeMs = () => new TimeSpan(getEnv().SESSION_DAYS, 'd').milliseconds() / 2

/** Guard for loaders and actions: the signed-in user, or a redirect to sign-in that comes back. */
export async function requireUser(request: Request): Promise<SessionUser> {
	const user = await getUser(request)
	if (user) return user
	const url = new URL(request.url)
	const back = url.pathname + url.search
	throw redirect(`/signin?${new URLSearchParams({ redirectTo: back })}`)
}

export async function requireAnonymous(request: Request): Promise<void> {
	if (await getUser(request)) throw redirect('/')
}

/**
 * Starts a fresh session (never reusing one the browser brought: no fixation) and returns the
 * Set-Cookie headers: one ending the old session if any, one for the new.
 */
export async function startSession(request: Request, userId: string): Promise<Headers> {
	const l = auth()
	const previous = l.readSessionCookie(request.headers.get('Cookie') ?? '')
	if (previous) await l.invalidateSession(previous)
	const session = await l.createSession(userId, {})
	const headers = new Headers()
	headers.append('Set-Cookie', l.createSessionCookie(session.id).serialize())
	return headers
}

export async function endSession(request: Request): Promise<Headers> {
	const l = auth()
	const current = l.readSessionCookie(request.headers.get('Cookie') ?? '')
	if (current) await l.invalidateSession(current)
	return new Headers({ 'Set-Cookie': l.createBlankSessionCookie().serialize() })
}

/** Ends every session of the user (password change, account removal). */
export async function endAllSessions(userId: string): Promise<void> {
	await auth().invalidateUserSessions(userId)
}

export async function pruneExpiredSessions(): Promise<void> {
	await auth().deleteExpiredSessions()
}
