import '@remix-run/node'

declare module '@remix-run/node' {
	interface AppLoadContext {
		/** Nonce for this response's Content-Security-Policy. */
		cspNonce: string
		/** Client address (X-Forwarded-For is honoured only with TRUST_PROXY=true). */
		clientIp: string
	}
}
