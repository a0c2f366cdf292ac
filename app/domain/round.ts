import { z } from 'zod'
import { participantRoles, roundStages, selectionModes, supportedLanguages } from '#app/domain/enums.ts'
import { emailField } from './account.ts'

const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean())
const optionalInt = (min: number, max: number) =>
	z.coerce.number({ error: 'validation.number' }).int({ error: 'validation.number' }).min(min, { error: 'validation.number' }).max(max, { error: 'validation.number' })

export const RoundSchema = z
	.object({
		stage: z.enum(roundStages, { error: 'validation.invalidChoice' }),
		title: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }).max(200, { error: 'validation.tooLong' }),
		guidelines: z.string().trim().max(20_000, { error: 'validation.tooLong' }).optional().default(''),
		opensAt: z.string().optional(),
		closesAt: z.string().optional(),
		selectionMode: z.enum(selectionModes, { error: 'validation.invalidChoice' }),
		sampleN: optionalInt(1, 10_000_000).optional(),
		seed: optionalInt(0, 2_147_483_647).optional(),
		attribute: z.string().trim().max(200).optional(),
		perValue: optionalInt(1, 100_000).optional(),
		externalIds: z.string().max(1_000_000, { error: 'validation.tooLong' }).optional(),
		overlap: optionalInt(1, 20),
		blindReview: checkbox,
		blockThreshold: optionalInt(1, 50),
		opposedBlocks: checkbox,
		contentWarning: z.string().trim().max(2000, { error: 'validation.tooLong' }).optional().default(''),
		// One expertise per line; participants may declare one of these at consent.
		expertiseOptions: z
			.string()
			.max(4000, { error: 'validation.tooLong' })
			.optional()
			.default('')
			.transform((v) => parseExpertiseOptions(v)),
	})
	.superRefine((v, ctx) => {
		if (v.selectionMode === 'random' && !v.sampleN) ctx.addIssue({ code: 'custom', path: ['sampleN'], message: 'validation.required' })
		if (v.selectionMode === 'stratified') {
			if (!v.attribute) ctx.addIssue({ code: 'custom', path: ['attribute'], message: 'validation.required' })
			if (!v.perValue) ctx.addIssue({ code: 'custom', path: ['perValue'], message: 'validation.required' })
		}
		if (v.selectionMode === 'signals') {
			if (!v.attribute) ctx.addIssue({ code: 'custom', path: ['attribute'], message: 'validation.required' })
			if (!v.sampleN) ctx.addIssue({ code: 'custom', path: ['sampleN'], message: 'validation.required' })
		}
		if (v.selectionMode === 'manual' && !v.externalIds?.trim()) ctx.addIssue({ code: 'custom', path: ['externalIds'], message: 'validation.required' })
	})

/** The round's expertise list from one-per-line text: trimmed, deduplicated, at most 30 of 100 characters. */
export function parseExpertiseOptions(text: string) {
	const out: string[] = []
	for (const raw of text.split(/\r?\n/)) {
		const v = raw.trim().slice(0, 100)
		if (v && !out.includes(v)) out.push(v)
	}
	return out.slice(0, 30)
}

export const RoundActionSchema = z.object({
	intent: z.enum(['open', 'close', 'reopen']),
	reason: z.string().trim().max(2000).optional(),
	revision: z.coerce.number().int(),
})

/**
 * One line of a pasted list or CSV: `email[, role]`. Anything after the role (a label, a note, an
 * expertise) is dropped: the team attaches no text to a person (decision 027).
 */
export type InviteLine = { line: number; email: string; role: (typeof participantRoles)[number] }
export type InviteLineError = { line: number; input: string; error: string }

export function parseInviteList(text: string, defaults: { role: InviteLine['role'] }): { ok: InviteLine[]; errors: InviteLineError[]; dropped: number } {
	const ok: InviteLine[] = []
	let dropped = 0
	const errors: InviteLineError[] = []
	const seen = new Set<string>()
	text.split(/\r?\n/).forEach((raw, i) => {
		const input = raw.trim()
		if (!input || (i === 0 && /^e-?mail\b/i.test(input))) return
		const [emailPart = '', rolePart = '', ...rest] = input.split(/[,;\t]/).map((p) => p.trim())
		const email = emailField.safeParse(emailPart)
		if (!email.success) return void errors.push({ line: i + 1, input, error: 'invite.errors.email' })
		const role = rolePart ? (rolePart.toLowerCase() as InviteLine['role']) : defaults.role
		if (!(participantRoles as readonly string[]).includes(role)) return void errors.push({ line: i + 1, input, error: 'invite.errors.role' })
		if (seen.has(email.data)) return void errors.push({ line: i + 1, input, error: 'invite.errors.duplicate' })
		seen.add(email.data)
		if (rest.some(Boolean)) dropped++
		ok.push({ line: i + 1, email: email.data, role })
	})
	return { ok, errors, dropped }
}

/** Revoking or resending one round invitation (anything but a row id is "not found"). */
export const InvitationTargetSchema = z.object({ intent: z.enum(['revoke', 'resend']), invitationId: z.string().regex(/^[0-9a-f-]{36}$/i) })

export const InviteSchema = z.object({
	intent: z.literal('invite'),
	emails: z.string({ error: 'validation.required' }).min(3, { error: 'validation.required' }).max(200_000, { error: 'validation.tooLong' }),
	role: z.enum(participantRoles, { error: 'validation.invalidChoice' }),
	message: z.string().trim().max(2000, { error: 'validation.tooLong' }).optional().default(''),
	// '' is "their language if known, else mine".
	language: z.preprocess((v) => (v === '' ? undefined : v), z.enum(supportedLanguages).optional()),
})

/** How a participant appears to the dataset team: "Community member 4" (see also `authorKey`). */
export function pseudonymKey(role: (typeof participantRoles)[number]) {
	return role === 'expert' ? 'participants.expert' : 'participants.community'
}
