import { hash, verify } from '@node-rs/argon2'

// OWASP's argon2id baseline: m=19 MiB, t=2, p=1. (2 is Algorithm.Argon2id; the enum is const-only.)
const options = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

export function hashPassword(password: string): Promise<string> {
	return hash(password, options)
}

// A real hash of a random string, so an unknown email costs as much time as a wrong password.
let dummyHash: Promise<string> | undefined

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
	if (!passwordHash) {
		dummyHash ??= hashPassword(crypto.randomUUID())
		await verify(await dummyHash, password).catch(() => false)
		return false
	}
	try {
		return await verify(passwordHash, password)
	} catch {
		return false
	}
}
