import { sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { recordConsent, withdrawFromRound } from '#app/models/participation.server.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { createRound, joinAs, setRoundStatus, world } from '#tests/round-fixtures.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()

type Row = { id: string; consented_at: Date | null; withdrawn_at: Date | null; keep_feedback: boolean | null; show_name: boolean; warn_each_time: boolean; expertise: string }
const participantOf = async (name: string) =>
	(
		await query<Row>(
			sql`select p.id, p.consented_at, p.withdrawn_at, p.keep_feedback, p.show_name, p.warn_each_time, p.expertise from participants p join users u on u.id = p.user_id where u.display_name = ${name}`,
		)
	)[0]!
const count = async (table: 'reviews' | 'flags' | 'assignments', participantId: string) =>
	(await query<{ n: number }>(sql`select count(*)::int as n from ${sql.raw(table)} where participant_id = ${participantId}`))[0]!.n

async function setup() {
	const { owner } = await world(4)
	const roundId = await createRound(owner, { overlap: '2', expertiseOptions: 'Linguist\nTeacher' })
	await joinAs(owner, roundId, 'ana', sink.messages)
	await joinAs(owner, roundId, 'ben', sink.messages)
	await setRoundStatus(owner, roundId, 'open')
	const round = (await query<{ id: string; status: string; expertise_options: string[] }>(sql`select id, status, expertise_options from rounds where id = ${roundId}`))[0]!
	return { roundId, round: { id: round.id, status: round.status, expertiseOptions: round.expertise_options } }
}

describe('recordConsent', () => {
	test('keeps an expertise only from the round’s list, keeps the first consent time, and touches only that round’s participant', async () => {
		const { round } = await setup()
		const ana = await participantOf('ana')
		const consentedAt = new Date(ana.consented_at!)
		await recordConsent({ round, participant: { id: ana.id, consentedAt }, choices: { expertise: 'Teacher', showName: true, warnEachTime: true } })
		const after = await participantOf('ana')
		expect(after).toMatchObject({ expertise: 'Teacher', show_name: true, warn_each_time: true })
		expect(new Date(after.consented_at!).getTime()).toBe(consentedAt.getTime())
		await recordConsent({ round, participant: { id: ana.id, consentedAt }, choices: { expertise: 'Astronaut', showName: false, warnEachTime: false } })
		expect(await participantOf('ana')).toMatchObject({ expertise: '', show_name: false, warn_each_time: false })
		// Another round's id: nothing changes.
		await recordConsent({
			round: { ...round, id: '00000000-0000-4000-8000-000000000000' },
			participant: { id: ana.id, consentedAt },
			choices: { expertise: 'Linguist', showName: true, warnEachTime: true },
		})
		expect(await participantOf('ana')).toMatchObject({ expertise: '', show_name: false })
	})
})

describe('withdrawFromRound', () => {
	test('keeping feedback: what was said stays, unreviewed work goes back, the team is told', async () => {
		const { roundId } = await setup()
		const ana = await participantOf('ana')
		const [first] = await query<{ sample_id: number }>(sql`select sample_id::int as sample_id from assignments where participant_id = ${ana.id} order by position limit 1`)
		await saveVerdict({ roundId, participantId: ana.id, sampleId: first!.sample_id, verdict: { kind: 'no_concerns' } })
		expect(await count('assignments', ana.id)).toBeGreaterThan(1)
		expect(await withdrawFromRound({ roundId, participantId: ana.id, keepFeedback: true })).toBe(true)
		expect(await participantOf('ana')).toMatchObject({ keep_feedback: true, show_name: false })
		expect((await participantOf('ana')).withdrawn_at).not.toBeNull()
		expect(await count('reviews', ana.id)).toBe(1)
		expect(await count('assignments', ana.id)).toBe(1)
		const told = await query<{ n: number }>(sql`select count(*)::int as n from notifications where kind = 'team_reviewer_withdrew'`)
		expect(told[0]!.n).toBe(1)
	})

	test('deleting feedback: verdicts, flags and assignments go', async () => {
		const { roundId } = await setup()
		const ana = await participantOf('ana')
		const [first] = await query<{ sample_id: number }>(sql`select sample_id::int as sample_id from assignments where participant_id = ${ana.id} order by position limit 1`)
		await saveVerdict({ roundId, participantId: ana.id, sampleId: first!.sample_id, verdict: { kind: 'flag', flag: flagInput({ affectedGroups: ['Oaxaca'], rationale: '' }) } })
		expect(await count('flags', ana.id)).toBe(1)
		expect(await withdrawFromRound({ roundId, participantId: ana.id, keepFeedback: false })).toBe(true)
		expect(await participantOf('ana')).toMatchObject({ keep_feedback: false })
		expect(await count('flags', ana.id)).toBe(0)
		expect(await count('reviews', ana.id)).toBe(0)
		expect(await count('assignments', ana.id)).toBe(0)
	})

	test('a participant of another round: nothing is done', async () => {
		await setup()
		const ana = await participantOf('ana')
		expect(await withdrawFromRound({ roundId: '00000000-0000-4000-8000-000000000000', participantId: ana.id, keepFeedback: false })).toBe(false)
		expect((await participantOf('ana')).withdrawn_at).toBeNull()
		expect(await count('assignments', ana.id)).toBeGreaterThan(0)
	})
})
