import { and, asc, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm'
import { type ParticipantRole, participantRoles, type RoundStage, type RoundStatus } from '#app/domain/enums.ts'
import { users } from '#db/schema/accounts.ts'
import { datasets, samples, versions } from '#db/schema/datasets.ts'
import { assignments, participants, roundEvents, roundSamples, rounds } from '#db/schema/rounds.ts'
import { rebalance } from '#app/domain/assignment.ts'
import { attribute, groupKey } from '#app/domain/pseudonymity.ts'
import { randomSeed } from '#app/domain/random.ts'
import { type SignalSelection } from '#app/domain/signals/selection.ts'
import { type RoundAction, transitionRound } from '#app/domain/round-status.ts'
import { db, query, type Tx } from '#app/utils/db.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { groupSizes } from './pseudonymity.server.ts'
import { recordAudit } from './audit.server.ts'
import { emitRoundClosed, emitVersionStatusChanged } from './webhook.server.ts'
import { metadataPathLiteral } from '#app/domain/sample.ts'

export type SelectionSpec =
	| { mode: 'all' }
	| { mode: 'random'; n: number; seed: number }
	| { mode: 'stratified'; attribute: string; perValue: number; seed: number }
	| SignalSelection
	| { mode: 'manual'; externalIds: string[] }

export type RoundSettings = {
	stage: RoundStage
	title: string
	guidelines: string
	opensAt: Date | null
	closesAt: Date | null
	overlap: number
	blindReview: boolean
	blockThreshold: number
	opposedBlocks: boolean
	contentWarning: string
	expertiseOptions?: string[]
}

/**
 * Puts the chosen samples of the version into the round, in SQL so a million-sample version is
 * never loaded into memory. Random and stratified choices order by md5(seed ‖ external id): the
 * recorded seed reproduces the same selection.
 */
async function selectSamples(tx: Tx, roundId: string, importId: string, spec: SelectionSpec): Promise<{ count: number; unknown?: string[] }> {
	let statement
	if (spec.mode === 'all') {
		statement = sql`select id, row_number() over (order by external_id) as position from ${samples} where import_id = ${importId}`
	} else if (spec.mode === 'random') {
		statement = sql`select id, row_number() over (order by md5(${String(spec.seed)} || external_id), external_id) as position
			from ${samples} where import_id = ${importId} order by md5(${String(spec.seed)} || external_id), external_id limit ${spec.n}`
	} else if (spec.mode === 'stratified') {
		// Interleave the groups (1st of each value, then 2nd of each…) so early positions cover every value.
		statement = sql`select id, row_number() over (order by rn, value) as position from (
				select id, metadata #>> string_to_array(${spec.attribute}, '.') as value,
					row_number() over (partition by metadata #>> string_to_array(${spec.attribute}, '.') order by md5(${String(spec.seed)} || external_id), external_id) as rn
				from ${samples} where import_id = ${importId} and metadata #>> string_to_array(${spec.attribute}, '.') is not null
			) s where rn <= ${spec.perValue}`
	} else if (spec.mode === 'signals') {
		statement = signalSelectionStatement(importId, spec)
	} else {
		const list = spec.externalIds.join('\n')
		statement = sql`select id, array_position(string_to_array(${list}, E'\\n'), external_id) as position
			from ${samples} where import_id = ${importId} and external_id = any(string_to_array(${list}, E'\\n'))`
	}
	await tx.execute(sql`insert into ${roundSamples} (round_id, sample_id, position) select ${roundId}::uuid, id, position from (${statement}) chosen`)
	const [row] = await query<{ n: number }>(sql`select count(*)::int as n from ${roundSamples} where round_id = ${roundId}`, tx)
	const count = row?.n ?? 0
	if (spec.mode === 'manual' && count < spec.externalIds.length) {
		const found = await query<{ external_id: string }>(sql`select s.external_id from ${roundSamples} r join ${samples} s on s.id = r.sample_id where r.round_id = ${roundId}`, tx)
		const have = new Set(found.map((f) => f.external_id))
		return { count, unknown: spec.externalIds.filter((id) => !have.has(id)).slice(0, 20) }
	}
	return { count }
}

/**
 * "Where the signals are" (decision 049): per value of the attribute, its quota of samples drawn by
 * weighted sampling without replacement — key −ln(u)/w, smallest first, u uniform from
 * md5(seed ‖ external id), w = the term boost when the sample's words contain one of its value's
 * terms, else 1 — interleaved across values like the stratified mode. The value is read as the
 * signals read it (a string, number or boolean at the path).
 */
function signalSelectionStatement(importId: string, spec: SignalSelection) {
	const path = metadataPathLiteral(spec.attribute)
	const weights = JSON.stringify(spec.weights.filter((w) => w.quota > 0).map((w) => ({ value: w.value, quota: w.quota, terms: w.terms })))
	return sql`select id, row_number() over (order by rn, value) as position from (
			select s.id, w.value, w.quota,
				row_number() over (
					partition by w.value
					order by -ln((('x' || substr(md5(${String(spec.seed)} || s.external_id), 1, 12))::bit(48)::bigint + 0.5) / 281474976710656.0)
						/ (case when coalesce(tsvector_to_array(s.search_vector), '{}') && w.terms then ${spec.termBoost}::float8 else 1.0 end),
						s.external_id) as rn
			from ${samples} s
			cross join lateral (
				select case when jsonb_typeof(s.metadata #> ${path}::text[]) in ('string', 'number', 'boolean') then s.metadata #>> ${path}::text[] end as value) v
			join (
				select x.value, x.quota, array(select jsonb_array_elements_text(x.terms)) as terms
				from jsonb_to_recordset(${weights}::jsonb) as x(value text, quota int, terms jsonb)
			) w on w.value = v.value
			where s.import_id = ${importId}
		) s where rn <= quota`
}

export async function createRound(input: { versionId: string; importId: string; userId: string; settings: RoundSettings; selection: SelectionSpec }) {
	class Rollback extends Error {
		constructor(readonly result: { error: 'empty' | 'unknown_ids'; unknown?: string[] }) {
			super('rollback')
		}
	}
	try {
		return await db.transaction(async (tx) => {
			const [round] = await tx
				.insert(rounds)
				.values({
					versionId: input.versionId,
					...input.settings,
					selectionMode: input.selection.mode,
					selectionParams: input.selection as unknown as Record<string, unknown>,
					assignmentSeed: randomSeed(),
					createdBy: input.userId,
				})
				.returning({ id: rounds.id })
			const picked = await selectSamples(tx, round!.id, input.importId, input.selection)
			if (picked.unknown?.length) throw new Rollback({ error: 'unknown_ids', unknown: picked.unknown })
			if (picked.count === 0) throw new Rollback({ error: 'empty' })
			await tx.update(rounds).set({ sampleCount: picked.count }).where(eq(rounds.id, round!.id))
			const [v] = await tx.select({ datasetId: versions.datasetId, label: versions.label }).from(versions).where(eq(versions.id, input.versionId))
			await recordAudit(
				{
					datasetId: v!.datasetId,
					versionId: input.versionId,
					actorId: input.userId,
					action: 'round.created',
					targetType: 'round',
					targetId: round!.id,
					targetLabel: input.settings.title,
					after: { version: v!.label, stage: input.settings.stage, selection: input.selection.mode, samples: picked.count, overlap: input.settings.overlap },
				},
				tx,
			)
			return { roundId: round!.id, sampleCount: picked.count }
		})
	} catch (error) {
		if (error instanceof Rollback) return error.result
		throw error
	}
}

const roundColumns = {
	id: rounds.id,
	versionId: rounds.versionId,
	stage: rounds.stage,
	title: rounds.title,
	guidelines: rounds.guidelines,
	opensAt: rounds.opensAt,
	closesAt: rounds.closesAt,
	selectionMode: rounds.selectionMode,
	selectionParams: rounds.selectionParams,
	overlap: rounds.overlap,
	blindReview: rounds.blindReview,
	blockThreshold: rounds.blockThreshold,
	opposedBlocks: rounds.opposedBlocks,
	contentWarning: rounds.contentWarning,
	expertiseOptions: rounds.expertiseOptions,
	status: rounds.status,
	sampleCount: rounds.sampleCount,
	revision: rounds.revision,
	openedAt: rounds.openedAt,
	closedAt: rounds.closedAt,
}

export async function listRounds(versionId: string) {
	return db
		.select({
			id: rounds.id,
			title: rounds.title,
			stage: rounds.stage,
			status: rounds.status,
			sampleCount: rounds.sampleCount,
			closesAt: rounds.closesAt,
			// `${rounds}.id`, not `${rounds.id}`: in a one-table select drizzle writes a bare "id", which inside this subquery is p.id (the "0 participants" bug).
			participants: sql<number>`(select count(*)::int from ${participants} p where p.round_id = ${rounds}.id and p.consented_at is not null and p.withdrawn_at is null)`,
		})
		.from(rounds)
		.where(eq(rounds.versionId, versionId))
		.orderBy(desc(rounds.createdAt))
}

/** A round of a version the caller's team owns (the version guard already ran). */
export async function getRound({ roundId, versionId }: { roundId: string; versionId: string }) {
	const [row] = await db
		.select(roundColumns)
		.from(rounds)
		.where(and(eq(rounds.id, roundId), eq(rounds.versionId, versionId)))
	return row ?? null
}

/** A round and its dataset, for participant pages (the caller checks participation). */
export async function getRoundWithDataset(roundId: string) {
	const [row] = await db
		.select({
			...roundColumns,
			datasetId: datasets.id,
			datasetName: datasets.name,
			datasetSlug: datasets.slug,
			versionLabel: versions.label,
			promptTemplates: versions.promptTemplates,
			personaDefinitions: versions.personaDefinitions,
		})
		.from(rounds)
		.innerJoin(versions, eq(versions.id, rounds.versionId))
		.innerJoin(datasets, eq(datasets.id, versions.datasetId))
		.where(eq(rounds.id, roundId))
	return row ?? null
}

export type RoundChange = { ok: true; to: RoundStatus; from: RoundStatus } | { ok: false; reason: string }

/** Open, close or reopen, guarded by the round's revision; opening also starts the version's consultation. */
export async function changeRoundStatus(input: { roundId: string; action: RoundAction; reason?: string | null; revision: number; actorId: string | null; now?: Date }): Promise<RoundChange> {
	return db.transaction(async (tx) => {
		const [r] = await tx
			.select({ status: rounds.status, revision: rounds.revision, sampleCount: rounds.sampleCount, closesAt: rounds.closesAt, versionId: rounds.versionId, title: rounds.title })
			.from(rounds)
			.where(eq(rounds.id, input.roundId))
			.for('update')
		if (!r) return { ok: false, reason: 'not_allowed' }
		if (r.revision !== input.revision) return { ok: false, reason: 'conflict' }
		const now = input.now ?? new Date()
		const result = transitionRound(r.status, input.action, { reason: input.reason, sampleCount: r.sampleCount, now, closesAt: r.closesAt })
		if (!result.ok) return result
		await tx
			.update(rounds)
			.set({
				status: result.to,
				revision: sql`${rounds.revision} + 1`,
				updatedAt: now,
				...(result.to === 'open' ? { openedAt: now, reminderSentAt: null } : { closedAt: now }),
			})
			.where(eq(rounds.id, input.roundId))
		await tx.insert(roundEvents).values({ roundId: input.roundId, from: r.status, to: result.to, reason: input.reason ?? '', actorId: input.actorId })
		const [v] = await tx.select({ datasetId: versions.datasetId, label: versions.label, status: versions.status }).from(versions).where(eq(versions.id, r.versionId))
		const audit = { datasetId: v!.datasetId, versionId: r.versionId, actorId: input.actorId }
		const action = ({ open: 'round.opened', close: 'round.closed', reopen: 'round.reopened' } as const)[input.action]
		await recordAudit(
			{ ...audit, action, targetType: 'round', targetId: input.roundId, targetLabel: r.title, before: { status: r.status }, after: { status: result.to }, reason: input.reason?.trim() ?? '' },
			tx,
		)
		if (result.to === 'closed') await emitRoundClosed(tx, input.roundId)
		if (result.to === 'open') {
			// Samples freeze once consultation starts.
			const moved = await tx
				.update(versions)
				// Back in consultation, an earlier approval (and any override of it) no longer stands.
				.set({ status: 'in_consultation', overriddenBlockers: 0, overrideJustification: null, revision: sql`${versions.revision} + 1`, updatedAt: now })
				.where(and(eq(versions.id, r.versionId), sql`${versions.status} in ('draft', 'approved', 'blocked')`))
				.returning({ id: versions.id })
			if (moved.length) {
				await recordAudit(
					{ ...audit, action: 'version.in_consultation', targetType: 'version', targetId: r.versionId, targetLabel: v!.label, before: { status: v!.status }, after: { status: 'in_consultation' } },
					tx,
				)
				await emitVersionStatusChanged(tx, { versionId: r.versionId, from: v!.status, to: 'in_consultation' })
			}
		}
		return { ok: true, to: result.to, from: r.status }
	})
}

/**
 * Participants as the dataset team may see them (decision 027): per person (role, a random number,
 * a shared expertise, a name only if opted in) only for a role with at least PSEUDONYMITY_MIN_GROUP
 * participants who gave feedback; otherwise that role is one aggregate row. Expertise declared at
 * consent is counted per expertise, each count under the threshold withheld.
 */
export async function listParticipantsForTeam(roundId: string) {
	const min = getEnv().PSEUDONYMITY_MIN_GROUP
	const [rows, sizes] = await Promise.all([
		db
			.select({
				id: participants.id,
				role: participants.role,
				number: participants.number,
				expertise: participants.expertise,
				name: sql<string | null>`case when ${participants.showName} then ${users.displayName} else null end`,
				consented: sql<boolean>`${participants.consentedAt} is not null`,
				withdrawn: sql<boolean>`${participants.withdrawnAt} is not null`,
				assigned: sql<number>`(select count(*)::int from ${assignments} a where a.participant_id = ${participants.id})`,
				done: sql<number>`(select count(*)::int from ${assignments} a where a.participant_id = ${participants.id} and a.completed_at is not null)`,
			})
			.from(participants)
			.innerJoin(users, eq(users.id, participants.userId))
			.where(eq(participants.roundId, roundId))
			.orderBy(asc(participants.role), asc(participants.number)),
		groupSizes([roundId]),
	])
	const people = []
	const groups = []
	for (const role of participantRoles) {
		const mine = rows.filter((r) => r.role === role)
		if (!mine.length) continue
		const k = sizes.feedback.get(groupKey(roundId, role)) ?? 0
		if (k >= min) {
			for (const r of mine) people.push({ ...r, ...attribute({ ...r, roundId }, sizes, min) })
		} else {
			groups.push({
				role,
				joined: mine.filter((r) => !r.withdrawn).length,
				assigned: mine.reduce((n, r) => n + r.assigned, 0),
				done: mine.reduce((n, r) => n + r.done, 0),
				names: mine.map((r) => r.name).filter((n): n is string => !!n),
			})
		}
	}
	const expertise = [...sizes.expertise.entries()]
		.map(([key, count]) => {
			const [, role, ...rest] = key.split(':')
			return { role: role as ParticipantRole, expertise: rest.join(':'), count: count >= min ? count : null }
		})
		.sort((a, b) => a.role.localeCompare(b.role) || a.expertise.localeCompare(b.expertise))
	return { people, groups, expertise, min }
}

export async function getParticipant({ roundId, userId }: { roundId: string; userId: string }) {
	const [row] = await db
		.select({
			id: participants.id,
			role: participants.role,
			number: participants.number,
			expertise: participants.expertise,
			consentedAt: participants.consentedAt,
			withdrawnAt: participants.withdrawnAt,
			showName: participants.showName,
			warnEachTime: participants.warnEachTime,
		})
		.from(participants)
		.where(and(eq(participants.roundId, roundId), eq(participants.userId, userId)))
	return row ?? null
}

/** How many others of this role are in the round (not withdrawn), for the consent screen. */
export async function groupSizeFor({ roundId, role, participantId }: { roundId: string; role: ParticipantRole; participantId: string }) {
	const [row] = await query<{ n: number }>(sql`select count(*)::int as n from ${participants} where round_id = ${roundId} and role = ${role} and withdrawn_at is null and id <> ${participantId}`)
	return row?.n ?? 0
}

/** Recomputes who reviews what after a join, a withdrawal or opening; completed reviews never move. */
export async function rebalanceRound(roundId: string, tx?: Tx) {
	const run = async (tx: Tx) => {
		const [round] = await tx.select({ overlap: rounds.overlap, seed: rounds.assignmentSeed, status: rounds.status }).from(rounds).where(eq(rounds.id, roundId)).for('update')
		if (!round || round.status !== 'open') return
		const sampleRows = await tx.select({ id: roundSamples.sampleId }).from(roundSamples).where(eq(roundSamples.roundId, roundId)).orderBy(asc(roundSamples.position))
		const active = await tx
			.select({ id: participants.id })
			.from(participants)
			.where(and(eq(participants.roundId, roundId), isNotNull(participants.consentedAt), isNull(participants.withdrawnAt)))
			.orderBy(asc(participants.createdAt), asc(participants.id))
		const current = await tx
			.select({ participantId: assignments.participantId, sampleId: assignments.sampleId, completedAt: assignments.completedAt })
			.from(assignments)
			.where(eq(assignments.roundId, roundId))
		const change = rebalance({
			sampleIds: sampleRows.map((s) => s.id),
			participantIds: active.map((p) => p.id),
			k: round.overlap,
			seed: round.seed,
			current: current.map(({ participantId, sampleId }) => ({ participantId, sampleId })),
			completed: current.filter((c) => c.completedAt).map(({ participantId, sampleId }) => ({ participantId, sampleId })),
		})
		for (const r of change.remove) {
			await tx.delete(assignments).where(and(eq(assignments.participantId, r.participantId), eq(assignments.sampleId, r.sampleId), isNull(assignments.completedAt)))
		}
		if (change.add.length) {
			const position = new Map(sampleRows.map((s, i) => [s.id, i + 1]))
			for (let i = 0; i < change.add.length; i += 1000) {
				await tx.insert(assignments).values(change.add.slice(i, i + 1000).map((a) => ({ roundId, ...a, position: position.get(a.sampleId) ?? 0 })))
			}
		}
	}
	return tx ? run(tx) : db.transaction(run)
}

/** n of m for a participant: the progress line of every participant page. */
export async function getProgress(participantId: string) {
	const [row] = await query<{ done: number; total: number }>(
		sql`select count(*) filter (where completed_at is not null)::int as done, count(*)::int as total from ${assignments} where participant_id = ${participantId}`,
	)
	return { done: row?.done ?? 0, total: row?.total ?? 0 }
}

/** Progress and the queue in order (pending first), for the round home. */
export async function getQueue(participantId: string, limit = 200) {
	const [progress, queue] = await Promise.all([
		getProgress(participantId),
		db
			.select({
				externalId: samples.externalId,
				completed: sql<boolean>`${assignments.completedAt} is not null`,
				preview: sql<string | null>`left(coalesce(${samples.content}, ${samples.messages}->0->>'content'), 160)`,
				language: samples.language,
			})
			.from(assignments)
			.innerJoin(samples, eq(samples.id, assignments.sampleId))
			.where(eq(assignments.participantId, participantId))
			.orderBy(sql`${assignments.completedAt} is not null`, asc(assignments.position))
			.limit(limit),
	])
	return { ...progress, queue }
}

export async function roundProgress(roundId: string) {
	// Coverage counts verdicts that say something (no concerns or flagged), not skips.
	const [row] = await query<{ covered: number; assigned: number; done: number }>(sql`
		select
			(select count(*)::int from (
				select sample_id from reviews where round_id = ${roundId} and verdict <> 'skipped'
				group by sample_id having count(*) >= (select overlap from ${rounds} where id = ${roundId})) c) as covered,
			count(*)::int as assigned,
			count(*) filter (where completed_at is not null)::int as done
		from ${assignments} where round_id = ${roundId}`)
	return row ?? { covered: 0, assigned: 0, done: 0 }
}

/** The rounds a person takes part in, for their home page. */
export async function listMyRounds(userId: string) {
	return db
		.select({ id: rounds.id, title: rounds.title, status: rounds.status, datasetName: datasets.name, consented: sql<boolean>`${participants.consentedAt} is not null` })
		.from(participants)
		.innerJoin(rounds, eq(rounds.id, participants.roundId))
		.innerJoin(versions, eq(versions.id, rounds.versionId))
		.innerJoin(datasets, eq(datasets.id, versions.datasetId))
		.where(and(eq(participants.userId, userId), isNull(participants.withdrawnAt)))
		.orderBy(desc(participants.createdAt))
}

/**
 * What an approval should not pass over silently: the version's rounds still open, and rounds
 * whose samples have not all reached the round's overlap of reviews (its coverage target).
 */
export async function approvalRoundGuard(versionId: string) {
	const rows = await db
		.select({ id: rounds.id, title: rounds.title, status: rounds.status, sampleCount: rounds.sampleCount, revision: rounds.revision })
		.from(rounds)
		.where(and(eq(rounds.versionId, versionId), sql`${rounds.status} in ('open', 'closed')`))
		.orderBy(asc(rounds.createdAt))
	const withCoverage = await Promise.all(rows.map(async (r) => ({ ...r, covered: (await roundProgress(r.id)).covered })))
	return withCoverage.filter((r) => r.status === 'open' || r.covered < r.sampleCount)
}
export type RoundGuard = Awaited<ReturnType<typeof approvalRoundGuard>>
