/**
 * A version as Croissant 1.1 JSON-LD conforming to the Croissant RAI 1.0 vocabulary (decision 034;
 * docs/pipeline.md maps every field). The dataset it describes is what Roundtable holds of the
 * version: the annotations file (every verdict with its sample), distributed through the API. The
 * RAI fields are written from the consultation: its protocol, platform, agreement, reviewers per
 * sample, the generator, the flags found, the open issues and unreviewed groups, the use cases and
 * the privacy flags. PROV-O links the version to its parent, its seed data and its generation.
 */
import { ANNOTATION_COLUMNS } from './annotations.ts'
import {
	analysisTexts,
	annotationsPerItemText,
	biasTexts,
	type DatasetDocumentation,
	demographicsTexts,
	generatorText,
	limitationTexts,
	privacyTexts,
	protocolText,
	useCaseTexts,
} from './documentation.ts'

export const CROISSANT_CONFORMS_TO = ['http://mlcommons.org/croissant/1.1', 'http://mlcommons.org/croissant/RAI/1.0'] as const

/** The recommended context of the Croissant 1.1 specification (Appendix 1), with PROV-O declared for provenance. */
export const CROISSANT_CONTEXT = {
	'@language': 'en',
	'@vocab': 'https://schema.org/',
	sc: 'https://schema.org/',
	cr: 'http://mlcommons.org/croissant/',
	rai: 'http://mlcommons.org/croissant/RAI/',
	dct: 'http://purl.org/dc/terms/',
	prov: 'http://www.w3.org/ns/prov#',
	citeAs: 'cr:citeAs',
	column: 'cr:column',
	conformsTo: 'dct:conformsTo',
	data: { '@id': 'cr:data', '@type': '@json' },
	dataType: { '@id': 'cr:dataType', '@type': '@vocab' },
	examples: { '@id': 'cr:examples', '@type': '@json' },
	extract: 'cr:extract',
	field: 'cr:field',
	fileObject: 'cr:fileObject',
	fileProperty: 'cr:fileProperty',
	fileSet: 'cr:fileSet',
	format: 'cr:format',
	includes: 'cr:includes',
	isArray: 'cr:isArray',
	isLiveDataset: 'cr:isLiveDataset',
	jsonPath: 'cr:jsonPath',
	key: 'cr:key',
	md5: 'cr:md5',
	parentField: 'cr:parentField',
	path: 'cr:path',
	recordSet: 'cr:recordSet',
	references: 'cr:references',
	regex: 'cr:regex',
	repeated: 'cr:repeated',
	replace: 'cr:replace',
	sdVersion: 'cr:sdVersion',
	separator: 'cr:separator',
	source: 'cr:source',
	subField: 'cr:subField',
	transform: 'cr:transform',
} as const

type FieldSpec = { dataType: string; description: string; isArray?: boolean }

const FIELDS: Record<(typeof ANNOTATION_COLUMNS)[number], FieldSpec> = {
	version: { dataType: 'sc:Text', description: 'The version label.' },
	round: { dataType: 'sc:Text', description: 'The consultation round’s title.' },
	round_stage: { dataType: 'sc:Text', description: 'generation (steering the generator) or validation (before release).' },
	sample_id: { dataType: 'sc:Text', description: 'The sample’s id, stable across versions; null for feedback on the templates.' },
	template_target: { dataType: 'sc:Text', description: 'prompt_templates or persona_definitions for feedback on the generator; else null.' },
	content: { dataType: 'sc:Text', description: 'The sample’s text (null for a chat).' },
	messages: { dataType: 'sc:Text', description: 'The chat turns as a list of {role, content} (null for plain text).' },
	language: { dataType: 'sc:Text', description: 'BCP 47 language tag of the sample.' },
	metadata: { dataType: 'sc:Text', description: 'The sample’s metadata (persona or target-group attributes, prompt id, …) as JSON.' },
	role: { dataType: 'sc:Text', description: 'community or expert.' },
	pseudonym: { dataType: 'sc:Text', description: 'The reviewer’s pseudonym in this round; null where fewer than 3 people of the role gave feedback in it.' },
	verdict: { dataType: 'sc:Text', description: 'no_concerns, flagged (one row per flag), skipped, or commented (a comment on the templates).' },
	category: { dataType: 'sc:Text', description: 'caricature, stereotype, misrepresentation, erasure, demeaning, cultural_default, privacy or other.' },
	severity: { dataType: 'sc:Text', description: 'minor, major or critical.' },
	affected_groups: { dataType: 'sc:Text', description: 'The groups the reviewer named as affected.', isArray: true },
	rationale: { dataType: 'sc:Text', description: 'Why the reviewer flagged it, in their words.' },
	quote: { dataType: 'sc:Text', description: 'The span of the sample the flag is about.' },
	rewrite: { dataType: 'sc:Text', description: 'The reviewer’s suggested rewrite.' },
	unsure: { dataType: 'sc:Boolean', description: 'The reviewer marked the flag as unsure.' },
	skip_reason: { dataType: 'sc:Text', description: 'Why the reviewer skipped the sample (may be empty).' },
	issue_number: { dataType: 'sc:Integer', description: 'The issue the flag fed (#n within the version).' },
	issue_status: { dataType: 'sc:Text', description: 'open, acknowledged or resolved.' },
	issue_resolution: { dataType: 'sc:Text', description: 'removed, regenerated, documented or not_an_issue (resolved issues).' },
	issue_blocking: { dataType: 'sc:Boolean', description: 'Whether the issue blocks the version.' },
}

