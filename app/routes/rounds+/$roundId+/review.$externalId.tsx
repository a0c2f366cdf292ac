import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigate, useNavigation } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Sentence } from '#app/components/bidi.tsx'
import { FormAlert } from '#app/components/forms.tsx'
import { MetadataList, SampleContent } from '#app/components/sample-content.tsx'
import { canGiveVerdict, FlagFormSchema, groupSuggestions, SkipSchema, visibleOthersFlags, WithdrawFlagSchema } from '#app/domain/review.ts'
import { AHEAD_MAX } from '#app/domain/review-sync.ts'
import { getFocusView, getReviewTarget, nextPending, quickVerdict, saveVerdict, withdrawFlag, withdrawVerdict } from '#app/models/review.server.ts'
import { similarPending, similarPrompt } from '#app/models/similar-review.server.ts'
import { requireUser } from '#app/utils/auth.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { intentOf, parseForm } from '#app/routes/__form.server.ts'
import { FlagForm, type FlagValues } from './__flag-form.tsx'
import { type Entry, readFlagForm, useLocalQueue } from './__local-queue.ts'
import { ReviewShortcuts } from './__review-shortcuts.tsx'
import { SimilarPrompt, useSimilarPrompt } from './__similar-prompt.tsx'

export const handle: RouteHandle = {
	i18n: ['review', 'rounds', 'datasets'],
	title: (t, d) => t('review:title', { id: (d as { sample?: { externalId: string } } | undefined)?.sample?.externalId ?? '' }),
}

const UUID = /^[0-9a-f-]{36}$/i

/**
 * The participant guard (as requireParticipant: 404 unless the signed-in user takes part in this
 * round and has not withdrawn, consent first) fused with the page's own reads, so that a focus
 * view costs the session lookup and one query, and a "no concerns" or "skip" verdict the session
 * lookup and one statement that also finds the next sample (docs/benchmarks.md, "Review loop").
 */
function guard<T extends { participant: { consented: boolean; withdrawn: boolean } }>(roundId: string, found: T | null): T {
	invariantResponse(found && !found.participant.withdrawn, 'Not found', { status: 404 })
	if (!found.participant.consented) throw redirect(`/rounds/${roundId}/consent`)
	return found
}

export async function loader({ request, params }: LoaderFunctionArgs) {
	const user = await requireUser(request)
	const { roundId = '', externalId = '' } = params
	const view = guard(roundId, UUID.test(roundId) ? await getFocusView({ roundId, userId: user.id, externalId }) : null)
	const { round, sample, own } = view
	invariantResponse(sample, 'Not found', { status: 404 })
	// "Do these look the same?" after a flag (issue #22): this sample's flag and the reviewer's waiting samples like it; with nothing to offer, on to the next sample.
	const askSimilar = new URL(request.url).searchParams.has('similar')
	const prompt = askSimilar && canGiveVerdict(round.status) ? await similarPrompt({ roundId: round.id, participantId: view.participant.id, sample }) : null
	if (askSimilar && !prompt) {
		const base = `/rounds/${round.id}/review`
		throw redirect(view.nextPending ? `${base}/${encodeURIComponent(view.nextPending)}` : base)
	}
	return {
		// The content warning was acknowledged at consent; it stands before each sample only for
		// those who asked to be warned each time.
		round: { id: round.id, title: round.title, open: canGiveVerdict(round.status), contentWarning: view.participant.warnEachTime ? round.contentWarning : '' },
		// The reviewer's own participation: where this browser keeps their verdicts waiting to be sent (decision 051).
		participantId: view.participant.id,
		sample: {
			externalId: sample.externalId,
			content: sample.content,
			messages: sample.messages,
			imageUrl: sample.imageUrl,
			imageAlt: sample.imageAlt,
			language: sample.language,
			metadata: sample.metadata,
		},
		suggestions: groupSuggestions(sample.metadata),
		own,
		others: visibleOthersFlags({ blind: round.blindReview, hasOwnVerdict: !!own, othersCategories: view.othersCategories }),
		neighbours: view.neighbours,
		nextPending: view.nextPending && view.nextPending !== sample.externalId ? view.nextPending : null,
		progress: { ...view.progress, position: sample.position },
		prompt,
	}
}

