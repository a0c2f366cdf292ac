/**
 * Webhooks of a dataset: endpoints the team registers, the events the models emit (inside their
 * own transactions, so an event exists exactly when its change committed), and the queue of
 * deliveries: the webhook_deliveries table, claimed with one UPDATE … SKIP LOCKED so any number of
 * app instances deliver each message once per attempt. The job that sends them, signed and only to
 * public addresses, is app/jobs/webhook-delivery.server.ts.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { webhookDeliveries, webhooks } from '#db/schema/api.ts'
import { type WebhookEvent, type WebhookUrlPolicy } from '#app/domain/webhook-form.ts'
import { generateMessageId, generateSecret, judgeResponse, retryDelay } from '#app/domain/webhook.ts'
import { db, query, type Tx } from '#app/utils/db.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { recordAudit } from './audit.server.ts'

/** What the audit log and its label keep of a URL: no query string (it may carry a token). */
const shownUrl = (url: string) => {
	const u = new URL(url)
	return `${u.origin}${u.pathname}`
}

/** What the add-webhook form accepts on this server (decision 017). */
export function webhookUrlPolicy(): WebhookUrlPolicy {
	return { allowPrivateNetworks: getEnv().WEBHOOK_ALLOW_PRIVATE_NETWORKS }
}

export async function createWebhook(input: { datasetId: string; actorId: string; url: string; events: WebhookEvent[] }) {
	const secret = generateSecret()
	const events = [...new Set(input.events)]
	return db.transaction(async (tx) => {
		const [row] = await tx.insert(webhooks).values({ datasetId: input.datasetId, url: input.url, secret, events, createdBy: input.actorId }).returning({ id: webhooks.id })
		await recordAudit(
			{
				datasetId: input.datasetId,
				actorId: input.actorId,
				action: 'webhook.created',
				targetType: 'webhook',
				targetId: row!.id,
				targetLabel: shownUrl(input.url),
				after: { url: shownUrl(input.url), events },
			},
			tx,
		)
		// The secret goes back to the page once; it is never selected for display again.
		return { id: row!.id, url: input.url, secret }
	})
}

export async function listWebhooks(datasetId: string) {
	return db
		.select({
			id: webhooks.id,
			url: webhooks.url,
			events: webhooks.events,
			createdAt: webhooks.createdAt,
			disabledAt: webhooks.disabledAt,
			createdBy: users.displayName,
		})
		.from(webhooks)
		.leftJoin(users, eq(users.id, webhooks.createdBy))
		.where(eq(webhooks.datasetId, datasetId))
		.orderBy(desc(webhooks.createdAt), desc(webhooks.id))
}

export const DELIVERY_LOG_SIZE = 50

/** A webhook's latest deliveries, newest first (scoped by dataset: a foreign id finds nothing). */
export async function listDeliveries({ datasetId, webhookId, limit = DELIVERY_LOG_SIZE }: { datasetId: string; webhookId: string; limit?: number }) {
	return db
		.select({
			id: webhookDeliveries.id,
			messageId: webhookDeliveries.messageId,
			event: webhookDeliveries.event,
			status: webhookDeliveries.status,
			attempts: webhookDeliveries.attempts,
			nextAttemptAt: webhookDeliveries.nextAttemptAt,
			lastStatus: webhookDeliveries.lastStatus,
			lastResponse: webhookDeliveries.lastResponse,
			lastError: webhookDeliveries.lastError,
			createdAt: webhookDeliveries.createdAt,
			deliveredAt: webhookDeliveries.deliveredAt,
		})
		.from(webhookDeliveries)
		.innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
		.where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhooks.datasetId, datasetId)))
		.orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
		.limit(limit)
}

/** Stops deliveries to an endpoint; what was still queued for it is marked failed. Keeps its log. */
export async function disableWebhook(input: { datasetId: string; webhookId: string; actorId: string | null; reason?: string }, executor?: Tx) {
	const run = async (tx: Tx) => {
		const [row] = await tx
			.update(webhooks)
			.set({ disabledAt: new Date() })
			.where(and(eq(webhooks.id, input.webhookId), eq(webhooks.datasetId, input.datasetId), isNull(webhooks.disabledAt)))
			.returning({ url: webhooks.url })
		if (!row) return false
		await tx
			.update(webhookDeliveries)
			.set({ status: 'failed', lastError: 'webhook disabled' })
			.where(and(eq(webhookDeliveries.webhookId, input.webhookId), eq(webhookDeliveries.status, 'pending')))
		await recordAudit(
			{ datasetId: input.datasetId, actorId: input.actorId, action: 'webhook.disabled', targetType: 'webhook', targetId: input.webhookId, targetLabel: shownUrl(row.url), reason: input.reason ?? '' },
			tx,
		)
		return true
	}
	return executor ? run(executor) : db.transaction(run)
}

