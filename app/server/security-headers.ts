import { randomBytes } from 'node:crypto'
import { type RequestHandler } from 'express'
import { baseSecurityHeaders, contentSecurityPolicy } from '../utils/http-security.ts'

/**
 * The security headers (app/utils/http-security.ts) as the server sets them: first, on every
 * response whatever answers it — Remix documents and resource routes, the API, static files, the
 * Origin check's 403. Its own module so the tests run the very middleware the server uses.
 * A fresh CSP nonce per request is handed to Remix through `res.locals.cspNonce`.
 */
export function securityHeaders({ dev = false } = {}): RequestHandler {
	return (req, res, next) => {
		// HSTS and upgrade-insecure-requests only when this request really came over HTTPS.
		const https = req.secure
		res.set(baseSecurityHeaders({ https }))
		const nonce = randomBytes(16).toString('base64')
		res.locals.cspNonce = nonce
		res.set('Content-Security-Policy', contentSecurityPolicy(nonce, { dev, https }))
		next()
	}
}
