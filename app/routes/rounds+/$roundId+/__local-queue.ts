import { useCallback, useEffect, useRef, useState } from 'react'
import { FlagFormSchema, type FlagInput } from '#app/domain/review.ts'
import { AHEAD_DEFAULT, clampAhead, isConflict, type SimilarItem, SYNC_BATCH, type SyncStatus } from '#app/domain/review-sync.ts'
import { fieldErrorsOf } from '#app/utils/misc.ts'
import { type SyncAnswer } from './review-sync.ts'

/**
 * The focus view's local queue (with JavaScript, decision 051). The page keeps the next samples of
 * the reviewer's queue loaded; a verdict shows the next one at once and waits in an outbox kept in
 * localStorage (it survives a reload, a closed tab, a lost connection) until the server has
 * answered for it. The outbox is sent in order, a batch at a time, each verdict with the key made
 * for it in the browser, so a verdict sent twice is recorded once; the same exchange refills the
 * queue. Without JavaScript none of this runs: the page's forms post as they always did.
 */

export type QueueSample = SyncAnswer['queue'][number]
export type Intent = 'no_concerns' | 'skip' | 'flag'
export type Fields = Record<string, string | string[]>
/** A verdict given in this browser: waiting to be sent (no status), or refused by the server (status). */
export type Entry = { key: string; externalId: string; intent: Intent; fields: Fields; status?: SyncStatus; fieldErrors?: Record<string, string[]> }

export const outboxKey = (participantId: string) => `roundtable:review-outbox:${participantId}`
export const AHEAD_KEY = 'roundtable:review-ahead'
const RETRY_MS = 3000

function readJson<T>(key: string, fallback: T): T {
	try {
		const raw = localStorage.getItem(key)
		return raw ? (JSON.parse(raw) as T) : fallback
	} catch {
		return fallback
	}
}

function newKey() {
	if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID()
	return Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('')
}

/** The flag form's fields as the server reads them, checked here first with the same schema (`value`: the flag as the server will record it). */
export function readFlagForm(form: HTMLFormElement): { fields: Fields; fieldErrors: Record<string, string[]> | null; value?: FlagInput } {
	const data = new FormData(form)
	const fields: Fields = {}
	for (const [name, value] of data) {
		if (name === 'intent' || typeof value !== 'string') continue
		const lists = name === 'affectedGroups'
		fields[name] = lists ? [...((fields[name] as string[] | undefined) ?? []), value] : value
	}
	const input: Record<string, unknown> = { ...fields, intent: 'flag', affectedGroups: data.getAll('affectedGroups'), otherGroups: data.getAll('otherGroups') }
	const parsed = FlagFormSchema.safeParse(input)
	return parsed.success ? { fields, fieldErrors: null, value: parsed.data } : { fields, fieldErrors: fieldErrorsOf(parsed.error) }
}

