/** The part of a sample that its content hash covers: what a reviewer reads, not its metadata. */
export function canonicalSampleContent(sample: { content?: string | null; messages?: ReadonlyArray<{ role: string; content: string }> | null; imageUrl?: string | null }): string {
	const messages = sample.messages?.map((m) => [m.role, m.content]) ?? null
	return JSON.stringify([sample.content ?? null, messages, sample.imageUrl ?? null])
}

/**
 * A dotted metadata key ("persona.age") as a PostgreSQL text[] literal for `metadata #> path`, each
 * part quoted, so keys holding commas, quotes or braces stay one part.
 */
export function metadataPathLiteral(key: string): string {
	return `{${key
		.split('.')
		.map((k) => `"${k.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
		.join(',')}}`
}
