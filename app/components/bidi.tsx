import { Fragment, type ReactNode } from 'react'
import { type TFunction } from 'i18next'

// Private-use characters: never in a translation, never typed by people.
const OPEN = '\uE000'
const CLOSE = '\uE001'
const slot = new RegExp(`${OPEN}(\\w+)${CLOSE}`, 'g')

/**
 * A translated sentence with each user-supplied value (a title, a name, a date) in its own <bdi>,
 * so a value written in one direction never reorders the sentence around it (an English dataset
 * name inside an Arabic sentence, an Arabic title inside an English one). The text read by people
 * and screen readers is the same as t(key, values): <bdi> adds no characters.
 * `options` are passed to t as they are (count for plurals, context).
 */
export function Sentence({ t, k, values, options }: { t: TFunction<any, any>; k: string; values: Record<string, ReactNode>; options?: Record<string, unknown> }) {
	const marked = Object.fromEntries(Object.keys(values).map((name) => [name, `${OPEN}${name}${CLOSE}`]))
	const text = String(t(k, { ...options, ...marked, interpolation: { escapeValue: false } }))
	const parts = text.split(slot)
	// split with one capture group: text, name, text, name, …, text
	return <>{parts.map((part, i) => (i % 2 === 0 ? <Fragment key={i}>{part}</Fragment> : <bdi key={i}>{values[part]}</bdi>))}</>
}
