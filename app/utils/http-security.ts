/** Pure HTTP security rules, applied by the server to every request and response. */

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Paths that authenticate only with a bearer token and never read cookies, so a forged
 * cross-site request carries no credential: pipelines call them without an Origin header.
 */
export function isTokenOnlyPath(pathname: string): boolean {
	return pathname.startsWith('/api/')
}

/**
 * CSRF defence in depth (beside SameSite=Lax cookies): a state-changing request must carry an
 * Origin equal to ours. A missing Origin, a foreign one and the opaque "null" are all refused.
 */
export function isMutationAllowed(input: { method: string; pathname: string; origin: string | undefined; expectedOrigin: string }): boolean {
	if (SAFE_METHODS.has(input.method.toUpperCase())) return true
	if (isTokenOnlyPath(input.pathname)) return true
	if (!input.origin || input.origin === 'null') return false
	return input.origin.toLowerCase() === input.expectedOrigin.toLowerCase()
}

export function contentSecurityPolicy(nonce: string, { dev = false, https = false } = {}): string {
	const directives = [
		"default-src 'self'",
		// strict-dynamic lets the nonce'd Remix loader pull in its own modules.
		`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
		`style-src 'self'${dev ? " 'unsafe-inline'" : ''}`,
		"img-src 'self' data: https:",
		"font-src 'self'",
		`connect-src 'self'${dev ? ' ws: wss:' : ''}`,
		"form-action 'self'",
		"frame-ancestors 'none'",
		"base-uri 'none'",
		"object-src 'none'",
		"manifest-src 'self'",
	]
	if (https) directives.push('upgrade-insecure-requests')
	return directives.join('; ')
}

/** Headers set on every response, HTML or not. */
export function baseSecurityHeaders({ https = false } = {}): Record<string, string> {
	const headers: Record<string, string> = {
		'X-Content-Type-Options': 'nosniff',
		'Referrer-Policy': 'same-origin',
		'X-Frame-Options': 'DENY',
		'Cross-Origin-Opener-Policy': 'same-origin',
		'Cross-Origin-Resource-Policy': 'same-origin',
		'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
	}
	if (https) headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains'
	return headers
}
