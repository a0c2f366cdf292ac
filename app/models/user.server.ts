import { eq } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { db } from '#app/utils/db.server.ts'
import { hashPassword } from '#app/utils/password.server.ts'

export async function findUserForSignIn(email: string) {
	const [user] = await db.select({ id: users.id, passwordHash: users.passwordHash }).from(users).where(eq(users.email, email))
	return user ?? null
}

/** Creates the account, or returns null when the email is already registered. */
export async function createUser(input: { email: string; displayName: string; password: string; preferredLanguage?: string | null }) {
	const passwordHash = await hashPassword(input.password)
	const [user] = await db
		.insert(users)
		.values({ email: input.email, displayName: input.displayName, passwordHash, preferredLanguage: input.preferredLanguage ?? null })
		.onConflictDoNothing({ target: users.email })
		.returning({ id: users.id })
	return user ?? null
}

export async function getProfile(userId: string) {
	const [user] = await db.select({ email: users.email, displayName: users.displayName, preferredLanguage: users.preferredLanguage }).from(users).where(eq(users.id, userId))
	return user ?? null
}

export async function updateProfile(userId: string, input: { displayName: string; preferredLanguage: string | null }) {
	await db
		.update(users)
		.set({ ...input, updatedAt: new Date() })
		.where(eq(users.id, userId))
}

export async function setPreferredLanguage(userId: string, preferredLanguage: string) {
	await db.update(users).set({ preferredLanguage, updatedAt: new Date() }).where(eq(users.id, userId))
}

export async function getPasswordHash(userId: string) {
	const [row] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId))
	return row?.passwordHash ?? null
}

export async function setPassword(userId: string, password: string) {
	const passwordHash = await hashPassword(password)
	await db.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId))
}

export async function accountExists(email: string) {
	const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, email))
	return !!row
}
