import { z } from 'zod'

// A checkbox is "on" when ticked and absent otherwise.
const checkbox = z.preprocess((v) => v === 'on', z.boolean())

/** The consent form: agreeing is required; the choices that follow it are optional. */
export const ConsentSchema = z.object({
	agree: z.literal('yes', { error: 'consent.mustAgree' }),
	// Checked against the round's own list by the model; anything else means "none".
	expertise: z.string().catch(''),
	showName: checkbox,
	warnEachTime: checkbox,
})
export type ConsentChoices = Omit<z.output<typeof ConsentSchema>, 'agree'>

/** Leaving a round: what the person said stays (anonymised) or goes. */
export const WithdrawSchema = z.object({
	feedback: z.enum(['keep', 'delete'], { error: 'withdraw.choose' }),
})
