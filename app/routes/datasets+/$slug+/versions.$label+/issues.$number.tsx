import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { useChartFormat } from '#app/components/charts/format.ts'
import { DateTime } from '#app/components/date-time.tsx'
import { Markdown } from '#app/components/markdown.tsx'
import { PageHeader } from '#app/components/page-header.tsx'
import { MetadataList, SampleContent } from '#app/components/sample-content.tsx'
import { SimilarIndexLine, SimilarList, SimilarThresholdForm } from '#app/components/similar-samples.tsx'
import { AuditFormSchema, similarQueryOrDefault } from '#app/domain/similar/query.ts'
import { auditableRounds, DEFAULT_AUDIT_SIZE, getIssueAudit, listIssueAudits, MAX_AUDIT_SIZE, startAudit } from '#app/models/similar-audit.server.ts'
import { extendIssue, findSimilar, listIssueSamples } from '#app/models/similar.server.ts'
import { resolutionsFor, triageIntents, TriageSchema } from '#app/domain/issue.ts'
import { authorKey } from '#app/domain/pseudonymity.ts'
import { getIssue, listAssignable, nextUntriagedIssue, triageIssue } from '#app/models/triage.server.ts'
import { isolate } from '#app/utils/bidi.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { intentOf, parseForm } from '#app/routes/__form.server.ts'
import { IssueBadges, issueTitle } from './__issue-badges.tsx'

export const handle: RouteHandle = {
	i18n: ['datasets', 'issues', 'review', 'rounds', 'discussion'],
	title: (t, data) => {
		const d = data as { issue?: { number: number } } | undefined
		return d?.issue ? `#${d.issue.number} · ${t('issues:inbox.title')}` : t('issues:inbox.title')
	},
}

async function load(request: Request, params: Record<string, string | undefined>) {
	const ctx = await requireVersion(request, params, 'triage')
	const number = Number(params.number)
	invariantResponse(Number.isInteger(number) && number > 0, 'Not found', { status: 404 })
	const detail = await getIssue({ versionId: ctx.version.id, number })
	invariantResponse(detail, 'Not found', { status: 404 })
	return { ...ctx, detail }
}

const issuesPath = (slug: string, label: string) => `/datasets/${slug}/versions/${encodeURIComponent(label)}/issues`

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version, detail } = await load(request, params)
	const team = await listAssignable(dataset.id)
	const { issue } = detail
	// After the decision form: `saved` names the issue just decided, `next=none` says none is left to triage.
	const search = new URL(request.url).searchParams
	const similar = await loadSimilar(version.id, issue, search)
	const savedNumber = Number(search.get('saved'))
	const afterSave = Number.isInteger(savedNumber) && savedNumber > 0 ? { number: savedNumber, noneLeft: search.get('next') === 'none' } : null
	return {
		afterSave,
		resolutions: resolutionsFor(issue.kind),
		useCase: detail.useCase,
		dataset: { slug: dataset.slug, name: dataset.name },
		version: { label: version.label },
		issue: { ...issue, createdAt: issue.createdAt.toISOString(), updatedAt: issue.updatedAt.toISOString() },
		sample: detail.sample,
		comment: detail.comment,
		flags: detail.flags.map((f) => ({ ...f, createdAt: f.createdAt.toISOString() })),
		history: detail.history.map((h) => ({ ...h, createdAt: h.createdAt.toISOString() })),
		team: team.map((m) => ({ id: m.id, name: m.name })),
		pseudonymityMin: getEnv().PSEUDONYMITY_MIN_GROUP,
		similar,
	}
}

/** How many similar samples the issue page previews (the sample page lists more). */
const SIMILAR_PREVIEW = 20

/**
 * A sample issue's similar samples (issue #22): those not yet on the issue, at the threshold in
 * the query string, a preview of the most similar; and the samples the issue was extended to.
 */
