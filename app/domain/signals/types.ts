/**
 * Caricature signals (issue #21): per categorical metadata attribute, per value, the words that
 * mark samples with that value against all other samples ("Marked Personas", Cheng, Durmus &
 * Jurafsky 2023: weighted log-odds with an informative Dirichlet prior, Monroe, Colaresi & Quinn
 * 2008), kept when they pass a Benjamini–Hochberg false-discovery control, with each value's
 * lexical diversity (distinct-2) against the version's.
 *
 * The computation streams: `SignalAccumulator.add` once per sample, `result()` at the end, so a
 * million samples are never held in memory (only per-value term counts of the attributes chosen).
 */
export type SignalSample = {
	/** Content, or for a chat the turns of the roles counted (default: the assistant's), joined. */
	text: string
	language: string | null
	metadata: Record<string, unknown> | null
}

export type SignalTerm = {
	term: string
	/** Weighted log-odds z-score of the term in this value's samples against all other samples. */
	z: number
	/** Occurrences of the term in this value's samples. */
	count: number
	/** This value's samples that contain the term. */
	samples: number
}

export type ValueSignal = {
	value: string
	samples: number
	/** samples / the version's samples. */
	share: number
	/** Distinct word bigrams / all word bigrams, over this value's samples. */
	distinct2: number
	/** True when distinct2 is well below the version's (see `lowDiversity` in compute.ts). */
	lowDiversity: boolean
	/** Terms passing the false-discovery control, by z descending (at most `termsPerValue`). */
	terms: SignalTerm[]
}

export type AttributeSignals = { attribute: string; values: ValueSignal[] }

export type SkippedAttribute = { attribute: string; reason: 'high_cardinality' | 'single_value'; distinct: number }

export type VersionSignals = {
	samples: number
	/** Distinct-2 over every sample of the version. */
	distinct2: number
	attributes: AttributeSignals[]
	skipped: SkippedAttribute[]
	/** The method's parameters, recorded with the result. */
	method: { prior: 'informative-dirichlet'; fdr: number; termsPerValue: number; maxValues: number; minCount: number }
}
