import { z } from 'zod'

/** Acknowledging a blocker from the inbox, at the revision the person saw. */
export const AcknowledgeSchema = z.object({
	issue: z.string().regex(/^[0-9a-f-]{36}$/i),
	// A missing revision reads as 0, which the triage answers as a conflict.
	revision: z.preprocess((v) => Number(v ?? null), z.number().int()),
})

/** Turning a dataset's notifications on (the box ticked) or off. */
export const NotifySchema = z.object({
	dataset: z.string().catch(''),
	notify: z.preprocess((v) => v === 'on', z.boolean()),
})
