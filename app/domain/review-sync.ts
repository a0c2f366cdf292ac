import { z } from 'zod'

/**
 * The focus view's local queue (with JavaScript, decision 051): what the page sends to
 * `POST /rounds/:roundId/review-sync` and what it gets back. Shared by the page and the route.
 */

/** How many samples the page keeps loaded ahead of the one shown: 5 unless the reviewer chose otherwise, at most 20. */
export const AHEAD_DEFAULT = 5
export const AHEAD_MAX = 20
/** Verdicts sent per request: the page sends what waits in order, this many at a time. */
export const SYNC_BATCH = 20

export const clampAhead = (n: unknown) => {
	const v = Math.floor(Number(n))
	return Number.isFinite(v) && v >= 1 ? Math.min(AHEAD_MAX, v) : AHEAD_DEFAULT
}

const key = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/)
const externalId = z.string().min(1).max(500)

/** One verdict as the page sends it: the fields of the form it was given with, and a key made once in the browser. */
export const SyncVerdictSchema = z.object({
	key,
	externalId,
	intent: z.enum(['no_concerns', 'skip', 'flag']),
	/** The form's fields (skip reason, or the flag form's answers), as the no-JavaScript form sends them. */
	fields: z.record(z.string(), z.union([z.string().max(4000), z.array(z.string().max(200)).max(20)])).default({}),
})
export type SyncVerdict = z.infer<typeof SyncVerdictSchema>

export const SyncRequestSchema = z.object({
	verdicts: z.array(SyncVerdictSchema).max(SYNC_BATCH),
	/** External ids the page holds already (loaded ahead, shown, or waiting to be sent): not sent again. */
	have: z.array(externalId).max(200).default([]),
	/** How many samples to add to the page's queue. */
	want: z.number().int().min(0).max(AHEAD_MAX).default(0),
	/** The queue position after which to look first (then from the start). */
	after: z.number().int().default(-1),
	/** A sample of the reviewer's queue: the answer lists their samples still waiting that are like it (issue #22), after the verdicts are recorded. */
	similarOf: externalId.optional(),
})
export type SyncRequest = z.input<typeof SyncRequestSchema>
/** A request as read (defaults filled in). */
export type SyncInput = z.output<typeof SyncRequestSchema>

/**
 * What became of one verdict: recorded now, recorded before (the same key: nothing written), or a
 * conflict the page shows beside it — the round no longer takes verdicts, the sample is no longer
 * in the reviewer's queue, the reviewer has withdrawn (or not consented), the flag was refused.
 */
export const syncStatuses = ['recorded', 'replayed', 'closed', 'sample_gone', 'reviewer_gone', 'invalid'] as const
export type SyncStatus = (typeof syncStatuses)[number]
export const isConflict = (s: SyncStatus) => s !== 'recorded' && s !== 'replayed'

export type SyncResult = { key: string; status: SyncStatus; fieldErrors?: Record<string, string[]> }

/**
 * One of the reviewer's own samples still waiting that is like the one they flagged (issue #22): its
 * text only (never HTML, never an image), and what it shares with the flagged one. Nothing about
 * other reviewers: no counts, no verdicts.
 */
export type SimilarItem = {
	externalId: string
	content: string | null
	messages: Array<{ role: string; content: string }> | null
	language: string | null
	shared: Array<'text' | 'template' | 'persona'>
}
