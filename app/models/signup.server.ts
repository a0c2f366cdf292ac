import { randomInt, timingSafeEqual } from 'node:crypto'
import { and, eq, gt, lt, sql } from 'drizzle-orm'
import { signupVerifications, users } from '#db/schema/accounts.ts'
import { signupCodeEmail, signupExistsEmail } from '#app/emails/account-emails.server.ts'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { db } from '#app/utils/db.server.ts'
import { sendEmail } from '#app/utils/email.server.ts'
import { type Language } from '#app/utils/i18n.ts'
import { hashPassword } from '#app/utils/password.server.ts'

const CODE_MINUTES = 30
const MAX_ATTEMPTS = 5

/**
 * Starts a sign-up whose address must be proven (SMTP configured): the account waits until the
 * code emailed to the address comes back. For an address that already has an account the email
 * says so instead, and the page answers exactly as for a new one, so the form tells nobody
 * whether an account exists. The code email is filed under no dataset: no outbox shows it.
 */
export async function startSignupVerification(input: { email: string; displayName: string; password: string; language: Language; redirectTo: string; origin: string }) {
	await db.delete(signupVerifications).where(lt(signupVerifications.expiresAt, new Date()))
	const code = String(randomInt(0, 100_000_000)).padStart(8, '0')
	const [row] = await db
		.insert(signupVerifications)
		.values({
			email: input.email,
			displayName: input.displayName,
			passwordHash: await hashPassword(input.password),
			preferredLanguage: input.language,
			codeHash: sha256Hex(code),
			redirectTo: input.redirectTo,
			expiresAt: new Date(Date.now() + CODE_MINUTES * 60_000),
		})
		.returning({ id: signupVerifications.id })
	const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, input.email))
	const content = existing
		? signupExistsEmail({ language: input.language, signInUrl: `${input.origin}/signin?${new URLSearchParams({ redirectTo: input.redirectTo })}` })
		: signupCodeEmail({ language: input.language, code })
	await sendEmail({ to: input.email, language: input.language, kind: existing ? 'signup_exists' : 'signup_code', ...content })
	return row!.id
}

export type VerifyResult = { ok: true; userId: string; redirectTo: string } | { ok: false; reason: 'wrong_code' | 'expired' }

/** Checks the code (at most 5 tries, 30 minutes); on success creates the account and forgets the sign-up. */
export async function verifySignup(id: string, code: string): Promise<VerifyResult> {
	if (!/^[0-9a-f-]{36}$/i.test(id)) return { ok: false, reason: 'expired' }
	const [row] = await db
		.update(signupVerifications)
		.set({ attempts: sql`${signupVerifications.attempts} + 1` })
		.where(and(eq(signupVerifications.id, id), gt(signupVerifications.expiresAt, new Date()), lt(signupVerifications.attempts, MAX_ATTEMPTS)))
		.returning()
	if (!row) return { ok: false, reason: 'expired' }
	const given = Buffer.from(sha256Hex(code.replace(/\s+/g, '')))
	if (!timingSafeEqual(given, Buffer.from(row.codeHash))) return { ok: false, reason: 'wrong_code' }
	return db.transaction(async (tx) => {
		await tx.delete(signupVerifications).where(eq(signupVerifications.email, row.email))
		const [user] = await tx
			.insert(users)
			.values({ email: row.email, displayName: row.displayName, passwordHash: row.passwordHash, preferredLanguage: row.preferredLanguage })
			.onConflictDoNothing({ target: users.email })
			.returning({ id: users.id })
		// The code proves the address: if an account appeared meanwhile, this sign-up simply ends.
		if (!user) return { ok: false, reason: 'expired' } as const
		return { ok: true, userId: user.id, redirectTo: row.redirectTo } as const
	})
}