/** The prompt's address: the flagged sample's page, asking for its similar samples. */
const promptPath = (roundId: string, externalId: string) => `/rounds/${roundId}/review/${encodeURIComponent(externalId)}?similar=1`

/** The flagged sample a prompt's answer came from (a hidden field of its form): the answer leads back to that prompt. */
function similarOfField(form: FormData): string | null {
	const value = form.get('similarOf')
	return typeof value === 'string' && value.length > 0 && value.length <= 500 ? value : null
}

export async function action({ request, params }: ActionFunctionArgs) {
	const user = await requireUser(request)
	const { roundId = '', externalId = '' } = params
	const form = await request.formData()
	const intent = intentOf(form)
	const known = UUID.test(roundId)
	// The review loop's common answers ("no concerns", "skip") are guarded, recorded and answered
	// with the next sample in one statement; what it did not record takes the path below.
	const skip = intent === 'skip' ? parseForm(form, SkipSchema) : null
	const quickInput = intent === 'no_concerns' ? { kind: 'no_concerns' as const } : skip?.ok ? { kind: 'skipped' as const, reason: skip.value.skipReason } : null
	const quick = known && quickInput ? await quickVerdict({ roundId, userId: user.id, externalId, verdict: quickInput }) : null
	const similarOf = similarOfField(form)
	if (quick?.reviewId && quick.target) {
		const base = `/rounds/${quick.target.round.id}/review`
		if (similarOf) throw redirect(promptPath(quick.target.round.id, similarOf))
		throw redirect(quick.nextPending ? `${base}/${encodeURIComponent(quick.nextPending)}` : base)
	}
	const target = quick ? quick.target : known ? await getReviewTarget({ roundId, userId: user.id, externalId }) : null
	const { round, participant, assignment } = guard(roundId, target)
	invariantResponse(assignment, 'Not found', { status: 404 })
	const sample = { id: assignment.sampleId, externalId, position: assignment.position }
	if (!canGiveVerdict(round.status)) return data({ result: null, error: 'review:errors.closed' }, { status: 409 })
	const base = `/rounds/${round.id}/review`
	const ids = { roundId: round.id, participantId: participant.id, sampleId: sample.id }
	if (intent === 'withdraw') {
		await withdrawVerdict(ids)
		throw redirect(`${base}/${encodeURIComponent(sample.externalId)}`)
	}
	if (intent === 'withdraw_flag') {
		const parsed = parseForm(form, WithdrawFlagSchema)
		const ok = parsed.ok && (await withdrawFlag({ ...ids, flagId: parsed.value.flagId }))
		if (!ok) return data({ result: null, error: 'review:errors.notYours' }, { status: 404 })
		throw redirect(`${base}/${encodeURIComponent(sample.externalId)}`)
	}
	if (intent === 'no_concerns') {
		await saveVerdict({ ...ids, verdict: { kind: 'no_concerns' } })
	} else if (skip) {
		if (!skip.ok) return data({ result: null, error: 'review:errors.skip' }, { status: 400 })
		await saveVerdict({ ...ids, verdict: { kind: 'skipped', reason: skip.value.skipReason } })
	} else if (intent === 'flag') {
		const parsed = parseForm(form, FlagFormSchema, { lists: ['affectedGroups', 'otherGroups'] })
		if (!parsed.ok) {
			// Refused: the form comes back as the reviewer left it (without JavaScript it is a new page).
			return data({ result: { fieldErrors: parsed.fieldErrors, values: flagValues(form, externalId) }, error: 'review:errors.flagForm' }, { status: 400 })
		}
		await saveVerdict({ ...ids, verdict: { kind: 'flag', flag: parsed.value } })
		// A flag of its own (not a "yes" in a prompt): the reviewer's waiting samples like it are offered next.
		if (!similarOf && (await similarPending({ roundId: round.id, participantId: participant.id, externalId }))?.length) throw redirect(promptPath(round.id, externalId))
	} else {
		throw new Response('Unknown intent', { status: 400 })
	}
	// An answer in the prompt: back to it (it leads on to the next sample once nothing is left in it).
	if (similarOf) throw redirect(promptPath(round.id, similarOf))
	// One round trip: the answer is the next sample still waiting.
	const next = await nextPending(participant.id, sample.position)
	throw redirect(next ? `${base}/${encodeURIComponent(next)}` : base)
}

