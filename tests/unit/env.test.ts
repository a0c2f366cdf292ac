import { afterEach, describe, expect, test } from 'vitest'
import { bodyLimits, configuredOrigin, cookieSecure, getEnv, resetEnvCache } from '#app/utils/env.server.ts'

const saved = { ...process.env }
afterEach(() => {
	process.env = { ...saved }
	resetEnvCache()
})

describe('environment validation', () => {
	test('a bad value is reported with the variable name and the reason', () => {
		process.env.PORT = 'eighty'
		process.env.DATABASE_URL = 'mysql://nope'
		resetEnvCache()
		expect(() => getEnv()).toThrowError(/PORT:.*\n.*DATABASE_URL: must start with postgres/s)
	})

	test('defaults make a newcomer need nothing', () => {
		for (const k of ['PORT', 'DATABASE_URL', 'DATA_DIR', 'APP_URL']) delete process.env[k]
		resetEnvCache()
		expect(getEnv()).toMatchObject({ PORT: 3000, DATA_DIR: './.data', SIGNIN_LIMIT_PER_ACCOUNT: 10 })
	})

	test('secure cookies follow APP_URL, then NODE_ENV, unless COOKIE_SECURE says otherwise', () => {
		delete process.env.COOKIE_SECURE
		delete process.env.DATABASE_URL
		process.env.NODE_ENV = 'production'
		resetEnvCache()
		expect(cookieSecure()).toBe(true)
		process.env.APP_URL = 'http://intranet.local:3000'
		resetEnvCache()
		expect(cookieSecure()).toBe(false)
		process.env.COOKIE_SECURE = 'true'
		resetEnvCache()
		expect(cookieSecure()).toBe(true)
	})

	test('production on PostgreSQL, listening beyond loopback, refuses to start without APP_URL unless host-derived links are allowed (decision 024)', () => {
		for (const k of ['APP_URL', 'APP_URL_FROM_HOST', 'HOST']) delete process.env[k]
		process.env.NODE_ENV = 'production'
		process.env.DATABASE_URL = 'postgres://db.internal/roundtable'
		resetEnvCache()
		expect(() => getEnv()).toThrowError(/APP_URL: required in production/)
		process.env.APP_URL_FROM_HOST = 'true'
		resetEnvCache()
		expect(configuredOrigin()).toBeNull()
		delete process.env.APP_URL_FROM_HOST
		process.env.APP_URL = 'https://roundtable.example.org/'
		resetEnvCache()
		expect(configuredOrigin()).toBe('https://roundtable.example.org')
	})

	test('`npm start` with no settings (embedded database) and a loopback-only server start without APP_URL; their links point at localhost, never at a Host header', () => {
		for (const k of ['APP_URL', 'APP_URL_FROM_HOST', 'HOST', 'DATABASE_URL', 'PORT']) delete process.env[k]
		process.env.NODE_ENV = 'production'
		resetEnvCache()
		expect(configuredOrigin()).toBe('http://localhost:3000')
		process.env.DATABASE_URL = 'postgres://db.internal/roundtable'
		process.env.HOST = '127.0.0.1'
		process.env.PORT = '8080'
		resetEnvCache()
		expect(configuredOrigin()).toBe('http://localhost:8080')
		// Development and tests keep the request's own origin.
		process.env.NODE_ENV = 'development'
		delete process.env.HOST
		resetEnvCache()
		expect(configuredOrigin()).toBeNull()
	})

	test('body limits: forms FORM_MAX_KB (256 KiB by default), API JSON 1 MiB, uploads the sample-file cap', () => {
		delete process.env.FORM_MAX_KB
		process.env.IMPORT_MAX_FILE_MB = '10'
		resetEnvCache()
		expect(bodyLimits()).toEqual({ form: 256 * 1024, json: 1024 * 1024, upload: 10 * 1024 * 1024 + 64 * 1024 })
		process.env.FORM_MAX_KB = '64'
		resetEnvCache()
		expect(bodyLimits().form).toBe(64 * 1024)
		process.env.FORM_MAX_KB = '0'
		resetEnvCache()
		expect(() => getEnv()).toThrowError(/FORM_MAX_KB/)
	})
})
