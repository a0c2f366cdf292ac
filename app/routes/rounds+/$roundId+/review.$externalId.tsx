import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, PrefetchPageLinks, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { ErrorList, FormAlert } from '#app/components/forms.tsx'
import { MetadataList, SampleContent } from '#app/components/sample-content.tsx'
import { canGiveVerdict, FlagSchema, groupSuggestions, SkipSchema, visibleOthersFlags } from '#app/domain/review.ts'
import { getFocusView, getReviewTarget, nextPending, quickVerdict, saveVerdict, withdrawFlag, withdrawVerdict } from '#app/models/review.server.ts'
import { requireUser } from '#app/utils/auth.server.ts'
import { fieldErrorsOf, invariantResponse } from '#app/utils/misc.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { flagCategories, severities } from '#db/schema/reviews.ts'
import { QuoteSelection, ReviewShortcuts } from './__review-shortcuts.tsx'

export const handle: RouteHandle = { i18n: ['review', 'rounds', 'datasets'], title: (t, d) => t('review:title', { id: (d as { sample?: { externalId: string } } | undefined)?.sample?.externalId ?? '' }) }

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
	return {
		round: { id: round.id, title: round.title, open: canGiveVerdict(round.status), contentWarning: round.contentWarning },
		sample: { externalId: sample.externalId, content: sample.content, messages: sample.messages, imageUrl: sample.imageUrl, imageAlt: sample.imageAlt, language: sample.language, metadata: sample.metadata },
		suggestions: groupSuggestions(sample.metadata),
		own,
		others: visibleOthersFlags({ blind: round.blindReview, hasOwnVerdict: !!own, othersCategories: view.othersCategories }),
		neighbours: view.neighbours,
		nextPending: view.nextPending && view.nextPending !== sample.externalId ? view.nextPending : null,
		progress: { ...view.progress, position: sample.position },
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const user = await requireUser(request)
	const { roundId = '', externalId = '' } = params
	const form = await request.formData()
	const intent = form.get('intent')
	const known = UUID.test(roundId)
	// The review loop's common answers ("no concerns", "skip") are guarded, recorded and answered
	// with the next sample in one statement; what it did not record takes the path below.
	const skip = intent === 'skip' ? SkipSchema.safeParse(Object.fromEntries(form)) : null
	const quickInput = intent === 'no_concerns' ? { kind: 'no_concerns' as const } : skip?.success ? { kind: 'skipped' as const, reason: skip.data.skipReason } : null
	const quick = known && quickInput ? await quickVerdict({ roundId, userId: user.id, externalId, verdict: quickInput }) : null
	if (quick?.reviewId && quick.target) {
		const base = `/rounds/${quick.target.round.id}/review`
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
		const ok = await withdrawFlag({ ...ids, flagId: String(form.get('flagId') ?? '') })
		if (!ok) return data({ result: null, error: 'review:errors.notYours' }, { status: 404 })
		throw redirect(`${base}/${encodeURIComponent(sample.externalId)}`)
	}
	if (intent === 'no_concerns') {
		await saveVerdict({ ...ids, verdict: { kind: 'no_concerns' } })
	} else if (skip) {
		if (!skip.success) return data({ result: null, error: 'review:errors.skip' }, { status: 400 })
		await saveVerdict({ ...ids, verdict: { kind: 'skipped', reason: skip.data.skipReason } })
	} else if (intent === 'flag') {
		const parsed = FlagSchema.safeParse({ ...Object.fromEntries(form), affectedGroups: form.getAll('affectedGroups') })
		if (!parsed.success) {
			return data({ result: { fieldErrors: fieldErrorsOf(parsed.error) }, error: 'review:errors.flagForm' }, { status: 400 })
		}
		await saveVerdict({ ...ids, verdict: { kind: 'flag', flag: parsed.data } })
	} else {
		throw new Response('Unknown intent', { status: 400 })
	}
	// One round trip: the answer is the next sample still waiting.
	const next = await nextPending(participant.id, sample.position)
	throw redirect(next ? `${base}/${encodeURIComponent(next)}` : base)
}

