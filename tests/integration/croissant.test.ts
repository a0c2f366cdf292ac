import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { and, eq } from 'drizzle-orm'
import { describe, expect, test } from 'vitest'
import { users } from '#db/schema/accounts.ts'
import { samples } from '#db/schema/datasets.ts'
import { issues } from '#db/schema/issues.ts'
import { participants } from '#db/schema/rounds.ts'
import { ANNOTATION_COLUMNS } from '#app/domain/annotations.ts'
import { type FlagInput } from '#app/domain/review.ts'
import { UseCaseSchema } from '#app/domain/use-case.ts'
import { getDatasetForMember } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { saveVerdict } from '#app/models/review.server.ts'
import { triageIssue } from '#app/models/triage.server.ts'
import { createUseCase } from '#app/models/use-case.server.ts'
import { getVersion } from '#app/models/version.server.ts'
import * as apiCroissant from '#app/routes/api+/v1.datasets.$dataset.versions.$version.croissant[.]json.ts'
import { loader as webCroissant } from '#app/routes/datasets+/$slug+/versions.$label+/croissant[.]json.ts'
import { loader as cardLoader } from '#app/routes/datasets+/$slug+/versions.$label+/dataset-card[.]md.ts'
import { action as newVersion } from '#app/routes/datasets+/$slug+/versions.new.tsx'
import { action as newDataset } from '#app/routes/datasets+/new.tsx'
import { getUser } from '#app/utils/auth.server.ts'
import { db } from '#app/utils/db.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { flagInput } from '#tests/flag-input.ts'
import { account, apiTokenFor, createRound, joinAs, P, setRoundStatus } from '#tests/round-fixtures.ts'
import { formRequest, getRequest, run, TEST_ORIGIN } from '#tests/route-utils.ts'
import { useSmtpSink } from '#tests/use-smtp-sink.ts'

useTestDatabase()

const sink = useSmtpSink()

// The JSON Schema written from the Croissant 1.1 and RAI 1.0 specifications. No format plugin is a
// dependency, so the three formats it uses are defined here.
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true })
ajv.addFormat('uri', (s: string) => URL.canParse(s))
ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/)
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)))
const validateCroissant = ajv.compile(JSON.parse(readFileSync('tests/fixtures/croissant/croissant-1.1-rai-1.0.schema.json', 'utf8')) as object)

