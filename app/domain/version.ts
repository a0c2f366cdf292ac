import { z } from 'zod'
import { generationMethods } from '#app/domain/enums.ts'

const text = (max: number) => z.string().trim().max(max, { error: 'validation.tooLong' }).optional().default('')

export const VERSION_LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/

export const ProvenanceSchema = z.object({
	modelName: text(200),
	modelVersion: text(200),
	modelProvider: text(200),
	generationMethod: z.enum(generationMethods, { error: 'validation.invalidChoice' }),
	promptTemplates: text(50_000),
	personaDefinitions: text(50_000),
	seedDataDescription: text(10_000),
	knownLimitations: text(10_000),
	changelog: text(10_000),
	// Metadata keys (dotted for nested ones) naming each sample's template and persona: similar samples (issue #22).
	templateKey: text(200),
	personaKey: text(200),
})
export type ProvenanceInput = z.infer<typeof ProvenanceSchema>

export const NewVersionSchema = ProvenanceSchema.extend({
	label: z.string({ error: 'validation.required' }).trim().regex(VERSION_LABEL, { error: 'validation.versionLabel' }),
	parent: z.string().trim().optional(),
})

export const EditProvenanceSchema = ProvenanceSchema.extend({ revision: z.coerce.number().int() })

/** The lifecycle buttons a person presses on the version page (the others happen on their own). */
export const manualVersionActions = ['approve', 'release', 'archive'] as const

/**
 * The version page's lifecycle form, one intent per button: the reason for an override, and when
 * approving past a round that is open or short of its target, what to do with it and why (checked
 * against the rounds by the route, which knows them).
 */
export const VersionTransitionSchema = z.object({
	intent: z.enum(manualVersionActions),
	justification: z
		.string()
		.default('')
		.transform((v) => v.slice(0, 4000)),
	roundChoice: z.string().default(''),
	roundJustification: z
		.string()
		.default('')
		.transform((v) => v.trim().slice(0, 4000)),
})
