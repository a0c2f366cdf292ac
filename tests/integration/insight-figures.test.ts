import { spawnSync } from 'node:child_process'
import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import postgres from 'postgres'
import { expect, test } from 'vitest'
import { flagCategories, severities } from '#app/domain/enums.ts'
import { checkInsightFigures } from '#app/models/insight-check.server.ts'
import * as kept from '#app/models/insight-figures.server.ts'
import { pendingInsightChanges, refreshInsightFigures, resetInsightFigures } from '#app/models/insight-upkeep.server.ts'
import * as recount from '#app/models/insights.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { withdrawFromRound } from '#app/models/participation.server.ts'
import { saveVerdict, withdrawFlag, withdrawVerdict } from '#app/models/review.server.ts'
import { query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { createRound, joinAs, participantOf, sampleIdOf, setRoundStatus, userIdOf, world } from '#tests/round-fixtures.ts'
import { SCALE, seedScale } from '#tests/plan-utils.ts'
import { formRequest, run } from '#tests/route-utils.ts'
import { action as acceptAction } from '#app/routes/invitations.$token.tsx'
import { action as consentAction } from '#app/routes/rounds+/$roundId+/consent.tsx'
import { roundAction, tokenFrom } from '#tests/round-fixtures.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

/**
 * Issue #27: the dashboard's kept figures (app/models/insight-figures.server.ts, kept by
 * app/models/insight-upkeep.server.ts from the marks the triggers of migration 0021 leave) equal a
 * recount from the raw rows (app/models/insights.server.ts) after every write of generated
 * sequences of verdicts, edits, skips, withdrawn verdicts and flags, withdrawals from a round
 * (keeping and deleting what was said) and re-imports (refused once a round has opened) — on PGlite, and on PostgreSQL when DATABASE_URL is set.
 */

useTestDatabase()
const sink = useSmtpSink()

const ATTRIBUTE = 'persona.region'

type World = Awaited<ReturnType<typeof consultation>>

/** Two rounds of one version: anaya and bertrand in both, chiamaka (community) and eleonora (expert) in the first. */
async function consultation() {
	const { owner, versionId } = await world(6)
	const r1 = await createRound(owner, { overlap: '2' })
	const r2 = await createRound(owner, { overlap: '1', title: 'Second look' })
	const cookies: Record<string, string> = {}
	for (const name of ['anaya', 'bertrand', 'chiamaka']) cookies[name] = await joinAs(owner, r1, name, sink.messages)
	await joinAs(owner, r1, 'eleonora', sink.messages, 'expert')
	for (const name of ['anaya', 'bertrand']) {
		await roundAction(owner, r2, { intent: 'invite', emails: `${name}@example.org`, role: 'community', expertise: '' })
		const token = tokenFrom(sink.messages, `${name}@example.org`)!
		await run(acceptAction, formRequest(`/invitations/${token}`, { intent: 'accept' }, { cookie: cookies[name]! }), {}, { token })
		await run(consentAction, formRequest('/c', { agree: 'yes' }, { cookie: cookies[name]! }), {}, { roundId: r2 })
	}
	await setRoundStatus(owner, r1, 'open')
	await setRoundStatus(owner, r2, 'open')
	const people = [
		...(await Promise.all(['anaya', 'bertrand', 'chiamaka', 'eleonora'].map(async (name) => ({ roundId: r1, participantId: await participantOf(r1, name) })))),
		...(await Promise.all(['anaya', 'bertrand'].map(async (name) => ({ roundId: r2, participantId: await participantOf(r2, name) })))),
	]
	const samples = await Promise.all(Array.from({ length: 6 }, (_, i) => sampleIdOf(versionId, `h-00${i}`)))
	return { versionId, ownerId: await userIdOf('owner'), rounds: [r1, r2], people, samples }
}

/**
 * A re-import: the same external ids with new words (with `flip`, the other region). Samples change
 * only while the version is a draft, and opening a round took it out of draft, so a version with
 * verdicts refuses it whole: the figures are checked after the attempt like after any write.
 */
async function reimport(w: World, flip: boolean, generation: number) {
	const body = Array.from({ length: 6 }, (_, i) =>
		JSON.stringify({ id: `h-00${i}`, content: `hint ${i}, take ${generation}`, metadata: { persona: { region: (i % 2 === 1) !== flip ? 'Amman' : 'Oaxaca' } } }),
	).join('\n')
	const attempt = runImport({
		versionId: w.versionId,
		format: 'jsonl',
		filename: 'h.jsonl',
		userId: w.ownerId,
		source: (async function* () {
			yield new TextEncoder().encode(body)
		})(),
	})
	await expect(attempt).rejects.toThrow('Samples can only change while the version is a draft')
}

async function expectKeptEqualsRecount(w: World, context: string) {
	for (const scope of [{ versionId: w.versionId, roundId: null }, ...w.rounds.map((roundId) => ({ versionId: w.versionId, roundId }))]) {
		const where = `${context}, ${scope.roundId ?? 'version'}`
		expect(await kept.getCoverage(scope), where).toEqual(await recount.getCoverage(scope))
		expect(await kept.getParticipation(scope), where).toEqual(await recount.getParticipation(scope))
		expect(await kept.getFlagBreakdown(scope), where).toEqual(await recount.getFlagBreakdown(scope))
		expect(await kept.getFlagRateByAttribute(scope, ATTRIBUTE), where).toEqual(await recount.getFlagRateByAttribute(scope, ATTRIBUTE))
		expect(await kept.getAgreement(scope), where).toEqual(await recount.getAgreement(scope))
		expect(await kept.listMinoritySignal(scope, 1), where).toEqual(await recount.listMinoritySignal(scope, 1))
	}
}

const person = fc.nat({ max: 5 })
const sample = fc.nat({ max: 5 })
const op = fc.oneof(
	{ weight: 4, arbitrary: fc.record({ kind: fc.constant('no_concerns' as const), person, sample }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('skip' as const), person, sample }) },
	{
		weight: 5,
		arbitrary: fc.record({
			kind: fc.constant('flag' as const),
			person,
			sample,
			category: fc.constantFrom(...flagCategories.slice(0, 3)),
			severity: fc.constantFrom(...severities),
		}),
	},
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant('withdraw_verdict' as const), person, sample }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw_flag' as const), person, sample }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), person, keep: fc.boolean() }) },
	{ weight: 1, arbitrary: fc.record({ kind: fc.constant('reimport' as const), flip: fc.boolean() }) },
)
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never

