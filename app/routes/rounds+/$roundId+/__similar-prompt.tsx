import { Form, Link } from '@remix-run/react'
import { type RefObject, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Sentence } from '#app/components/bidi.tsx'
import { SampleContent } from '#app/components/sample-content.tsx'
import { sameAsFlagFields, type SameFlagSource } from '#app/domain/review.ts'
import { type SimilarItem } from '#app/domain/review-sync.ts'
import { type Fields, type useLocalQueue } from './__local-queue.ts'

/** "Do these look the same?" (issue #22): the flag just given and the reviewer's waiting samples like it (null: still looking). */
export type PromptState = { source: string; flag: SameFlagSource; items: SimilarItem[] | null }

type Lookup = { items?: SimilarItem[] | null; promise: Promise<SimilarItem[] | null> }

/**
 * The prompt's state in the focus view. Without JavaScript (and on a page opened at the prompt's
 * address) it comes from the loader. With JavaScript the list is looked up when the reviewer
 * starts a flag (`lookup`), so `ask`, when the flag is given, usually shows it at once; while it
 * is still on its way the prompt says it is looking, and offline there is none. What was judged
 * meanwhile is left out; when nothing is left, or on `close`, the queue goes on from the sample
 * shown to the first one not judged yet.
 */
export function useSimilarPrompt({
	lq,
	fromServer,
	roundOpen,
}: {
	lq: Pick<ReturnType<typeof useLocalQueue>, 'enabled' | 'online' | 'judged' | 'lookupSimilar' | 'skipJudged'>
	fromServer: PromptState | null
	roundOpen: boolean
}) {
	const [prompt, setPrompt] = useState<PromptState | null>(fromServer)
	useEffect(() => setPrompt(fromServer), [fromServer])
	const lookups = useRef(new Map<string, Lookup>())
	const lookup = (externalId: string): Lookup => {
		const known = lookups.current.get(externalId)
		if (known) return known
		const created: Lookup = { promise: Promise.resolve(null) }
		created.promise = lq.lookupSimilar(externalId).then((items) => {
			created.items = items
			// Not known (offline, an error): asked again next time.
			if (items === null) lookups.current.delete(externalId)
			return items
		})
		lookups.current.set(externalId, created)
		return created
	}
	const ask = (source: string, flag: SameFlagSource) => {
		const entry = lookup(source)
		if (entry.items !== undefined) {
			if (entry.items?.length) setPrompt({ source, flag, items: entry.items })
			return
		}
		setPrompt({ source, flag, items: null })
		void entry.promise.then((items) => setPrompt((p) => (p && p.source === source && p.items === null ? (items?.length ? { ...p, items } : null) : p)))
	}
	const items = prompt?.items ? prompt.items.filter((i) => !lq.judged.has(i.externalId)) : null
	const open = !!prompt && roundOpen && (items === null ? lq.online || !lq.enabled : items.length > 0)
	const close = () => {
		setPrompt(null)
		lq.skipJudged()
	}
	useEffect(() => {
		if (prompt && !open && lq.enabled) close()
	}, [prompt, open])
	return { prompt, items, open, ask, lookup, close }
}

/**
 * After a flag, the reviewer's own samples still waiting that are like the flagged one, each as
 * text with a yes/no. Each answer is a plain form of that sample's page — "yes" is the flag form's
 * fields (the same category, severity, groups and unsure mark; a rationale naming the flagged
 * sample), "no" is "No concerns" — so without JavaScript it posts as any verdict does and comes
 * back here; with JavaScript `answer` puts it in the local queue's outbox instead. The sample
 * answered on (or with the focus inside it) is the one `y` and `n` answer.
 */
