import { Form } from '@remix-run/react'
import { type ReactNode } from 'react'

/** A list of cards, each a line of text and at most one action, as the team page lists members and invitations. */
export function CardList<T>({ items, keyOf, children }: { items: T[]; keyOf: (item: T) => string; children: (item: T) => { text: ReactNode; action?: ReactNode } }) {
	return (
		<ul className="flex flex-col gap-2">
			{items.map((item) => {
				const { text, action } = children(item)
				return (
					<li key={keyOf(item)} className="card flex flex-wrap items-center justify-between gap-2 p-4">
						{text}
						{action ?? null}
					</li>
				)
			})}
		</ul>
	)
}

/** One button that posts an intent about one item (its id in a hidden field). */
export function ItemAction({ intent, name, value, label }: { intent: string; name: string; value: string; label: string }) {
	return (
		<Form method="post">
			<input type="hidden" name="intent" value={intent} />
			<input type="hidden" name={name} value={value} />
			<button type="submit" className="btn">
				{label}
			</button>
		</Form>
	)
}
