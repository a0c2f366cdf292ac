/**
 * Auditing an issue's similar samples (issue #22): a seeded random draw of m of them (default 20)
 * goes into a new draft round or a draft or open round of the version; once reviewed, the share
 * flagged estimates how many of all of them show the problem, with a 95 % interval (Wilson with
 * the finite-population correction, app/domain/similar/prevalence.ts). The draw and its population
 * are recorded, so the estimate is reproducible and says what it is about.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { samples } from '#db/schema/datasets.ts'
import { roundSamples, rounds } from '#db/schema/rounds.ts'
import { issueAudits, issueSamples } from '#db/schema/similar.ts'
import { randomSeed, seededShuffle } from '#app/domain/random.ts'
import { type Prevalence, wilsonInterval } from '#app/domain/similar/prevalence.ts'
import { db, query } from '#app/utils/db.server.ts'
import { recordAudit } from './audit.server.ts'
import { createRound, rebalanceRound } from './round.server.ts'
import { findSimilar } from './similar.server.ts'

/** The audit form's default draw, and its largest. */
export const DEFAULT_AUDIT_SIZE = 20
export const MAX_AUDIT_SIZE = 200

export type AuditTarget = { round: 'new'; title: string } | { round: string }
export type AuditOutcome = { ok: true; roundId: string; drawn: number; population: number } | { ok: false; reason: 'not_sample_issue' | 'none_similar' | 'round_closed' }

/**
 * Draws `size` of the issue's similar samples at `min` that the issue does not cover yet, and puts
 * them into the target round (a new draft round with the usual defaults, or a draft or open round
 * of this version, whose reviewers are then rebalanced).
 */
export async function startAudit(input: {
	versionId: string
	importId: string
	issue: { id: string; number: number; kind: string; externalId: string | null }
	actor: { userId: string; datasetId: string }
	min: number
	size: number
	target: AuditTarget
}): Promise<AuditOutcome> {
	if (input.issue.kind !== 'sample' || !input.issue.externalId) return { ok: false, reason: 'not_sample_issue' }
	const found = await findSimilar({ versionId: input.versionId, externalId: input.issue.externalId, min: input.min })
	if (!found) return { ok: false, reason: 'not_sample_issue' }
	const covered = new Set((await db.select({ externalId: issueSamples.externalId }).from(issueSamples).where(eq(issueSamples.issueId, input.issue.id))).map((r) => r.externalId))
	const population = found.similar.filter((s) => !covered.has(s.externalId))
	if (!population.length) return { ok: false, reason: 'none_similar' }
	const seed = randomSeed()
	// The population in a fixed order first, so the recorded seed reproduces the draw.
	const ordered = population.slice().sort((a, b) => a.id - b.id)
	const drawn = seededShuffle(ordered, seed, Math.min(input.size, ordered.length))

	let roundId: string
	if (input.target.round === 'new') {
		const created = await createRound({
			versionId: input.versionId,
			importId: input.importId,
			userId: input.actor.userId,
			selection: { mode: 'manual', externalIds: drawn.map((d) => d.externalId) },
			settings: {
				stage: 'validation',
				title: (input.target as { title: string }).title,
				guidelines: '',
				opensAt: null,
				closesAt: null,
				overlap: 2,
				blindReview: true,
				blockThreshold: 2,
				opposedBlocks: true,
				contentWarning: '',
			},
		})
		if ('error' in created) return { ok: false, reason: 'none_similar' }
		roundId = created.roundId
	} else {
		const target = input.target.round
		const added = await db.transaction(async (tx) => {
			const [round] = await tx
				.select({ status: rounds.status })
				.from(rounds)
				.where(and(eq(rounds.id, target), eq(rounds.versionId, input.versionId)))
				.for('update')
			if (!round || (round.status !== 'draft' && round.status !== 'open')) return false
			await tx.execute(sql`
				insert into ${roundSamples} (round_id, sample_id, position)
				select ${target}::uuid, s.id, (select coalesce(max(position), 0) from ${roundSamples} where round_id = ${target}) + row_number() over (order by s.id)
				from ${samples} s
				where s.id = any(${`{${drawn.map((d) => d.id).join(',')}}`}::bigint[])
					and not exists (select 1 from ${roundSamples} x where x.round_id = ${target} and x.sample_id = s.id)`)
			await tx.execute(sql`update ${rounds} set sample_count = (select count(*) from ${roundSamples} where round_id = ${target}), updated_at = now() where id = ${target}`)
			if (round.status === 'open') await rebalanceRound(target, tx)
			return true
		})
		if (!added) return { ok: false, reason: 'round_closed' }
		roundId = target
	}
	const [row] = await db
		.insert(issueAudits)
		.values({ issueId: input.issue.id, roundId, min: input.min, population: population.length, seed, sampleIds: drawn.map((d) => d.id), createdBy: input.actor.userId })
		.returning({ id: issueAudits.id })
	await recordAudit({
		datasetId: input.actor.datasetId,
		versionId: input.versionId,
		actorId: input.actor.userId,
		action: 'issue.audit_started',
		targetType: 'issue',
		targetId: input.issue.id,
		targetLabel: `#${input.issue.number}`,
		after: { audit: row!.id, drawn: drawn.length, population: population.length, min: input.min, seed },
	})
	return { ok: true, roundId, drawn: drawn.length, population: population.length }
}

export type IssueAudit = {
	id: string
	round: { id: string; title: string; status: string }
	min: number
	drawn: number
	createdAt: Date
	/** Reviewed: drawn samples with a verdict other than skipped in the round; affected: flagged by at least one reviewer. */
	prevalence: Prevalence
}

/** An issue's audits, oldest first, each with its estimate from the verdicts given so far. */
export async function listIssueAudits(issueId: string): Promise<IssueAudit[]> {
	const rows = await query<{ id: string; round_id: string; title: string; status: string; min: number; population: number; drawn: number; created_at: Date; reviewed: number; affected: number }>(sql`
		select a.id, a.round_id, r.title, r.status, a.min, a.population, cardinality(a.sample_ids) as drawn, a.created_at,
			(select count(distinct v.sample_id)::int from reviews v where v.round_id = a.round_id and v.sample_id = any(a.sample_ids) and v.verdict <> 'skipped') as reviewed,
			(select count(distinct v.sample_id)::int from reviews v where v.round_id = a.round_id and v.sample_id = any(a.sample_ids) and v.verdict = 'flagged') as affected
		from ${issueAudits} a join ${rounds} r on r.id = a.round_id
		where a.issue_id = ${issueId}
		order by a.created_at, a.id`)
	return rows.map((r) => ({
		id: r.id,
		round: { id: r.round_id, title: r.title, status: r.status },
		min: Number(r.min),
		drawn: Number(r.drawn),
		createdAt: new Date(r.created_at),
		prevalence: wilsonInterval(Number(r.affected), Number(r.reviewed), Number(r.population)),
	}))
}

/** The draft and open rounds of a version an audit may add to, newest first. */
export async function auditableRounds(versionId: string) {
	return db
		.select({ id: rounds.id, title: rounds.title, status: rounds.status })
		.from(rounds)
		.where(and(eq(rounds.versionId, versionId), inArray(rounds.status, ['draft', 'open'])))
		.orderBy(asc(rounds.createdAt))
}

/** One audit of an issue (the evidence for extending it to all its similar samples). */
export async function getIssueAudit(issueId: string, auditId: string) {
	const [row] = await db
		.select({ id: issueAudits.id, min: issueAudits.min })
		.from(issueAudits)
		.where(and(eq(issueAudits.issueId, issueId), eq(issueAudits.id, auditId)))
	return row ?? null
}