async function loadSimilar(versionId: string, issue: { id: string; kind: string; externalId: string | null }, search: URLSearchParams) {
	if (issue.kind !== 'sample' || !issue.externalId) return null
	const { min, invalid } = similarQueryOrDefault(search)
	const [found, extended, audits, rounds] = await Promise.all([
		findSimilar({ versionId, externalId: issue.externalId, min }),
		listIssueSamples(issue.id),
		listIssueAudits(issue.id),
		auditableRounds(versionId),
	])
	const on = new Set(extended.map((e) => e.externalId))
	const candidates = (found?.similar ?? []).filter((s) => !on.has(s.externalId))
	return {
		min,
		invalid,
		index: found?.index ?? ({ status: 'none' } as const),
		total: candidates.length,
		capped: found?.capped ?? false,
		items: candidates.slice(0, SIMILAR_PREVIEW).map((s) => ({ externalId: s.externalId, similarity: s.similarity, shared: s.shared })),
		extended: extended.map((e) => ({ externalId: e.externalId, similarity: e.similarity, how: e.how, present: e.present })),
		audits: audits.map((a) => ({ ...a, createdAt: a.createdAt.toISOString() })),
		rounds: rounds.map((r) => ({ id: r.id, title: r.title, status: r.status })),
		auditSize: { default: DEFAULT_AUDIT_SIZE, max: MAX_AUDIT_SIZE },
	}
}

type ActionResult = {
	intent: string
	error: string | null
	added?: number
	audit?: { roundId: string; drawn: number; population: number }
	fieldErrors?: Record<string, string[]>
	conflict?: boolean
	saved?: boolean
	values?: Record<string, string>
}

// What the decision form sends back on a refusal, so a page rendered without JavaScript keeps what was typed.
const keptFields = ['resolution', 'publicResponse', 'note'] as const

export async function action({ request, params }: ActionFunctionArgs) {
	const { user, dataset, version, detail } = await load(request, params)
	const form = await request.formData()
	const intent = intentOf(form)
	if (intent === 'audit') {
		const { min } = similarQueryOrDefault(new URLSearchParams({ min: String(form.get('min') ?? '') }))
		const parsed = AuditFormSchema.safeParse(Object.fromEntries(['size', 'round', 'title'].map((k) => [k, String(form.get(k) ?? '')])))
		if (!parsed.success) return data<ActionResult>({ intent, error: parsed.error.issues[0]!.message }, { status: 400 })
		if (!version.currentImportId) throw new Response('Not found', { status: 404 })
		const { size, round, title } = parsed.data
		const outcome = await startAudit({
			versionId: version.id,
			importId: version.currentImportId,
			issue: detail.issue,
			actor: { userId: user.id, datasetId: dataset.id },
			min,
			size,
			target: round === 'new' ? { round: 'new', title } : { round },
		})
		if (!outcome.ok) return data<ActionResult>({ intent, error: `similar.errors.${outcome.reason}` }, { status: 400 })
		return data<ActionResult>({ intent, error: null, audit: { roundId: outcome.roundId, drawn: outcome.drawn, population: outcome.population } })
	}
	if (intent === 'extend_audit') {
		const audit = await getIssueAudit(detail.issue.id, String(form.get('audit') ?? ''))
		if (!audit) throw new Response('Not found', { status: 404 })
		const outcome = await extendIssue({ versionId: version.id, issue: detail.issue, actor: { userId: user.id, datasetId: dataset.id }, min: audit.min, pick: 'all', audit: audit.id })
		if (!outcome.ok) return data<ActionResult>({ intent, error: `similar.errors.${outcome.reason}` }, { status: 400 })
		return data<ActionResult>({ intent, error: null, added: outcome.added })
	}
	if (intent === 'extend' || intent === 'extend_all') {
		const { min } = similarQueryOrDefault(new URLSearchParams({ min: String(form.get('min') ?? '') }))
		const pick = intent === 'extend_all' ? ('all' as const) : form.getAll('sample').map(String)
		const outcome = await extendIssue({ versionId: version.id, issue: detail.issue, actor: { userId: user.id, datasetId: dataset.id }, min, pick })
		if (!outcome.ok) return data<ActionResult>({ intent, error: `similar.errors.${outcome.reason}` }, { status: 400 })
		return data<ActionResult>({ intent, error: null, added: outcome.added })
	}
	if (!(triageIntents as readonly string[]).includes(intent)) throw new Response('Unknown intent', { status: 400 })
	const values = intent === 'resolve' ? Object.fromEntries(keptFields.map((k) => [k, String(form.get(k) ?? '')])) : undefined
	const parsed = parseForm(form, TriageSchema)
	if (!parsed.ok) return data<ActionResult>({ intent, error: 'triage.errors.form', fieldErrors: parsed.fieldErrors, values }, { status: 400 })
	const outcome = await triageIssue({ versionId: version.id, issueId: detail.issue.id, actor: { userId: user.id, datasetId: dataset.id }, input: parsed.value })
	if (outcome.ok && intent === 'resolve') {
		// Decided: on to the next issue nobody has triaged (or back here, saying none is left).
		const list = issuesPath(dataset.slug, version.label)
		const next = await nextUntriagedIssue({ versionId: version.id, afterNumber: detail.issue.number })
		throw redirect(next ? `${list}/${next.number}?saved=${detail.issue.number}` : `${list}/${detail.issue.number}?saved=${detail.issue.number}&next=none`)
	}
	if (outcome.ok) return data<ActionResult>({ intent, error: null, saved: true })
	// The page reloads with the current state; the person's words stay in the form they typed them in.
	if (outcome.reason === 'conflict') return data<ActionResult>({ intent, error: 'triage.errors.conflict', conflict: true, values }, { status: 409 })
	return data<ActionResult>({ intent, error: `triage.errors.${outcome.reason}`, values }, { status: outcome.reason === 'not_found' ? 404 : 400 })
}