let imports = 0

async function apply(w: World, o: Op, left: Set<number>) {
	if (o.kind === 'reimport') return reimport(w, o.flip, ++imports)
	if (left.has(o.person)) return
	const p = w.people[o.person]!
	if (o.kind === 'leave') {
		left.add(o.person)
		await withdrawFromRound({ roundId: p.roundId, participantId: p.participantId, keepFeedback: o.keep })
		return
	}
	const target = { ...p, sampleId: w.samples[o.sample]! }
	if (o.kind === 'no_concerns') await saveVerdict({ ...target, verdict: { kind: 'no_concerns' } })
	else if (o.kind === 'skip') await saveVerdict({ ...target, verdict: { kind: 'skipped', reason: 'unsure' } })
	else if (o.kind === 'flag') await saveVerdict({ ...target, verdict: { kind: 'flag', flag: flagInput({ category: o.category, severity: o.severity, rationale: 'Generated.' }) } })
	else if (o.kind === 'withdraw_verdict') await withdrawVerdict(target)
	else {
		const [flag] = await query<{ id: string }>(sql`select id from flags where participant_id = ${p.participantId} and sample_id = ${target.sampleId} order by created_at limit 1`)
		if (flag) await withdrawFlag({ ...target, flagId: flag.id })
	}
}

test('the kept figures equal a recount after every write of generated sequences, in the version and in each round', { timeout: 240_000 }, async () => {
	const w = await consultation()
	await fc.assert(
		fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
			// Each sequence starts from nobody having said anything, everyone still taking part.
			await query(sql`delete from reviews where round_id in (${w.rounds[0]}, ${w.rounds[1]})`)
			await query(sql`update participants set withdrawn_at = null, keep_feedback = null where round_id in (${w.rounds[0]}, ${w.rounds[1]})`)
			await refreshInsightFigures()
			const left = new Set<number>()
			for (const [i, o] of ops.entries()) {
				await apply(w, o, left)
				await refreshInsightFigures()
				await expectKeptEqualsRecount(w, `after write ${i + 1}, ${JSON.stringify(o)}`)
			}
		}),
		{ numRuns: Number(process.env.RT_PROPERTY_RUNS ?? 30) },
	)
})

