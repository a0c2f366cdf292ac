import { describe, expect, test } from 'vitest'
import { action as editDataset, loader as editDatasetLoader } from '#app/routes/datasets+/$slug+/edit.tsx'
import { loader as overview } from '#app/routes/datasets+/$slug+/_index.tsx'
import { action as teamAction, loader as teamLoader } from '#app/routes/datasets+/$slug+/team.tsx'
import { loader as historyLoader } from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.history.tsx'
import { action as editUseCase } from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.edit.tsx'
import { action as newUseCase } from '#app/routes/datasets+/$slug+/use-cases.new.tsx'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { loader as diffLoader } from '#app/routes/datasets+/$slug+/versions.$label+/diff.tsx'
import { loader as sampleLoader } from '#app/routes/datasets+/$slug+/versions.$label+/samples.$externalId.tsx'
import { loader as browseLoader } from '#app/routes/datasets+/$slug+/versions.$label+/samples._index.tsx'
import { loader as versionLoader } from '#app/routes/datasets+/$slug+/versions.$label+/_index.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { loader as editProvenanceLoader, action as editProvenance } from '#app/routes/datasets+/$slug+/versions.$label+/edit.tsx'
import { action as importAction } from '#app/routes/datasets+/$slug+/versions.$label+/import.tsx'
import { loader as importResult } from '#app/routes/datasets+/$slug+/versions.$label+/imports.$importId.tsx'
import { loader as importProgress } from '#app/routes/datasets+/$slug+/versions.$label+/imports.$importId.progress.ts'
import { loader as newVersionLoader } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { loader as newUseCaseLoader } from '#app/routes/datasets+/$slug+/use-cases.new.tsx'
import { loader as editUseCaseLoader } from '#app/routes/datasets+/$slug+/use-cases.$useCaseId.edit.tsx'
import { loader as myDatasets } from '#app/routes/datasets+/_index.tsx'
import { action as signupAction } from '#app/routes/_auth+/signup.tsx'
import { runImport } from '#app/models/import.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { addMaintainer } from '#tests/team-utils.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { cookiesFrom, formRequest, getRequest, run } from '#tests/route-utils.ts'

useTestDatabase()

async function account(name: string) {
	const res = await run(signupAction, formRequest('/signup', { email: `${name}@example.org`, displayName: name, password: 'long enough password' }))
	return cookiesFrom(res.headers)
}

async function* chunks(text: string) {
	yield new TextEncoder().encode(text)
}

const provenance = { generationMethod: 'persona_simulation', modelName: 'Llama 3.1 70B', modelProvider: 'Meta' }

async function world() {
	const owner = await account('owner')
	const stranger = await account('stranger')
	const created = await run(newDataset, formRequest('/datasets/new', { name: 'Workplace emails', slug: 'emails', description: '**Hi** <script>x</script>' }, { cookie: owner }))
	expect(created.status).toBe(302)
	expect(created.headers.get('Location')).toBe('/datasets/emails')
	return { owner, stranger }
}

async function importInto(cookieOwner: string, label: string, body: string, parent = '') {
	const res = await run(newVersion, formRequest('/datasets/emails/versions/new', { label, parent, ...provenance }, { cookie: cookieOwner }), {}, { slug: 'emails' })
	expect(res.status).toBe(302)
	const user = (await run(myDatasets, getRequest('/datasets', { cookie: cookieOwner }))).data as { datasets: unknown[] }
	expect(user.datasets).toHaveLength(1)
	const ds = await getDatasetForMemberBySlug(cookieOwner)
	const v = await getVersion({ datasetId: ds.id, label })
	await runImport({ versionId: v!.id, format: 'jsonl', filename: `${label}.jsonl`, userId: null, source: chunks(body) })
}

async function getDatasetForMemberBySlug(cookie: string) {
	const { getUser } = await import('#app/utils/auth.server.ts')
	const user = await getUser(getRequest('/', { cookie }))
	return (await getDatasetForMember({ slug: 'emails', userId: user!.id }))!
}