export default function IssuePage() {
	const { t } = useTranslation(['issues', 'review', 'rounds', 'datasets', 'discussion'])
	const { dataset, version, issue, sample, comment, useCase, flags, history, team, pseudonymityMin, resolutions, afterSave, similar } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const navigation = useNavigation()
	const busy = navigation.state === 'submitting'
	const inbox = issuesPath(dataset.slug, version.label)
	const kept = actionData?.intent === 'resolve' ? actionData.values : undefined
	const errorFor = (intent: string) => (actionData && actionData.intent === intent && actionData.error ? actionData : null)
	const textarea = (id: string, name: string, label: string, hint?: string, required = false) => <TextArea id={id} name={name} label={label} hint={hint} required={required} />

	return (
		<div className="flex flex-col gap-6">
			<PageHeader
				crumbs={[...datasetCrumbs(t, dataset, version), { to: inbox, label: t('inbox.title') }]}
				title={
					<span className="break-words">
						#{issue.number} · {issueTitle(t, issue)}
					</span>
				}
			/>
			<IssueBadges issue={issue} />
			{actionData?.conflict ? (
				<p role="alert" className="alert-error">
					{t('triage.errors.conflict')}
				</p>
			) : null}
			{actionData?.saved ? (
				<p role="status" className="card">
					{t('triage.saved')}
				</p>
			) : null}
			{afterSave ? (
				<div role="status" className="card flex flex-col gap-1" data-testid="after-save">
					{afterSave.noneLeft ? (
						<>
							<p>{t('triage.next.noneLeft', { number: afterSave.number, version: version.label })}</p>
							<p>
								<Link to={inbox}>{t('triage.next.backToList')}</Link>
							</p>
						</>
					) : (
						<>
							<p>{t('triage.next.savedGoOn', { number: afterSave.number })}</p>
							<p>
								<Link to={`${inbox}/${afterSave.number}`}>{t('triage.next.backToSaved', { number: afterSave.number })}</Link> · <Link to={inbox}>{t('triage.next.backToList')}</Link>
							</p>
						</>
					)}
				</div>
			) : null}

			<section aria-labelledby="summary-heading" className="card">
				<h2 id="summary-heading">{t('issue.summary')}</h2>
				<dl className="mt-3 grid gap-x-6 gap-y-2 sm:grid-cols-[14rem_1fr]">
					<dt className="font-medium">{t('issue.blocking')}</dt>
					<dd>
						{/* A resolved issue no longer blocks (the gate counts unresolved ones only), whatever the rules would say. */}
						{issue.status === 'resolved' ? (issue.blocking ? t('issue.blockingResolved') : t('issue.blockingNo')) : issue.blocking ? t('issue.blockingYes') : t('issue.blockingNo')}
						{issue.blockingReasons.length ? ` — ${issue.blockingReasons.map((r) => t(`reason.${r}`)).join(', ')}` : ''}
						{issue.ownerBlocking === false && issue.blockingReasons.length ? ` ${t('issue.overruled')}` : ''}
					</dd>
					<dt className="font-medium">{t('issue.feedback')}</dt>
					<dd>{t('inbox.row', { feedback: t('inbox.rowFeedback', { count: issue.flagCount }), people: t('inbox.rowPeople', { count: issue.flaggerCount }) })}</dd>
					<dt className="font-medium">{t('issue.assignee')}</dt>
					<dd>{issue.assignee ?? t('issue.unassigned')}</dd>
					<dt className="font-medium">{t('triage.publicResponse')}</dt>
					<dd className="whitespace-pre-wrap break-words" dir="auto">
						{issue.publicResponse || '—'}
					</dd>
					<dt className="font-medium">{t('issue.opened')}</dt>
					<dd>
						<DateTime value={issue.createdAt} />
					</dd>
				</dl>
			</section>

			{sample ? (
				<section aria-labelledby="sample-heading" className="card flex flex-col gap-3">
					<h2 id="sample-heading">{t('issue.sample')}</h2>
					<SampleContent sample={sample} />
					<MetadataList metadata={sample.metadata} />
				</section>
			) : issue.kind === 'sample' ? (
				<p className="card">{t('issue.sampleGone')}</p>
			) : null}

			{similar ? (
				<SimilarSection
					similar={similar}
					versionPath={`/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`}
					result={actionData && ['extend', 'extend_all', 'extend_audit', 'audit'].includes(actionData.intent) ? actionData : null}
					busy={busy}
				/>
			) : null}

			{useCase ? (
				<section aria-labelledby="use-case-heading" className="card flex flex-col gap-2">
					<h2 id="use-case-heading">{t('issue.useCase')}</h2>
					<p className="font-medium">
						<bdi>{useCase.title}</bdi> · {t(`datasets:pipelineStage.${useCase.pipelineStage}`)}
					</p>
					{useCase.purpose ? (
						<p className="whitespace-pre-wrap break-words" dir="auto">
							{useCase.purpose}
						</p>
					) : null}
					{useCase.riskNotes ? (
						<p className="whitespace-pre-wrap break-words text-sm" dir="auto">
							<span className="font-medium">{t('datasets:fields.riskNotes')}:</span> {useCase.riskNotes}
						</p>
					) : null}
				</section>
			) : null}

			{comment ? (
				<section aria-labelledby="comment-heading" className="card flex flex-col gap-2">
					<h2 id="comment-heading">{t('issue.comment')}</h2>
					<p className="text-sm text-slate-700">
						{comment.role ? t(authorKey(comment.role, comment.number), { n: comment.number }) : ''}
						{comment.expertise ? (
							<>
								{' '}
								· <bdi>{comment.expertise}</bdi>
							</>
						) : (
							''
						)}{' '}
						· <bdi>{comment.roundTitle}</bdi> · {comment.stance ? t(`discussion:stance.${comment.stance}`) : ''}
					</p>
					{/* Comments are written in Markdown (as in the discussion); raw HTML stays text. */}
					{comment.body !== null ? <Markdown>{comment.body}</Markdown> : <p>{t('issue.commentGone')}</p>}
				</section>
			) : null}

			<section aria-labelledby="flags-heading" className="flex flex-col gap-2">
				<h2 id="flags-heading">{t('issue.flags', { count: flags.length })}</h2>
				<p className="text-sm text-slate-700">{t('rounds:participants.pseudonymNote', { min: pseudonymityMin })}</p>
				<ul className="flex flex-col gap-2">
					{flags.map((f) => (
						<li key={f.id} className="card flex flex-col gap-1 p-3">
							<p className="font-medium">
								{t(authorKey(f.role, f.number), { n: f.number })}
								{f.expertise ? (
									<>
										{' '}
										· <bdi>{f.expertise}</bdi>
									</>
								) : (
									''
								)}
								{f.name ? (
									<>
										{' '}
										(<bdi>{f.name}</bdi>)
									</>
								) : (
									''
								)}{' '}
								· <bdi className="font-normal">{f.roundTitle}</bdi>
							</p>
							<p>
								{f.kind === 'comment' ? t('issue.templateComment') : null}
								{f.category ? t(`review:categories.${f.category}.label`) : null}
								{f.severity ? ` · ${t(`review:severity.${f.severity}`)}` : null}
								{f.unsure ? ` · ${t('issue.unsure')}` : null}
								{f.earlierContent ? ` · ${t('issue.earlierContent')}` : null}
							</p>
							{f.affectedGroups.length ? <p className="text-sm">{t('issue.groups', { groups: f.affectedGroups.map(isolate).join(', ') })}</p> : null}
							{f.rationale ? (
								<p className="whitespace-pre-wrap break-words" dir="auto">
									{f.rationale}
								</p>
							) : null}
							{f.quotedSpan ? (
								<blockquote className="border-s-4 border-slate-300 ps-3 text-slate-800" dir="auto">
									{f.quotedSpan}
								</blockquote>
							) : null}
							{f.suggestedRewrite ? (
								<p className="text-sm" dir="auto">
									<span className="font-medium">{t('issue.rewrite')}</span> <bdi>{f.suggestedRewrite}</bdi>
								</p>
							) : null}
						</li>
					))}
				</ul>
			</section>

			<section aria-labelledby="triage-heading" className="flex flex-col gap-3">
				<h2 id="triage-heading">{t('triage.title')}</h2>
				<div className="grid gap-3 lg:grid-cols-2">
					{issue.status === 'open' ? (
						<TriageForm intent="acknowledge" revision={issue.revision} busy={busy} error={errorFor('acknowledge')} legend={t('triage.acknowledgeTitle')} submit={t('triage.acknowledge')} />
					) : null}
					{issue.status !== 'resolved' ? (
						<TriageForm intent="resolve" revision={issue.revision} busy={busy} error={errorFor('resolve')} legend={t('triage.resolveTitle')} submit={t('triage.resolve')}>
							<p className="text-sm text-slate-700">{t('triage.decisionHint')}</p>
							<div className="flex flex-col gap-1">
								<label htmlFor="resolution" className="text-sm font-medium">
									{t('triage.resolution')}
								</label>
								{/* Only the resolutions that fit this kind of issue (a use case is not "regenerated"). */}
								<select id="resolution" name="resolution" required className="input" defaultValue={kept?.resolution ?? ''}>
									<option value="">{t('triage.chooseResolution')}</option>
									{resolutions.map((r) => (
										<option key={r} value={r}>
											{`${t(`resolution.${r}`)} — ${t(issue.kind === 'use_case' ? `resolutionHintUseCase.${r}` : `resolutionHint.${r}`)}`}
										</option>
									))}
								</select>
							</div>
							<TextArea
								id="resolve-response"
								name="publicResponse"
								label={t('triage.publicResponse')}
								hint={t('triage.publicResponseHint')}
								defaultValue={kept?.publicResponse ?? issue.publicResponse}
							/>
							<TextArea id="resolve-note" name="note" label={t('triage.internalNote')} hint={t('triage.internalNoteHint')} defaultValue={kept?.note ?? ''} />
						</TriageForm>
					) : (
						<TriageForm intent="reopen" revision={issue.revision} busy={busy} error={errorFor('reopen')} legend={t('triage.reopenTitle')} submit={t('triage.reopen')}>
							{textarea('reopen-reason', 'reason', t('triage.reason'), t('triage.internalNoteHint'))}
						</TriageForm>
					)}
					<TriageForm intent="blocking" revision={issue.revision} busy={busy} error={errorFor('blocking')} legend={t('triage.blockingTitle')} submit={t('triage.saveBlocking')}>
						<fieldset className="flex flex-col gap-1">
							<legend className="text-sm font-medium">{t('triage.blockingCall')}</legend>
							{(['rules', 'blocking', 'not_blocking'] as const).map((c) => (
								<label key={c} className="flex items-center gap-2">
									<input
										type="radio"
										name="call"
										value={c}
										defaultChecked={(issue.ownerBlocking === null && c === 'rules') || (issue.ownerBlocking === true && c === 'blocking') || (issue.ownerBlocking === false && c === 'not_blocking')}
									/>
									{t(`triage.call.${c}`)}
								</label>
							))}
						</fieldset>
						{textarea('blocking-reason', 'reason', t('triage.reason'), t('triage.blockingReasonHint'))}
					</TriageForm>
					<TriageForm intent="assign" revision={issue.revision} busy={busy} error={errorFor('assign')} legend={t('triage.assignTitle')} submit={t('triage.assign')}>
						<label htmlFor="assignee" className="text-sm font-medium">
							{t('issue.assignee')}
						</label>
						<select id="assignee" name="assignee" className="input" defaultValue={issue.assigneeId ?? ''}>
							<option value="">{t('issue.unassigned')}</option>
							{team.map((m) => (
								<option key={m.id} value={m.id}>
									{m.name}
								</option>
							))}
						</select>
					</TriageForm>
					<TriageForm intent="respond" revision={issue.revision} busy={busy} error={errorFor('respond')} legend={t('triage.respondTitle')} submit={t('triage.respond')}>
						{textarea('respond-response', 'publicResponse', t('triage.publicResponse'), t('triage.publicResponseHint'))}
					</TriageForm>
					<TriageForm intent="note" revision={issue.revision} busy={busy} error={errorFor('note')} legend={t('triage.noteTitle')} submit={t('triage.addNote')}>
						{textarea('note-text', 'note', t('triage.internalNote'), t('triage.internalNoteHint'), true)}
					</TriageForm>
				</div>
			</section>

			<section aria-labelledby="history-heading" className="flex flex-col gap-2">
				<h2 id="history-heading">{t('issue.history')}</h2>
				<ol className="flex flex-col gap-2 border-s-2 border-slate-200 ps-4">
					{history.map((h) => (
						<li key={h.id} className="flex flex-col gap-0.5">
							<p>
								<span className="font-medium">{h.actor ?? t('history.system')}</span> · {t(`history.kind.${h.kind}`)} · <DateTime value={h.createdAt} />
								{h.version !== version.label ? ` · ${h.version}` : ''}
							</p>
							{h.after && Object.keys(h.after).length ? (
								<p className="text-sm text-slate-700">
									{Object.entries(h.after)
										.filter(([k]) => !['from', 'reasons'].includes(k))
										.map(([k, v]) => `${t(`history.field.${k}`, { defaultValue: k })}: ${describe(t, k, (h.before ?? {})[k])} → ${describe(t, k, v)}`)
										.join('; ')}
								</p>
							) : null}
							{h.note ? (
								<p className="whitespace-pre-wrap break-words text-sm" dir="auto">
									{h.internal ? <span className="me-1 rounded bg-slate-200 px-1 text-xs">{t('history.internal')}</span> : null}
									{h.note}
								</p>
							) : null}
						</li>
					))}
				</ol>
			</section>
		</div>
	)
}

