/**
 * Query plans of the hot paths at a modest scale (issue #9): every statement the focus view, the
 * inbox and issue page, the gate, the insights dashboard, the report, My feedback and the busiest
 * writes send is captured as the app sends it, EXPLAINed (custom and generic plan), and the test
 * fails on a sequential scan of a table that grows with a consultation.
 *
 * PostgreSQL only: on PGlite (no DATABASE_URL) the planner sees a tiny embedded database in one
 * process, where a sequential scan is often the right plan and says nothing about production.
 */
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { InboxFilterSchema, type InboxFilter } from '#app/domain/issue.ts'
import { createApiToken } from '#app/models/api-token.server.ts'
import { addComment, listThread } from '#app/models/comment.server.ts'
import { listMyFeedback } from '#app/models/feedback.server.ts'
import { getAgreement, getCoverage, getFlagBreakdown, getFlagRateByAttribute, getParticipation, listInsightRounds, listMinoritySignal } from '#app/models/insights.server.ts'
import { gateCounts, listOpenBlockers } from '#app/models/issue.server.ts'
import { gateLookup } from '#app/models/pipeline.server.ts'
import { getConsultationReport } from '#app/models/report.server.ts'
import { getFocusView, getReviewTarget, nextPending, quickSync, quickVerdict, reviewQueue, saveVerdict } from '#app/models/review.server.ts'
import { getProgress, getQueue, roundProgress } from '#app/models/round.server.ts'
import { getIssue, listAffectedGroups, listIssues, triageIssue } from '#app/models/triage.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import { freshSessionUserSql } from '#app/utils/auth.server.ts'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { query } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { explain, seedScale, type PlanCheck, type Statement } from '#tests/plan-utils.ts'

const trace = vi.hoisted(() => ({ into: null as Statement[] | null, label: '', client: null as unknown }))

// why: to EXPLAIN the SQL exactly as the app sends it (parameters included) without touching app
// code, the app's postgres.js client (the one named 'roundtable') is created with postgres.js's own
// `debug` hook, which reports every statement. Nothing else about the driver changes.
vi.mock('postgres', async (importOriginal) => {
	const actual = (await importOriginal<{ default: typeof postgres }>()).default
	const traced = (url: string, options?: postgres.Options<Record<string, postgres.PostgresType>>) => {
		if (options?.connection?.application_name !== 'roundtable') return actual(url, options)
		const client = actual(url, {
			...options,
			debug: (_connection, text, parameters) => trace.into?.push({ label: trace.label, text, parameters }),
		})
		trace.client = client
		return client
	}
	return { default: Object.assign(traced, actual) }
})

// Tables that grow with samples, reviewers and feedback: never read whole by a scoped query.
const WATCHED = new Set(['samples', 'flags', 'issues', 'reviews', 'assignments', 'comments'])
// Also large, but not part of the rule: a whole read of one of these is printed as a note.
const REPORTED = new Set(['round_samples', 'issue_events', 'audit_events', 'notifications'])

type Ids = {
	datasetId: string
	slug: string
	name: string
	versionId: string
	roundId: string
	participantId: string
	userId: string
	ownerId: string
	externalId: string
	sampleId: number
	position: number
	pendingSampleId: number
	pendingExternalId: string
	issueNumber: number
	useCaseIssueNumber: number
	openIssueId: string
	openIssueRevision: number
	useCaseId: string
}

async function capture(label: string, fn: () => Promise<unknown>): Promise<Statement[]> {
	const statements: Statement[] = []
	trace.into = statements
	trace.label = label
	try {
		await fn()
	} finally {
		trace.into = null
	}
	return statements.filter((s) => /^\s*(select|with|insert|update|delete)\b/i.test(s.text))
}

const seen = new Set<string>()
const checked: PlanCheck[] = []
const notes = new Set<string>()

/**
 * EXPLAINs every statement (once per distinct text and parameters). Fails on a watched table read
 * whole where no index fits the query; a whole read the planner preferred over a fitting index at
 * this size is printed as a note (see tests/plan-utils.ts `explain`).
 */
