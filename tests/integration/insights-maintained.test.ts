/**
 * The dashboard's maintained figures (decision 050: triggers in migration 0018) always equal a
 * recomputation from the raw rows (insights-recompute.server.ts), whatever sequence of verdicts,
 * edits, flag and verdict withdrawals, withdrawals from a round (keeping or deleting), skips,
 * re-imports and overlap changes happened, through the app's own write functions; and the repair
 * (`npm run insights:rebuild`) finds drift when a counter is corrupted and mends it.
 */
import { eq, sql } from 'drizzle-orm'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { datasets, imports, samples, versions } from '#db/schema/datasets.ts'
import { participants, rounds, roundSamples } from '#db/schema/rounds.ts'
import { flagCategories, type ParticipantRole, severities } from '#app/domain/enums.ts'
import * as maintained from '#app/models/insights.server.ts'
import * as recompute from '#app/models/insights-recompute.server.ts'
import { hasDrift, rebuildInsights } from '#app/models/insights-rebuild.server.ts'
import { withdrawFromRound } from '#app/models/participation.server.ts'
import { saveVerdict, withdrawFlag, withdrawVerdict } from '#app/models/review.server.ts'
import { db, query } from '#app/utils/db.server.ts'
import { flagInput } from '#tests/flag-input.ts'
import { useTestDatabase } from '#tests/db-utils.ts'

useTestDatabase()

const SAMPLES = 4
// Five people; the community members take part in both rounds (a person counts once across the version).
const PEOPLE: ParticipantRole[] = ['community', 'community', 'community', 'community', 'expert']
const ATTRIBUTES = ['persona.origin', 'topic']

const op = fc.oneof(
	{
		weight: 6,
		arbitrary: fc.record({
			op: fc.constant('verdict' as const),
			round: fc.nat(1),
			who: fc.nat(PEOPLE.length - 1),
			sample: fc.nat(SAMPLES - 1),
			verdict: fc.oneof(
				fc.constant({ kind: 'no_concerns' as const }),
				fc.constant({ kind: 'skipped' as const, reason: 'unclear' }),
				fc.record({ kind: fc.constant('flag' as const), category: fc.constantFrom(...flagCategories.slice(0, 3)), severity: fc.constantFrom(...severities) }),
			),
		}),
	},
	// These pick one of the rows that exist (the nth review, flag or flagged review), so they act.
	{ weight: 2, arbitrary: fc.record({ op: fc.constant('withdrawVerdict' as const), nth: fc.nat(50) }) },
	{ weight: 2, arbitrary: fc.record({ op: fc.constant('withdrawFlag' as const), nth: fc.nat(50) }) },
	{
		weight: 2,
		arbitrary: fc.record({ op: fc.constant('addFlag' as const), nth: fc.nat(50), category: fc.constantFrom(...flagCategories.slice(0, 3)), severity: fc.constantFrom(...severities) }),
	},
	{ weight: 1, arbitrary: fc.record({ op: fc.constant('leave' as const), round: fc.nat(1), who: fc.nat(PEOPLE.length - 1), keep: fc.boolean() }) },
	{ weight: 1, arbitrary: fc.record({ op: fc.constant('overlap' as const), round: fc.nat(1), overlap: fc.integer({ min: 1, max: 3 }) }) },
	{ weight: 1, arbitrary: fc.record({ op: fc.constant('reimport' as const), keep: fc.nat(SAMPLES) }) },
)
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never

type World = { versionId: string; rounds: string[]; participants: string[][]; importId: string; sampleIds: number[]; owner: string; n: number }

let worlds = 0

async function importSamples(versionId: string, owner: string, externalIds: string[]) {
	const facets = { 'persona.origin': { Lima: 1, Lagos: 1 }, topic: { food: 1 } }
	const [imp] = await db.insert(imports).values({ versionId, status: 'succeeded', format: 'jsonl', createdBy: owner, facets }).returning({ id: imports.id })
	const rows = await db
		.insert(samples)
		.values(
			externalIds.map((externalId, i) => ({
				importId: imp!.id,
				externalId,
				content: externalId,
				// `topic` is missing on some samples: the "not set" row.
				metadata: { persona: { origin: i % 2 ? 'Lagos' : 'Lima' }, ...(i % 3 ? { topic: 'food' } : {}) },
				contentHash: externalId,
			})),
		)
		.returning({ id: samples.id })
	await query(sql`update ${versions} set current_import_id = ${imp!.id}, sample_count = ${externalIds.length} where id = ${versionId}`)
	return { importId: imp!.id, sampleIds: rows.map((r) => r.id) }
}