test('a write is counted by the next pass, says what is pending meanwhile, and a reset rebuilds the same figures from the raw rows', async () => {
	const w = await consultation()
	const [anaya, bertrand] = w.people
	await saveVerdict({ ...anaya!, sampleId: w.samples[0]!, verdict: { kind: 'flag', flag: flagInput({ severity: 'major' }) } })
	await saveVerdict({ ...bertrand!, sampleId: w.samples[0]!, verdict: { kind: 'no_concerns' } })
	await saveVerdict({ ...bertrand!, sampleId: w.samples[1]!, verdict: { kind: 'no_concerns' } })
	const version = { versionId: w.versionId, roundId: null }
	// Not counted yet: the kept figures lag, and say by how much.
	expect(await pendingInsightChanges(version)).toMatchObject({ units: 2 })
	expect(await pendingInsightChanges({ versionId: w.versionId, roundId: w.rounds[1]! })).toMatchObject({ units: 0, since: null })
	expect((await kept.getCoverage(version)).total.started).toBe(0)
	expect(await refreshInsightFigures()).toEqual({ units: 2 })
	expect(await pendingInsightChanges(version)).toEqual({ units: 0, since: null })
	expect((await kept.getCoverage(version)).total).toMatchObject({ started: 2, covered: 1 })
	expect((await kept.listMinoritySignal(version)).rows.map((r) => r.maxSeverity)).toEqual([2])
	await expectKeptEqualsRecount(w, 'counted')

	// A figure damaged by hand is found by comparing, and mended by a reset and a full pass.
	await query(sql`update insight_counts set n = n + 5 where scope_id = ${w.versionId} and metric = 'coverage' and key = 'started'`)
	expect((await kept.getCoverage(version)).total.started).toBe(7)
	await resetInsightFigures()
	expect((await pendingInsightChanges(version)).units).toBe(2)
	await refreshInsightFigures({ batch: 1 })
	await expectKeptEqualsRecount(w, 'rebuilt')
})

test('a new overlap recounts the round’s coverage', async () => {
	const w = await consultation()
	const [anaya] = w.people
	await saveVerdict({ ...anaya!, sampleId: w.samples[2]!, verdict: { kind: 'no_concerns' } })
	await refreshInsightFigures()
	const round = { versionId: w.versionId, roundId: w.rounds[0]! }
	expect((await kept.getCoverage(round)).total).toMatchObject({ started: 1, covered: 0 })
	await query(sql`update rounds set overlap = 1 where id = ${w.rounds[0]}`)
	expect((await pendingInsightChanges(round)).units).toBe(1)
	await refreshInsightFigures()
	expect((await kept.getCoverage(round)).total).toMatchObject({ started: 1, covered: 1 })
	await expectKeptEqualsRecount(w, 'overlap 1')
})

test('the repair path on a generated world: seeded without marks, rebuilt, checked; damage is found and mended; the command exits 1 on drift', { timeout: 180_000 }, async () => {
	// A generated consultation written with triggers off (as a restore with --disable-triggers would): nothing is marked.
	// One connection (the seed's temporary tables): its own on PostgreSQL; PGlite has only one.
	const pg = process.env.DATABASE_URL ? postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} }) : null
	const seeder = pg ?? ({ unsafe: (text: string) => query(sql.raw(text)) } as unknown as postgres.Sql)
	await seedScale(seeder, { ...SCALE, datasets: 2, samplesPerVersion: 300, reviewers: 24, round2Samples: 120, commentsPerUseCase: 1 }).finally(() => pg?.end())
	const [world] = await query<{ reviews: number; dirty: number }>(sql`select (select count(*)::int from reviews) as reviews, (select count(*)::int from insight_dirty) as dirty`)
	expect(world!.reviews).toBeGreaterThan(500)
	expect(world!.dirty).toBe(0)
	const before = await checkInsightFigures()
	expect(before.scopes).toBe(6)
	expect(before.drift.length).toBeGreaterThan(0)

	// `npm run insights:rebuild`: every unit marked and counted; the check then finds nothing.
	await resetInsightFigures()
	expect((await refreshInsightFigures()).units).toBeGreaterThan(250)
	expect((await checkInsightFigures()).drift).toEqual([])

	// A kept figure damaged by hand is named by the check, scope and figure.
	const [version] = await query<{ id: string }>(sql`select id from versions order by created_at, id limit 1`)
	await query(
		sql`update insight_counts set n = n + 1 where scope_id = ${version!.id} and metric = 'cells' and key = (select min(key) from insight_counts where scope_id = ${version!.id} and metric = 'cells')`,
	)
	expect((await checkInsightFigures()).drift.map((d) => [d.versionId, d.roundId, d.figure])).toEqual([[version!.id, null, 'flags']])

	// The command itself (PostgreSQL: it opens its own connection): --check exits 1 and names the drift; a rebuild mends it.
	if (process.env.DATABASE_URL) {
		const command = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'db/insights-rebuild.ts', ...args], { encoding: 'utf8', env: { ...process.env } })
		const checked = command('--check')
		expect(checked.status, checked.stderr).toBe(1)
		expect(checked.stdout).toContain(`drift: version ${version!.id}, flags`)
		const rebuilt = command()
		expect(rebuilt.status, rebuilt.stderr + rebuilt.stdout).toBe(0)
		expect(rebuilt.stdout).toMatch(/No drift: every figure of 6 scopes/)
	} else {
		await resetInsightFigures()
		await refreshInsightFigures()
	}
	expect((await checkInsightFigures()).drift).toEqual([])
})