export function useLocalQueue({ roundId, participantId, first, firstJudged }: { roundId: string; participantId: string; first: QueueSample; firstJudged: boolean }) {
	const [enabled, setEnabled] = useState(false)
	const [items, setItems] = useState<QueueSample[]>([first])
	const [index, setIndex] = useState(0)
	const [outbox, setOutbox] = useState<Entry[]>([])
	const [online, setOnline] = useState(true)
	/** Samples judged in this browser since the page opened (sent or waiting). */
	const [judged, setJudged] = useState<ReadonlySet<string>>(() => new Set(firstJudged ? [first.externalId] : []))
	const [exhausted, setExhausted] = useState(false)
	/** Verdicts the server recorded from this page: the last one given on each sample. */
	const [sent, setSent] = useState<ReadonlyMap<string, Intent>>(new Map())
	const [ahead, setAheadState] = useState(AHEAD_DEFAULT)
	// The latest state, for the sender (it runs outside React's render).
	const state = useRef({ items, index, outbox, ahead, exhausted, judged })
	state.current = { items, index, outbox, ahead, exhausted, judged }
	const inflight = useRef<Set<string> | null>(null)
	const storeKey = outboxKey(participantId)

	const store = useCallback(
		(next: Entry[]) => {
			state.current.outbox = next
			setOutbox(next)
			try {
				localStorage.setItem(storeKey, JSON.stringify(next))
			} catch {
				// Storage full or unavailable: the verdicts still wait in this page.
			}
		},
		[storeKey],
	)

	const flush = useCallback(async () => {
		if (inflight.current) return
		const { items: list, index: at, outbox: box, ahead: want, exhausted: none } = state.current
		const batch = box.filter((e) => !e.status).slice(0, SYNC_BATCH)
		const loadedAhead = list.length - 1 - at
		// Nothing more to load once the server said so (until the page changes).
		const refill = none ? 0 : Math.max(0, want - loadedAhead)
		if (!batch.length && !refill) return
		inflight.current = new Set(batch.map((e) => e.key))
		const have = [...new Set([...list.slice(at).map((s) => s.externalId), ...box.map((e) => e.externalId)])]
		let retry = false
		try {
			const res = await fetch(`/rounds/${roundId}/review-sync`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
				credentials: 'same-origin',
				body: JSON.stringify({
					verdicts: batch.map(({ key, externalId, intent, fields }) => ({ key, externalId, intent, fields })),
					have,
					want: refill,
					after: list[list.length - 1]?.position ?? -1,
				}),
			})
			if (res.status === 404) {
				// This round is no longer the reviewer's to review: each verdict says so.
				store(state.current.outbox.map((e) => (inflight.current!.has(e.key) ? { ...e, status: 'reviewer_gone' as const } : e)))
				setExhausted(true)
				return
			}
			// Signed out (the answer is the sign-in page) or a server error: the verdicts keep waiting.
			if (!res.ok || res.redirected || !res.headers.get('content-type')?.includes('json')) throw new Error(`sync ${res.status}`)
			const answer = (await res.json()) as SyncAnswer
			const byKey = new Map(answer.results.map((r) => [r.key, r]))
			const recorded = state.current.outbox.filter((e) => byKey.has(e.key) && !isConflict(byKey.get(e.key)!.status))
			if (recorded.length) setSent((prev) => new Map([...prev, ...recorded.map((e) => [e.externalId, e.intent] as const)]))
			if (byKey.size)
				store(
					state.current.outbox
						.filter((e) => !recorded.includes(e))
						.map((e) => {
							const r = byKey.get(e.key)
							return r ? { ...e, status: r.status, fieldErrors: r.fieldErrors } : e
						}),
				)
			setOnline(true)
			if (refill) {
				state.current.exhausted = answer.queue.length < refill
				setExhausted(state.current.exhausted)
				if (answer.queue.length) {
					setItems((prev) => {
						const known = new Set(prev.map((s) => s.externalId))
						const added = answer.queue.filter((s) => !known.has(s.externalId))
						return added.length ? [...prev, ...added] : prev
					})
				}
			}
		} catch {
			setOnline(false)
			retry = true
		} finally {
			inflight.current = null
		}
		if (retry) return
		// More waiting (a batch at a time, in order), or more to load.
		const left = state.current.outbox.some((e) => !e.status)
		if (left) void flush()
	}, [roundId, store])

	// Opening: the outbox of earlier visits (sent first), the chosen look-ahead, the first refill.
	useEffect(() => {
		setEnabled(true)
		setAheadState(clampAhead(readJson<unknown>(AHEAD_KEY, AHEAD_DEFAULT)))
		const saved = readJson<Entry[]>(storeKey, [])
		if (saved.length) {
			state.current.outbox = saved
			setOutbox(saved)
			setJudged((prev) => new Set([...prev, ...saved.filter((e) => !e.status).map((e) => e.externalId)]))
		}
	}, [storeKey])

	// Send (and refill) whenever something waits; again when the connection returns, and every few seconds while it does not.
	useEffect(() => {
		if (!enabled) return
		void flush()
		const again = () => void flush()
		window.addEventListener('online', again)
		const timer = window.setInterval(again, RETRY_MS)
		return () => {
			window.removeEventListener('online', again)
			window.clearInterval(timer)
		}
	}, [enabled, flush, ahead])

	// A new page from the server (Previous/Next beyond what is loaded, a withdrawn verdict): it leads; what is loaded and not yet shown stays.
	useEffect(() => {
		setItems((prev) => {
			if (prev[index]?.externalId === first.externalId) return prev
			return [first, ...prev.slice(index + 1).filter((s) => s.externalId !== first.externalId)]
		})
		setIndex(0)
		setExhausted(false)
		if (firstJudged) setJudged((prev) => new Set([...prev, first.externalId]))
		// only when the server's sample changes
	}, [first.externalId])

	const current = items[index] ?? null

	/** Into the outbox (replacing what still waits for that sample; flags add up as they do on the server); the sample is judged here. */
	const put = useCallback(
		(externalId: string, intent: Intent, fields: Fields) => {
			const sending = inflight.current
			const kept = state.current.outbox.filter((e) => e.externalId !== externalId || !!e.status || sending?.has(e.key) || (intent === 'flag' && e.intent === 'flag'))
			store([...kept, { key: newKey(), externalId, intent, fields }])
			const done = new Set([...state.current.judged, externalId])
			state.current.judged = done
			setJudged(done)
			// Sent after the next sample is on screen: the request's work never delays it.
			window.setTimeout(() => void flush(), 0)
			return done
		},
		[flush, store],
	)

	/** A verdict on the sample shown, then the next sample not yet judged. */
	const give = useCallback(
		(intent: Intent, fields: Fields) => {
			const { items: list, index: at } = state.current
			const sample = list[at]
			if (!sample) return
			const done = put(sample.externalId, intent, fields)
			let next = at + 1
			while (next < list.length && done.has(list[next]!.externalId)) next++
			setIndex(next)
		},
		[put],
	)

	/** A verdict on a sample of the queue that is not the one shown (the prompt after a flag, issue #22): sent like any other. */
	const giveOn = useCallback((externalId: string, intent: Intent, fields: Fields) => void put(externalId, intent, fields), [put])

	/** From the sample shown, on to the first one not judged yet (after verdicts given on samples further on). */
	const skipJudged = useCallback(() => {
		const { items: list, index: at, judged: done } = state.current
		let next = at
		while (next < list.length && done.has(list[next]!.externalId)) next++
		if (next !== at) setIndex(next)
	}, [])

	/** The reviewer's samples still waiting that are like `externalId` (null: not known, e.g. offline). Reads only: no verdict rides along. */
	const lookupSimilar = useCallback(
		async (externalId: string): Promise<SimilarItem[] | null> => {
			try {
				const res = await fetch(`/rounds/${roundId}/review-sync`, {
					method: 'POST',
					headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
					credentials: 'same-origin',
					body: JSON.stringify({ verdicts: [], similarOf: externalId }),
				})
				if (!res.ok || res.redirected || !res.headers.get('content-type')?.includes('json')) return null
				return ((await res.json()) as SyncAnswer).similar ?? null
			} catch {
				return null
			}
		},
		[roundId],
	)

	/** Takes back a verdict that has not been sent yet: it never leaves this browser. */
	const withdrawWaiting = useCallback(
		(externalId: string) => {
			const sending = inflight.current
			store(state.current.outbox.filter((e) => e.externalId !== externalId || !!e.status || sending?.has(e.key)))
			setJudged((prev) => {
				const next = new Set(prev)
				next.delete(externalId)
				return next
			})
		},
		[store],
	)

	const dismiss = useCallback((key: string) => store(state.current.outbox.filter((e) => e.key !== key)), [store])

	const setAhead = useCallback((n: number) => {
		const v = clampAhead(n)
		setAheadState(v)
		try {
			localStorage.setItem(AHEAD_KEY, String(v))
		} catch {
			// Not kept beyond this page.
		}
	}, [])

	return {
		enabled,
		current,
		index,
		items,
		go: setIndex,
		give,
		giveOn,
		skipJudged,
		lookupSimilar,
		withdrawWaiting,
		dismiss,
		waiting: outbox.filter((e) => !e.status),
		conflicts: outbox.filter((e) => !!e.status),
		judged,
		sent,
		online,
		exhausted,
		ahead,
		setAhead,
	}
}
