import { useNavigate } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'

const keys = ['n', 'y', 'f', 's', 'j', 'k', '1–8', '?'] as const

const nonTextInputs = new Set(['radio', 'checkbox', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image'])

/** Whether the key goes into a field the person is typing in (radios and buttons are not). */
function typing(target: EventTarget | null) {
	const el = target as HTMLElement | null
	if (!el) return false
	if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true
	return el.tagName === 'INPUT' && !nonTextInputs.has((el as HTMLInputElement).type)
}

/**
 * Keyboard-first reviewing (with JavaScript): n no concerns, f flag, s skip, j/k next/previous,
 * 1–8 pick a category, ? help; after a flag, in "Do these look the same?", y yes and n no (the
 * prompt marks its current answers with the same data-shortcut). Never while typing in a field,
 * never with a modifier key.
 * `prev`/`next`: a page to go to, or (the local queue) a function that shows the sample.
 */
export function ReviewShortcuts({ prev, next }: { prev: string | (() => void) | null; next: string | (() => void) | null }) {
	const { t } = useTranslation('review')
	const navigate = useNavigate()
	const dialog = useRef<HTMLDialogElement>(null)
	const [ready, setReady] = useState(false)
	useEffect(() => {
		setReady(true)
		function onKey(event: KeyboardEvent) {
			if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return
			const click = (selector: string) => document.querySelector<HTMLElement>(selector)?.click()
			const key = event.key
			if (key === '?') dialog.current?.showModal()
			else if (key === 'n') click('[data-shortcut="n"]')
			else if (key === 'y') click('[data-shortcut="y"]')
			else if (key === 's') click('[data-shortcut="s"]')
			else if (key === 'f') document.querySelector<HTMLInputElement>('#flag-form input[name="category"]:checked, #flag-form input[name="category"]')?.focus()
			else if ((key === 'j' && next) || (key === 'k' && prev)) {
				const to = key === 'j' ? next! : prev!
				if (typeof to === 'string') void navigate(to)
				else to()
			} else if (/^[1-8]$/.test(key)) {
				const radio = document.querySelector<HTMLInputElement>(`#flag-form [data-category-key="${key}"]`)
				if (radio) {
					radio.checked = true
					radio.focus()
				}
			} else return
			event.preventDefault()
		}
		window.addEventListener('keydown', onKey)
		return () => window.removeEventListener('keydown', onKey)
	}, [navigate, next, prev])
	if (!ready) return null
	return (
		<>
			<button type="button" className="btn-link self-end text-sm" onClick={() => dialog.current?.showModal()}>
				{t('shortcuts.open')}
			</button>
			<dialog ref={dialog} aria-labelledby="shortcuts-title" className="m-auto max-w-md rounded-lg p-6 backdrop:bg-slate-900/40">
				<h2 id="shortcuts-title">{t('shortcuts.title')}</h2>
				<dl className="mt-3 grid grid-cols-[4rem_1fr] gap-y-2">
					{keys.map((k) => (
						<div key={k} className="contents">
							<dt>
								<kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 font-mono">{k}</kbd>
							</dt>
							<dd>{t(`shortcuts.keys.${k === '1–8' ? 'digits' : k === '?' ? 'help' : k}`)}</dd>
						</div>
					))}
				</dl>
				<p className="mt-3 text-sm text-slate-700">{t('shortcuts.note')}</p>
				<form method="dialog" className="mt-4">
					<button type="submit" className="btn">
						{t('shortcuts.close')}
					</button>
				</form>
			</dialog>
		</>
	)
}

/** With JavaScript: copy the text selected in the sample into the quote field (without, people paste it). */
export function QuoteSelection({ target }: { target: string }) {
	const { t } = useTranslation('review')
	const [ready, setReady] = useState(false)
	const [empty, setEmpty] = useState(false)
	useEffect(() => setReady(true), [])
	if (!ready) return null
	return (
		<>
			<button
				type="button"
				className="btn"
				onClick={() => {
					const selection = window.getSelection()
					const inside = selection?.anchorNode && document.querySelector('[data-sample-content]')?.contains(selection.anchorNode)
					const text = inside ? selection!.toString().trim().slice(0, 1000) : ''
					setEmpty(!text)
					const input = document.getElementById(target) as HTMLInputElement | null
					if (text && input) {
						input.value = text
						// Tells the flag form its draft changed.
						input.dispatchEvent(new Event('input', { bubbles: true }))
						input.focus()
					}
				}}
			>
				{t('flag.useSelection')}
			</button>
			{empty ? (
				<p role="status" className="w-full text-sm text-slate-700">
					{t('flag.selectFirst')}
				</p>
			) : null}
		</>
	)
}
