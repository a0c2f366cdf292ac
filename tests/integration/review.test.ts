import { sql } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { loader as startReview } from '#app/routes/rounds+/$roundId+/review._index.tsx'
import { action as focusAction, loader as focusLoader } from '#app/routes/rounds+/$roundId+/review.$externalId.tsx'
import { action as templatesAction, loader as templatesLoader } from '#app/routes/rounds+/$roundId+/templates.tsx'
import { action as withdrawAction } from '#app/routes/rounds+/$roundId+/withdraw.tsx'
import { query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { createRound, joinAs, setRoundStatus, world } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()

async function setup(overlap = '2') {
	const { owner } = await world(4)
	const roundId = await createRound(owner, { overlap })
	const ana = await joinAs(owner, roundId, 'ana', sink.messages)
	const ben = await joinAs(owner, roundId, 'ben', sink.messages)
	await setRoundStatus(owner, roundId, 'open')
	return { owner, roundId, ana, ben }
}

const post = (cookie: string, roundId: string, externalId: string, fields: Record<string, string | string[]>) => {
	const body = new URLSearchParams()
	for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one)
	const req = formRequest(`/rounds/${roundId}/review/${externalId}`, {}, { cookie })
	return run(focusAction, new Request(req.url, { method: 'POST', headers: req.headers, body }), {}, { roundId, externalId })
}

async function first(cookie: string, roundId: string) {
	const res = await run(startReview, getRequest('/', { cookie }), {}, { roundId })
	expect(res.status).toBe(302)
	return decodeURIComponent(res.headers.get('Location')!.split('/').pop()!)
}

const stored = async () => ({
	reviews: (await query<{ n: number }>(sql`select count(*)::int as n from reviews`))[0]!.n,
	flags: (await query<{ n: number }>(sql`select count(*)::int as n from flags`))[0]!.n,
})

