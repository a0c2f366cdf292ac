/**
 * Standard Webhooks (https://www.standardwebhooks.com), symmetric scheme: the signed content is
 * `{webhook-id}.{webhook-timestamp}.{body}`, the key is the base64-decoded part of the secret after
 * `whsec_`, and `webhook-signature` is `v1,<base64 HMAC-SHA256>` (space-separated when several).
 * Also the retry schedule and how a response is judged. No database, no HTTP.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

const SECRET_PREFIX = 'whsec_'

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes (the spec asks for 24 to 64). */
export function generateSecret(): string {
	return SECRET_PREFIX + randomBytes(32).toString('base64')
}

/** A `webhook-id`: the same on every retry of one event, so receivers can drop duplicates. No dots. */
export function generateMessageId(): string {
	return `msg_${randomBytes(18).toString('base64url')}`
}

function secretKey(secret: string): Buffer {
	const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret
	return Buffer.from(encoded, 'base64')
}

/** `v1,<signature>` of one message. `timestamp` is in Unix seconds; `body` exactly as sent. */
export function sign(secret: string, id: string, timestamp: number | string, body: string | Uint8Array): string {
	const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64')
	return `v1,${mac}`
}

/** The three headers of a delivery attempt. */
export function signatureHeaders(secret: string, id: string, timestamp: number, body: string | Uint8Array) {
	return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(secret, id, timestamp, body) }
}

/** Five minutes either way, as the spec's libraries do: older deliveries are replays. */
export const TIMESTAMP_TOLERANCE_SECONDS = 300

export type VerifyFailure = 'missing_headers' | 'bad_timestamp' | 'timestamp_out_of_range' | 'bad_signature'

/**
 * A receiver's check: headers present, the timestamp within the tolerance of `nowSeconds`, and one
 * of the `v1,` signatures equal (in constant time) to the one computed over the raw body.
 */
export function verify(
	secret: string,
	headers: { id?: string | null; timestamp?: string | null; signature?: string | null },
	body: string | Uint8Array,
	options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): { ok: true } | { ok: false; reason: VerifyFailure } {
	const { id, timestamp, signature } = headers
	if (!id || !timestamp || !signature) return { ok: false, reason: 'missing_headers' }
	if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' }
	const now = options.nowSeconds ?? Math.floor(Date.now() / 1000)
	if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? TIMESTAMP_TOLERANCE_SECONDS)) return { ok: false, reason: 'timestamp_out_of_range' }
	const expected = Buffer.from(sign(secret, id, timestamp, body).slice(3), 'base64')
	for (const entry of signature.split(' ')) {
		const [version, value] = entry.split(',', 2)
		if (version !== 'v1' || !value) continue
		const given = Buffer.from(value, 'base64')
		if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true }
	}
	return { ok: false, reason: 'bad_signature' }
}

/** Waits after the 1st, 2nd… failed attempt; after the last one the delivery is given up as failed. */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000] as const
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1

/**
 * How long to wait after `attempts` failed attempts, or null when there is no next one. `random`
 * in [0, 1) adds up to 10 % so endpoints that failed together are not all retried at once.
 */
export function retryDelay(attempts: number, random = 0): number | null {
	const base = RETRY_DELAYS_MS[attempts - 1]
	if (base === undefined) return null
	return Math.round(base * (1 + 0.1 * random))
}

/**
 * 2xx is delivered. 410 Gone means the receiver wants no more (the spec says: disable the
 * endpoint). Anything else — other statuses, redirects (not followed), timeouts — is retried.
 */
export function judgeResponse(status: number | null): 'delivered' | 'gone' | 'retry' {
	if (status !== null && status >= 200 && status < 300) return 'delivered'
	if (status === 410) return 'gone'
	return 'retry'
}

/** The part of a response body kept in the delivery log (bytes). */
export const RESPONSE_EXCERPT_BYTES = 2048

/** Text of the first bytes of a response; NUL, which PostgreSQL text cannot hold, is replaced. */
export function responseExcerpt(bytes: Uint8Array): string {
	return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, RESPONSE_EXCERPT_BYTES)).replace(/\u0000/g, '\uFFFD')
}