const dateOnly = (iso: string) => iso.slice(0, 10)

export function toCroissant(d: DatasetDocumentation): Record<string, unknown> {
	const r = d.report
	const p = r.provenance
	const name = `${d.dataset.name} ${r.version.label}`
	const rounds = r.rounds.map((round) => ({
		'@type': 'prov:Activity',
		'prov:label': `Consultation round “${round.title}” (${round.stage} stage)`,
		...(round.openedAt ? { 'prov:startedAtTime': round.openedAt } : {}),
		...(round.closedAt ? { 'prov:endedAtTime': round.closedAt } : {}),
	}))
	return {
		'@context': CROISSANT_CONTEXT,
		'@type': 'sc:Dataset',
		'@id': d.urls.version,
		name,
		description: [
			d.dataset.description.trim() || `Synthetic dataset ${d.dataset.name}.`,
			`This record describes version ${r.version.label} as reviewed in a participatory consultation on Roundtable, with every reviewer verdict as a row of the annotations file.`,
		].join(' '),
		conformsTo: [...CROISSANT_CONFORMS_TO],
		// Roundtable does not record a licence; the team states it when publishing (docs/pipeline.md).
		license: { '@type': 'sc:CreativeWork', name: 'Not recorded in Roundtable: see the dataset’s own terms.' },
		url: d.urls.version,
		creator: { '@type': 'sc:Organization', name: `The ${d.dataset.name} dataset team` },
		datePublished: dateOnly(r.version.createdAt),
		dateCreated: r.version.createdAt,
		dateModified: d.generatedAt,
		version: r.version.label,
		keywords: ['synthetic', 'participatory consultation', 'community review', 'annotations'],
		inLanguage: d.languages,
		isLiveDataset: r.version.status === 'draft' || r.version.status === 'in_consultation',
		sdDatePublished: d.generatedAt,
		distribution: [
			{
				'@type': 'cr:FileObject',
				'@id': 'annotations.jsonl',
				name: 'annotations.jsonl',
				description: 'Every verdict of the consultation as one JSON object per line (an API token of the dataset is needed to download it).',
				contentUrl: d.urls.annotationsJsonl,
				encodingFormat: 'application/jsonlines',
			},
			{
				'@type': 'cr:FileObject',
				'@id': 'annotations.parquet',
				name: 'annotations.parquet',
				description: 'The same rows as Parquet.',
				contentUrl: d.urls.annotationsParquet,
				encodingFormat: 'application/x-parquet',
				sameAs: 'annotations.jsonl',
			},
		],
		recordSet: [
			{
				'@type': 'cr:RecordSet',
				'@id': 'annotations',
				name: 'annotations',
				description: 'One record per reviewer verdict (one per flag of a flagged review). No majority vote: disagreeing verdicts are separate records.',
				field: ANNOTATION_COLUMNS.map((column) => ({
					'@type': 'cr:Field',
					'@id': `annotations/${column}`,
					name: column,
					description: FIELDS[column].description,
					dataType: FIELDS[column].dataType,
					...(FIELDS[column].isArray ? { isArray: true } : {}),
					source: { fileObject: { '@id': 'annotations.jsonl' }, extract: { column } },
				})),
				...(rounds.length ? { 'prov:wasGeneratedBy': rounds } : {}),
			},
		],
		'rai:dataCollection': `Synthetic: generated by ${generatorText(d)}.${p.seedDataDescription.trim() ? ` Seed data: ${p.seedDataDescription.trim()}` : ''}`,
		'rai:dataCollectionType': ['Software Collection'],
		'rai:dataAnnotationProtocol': protocolText(d),
		'rai:dataAnnotationPlatform': ['Roundtable (participatory consultation platform for synthetic datasets)'],
		'rai:dataAnnotationAnalysis': analysisTexts(d),
		'rai:annotationsPerItem': annotationsPerItemText(d),
		'rai:annotatorDemographics': demographicsTexts(d),
		'rai:machineAnnotationTools': [`Generator (the data is machine-written; the annotations are human): ${generatorText(d)}`],
		'rai:dataBiases': biasTexts(d),
		'rai:dataLimitations': limitationTexts(d),
		'rai:dataUseCases': useCaseTexts(d),
		'rai:personalSensitiveInformation': privacyTexts(d),
		'prov:wasDerivedFrom': [
			...(d.urls.parent ? [{ '@id': d.urls.parent }] : []),
			...(p.seedDataDescription.trim() ? [{ '@type': 'prov:Entity', 'prov:label': 'Seed data', description: p.seedDataDescription.trim() }] : []),
		],
		'prov:wasGeneratedBy': {
			'@type': 'prov:Activity',
			'prov:label': `Synthetic generation (${p.generationMethod.replaceAll('_', ' ')})`,
			'prov:wasAssociatedWith': { '@type': 'prov:SoftwareAgent', 'prov:label': generatorText(d) },
			...(p.promptTemplates.trim() ? { description: `Prompt templates: ${p.promptTemplates.trim()}` } : {}),
		},
	}
}