async function missingIndexes(statements: Statement[]) {
	const problems: string[] = []
	for (const s of statements) {
		const key = `${s.text}\u0000${JSON.stringify(s.parameters)}`
		if (seen.has(key)) continue
		seen.add(key)
		for (const check of await explain(trace.client as postgres.Sql, s, WATCHED)) {
			checked.push(check)
			if (!check.reachable) continue
			if (check.unindexed.length) {
				problems.push(
					`${check.label} (${check.plan} plan): Seq Scan on ${check.unindexed.join(', ')}, and no index fits\n  ${check.sql.replace(/\s+/g, ' ').slice(0, 400)}\n${check.text.replace(/^/gm, '    ')}`,
				)
			}
			const preferred = check.seqScans.filter((t) => WATCHED.has(t) && !check.unindexed.includes(t))
			if (preferred.length) notes.add(`${check.label} (${check.plan} plan): Seq Scan on ${preferred.join(', ')} preferred to a fitting index at this size`)
			const other = check.seqScans.filter((t) => REPORTED.has(t))
			if (other.length) notes.add(`${check.label} (${check.plan} plan): Seq Scan on ${other.join(', ')} (not a watched table)`)
		}
	}
	return problems
}

async function expectIndexed(calls: Array<[string, () => Promise<unknown>]>) {
	const statements: Statement[] = []
	for (const [label, fn] of calls) {
		const got = await capture(label, fn)
		expect(got.length, `${label} sent no statement`).toBeGreaterThan(0)
		statements.push(...got)
	}
	const problems = await missingIndexes(statements)
	expect(problems, problems.join('\n\n')).toEqual([])
}