/** Removes an endpoint and its delivery log. */
export async function deleteWebhook(input: { datasetId: string; webhookId: string; actorId: string }) {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.delete(webhooks)
			.where(and(eq(webhooks.id, input.webhookId), eq(webhooks.datasetId, input.datasetId)))
			.returning({ url: webhooks.url, events: webhooks.events })
		if (!row) return false
		await recordAudit(
			{
				datasetId: input.datasetId,
				actorId: input.actorId,
				action: 'webhook.deleted',
				targetType: 'webhook',
				targetId: input.webhookId,
				targetLabel: shownUrl(row.url),
				before: { url: shownUrl(row.url), events: row.events },
			},
			tx,
		)
		return true
	})
}

// ---------------------------------------------------------------------------------------------
// Events. Payloads are small and documented (README, docs/decisions/012-webhooks.md): dataset
// slug, version label, numbers and states — never a participant, never an internal note.

/**
 * Queues `{ type, timestamp, data: payload }` for every active webhook of the dataset subscribed
 * to `event`, inside the caller's transaction. One message id per event, kept across retries.
 */
export async function enqueueEvent(tx: Tx, input: { datasetId: string; event: WebhookEvent; payload: Record<string, unknown> }) {
	const envelope = JSON.stringify({ type: input.event, timestamp: new Date().toISOString(), data: input.payload })
	const rows = await query<{ id: string }>(
		sql`insert into ${webhookDeliveries} (webhook_id, message_id, event, payload)
			select id, ${generateMessageId()}, ${input.event}, ${envelope}::jsonb from ${webhooks}
			where dataset_id = ${input.datasetId} and disabled_at is null and ${input.event}::text = any(events)
			returning id`,
		tx,
	)
	return rows.length
}

// The lookups below return nothing when no endpoint listens, so an event costs one query then.
const listening = (event: WebhookEvent) => sql`exists (select 1 from ${webhooks} w where w.dataset_id = d.id and w.disabled_at is null and ${event}::text = any(w.events))`

export async function emitVersionStatusChanged(tx: Tx, input: { versionId: string; from: string; to: string; overriddenBlockers?: number; blockingIssue?: number }) {
	if (input.from === input.to) return
	const [v] = await query<{ dataset_id: string; slug: string; label: string }>(
		sql`select d.id as dataset_id, d.slug, v.label from versions v join datasets d on d.id = v.dataset_id where v.id = ${input.versionId} and ${listening('version.status_changed')}`,
		tx,
	)
	if (!v) return
	const payload = {
		dataset: v.slug,
		version: v.label,
		status: input.to,
		previous_status: input.from,
		...(input.to === 'approved' ? { overridden_blockers: input.overriddenBlockers ?? 0 } : {}),
		...(input.to === 'blocked' ? { blocking_issue: input.blockingIssue ?? null } : {}),
	}
	await enqueueEvent(tx, { datasetId: v.dataset_id, event: 'version.status_changed', payload })
}

type IssueState = { status: string; resolution: string | null; blocking: boolean }

export async function emitIssueEvent(tx: Tx, issueId: string, event: 'issue.created' | 'issue.status_changed', previous?: Partial<IssueState>) {
	const [i] = await query<
		IssueState & { dataset_id: string; slug: string; label: string; number: number; kind: string; external_id: string | null; template_target: string | null; needs_re_review: boolean }
	>(
		sql`select d.id as dataset_id, d.slug, v.label, i.number, i.kind, i.external_id, i.template_target, i.status, i.resolution, i.blocking, i.needs_re_review
			from issues i join versions v on v.id = i.version_id join datasets d on d.id = v.dataset_id
			where i.id = ${issueId} and ${listening(event)}`,
		tx,
	)
	if (!i) return
	const state = { status: i.status, resolution: i.resolution, blocking: i.blocking }
	const issue = { number: i.number, kind: i.kind, sample: i.external_id, template: i.template_target, ...state, needs_re_review: i.needs_re_review }
	const payload = { dataset: i.slug, version: i.label, issue, ...(previous ? { previous: { ...state, ...previous } } : {}) }
	await enqueueEvent(tx, { datasetId: i.dataset_id, event, payload })
}

/**
 * At the end of an issue's evaluation: `issue.created` for an issue inserted in this transaction
 * (`created`, which its caller was handed by the insert; sent now rather than at the insert, so it
 * carries the blocking state the rules gave the new issue, not a transient "not blocking"), else
 * `issue.status_changed` if blocking changed.
 */
