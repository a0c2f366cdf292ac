import { createHash, randomBytes } from 'node:crypto'

export function sha256Hex(value: string): string {
	return createHash('sha256').update(value).digest('hex')
}

/** A URL-safe secret with `bytes` bytes of CSPRNG entropy (16 bytes = 128 bits). */
export function randomToken(bytes = 32): string {
	return randomBytes(bytes).toString('base64url')
}