/** What the reviewer put in the flag form, to show it again when the flag is refused. */
function flagValues(form: FormData, externalId: string): FlagValues {
	const text = (name: string, max: number) => String(form.get(name) ?? '').slice(0, max)
	return {
		externalId,
		category: text('category', 40),
		severity: text('severity', 20),
		affectedGroups: form
			.getAll('affectedGroups')
			.slice(0, 20)
			.map((g) => String(g).slice(0, 200)),
		otherGroups: text('otherGroups', 2000),
		rationale: text('rationale', 2000),
		quotedSpan: text('quotedSpan', 1000),
		suggestedRewrite: text('suggestedRewrite', 4000),
		unsure: form.get('unsure') === 'on',
	}
}

const AHEAD_CHOICES = [5, 10, AHEAD_MAX]

export default function FocusView() {
	const { t } = useTranslation(['review', 'datasets', 'common'])
	const data = useLoaderData<typeof loader>()
	const { round, participantId, neighbours, progress } = data
	const actionData = useActionData<typeof action>()
	const navigation = useNavigation()
	const navigate = useNavigate()
	const busy = navigation.state !== 'idle'
	const heading = useRef<HTMLHeadingElement>(null)
	const base = `/rounds/${round.id}/review`
	const url = (externalId: string) => `${base}/${encodeURIComponent(externalId)}`
	// With JavaScript the page shows samples from its local queue; the server's sample leads it.
	const lq = useLocalQueue({
		roundId: round.id,
		participantId,
		first: { ...data.sample, position: progress.position, others: data.others },
		firstJudged: !!data.own,
	})
	const shown = lq.enabled ? lq.current : { ...data.sample, position: progress.position, others: data.others }
	const fromServer = shown?.externalId === data.sample.externalId
	const [localRefused, setLocalRefused] = useState<{ externalId: string; fieldErrors: Record<string, string[]>; values: FlagValues } | null>(null)
	// A refused flag's answers belong to the sample they were given on, never to the next one.
	const serverRefused = shown && actionData?.result && actionData.result.values.externalId === shown.externalId ? actionData.result : null
	const refused = localRefused && localRefused.externalId === shown?.externalId ? localRefused : serverRefused
	const shownId = shown?.externalId ?? ''
	// "Do these look the same?" after a flag (issue #22): from the server (the page after a flag without JavaScript), or from this page's flag.
	const similar = useSimilarPrompt({ lq, fromServer: data.prompt, roundOpen: round.open })
	const promptOpen = similar.open
	// After each verdict the new sample's heading takes focus, so screen readers start there; the address follows the sample.
	useEffect(() => {
		heading.current?.focus()
		if (lq.enabled && shownId && !promptOpen && window.location.pathname + window.location.search !== url(shownId)) window.history.replaceState(window.history.state, '', url(shownId))
	}, [shownId, promptOpen])
	// The end of the queue, everything sent: the start page says "all done" (or finds what came back to the queue).
	const finished = lq.enabled && !shown && lq.exhausted && lq.online && !lq.waiting.length && !promptOpen
	useEffect(() => {
		if (finished) navigate(base)
	}, [finished, navigate, base])

	const waitingHere = shown ? lq.waiting.filter((e) => e.externalId === shown.externalId) : []
	const sentHere = shown ? lq.sent.get(shown.externalId) : undefined
	const own = fromServer && !waitingHere.length && !sentHere ? data.own : null
	const others = fromServer ? data.others : (shown?.others ?? null)
	const prevLocal = lq.enabled && lq.index > 0 ? lq.items[lq.index - 1] : null
	const nextLocal = lq.enabled && shown ? lq.items[lq.index + 1] : null
	const prev = prevLocal ? null : fromServer ? neighbours.prev : null
	const next = nextLocal ? null : fromServer ? neighbours.next : null
	const done = Math.min(progress.total, progress.done + [...lq.judged].filter((id) => id !== data.sample.externalId || !data.own).length)
	const give = (intent: 'no_concerns' | 'skip', fields: Record<string, string>) => (event: React.FormEvent<HTMLFormElement>) => {
		if (!lq.enabled) return
		event.preventDefault()
		lq.give(intent, fields.skipReason === undefined ? fields : { skipReason: String(new FormData(event.currentTarget).get('skipReason') ?? '') })
	}
	const takeFlag = (form: HTMLFormElement) => {
		const { fields, fieldErrors, value } = readFlagForm(form)
		if (fieldErrors || !value) {
			const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : '')
			setLocalRefused({
				externalId: shownId,
				fieldErrors: fieldErrors ?? {},
				values: {
					externalId: shownId,
					category: text('category'),
					severity: text('severity'),
					affectedGroups: (fields.affectedGroups as string[] | undefined) ?? [],
					otherGroups: text('otherGroups'),
					rationale: text('rationale'),
					quotedSpan: text('quotedSpan'),
					suggestedRewrite: text('suggestedRewrite'),
					unsure: text('unsure') === 'on',
				},
			})
			return false
		}
		setLocalRefused(null)
		lq.give('flag', fields)
		// Offline the list cannot be known: the reviewer goes on as after any flag.
		if (lq.online) similar.ask(shownId, value)
		return true
	}

	const outbox = lq.enabled ? <Outbox t={t} waiting={lq.waiting} conflicts={lq.conflicts} online={lq.online} dismiss={lq.dismiss} /> : null

	if (similar.prompt && promptOpen) {
		// Without JavaScript "Not now" is the next sample waiting after the flagged one; with it, the next one loaded.
		const after = lq.enabled ? shown?.externalId : data.nextPending
		return (
			<div className="flex flex-col gap-3">
				<SimilarPrompt
					roundId={round.id}
					prompt={similar.prompt}
					items={similar.items}
					heading={heading}
					continueTo={after ? url(after) : base}
					onContinue={lq.enabled ? similar.close : undefined}
					answer={lq.enabled ? (externalId, intent, fields) => lq.giveOn(externalId, intent, fields) : undefined}
					busy={busy}
				/>
				{outbox}
				<ReviewShortcuts prev={null} next={null} />
			</div>
		)
	}

	if (!shown) {
		return (
			<div className="flex flex-col gap-3">
				<h1 ref={heading} tabIndex={-1} className="text-xl focus:outline-none">
					{t('local.endTitle')}
				</h1>
				<p role="status">{t('progress', { done, total: progress.total })}</p>
				<p>{lq.online ? t('local.loadingNext') : t('local.noneLoaded')}</p>
				{outbox}
			</div>
		)
	}
	const content = (
		<div data-sample-content>
			<SampleContent sample={shown} />
		</div>
	)
	return (
		<div className="flex flex-col gap-3">
			{/* Compact on purpose: on a phone the sample and the two verdict buttons fit in the first screen. */}
			<div className="flex flex-col gap-1">
				<h1 ref={heading} tabIndex={-1} className="text-xl focus:outline-none" data-sample-id={shown.externalId}>
					<Sentence t={t} k="heading" values={{ id: shown.externalId }} />
				</h1>
				<div className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
					<Link to={`/rounds/${round.id}`} dir="auto" className="min-w-0 truncate">
						{round.title}
					</Link>
					<p role="status">{t('progress', { done, total: progress.total })}</p>
				</div>
			</div>
			{actionData?.error && fromServer ? <FormAlert errors={[actionData.error]} /> : null}

			{/* The sample first; the content warning stands before it only for those who asked for it each time. */}
			{round.contentWarning ? (
				<details className="rounded-lg border border-amber-300 bg-amber-50 p-4">
					<summary className="cursor-pointer font-medium">
						<Sentence t={t} k="contentWarning" values={{ warning: round.contentWarning }} />
					</summary>
					<div className="mt-3">{content}</div>
				</details>
			) : (
				content
			)}

			{round.open ? (
				<div className="flex flex-wrap gap-3" key={`verdict-${shown.externalId}`}>
					<Form method="post" action={url(shown.externalId)} onSubmit={give('no_concerns', {})}>
						<button type="submit" name="intent" value="no_concerns" className="btn btn-primary" disabled={busy} data-shortcut="n" aria-keyshortcuts="n">
							{t('verdict.noConcerns')}
						</button>
					</Form>
					{/* A link to the flag form below: no JavaScript needed, and the form keeps its one submit. */}
					<a href="#flag-form" className="btn" data-verdict-flag aria-keyshortcuts="f" onClick={lq.enabled ? () => void similar.lookup(shown.externalId) : undefined}>
						{t('verdict.flag')}
					</a>
				</div>
			) : null}
			{/* Under the verdict buttons, not above the sample: a verdict waiting for its answer must not move the sample or the buttons the reviewer is about to press. */}
			{outbox}

			<section aria-labelledby="persona-heading" className="rounded-lg border border-slate-200 px-3 py-2">
				<h2 id="persona-heading" className="text-sm font-semibold">
					{t('metadata')}
				</h2>
				<div className="mt-1">
					<MetadataList metadata={shown.metadata} />
				</div>
			</section>

			{waitingHere.length || sentHere ? (
				<section aria-labelledby="own-heading" className="card flex flex-col gap-2 p-4">
					<h2 id="own-heading" className="text-base">
						{t('own.title')}: {waitingHere.map((e) => t(`local.intent.${e.intent}`)).join(', ') || t(`local.intent.${sentHere!}`)}
					</h2>
					<p>{waitingHere.length ? t('local.state.waiting') : t('local.state.sent')}</p>
					{waitingHere.length ? (
						<button type="button" className="btn self-start" onClick={() => lq.withdrawWaiting(shown.externalId)}>
							{t('local.withdrawWaiting')}
						</button>
					) : null}
				</section>
			) : null}

			{own ? (
				<section aria-labelledby="own-heading" className="card flex flex-col gap-2 p-4">
					<h2 id="own-heading" className="text-base">
						{t('own.title')}: {t(`verdict.${own.verdict}`)}
					</h2>
					{own.skipReason ? <p dir="auto">{own.skipReason}</p> : null}
					<ul className="flex flex-col gap-2">
						{own.flags.map((f) => (
							<li key={f.id} className="rounded border border-slate-200 p-2 text-sm">
								<span className="font-medium">
									{t(`categories.${f.category}.label`)} · {t(`severity.${f.severity}`)}
									{f.unsure ? ` · ${t('flag.unsure')}` : ''}
								</span>
								{f.rationale ? <p dir="auto">{f.rationale}</p> : null}
								{f.quotedSpan ? (
									<blockquote dir="auto" className="border-s-4 border-slate-300 ps-2">
										{f.quotedSpan}
									</blockquote>
								) : null}
								{round.open ? (
									<Form method="post" action={url(shown.externalId)}>
										<input type="hidden" name="flagId" value={f.id} />
										<button type="submit" name="intent" value="withdraw_flag" className="btn-link text-sm">
											{t('own.withdrawFlag')}
										</button>
									</Form>
								) : null}
							</li>
						))}
					</ul>
					{round.open ? (
						<Form method="post" action={url(shown.externalId)}>
							<button type="submit" name="intent" value="withdraw" className="btn">
								{t('own.withdraw')}
							</button>
						</Form>
					) : null}
				</section>
			) : null}

			{others ? (
				<section aria-labelledby="others-heading" className="text-sm">
					<h2 id="others-heading" className="text-base">
						{t('others.title')}
					</h2>
					{Object.keys(others).length ? (
						<ul className="mt-1 flex flex-wrap gap-2">
							{Object.entries(others).map(([c, n]) => (
								<li key={c} className="rounded-full bg-slate-100 px-2 py-0.5">
									{t(`categories.${c}.label`)}: {n}
								</li>
							))}
						</ul>
					) : (
						<p>{t('others.none')}</p>
					)}
				</section>
			) : null}

			{round.open ? (
				<section aria-labelledby="verdict-heading" className="flex flex-col gap-4" key={`form-${shown.externalId}`}>
					<h2 id="verdict-heading">{own || waitingHere.length || sentHere ? t('verdict.change') : t('verdict.title')}</h2>
					{/* Starting a flag: the reviewer's waiting samples like this one are looked up now, so the prompt after it needs no wait. */}
					<div onFocus={lq.enabled ? () => void similar.lookup(shown.externalId) : undefined}>
						<FlagForm
							roundId={round.id}
							externalId={shown.externalId}
							action={url(shown.externalId)}
							suggestions={groupSuggestions(shown.metadata)}
							refused={refused}
							busy={busy}
							intercept={lq.enabled ? takeFlag : undefined}
						/>
					</div>
					<Form method="post" action={url(shown.externalId)} className="flex flex-wrap items-end gap-2" onSubmit={give('skip', { skipReason: '' })}>
						<div>
							<label htmlFor="skipReason" className="label">
								{t('verdict.skipReason')}
							</label>
							<input id="skipReason" name="skipReason" maxLength={500} className="input" dir="auto" />
						</div>
						<button type="submit" name="intent" value="skip" className="btn" disabled={busy} data-shortcut="s" aria-keyshortcuts="s">
							{t('verdict.skip')}
						</button>
					</Form>
				</section>
			) : (
				<p className="card">{t('closedNotice')}</p>
			)}

			<nav aria-label={t('nav.label')} className="flex flex-wrap gap-3">
				{prevLocal ? (
					<a
						href={url(prevLocal.externalId)}
						className="btn"
						aria-keyshortcuts="k"
						onClick={(e) => {
							e.preventDefault()
							lq.go(lq.index - 1)
						}}
					>
						{t('nav.previous')}
					</a>
				) : prev ? (
					<Link to={url(prev)} className="btn" aria-keyshortcuts="k">
						{t('nav.previous')}
					</Link>
				) : null}
				{nextLocal ? (
					<a
						href={url(nextLocal.externalId)}
						className="btn"
						aria-keyshortcuts="j"
						onClick={(e) => {
							e.preventDefault()
							lq.go(lq.index + 1)
						}}
					>
						{t('nav.next')}
					</a>
				) : next ? (
					<Link to={url(next)} className="btn" aria-keyshortcuts="j">
						{t('nav.next')}
					</Link>
				) : null}
			</nav>
			<ReviewShortcuts prev={prevLocal ? () => lq.go(lq.index - 1) : prev ? url(prev) : null} next={nextLocal ? () => lq.go(lq.index + 1) : next ? url(next) : null} />
			{lq.enabled ? (
				<div className="self-end text-sm" data-loaded-ahead={lq.items.length - 1 - lq.index}>
					<label htmlFor="review-ahead" className="me-2">
						{t('local.ahead')}
					</label>
					<select id="review-ahead" className="input inline-block w-auto" value={lq.ahead} onChange={(e) => lq.setAhead(Number(e.target.value))}>
						{AHEAD_CHOICES.map((n) => (
							<option key={n} value={n}>
								{t('local.aheadCount', { count: n })}
							</option>
						))}
					</select>
				</div>
			) : null}
		</div>
	)
}