describe('verdicts', () => {
	test('no concerns, flag and skip each go to the next sample in one round trip', async () => {
		const { roundId, ana } = await setup()
		const a = await first(ana, roundId)
		const r1 = await post(ana, roundId, a, { intent: 'no_concerns' })
		expect(r1.status).toBe(302)
		const b = decodeURIComponent(r1.headers.get('Location')!.split('/').pop()!)
		expect(b).not.toBe(a)
		const r2 = await post(ana, roundId, b, {
			intent: 'flag',
			category: 'caricature',
			severity: 'critical',
			rationale: 'Reads as a parody of grandmothers.',
			affectedGroups: ['Oaxaca', 'older women'],
			quotedSpan: 'hint',
			unsure: 'on',
		})
		expect(r2.status).toBe(302)
		const c = decodeURIComponent(r2.headers.get('Location')!.split('/').pop()!)
		await post(ana, roundId, c, { intent: 'skip', skipReason: 'Not my language' })
		const [flag] = await query<{ category: string; severity: string; affected_groups: string[]; unsure: boolean }>(sql`select category, severity, affected_groups, unsure from flags`)
		expect(flag).toEqual({ category: 'caricature', severity: 'critical', affected_groups: ['Oaxaca', 'older women'], unsure: true })
		const verdicts = await query<{ verdict: string; skip_reason: string }>(sql`select verdict, skip_reason from reviews order by created_at`)
		expect(verdicts).toEqual([
			{ verdict: 'no_concerns', skip_reason: '' },
			{ verdict: 'flagged', skip_reason: '' },
			{ verdict: 'skipped', skip_reason: 'Not my language' },
		])
	})

	test('a verdict can be changed or taken back while the round is open', async () => {
		const { roundId, ana } = await setup()
		const a = await first(ana, roundId)
		await post(ana, roundId, a, { intent: 'flag', category: 'stereotype', severity: 'minor' })
		await post(ana, roundId, a, { intent: 'no_concerns' })
		expect(await stored()).toEqual({ reviews: 1, flags: 0 })
		await post(ana, roundId, a, { intent: 'withdraw' })
		expect(await stored()).toEqual({ reviews: 0, flags: 0 })
		expect(await first(ana, roundId)).toBe(a)
	})

	test('bad input is a clear error and stores nothing', async () => {
		// One reviewer per sample: each of the two has half, so the other half is outside Ana's queue.
		const { owner, roundId, ana } = await setup('1')
		const a = await first(ana, roundId)
		const long = await post(ana, roundId, a, { intent: 'flag', category: 'caricature', severity: 'minor', rationale: 'x'.repeat(2001) })
		expect(long.status).toBe(400)
		expect(JSON.stringify(long.data)).toContain('validation.tooLong')
		const unknown = await post(ana, roundId, a, { intent: 'flag', category: 'rude', severity: 'minor' })
		expect(unknown.status).toBe(400)
		expect(JSON.stringify(unknown.data)).toContain('review:errors.category')
		const noWhy = await post(ana, roundId, a, { intent: 'flag', category: 'caricature', severity: 'major' })
		expect(JSON.stringify(noWhy.data)).toContain('review:errors.rationaleRequired')
		// A sample outside the participant's queue does not exist for them.
		const [outside] = await query<{ external_id: string }>(sql`
			select s.external_id from samples s join round_samples rs on rs.sample_id = s.id
			where rs.round_id = ${roundId} and s.id not in (select a.sample_id from assignments a join participants p on p.id = a.participant_id join users u on u.id = p.user_id where u.email = 'ana@example.org')`)
		expect(outside).toBeDefined()
		expect((await post(ana, roundId, outside!.external_id, { intent: 'no_concerns' })).status).toBe(404)
		expect((await post(ana, roundId, 'not-a-sample', { intent: 'no_concerns' })).status).toBe(404)
		expect(await stored()).toEqual({ reviews: 0, flags: 0 })
		await setRoundStatus(owner, roundId, 'close')
		const closed = await post(ana, roundId, a, { intent: 'no_concerns' })
		expect(closed.status).toBe(409)
		expect(closed.data).toMatchObject({ error: 'review:errors.closed' })
		expect(await stored()).toEqual({ reviews: 0, flags: 0 })
	})
	test('each answer is the next sample still waiting after this one, then one left earlier, then the start page', async () => {
		const { roundId, ana } = await setup()
		const queue = (
			await query<{ external_id: string }>(sql`
				select s.external_id from assignments a join samples s on s.id = a.sample_id join participants p on p.id = a.participant_id
				join users u on u.id = p.user_id where u.email = 'ana@example.org' order by a.position`)
		).map((r) => r.external_id)
		expect(queue.length).toBeGreaterThanOrEqual(3)
		const at = (res: { headers: Headers }) => res.headers.get('Location')
		const base = `/rounds/${roundId}/review`
		// The last sample first: nothing waits after it, so the answer wraps to the first one waiting.
		expect(at(await post(ana, roundId, queue.at(-1)!, { intent: 'skip', skipReason: 'Later' }))).toBe(`${base}/${encodeURIComponent(queue[0]!)}`)
		for (let i = 1; i < queue.length - 1; i++) {
			const next = queue[i + 1] === queue.at(-1) ? queue[0]! : queue[i + 1]!
			expect(at(await post(ana, roundId, queue[i]!, { intent: 'no_concerns' }))).toBe(`${base}/${encodeURIComponent(next)}`)
		}
		// The one left: its own verdict does not send the reviewer back to it.
		expect(at(await post(ana, roundId, queue[0]!, { intent: 'no_concerns' }))).toBe(base)
		expect((await stored()).reviews).toBe(queue.length)
	})

	test('a verdict from someone who has not consented, or has left, stores nothing', async () => {
		const { roundId, ana } = await setup()
		const a = await first(ana, roundId)
		const ofAna = sql`user_id = (select id from users where email = 'ana@example.org')`
		await query(sql`update participants set consented_at = null where ${ofAna}`)
		for (const fields of [{ intent: 'no_concerns' }, { intent: 'skip', skipReason: '' }] as Record<string, string>[]) {
			const res = await post(ana, roundId, a, fields)
			expect(res.status).toBe(302)
			expect(res.headers.get('Location')).toBe(`/rounds/${roundId}/consent`)
		}
		await query(sql`update participants set consented_at = now(), withdrawn_at = now() where ${ofAna}`)
		expect((await post(ana, roundId, a, { intent: 'no_concerns' })).status).toBe(404)
		expect(await stored()).toEqual({ reviews: 0, flags: 0 })
		const [{ done }] = (await query<{ done: number }>(sql`select count(*)::int as done from assignments where completed_at is not null`)) as [{ done: number }]
		expect(done).toBe(0)
	})
})

