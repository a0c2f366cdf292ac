/** Throws a Response (e.g. 404) unless `condition` holds: "not found" is a response, not an exception. */
export function invariantResponse(condition: unknown, message: string, init?: ResponseInit): asserts condition {
	if (!condition) throw new Response(message, { status: 400, ...init })
}
