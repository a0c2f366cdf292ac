/**
 * How the dataset team sees who gave a piece of feedback (decision 027). The guarantee: the team
 * cannot link feedback to an invited address better than 1 in k, k being the participants of that
 * role in the round who have given feedback. Below the threshold nobody of that role gets a
 * per-person pseudonym ("a community member"), and an expertise is shown on a pseudonym only when
 * at least the threshold of that round's participants of that role declared it.
 */
import { type ParticipantRole } from '#app/domain/enums.ts'

export type Author = { role: ParticipantRole; number: number | null; expertise: string; name: string | null }

export type GroupSizes = {
	/** Participants of (round, role) who have given feedback. */
	feedback: Map<string, number>
	/** Participants of (round, role) who declared (expertise). */
	expertise: Map<string, number>
}

export const groupKey = (roundId: string, role: string) => `${roundId}:${role}`
export const expertiseKey = (roundId: string, role: string, expertise: string) => `${roundId}:${role}:${expertise}`

/** The author as the team may see them: number withheld below the threshold, rare expertise withheld. */
export function attribute(p: { roundId: string; role: ParticipantRole; number: number; expertise: string | null; name: string | null }, sizes: GroupSizes, min: number): Author {
	const k = sizes.feedback.get(groupKey(p.roundId, p.role)) ?? 0
	const shared = p.expertise ? (sizes.expertise.get(expertiseKey(p.roundId, p.role, p.expertise)) ?? 0) : 0
	return {
		role: p.role,
		number: k >= min ? p.number : null,
		expertise: k >= min && p.expertise && shared >= min ? p.expertise : '',
		// A name is shown only because its owner chose to show it.
		name: p.name,
	}
}

/** The key of an author's label: "Community member 4", or "a community member" below the threshold. */
export function authorKey(role: ParticipantRole, number: number | null) {
	if (number === null) return role === 'expert' ? 'rounds:participants.anExpert' : 'rounds:participants.aCommunityMember'
	return role === 'expert' ? 'rounds:participants.expert' : 'rounds:participants.community'
}

/**
 * A pseudonym number for a new participant, drawn uniformly from the numbers not yet taken in
 * 1..max(pool, taken + 1): the number says nothing about when someone joined.
 */
export function drawNumber(taken: readonly number[], pool: number, random: () => number = Math.random) {
	const used = new Set(taken)
	const size = Math.max(pool, taken.length + 1)
	const free: number[] = []
	for (let n = 1; n <= size; n++) if (!used.has(n)) free.push(n)
	// free is never empty: size > number of distinct taken values in range, or beyond it.
	if (!free.length) return Math.max(0, ...taken) + 1
	return free[Math.floor(random() * free.length)]!
}
