import { createHmac } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { checkWebhookUrl, createWebhookSchema } from '#app/domain/webhook-form.ts'
import { generateMessageId, generateSecret, judgeResponse, MAX_ATTEMPTS, responseExcerpt, retryDelay, sign, signatureHeaders, verify } from '#app/domain/webhook.ts'

// The example published with the Standard Webhooks specification and its reference libraries
// (github.com/standard-webhooks/standard-webhooks, "sign function works").
const SPEC = {
	secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
	id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
	timestamp: 1614265330,
	body: '{"test": 2432232314}',
	signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
}

/** The scheme written out by hand with node:crypto, independently of app/domain/webhook.ts. */
function independent(secret: string, id: string, timestamp: number | string, body: string) {
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
	return 'v1,' + createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')
}

describe('signing (Standard Webhooks)', () => {
	test('reproduces the specification’s published example', () => {
		expect(sign(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature)
		expect(independent(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature)
	})

	test('agrees with an independent HMAC over fresh secrets, bodies in any script, and bytes', () => {
		for (const body of ['{}', '{"a":"é ü ñ"}', '{"text":"مرحبا بالعالم"}', 'x'.repeat(10_000)]) {
			const secret = generateSecret()
			const id = generateMessageId()
			expect(sign(secret, id, 1_700_000_000, body)).toBe(independent(secret, id, 1_700_000_000, body))
			expect(sign(secret, id, 1_700_000_000, new TextEncoder().encode(body))).toBe(independent(secret, id, 1_700_000_000, body))
		}
	})

	test('secrets are whsec_ + base64 of 32 random bytes; message ids are msg_ without dots', () => {
		const a = generateSecret()
		expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
		expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32)
		expect(generateSecret()).not.toBe(a)
		const id = generateMessageId()
		expect(id).toMatch(/^msg_[A-Za-z0-9_-]{24}$/)
		expect(id).not.toContain('.')
	})

	test('signatureHeaders names the three spec headers', () => {
		expect(signatureHeaders(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toEqual({
			'webhook-id': SPEC.id,
			'webhook-timestamp': String(SPEC.timestamp),
			'webhook-signature': SPEC.signature,
		})
	})
})

describe('verification', () => {
	const headers = { id: SPEC.id, timestamp: String(SPEC.timestamp), signature: SPEC.signature }
	const at = { nowSeconds: SPEC.timestamp + 10 }

	test('accepts the spec example at its time', () => {
		expect(verify(SPEC.secret, headers, SPEC.body, at)).toEqual({ ok: true })
		expect(verify(SPEC.secret, headers, Buffer.from(SPEC.body), at)).toEqual({ ok: true })
	})

	test('accepts when any of several space-separated signatures matches (secret rotation)', () => {
		const other = sign(generateSecret(), SPEC.id, SPEC.timestamp, SPEC.body)
		expect(verify(SPEC.secret, { ...headers, signature: `${other} v1a,AAAA ${SPEC.signature}` }, SPEC.body, at)).toEqual({ ok: true })
		expect(verify(SPEC.secret, { ...headers, signature: other }, SPEC.body, at)).toEqual({ ok: false, reason: 'bad_signature' })
	})

	test('a tampered body, id or timestamp fails', () => {
		expect(verify(SPEC.secret, headers, '{"test": 2432232315}', at)).toEqual({ ok: false, reason: 'bad_signature' })
		expect(verify(SPEC.secret, headers, '{"test":2432232314}', at)).toEqual({ ok: false, reason: 'bad_signature' })
		expect(verify(SPEC.secret, { ...headers, id: 'msg_other' }, SPEC.body, at)).toEqual({ ok: false, reason: 'bad_signature' })
		expect(verify(SPEC.secret, { ...headers, timestamp: String(SPEC.timestamp + 1) }, SPEC.body, at)).toEqual({ ok: false, reason: 'bad_signature' })
	})

	test('a wrong secret, a truncated or unversioned signature fails', () => {
		expect(verify(generateSecret(), headers, SPEC.body, at)).toEqual({ ok: false, reason: 'bad_signature' })
		expect(verify(SPEC.secret, { ...headers, signature: SPEC.signature.slice(0, 20) }, SPEC.body, at)).toEqual({ ok: false, reason: 'bad_signature' })
		expect(verify(SPEC.secret, { ...headers, signature: SPEC.signature.slice(3) }, SPEC.body, at)).toEqual({ ok: false, reason: 'bad_signature' })
		expect(verify(SPEC.secret, { ...headers, signature: SPEC.signature.replace('v1,', 'v2,') }, SPEC.body, at)).toEqual({ ok: false, reason: 'bad_signature' })
	})

	test('a timestamp outside five minutes is a replay; a malformed one or missing headers fail', () => {
		expect(verify(SPEC.secret, headers, SPEC.body, { nowSeconds: SPEC.timestamp + 301 })).toEqual({ ok: false, reason: 'timestamp_out_of_range' })
		expect(verify(SPEC.secret, headers, SPEC.body, { nowSeconds: SPEC.timestamp - 301 })).toEqual({ ok: false, reason: 'timestamp_out_of_range' })
		expect(verify(SPEC.secret, headers, SPEC.body, { nowSeconds: SPEC.timestamp + 300 })).toEqual({ ok: true })
		expect(verify(SPEC.secret, headers, SPEC.body, { nowSeconds: SPEC.timestamp + 3600, toleranceSeconds: 3600 })).toEqual({ ok: true })
		expect(verify(SPEC.secret, { ...headers, timestamp: '1614265330.5' }, SPEC.body, at)).toEqual({ ok: false, reason: 'bad_timestamp' })
		expect(verify(SPEC.secret, { ...headers, timestamp: null }, SPEC.body, at)).toEqual({ ok: false, reason: 'missing_headers' })
		expect(verify(SPEC.secret, { ...headers, signature: '' }, SPEC.body, at)).toEqual({ ok: false, reason: 'missing_headers' })
	})
})

describe('retries', () => {
	test('backoff: 1 min, 5 min, 30 min, 2 h, 6 h after the 1st…5th failure, then no more', () => {
		expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n))).toEqual([60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, null])
		expect(MAX_ATTEMPTS).toBe(6)
		expect(retryDelay(0)).toBeNull()
	})

	test('jitter adds at most 10 %', () => {
		expect(retryDelay(1, 0.999)).toBeLessThan(66_000)
		expect(retryDelay(1, 0.5)).toBe(63_000)
		expect(retryDelay(5, 0.5)).toBe(22_680_000)
	})

	test('2xx delivers, 410 Gone stops, everything else (redirects, errors, timeouts) is retried', () => {
		expect([200, 201, 204, 299].map(judgeResponse)).toEqual(['delivered', 'delivered', 'delivered', 'delivered'])
		expect(judgeResponse(410)).toBe('gone')
		expect([199, 301, 302, 400, 404, 429, 500, 503, null].map(judgeResponse)).toEqual(Array(9).fill('retry'))
	})

	test('the log keeps the first 2 KB of a response as text, without NUL', () => {
		expect(responseExcerpt(new TextEncoder().encode('x'.repeat(5000)))).toHaveLength(2048)
		expect(responseExcerpt(new TextEncoder().encode('ok\u0000done'))).toBe('ok\uFFFDdone')
		// A multi-byte character cut at the limit becomes one replacement character.
		const cut = responseExcerpt(new TextEncoder().encode('a'.repeat(2047) + 'é'))
		expect(cut).toBe('a'.repeat(2047) + '\uFFFD')
	})
})

