/**
 * What the webhook form accepts, shared by the page (in the browser) and its action. Kept apart
 * from app/domain/webhook.ts, whose signing needs node:crypto and so cannot reach a client bundle.
 */
import { z } from 'zod'
import { type webhookEvents } from '#app/domain/enums.ts'
import { isIpLiteral, isPublicAddress } from './network.ts'

export const WEBHOOK_EVENTS = ['version.status_changed', 'issue.created', 'issue.status_changed', 'round.closed'] as const satisfies ReadonlyArray<(typeof webhookEvents)[number]>
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]

export const WEBHOOK_URL_MAX = 2000

/** What the server allows (WEBHOOK_ALLOW_PRIVATE_NETWORKS), passed to the form by its loader. */
export type WebhookUrlPolicy = { allowPrivateNetworks: boolean }

// Plain http only to this machine, so a receiver can be tried (and tested) locally without TLS.
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])
const isLocalName = (hostname: string) => hostname === 'localhost' || hostname.endsWith('.localhost')

/**
 * An endpoint URL is `https://…`; any other scheme is refused, and so are credentials in the URL
 * (they would show in the list and the audit log). Unless the server allows private networks, an
 * IP literal that is not public (`https://10.0.0.5/`, `https://[::1]/`) and `localhost` names are
 * refused too; when it does, `http://` is accepted on localhost / 127.0.0.1 / [::1].
 * Names are checked again, resolved, at every delivery (app/jobs/webhook-delivery.server.ts): this check
 * only spares the team a webhook that could never be delivered.
 * Returns the message key of the first problem, or null.
 */
export function checkWebhookUrl(value: string, policy: WebhookUrlPolicy = { allowPrivateNetworks: false }): string | null {
	if (value.length > WEBHOOK_URL_MAX) return 'validation.tooLong'
	let url: URL
	try {
		url = new URL(value)
	} catch {
		return 'webhooks:errors.url'
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'webhooks:errors.scheme'
	if (url.username || url.password) return 'webhooks:errors.credentials'
	const local = isLocalName(url.hostname) || (isIpLiteral(url.hostname) && !isPublicAddress(url.hostname))
	if (local && !policy.allowPrivateNetworks) return 'webhooks:errors.privateAddress'
	if (url.protocol === 'http:' && !(policy.allowPrivateNetworks && LOOPBACK.has(url.hostname))) return 'webhooks:errors.httpsOnly'
	return null
}

const asList = (v: unknown) => (Array.isArray(v) ? v : v == null || v === '' ? [] : [v])

/** The add-webhook form; the same policy on the page (from its loader) and in its action. */
export function createWebhookSchema(policy: WebhookUrlPolicy) {
	return z.object({
		intent: z.literal('create'),
		url: z
			.string({ error: 'validation.required' })
			.trim()
			.min(1, { error: 'validation.required' })
			.superRefine((value, ctx) => {
				const problem = checkWebhookUrl(value, policy)
				if (problem) ctx.addIssue({ code: 'custom', message: problem })
			}),
		events: z.preprocess(asList, z.array(z.enum(WEBHOOK_EVENTS, { error: 'validation.invalidChoice' })).min(1, { error: 'webhooks:errors.noEvents' })),
	})
}

export const WebhookTargetSchema = z.object({ intent: z.enum(['disable', 'delete']), webhookId: z.uuid() })