/** One triage form. Defined at module level so a re-render after an error keeps what was typed. */
function TriageForm({
	intent,
	legend,
	children,
	submit,
	revision,
	busy,
	error,
}: {
	intent: string
	legend: string
	children?: ReactNode
	submit: string
	revision: number
	busy: boolean
	error: ActionResult | null
}) {
	const { t } = useTranslation(['issues', 'common'])
	return (
		<Form method="post" className="card flex flex-col gap-2" aria-labelledby={`${intent}-legend`}>
			<h3 id={`${intent}-legend`} className="text-base">
				{legend}
			</h3>
			{error?.error ? (
				<div role="alert" className="alert-error">
					<p>{t(error.error)}</p>
					{error.fieldErrors ? (
						<ul className="list-disc ps-6">
							{Object.entries(error.fieldErrors).map(([field, msgs]) => (
								<li key={field}>
									{t(`triage.fields.${field}`, { defaultValue: field })}: {msgs.map((m) => t(`common:${m}`)).join(' ')}
								</li>
							))}
						</ul>
					) : null}
				</div>
			) : null}
			<input type="hidden" name="intent" value={intent} />
			{intent === 'note' ? null : <input type="hidden" name="revision" value={revision} />}
			{children}
			<button type="submit" className="btn self-start" disabled={busy}>
				{submit}
			</button>
		</Form>
	)
}

