import { z } from 'zod'
import { supportedLanguages } from '#app/domain/enums.ts'

// Messages are translation keys (common namespace), rendered by the form in the reader's language.
export const PASSWORD_MIN = 10
export const PASSWORD_MAX = 256

export const emailField = z
	.string({ error: 'validation.required' })
	.trim()
	.toLowerCase()
	.max(254, { error: 'validation.emailTooLong' })
	.pipe(z.email({ error: 'validation.email' }))

const newPassword = z.string({ error: 'validation.required' }).min(PASSWORD_MIN, { error: 'validation.passwordTooShort' }).max(PASSWORD_MAX, { error: 'validation.passwordTooLong' })

const displayName = z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(80, { error: 'validation.displayNameTooLong' })

export const SignUpSchema = z.object({
	email: emailField,
	displayName,
	password: newPassword,
	redirectTo: z.string().optional(),
})

export const SignInSchema = z.object({
	email: emailField,
	password: z.string({ error: 'validation.required' }).max(PASSWORD_MAX, { error: 'validation.passwordTooLong' }),
	redirectTo: z.string().optional(),
})

export const ProfileSchema = z.object({
	displayName,
	// Empty means "follow my browser".
	preferredLanguage: z.enum(supportedLanguages, { error: 'validation.invalidChoice' }).optional(),
})

export const ChangePasswordSchema = z
	.object({
		currentPassword: z.string({ error: 'validation.required' }).max(PASSWORD_MAX, { error: 'validation.passwordTooLong' }),
		newPassword,
		confirmPassword: z.string({ error: 'validation.required' }),
	})
	.refine((v) => v.newPassword === v.confirmPassword, { path: ['confirmPassword'], error: 'validation.passwordsDiffer' })

/** Sign-up on a round invitation: the address is the invited one, so only a name and a password (one message for the page each). */
export const InvitationSignupSchema = z.object({
	displayName: z.string({ error: 'accept.errors.displayName' }).trim().min(1, { error: 'accept.errors.displayName' }).max(80, { error: 'accept.errors.displayName' }),
	password: z.string({ error: 'accept.errors.password' }).min(PASSWORD_MIN, { error: 'accept.errors.password' }).max(PASSWORD_MAX, { error: 'accept.errors.password' }),
})

/** The second step of a sign-up: which pending sign-up, and the code mailed for it (checked by the model). */
export const SignupVerifySchema = z.object({
	id: z.string().default(''),
	code: z
		.string()
		.default('')
		.transform((v) => v.slice(0, 32)),
})