const sample = (id: string, content: string, metadata: Record<string, unknown> = {}, language = 'en') => JSON.stringify({ id, content, language, metadata })

describe('dataset pages', () => {
	test('someone off the team gets 404 on every dataset page, not 403', async () => {
		const { owner, stranger } = await world()
		await importInto(owner, 'v1', sample('e-1', 'hello'))
		await importInto(owner, 'v2', sample('e-1', 'hello again'), 'v1')
		await run(newUseCase, formRequest('/u', { title: 'Eval', pipelineStage: 'evaluation' }, { cookie: owner }), {}, { slug: 'emails' })
		const { useCases } = (await run(overview, getRequest('/', { cookie: owner }), {}, { slug: 'emails' })).data as { useCases: Array<{ id: string }> }
		const ds = await getDatasetForMemberBySlug(owner)
		const v2 = await getVersion({ datasetId: ds.id, label: 'v2' })
		const p = { slug: 'emails', label: 'v2', externalId: 'e-1', useCaseId: useCases[0]!.id, importId: v2!.currentImportId! }
		const loaders = [
			overview,
			editDatasetLoader,
			teamLoader,
			versionLoader,
			browseLoader,
			sampleLoader,
			diffLoader,
			importResult,
			importProgress,
			editProvenanceLoader,
			newVersionLoader,
			newUseCaseLoader,
			editUseCaseLoader,
			historyLoader,
		]
		for (const loader of loaders) {
			const res = await run(loader as never, getRequest('/datasets/emails', { cookie: stranger }), {}, p)
			expect(res.status).toBe(404)
			const own = await run(loader as never, getRequest('/datasets/emails', { cookie: owner }), {}, p)
			expect(own.status).toBe(200)
		}
		const anon = await run(overview, getRequest('/datasets/emails'), {}, p)
		expect(anon.status).toBe(302)
		expect(anon.headers.get('Location')).toMatch(/^\/signin\?redirectTo=/)
		const edit = await run(editDataset, formRequest('/datasets/emails/edit', { name: 'Mine now', slug: 'emails', revision: '1' }, { cookie: stranger }), {}, p)
		expect(edit.status).toBe(404)
		for (const action of [editProvenance, importAction, newVersion, newUseCase, teamAction]) {
			const res = await run(
				action as never,
				formRequest('/x', { label: 'v9', intent: 'add', email: 'stranger@example.org', title: 'x', pipelineStage: 'training', generationMethod: 'other' }, { cookie: stranger }),
				{},
				p,
			)
			expect(res.status).toBe(404)
		}
		expect((await run(overview, getRequest('/', { cookie: owner }), {}, p)).data).toMatchObject({ useCases: [{ title: 'Eval' }] })
	})

	test('a maintainer invited by email accepts, then sees the dataset but cannot change the team; removal ends access', async () => {
		const { owner } = await world()
		const maintainer = await account('maya')
		const { invited, accepted } = await addMaintainer(owner, 'emails', 'MAYA@example.org', maintainer)
		expect(invited.data).toMatchObject({ notice: 'team.invited' })
		expect(accepted.headers.get('Location')).toBe('/datasets/emails')
		expect((await run(overview, getRequest('/', { cookie: maintainer }), {}, { slug: 'emails' })).status).toBe(200)
		expect((await run(teamLoader, getRequest('/', { cookie: maintainer }), {}, { slug: 'emails' })).status).toBe(403)
		// An address without an account gets the same answer as one with: nothing about accounts is told.
		const unknown = await run(teamAction, formRequest('/t', { intent: 'add', email: 'nobody@example.org' }, { cookie: owner }), {}, { slug: 'emails' })
		expect(unknown.data).toMatchObject({ notice: 'team.invited' })
		const team = (await run(teamLoader, getRequest('/', { cookie: owner }), {}, { slug: 'emails' })).data as { team: Array<{ userId: string; role: string }> }
		const m = team.team.find((x) => x.role === 'maintainer')!
		await run(teamAction, formRequest('/t', { intent: 'remove', userId: m.userId }, { cookie: owner }), {}, { slug: 'emails' })
		expect((await run(overview, getRequest('/', { cookie: maintainer }), {}, { slug: 'emails' })).status).toBe(404)
	})

	test('a concurrent edit is refused with 409 and never overwritten silently', async () => {
		const { owner } = await world()
		const first = await run(editDataset, formRequest('/e', { name: 'First', slug: 'emails', revision: '1' }, { cookie: owner }), {}, { slug: 'emails' })
		expect(first.status).toBe(302)
		const second = await run(editDataset, formRequest('/e', { name: 'Second', slug: 'emails', revision: '1' }, { cookie: owner }), {}, { slug: 'emails' })
		expect(second.status).toBe(409)
		const data = (await run(overview, getRequest('/', { cookie: owner }), {}, { slug: 'emails' })).data as { dataset: { name: string; description: string } }
		expect(data.dataset.name).toBe('First')
	})

	test('use case edits keep a viewable history of what changed', async () => {
		const { owner } = await world()
		await run(newUseCase, formRequest('/u', { title: 'Eval', pipelineStage: 'evaluation', purpose: 'Measure harms' }, { cookie: owner }), {}, { slug: 'emails' })
		const { useCases } = (await run(overview, getRequest('/', { cookie: owner }), {}, { slug: 'emails' })).data as { useCases: Array<{ id: string }> }
		const id = useCases[0]!.id
		const saved = await run(
			editUseCase,
			formRequest('/u', { title: 'Eval', pipelineStage: 'scoring', purpose: 'Measure harms', revision: '1' }, { cookie: owner }),
			{},
			{ slug: 'emails', useCaseId: id },
		)
		expect(saved.status).toBe(302)
		const stale = await run(editUseCase, formRequest('/u', { title: 'Stale', pipelineStage: 'training', revision: '1' }, { cookie: owner }), {}, { slug: 'emails', useCaseId: id })
		expect(stale.status).toBe(409)
		const history = (await run(historyLoader, getRequest('/', { cookie: owner }), {}, { slug: 'emails', useCaseId: id })).data as {
			entries: Array<{ revision: number; changes: Array<{ field: string; before: string | null; after: string }> }>
		}
		expect(history.entries.map((e) => e.revision)).toEqual([2, 1])
		expect(history.entries[0]!.changes).toEqual([{ field: 'pipelineStage', before: 'evaluation', after: 'scoring' }])
	})

	test('version labels are unique per dataset', async () => {
		const { owner } = await world()
		await run(newVersion, formRequest('/v', { label: 'v1', ...provenance }, { cookie: owner }), {}, { slug: 'emails' })
		const again = await run(newVersion, formRequest('/v', { label: 'v1', ...provenance }, { cookie: owner }), {}, { slug: 'emails' })
		expect(again.status).toBe(400)
		expect(JSON.stringify(again.data)).toContain('errors.versionLabelTaken')
		const bad = await run(newVersion, formRequest('/v', { label: '../x', ...provenance }, { cookie: owner }), {}, { slug: 'emails' })
		expect(JSON.stringify(bad.data)).toContain('validation.versionLabel')
	})
})

