/**
 * What a version's machine-readable documentation says (decision 034): the facts the Croissant
 * file (app/domain/croissant.ts) and the Hugging Face dataset card (app/domain/dataset-card.ts)
 * are written from, gathered once by app/models/documentation.server.ts. Everything here is
 * counts, categories, the team's own texts and public responses: no participant identity, and
 * people counted under the report's small-group rule. The sentences are English, as both formats
 * are read worldwide (Croissant declares `@language: en`).
 */
import { type AlphaResult, formatAgreement } from './metrics.ts'
import { type ConsultationReport, type GroupCount, MIN_GROUP_SIZE } from './report.ts'

export type DatasetDocumentation = {
	generatedAt: string
	dataset: { slug: string; name: string; description: string }
	urls: { version: string; report: string; annotationsJsonl: string; annotationsParquet: string; croissant: string; parent: string | null }
	report: ConsultationReport
	useCases: Array<{ title: string; purpose: string; pipelineStage: string; modelUsers: string; deploymentContext: string }>
	/** BCP 47 tags of the samples, most frequent first. */
	languages: string[]
	agreement: { overall: AlphaResult; byCategory: Array<{ category: string; alpha: number | null }> }
	/** Samples (in a round) reviewed by both roles, and on how many only one role flagged. */
	roleDisagreement: { bothRoles: number; communityOnly: number; expertOnly: number }
	flagsByCategory: Array<{ category: string; flags: number; samples: number }>
	/** Verdicts other than skips, and the (round, sample) pairs they cover. */
	verdicts: { verdicts: number; reviewedSamples: number }
	privacy: { flags: number; issues: Array<{ number: number; status: string; resolution: string | null }> }
	/** Metadata values of the samples that no reviewed sample had: the depicted groups nobody looked at. */
	notConsulted: Array<{ attribute: string; values: string[] }>
	/** Affected groups reviewers named, most named first. */
	groupsNamed: string[]
}

const pct = (n: number, of: number) => (of ? `${Math.round((100 * n) / of)}%` : '—')

export function countPhrase(c: GroupCount, noun: string): string {
	if (c.shown === 'fewer_than_min') return `fewer than ${MIN_GROUP_SIZE} ${noun}`
	if (c.shown === 'withheld') return `an undisclosed number of ${noun} (withheld so small rounds cannot be inferred)`
	return `${c.count ?? 0} ${noun}`
}

export function generatorText(d: DatasetDocumentation): string {
	const p = d.report.provenance
	const model = [p.modelName, p.modelVersion && `version ${p.modelVersion}`, p.modelProvider && `from ${p.modelProvider}`].filter(Boolean).join(' ')
	return `${model || 'An unnamed generative model'}, ${p.generationMethod.replaceAll('_', ' ')}`
}

export function protocolText(d: DatasetDocumentation): string {
	const rounds = d.report.rounds
	if (!rounds.length) return 'No consultation round has been run on this version yet.'
	const parts = rounds.map((r) => {
		const selection =
			r.selection.mode === 'all'
				? 'all samples'
				: r.selection.mode === 'random'
					? `a random selection of ${r.sampleCount} samples (seed ${r.selection.seed ?? '—'})`
					: r.selection.mode === 'stratified'
						? `${r.sampleCount} samples stratified by ${r.selection.attribute ?? '—'}`
						: r.selection.mode === 'signals'
							? `${r.sampleCount} samples aimed where the caricature signals of ${r.selection.attribute ?? '—'} are (weighted, seed ${r.selection.seed ?? '—'})`
							: `${r.sampleCount} hand-picked samples`
		return `“${r.title}” (${r.stage} stage, ${r.status}): ${selection}, ${r.overlap} reviewers per sample, ${r.blindReview ? 'blind review (others’ flags hidden until one’s own verdict)' : 'open review'}`
	})
	return [
		`Samples were reviewed on Roundtable by invited community members from the groups the data depicts and by self-declared experts, in ${rounds.length} round${rounds.length > 1 ? 's' : ''}: ${parts.join('; ')}.`,
		'Each reviewer gave every assigned sample one verdict — no concerns, one or more flags, or a skip with an optional reason. A flag has a category (caricature, stereotype, misrepresentation, erasure, demeaning, cultural default, privacy, other), a severity (minor, major, critical), the affected groups, a rationale, and optionally a quoted span, a suggested rewrite and an “unsure” marker.',
		`An issue is raised for every flagged sample; it blocks the version when a flag is critical, when enough distinct people flag it (the round’s threshold), when an expert flags it major or worse, or when the team marks it blocking. Reviewers are pseudonymous to the dataset team; counts of fewer than ${MIN_GROUP_SIZE} people are not disclosed.`,
	].join(' ')
}

// Three decimals (more only if rounding would cross 0.667 or 0.800): the card is read against those thresholds.
const alphaText = (a: number | null) => (a === null ? 'undefined' : formatAgreement(a, 'en'))

