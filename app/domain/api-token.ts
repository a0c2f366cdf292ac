import { z } from 'zod'

// Messages are translation keys (common namespace unless prefixed), shown in the reader's language.
export const TOKEN_NAME_MAX = 80

/** The two forms of Account → API tokens (by `intent`); shared by the browser and the action. */
export const CreateTokenSchema = z.object({
	intent: z.literal('create'),
	name: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(TOKEN_NAME_MAX, { error: 'validation.tooLong' }),
	datasets: z.array(z.string().min(1), { error: 'api:tokens.datasetsRequired' }).min(1, { error: 'api:tokens.datasetsRequired' }).max(500),
})

export const RevokeTokenSchema = z.object({
	intent: z.literal('revoke'),
	tokenId: z.uuid(),
})

/** Active (unrevoked) tokens one person may hold. */
export const MAX_ACTIVE_TOKENS = 50