describe('browsing samples', () => {
	const body = Array.from({ length: 120 }, (_, i) =>
		sample(
			`s-${String(i).padStart(3, '0')}`,
			i === 7 ? 'The caricature of a grandmother from Oaxaca' : `plain text number ${i}`,
			{ persona: { origin: i % 3 === 0 ? 'Oaxaca' : 'Lagos' }, age: i % 2 ? 60 : 30 },
			i % 4 === 0 ? 'es' : 'en',
		),
	).join('\n')

	test('keyset pages walk every sample once, in id order', async () => {
		const { owner } = await world()
		await importInto(owner, 'v1', body)
		const seen: string[] = []
		let after = ''
		for (let i = 0; i < 5; i++) {
			const res = await run(browseLoader, getRequest(`/b?${after ? `after=${after}` : ''}`, { cookie: owner }), {}, { slug: 'emails', label: 'v1' })
			const page = (res.data as { page: { samples: Array<{ externalId: string }>; nextCursor: string | null } }).page
			seen.push(...page.samples.map((s) => s.externalId))
			if (!page.nextCursor) break
			after = page.nextCursor
		}
		expect(seen).toHaveLength(120)
		expect(new Set(seen).size).toBe(120)
		expect([...seen].sort()).toEqual(seen)
	})

	test('filters by language, metadata attributes (strings and numbers) and full text', async () => {
		const { owner } = await world()
		await importInto(owner, 'v1', body)
		const get = async (qs: string) =>
			(await run(browseLoader, getRequest(`/b?${qs}`, { cookie: owner }), {}, { slug: 'emails', label: 'v1' })).data as {
				page: { samples: Array<{ externalId: string; language: string }> }
				facets: Array<{ key: string }>
				languages: string[]
			}
		const es = await get('language=es')
		expect(es.page.samples.every((s) => s.language === 'es')).toBe(true)
		expect(es.page.samples).toHaveLength(30)
		expect(es.facets.map((f) => f.key).sort()).toEqual(['age', 'persona.origin'])
		expect(es.languages.sort()).toEqual(['en', 'es'])
		const oaxaca = await get('attr=persona.origin:Oaxaca')
		expect(oaxaca.page.samples).toHaveLength(40)
		const oaxaca60 = await get('attr=persona.origin:Oaxaca&attr=age:60')
		expect(oaxaca60.page.samples).toHaveLength(20)
		const search = await get('q=grandmother')
		expect(search.page.samples.map((s) => s.externalId)).toEqual(['s-007'])
	})

	test('a sample page shows content and metadata; unknown ids are 404', async () => {
		const { owner } = await world()
		await importInto(owner, 'v1', body)
		const res = await run(sampleLoader, getRequest('/s', { cookie: owner }), {}, { slug: 'emails', label: 'v1', externalId: 's-007' })
		expect(res.data).toMatchObject({ sample: { externalId: 's-007', content: 'The caricature of a grandmother from Oaxaca', metadata: { persona: { origin: 'Lagos' }, age: 60 } } })
		expect((await run(sampleLoader, getRequest('/s', { cookie: owner }), {}, { slug: 'emails', label: 'v1', externalId: 'nope' })).status).toBe(404)
	})
})

test('the diff against the parent counts and lists added, removed and changed samples', async () => {
	const { owner } = await world()
	await importInto(owner, 'v1', [sample('a', 'same'), sample('b', 'old text'), sample('c', 'dropped')].join('\n'))
	await importInto(owner, 'v2', [sample('a', 'same', { note: 'metadata only' }), sample('b', 'new text'), sample('d', 'fresh')].join('\n'), 'v1')
	const get = async (kind: string) =>
		(await run(diffLoader, getRequest(`/d?kind=${kind}`, { cookie: owner }), {}, { slug: 'emails', label: 'v2' })).data as {
			counts: Record<string, number>
			page: { ids: string[] }
		}
	const changed = await get('changed')
	expect(changed.counts).toEqual({ added: 1, removed: 1, changed: 1, unchanged: 1 })
	expect(changed.page.ids).toEqual(['b'])
	expect((await get('added')).page.ids).toEqual(['d'])
	expect((await get('removed')).page.ids).toEqual(['c'])
	expect((await run(diffLoader, getRequest('/d', { cookie: owner }), {}, { slug: 'emails', label: 'v1' })).status).toBe(404)
})