const problems = (value: unknown) => (validateCroissant(value) ? [] : (validateCroissant.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`))

const COMMUNITY = ['amaliacroissant', 'benedictcroissant', 'cordeliacroissant'] as const
const EXPERT = 'desmondcroissant'

/** Dataset "hints" v1 (English and Spanish samples, three regions, one never reviewed), three community members and an expert. */
async function consultation() {
	const owner = await account('croissantowner')
	await run(newDataset, formRequest('/d', { name: 'Tutoring *hints* <b>', slug: 'hints', description: 'Hints for maths tutoring, written by an LLM.' }, { cookie: owner }))
	await run(
		newVersion,
		formRequest(
			'/v',
			{
				label: 'v1',
				generationMethod: 'persona_simulation',
				modelName: 'Llama-3-70B-Instruct',
				modelVersion: '2024-07',
				modelProvider: 'Meta',
				seedDataDescription: '200 hints written by teachers',
				knownLimitations: 'Regional dialects are flattened.',
			},
			{ cookie: owner },
		),
		{},
		{ slug: 'hints' },
	)
	const me = (await getUser(getRequest('/', { cookie: owner })))!
	const dataset = (await getDatasetForMember({ slug: 'hints', userId: me.id }))!
	const version = (await getVersion({ datasetId: dataset.id, label: 'v1' }))!
	const lines = [
		{ id: 'h-0', content: 'Abuela bakes all day.', language: 'es', metadata: { persona: { region: 'Oaxaca' } } },
		{ id: 'h-1', content: 'Grandpa tells stories.', language: 'en', metadata: { persona: { region: 'Amman' } } },
		{ id: 'h-2', content: 'Ali, 34, of 12 Elm Street.', language: 'en', metadata: { persona: { region: 'Amman' } } },
		{ id: 'h-3', content: 'Never reviewed.', language: 'en', metadata: { persona: { region: 'Lagos' } } },
	]
	await runImport({
		versionId: version.id,
		format: 'jsonl',
		filename: 'h.jsonl',
		userId: me.id,
		source: (async function* () {
			yield new TextEncoder().encode(lines.map((l) => JSON.stringify(l)).join('\n'))
		})(),
	})
	await createUseCase(dataset.id, UseCaseSchema.parse({ title: 'Tutoring app', purpose: 'Fine-tune a hint model.', pipelineStage: 'fine_tuning' }), me.id)

	const roundId = await createRound(owner, { title: 'Community check', overlap: '4' })
	for (const name of COMMUNITY) await joinAs(owner, roundId, name, sink.messages)
	await joinAs(owner, roundId, EXPERT, sink.messages, 'expert')
	await setRoundStatus(owner, roundId, 'open')
	const participantOf = async (name: string) =>
		(
			await db
				.select({ id: participants.id })
				.from(participants)
				.innerJoin(users, eq(users.id, participants.userId))
				.where(and(eq(participants.roundId, roundId), eq(users.email, `${name}@example.org`)))
		)[0]!
	const [a, b, c, ex] = await Promise.all([...COMMUNITY, EXPERT].map(participantOf))
	const importId = (await getVersion({ datasetId: dataset.id, label: 'v1' }))!.currentImportId!
	const sampleId = async (x: string) =>
		(
			await db
				.select({ id: samples.id })
				.from(samples)
				.where(and(eq(samples.importId, importId), eq(samples.externalId, x)))
		)[0]!.id
	const verdict = async (p: { id: string }, x: string, v: Parameters<typeof saveVerdict>[0]['verdict']) => saveVerdict({ roundId, participantId: p.id, sampleId: await sampleId(x), verdict: v })
	const flag = (over: Partial<FlagInput> = {}) => ({ kind: 'flag' as const, flag: flagInput(over) })
	// h-0: two community members flag it, the third and the expert see no concerns.
	await verdict(a!, 'h-0', flag({ category: 'caricature', affectedGroups: ['Oaxacan grandmothers'] }))
	await verdict(b!, 'h-0', flag({ category: 'stereotype' }))
	await verdict(c!, 'h-0', { kind: 'no_concerns' })
	await verdict(ex!, 'h-0', { kind: 'no_concerns' })
	// h-1: nobody flags; h-2: the expert flags privacy.
	for (const p of [a!, b!, c!]) await verdict(p, 'h-1', { kind: 'no_concerns' })
	await verdict(ex!, 'h-2', flag({ category: 'privacy', severity: 'major', affectedGroups: [] }))
	await verdict(a!, 'h-2', { kind: 'no_concerns' })
	// The caricature issue is kept and documented.
	const [first] = await db
		.select({ id: issues.id, revision: issues.revision })
		.from(issues)
		.where(and(eq(issues.versionId, version.id), eq(issues.externalId, 'h-0')))
	expect(
		await triageIssue({
			versionId: version.id,
			issueId: first!.id,
			actor: { userId: me.id, datasetId: dataset.id },
			input: { intent: 'resolve', revision: first!.revision, resolution: 'documented', publicResponse: 'Kept; the grandmother persona is listed as a limitation.', note: '' },
		}),
	).toMatchObject({ ok: true })
	const created = await apiTokenFor(owner, 'ci')
	const token = created
	const identities = (await db.select({ id: users.id, email: users.email, name: users.displayName }).from(users)).flatMap((u) => [u.id, u.email, u.name])
	return { owner, token, identities }
}

const apiGet = (token: string, dataset = 'hints') =>
	apiCroissant.loader({
		request: new Request(`${TEST_ORIGIN}/api/v1/datasets/${dataset}/versions/v1/croissant.json`, { headers: { Authorization: `Bearer ${token}` } }),
		params: { dataset, version: 'v1' },
		context: {},
	} as never)

describe('Croissant', () => {
	test('the API answers Croissant 1.1 JSON-LD with the RAI 1.0 fields, valid against the schema written from the specifications', async () => {
		const w = await consultation()
		const res = await apiGet(w.token)
		expect(res.status).toBe(200)
		expect(res.headers.get('Content-Type')).toBe('application/ld+json; charset=utf-8')
		const text = await res.text()
		const doc = JSON.parse(text) as Record<string, unknown>
		expect(problems(doc)).toEqual([])
		for (const secret of w.identities) expect(text).not.toContain(secret)

		expect(doc.conformsTo).toEqual(['http://mlcommons.org/croissant/1.1', 'http://mlcommons.org/croissant/RAI/1.0'])
		expect(doc.inLanguage).toEqual(['en', 'es'])
		// Every field reads a column of a file the record distributes, and the columns are the export's.
		const distribution = doc.distribution as Array<{ '@id': string; contentUrl: string }>
		const ids = new Set(distribution.map((f) => f['@id']))
		const [recordSet] = doc.recordSet as Array<{ field: Array<{ name: string; source: { fileObject: { '@id': string }; extract: { column: string } } }> }>
		expect(recordSet!.field.map((f) => f.source.extract.column)).toEqual([...ANNOTATION_COLUMNS])
		for (const f of recordSet!.field) expect(ids.has(f.source.fileObject['@id'])).toBe(true)
		expect(distribution[0]!.contentUrl).toBe(`${TEST_ORIGIN}/api/v1/datasets/hints/versions/v1/annotations?format=jsonl`)

		const rai = (key: string) => [doc[`rai:${key}`]].flat().join('\n')
		for (const key of [
			'dataAnnotationProtocol',
			'dataAnnotationPlatform',
			'dataAnnotationAnalysis',
			'annotationsPerItem',
			'machineAnnotationTools',
			'dataBiases',
			'dataLimitations',
			'dataUseCases',
			'personalSensitiveInformation',
		])
			expect(rai(key), key).not.toBe('')
		expect(rai('dataAnnotationProtocol')).toContain('“Community check” (validation stage, open): all samples, 4 reviewers per sample')
		expect(rai('dataAnnotationAnalysis')).toMatch(/Krippendorff’s alpha \(nominal\) -?\d\.\d{3,} over 3 samples/)
		// h-0 and h-2 were reviewed by both roles: community members flagged h-0, the expert flagged h-2.
		expect(rai('dataAnnotationAnalysis')).toContain(
			'of 2 samples reviewed by both community members and experts, community members flagged 1 (50%) that no expert flagged, and experts flagged 1 (50%)',
		)
		expect(rai('dataAnnotationAnalysis')).toContain('No majority vote')
		expect(rai('annotationsPerItem')).toContain('Target: 4 reviewers per sample')
		expect(rai('annotationsPerItem')).toContain('9 verdicts on 3 samples')
		expect(rai('machineAnnotationTools')).toContain('Llama-3-70B-Instruct version 2024-07 from Meta, persona simulation')
		expect(rai('dataBiases')).toContain('1 caricature flag on 1 sample.')
		expect(rai('dataBiases')).toContain('Oaxacan grandmothers')
		expect(rai('dataLimitations')).toContain('Regional dialects are flattened.')
		expect(rai('dataLimitations')).toContain('kept and documented: Kept; the grandmother persona is listed as a limitation.')
		expect(rai('dataLimitations')).toContain('Not consulted: no sample with persona.region = Lagos was reviewed.')
		expect(rai('dataUseCases')).toContain('Tutoring app (fine tuning). Fine-tune a hint model.')
		expect(rai('personalSensitiveInformation')).toMatch(/1 privacy flag .*issues #\d+ open/)
		expect(rai('annotatorDemographics')).toContain('3 community members and fewer than 3 experts')
		expect(doc['prov:wasGeneratedBy']).toMatchObject({ '@type': 'prov:Activity', 'prov:wasAssociatedWith': { '@type': 'prov:SoftwareAgent' } })
		expect(doc['prov:wasDerivedFrom']).toEqual([{ '@type': 'prov:Entity', 'prov:label': 'Seed data', description: '200 hints written by teachers' }])
	})

	test('the schema refuses what the specifications do not allow (it can fail)', async () => {
		const w = await consultation()
		const doc = (await (await apiGet(w.token)).json()) as Record<string, unknown>
		expect(problems({ ...doc, conformsTo: ['http://mlcommons.org/croissant/1.1'] })).not.toEqual([])
		expect(problems({ ...doc, 'rai:dataAnnotationProtocol': ['two', 'values'] })).not.toEqual([])
		expect(problems({ ...doc, 'rai:annotatorDemographic': 'a typo' })).not.toEqual([])
		const { license: _, ...unlicensed } = doc
		expect(problems(unlicensed)).not.toEqual([])
		expect(problems({ ...doc, distribution: [{ '@type': 'cr:FileObject', '@id': 'x', name: 'x', encodingFormat: 'text/csv' }] })).not.toEqual([])
	})

	test('the report page’s download is the same document; a stranger gets 404, another dataset’s token 404', async () => {
		const w = await consultation()
		const web = (await webCroissant({ request: getRequest('/x', { cookie: w.owner }), params: P, context: {} } as never)) as Response
		expect(web.headers.get('Content-Disposition')).toBe('attachment; filename="hints-v1-croissant.json"')
		const strip = (d: Record<string, unknown>) => ({ ...d, dateModified: null, sdDatePublished: null })
		expect(strip((await web.json()) as Record<string, unknown>)).toEqual(strip((await (await apiGet(w.token)).json()) as Record<string, unknown>))
		const stranger = await account('strangercroissant')
		await expect(webCroissant({ request: getRequest('/x', { cookie: stranger }), params: P, context: {} } as never)).rejects.toMatchObject({ status: 404 })
		expect((await apiGet(w.token, 'other')).status).toBe(404)
	})
})

describe('the Hugging Face dataset card', () => {
	test('YAML front matter, the template’s sections filled from the consultation, user text escaped, no identity', async () => {
		const w = await consultation()
		const res = (await cardLoader({ request: getRequest('/x', { cookie: w.owner }), params: P, context: {} } as never)) as Response
		expect(res.headers.get('Content-Type')).toBe('text/markdown; charset=utf-8')
		expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="hints-v1-README.md"')
		const card = await res.text()
		const [, front] = /^---\n([\s\S]*?)\n---\n/.exec(card) ?? []
		expect(front).toBeDefined()
		expect(front).toContain('annotations_creators:\n  - "expert-generated"\n  - "other"')
		expect(front).toContain('language:\n  - "en"\n  - "es"')
		expect(front).toContain('tags:\n  - "synthetic"')
		expect(front).toContain('size_categories:\n  - "n<1K"')
		expect(front).toContain('pretty_name: "Tutoring *hints* <b> v1"')
		for (const heading of [
			'# Dataset Card for Tutoring \\*hints\\* \\<b\\> v1',
			'#### Annotation process',
			'#### Who are the annotators?',
			'## Bias, Risks, and Limitations',
			'### Recommendations',
			'## Community consultation',
		])
			expect(card).toContain(`\n${heading}\n`)
		expect(card).not.toContain('<b>\n')
		expect(card).toContain('Not consulted: no sample with persona.region = Lagos was reviewed.')
		expect(card).toContain('Consult people depicted as persona.region = Lagos')
		for (const secret of w.identities) expect(card).not.toContain(secret)
	})
})
