/**
 * Similar samples (issue #22): how a sample came to be on an issue beyond the one it was opened on,
 * and the state of a version's index (queued, running, succeeded, failed, as the signals' computation).
 */
import { type SignalState } from '#app/domain/signals/status.ts'

/** picked: chosen from the list; all: every similar sample at the threshold; audit: every one, on an audit's evidence; carried: copied from the parent version's issue. */
export const similarAddedHow = ['picked', 'all', 'audit', 'carried'] as const
export type SimilarAddedHow = (typeof similarAddedHow)[number]

export type SimilarIndexState = SignalState

/** Samples read per round trip while building the index. */
export const SIMILAR_BATCH = 2000
/** The most candidates (sharing a band) whose texts a lookup compares, the most sharing a band first. */
export const MAX_CANDIDATES = 5000
/** The most samples of the same template × persona a lookup reads. */
export const MAX_TEMPLATE_MATCHES = 2000
/** The largest page of similar samples the API and pages return. */
export const MAX_SIMILAR_LIMIT = 200
