/**
 * Secrets kept at rest (a dataset's Hub token), sealed with AES-256-GCM (decision 048). The key is
 * SECRETS_KEY; without it:
 * - the embedded database keeps a generated key beside its data (`DATA_DIR/secrets.key`, mode 0600,
 *   made on first use), or only in memory when the database is (`DATA_DIR=memory://`) — the key lives
 *   exactly as long as what it protects;
 * - PostgreSQL outside production derives one from DATABASE_URL (development and the test suites:
 *   stable across restarts, and no secret at all — the decision record says so);
 * - PostgreSQL in production has none: saving a secret is refused, with a message naming SECRETS_KEY.
 * The key and the plaintext are never logged.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { getEnv, secretsKeyBytes } from './env.server.ts'

export class SecretsKeyMissingError extends Error {
	constructor() {
		super('Stored secrets need SECRETS_KEY (32 random bytes, e.g. `openssl rand -base64 32`) when the app runs on PostgreSQL in production.')
	}
}

/** The value was sealed under another key (SECRETS_KEY changed) or was damaged: it cannot be read. */
export class SecretUnreadableError extends Error {}

type Key = { bytes: Buffer; id: string }
let cached: { for: string; key: Key | null } | undefined

const keyId = (bytes: Buffer) => createHash('sha256').update('roundtable secrets key id\0').update(bytes).digest('hex').slice(0, 16)

function loadKey(): Key | null {
	const env = getEnv()
	const cacheKey = `${env.SECRETS_KEY ?? ''}\0${env.DATABASE_URL ?? ''}\0${env.DATA_DIR}\0${env.NODE_ENV}`
	if (cached?.for === cacheKey) return cached.key
	let bytes: Buffer | null = null
	if (env.SECRETS_KEY) bytes = secretsKeyBytes(env.SECRETS_KEY)
	else if (!env.DATABASE_URL) bytes = env.DATA_DIR.startsWith('memory://') ? randomBytes(32) : keyFile(env.DATA_DIR)
	else if (env.NODE_ENV !== 'production') bytes = Buffer.from(hkdfSync('sha256', env.DATABASE_URL, 'roundtable', 'development secrets key', 32))
	cached = { for: cacheKey, key: bytes ? { bytes, id: keyId(bytes) } : null }
	return cached.key
}

function keyFile(dataDir: string): Buffer {
	const file = path.join(dataDir, 'secrets.key')
	try {
		return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
	}
	mkdirSync(dataDir, { recursive: true })
	const bytes = randomBytes(32)
	try {
		// "wx": two processes starting at once keep the first one's key.
		writeFileSync(file, `${bytes.toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
		return bytes
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
		return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
	}
}

/** Whether secrets can be saved here (false only on PostgreSQL in production without SECRETS_KEY). */
export function canStoreSecrets(): boolean {
	return loadKey() !== null
}

/**
 * `plaintext` sealed as `v1.<iv>.<ciphertext+tag>` (base64url), bound to `context` (e.g. the dataset
 * id) so that a sealed value copied to another row does not open there.
 */
export function sealSecret(plaintext: string, context: string): { sealed: string; keyId: string } {
	const key = loadKey()
	if (!key) throw new SecretsKeyMissingError()
	const iv = randomBytes(12)
	const cipher = createCipheriv('aes-256-gcm', key.bytes, iv)
	cipher.setAAD(Buffer.from(context, 'utf8'))
	const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
	return { sealed: `v1.${iv.toString('base64url')}.${body.toString('base64url')}`, keyId: key.id }
}

export function openSecret(sealed: string, context: string, sealedKeyId: string): string {
	const key = loadKey()
	if (!key) throw new SecretsKeyMissingError()
	if (key.id !== sealedKeyId) throw new SecretUnreadableError('The secret was sealed under another key (SECRETS_KEY changed since it was saved).')
	const [version, iv, body] = sealed.split('.')
	if (version !== 'v1' || !iv || !body) throw new SecretUnreadableError('The stored secret is damaged.')
	const bytes = Buffer.from(body, 'base64url')
	try {
		const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'))
		decipher.setAAD(Buffer.from(context, 'utf8'))
		decipher.setAuthTag(bytes.subarray(bytes.length - 16))
		return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8')
	} catch {
		throw new SecretUnreadableError('The stored secret is damaged.')
	}
}