export function analysisTexts(d: DatasetDocumentation): string[] {
	const out: string[] = []
	const a = d.agreement.overall
	out.push(
		a.alpha === null
			? `Agreement between reviewers (Krippendorff’s alpha, nominal, flagged vs no concerns) is undefined: ${a.reason === 'no_variation' ? 'every verdict was the same' : 'no sample had two or more verdicts'}.`
			: `Agreement between reviewers on whether a sample should be flagged: Krippendorff’s alpha (nominal) ${alphaText(a.alpha)} over ${a.pairableUnits} samples with two or more verdicts.`,
	)
	const byCategory = d.agreement.byCategory.filter((c) => c.alpha !== null)
	if (byCategory.length) out.push(`Per category (flagged with it or not): ${byCategory.map((c) => `${c.category} ${alphaText(c.alpha)}`).join(', ')}.`)
	const r = d.roleDisagreement
	out.push(
		r.bothRoles
			? `Disagreement by group: of ${r.bothRoles} samples reviewed by both community members and experts, community members flagged ${r.communityOnly} (${pct(r.communityOnly, r.bothRoles)}) that no expert flagged, and experts flagged ${r.expertOnly} (${pct(r.expertOnly, r.bothRoles)}) that no community member flagged.`
			: 'Disagreement by group: no sample was reviewed by both community members and experts.',
	)
	out.push('No majority vote is applied: every verdict is kept as its own row in the annotations file, so disagreement stays visible, and a single community member’s flag always raises an issue.')
	return out
}

export function annotationsPerItemText(d: DatasetDocumentation): string {
	const overlaps = [...new Set(d.report.rounds.map((r) => r.overlap))]
	const { verdicts, reviewedSamples } = d.verdicts
	const observed = reviewedSamples
		? ` Observed: ${(verdicts / reviewedSamples).toFixed(1)} verdicts per reviewed sample (${verdicts} verdicts on ${reviewedSamples} samples, skips excluded).`
		: ' No sample has been reviewed yet.'
	return `${overlaps.length ? `Target: ${overlaps.join(' or ')} reviewers per sample (the round’s overlap).` : 'No round set a target.'}${observed}`
}

export function demographicsTexts(d: DatasetDocumentation): string[] {
	const p = d.report.participation
	return [
		`Reviewers: ${countPhrase(p.community, 'community members')} and ${countPhrase(p.expert, 'experts')} across the version’s rounds. Community members were invited as members of groups the data depicts; expertise is self-declared. No further demographics are collected, and reviewers are pseudonymous.`,
	]
}

export function biasTexts(d: DatasetDocumentation): string[] {
	const flagged = d.flagsByCategory.filter((c) => c.flags > 0)
	const out = flagged.map((c) => `${c.flags} ${c.category.replaceAll('_', ' ')} flag${c.flags === 1 ? '' : 's'} on ${c.samples} sample${c.samples === 1 ? '' : 's'}.`)
	if (d.groupsNamed.length) out.push(`Groups reviewers named as affected: ${d.groupsNamed.join(', ')}.`)
	if (!out.length) out.push('Reviewers have not flagged any depiction of this version.')
	return out
}

export function limitationTexts(d: DatasetDocumentation): string[] {
	const out: string[] = []
	const p = d.report.provenance
	if (p.knownLimitations.trim()) out.push(p.knownLimitations.trim())
	const s = d.report.summary
	out.push(
		`${s.open + s.acknowledged} issue${s.open + s.acknowledged === 1 ? '' : 's'} raised in the consultation ${s.open + s.acknowledged === 1 ? 'is' : 'are'} unresolved (${s.blocking} blocking) of ${s.issues} in all.`,
	)
	for (const i of d.report.issues)
		if (i.resolution === 'documented' && i.publicResponse.trim()) out.push(`Issue #${i.number}${i.sample ? ` (sample ${i.sample})` : ''}, kept and documented: ${i.publicResponse.trim()}`)
	for (const g of d.notConsulted) out.push(`Not consulted: no sample with ${g.attribute} = ${g.values.join(', ')} was reviewed.`)
	if (d.report.overrides.current)
		out.push(`The version was approved despite ${d.report.overrides.current.overriddenBlockers} blocking issue(s); the team’s justification: ${d.report.overrides.current.justification}`)
	return out
}

export function useCaseTexts(d: DatasetDocumentation): string[] {
	if (!d.useCases.length) return ['The dataset team has not described intended uses.']
	return d.useCases.map((u) =>
		[`${u.title} (${u.pipelineStage.replaceAll('_', ' ')})`, u.purpose, u.modelUsers && `Used by: ${u.modelUsers}`, u.deploymentContext && `Deployment: ${u.deploymentContext}`]
			.filter(Boolean)
			.join('. ')
			.replace(/\.\./g, '.'),
	)
}

export function privacyTexts(d: DatasetDocumentation): string[] {
	if (!d.privacy.flags) return ['Reviewers did not flag any sample as possibly identifying a real person (privacy).']
	const issues = d.privacy.issues.map((i) => `#${i.number} ${i.status}${i.resolution ? ` (${i.resolution.replaceAll('_', ' ')})` : ''}`)
	return [`Reviewers raised ${d.privacy.flags} privacy flag${d.privacy.flags === 1 ? '' : 's'} (the sample could identify a real person): issues ${issues.join(', ')}.`]
}
