/**
 * Whether an error means "the database cannot be reached right now" (stopped, restarting, out of
 * connections, network gone) rather than a bug: such failures answer 503, not 500. Pure, so the
 * Express server (app/server/database-unavailable.ts) can use it without opening a database of its own.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])
// postgres.js's own codes for a connection it lost or could not make.
const DRIVER_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT'])
// SQLSTATEs: admin/crash shutdown, "the database system is starting up / shutting down", too many connections.
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300'])

/** The code that says the database is unreachable (e.g. `ECONNREFUSED`, `57P01`), or null for any other error. Only the code: it is what gets logged, never the failed query or its parameters. */
export function databaseUnavailableCode(error: unknown, depth = 0): string | null {
	if (!error || typeof error !== 'object' || depth > 5) return null
	const code = (error as { code?: unknown }).code
	if (typeof code === 'string' && (NETWORK_CODES.has(code) || DRIVER_CODES.has(code) || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return code
	// drizzle wraps driver errors (DrizzleQueryError.cause); a failed dual-stack connect is an AggregateError.
	const { cause, errors } = error as { cause?: unknown; errors?: unknown }
	const inner = databaseUnavailableCode(cause, depth + 1)
	if (inner) return inner
	if (!Array.isArray(errors)) return null
	for (const e of errors) {
		const found = databaseUnavailableCode(e, depth + 1)
		if (found) return found
	}
	return null
}

export function isDatabaseUnavailable(error: unknown): boolean {
	return databaseUnavailableCode(error) !== null
}

/** The SQLSTATE of an error from the database (drizzle's wrapper or the driver's own), or null. */
export function sqlState(error: unknown, depth = 0): string | null {
	if (!error || typeof error !== 'object' || depth > 5) return null
	const code = (error as { code?: unknown }).code
	if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
	return sqlState((error as { cause?: unknown }).cause, depth + 1)
}

/**
 * A statement the database refused because of a value it was given (SQLSTATE class 22, "data
 * exception": not a UUID, a number out of range, a NUL in text…): bad input that got past
 * validation, answered 400 rather than 500.
 */
export function invalidInputCode(error: unknown): string | null {
	const code = sqlState(error)
	return code?.startsWith('22') ? code : null
}

/**
 * What of an error may be logged: for a failed statement only its SQLSTATE and where it was
 * thrown (drizzle's message carries the statement's parameters, the database's message may quote
 * a value: both can be user content or secrets); any other error as it is.
 */
export function loggableError(error: unknown): unknown {
	const isQueryError = !!error && typeof error === 'object' && ('params' in error || (error as Error).message?.startsWith('Failed query'))
	const code = sqlState(error)
	if (!isQueryError && !code) return error
	const stack = ((error as Error).stack ?? '').split('\n').filter((line) => /^\s+at /.test(line))
	return `database error (SQLSTATE ${code ?? 'unknown'})\n${stack.join('\n')}`
}