export default function FocusView() {
	const { t } = useTranslation(['review', 'datasets', 'common'])
	const { round, sample, suggestions, own, others, neighbours, nextPending: next, progress } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const navigation = useNavigation()
	const busy = navigation.state !== 'idle'
	const heading = useRef<HTMLHeadingElement>(null)
	const base = `/rounds/${round.id}/review`
	const errors = actionData?.result?.fieldErrors ?? {}
	// After each verdict the new sample's heading takes focus, so screen readers start there.
	useEffect(() => heading.current?.focus(), [sample.externalId])
	const content = (
		<div data-sample-content>
			<SampleContent sample={sample} />
		</div>
	)
	return (
		<div className="flex flex-col gap-5">
			{next ? <PrefetchPageLinks page={`${base}/${encodeURIComponent(next)}`} /> : null}
			<ReviewShortcuts prev={neighbours.prev ? `${base}/${encodeURIComponent(neighbours.prev)}` : null} next={neighbours.next ? `${base}/${encodeURIComponent(neighbours.next)}` : null} />
			<div className="flex flex-wrap items-baseline justify-between gap-2">
				<h1 ref={heading} tabIndex={-1} className="focus:outline-none">
					{t('heading', { id: sample.externalId })}
				</h1>
				<p role="status" className="text-sm">
					{t('progress', { done: progress.done, total: progress.total })}
				</p>
			</div>
			<p className="text-sm text-slate-700">
				<Link to={`/rounds/${round.id}`}>{round.title}</Link>
			</p>
			{actionData?.error ? <FormAlert errors={[actionData.error]} /> : null}

			{round.contentWarning ? (
				<details className="rounded-lg border border-amber-300 bg-amber-50 p-4">
					<summary className="cursor-pointer font-medium">{t('contentWarning', { warning: round.contentWarning })}</summary>
					<div className="mt-3">{content}</div>
				</details>
			) : (
				content
			)}

			<section aria-labelledby="persona-heading" className="card p-4">
				<h2 id="persona-heading" className="text-base">
					{t('metadata')}
				</h2>
				<div className="mt-2">
					<MetadataList metadata={sample.metadata} />
				</div>
			</section>

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
								{round.open ? (
									<Form method="post">
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
						<Form method="post">
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
				<section aria-labelledby="verdict-heading" className="flex flex-col gap-4">
					<h2 id="verdict-heading">{own ? t('verdict.change') : t('verdict.title')}</h2>
					<div className="flex flex-wrap gap-3">
						<Form method="post">
							<button type="submit" name="intent" value="no_concerns" className="btn btn-primary" disabled={busy} data-shortcut="n" aria-keyshortcuts="n">
								{t('verdict.noConcerns')}
							</button>
						</Form>
						<Form method="post" className="flex flex-wrap items-end gap-2">
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
					</div>
					<Form method="post" id="flag-form" className="card flex flex-col gap-4">
						<h3 className="text-lg font-semibold">{t('flag.title')}</h3>
						<fieldset aria-describedby={errors.category ? 'category-error' : undefined}>
							<legend className="label">{t('flag.category')}</legend>
							<div className="grid gap-2 sm:grid-cols-2">
								{flagCategories.map((c, i) => (
									<div key={c} className="flex items-start gap-2">
										<input type="radio" id={`category-${c}`} name="category" value={c} required className="mt-1" data-category-key={i + 1} aria-describedby={`category-${c}-def`} aria-keyshortcuts={String(i + 1)} />
										<div>
											<label htmlFor={`category-${c}`} className="font-medium">
												<span className="me-1 text-xs text-slate-700" aria-hidden="true">
													{i + 1}
												</span>
												{t(`categories.${c}.label`)}
											</label>
											<p id={`category-${c}-def`} className="text-sm text-slate-700">
												{t(`categories.${c}.definition`)}
											</p>
										</div>
									</div>
								))}
							</div>
							<ErrorList id="category-error" errors={errors.category} />
						</fieldset>
						<fieldset>
							<legend className="label">{t('flag.severity')}</legend>
							<div className="flex flex-wrap gap-4">
								{severities.map((s) => (
									<div key={s} className="flex items-center gap-2">
										<input type="radio" id={`severity-${s}`} name="severity" value={s} required defaultChecked={s === 'minor'} />
										<label htmlFor={`severity-${s}`}>{t(`severity.${s}`)}</label>
									</div>
								))}
							</div>
							<ErrorList errors={errors.severity} />
						</fieldset>
						<fieldset>
							<legend className="label">{t('flag.groups')}</legend>
							{suggestions.length ? (
								<div className="mb-2 flex flex-wrap gap-3">
									{suggestions.map((g, i) => (
										<div key={g} className="flex items-center gap-1">
											<input type="checkbox" id={`group-${i}`} name="affectedGroups" value={g} />
											<label htmlFor={`group-${i}`} dir="auto">
												{g}
											</label>
										</div>
									))}
								</div>
							) : null}
							<label htmlFor="group-other" className="text-sm">
								{t('flag.otherGroups')}
							</label>
							<input id="group-other" name="affectedGroups" className="input" dir="auto" />
						</fieldset>
						<div>
							<label htmlFor="rationale" className="label">
								{t('flag.rationale')}
							</label>
							<textarea id="rationale" name="rationale" rows={3} maxLength={2000} dir="auto" className="input" aria-describedby="rationale-hint" aria-invalid={errors.rationale ? true : undefined} />
							<p id="rationale-hint" className="mt-1 text-sm text-slate-700">
								{t('flag.rationaleHint')}
							</p>
							<ErrorList errors={errors.rationale} />
						</div>
						<div>
							<label htmlFor="quotedSpan" className="label">
								{t('flag.quotedSpan')}
							</label>
							<div className="flex flex-wrap gap-2">
								<input id="quotedSpan" name="quotedSpan" maxLength={1000} dir="auto" className="input flex-1" aria-describedby="quotedSpan-hint" />
								<QuoteSelection target="quotedSpan" />
							</div>
							<p id="quotedSpan-hint" className="mt-1 text-sm text-slate-700">
								{t('flag.quotedSpanHint')}
							</p>
						</div>
						<div>
							<label htmlFor="suggestedRewrite" className="label">
								{t('flag.rewrite')}
							</label>
							<textarea id="suggestedRewrite" name="suggestedRewrite" rows={3} maxLength={4000} dir="auto" className="input" />
						</div>
						<div className="flex items-center gap-2">
							<input type="checkbox" id="unsure" name="unsure" />
							<label htmlFor="unsure">{t('flag.unsureLabel')}</label>
						</div>
						<button type="submit" name="intent" value="flag" className="btn btn-primary self-start" disabled={busy}>
							{t('flag.submit')}
						</button>
					</Form>
				</section>
			) : (
				<p className="card">{t('closedNotice')}</p>
			)}

			<nav aria-label={t('nav.label')} className="flex flex-wrap gap-3">
				{neighbours.prev ? (
					<Link to={`${base}/${encodeURIComponent(neighbours.prev)}`} className="btn" aria-keyshortcuts="k">
						{t('nav.previous')}
					</Link>
				) : null}
				{neighbours.next ? (
					<Link to={`${base}/${encodeURIComponent(neighbours.next)}`} className="btn" aria-keyshortcuts="j">
						{t('nav.next')}
					</Link>
				) : null}
			</nav>
		</div>
	)
}