async function writeWorld(overlaps: [number, number]): Promise<World> {
	const n = ++worlds
	const us = await db
		.insert(users)
		.values(PEOPLE.map((_, i) => ({ email: `w${n}-u${i}@insights.test`, displayName: `U${i}`, passwordHash: 'x' })))
		.returning({ id: users.id })
	const owner = us[0]!.id
	const [ds] = await db
		.insert(datasets)
		.values({ slug: `w${n}`, name: 'W', createdBy: owner })
		.returning({ id: datasets.id })
	const [v] = await db.insert(versions).values({ datasetId: ds!.id, label: 'v1', status: 'in_consultation', createdBy: owner }).returning({ id: versions.id })
	const { importId, sampleIds } = await importSamples(
		v!.id,
		owner,
		Array.from({ length: SAMPLES }, (_, i) => `s-${i}`),
	)
	const world: World = { versionId: v!.id, rounds: [], participants: [], importId, sampleIds, owner, n }
	for (const [ri, overlap] of overlaps.entries()) {
		const [round] = await db
			.insert(rounds)
			.values({ versionId: v!.id, stage: 'validation', title: `R${ri}`, status: 'open', overlap, sampleCount: SAMPLES - ri, createdBy: owner })
			.returning({ id: rounds.id })
		world.rounds.push(round!.id)
		// The second round leaves the last sample out.
		await db.insert(roundSamples).values(sampleIds.slice(0, SAMPLES - ri).map((sampleId, i) => ({ roundId: round!.id, sampleId, position: i + 1 })))
		const ps = await db
			.insert(participants)
			.values(PEOPLE.map((role, i) => ({ roundId: round!.id, userId: us[i]!.id, role, number: i + 1, consentedAt: new Date() })))
			.returning({ id: participants.id })
		world.participants.push(ps.map((p) => p.id))
	}
	return world
}

async function apply(w: World, o: Op) {
	if (o.op === 'overlap') return void (await db.update(rounds).set({ overlap: o.overlap }).where(eq(rounds.id, w.rounds[o.round]!)))
	if (o.op === 'reimport') {
		// As publishing a new import does (import.server.ts): the new sample set becomes current and
		// the replaced one is deleted, its round samples, reviews and flags with it. `keep` samples
		// return under the same external ids and are put back into the first round.
		const previous = w.importId
		const next = await importSamples(
			w.versionId,
			w.owner,
			Array.from({ length: SAMPLES }, (_, i) => `s-${i}`),
		)
		await db.delete(samples).where(eq(samples.importId, previous))
		w.importId = next.importId
		w.sampleIds = next.sampleIds
		if (o.keep) await db.insert(roundSamples).values(next.sampleIds.slice(0, o.keep).map((sampleId, i) => ({ roundId: w.rounds[0]!, sampleId, position: 100 + i })))
		return
	}
	if (o.op === 'withdrawVerdict' || o.op === 'withdrawFlag' || o.op === 'addFlag') {
		const rows = await query<{ id: string; round_id: string; participant_id: string; sample_id: number }>(
			o.op === 'withdrawFlag'
				? sql`select f.id, f.round_id, f.participant_id, f.sample_id from flags f join rounds r on r.id = f.round_id where r.version_id = ${w.versionId} and f.sample_id is not null order by f.created_at, f.id`
				: sql`select rv.id, rv.round_id, rv.participant_id, rv.sample_id from reviews rv join rounds r on r.id = rv.round_id
					where r.version_id = ${w.versionId} ${o.op === 'addFlag' ? sql`and rv.verdict = 'flagged'` : sql``} order by rv.created_at, rv.id`,
		)
		const row = rows[o.nth % Math.max(1, rows.length)]
		if (!row) return
		const target = { participantId: row.participant_id, sampleId: Number(row.sample_id) }
		if (o.op === 'withdrawVerdict') return withdrawVerdict(target)
		if (o.op === 'withdrawFlag') return void (await withdrawFlag({ ...target, flagId: row.id }))
		return void (await saveVerdict({ ...target, roundId: row.round_id, verdict: { kind: 'flag', flag: flagInput({ category: o.category, severity: o.severity }) } }))
	}
	const roundId = w.rounds[o.round]!
	const participantId = w.participants[o.round]![o.who]!
	if (o.op === 'leave') return void (await withdrawFromRound({ roundId, participantId, keepFeedback: o.keep }))
	const sampleId = w.sampleIds[o.sample]!
	const verdict = o.verdict.kind === 'flag' ? { kind: 'flag' as const, flag: flagInput({ category: o.verdict.category, severity: o.verdict.severity }) } : o.verdict
	await saveVerdict({ roundId, participantId, sampleId, verdict })
}