test('blind review: others’ flags stay hidden until one’s own verdict, then show as anonymous counts', async () => {
	const { roundId, ana, ben } = await setup()
	const a = await first(ana, roundId)
	await post(ana, roundId, a, { intent: 'flag', category: 'caricature', severity: 'minor' })
	// Ben reviews the same sample (overlap 2 with two people: everyone has everything).
	const before = (await run(focusLoader, getRequest('/', { cookie: ben }), {}, { roundId, externalId: a })).data as { others: unknown }
	expect(before.others).toBeNull()
	await post(ben, roundId, a, { intent: 'no_concerns' })
	const after = (await run(focusLoader, getRequest('/', { cookie: ben }), {}, { roundId, externalId: a })).data as { others: unknown }
	expect(after.others).toEqual({ caricature: 1 })
	expect(JSON.stringify(after)).not.toContain('ana')
})

test('in a generation-stage round, feedback on the templates and personas is stored like a flag', async () => {
	const { owner } = await world(2)
	const roundId = await createRound(owner, { stage: 'generation', title: 'Steer generation' })
	const ana = await joinAs(owner, roundId, 'ana', sink.messages)
	await setRoundStatus(owner, roundId, 'open')
	const page = await run(templatesLoader, getRequest('/', { cookie: ana }), {}, { roundId })
	expect(page.status).toBe(200)
	const missing = await run(
		templatesAction,
		formRequest('/t', { intent: 'template_feedback', target: 'persona_definitions', kind: 'flag', rationale: 'All grandmothers bake.' }, { cookie: ana }),
		{},
		{ roundId },
	)
	expect(missing.status).toBe(400)
	expect(JSON.stringify(missing.data)).toContain('review:errors.category')
	const ok = await run(
		templatesAction,
		formRequest('/t', { intent: 'template_feedback', target: 'persona_definitions', kind: 'flag', category: 'stereotype', severity: 'major', rationale: 'All grandmothers bake.' }, { cookie: ana }),
		{},
		{ roundId },
	)
	expect(ok.status).toBe(200)
	const rows = await query<{ template_target: string; sample_id: number | null; category: string }>(sql`select template_target, sample_id, category from flags`)
	expect(rows).toEqual([{ template_target: 'persona_definitions', sample_id: null, category: 'stereotype' }])
	// Validation rounds have no such page.
	const validation = await createRound(owner)
	const ben = await joinAs(owner, validation, 'ben', sink.messages)
	expect((await run(templatesLoader, getRequest('/', { cookie: ben }), {}, { roundId: validation })).status).toBe(404)
})

test('leaving with "delete my feedback" removes verdicts, flags and template feedback; "keep" keeps them', async () => {
	const { roundId, ana, ben } = await setup()
	const a = await first(ana, roundId)
	await post(ana, roundId, a, { intent: 'flag', category: 'caricature', severity: 'minor' })
	const b = await first(ben, roundId)
	await post(ben, roundId, b, { intent: 'flag', category: 'stereotype', severity: 'minor' })
	await run(withdrawAction, formRequest('/w', { feedback: 'delete' }, { cookie: ana }), {}, { roundId })
	await run(withdrawAction, formRequest('/w', { feedback: 'keep' }, { cookie: ben }), {}, { roundId })
	const left = await query<{ category: string }>(sql`select category from flags`)
	expect(left).toEqual([{ category: 'stereotype' }])
	expect(await stored()).toEqual({ reviews: 1, flags: 1 })
})
