/**
 * The life of a version's signal computation (issue #21): queued in the transaction that publishes
 * an import, running while a job streams the samples, then succeeded or failed. A failure is not
 * retried by itself (a computation that failed on these samples fails again); a re-import queues
 * a fresh one.
 */
export const signalStatuses = ['queued', 'running', 'succeeded', 'failed'] as const
export type SignalStatus = (typeof signalStatuses)[number]

/** A key with more distinct values than this is skipped as high-cardinality before any sample is read. */
export const MAX_SIGNAL_VALUES = 50
/** The chat turns whose words count (the generated text, not the prompt). */
export const SIGNAL_CHAT_ROLES = ['assistant'] as const
/** Samples read per round trip, and per progress update. */
export const SIGNAL_BATCH = 2000

/** The state line of the version page and the API's 409 details. */
export type SignalState =
	{ status: 'none' } | { status: 'queued'; total: number } | { status: 'running'; done: number; total: number } | { status: 'succeeded'; computedAt: string } | { status: 'failed'; error: string }