function TextArea({ id, name, label, hint, required, defaultValue }: { id: string; name: string; label: string; hint?: string; required?: boolean; defaultValue?: string }) {
	return (
		<div className="flex flex-col gap-1">
			<label htmlFor={id} className="text-sm font-medium">
				{label}
			</label>
			<textarea id={id} name={name} rows={3} maxLength={4000} dir="auto" required={required} defaultValue={defaultValue} aria-describedby={hint ? `${id}-hint` : undefined} className="input" />
			{hint ? (
				<p id={`${id}-hint`} className="text-sm text-slate-700">
					{hint}
				</p>
			) : null}
		</div>
	)
}

function describe(t: (k: string, o?: Record<string, unknown>) => string, key: string, value: unknown): string {
	if (value === null || value === undefined || value === '') return '—'
	if (key === 'status') return t(`status.${String(value)}`)
	if (key === 'resolution') return t(`resolution.${String(value)}`)
	if (key === 'change') return t(`history.change.${String(value)}`)
	if (typeof value === 'boolean') return value ? t('history.yes') : t('history.no')
	if (key === 'assigneeId') return t('history.someone')
	return String(value).length > 120 ? `${String(value).slice(0, 120)}…` : String(value)
}

type SimilarData = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>['similar']>

/**
 * "Similar samples (N)" on a sample issue (issue #22): the samples like this one that the issue
 * does not cover yet, to add picked ones or all of them; and the samples it was extended to.
 */
