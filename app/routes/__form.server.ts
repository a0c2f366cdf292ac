import { type z } from 'zod'
import { fieldErrorsOf } from '#app/utils/misc.ts'

export type ParsedForm<T> = { ok: true; value: T } | { ok: false; fieldErrors: Record<string, string[]> }

/**
 * The fast-path way of reading a form (decision 042), for plain `<Form>`s that do not use Conform:
 * one zod schema per intent, fields named in `lists` read as every value sent (checkbox groups),
 * errors as per-field lists of translation keys.
 */
export function parseForm<S extends z.ZodType>(form: FormData, schema: S, { lists = [] }: { lists?: readonly string[] } = {}): ParsedForm<z.output<S>> {
	const input: Record<string, unknown> = Object.fromEntries(form)
	for (const name of lists) input[name] = form.getAll(name)
	const parsed = schema.safeParse(input)
	return parsed.success ? { ok: true, value: parsed.data } : { ok: false, fieldErrors: fieldErrorsOf(parsed.error) }
}

/** The form's `intent` (several forms on one page), '' when there is none. */
export function intentOf(form: FormData): string {
	return String(form.get('intent') ?? '')
}
