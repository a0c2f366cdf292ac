/**
 * The demo's consultations, played through the same models the pages call: rounds are created and
 * opened, participants are invited, accept and consent, review their queues, discuss a use case,
 * and the team triages. One round stays open (with work waiting for the demo reviewers), one is
 * closed with every issue resolved, so its report reads as a finished consultation.
 */
import { and, eq } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { issues } from '#db/schema/issues.ts'
import { FlagSchema } from '#app/domain/review.ts'
import { addComment } from '#app/models/comment.server.ts'
import { recordConsent } from '#app/models/participation.server.ts'
import { acceptInvitation, inviteToRound } from '#app/models/invitation.server.ts'
import { getReviewTarget, quickVerdict, saveVerdict } from '#app/models/review.server.ts'
import { afterRoundClosed, afterRoundOpened } from '#app/models/round-flow.server.ts'
import { changeRoundStatus, createRound, getParticipant, getQueue, getRoundWithDataset } from '#app/models/round.server.ts'
import { triageIssue } from '#app/models/triage.server.ts'
import { listUseCases } from '#app/models/use-case.server.ts'
import { db } from '#app/utils/db.server.ts'
import { configuredOrigin, getEnv } from '#app/utils/env.server.ts'
import { isSupportedLanguage } from '#app/utils/i18n.ts'
import { closedRound, closedTriage, demoParticipants, discussion, openRound, openTriage, plannedFlags, plannedSkips } from './demo-consultation-data.ts'

type Person = { id: string; email: string; role: 'community' | 'expert'; preferredLanguage: string; expertise?: string; demoReviewer: boolean }
type Seeded = { datasetId: string; slug: string; versionId: string; importId: string }

const DAY = 86_400_000

/** Adds the pseudonymous participants' accounts (same password hash as the demo accounts). */
async function participantAccounts(passwordHash: string): Promise<Person[]> {
	const rows = await db
		.insert(users)
		.values(demoParticipants.map((p) => ({ email: p.email, displayName: p.displayName, preferredLanguage: p.preferredLanguage, passwordHash })))
		.onConflictDoNothing({ target: users.email })
		.returning({ id: users.id, email: users.email })
	return demoParticipants.flatMap((p) => {
		const row = rows.find((r) => r.email === p.email)
		return row ? [{ id: row.id, email: p.email, role: p.role, preferredLanguage: p.preferredLanguage, expertise: 'expertise' in p ? p.expertise : undefined, demoReviewer: false }] : []
	})
}

/** Invited by the owner, accepted from the link, consented: a participant of the round. */
async function join(roundId: string, ownerId: string, person: Person) {
	const language = isSupportedLanguage(person.preferredLanguage) ? person.preferredLanguage : 'en'
	const [outcome] = await inviteToRound({ roundId, lines: [{ line: 1, email: person.email, role: person.role }], message: '', language, createdBy: ownerId })
	if (!outcome?.token) throw new Error(`demo: no invitation for ${person.email}`)
	const accepted = await acceptInvitation(outcome.token, { id: person.id, email: person.email })
	if (!accepted.ok) throw new Error(`demo: invitation not accepted (${accepted.reason})`)
	const round = (await getRoundWithDataset(roundId))!
	const participant = (await getParticipant({ roundId, userId: person.id }))!
	await recordConsent({ round, participant, choices: { showName: false, warnEachTime: false, expertise: person.expertise ?? '' } })
	return participant.id
}

async function setStatus(roundId: string, action: 'open' | 'close', actorId: string) {
	const round = (await getRoundWithDataset(roundId))!
	const changed = await changeRoundStatus({ roundId, action, revision: round.revision, actorId })
	if (!changed.ok) throw new Error(`demo: could not ${action} the round (${changed.reason})`)
	const env = getEnv()
	const origin = configuredOrigin(env) ?? `http://localhost:${env.PORT}`
	if (action === 'open') await afterRoundOpened(roundId, origin)
	else await afterRoundClosed(roundId, origin)
}

/** Reviews the first `limit` samples waiting in the person's queue, as the review page records them. */
async function review(roundId: string, person: Person, participantId: string, limit: number, seen: Map<string, number>) {
	const { queue } = await getQueue(participantId)
	for (const item of queue.filter((q) => !q.completed).slice(0, limit)) {
		const planned = plannedFlags[item.externalId]
		if (planned) {
			const n = seen.get(item.externalId) ?? 0
			seen.set(item.externalId, n + 1)
			const flag = FlagSchema.parse({ intent: 'flag', unsure: false, ...planned[n % planned.length]! })
			const target = (await getReviewTarget({ roundId, userId: person.id, externalId: item.externalId }))!
			await saveVerdict({ roundId, participantId, sampleId: target.assignment!.sampleId, verdict: { kind: 'flag', flag } })
		} else {
			// Assignment is random, but a sample's reviewers are distinct people, at most two of them demo reviewers: one of the others skips it.
			const skip = person.demoReviewer ? undefined : plannedSkips[item.externalId]
			await quickVerdict({ roundId, userId: person.id, externalId: item.externalId, verdict: skip ? { kind: 'skipped', reason: skip } : { kind: 'no_concerns' } })
		}
	}
}

