import { afterEach, describe, expect, test } from 'vitest'
import { cookieSecure, getEnv, resetEnvCache } from '#app/utils/env.server.ts'

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
})