/** Floating-point sums may differ in their last bits between two orders of the same counts. */
function normal(value: unknown) {
	return JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(10)) : v)))
}

async function expectSameFigures(w: World) {
	for (const scope of [{ versionId: w.versionId, roundId: null as string | null }, ...w.rounds.map((roundId) => ({ versionId: w.versionId, roundId }))]) {
		const [m, r] = await Promise.all([
			Promise.all([
				maintained.getCoverage(scope),
				maintained.getParticipation(scope),
				maintained.getFlagBreakdown(scope),
				maintained.getAgreement(scope),
				maintained.listMinoritySignal(scope),
				...ATTRIBUTES.map((a) => maintained.getFlagRateByAttribute(scope, a)),
			]),
			Promise.all([
				recompute.getCoverage(scope),
				recompute.getParticipation(scope),
				recompute.getFlagBreakdown(scope),
				recompute.getAgreement(scope),
				recompute.listMinoritySignal(scope),
				...ATTRIBUTES.map((a) => recompute.getFlagRateByAttribute(scope, a)),
			]),
		])
		expect(normal(m), `scope ${scope.roundId ?? 'version'}`).toEqual(normal(r))
	}
	const drift = await rebuildInsights({ repair: false, versionIds: [w.versionId] })
	expect(drift).toMatchObject({ counts: [], units: 0, samples: 0 })
}

describe('maintained insights', () => {
	test('equal a recomputation after any sequence of writes (property)', async () => {
		await fc.assert(
			fc.asyncProperty(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), fc.array(op, { minLength: 1, maxLength: 14 }), async (overlaps, ops) => {
				const w = await writeWorld(overlaps)
				for (const [i, o] of ops.entries()) {
					await apply(w, o)
					// After every write the stored figures equal a rebuild from the raw rows (a unit's next
					// refresh would mend a write that was missed, so only checking at the end could miss it);
					// halfway and at the end they also equal the independent recomputation.
					if (i === Math.floor(ops.length / 2)) await expectSameFigures(w)
					else expect(await rebuildInsights({ repair: false, versionIds: [w.versionId] }), `after ${JSON.stringify(o)}`).toMatchObject({ counts: [], units: 0, samples: 0 })
				}
				await expectSameFigures(w)
			}),
			{ numRuns: 10 },
		)
		// Something was counted at all (a dashboard of zeros would equal a recomputation of nothing).
		const [row] = await query<{ n: number }>(sql`select count(*)::int as n from insight_counts where kind = 'v' and n > 0`)
		expect(row!.n).toBeGreaterThan(0)
	})

	test('insights:rebuild: the check finds a corrupted counter and unit, the repair mends them', async () => {
		const w = await writeWorld([2, 1])
		const p = w.participants[0]!
		for (const [who, sample] of [
			[0, 0],
			[1, 0],
			[2, 1],
		] as const)
			await saveVerdict({ roundId: w.rounds[0]!, participantId: p[who]!, sampleId: w.sampleIds[sample]!, verdict: { kind: 'flag', flag: flagInput() } })
		await saveVerdict({ roundId: w.rounds[0]!, participantId: p[3]!, sampleId: w.sampleIds[0]!, verdict: { kind: 'no_concerns' } })
		expect(hasDrift(await rebuildInsights({ repair: false, versionIds: [w.versionId] }))).toBe(false)
		const before = await maintained.getFlagBreakdown({ versionId: w.versionId })
		expect(before.total).toBe(3)

		await query(sql`update insight_counts set n = n + 5 where version_id = ${w.versionId} and kind = 'f'`)
		await query(sql`update insight_units set m = m + 1 where round_id = ${w.rounds[0]!} and sample_id = ${w.sampleIds[0]!}`)
		expect((await maintained.getFlagBreakdown({ versionId: w.versionId })).total).toBe(8)
		const drift = await rebuildInsights({ repair: false, versionIds: [w.versionId] })
		expect(drift.counts).toEqual([expect.objectContaining({ kind: 'f', key: 'caricature/minor', stored: 8, expected: 3 })])
		expect(drift.units).toBe(1)
		// The check changed nothing.
		expect((await maintained.getFlagBreakdown({ versionId: w.versionId })).total).toBe(8)

		const repaired = await rebuildInsights({ repair: true, versionIds: [w.versionId] })
		expect(hasDrift(repaired)).toBe(true)
		expect(await maintained.getFlagBreakdown({ versionId: w.versionId })).toEqual(before)
		expect(hasDrift(await rebuildInsights({ repair: false }))).toBe(false)
		await expectSameFigures(w)
	})
})
