/** Throws a Response (e.g. 404) unless `condition` holds: "not found" is a response, not an exception. */
export function invariantResponse(condition: unknown, message: string, init?: ResponseInit): asserts condition {
	if (!condition) throw new Response(message, { status: 400, ...init })
}

/** A zod error as per-field lists of message keys (for forms not driven by Conform). */
export function fieldErrorsOf(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): Record<string, string[]> {
	const out: Record<string, string[]> = {}
	for (const issue of error.issues) (out[String(issue.path[0] ?? 'form')] ??= []).push(issue.message)
	return out
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether a route parameter or form value can be a row id (uuid columns): anything else is "not found", never a failed statement. */
export function isUuid(value: unknown): value is string {
	return typeof value === 'string' && UUID.test(value)
}
