import { z } from 'zod'
import { emailField } from './account.ts'
import { supportedLanguages } from './enums.ts'

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

export const DatasetSchema = z.object({
	name: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(120, { error: 'validation.tooLong' }),
	slug: z.string({ error: 'validation.required' }).trim().toLowerCase().max(60, { error: 'validation.tooLong' }).regex(SLUG, { error: 'validation.slug' }),
	description: z.string().trim().max(20_000, { error: 'validation.tooLong' }).optional().default(''),
})

export const EditDatasetSchema = DatasetSchema.extend({ revision: z.coerce.number().int() })

export const AddMaintainerSchema = z.object({
	intent: z.literal('add'),
	email: emailField,
	// The invitation's language is the inviter's choice: the invitee's account (if any) is not consulted.
	language: z.preprocess((v) => (v === '' ? undefined : v), z.enum(supportedLanguages).optional()),
})
export const RemoveMaintainerSchema = z.object({ intent: z.literal('remove'), userId: z.uuid() })

/** Revoking a pending invitation to the team (anything but a row id is "not found"). */
export const RevokeTeamInvitationSchema = z.object({ intent: z.literal('revoke_invitation'), invitationId: z.string().regex(/^[0-9a-f-]{36}$/i) })
