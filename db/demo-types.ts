/** Shape of the demo content seeded into an empty embedded database (see db/demo.ts). */
export type DemoSample = {
	id: string
	content?: string
	messages?: Array<{ role: 'user' | 'assistant' | 'system'; content: string }>
	language: string
	metadata: Record<string, unknown>
}

export type DemoDataset = {
	slug: string
	name: string
	/** Markdown. */
	description: string
	useCases: Array<{
		title: string
		purpose: string
		modelUsers: string
		deploymentContext: string
		pipelineStage: 'training' | 'fine_tuning' | 'evaluation' | 'scoring'
		riskNotes: string
	}>
	version: {
		label: string
		modelName: string
		modelVersion: string
		modelProvider: string
		generationMethod: 'paraphrase' | 'templates' | 'persona_simulation' | 'other'
		promptTemplates: string
		personaDefinitions: string
		seedDataDescription: string
		knownLimitations: string
		changelog: string
	}
	samples: DemoSample[]
}
