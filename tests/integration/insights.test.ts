import { asc, eq, sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { participants } from '#db/schema/rounds.ts'
import { krippendorffAlphaNominal, wilsonInterval } from '#app/domain/metrics.ts'
import { type FlagInput } from '#app/domain/review.ts'
import { getAgreement, getCoverage, getFlagBreakdown, getFlagRateByAttribute, getParticipation, listMinoritySignal } from '#app/models/insights.server.ts'
import { refreshInsightFigures } from '#app/models/insight-upkeep.server.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { roundProgress } from '#app/models/round.server.ts'
import { loader as insightsLoader } from '#app/routes/datasets+/$slug+/versions.$label+/insights.tsx'
import { action as acceptAction } from '#app/routes/invitations.$token.tsx'
import { action as consentAction } from '#app/routes/rounds+/$roundId+/consent.tsx'
import { db, query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { createRound, joinAs, P, participantOf, roundAction, sampleIdOf, setRoundStatus, tokenFrom, world } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()

// Names that occur nowhere else in the page's data, so finding one means an identity leaked.
const community = ['anaya', 'bertrand', 'chiamaka', 'dmitri'] as const
const expert = 'eleonora'
type Who = (typeof community)[number] | typeof expert

/** An existing account (already signed in elsewhere) joins another round from its invitation. */
async function joinExisting(owner: string, roundId: string, name: Who, cookie: string) {
	await roundAction(owner, roundId, { intent: 'invite', emails: `${name}@example.org`, role: 'community', expertise: '' })
	const token = tokenFrom(sink.messages, `${name}@example.org`)!
	await run(acceptAction, formRequest(`/invitations/${token}`, { intent: 'accept' }, { cookie }), {}, { token })
	await run(consentAction, formRequest('/c', { agree: 'yes' }, { cookie }), {}, { roundId })
}

/**
 * Version v1 of "hints": h-000…h-009, persona.region Oaxaca (even) / Amman (odd). Round 1
 * (k = 2): four community members and one expert; round 2: two of the same community members.
 *
 *   round 1   anaya        bertrand     chiamaka     dmitri                 eleonora (expert)
 *   h-000     caricature   no concerns  no concerns
 *   h-001     stereotype+  stereotype
 *   h-002                  no concerns  no concerns
 *   h-003                                            demeaning (critical)   demeaning (major)
 *   h-004     no concerns                                                   erasure
 *   h-005                               skip         no concerns
 *   h-006     no concerns  no concerns  no concerns  caricature+stereotype
 *   round 2: anaya flags h-002 (stereotype), bertrand flags h-000 (caricature).
 */
async function setup() {
	const { owner, versionId } = await world(10)
	const round1 = await createRound(owner, { overlap: '2' })
	const cookies = {} as Record<Who, string>
	for (const name of community) cookies[name] = await joinAs(owner, round1, name, sink.messages)
	cookies[expert] = await joinAs(owner, round1, expert, sink.messages, 'expert')
	// Chiamaka chooses to show her name to the team; the dashboard still counts, never names.
	await run(consentAction, formRequest('/c', { agree: 'yes', showName: 'on' }, { cookie: cookies.chiamaka }), {}, { roundId: round1 })
	await setRoundStatus(owner, round1, 'open')

	const p = async (roundId: string, who: Who) => participantOf(roundId, who)
	const s = async (externalId: string) => sampleIdOf(versionId, externalId)
	const noConcerns = async (roundId: string, who: Who, x: string) => saveVerdict({ roundId, participantId: await p(roundId, who), sampleId: await s(x), verdict: { kind: 'no_concerns' } })
	const skip = async (roundId: string, who: Who, x: string) => saveVerdict({ roundId, participantId: await p(roundId, who), sampleId: await s(x), verdict: { kind: 'skipped', reason: '' } })
	const flag = async (roundId: string, who: Who, x: string, over: Partial<FlagInput> = {}) =>
		saveVerdict({ roundId, participantId: await p(roundId, who), sampleId: await s(x), verdict: { kind: 'flag', flag: flagInput({ affectedGroups: [], ...over }) } })

	await flag(round1, 'anaya', 'h-000')
	await noConcerns(round1, 'bertrand', 'h-000')
	await noConcerns(round1, 'chiamaka', 'h-000')
	await flag(round1, 'anaya', 'h-001', { category: 'stereotype', severity: 'major', rationale: 'Leans on a stereotype of the region.' })
	await flag(round1, 'bertrand', 'h-001', { category: 'stereotype' })
	await noConcerns(round1, 'bertrand', 'h-002')
	await noConcerns(round1, 'chiamaka', 'h-002')
	await flag(round1, 'dmitri', 'h-003', { category: 'demeaning', severity: 'critical', rationale: 'Mocks the people it describes.' })
	await flag(round1, 'eleonora', 'h-003', { category: 'demeaning', severity: 'major', rationale: 'Dehumanising wording in the second line.' })
	await noConcerns(round1, 'anaya', 'h-004')
	await flag(round1, 'eleonora', 'h-004', { category: 'erasure' })
	await skip(round1, 'chiamaka', 'h-005')
	await noConcerns(round1, 'dmitri', 'h-005')
	await noConcerns(round1, 'anaya', 'h-006')
	await noConcerns(round1, 'bertrand', 'h-006')
	await noConcerns(round1, 'chiamaka', 'h-006')
	await flag(round1, 'dmitri', 'h-006')
	await flag(round1, 'dmitri', 'h-006', { category: 'stereotype' })

	const round2 = await createRound(owner, { title: 'Second look', overlap: '2' })
	await joinExisting(owner, round2, 'anaya', cookies.anaya)
	await joinExisting(owner, round2, 'bertrand', cookies.bertrand)
	await setRoundStatus(owner, round2, 'open')
	await flag(round2, 'anaya', 'h-002', { category: 'stereotype' })
	await flag(round2, 'bertrand', 'h-000')
	return { owner, versionId, round1, round2, cookies }
}

// Every table is emptied before each test (useTestDatabase), so each builds the consultation again.
describe('insights', () => {
	test('coverage: samples with at least k verdicts other than skips, like roundProgress', async () => {
		const w = await setup()
		const one = await getCoverage({ versionId: w.versionId, roundId: w.round1 })
		expect(one.rounds).toHaveLength(1)
		expect(one.rounds[0]).toMatchObject({ roundId: w.round1, overlap: 2, samples: 10, covered: 6, started: 7 })
		expect(one.total).toEqual({ samples: 10, covered: 6, started: 7 })
		expect((await roundProgress(w.round1)).covered).toBe(6)

		const two = await getCoverage({ versionId: w.versionId, roundId: w.round2 })
		expect(two.total).toEqual({ samples: 10, covered: 0, started: 2 })
		// The version counts each sample once, covered if covered in any round.
		const all = await getCoverage({ versionId: w.versionId })
		expect(all.rounds.map((r) => [r.title, r.covered, r.started])).toEqual([
			['Community check', 6, 7],
			['Second look', 0, 2],
		])
		expect(all.total).toEqual({ samples: 10, covered: 6, started: 7 })
	})

	test('participation by role: counts only, groups under three withheld, and the total with them', async () => {
		const w = await setup()
		const one = await getParticipation({ versionId: w.versionId, roundId: w.round1 })
		const role = (r: 'community' | 'expert', list = one.roles) => list.find((x) => x.role === r)!
		expect(role('community')).toEqual({ role: 'community', invited: 4, joined: 4, active: 4, withdrawn: null, verdicts: { no_concerns: 9, flagged: 5, skipped: 1 } })
		// One expert: every number about experts reads "fewer than 3", and so does the total (4 + ? would give it away).
		expect(role('expert')).toEqual({ role: 'expert', invited: null, joined: null, active: null, withdrawn: null, verdicts: null })
		expect(one.totalJoined).toBeNull()

		// Across rounds a person counts once: anaya and bertrand joined both rounds.
		const all = await getParticipation({ versionId: w.versionId })
		expect(role('community', all.roles)).toMatchObject({ invited: 4, joined: 4, active: 4, verdicts: { no_concerns: 9, flagged: 7, skipped: 1 } })

		const two = await getParticipation({ versionId: w.versionId, roundId: w.round2 })
		expect(two.roles.map((r) => [r.role, r.joined, r.verdicts])).toEqual([
			['community', null, null],
			['expert', null, null],
		])
		expect(two.totalJoined).toBeNull()
	})

	test('flags by category and severity', async () => {
		const w = await setup()
		const one = await getFlagBreakdown({ versionId: w.versionId, roundId: w.round1 })
		expect(one.total).toBe(8)
		const cat = Object.fromEntries(one.byCategory.map((c) => [c.category, c.bySeverity]))
		expect(cat.caricature).toEqual({ minor: 2, major: 0, critical: 0 })
		expect(cat.stereotype).toEqual({ minor: 2, major: 1, critical: 0 })
		expect(cat.demeaning).toEqual({ minor: 0, major: 1, critical: 1 })
		expect(cat.erasure).toEqual({ minor: 1, major: 0, critical: 0 })
		expect(cat.privacy).toEqual({ minor: 0, major: 0, critical: 0 })
		expect(one.bySeverity).toEqual([
			{ severity: 'minor', flags: 5 },
			{ severity: 'major', flags: 2 },
			{ severity: 'critical', flags: 1 },
		])
		expect((await getFlagBreakdown({ versionId: w.versionId })).total).toBe(10)
	})

	test('flag rate by attribute value, per reviewed sample, with Wilson intervals', async () => {
		const w = await setup()
		const one = await getFlagRateByAttribute({ versionId: w.versionId, roundId: w.round1 }, 'persona.region')
		expect(one.rows.map((r) => [r.value, r.flagged, r.reviewed])).toEqual([
			['Oaxaca', 3, 4],
			['Amman', 2, 3],
		])
		expect(one.rows[0]!.interval).toEqual(wilsonInterval(3, 4))
		expect(one.rows[1]!.interval).toEqual(wilsonInterval(2, 3))
		expect(one.rows[0]!.interval!.low).toBeCloseTo(0.3006, 4)
		expect(one.rows[0]!.interval!.high).toBeCloseTo(0.9544, 4)
		expect(one.overall).toMatchObject({ flagged: 5, reviewed: 7 })
		expect(one.missing).toBeNull()
		// Round 2 flagged h-002 (Oaxaca): across the version every reviewed Oaxaca sample is flagged.
		const all = await getFlagRateByAttribute({ versionId: w.versionId }, 'persona.region')
		expect(all.rows[0]).toMatchObject({ value: 'Oaxaca', flagged: 4, reviewed: 4, interval: { rate: 1, high: 1 } })
		// A key no sample has: every reviewed sample is "not set".
		const none = await getFlagRateByAttribute({ versionId: w.versionId, roundId: w.round1 }, 'persona.nothing')
		expect(none.rows).toEqual([])
		expect(none.missing).toMatchObject({ flagged: 5, reviewed: 7 })
	})

	test('agreement: Krippendorff’s alpha matches an independent computation from the raw verdicts', async () => {
		const w = await setup()
		const one = await getAgreement({ versionId: w.versionId, roundId: w.round1 })
		// By hand: units (flagged, no concerns) = (1,2) (2,0) (0,2) (2,0) (1,1) (1,3); h-005 has one
		// value. n = 15, n_f = 7, n_n = 8, Σ disagreement = 2 + 2 + 2 → alpha = 1 − 14·6 / (225 − 49 − 64) = 0.25.
		expect(one.overall.alpha).toBeCloseTo(0.25, 12)
		expect(one.overall).toMatchObject({ pairableUnits: 6, pairableValues: 15 })

		const rows = await query<{ round_id: string; sample_id: number; participant_id: string; verdict: string; categories: string[] | null }>(sql`
			select rv.round_id, rv.sample_id, rv.participant_id, rv.verdict,
				(select array_agg(f.category) from flags f where f.review_id = rv.id) as categories
			from reviews rv where rv.round_id = ${w.round1} and rv.verdict <> 'skipped'`)
		const units = (value: (r: (typeof rows)[number]) => string) => {
			const byUnit = new Map<string, string[]>()
			for (const r of rows) byUnit.set(`${r.sample_id}`, [...(byUnit.get(`${r.sample_id}`) ?? []), value(r)])
			return [...byUnit.values()]
		}
		expect(one.overall.alpha).toBeCloseTo(krippendorffAlphaNominal(units((r) => r.verdict))!, 12)
		for (const { category, result } of one.byCategory) {
			const independent = krippendorffAlphaNominal(units((r) => String(r.categories?.includes(category) ?? false)))
			if (independent === null) expect(result.alpha).toBeNull()
			else expect(result.alpha, category).toBeCloseTo(independent, 12)
		}
		// Caricature, by hand: n_yes = 2, n_no = 13, disagreement 2 + 2 → 1 − 14·4 / 52.
		expect(one.byCategory.find((c) => c.category === 'caricature')!.result.alpha).toBeCloseTo(1 - 56 / 52, 12)
		// Nobody used "privacy": no variation, alpha undefined.
		expect(one.byCategory.find((c) => c.category === 'privacy')!.result).toMatchObject({ alpha: null, reason: 'no_variation' })
		// Round 2 has one verdict per sample: nothing to compare.
		expect((await getAgreement({ versionId: w.versionId, roundId: w.round2 })).overall).toMatchObject({ alpha: null, reason: 'no_pairable_units' })
	})

	test('minority signal: samples flagged by exactly one community member, each linked to its issue', async () => {
		const w = await setup()
		const one = await listMinoritySignal({ versionId: w.versionId, roundId: w.round1 })
		expect(one.total).toBe(3)
		expect(one.rows.map((r) => [r.externalId, r.maxSeverity, r.expertAlso, r.noConcerns, r.categories.sort()])).toEqual([
			['h-003', 3, true, 0, ['demeaning']],
			['h-000', 1, false, 2, ['caricature']],
			['h-006', 1, false, 3, ['caricature', 'stereotype']],
		])
		expect(one.rows.every((r) => r.issueNumber !== null && r.issueStatus === 'open')).toBe(true)
		const [issue] = await query<{ number: number }>(sql`select i.number from issues i join samples s on s.id = i.sample_id where s.external_id = 'h-000' and i.version_id = ${w.versionId}`)
		expect(one.rows.find((r) => r.externalId === 'h-000')!.issueNumber).toBe(issue!.number)
		// Across the version h-000 has two community flaggers (rounds 1 and 2), and h-002 now has one.
		const all = await listMinoritySignal({ versionId: w.versionId })
		expect(all.rows.map((r) => r.externalId)).toEqual(['h-003', 'h-002', 'h-006'])
	})

	test('the page: scoped by ?round and ?attribute, team only, and no participant is ever named', async () => {
		const w = await setup()
		const load = (search: string, cookie = w.owner) => run(insightsLoader, getRequest(`/datasets/hints/versions/v1/insights${search}`, { cookie }), {}, P)
		// The page shows the figures the insights job keeps (decision 057): before its pass it says what it has not counted yet.
		const before = (await load('')).data as Awaited<ReturnType<typeof insightsLoader>>
		expect(before.pending.units).toBe(9)
		expect(before.coverage.total).toEqual({ samples: 10, covered: 0, started: 0 })
		await refreshInsightFigures()
		const res = await load('?attribute=persona.region')
		expect(res.status).toBe(200)
		const data = res.data as Awaited<ReturnType<typeof insightsLoader>>
		expect(data.attribute).toBe('persona.region')
		expect(data.attributes).toContain('persona.region')
		expect(data.round).toBeNull()
		expect(data.coverage.total).toEqual({ samples: 10, covered: 6, started: 7 })
		expect(data.pending).toEqual({ units: 0, seconds: 0 })
		expect(data.minority.rows.map((r) => r.externalId)).toEqual(['h-003', 'h-002', 'h-006'])

		const scoped = (await load(`?round=${w.round1}&attribute=persona.region`)).data as typeof data
		expect(scoped.round).toMatchObject({ id: w.round1, title: 'Community check' })
		expect(scoped.participation.roles.find((r) => r.role === 'community')!.joined).toBe(4)
		expect(scoped.rate!.rows.map((r) => [r.value, r.flagged, r.reviewed])).toEqual([
			['Oaxaca', 3, 4],
			['Amman', 2, 3],
		])

		// Only keys counted at import can be read from the metadata; anything else falls back.
		expect(((await load('?attribute=content')).data as typeof data).attribute).toBe('persona.region')
		expect((await load('?round=00000000-0000-0000-0000-000000000000')).status).toBe(404)
		expect((await load('?round=not-a-uuid')).status).toBe(404)
		// Participants are not on the dataset team: the page does not exist for them.
		expect((await load('', w.cookies.anaya)).status).toBe(404)

		const identities = await db.select({ email: users.email, name: users.displayName }).from(users).innerJoin(participants, eq(participants.userId, users.id)).orderBy(asc(users.email))
		expect(new Set(identities.map((i) => i.email)).size).toBe(5)
		for (const body of [JSON.stringify(res.data), JSON.stringify(scoped)]) {
			for (const { email, name } of identities) {
				expect(body).not.toContain(email)
				// Even Chiamaka, who opted in to show her name, appears only as a count here.
				expect(body.toLowerCase()).not.toContain(name.toLowerCase())
			}
		}
	})
})
