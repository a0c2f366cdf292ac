import { and, desc, eq, sql } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { auditEvents } from '#db/schema/issues.ts'
import { type AuditCursor } from '#app/domain/audit.ts'
import { db, type Tx } from '#app/utils/db.server.ts'

export type AuditEntry = {
	datasetId: string
	versionId?: string | null
	actorId: string | null
	/** A verb in snake case, e.g. `issue.resolved`, `version.approved_with_override`, `team.member_added`. */
	action: string
	targetType: 'dataset' | 'team' | 'use_case' | 'version' | 'import' | 'round' | 'invitation' | 'comment' | 'issue' | 'api_token' | 'webhook'
	targetId?: string
	/** What a reader recognises: "v2", "#12", a round title, a member's display name — never an email. */
	targetLabel?: string
	before?: Record<string, unknown> | null
	after?: Record<string, unknown> | null
	reason?: string
}

/**
 * Appends to the dataset's audit log, inside the caller's transaction when given one so the
 * record and the change land together. The table refuses updates and deletes (migration 0003).
 */
export async function recordAudit(entry: AuditEntry, executor: Pick<Tx, 'insert'> = db) {
	await executor.insert(auditEvents).values({
		datasetId: entry.datasetId,
		versionId: entry.versionId ?? null,
		actorId: entry.actorId,
		actorName: entry.actorId ? sql`coalesce((select ${users.displayName} from ${users} where ${users.id} = ${entry.actorId}), '')` : '',
		action: entry.action,
		targetType: entry.targetType,
		targetId: entry.targetId ?? '',
		targetLabel: entry.targetLabel ?? '',
		before: entry.before ?? null,
		after: entry.after ?? null,
		reason: entry.reason ?? '',
	})
}

export const AUDIT_PAGE_SIZE = 50

/**
 * Newest first, keyset-paged by (created_at, id) so a long log pages in constant time. Each row
 * carries its cursor (`<ISO time with microseconds>~<id>`) for the next page's `before`.
 */
export async function listAudit({ datasetId, before }: { datasetId: string; before?: AuditCursor | null }) {
	const rows = await db
		.select({
			id: auditEvents.id,
			action: auditEvents.action,
			targetType: auditEvents.targetType,
			targetLabel: auditEvents.targetLabel,
			actorName: auditEvents.actorName,
			before: auditEvents.before,
			after: auditEvents.after,
			reason: auditEvents.reason,
			createdAt: auditEvents.createdAt,
			cursor: sql<string>`to_char(${auditEvents.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '~' || ${auditEvents.id}`,
		})
		.from(auditEvents)
		.where(and(eq(auditEvents.datasetId, datasetId), before ? sql`(${auditEvents.createdAt}, ${auditEvents.id}) < (${before.at}::timestamptz, ${before.id}::uuid)` : undefined))
		.orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
		.limit(AUDIT_PAGE_SIZE + 1)
	return { rows: rows.slice(0, AUDIT_PAGE_SIZE), more: rows.length > AUDIT_PAGE_SIZE }
}
