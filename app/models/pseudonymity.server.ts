import { sql } from 'drizzle-orm'
import { expertiseKey, groupKey, type GroupSizes } from '#app/domain/pseudonymity.ts'
import { query } from '#app/utils/db.server.ts'

/**
 * Per round and role: how many participants have given feedback (a verdict, a flag or a comment),
 * and how many declared each expertise. What the team sees of an author depends on both
 * (`attribute` in app/domain/pseudonymity.ts).
 */
export async function groupSizes(roundIds: readonly string[]): Promise<GroupSizes> {
	const ids = [...new Set(roundIds.filter(Boolean))]
	const sizes: GroupSizes = { feedback: new Map(), expertise: new Map() }
	if (!ids.length) return sizes
	const list = sql.join(
		ids.map((id) => sql`${id}::uuid`),
		sql`, `,
	)
	const rows = await query<{ round_id: string; role: string; expertise: string; gave: boolean }>(sql`
		select p.round_id, p.role, p.expertise,
			(exists (select 1 from reviews r where r.participant_id = p.id)
				or exists (select 1 from flags f where f.participant_id = p.id)
				or exists (select 1 from comments c where c.participant_id = p.id and c.deleted_at is null)) as gave
		from participants p where p.round_id in (${list})`)
	for (const r of rows) {
		if (r.gave) sizes.feedback.set(groupKey(r.round_id, r.role), (sizes.feedback.get(groupKey(r.round_id, r.role)) ?? 0) + 1)
		if (r.expertise) {
			const key = expertiseKey(r.round_id, r.role, r.expertise)
			sizes.expertise.set(key, (sizes.expertise.get(key) ?? 0) + 1)
		}
	}
	return sizes
}
