/**
 * What the webhook form accepts, shared by the page (in the browser) and its action. Kept apart
 * from app/domain/webhook.ts, whose signing needs node:crypto and so cannot reach a client bundle.
 */
import { z } from 'zod'
import { type webhookEvents } from '#db/schema/api.ts'

export const WEBHOOK_EVENTS = ['version.status_changed', 'issue.created', 'issue.status_changed', 'round.closed'] as const satisfies ReadonlyArray<(typeof webhookEvents)[number]>
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]

export const WEBHOOK_URL_MAX = 2000

// Plain http only to this machine, so a receiver can be tried (and tested) locally without TLS.
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * An endpoint URL is `https://…`, or `http://` on localhost / 127.0.0.1 / [::1]; any other scheme
 * is refused, and so are credentials in the URL (they would show in the list and the audit log).
 * Returns the message key of the first problem, or null.
 */
export function checkWebhookUrl(value: string): string | null {
	if (value.length > WEBHOOK_URL_MAX) return 'validation.tooLong'
	let url: URL
	try {
		url = new URL(value)
	} catch {
		return 'webhooks:errors.url'
	}
	if (url.protocol === 'http:') {
		if (!LOOPBACK.has(url.hostname)) return 'webhooks:errors.httpsOnly'
	} else if (url.protocol !== 'https:') return 'webhooks:errors.scheme'
	if (url.username || url.password) return 'webhooks:errors.credentials'
	return null
}

const asList = (v: unknown) => (Array.isArray(v) ? v : v == null || v === '' ? [] : [v])

export const CreateWebhookSchema = z.object({
	intent: z.literal('create'),
	url: z
		.string({ error: 'validation.required' })
		.trim()
		.min(1, { error: 'validation.required' })
		.superRefine((value, ctx) => {
			const problem = checkWebhookUrl(value)
			if (problem) ctx.addIssue({ code: 'custom', message: problem })
		}),
	events: z.preprocess(asList, z.array(z.enum(WEBHOOK_EVENTS, { error: 'validation.invalidChoice' })).min(1, { error: 'webhooks:errors.noEvents' })),
})

export const WebhookTargetSchema = z.object({ intent: z.enum(['disable', 'delete']), webhookId: z.uuid() })
