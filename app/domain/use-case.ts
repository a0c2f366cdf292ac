import { z } from 'zod'
import { pipelineStages } from '#app/domain/enums.ts'

const text = (max: number) => z.string().trim().max(max, { error: 'validation.tooLong' }).optional().default('')

export const UseCaseSchema = z.object({
	title: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(200, { error: 'validation.tooLong' }),
	purpose: text(5000),
	modelUsers: text(5000),
	deploymentContext: text(5000),
	pipelineStage: z.enum(pipelineStages, { error: 'validation.invalidChoice' }),
	riskNotes: text(5000),
})
export type UseCaseInput = z.infer<typeof UseCaseSchema>

export const EditUseCaseSchema = UseCaseSchema.extend({ revision: z.coerce.number().int() })

export const useCaseFields = ['title', 'purpose', 'modelUsers', 'deploymentContext', 'pipelineStage', 'riskNotes'] as const