async function issuesOf(versionId: string) {
	return db
		.select({ id: issues.id, externalId: issues.externalId, revision: issues.revision })
		.from(issues)
		.where(and(eq(issues.versionId, versionId), eq(issues.kind, 'sample')))
}

async function newRound(
	ds: Seeded,
	ownerId: string,
	settings: { title: string; guidelines: string; contentWarning: string; closesAt: Date | null; overlap: number; expertiseOptions: string[] },
	externalIds?: readonly string[],
) {
	const created = await createRound({
		versionId: ds.versionId,
		importId: ds.importId,
		userId: ownerId,
		settings: { stage: 'validation', opensAt: null, blindReview: true, blockThreshold: 2, opposedBlocks: true, ...settings },
		selection: externalIds ? { mode: 'manual', externalIds: [...externalIds] } : { mode: 'all' },
	})
	if (!('roundId' in created)) throw new Error(`demo: round not created (${created.error})`)
	return created.roundId
}

/** A round closed with every issue resolved: the report of a finished consultation. */
async function seedClosedRound(ds: Seeded, ownerId: string, people: Person[]) {
	const roundId = await newRound(
		ds,
		ownerId,
		{ title: closedRound.title, guidelines: closedRound.guidelines, contentWarning: '', closesAt: null, overlap: 2, expertiseOptions: [] },
		closedRound.samples,
	)
	const joined = new Map<string, string>()
	for (const p of people) joined.set(p.id, await join(roundId, ownerId, p))
	await setStatus(roundId, 'open', ownerId)
	const seen = new Map<string, number>()
	for (const p of people) await review(roundId, p, joined.get(p.id)!, Infinity, seen)
	for (const issue of await issuesOf(ds.versionId)) {
		const plan = issue.externalId ? closedTriage[issue.externalId] : undefined
		if (!plan) continue
		const outcome = await triageIssue({
			versionId: ds.versionId,
			issueId: issue.id,
			actor: { userId: ownerId, datasetId: ds.datasetId },
			input: { intent: 'resolve', revision: issue.revision, note: '', ...plan },
		})
		if (!outcome.ok) throw new Error(`demo: triage failed (${outcome.reason})`)
	}
	await setStatus(roundId, 'close', ownerId)
}

/** A round in progress: everyone but the demo reviewers has finished; a use case is being discussed. */
async function seedOpenRound(ds: Seeded, ownerId: string, people: Person[]) {
	const roundId = await newRound(ds, ownerId, {
		title: openRound.title,
		guidelines: openRound.guidelines,
		contentWarning: openRound.contentWarning,
		closesAt: new Date(Date.now() + 10 * DAY),
		overlap: 3,
		expertiseOptions: openRound.expertiseOptions,
	})
	const joined = new Map<string, string>()
	for (const p of people) joined.set(p.id, await join(roundId, ownerId, p))
	await setStatus(roundId, 'open', ownerId)
	const seen = new Map<string, number>()
	for (const p of people) await review(roundId, p, joined.get(p.id)!, p.demoReviewer ? openRound.demoReviewerDone : Infinity, seen)

	const useCase = (await listUseCases(ds.datasetId)).find((u) => u.title === discussion.useCaseTitle)!
	const byEmail = new Map(people.map((p) => [p.email, p]))
	const actorFor = (by: string) => {
		if (by === 'team') return { userId: ownerId, datasetId: ds.datasetId, participantId: null }
		const person = byEmail.get(by)!
		return { userId: person.id, datasetId: ds.datasetId, participantId: joined.get(person.id)!, roundId }
	}
	for (const thread of discussion.threads) {
		const started = await addComment({ useCaseId: useCase.id, actor: actorFor(thread.by), stance: thread.stance, body: thread.body })
		if (!started.ok) throw new Error(`demo: comment refused (${started.error})`)
		for (const reply of thread.replies) {
			const added = await addComment({ useCaseId: useCase.id, actor: actorFor(reply.by), body: reply.body, parentId: started.id })
			if (!added.ok) throw new Error(`demo: reply refused (${added.error})`)
		}
	}

	for (const issue of await issuesOf(ds.versionId)) {
		const plan = issue.externalId ? openTriage[issue.externalId] : undefined
		if (!plan) continue
		const input = plan.intent === 'acknowledge' ? { intent: 'acknowledge' as const, revision: issue.revision } : { ...plan, revision: issue.revision, note: '' }
		const outcome = await triageIssue({ versionId: ds.versionId, issueId: issue.id, actor: { userId: ownerId, datasetId: ds.datasetId }, input })
		if (!outcome.ok) throw new Error(`demo: triage failed (${outcome.reason})`)
	}
}

/**
 * Seeds both consultations. `reviewers` are the demo's own reviewer accounts (they take part in
 * both rounds); the pseudonymous participants are created here.
 */
export async function seedConsultations(input: { ownerId: string; reviewers: Array<Omit<Person, 'demoReviewer'>>; datasets: Seeded[]; passwordHash: string }) {
	const others = await participantAccounts(input.passwordHash)
	const people = [...input.reviewers.map((r) => ({ ...r, demoReviewer: true })), ...others]
	const closed = input.datasets.find((d) => d.slug === closedRound.datasetSlug)
	const open = input.datasets.find((d) => d.slug === openRound.datasetSlug)
	if (closed) await seedClosedRound(closed, input.ownerId, people)
	if (open) await seedOpenRound(open, input.ownerId, people)
}
