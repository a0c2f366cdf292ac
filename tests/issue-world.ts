import { asc, eq, sql } from 'drizzle-orm'
import { expect } from 'vitest'
import { issueEvents, issues } from '#db/schema/issues.ts'
import { notifications } from '#db/schema/rounds.ts'
import { InboxFilterSchema, type TriageInput } from '#app/domain/issue.ts'
import { type FlagInput } from '#app/domain/review.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { listIssues, triageIssue } from '#app/models/triage.server.ts'
import { db } from '#app/utils/db.server.ts'
import { flagInput } from '#tests/flag-input.ts'
import { createRound, joinAs, participantOf, sampleOf, setRoundStatus, userIdOf, world } from '#tests/round-fixtures.ts'
import { type Received } from '#tests/smtp-sink.ts'

/**
 * The world the issue tests share: dataset "hints" v1 (h-000…h-003) made through the real routes,
 * one open round with two community members (ana, ben) and an expert (eve, linguist), and the
 * small readers and writers those tests use on it.
 */
export type Who = 'ana' | 'ben' | 'eve'

export async function issueWorld(messages: Received[], round: Record<string, string> = {}) {
	const { owner, versionId, datasetId } = await world(4)
	const roundId = await createRound(owner, { overlap: '3', ...round })
	const cookies: Record<Who, string> = {
		ana: await joinAs(owner, roundId, 'ana', messages),
		ben: await joinAs(owner, roundId, 'ben', messages),
		eve: await joinAs(owner, roundId, 'eve', messages, 'expert'),
	}
	await setRoundStatus(owner, roundId, 'open')
	const p: Record<Who, string> = { ana: await participantOf(roundId, 'ana'), ben: await participantOf(roundId, 'ben'), eve: await participantOf(roundId, 'eve') }
	const ownerId = await userIdOf('owner')
	return { owner, ownerId, versionId, datasetId, roundId, p, cookies, actor: { userId: ownerId, datasetId } }
}
export type World = Awaited<ReturnType<typeof issueWorld>>

export async function flag(w: World, who: Who, externalId: string, over: Partial<FlagInput> = {}, roundId = w.roundId, participantId = w.p[who]) {
	const sample = await sampleOf(w.versionId, externalId)
	await saveVerdict({ roundId, participantId, sampleId: sample.id, verdict: { kind: 'flag', flag: flagInput(over) } })
	return sample.id
}

export const issuesOf = (versionId: string) => db.select().from(issues).where(eq(issues.versionId, versionId)).orderBy(asc(issues.number))
export const one = async (versionId: string) => {
	const rows = await issuesOf(versionId)
	expect(rows).toHaveLength(1)
	return rows[0]!
}
export const byId = async (id: string) => (await db.select().from(issues).where(eq(issues.id, id)))[0]
export const eventsOf = (issueId: string) =>
	db
		.select({ kind: issueEvents.kind, note: issueEvents.note, internal: issueEvents.internal, before: issueEvents.before, after: issueEvents.after })
		.from(issueEvents)
		.where(eq(issueEvents.issueId, issueId))
		.orderBy(asc(issueEvents.createdAt))

// The team's own notices (new blocking issue, …: owner-loop.test.ts) are left out where a test counts participants' emails.
export const dropTeamNotices = () => db.delete(notifications).where(sql`${notifications.kind} like 'team\\_%'`)

export const inboxIds = async (w: World, f: Record<string, string>) =>
	(await listIssues({ versionId: w.versionId, userId: w.ownerId, filter: InboxFilterSchema.parse(f) })).rows.map((r) => r.externalId)

export function triage(w: World, issueId: string, input: TriageInput) {
	return triageIssue({ versionId: w.versionId, issueId, actor: w.actor, input })
}
