import { type GenerationMethod } from '#app/domain/enums.ts'

/** A version's provenance left empty: what tests and benchmarks pass when only the samples matter. */
export const emptyProvenance = {
	generationMethod: 'other' as GenerationMethod,
	modelName: '',
	modelVersion: '',
	modelProvider: '',
	promptTemplates: '',
	personaDefinitions: '',
	seedDataDescription: '',
	knownLimitations: '',
	changelog: '',
}
