import { eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { sessions, users } from '#db/schema/accounts.ts'
import { loader as rootLoader } from '#app/root.tsx'
import { action as passwordAction } from '#app/routes/account+/password.tsx'
import { action as notificationsAction } from '#app/routes/notifications.tsx'
import { action as signinAction } from '#app/routes/_auth+/signin.tsx'
import { action as signoutAction } from '#app/routes/_auth+/signout.tsx'
import { action as signupAction } from '#app/routes/_auth+/signup.tsx'
import { getUser } from '#app/utils/auth.server.ts'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { db, query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { cookiesFrom, formRequest, getRequest, run } from '#tests/route-utils.ts'

useTestDatabase()

const password = 'correct horse battery'

async function signUp(email = 'mina@example.org') {
	const res = await run(signupAction, formRequest('/signup', { email, displayName: 'Mina', password }))
	expect(res.status).toBe(302)
	return cookiesFrom(res.headers)
}

describe('sign up', () => {
	test('creates the user with an argon2id hash and starts a session', async () => {
		const cookie = await signUp('  Mina@Example.org ')
		const [user] = await db.select().from(users)
		expect(user?.email).toBe('mina@example.org')
		expect(user?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
		expect(user?.passwordHash).not.toContain(password)
		const me = await getUser(getRequest('/', { cookie }))
		expect(me?.displayName).toBe('Mina')
	})

	test('stores only the SHA-256 of the session cookie, never the cookie value', async () => {
		const cookie = await signUp()
		const value = cookie.split('=')[1]!
		expect(value.length).toBeGreaterThanOrEqual(32)
		const rows = await db.select({ id: sessions.id }).from(sessions)
		expect(rows).toHaveLength(1)
		expect(rows[0]!.id).toBe(sha256Hex(value))
		const dump = JSON.stringify(await query(sql`select * from sessions`))
		expect(dump).not.toContain(value)
	})

	test('refuses a second account with the same email, whatever its case', async () => {
		await signUp('mina@example.org')
		const res = await run(signupAction, formRequest('/signup', { email: 'MINA@example.org', displayName: 'Other', password }))
		expect(res.status).toBe(400)
		expect(JSON.stringify(res.data)).toContain('errors.emailTaken')
		expect(await db.select({ id: users.id }).from(users)).toHaveLength(1)
	})

	test('rejects a short password and a malformed email, naming each field', async () => {
		const res = await run(signupAction, formRequest('/signup', { email: 'not-an-email', displayName: 'X', password: 'short' }))
		expect(res.status).toBe(400)
		const errors = (res.data as { result: { error: Record<string, string[]> } }).result.error
		expect(errors.email).toEqual(['validation.email'])
		expect(errors.password).toEqual(['validation.passwordTooShort'])
		expect(await db.select({ id: users.id }).from(users)).toHaveLength(0)
	})
})

describe('sign in', () => {
	test('a correct password starts a new session, replacing the one the browser brought', async () => {
		const first = await signUp()
		const res = await run(signinAction, formRequest('/signin', { email: 'mina@example.org', password, redirectTo: '/account' }, { cookie: first }))
		expect(res.status).toBe(302)
		expect(res.headers.get('Location')).toBe('/account')
		const second = cookiesFrom(res.headers)
		expect(second).not.toBe(first)
		expect(await getUser(getRequest('/', { cookie: first }))).toBeNull()
		expect(await getUser(getRequest('/', { cookie: second }))).not.toBeNull()
	})

	test('never redirects off-site after sign-in', async () => {
		await signUp()
		const res = await run(signinAction, formRequest('/signin', { email: 'mina@example.org', password, redirectTo: '//evil.example' }))
		expect(res.headers.get('Location')).toBe('/')
	})

	test('unknown email and wrong password get the same answer', async () => {
		await signUp()
		const wrong = await run(signinAction, formRequest('/signin', { email: 'mina@example.org', password: 'not the password' }))
		const unknown = await run(signinAction, formRequest('/signin', { email: 'nobody@example.org', password: 'not the password' }))
		expect(wrong.status).toBe(400)
		expect(unknown.status).toBe(wrong.status)
		expect(JSON.stringify(unknown.data).replace('nobody', 'mina')).toBe(JSON.stringify(wrong.data))
		expect(JSON.stringify(wrong.data)).toContain('errors.invalidCredentials')
	})

	test('the 11th rapid failed sign-in for an account gets 429 with Retry-After, counted in the database', async () => {
		await signUp()
		for (let i = 1; i <= 10; i++) {
			// Different addresses, so the per-account counter is what trips.
			const res = await run(signinAction, formRequest('/signin', { email: 'mina@example.org', password: `wrong-${i}` }), { clientIp: `192.0.2.${i}` })
			expect(res.status).toBe(400)
		}
		const blocked = await run(signinAction, formRequest('/signin', { email: 'mina@example.org', password }), { clientIp: '192.0.2.99' })
		expect(blocked.status).toBe(429)
		const retryAfter = Number(blocked.headers.get('Retry-After'))
		expect(retryAfter).toBeGreaterThan(0)
		expect(retryAfter).toBeLessThanOrEqual(15 * 60)
		const [row] = await query<{ count: number }>(sql`select count from rate_limits where key like 'signin:account:%'`)
		expect(row?.count).toBe(10)
	})

	test('failed sign-ins are also limited per address, across accounts', async () => {
		process.env.SIGNIN_LIMIT_PER_IP = '3'
		const { resetEnvCache } = await import('#app/utils/env.server.ts')
		resetEnvCache()
		try {
			for (let i = 0; i < 3; i++) {
				const res = await run(signinAction, formRequest('/signin', { email: `user${i}@example.org`, password: 'whatever-wrong' }), { clientIp: '203.0.113.9' })
				expect(res.status).toBe(400)
			}
			const res = await run(signinAction, formRequest('/signin', { email: 'someone-else@example.org', password: 'whatever-wrong' }), { clientIp: '203.0.113.9' })
			expect(res.status).toBe(429)
			const other = await run(signinAction, formRequest('/signin', { email: 'someone-else@example.org', password: 'whatever-wrong' }), { clientIp: '203.0.113.10' })
			expect(other.status).toBe(400)
		} finally {
			delete process.env.SIGNIN_LIMIT_PER_IP
			resetEnvCache()
		}
	})
})

describe('sessions end', () => {
	test('sign out ends the session in the database', async () => {
		const cookie = await signUp()
		const res = await run(signoutAction, formRequest('/signout', {}, { cookie }))
		expect(res.status).toBe(302)
		expect(await db.select().from(sessions)).toHaveLength(0)
		expect(await getUser(getRequest('/', { cookie }))).toBeNull()
	})

	test('changing the password ends every session and keeps this browser signed in with a new one', async () => {
		const laptop = await signUp()
		const phone = cookiesFrom((await run(signinAction, formRequest('/signin', { email: 'mina@example.org', password }))).headers)
		const res = await run(
			passwordAction,
			formRequest('/account/password', { currentPassword: password, newPassword: 'a whole new passphrase', confirmPassword: 'a whole new passphrase' }, { cookie: laptop }),
		)
		expect(res.status).toBe(200)
		const fresh = cookiesFrom(res.headers)
		expect(await getUser(getRequest('/', { cookie: laptop }))).toBeNull()
		expect(await getUser(getRequest('/', { cookie: phone }))).toBeNull()
		expect(await getUser(getRequest('/', { cookie: fresh }))).not.toBeNull()
		const [user] = await db.select({ id: users.id }).from(users)
		expect(await db.select().from(sessions).where(eq(sessions.userId, user!.id))).toHaveLength(1)
	})

	test('a wrong current password changes nothing', async () => {
		const cookie = await signUp()
		const before = await db.select({ h: users.passwordHash }).from(users)
		const res = await run(
			passwordAction,
			formRequest('/account/password', { currentPassword: 'not it at all', newPassword: 'a whole new passphrase', confirmPassword: 'a whole new passphrase' }, { cookie }),
		)
		expect(res.status).toBe(400)
		expect(JSON.stringify(res.data)).toContain('errors.wrongPassword')
		expect(await db.select({ h: users.passwordHash }).from(users)).toEqual(before)
		expect(await getUser(getRequest('/', { cookie }))).not.toBeNull()
	})
})

test('the bell’s count comes with the session lookup, and is counted again on a page answered after an action', async () => {
	const cookie = await signUp()
	const other = await signUp('noor@example.org')
	const [mina] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'mina@example.org'))
	const [noor] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'noor@example.org'))
	await query(sql`insert into notifications (user_id, kind, read_at) values
		(${mina!.id}, 'round_opened', null), (${mina!.id}, 'reminder', null), (${mina!.id}, 'round_closed', now()), (${noor!.id}, 'reminder', null)`)
	const page = await run(rootLoader, getRequest('/', { cookie }))
	expect(page.data).toMatchObject({ user: { unread: 2 } })
	expect((await run(rootLoader, getRequest('/', { cookie: other }))).data).toMatchObject({ user: { unread: 1 } })
	// A form posted without JavaScript and answered with a page: Remix runs the action, then the
	// loaders with the same request. The session was looked up (and counted) before the action.
	const post = formRequest('/notifications', {}, { cookie })
	expect((await run(notificationsAction, post)).status).toBe(200)
	expect((await run(rootLoader, post)).data).toMatchObject({ user: { unread: 0 } })
	expect((await run(rootLoader, getRequest('/', { cookie }))).data).toMatchObject({ user: { unread: 0 } })
})
