import { parse } from 'parse5'
import { describe, expect, test } from 'vitest'
import * as insightsPage from '#app/routes/datasets+/$slug+/versions.$label+/insights.tsx'
import { getI18n } from '#app/utils/i18n.server.ts'
import { renderRoute, type RouteModule } from '#tests/render-route.ts'

type Node = { nodeName: string; attrs?: Array<{ name: string; value: string }>; childNodes?: Node[]; value?: string }
const attr = (n: Node, name: string) => n.attrs?.find((a) => a.name === name)?.value
const all = (n: Node): Node[] => [n, ...(n.childNodes ?? []).flatMap(all)]
const text = (n: Node): string =>
	all(n)
		.map((c) => (c.nodeName === '#text' ? c.value : ''))
		.join('')

/** The tables of the participation section, each as rows of [cell text, colspan]. */
function pageData(participation: unknown, pending = { units: 0, seconds: 0 }) {
	const alpha = { alpha: null, reason: 'no_pairable_units', pairableUnits: 0, pairableValues: 0 }
	return {
		dataset: { slug: 'd', name: 'D' },
		version: { label: 'v1' },
		rounds: [{ id: 'r1', title: 'Round one' }],
		round: { id: 'r1', title: 'Round one', overlap: 3 },
		attributes: [],
		attribute: null,
		coverage: { rounds: [], total: { samples: 0, covered: 0, started: 0 } },
		participation,
		flags: { byCategory: [], bySeverity: [], total: 0 },
		rate: null,
		agreement: { overall: alpha, byCategory: [] },
		minority: { total: 0, page: 1, pageSize: 50, rows: [] },
		pending,
	}
}

async function participationTables(participation: unknown) {
	const html = await renderRoute(insightsPage as RouteModule, { path: '/datasets/d/versions/v1/insights?round=r1', data: pageData(participation) })
	const section = all(parse(html) as Node).find((n) => attr(n, 'aria-labelledby') === 'participation-heading')!
	return all(section)
		.filter((n) => n.nodeName === 'table')
		.map((table) =>
			all(table)
				.filter((n) => n.nodeName === 'tr')
				.map((tr) => (tr.childNodes ?? []).filter((c) => c.nodeName === 'th' || c.nodeName === 'td').map((c) => [text(c), Number(attr(c, 'colspan') ?? 1)] as const)),
		)
}

const t = getI18n('en').t

describe('participation by role: people, then verdicts', () => {
	test('counts per role, the role as row header, and fewer than three written as such', async () => {
		const [people, verdicts] = await participationTables({
			roles: [
				{ role: 'community', invited: 12, joined: 9, active: 7, withdrawn: null, verdicts: { no_concerns: 40, flagged: 1234, skipped: 2 } },
				{ role: 'expert', invited: 3, joined: 3, active: 3, withdrawn: 0, verdicts: { no_concerns: 1, flagged: 2, skipped: 0 } },
			],
			totalJoined: 12,
		})
		const role = (r: string) => [t(`rounds:roles.${r}`), 1] as const
		const cells = (...values: string[]) => values.map((v) => [v, 1] as const)
		expect(people).toEqual([
			[
				[t('insights:participation.role'), 1],
				...cells(t('insights:participation.invited'), t('insights:participation.joined'), t('insights:participation.active'), t('insights:participation.withdrawn')),
			],
			[role('community'), ...cells('12', '9', '7', t('insights:fewerThan3'))],
			[role('expert'), ...cells('3', '3', '3', '0')],
		])
		expect(verdicts).toEqual([
			[[t('insights:participation.role'), 1], ...cells(t('insights:participation.noConcerns'), t('insights:participation.flagged'), t('insights:participation.skipped'))],
			[role('community'), ...cells('40', '1,234', '2')],
			[role('expert'), ...cells('1', '2', '0')],
		])
	})

	test('a role with fewer than three people has its verdicts withheld in one cell across the columns', async () => {
		const [, verdicts] = await participationTables({
			roles: [
				{ role: 'community', invited: 5, joined: 4, active: 4, withdrawn: 0, verdicts: { no_concerns: 3, flagged: 1, skipped: 0 } },
				{ role: 'expert', invited: null, joined: null, active: null, withdrawn: null, verdicts: null },
			],
			totalJoined: null,
		})
		expect(verdicts![2]).toEqual([
			[t('rounds:roles.expert'), 1],
			[t('insights:participation.withheld'), 3],
		])
	})
})

describe('figures the insights job has not counted yet (decision 057)', () => {
	const none = { roles: [], totalJoined: 0 }
	const status = async (pending: { units: number; seconds: number }) => {
		const html = await renderRoute(insightsPage as RouteModule, { path: '/datasets/d/versions/v1/insights?round=r1', data: pageData(none, pending) })
		return all(parse(html) as Node)
			.filter((n) => attr(n, 'role') === 'status')
			.map(text)
	}

	test('the page says how many changes wait and how old the oldest is, and nothing once all are counted', async () => {
		expect(await status({ units: 1234, seconds: 3 })).toEqual([t('insights:pending', { count: 1234, seconds: 3 })])
		expect(t('insights:pending', { count: 1234, seconds: 3 })).toContain('1,234')
		expect(await status({ units: 0, seconds: 0 })).toEqual([])
	})
})