export function SimilarPrompt({
	roundId,
	prompt,
	items,
	heading,
	continueTo,
	onContinue,
	answer,
	busy,
}: {
	roundId: string
	prompt: PromptState
	/** What is left to answer (null: still looking). */
	items: SimilarItem[] | null
	heading: RefObject<HTMLHeadingElement>
	/** Where "Not now" goes without JavaScript: the next sample waiting. */
	continueTo: string
	onContinue?: () => void
	answer?: (externalId: string, intent: 'flag' | 'no_concerns', fields: Fields) => void
	busy: boolean
}) {
	const { t } = useTranslation('review')
	const [current, setCurrent] = useState(0)
	const [said, setSaid] = useState<{ id: string; yes: boolean } | null>(null)
	const headings = useRef(new Map<string, HTMLHeadingElement>())
	const focusAfter = useRef<number | null>(null)
	const at = items?.length ? Math.min(current, items.length - 1) : 0
	const fields = sameAsFlagFields(prompt.flag, t('similar.rationale', { id: prompt.source, interpolation: { escapeValue: false } }))
	const keys = !!answer
	// An answered sample leaves the list: the focus goes to the one that took its place.
	useEffect(() => {
		if (focusAfter.current === null || !items?.length) return
		const next = items[Math.min(focusAfter.current, items.length - 1)]
		focusAfter.current = null
		if (next) headings.current.get(next.externalId)?.focus()
	}, [items])

	return (
		<section aria-labelledby="similar-title" className="flex flex-col gap-3" data-similar-prompt={prompt.source}>
			<h1 id="similar-title" ref={heading} tabIndex={-1} className="text-xl focus:outline-none">
				{t('similar.title')}
			</h1>
			<p>
				<Sentence t={t} k="similar.intro" values={{ id: prompt.source }} options={{ category: t(`categories.${prompt.flag.category}.label`), severity: t(`severity.${prompt.flag.severity}`) }} />
			</p>
			{items === null ? (
				<p role="status">{t('similar.looking')}</p>
			) : (
				<>
					<p>
						{t('similar.count', { count: items.length })} {t('similar.how')}
						{keys ? ` ${t('similar.keys')}` : ''}
					</p>
					<p role="status" className="text-sm">
						{said ? <Sentence t={t} k={said.yes ? 'similar.saidYes' : 'similar.saidNo'} values={{ id: said.id }} /> : null}
					</p>
					<ol className="flex flex-col gap-3" data-similar-items>
						{items.map((item, i) => {
							const isCurrent = keys && i === at
							return (
								<li
									key={item.externalId}
									onFocus={() => setCurrent(i)}
									data-similar-item={item.externalId}
									className={`flex flex-col gap-2 rounded-lg border p-3 ${isCurrent ? 'border-sky-700 ring-1 ring-sky-700' : 'border-slate-200'}`}
								>
									<h2
										id={`similar-item-${i}`}
										tabIndex={-1}
										className="text-base focus:outline-none"
										ref={(el) => {
											if (el) headings.current.set(item.externalId, el)
											else headings.current.delete(item.externalId)
										}}
									>
										<Sentence t={t} k="heading" values={{ id: item.externalId }} />
									</h2>
									<p className="text-sm text-slate-700">{t(item.shared.includes('text') ? 'similar.shared.text' : 'similar.shared.template')}</p>
									<SampleContent sample={{ ...item, imageUrl: null, imageAlt: null }} />
									<Form
										method="post"
										action={`/rounds/${roundId}/review/${encodeURIComponent(item.externalId)}`}
										className="flex flex-wrap gap-3"
										onSubmit={(event) => {
											if (!answer) return
											event.preventDefault()
											const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null
											const yes = submitter?.value === 'flag'
											focusAfter.current = i
											setSaid({ id: item.externalId, yes })
											answer(item.externalId, yes ? 'flag' : 'no_concerns', yes ? fields : {})
										}}
									>
										<input type="hidden" name="similarOf" value={prompt.source} />
										{Object.entries(fields).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((one, k) => <input key={`${name}-${k}`} type="hidden" name={name} value={one} />))}
										<button
											type="submit"
											name="intent"
											value="flag"
											className="btn btn-primary"
											disabled={busy}
											aria-describedby={`similar-item-${i}`}
											{...(isCurrent ? { 'data-shortcut': 'y', 'aria-keyshortcuts': 'y' } : {})}
										>
											{t('similar.yes')}
											{isCurrent ? (
												<kbd aria-hidden="true" className="ms-2 rounded border border-white/60 px-1 font-mono text-xs">
													y
												</kbd>
											) : null}
										</button>
										<button
											type="submit"
											name="intent"
											value="no_concerns"
											className="btn"
											disabled={busy}
											aria-describedby={`similar-item-${i}`}
											{...(isCurrent ? { 'data-shortcut': 'n', 'aria-keyshortcuts': 'n' } : {})}
										>
											{t('similar.no')}
											{isCurrent ? (
												<kbd aria-hidden="true" className="ms-2 rounded border border-slate-400 px-1 font-mono text-xs">
													n
												</kbd>
											) : null}
										</button>
									</Form>
								</li>
							)
						})}
					</ol>
				</>
			)}
			<div>
				<Link
					to={continueTo}
					className="btn"
					onClick={
						onContinue
							? (event) => {
									event.preventDefault()
									onContinue()
								}
							: undefined
					}
				>
					{t('similar.continue')}
				</Link>
			</div>
		</section>
	)
}