/** What waits in this browser to be sent, and what the server refused, verdict by verdict (announced as it changes). */
function Outbox({ t, waiting, conflicts, online, dismiss }: { t: ReturnType<typeof useTranslation>['t']; waiting: Entry[]; conflicts: Entry[]; online: boolean; dismiss: (key: string) => void }) {
	return (
		<div aria-live="polite" className="flex flex-col gap-2 empty:hidden" data-outbox>
			{waiting.length ? (
				<details className="rounded border border-sky-300 bg-sky-50 px-3 py-2 text-sm">
					<summary className="cursor-pointer" data-waiting={waiting.length}>
						{t('local.waiting', { count: waiting.length })}
						{online ? '' : ` ${t('local.offline')}`}
					</summary>
					<ul className="mt-1 list-disc ps-5">
						{waiting.map((e) => (
							<li key={e.key}>
								<Sentence t={t} k="local.item" values={{ id: e.externalId }} options={{ verdict: t(`local.intent.${e.intent}`) }} />
							</li>
						))}
					</ul>
				</details>
			) : null}
			{conflicts.length ? (
				<ul className="flex flex-col gap-1" data-conflicts>
					{conflicts.map((e) => (
						<li key={e.key} className="flex flex-wrap items-center gap-2 rounded border border-red-300 bg-red-50 px-3 py-2 text-sm">
							<span>
								<Sentence t={t} k={`local.conflict.${e.status}`} values={{ id: e.externalId }} options={{ verdict: t(`local.intent.${e.intent}`) }} />
							</span>
							<button type="button" className="btn-link" onClick={() => dismiss(e.key)}>
								{t('local.dismiss')}
							</button>
						</li>
					))}
				</ul>
			) : null}
		</div>
	)
}