describe('endpoint URLs', () => {
	const open = { allowPrivateNetworks: true }

	test('by default: https to public hosts only; no plain http, no private or local address, however spelt', () => {
		for (const ok of ['https://example.org/hooks', 'https://hooks.example.org:8443/x?token=a', 'https://8.8.8.8/h', 'https://[2606:4700::1111]/h', 'https://10.0.0.5.nip.io/'])
			expect(checkWebhookUrl(ok), ok).toBeNull()
		for (const local of [
			'https://10.0.0.5:8443/x?token=a',
			'https://127.0.0.1/',
			'https://169.254.169.254/latest/meta-data/',
			'https://192.168.1.1/',
			'https://100.64.0.1/',
			'https://0x7f.1/',
			'https://2130706433/',
			'https://017700000001/',
			'https://[::1]/',
			'https://[::ffff:127.0.0.1]/',
			'https://[::ffff:a9fe:a9fe]/',
			'https://[fd00::1]/',
			'https://[fe80::1]/',
			'https://localhost/',
			'https://LOCALHOST:4000/',
			'https://api.localhost/',
			'http://localhost:4000/hook',
			'http://127.0.0.1:9/h',
			'http://[::1]:8080/',
			'http://10.0.0.5/',
		]) {
			expect(checkWebhookUrl(local), local).toBe('webhooks:errors.privateAddress')
		}
		expect(checkWebhookUrl('http://example.org/hook')).toBe('webhooks:errors.httpsOnly')
		expect(checkWebhookUrl('http://8.8.8.8/hook')).toBe('webhooks:errors.httpsOnly')
	})

	test('with private networks allowed: private https addresses, and plain http on localhost, 127.0.0.1 and [::1] only', () => {
		for (const ok of [
			'https://example.org/hooks',
			'https://10.0.0.5:8443/x?token=a',
			'https://[fd00::1]/',
			'https://localhost/',
			'http://localhost:4000/hook',
			'http://127.0.0.1:9/h',
			'http://[::1]:8080/',
		]) {
			expect(checkWebhookUrl(ok, open), ok).toBeNull()
		}
		for (const http of ['http://example.org/hook', 'http://127.0.0.2/hook', 'http://localhost.example.org/hook', 'http://10.0.0.5/', 'http://api.localhost/']) {
			expect(checkWebhookUrl(http, open), http).toBe('webhooks:errors.httpsOnly')
		}
	})

	test('other schemes, credentials, non-URLs and overlong values are refused', () => {
		for (const scheme of ['ftp://example.org/x', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/plain,hi', 'ws://localhost/x', 'gopher://localhost/']) {
			expect(checkWebhookUrl(scheme), scheme).toBe('webhooks:errors.scheme')
			expect(checkWebhookUrl(scheme, open), scheme).toBe('webhooks:errors.scheme')
		}
		expect(checkWebhookUrl('https://user:pw@example.org/')).toBe('webhooks:errors.credentials')
		expect(checkWebhookUrl('http://user:pw@127.0.0.1/', open)).toBe('webhooks:errors.credentials')
		expect(checkWebhookUrl('example.org/hook')).toBe('webhooks:errors.url')
		expect(checkWebhookUrl(`https://example.org/${'a'.repeat(2000)}`)).toBe('validation.tooLong')
	})

	test('the form needs a valid URL and at least one known event, under the server’s policy', () => {
		const schema = createWebhookSchema({ allowPrivateNetworks: false })
		const ok = schema.safeParse({ intent: 'create', url: ' https://example.org/h ', events: ['issue.created', 'round.closed'] })
		expect(ok.success && ok.data).toEqual({ intent: 'create', url: 'https://example.org/h', events: ['issue.created', 'round.closed'] })
		const single = schema.safeParse({ intent: 'create', url: 'https://example.org/h', events: 'issue.created' })
		expect(single.success && single.data.events).toEqual(['issue.created'])
		const none = schema.safeParse({ intent: 'create', url: 'https://example.org/h' })
		expect(none.success ? [] : none.error.issues.map((i) => i.message)).toEqual(['webhooks:errors.noEvents'])
		expect(schema.safeParse({ intent: 'create', url: 'https://example.org/h', events: ['issue.deleted'] }).success).toBe(false)
		expect(schema.safeParse({ intent: 'create', url: 'http://example.org/h', events: ['issue.created'] }).success).toBe(false)
		const local = schema.safeParse({ intent: 'create', url: 'http://127.0.0.1:4000/h', events: ['issue.created'] })
		expect(local.success ? [] : local.error.issues.map((i) => i.message)).toEqual(['webhooks:errors.privateAddress'])
		expect(createWebhookSchema(open).safeParse({ intent: 'create', url: 'http://127.0.0.1:4000/h', events: ['issue.created'] }).success).toBe(true)
	})
})