function SimilarSection({
	similar,
	versionPath,
	result,
	busy,
}: {
	similar: SimilarData
	versionPath: string
	result: { intent: string; error: string | null; added?: number; audit?: { roundId: string; drawn: number; population: number } } | null
	busy: boolean
}) {
	const { t } = useTranslation(['datasets', 'issues'])
	const f = useChartFormat()
	return (
		<section aria-labelledby="similar-heading" className="card flex flex-col gap-3">
			<h2 id="similar-heading">{t('datasets:similar.heading', { count: similar.total })}</h2>
			{result?.error ? (
				<p role="alert" className="alert-error">
					{t(`datasets:${result.error}`)}
				</p>
			) : result?.audit ? (
				<p role="status" data-testid="audit-status">
					{t('datasets:similar.audit.started', { count: result.audit.drawn, population: result.audit.population })}{' '}
					<Link to={`${versionPath}/rounds/${result.audit.roundId}`}>{t('datasets:similar.audit.toRound')}</Link>
				</p>
			) : result ? (
				<p role="status" data-testid="extended-status">
					{t('datasets:similar.added', { count: result.added ?? 0 })}
				</p>
			) : null}
			<SimilarIndexLine state={similar.index} />
			<SimilarThresholdForm min={similar.min} invalid={similar.invalid} />
			{similar.items.length ? (
				<>
					<p className="text-sm text-slate-700">{t('datasets:similar.extendIntro')}</p>
					<Form method="post" id="extend-form" className="flex flex-col gap-3">
						<input type="hidden" name="min" value={similar.min} />
						<SimilarList items={similar.items} versionPath={versionPath} select={{ form: 'extend-form' }} />
						{similar.total > similar.items.length ? <p className="text-sm text-slate-700">{t('datasets:similar.more', { shown: similar.items.length })}</p> : null}
						<div className="flex flex-wrap gap-3">
							<button type="submit" name="intent" value="extend" className="btn" disabled={busy}>
								{t('datasets:similar.extendPicked')}
							</button>
							<button type="submit" name="intent" value="extend_all" className="btn" disabled={busy}>
								{t('datasets:similar.extendAll', { count: similar.total })}
							</button>
						</div>
					</Form>
				</>
			) : (
				<p className="text-slate-700">{t('datasets:similar.none')}</p>
			)}
			{similar.items.length ? <AuditForm similar={similar} busy={busy} /> : null}
			{similar.audits.length ? <AuditList similar={similar} versionPath={versionPath} busy={busy} /> : null}
			{similar.extended.length ? (
				<div className="flex flex-col gap-2" data-testid="issue-samples">
					<h3 className="font-semibold">{t('datasets:similar.covered', { count: similar.extended.length })}</h3>
					<ul className="flex flex-col divide-y divide-slate-200">
						{similar.extended.map((e) => (
							<li key={e.externalId} className="flex flex-wrap gap-x-3 py-1">
								{e.present ? (
									<Link to={`${versionPath}/samples/${encodeURIComponent(e.externalId)}`} className="font-mono" dir="auto">
										{e.externalId}
									</Link>
								) : (
									<span className="font-mono" dir="auto">
										{e.externalId}
									</span>
								)}
								{e.similarity !== null ? <span>{t('datasets:similar.similarity', { value: f.percent(e.similarity) })}</span> : null}
								<span className="text-sm text-slate-700">{t(`datasets:similar.how.${e.how}`)}</span>
							</li>
						))}
					</ul>
				</div>
			) : null}
		</section>
	)
}