export async function emitIssueEvaluated(tx: Tx, issueId: string, blocking: { created: boolean; before: boolean; changed: boolean }) {
	if (blocking.created) return emitIssueEvent(tx, issueId, 'issue.created')
	if (blocking.changed) return emitIssueEvent(tx, issueId, 'issue.status_changed', { blocking: blocking.before })
}

export async function emitRoundClosed(tx: Tx, roundId: string) {
	const [r] = await query<{ dataset_id: string; slug: string; label: string; id: string; title: string; stage: string }>(
		sql`select d.id as dataset_id, d.slug, v.label, r.id, r.title, r.stage
			from rounds r join versions v on v.id = r.version_id join datasets d on d.id = v.dataset_id
			where r.id = ${roundId} and ${listening('round.closed')}`,
		tx,
	)
	if (!r) return
	await enqueueEvent(tx, { datasetId: r.dataset_id, event: 'round.closed', payload: { dataset: r.slug, version: r.label, round: { id: r.id, title: r.title, stage: r.stage } } })
}

// ---------------------------------------------------------------------------------------------
// The delivery queue (the job that sends: app/jobs/webhook-delivery.server.ts).

// A claimed row is not due again until this passes: long enough for a whole pass, short enough that
// an instance that died mid-delivery delays the message only minutes (delivery is at least once).
const LEASE_MS = 5 * 60_000

export type ClaimedDelivery = {
	id: string
	webhook_id: string
	dataset_id: string
	message_id: string
	payload: { type: string; timestamp: string; data: unknown }
	attempts: number
	url: string
	secret: string
}
export type DeliveryAttempt = { status: number | null; response: string | null; error: string | null }
export type DeliveryVerdict = 'delivered' | 'retry' | 'failed'

/** Claims up to `limit` due messages of active webhooks (one UPDATE … SKIP LOCKED: each is claimed by one pass). */
export async function claimDueDeliveries(now: Date, limit: number) {
	return query<ClaimedDelivery>(sql`
		update ${webhookDeliveries} d set attempts = d.attempts + 1, next_attempt_at = ${new Date(now.getTime() + LEASE_MS).toISOString()}::timestamptz
		from ${webhooks} w
		where w.id = d.webhook_id and d.id in (
			select q.id from ${webhookDeliveries} q join ${webhooks} qw on qw.id = q.webhook_id
			-- Due within \`now\`'s millisecond too: next_attempt_at has microseconds (the database's now() at
			-- enqueue), \`now\` milliseconds, so an event enqueued in that same millisecond would read as not yet due.
			where q.status = 'pending' and q.next_attempt_at < ${now.toISOString()}::timestamptz + interval '1 millisecond' and qw.disabled_at is null
			order by q.next_attempt_at
			limit ${limit}
			for update of q skip locked)
		returning d.id, d.webhook_id, w.dataset_id, d.message_id, d.payload, d.attempts, w.url, w.secret`)
}

/** Writes an attempt's outcome: delivered, retried later (retryDelay), or failed; a 410 Gone disables the webhook. */
export async function recordDeliveryAttempt(d: ClaimedDelivery, result: DeliveryAttempt, now: Date): Promise<DeliveryVerdict> {
	const judged = judgeResponse(result.status)
	const last = { lastStatus: result.status, lastResponse: result.response, lastError: result.error ?? (judged === 'delivered' ? null : `HTTP ${result.status}`) }
	// Only the pass that claimed this attempt writes its outcome.
	const mine = and(eq(webhookDeliveries.id, d.id), eq(webhookDeliveries.attempts, d.attempts), eq(webhookDeliveries.status, 'pending'))
	if (judged === 'delivered') {
		await db
			.update(webhookDeliveries)
			.set({ ...last, status: 'delivered', deliveredAt: new Date() })
			.where(mine)
		return 'delivered'
	}
	if (judged === 'gone') {
		await db.transaction(async (tx) => {
			await tx
				.update(webhookDeliveries)
				.set({ ...last, status: 'failed' })
				.where(mine)
			await disableWebhook({ datasetId: d.dataset_id, webhookId: d.webhook_id, actorId: null, reason: 'HTTP 410 Gone' }, tx)
		})
		return 'failed'
	}
	const delay = retryDelay(d.attempts, Math.random())
	if (delay === null) {
		await db
			.update(webhookDeliveries)
			.set({ ...last, status: 'failed' })
			.where(mine)
		return 'failed'
	}
	await db
		.update(webhookDeliveries)
		.set({ ...last, nextAttemptAt: new Date(now.getTime() + delay) })
		.where(mine)
	return 'retry'
}