describe.skipIf(!process.env.DATABASE_URL)('query plans at scale (PostgreSQL)', () => {
	useTestDatabase({ emptyBeforeEach: false })
	let ids: Ids

	beforeAll(async () => {
		const pg = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} })
		try {
			const started = performance.now()
			const rows = await seedScale(pg)
			console.log(`query plans: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`, rows)
		} finally {
			await pg.end()
		}
		// The reviewer of ds-0 with a flagged sample that others flagged too, and work still pending.
		const [p] = await query<{
			dataset_id: string
			slug: string
			name: string
			version_id: string
			round_id: string
			participant_id: string
			user_id: string
			owner_id: string
			external_id: string
			sample_id: number
			position: number
		}>(sql`
			select d.id as dataset_id, d.slug, d.name, v.id as version_id, r.id as round_id, a.participant_id, p.user_id, d.created_by as owner_id,
				s.external_id, s.id::int as sample_id, a.position
			from datasets d join versions v on v.dataset_id = d.id join rounds r on r.version_id = v.id
				join assignments a on a.round_id = r.id join participants p on p.id = a.participant_id
				join reviews rv on rv.participant_id = a.participant_id and rv.sample_id = a.sample_id and rv.verdict = 'flagged'
				join samples s on s.id = a.sample_id
			where d.slug = 'ds-0' and r.title = 'Round 1'
				and exists (select 1 from assignments q where q.participant_id = a.participant_id and q.completed_at is null and q.position > a.position)
			order by (select count(*) from flags f where f.sample_id = a.sample_id) desc, a.participant_id
			limit 1`)
		const [pending] = await query<{ sample_id: number; external_id: string }>(sql`
			select a.sample_id::int, s.external_id from assignments a join samples s on s.id = a.sample_id
			where a.participant_id = ${p!.participant_id} and a.completed_at is null order by a.position desc limit 1`)
		const [issue] = await query<{ number: number }>(sql`select number from issues where version_id = ${p!.version_id} and sample_id = ${p!.sample_id}`)
		const [useCase] = await query<{ number: number; use_case_id: string }>(sql`
			select number, use_case_id from issues where version_id = ${p!.version_id} and kind = 'use_case' order by number limit 1`)
		const [open] = await query<{ id: string; revision: number }>(sql`
			select id, revision from issues where version_id = ${p!.version_id} and kind = 'sample' and status = 'open' and flag_count > 1 order by number limit 1`)
		ids = {
			datasetId: p!.dataset_id,
			slug: p!.slug,
			name: p!.name,
			versionId: p!.version_id,
			roundId: p!.round_id,
			participantId: p!.participant_id,
			userId: p!.user_id,
			ownerId: p!.owner_id,
			externalId: p!.external_id,
			sampleId: p!.sample_id,
			position: p!.position,
			pendingSampleId: pending!.sample_id,
			pendingExternalId: pending!.external_id,
			issueNumber: issue!.number,
			useCaseIssueNumber: useCase!.number,
			useCaseId: useCase!.use_case_id,
			openIssueId: open!.id,
			openIssueRevision: open!.revision,
		}
	}, 120_000)

	afterAll(() => {
		if (notes.size) console.log(`query plans: ${checked.length} plans checked; notes:\n  ${[...notes].join('\n  ')}`)
		// RT_PLANS_VERBOSE=1: one line per statement and plan kind, with how each relation is read.
		if (process.env.RT_PLANS_VERBOSE) for (const c of checked) console.log(`${c.label} [${c.plan}${c.reachable ? '' : ', unreachable'} ${c.cost}] ${c.scans.join('; ')}`)
	})

	test('focus view: sample, neighbours, next pending, own review, others’ flags, progress', async () => {
		const { participantId, externalId, position, roundId, userId } = ids
		await expectIndexed([
			['getFocusView (what the page reads, in one statement)', () => getFocusView({ roundId, userId, externalId })],
			['getReviewTarget (the verdict’s guard)', () => getReviewTarget({ roundId, userId, externalId })],
			['nextPending (after)', () => nextPending(participantId, position)],
			['nextPending (wrap)', () => nextPending(participantId)],
			['getProgress', () => getProgress(participantId)],
			['getQueue (round home)', () => getQueue(participantId)],
		])
	})

	test('inbox: every filter kind and sort, affected groups, issue pages', async () => {
		const { versionId, ownerId: userId } = ids
		const base = InboxFilterSchema.parse({})
		const views: Array<Partial<InboxFilter>> = [
			{},
			{ status: 'open' },
			{ status: 'acknowledged' },
			{ status: 'resolved' },
			{ status: 'all' },
			{ blocking: 'yes' },
			{ blocking: 'no' },
			{ kind: 'sample' },
			{ kind: 'template' },
			{ kind: 'use_case' },
			{ category: 'stereotype' },
			{ severity: 'critical' },
			{ group: 'older adults' },
			{ attribute: 'persona.origin=Lagos' },
			{ assignee: 'me' },
			{ assignee: 'none' },
			{ reReview: 'yes' },
			{ sort: 'oldest' },
			{ sort: 'flaggers' },
			{ sort: 'severity' },
			{ sort: 'updated' },
			{ status: 'all', sort: 'severity', page: 20 },
			{ blocking: 'yes', status: 'open', category: 'caricature', severity: 'major', sort: 'flaggers' },
		]
		await expectIndexed([
			...views.map((v): [string, () => Promise<unknown>] => [`listIssues ${JSON.stringify(v)}`, () => listIssues({ versionId, userId, filter: { ...base, ...v } })]),
			['listAffectedGroups', () => listAffectedGroups(versionId)],
			['getIssue (sample)', () => getIssue({ versionId, number: ids.issueNumber })],
			['getIssue (use case)', () => getIssue({ versionId, number: ids.useCaseIssueNumber })],
		])
	})

	test('gate: the API’s one-statement lookup, counts and the open blockers', async () => {
		const created = await createApiToken({ userId: ids.ownerId, name: 'plans', datasetSlugs: ['ds-0'] })
		if (!('token' in created)) throw new Error('token not created')
		await expectIndexed([
			['gateLookup (token, rate limit, scope, version, counts)', () => gateLookup({ token: created.token.token, slug: 'ds-0', label: 'v1', limit: 1000, windowSeconds: 60 })],
			['gateCounts', () => gateCounts(ids.versionId)],
			['listOpenBlockers', () => listOpenBlockers(ids.versionId)],
		])
	})

	test('insights: every aggregate, for the version and for one round', async () => {
		const calls: Array<[string, () => Promise<unknown>]> = [
			['listInsightRounds', () => listInsightRounds(ids.versionId)],
			['roundProgress', () => roundProgress(ids.roundId)],
		]
		for (const scope of [{ versionId: ids.versionId }, { versionId: ids.versionId, roundId: ids.roundId }]) {
			const s = scope.roundId ? 'round' : 'version'
			calls.push(
				[`getCoverage (${s})`, () => getCoverage(scope)],
				[`getParticipation (${s})`, () => getParticipation(scope)],
				[`getFlagBreakdown (${s})`, () => getFlagBreakdown(scope)],
				[`getFlagRateByAttribute (${s})`, () => getFlagRateByAttribute(scope, 'persona.origin')],
				[`getAgreement (${s})`, () => getAgreement(scope)],
				[`listMinoritySignal (${s})`, () => listMinoritySignal(scope, 1)],
				[`listMinoritySignal past the end (${s})`, () => listMinoritySignal(scope, 10_000)],
			)
		}
		await expectIndexed(calls)
	})

	test('report', async () => {
		const version = (await getVersion({ datasetId: ids.datasetId, label: 'v1' }))!
		await expectIndexed([['getConsultationReport', () => getConsultationReport({ dataset: { slug: ids.slug, name: ids.name }, version })]])
	})

	test('My feedback and the use-case discussion', async () => {
		const actor = { userId: ids.userId, datasetId: ids.datasetId, participantId: ids.participantId, roundId: ids.roundId }
		await expectIndexed([
			['listMyFeedback', () => listMyFeedback(ids.userId)],
			['listMyFeedback page 2', () => listMyFeedback(ids.userId, 2)],
			['listThread', () => listThread({ useCaseId: ids.useCaseId, actor })],
		])
	})

	test('the busiest writes: a verdict, a flag, a triage action, an opposed comment', async () => {
		const { roundId, participantId, userId, pendingSampleId: sampleId, pendingExternalId } = ids
		const flag = {
			intent: 'flag' as const,
			category: 'stereotype' as const,
			severity: 'major' as const,
			affectedGroups: [],
			rationale: 'A stock figure.',
			suggestedRewrite: '',
			quotedSpan: '',
			unsure: false,
		}
		// A session of the reviewer's, for the local queue's one-statement exchange.
		await query(sql`insert into sessions (id, user_id, expires_at) values (${sha256Hex('query-plans-session')}, ${userId}, now() + interval '30 days') on conflict do nothing`)
		await expectIndexed([
			[
				'quickSync (the local queue’s exchange: session, guard, key, verdict, refill)',
				() =>
					quickSync({
						roundId,
						user: freshSessionUserSql('query-plans-session'),
						externalId: pendingExternalId,
						key: 'query-plans-key',
						verdict: { kind: 'no_concerns' },
						refill: { have: [pendingExternalId], want: 5, after: 0 },
					}),
			],
			['reviewQueue (the local queue’s refill, the long way)', () => reviewQueue({ participantId, roundId, after: 0, have: [], n: 5, withOthers: true })],
			['quickVerdict (the review loop’s POST: guard, verdict, next sample)', () => quickVerdict({ roundId, userId, externalId: pendingExternalId, verdict: { kind: 'no_concerns' } })],
			['saveVerdict (no concerns)', () => saveVerdict({ roundId, participantId, sampleId, verdict: { kind: 'no_concerns' } })],
			['saveVerdict (flag)', () => saveVerdict({ roundId, participantId, sampleId, verdict: { kind: 'flag', flag } })],
			[
				'triageIssue (acknowledge)',
				() =>
					triageIssue({
						versionId: ids.versionId,
						issueId: ids.openIssueId,
						actor: { userId: ids.ownerId, datasetId: ids.datasetId },
						input: { intent: 'acknowledge', revision: ids.openIssueRevision },
					}),
			],
			[
				'addComment (opposed)',
				() => addComment({ useCaseId: ids.useCaseId, actor: { userId: ids.userId, datasetId: ids.datasetId, participantId, roundId }, stance: 'opposed', body: 'This use case should not go ahead.' }),
			],
		])
	})
})