/** Draw m of the similar samples at random into a round, to estimate how many show the problem. */
function AuditForm({ similar, busy }: { similar: SimilarData; busy: boolean }) {
	const { t } = useTranslation(['datasets', 'issues'])
	const { issue } = useLoaderData<typeof loader>()
	return (
		<Form method="post" className="flex flex-col gap-3 border-t border-slate-200 pt-3" aria-labelledby="audit-heading">
			<h3 id="audit-heading" className="font-semibold">
				{t('datasets:similar.audit.heading')}
			</h3>
			<p className="text-sm text-slate-700">{t('datasets:similar.audit.intro', { count: similar.total })}</p>
			<input type="hidden" name="min" value={similar.min} />
			<div className="grid gap-3 sm:grid-cols-3">
				<div className="flex flex-col gap-1">
					<label htmlFor="audit-size" className="text-sm font-medium">
						{t('datasets:similar.audit.size')}
					</label>
					<input id="audit-size" name="size" type="number" min={1} max={similar.auditSize.max} defaultValue={similar.auditSize.default} required className="input" />
				</div>
				<div className="flex flex-col gap-1">
					<label htmlFor="audit-round" className="text-sm font-medium">
						{t('datasets:similar.audit.round')}
					</label>
					<select id="audit-round" name="round" defaultValue="new" className="input">
						<option value="new">{t('datasets:similar.audit.newRound')}</option>
						{similar.rounds.map((r) => (
							<option key={r.id} value={r.id}>
								{r.title} ({t(`rounds:status.${r.status}`)})
							</option>
						))}
					</select>
				</div>
				<div className="flex flex-col gap-1">
					<label htmlFor="audit-title" className="text-sm font-medium">
						{t('datasets:similar.audit.title')}
					</label>
					<input
						id="audit-title"
						name="title"
						defaultValue={t('datasets:similar.audit.defaultTitle', { number: issue.number })}
						maxLength={200}
						className="input"
						dir="auto"
						aria-describedby="audit-title-hint"
					/>
					<p id="audit-title-hint" className="text-xs text-slate-700">
						{t('datasets:similar.audit.titleHint')}
					</p>
				</div>
			</div>
			<div>
				<button type="submit" name="intent" value="audit" className="btn" disabled={busy}>
					{t('datasets:similar.audit.start')}
				</button>
			</div>
		</Form>
	)
}

