import { describe, expect, test } from 'vitest'
import { ChangePasswordSchema, ProfileSchema, SignUpSchema } from '#app/domain/account.ts'

describe('account forms', () => {
	test('emails are trimmed and lower-cased', () => {
		const r = SignUpSchema.safeParse({ email: '  Ada@Example.ORG ', displayName: ' Ada ', password: 'long enough pass' })
		expect(r.success && r.data).toMatchObject({ email: 'ada@example.org', displayName: 'Ada' })
	})
	test('each bad field names its own error key', () => {
		const r = SignUpSchema.safeParse({ email: 'nope', displayName: '', password: 'x' })
		expect(r.success).toBe(false)
		const byField = Object.fromEntries(r.error!.issues.map((i) => [i.path.join('.'), i.message]))
		expect(byField).toEqual({ email: 'validation.email', displayName: 'validation.required', password: 'validation.passwordTooShort' })
	})
	test('the new password must be typed the same twice', () => {
		const r = ChangePasswordSchema.safeParse({ currentPassword: 'old', newPassword: 'new passphrase 1', confirmPassword: 'new passphrase 2' })
		expect(r.error?.issues[0]).toMatchObject({ path: ['confirmPassword'], message: 'validation.passwordsDiffer' })
	})
	test('a profile language must be one we ship', () => {
		expect(ProfileSchema.safeParse({ displayName: 'A', preferredLanguage: 'ar' }).success).toBe(true)
		expect(ProfileSchema.safeParse({ displayName: 'A' }).success).toBe(true)
		expect(ProfileSchema.safeParse({ displayName: 'A', preferredLanguage: 'xx' }).error?.issues[0]?.message).toBe('validation.invalidChoice')
	})
})
