import { sql } from 'drizzle-orm'
import * as kept from '#app/models/insight-figures.server.ts'
import * as recounted from '#app/models/insights.server.ts'
import { attributeChoices, type InsightScope } from '#app/models/insights.server.ts'
import { query } from '#app/utils/db.server.ts'

/**
 * The repair path's check (issue #27, decision 057): every figure of the dashboard, as kept and as
 * recounted from the raw rows, for each version and each of its rounds, every attribute the rate can
 * be broken down by, and every page of the minority signal (or its first `minorityPages`). What differs is drift. Changes still
 * waiting to be counted read as drift too: count them first (`refreshInsightFigures`), on a quiet
 * database.
 */
export type Drift = { versionId: string; roundId: string | null; figure: string; kept: unknown; recounted: unknown }

export async function checkInsightFigures({ versionId, minorityPages = Number.POSITIVE_INFINITY }: { versionId?: string; minorityPages?: number } = {}): Promise<{ scopes: number; drift: Drift[] }> {
	const versions = await query<{ id: string; facets: Record<string, Record<string, number>> | null }>(sql`
		select v.id, i.facets from versions v left join imports i on i.id = v.current_import_id
		where ${versionId ? sql`v.id = ${versionId}` : sql`true`} order by v.created_at, v.id`)
	const drift: Drift[] = []
	let scopes = 0
	for (const v of versions) {
		const rounds = await recounted.listInsightRounds(v.id)
		const attributes = attributeChoices(v.facets ?? {}).map((c) => c.key)
		for (const scope of [{ versionId: v.id, roundId: null }, ...rounds.map((r) => ({ versionId: v.id, roundId: r.id }))] as InsightScope[]) {
			scopes++
			const compare = async (figure: string, read: (from: typeof kept | typeof recounted) => Promise<unknown>) => {
				const [a, b] = await Promise.all([read(kept), read(recounted)])
				if (JSON.stringify(a) !== JSON.stringify(b)) drift.push({ versionId: v.id, roundId: scope.roundId ?? null, figure, kept: a, recounted: b })
			}
			await compare('coverage', (from) => from.getCoverage(scope))
			await compare('participation', (from) => from.getParticipation(scope))
			await compare('flags', (from) => from.getFlagBreakdown(scope))
			for (const attribute of attributes) await compare(`rate ${attribute}`, (from) => from.getFlagRateByAttribute(scope, attribute))
			await compare('agreement', (from) => from.getAgreement(scope))
			const first = await recounted.listMinoritySignal(scope, 1)
			const pages = Math.min(minorityPages, Math.max(1, Math.ceil(first.total / first.pageSize)))
			for (let page = 1; page <= pages; page++) await compare(`minority page ${page}`, (from) => from.listMinoritySignal(scope, page))
		}
	}
	return { scopes, drift }
}