/** Each audit: its round, what was reviewed, and the estimate with its 95 % interval; the evidence to add them all. */
function AuditList({ similar, versionPath, busy }: { similar: SimilarData; versionPath: string; busy: boolean }) {
	const { t } = useTranslation(['datasets', 'rounds'])
	const f = useChartFormat()
	return (
		<ul className="flex flex-col gap-2" data-testid="audits" aria-label={t('datasets:similar.audit.list')}>
			{similar.audits.map((a) => {
				const p = a.prevalence
				return (
					<li key={a.id} className="flex flex-col gap-1 rounded border border-slate-200 p-3">
						<p>
							{t('datasets:similar.audit.inRound', { count: a.drawn })} <Link to={`${versionPath}/rounds/${a.round.id}`}>{a.round.title}</Link> ({t(`rounds:status.${a.round.status}`)})
						</p>
						<p data-testid="audit-estimate">
							{p.reviewed === 0
								? t('datasets:similar.audit.noneReviewed')
								: t('datasets:similar.audit.estimate', {
										reviewed: f.number(p.reviewed),
										affected: f.number(p.affected),
										estimate: f.number(p.estimate),
										population: f.number(p.population),
										low: f.number(p.low),
										high: f.number(p.high),
									})}
						</p>
						{p.reviewed > 0 ? (
							<Form method="post">
								<input type="hidden" name="audit" value={a.id} />
								<button type="submit" name="intent" value="extend_audit" className="btn" disabled={busy}>
									{t('datasets:similar.audit.extend')}
								</button>
							</Form>
						) : null}
					</li>
				)
			})}
		</ul>
	)
}
