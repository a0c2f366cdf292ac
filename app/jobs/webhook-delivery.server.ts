/**
 * The webhook delivery job: claims due messages from the queue (app/models/webhook.server.ts),
 * sends each signed per Standard Webhooks (app/domain/webhook.ts) and records the outcome,
 * retrying with backoff. Requests go only to public addresses, checked where the socket connects
 * (app/domain/network.ts, decision 017). The scheduler runs it every minute.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { isPublicAddress } from '#app/domain/network.ts'
import { RESPONSE_EXCERPT_BYTES, responseExcerpt, signatureHeaders } from '#app/domain/webhook.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { claimDueDeliveries, type ClaimedDelivery, type DeliveryAttempt, type DeliveryVerdict, recordDeliveryAttempt } from '#app/models/webhook.server.ts'

export const REQUEST_TIMEOUT_MS = 10_000

/** Refused before anything is sent: the webhook's host is, or resolves to, an address that is not public. */
class NotPublicAddressError extends Error {
	constructor(address: string, hostname?: string) {
		super(`address ${address} is not public${hostname ? ` (${hostname})` : ''}`)
		this.name = 'NotPublicAddressError'
	}
}

type Resolve = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void

/**
 * A `lookup` for node:http(s) `request` that resolves the name (every address), refuses the
 * connection when any of them is not public, and otherwise hands exactly the checked addresses to
 * the socket: the name is resolved once, so an answer that changes between the check and the
 * connection (DNS rebinding) cannot slip through. "Any", not "all": a name that answers with a
 * public and a private address is refused, since which one the socket tries is not ours to choose.
 * `resolve` is dns.lookup; tests pass a stand-in.
 */
export function publicOnlyLookup(resolve: Resolve = dnsLookup): LookupFunction {
	return (hostname, options, callback) => {
		resolve(hostname, { family: options.family, hints: options.hints, all: true }, (error, addresses) => {
			if (error) return callback(error, [])
			const refused = addresses.find((a) => !isPublicAddress(a.address))
			if (refused) return callback(new NotPublicAddressError(refused.address, hostname), [])
			const [first] = addresses
			if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), [])
			if (options.all) callback(null, addresses)
			else callback(null, first.address, first.family)
		})
	}
}

/**
 * One POST; resolves with the status and the first RESPONSE_EXCERPT_BYTES of the body (a body cut
 * off by the timeout or a reset keeps what arrived), rejects on a network error. No redirects are
 * followed (node:http never does); a fresh connection each time, so no socket outlives its check.
 */
function post(url: URL, headers: Record<string, string>, body: string, lookup: LookupFunction | undefined) {
	const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : null
	if (!send) return Promise.reject(new Error(`unsupported scheme ${url.protocol}`))
	return new Promise<{ status: number; excerpt: string }>((resolve, reject) => {
		const options = { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false as const, lookup, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }
		let responded = false
		const req = send(url, options, (res) => {
			responded = true
			const chunks: Buffer[] = []
			let size = 0
			let settled = false
			const done = () => {
				if (settled) return
				settled = true
				res.destroy()
				resolve({ status: res.statusCode ?? 0, excerpt: responseExcerpt(Buffer.concat(chunks)) })
			}
			res.on('data', (chunk: Buffer) => {
				chunks.push(chunk)
				size += chunk.length
				if (size >= RESPONSE_EXCERPT_BYTES) done()
			})
			res.on('end', done)
			res.on('error', done)
			res.on('close', done)
		})
		// Once the status is in, a timeout or reset only cuts the body short (the response settles it).
		req.on('error', (error) => {
			if (!responded) reject(error)
		})
		req.end(body)
	})
}

function describeError(error: unknown): string {
	const e = error as { name?: string; message?: string; code?: string }
	if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timeout after ${REQUEST_TIMEOUT_MS / 1000} s`
	const message = e.message || String(error)
	return `${message}${e.code && !message.includes(e.code) ? ` (${e.code})` : ''}`.slice(0, 500)
}

async function attempt(d: ClaimedDelivery): Promise<DeliveryAttempt> {
	// Top-level keys in the documented order (jsonb stores them in its own).
	const body = JSON.stringify({ type: d.payload.type, timestamp: d.payload.timestamp, data: d.payload.data })
	const headers = { 'content-type': 'application/json', 'user-agent': 'Roundtable-Webhooks/1', ...signatureHeaders(d.secret, d.message_id, Math.floor(Date.now() / 1000), body) }
	try {
		const url = new URL(d.url)
		const allowPrivate = getEnv().WEBHOOK_ALLOW_PRIVATE_NETWORKS
		if (!allowPrivate) {
			// Node skips `lookup` for an IP literal, so a literal is checked here.
			const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
			if (isIP(host) && !isPublicAddress(host)) throw new NotPublicAddressError(host)
		}
		const sent = await post(url, headers, body, allowPrivate ? undefined : publicOnlyLookup())
		return { status: sent.status, response: sent.excerpt, error: null }
	} catch (error) {
		return { status: null, response: null, error: describeError(error) }
	}
}

/**
 * One pass of the delivery job (the scheduler runs it every minute): claims due messages in
 * batches, sends each batch in parallel (10 s timeout per request, redirects not followed, only to
 * public addresses unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is on) and
 * records the outcome — delivered, retried later (1 min, 5 min, 30 min, 2 h, 6 h), or failed.
 */
export async function deliverDueWebhooks(options: { now?: Date; batchSize?: number; maxBatches?: number } = {}) {
	const now = options.now ?? new Date()
	const batchSize = options.batchSize ?? 20
	const counts: Record<DeliveryVerdict, number> = { delivered: 0, retry: 0, failed: 0 }
	for (let i = 0; i < (options.maxBatches ?? 10); i++) {
		const claimed = await claimDueDeliveries(now, batchSize)
		const verdicts = await Promise.all(claimed.map(async (d) => recordDeliveryAttempt(d, await attempt(d), now)))
		for (const v of verdicts) counts[v]++
		if (claimed.length < batchSize) break
	}
	return counts
}
