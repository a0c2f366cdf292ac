import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { ColumnHeadings } from '#app/components/column-headings.tsx'
import { ConfirmedField, ConfirmPage, confirmClick, isConfirmed, resubmittable } from '#app/components/confirm.tsx'
import { DataTable } from '#app/components/data-table.tsx'
import { DateTime } from '#app/components/date-time.tsx'
import { Markdown } from '#app/components/markdown.tsx'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { InvitationLanguageSelect } from '#app/components/language-select.tsx'
import { availableRoundActions, type RoundAction } from '#app/domain/round-status.ts'
import { authorKey } from '#app/domain/pseudonymity.ts'
import { isSignalSelection, type SignalSelection } from '#app/domain/signals/selection.ts'
import { InvitationTargetSchema, InviteSchema, parseInviteList, RoundActionSchema } from '#app/domain/round.ts'
import { invitationCounts, inviteToRound, listInvitations, revokeInvitation, rotateInvitation } from '#app/models/invitation.server.ts'
import { afterRoundClosed, afterRoundOpened, emailInvitations } from '#app/models/round-flow.server.ts'
import { changeRoundStatus, getRound, getRoundWithDataset, listParticipantsForTeam, roundProgress } from '#app/models/round.server.ts'
import { getLanguage } from '#app/utils/i18n.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import { appOrigin } from '#app/utils/origin.server.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { intentOf, parseForm } from '#app/routes/__form.server.ts'

export const handle: RouteHandle = {
	i18n: ['rounds', 'datasets', 'insights'],
	title: (t, data) => (data as { round?: { title: string } } | undefined)?.round?.title ?? t('rounds:round.title'),
}

const UUID = /^[0-9a-f-]{36}$/i

async function load(request: Request, params: Record<string, string | undefined>, capability: 'view' | 'manage_versions') {
	const ctx = await requireVersion(request, params, capability)
	const round = params.roundId && UUID.test(params.roundId) ? await getRound({ roundId: params.roundId, versionId: ctx.version.id }) : null
	invariantResponse(round, 'Not found', { status: 404 })
	return { ...ctx, round }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version, round } = await load(request, params, 'view')
	const [people, invitations, counts, progress] = await Promise.all([listParticipantsForTeam(round.id), listInvitations(round.id), invitationCounts(round.id), roundProgress(round.id)])
	return {
		dataset: { slug: dataset.slug, name: dataset.name },
		version: { label: version.label },
		round: {
			id: round.id,
			title: round.title,
			status: round.status,
			stage: round.stage,
			guidelines: round.guidelines,
			sampleCount: round.sampleCount,
			selectionMode: round.selectionMode,
			overlap: round.overlap,
			blindReview: round.blindReview,
			blockThreshold: round.blockThreshold,
			revision: round.revision,
			opensAt: round.opensAt?.toISOString() ?? null,
			closesAt: round.closesAt?.toISOString() ?? null,
			closedAt: round.closedAt?.toISOString() ?? null,
		},
		// A round aimed where the signals are: what weighed the choice, as recorded with it.
		signalSelection: isSignalSelection(round.selectionParams) ? round.selectionParams : null,
		actions: availableRoundActions(round.status),
		participants: people,
		counts,
		invitations: invitations.map((i) => ({ id: i.id, email: i.email, role: i.role, state: i.state, lastSentAt: i.lastSentAt.toISOString() })),
		progress,
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { round, user } = await load(request, params, 'manage_versions')
	const form = await request.formData()
	const intent = intentOf(form)
	const origin = appOrigin(request)
	if (intent === 'open' || intent === 'close' || intent === 'reopen') {
		const parsed = parseForm(form, RoundActionSchema)
		if (!parsed.ok) throw new Response('Bad request', { status: 400 })
		// Opening freezes the samples, closing ends everyone's reviewing: confirmed first (a dialog, or this page without JavaScript).
		if ((intent === 'open' || intent === 'close') && !isConfirmed(form)) return { error: null, invite: null, confirm: { intent, fields: resubmittable(form) } }
		const result = await changeRoundStatus({ roundId: round.id, action: intent as RoundAction, reason: parsed.value.reason, revision: parsed.value.revision, actorId: user.id })
		if (!result.ok) return data({ error: `rounds:errors.transition.${result.reason}`, invite: null }, { status: 409 })
		if (result.to === 'open') await afterRoundOpened(round.id, origin)
		if (result.to === 'closed') await afterRoundClosed(round.id, origin)
		return { error: null, invite: null }
	}
	if (intent === 'invite') {
		const parsed = parseForm(form, InviteSchema)
		if (!parsed.ok) return data({ error: 'rounds:errors.inviteForm', invite: null }, { status: 400 })
		const { ok, errors, dropped } = parseInviteList(parsed.value.emails, { role: parsed.value.role })
		const language = parsed.value.language ?? (await getLanguage(request))
		const outcomes = ok.length ? await inviteToRound({ roundId: round.id, lines: ok, message: parsed.value.message, language, createdBy: user.id }) : []
		const full = await getRoundWithDataset(round.id)
		await emailInvitations({
			outcomes,
			round: { id: round.id, title: round.title, datasetId: full!.datasetId, datasetName: full!.datasetName },
			role: parsed.value.role,
			roleByEmail: new Map(ok.map((l) => [l.email, l.role])),
			message: parsed.value.message,
			origin,
		})
		// Only the lines that failed stay in the box, to be corrected and sent again.
		const failed = [...errors.map((e) => ({ line: e.line, input: e.input })), ...outcomes.filter((o) => o.result === 'cap_reached').map((o) => ({ line: o.line, input: o.email }))]
		const remaining = failed
			.sort((a, b) => a.line - b.line)
			.map((f) => f.input)
			.join('\n')
		return data(
			{ error: null, invite: { results: outcomes.map(({ line, email, result }) => ({ line, email, result })), errors, dropped, remaining } },
			{ status: errors.length && !outcomes.length ? 400 : 200 },
		)
	}
	if (intent === 'revoke' || intent === 'resend') {
		const parsed = parseForm(form, InvitationTargetSchema)
		invariantResponse(parsed.ok, 'Not found', { status: 404 })
		const { invitationId } = parsed.value
		if (intent === 'revoke') {
			const done = await revokeInvitation({ roundId: round.id, invitationId, actorId: user.id })
			return data({ error: done ? null : 'rounds:errors.notPending', invite: null }, { status: done ? 200 : 409 })
		}
		const rotated = await rotateInvitation({ roundId: round.id, invitationId, actorId: user.id })
		if (!rotated) return data({ error: 'rounds:errors.notPending', invite: null }, { status: 409 })
		const full = await getRoundWithDataset(round.id)
		await emailInvitations({
			outcomes: [{ line: 0, email: rotated.email, result: 'resent', token: rotated.token, language: (rotated.language as 'en') ?? 'en' }],
			round: { id: round.id, title: round.title, datasetId: full!.datasetId, datasetName: full!.datasetName },
			role: rotated.role,
			message: rotated.message,
			origin,
		})
		return { error: null, invite: null }
	}
	throw new Response('Unknown intent', { status: 400 })
}

export default function TeamRoundPage() {
	const { t } = useTranslation(['rounds', 'datasets', 'common'])
	const data = useLoaderData<typeof loader>()
	const { dataset, version, round, actions, participants, counts, invitations, progress } = data
	const actionData = useActionData<typeof action>()
	const versionPath = `/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`
	const confirm = actionData && 'confirm' in actionData ? actionData.confirm : null
	if (confirm) {
		return (
			<ConfirmPage
				title={t(`round.confirm.${confirm.intent}Title`, { round: round.title })}
				body={t(`round.confirm.${confirm.intent}Body`, { count: round.sampleCount })}
				fields={confirm.fields}
				confirmLabel={t(`round.confirm.${confirm.intent}`)}
				cancelLabel={t('round.confirm.cancel')}
				cancelTo={`${versionPath}/rounds/${round.id}`}
			/>
		)
	}
	return (
		<div className="flex flex-col gap-8">
			<PageHeader
				crumbs={datasetCrumbs(t, dataset, version)}
				title={round.title}
				actions={
					<>
						<Link to={`${versionPath}/insights?round=${round.id}`} className="btn">
							{t('insights:link')}
						</Link>
						<Link to={`/datasets/${dataset.slug}/outbox`} className="btn">
							{t('outbox.link')}
						</Link>
					</>
				}
			/>
			{actionData?.error ? (
				<p role="alert" className="alert-error">
					{t(actionData.error)}
				</p>
			) : null}
			<section aria-labelledby="summary-heading" className="card flex flex-col gap-3">
				<h2 id="summary-heading">{t('round.summary')}</h2>
				<dl className="grid gap-x-6 gap-y-2 sm:grid-cols-[14rem_1fr]">
					<dt className="font-medium">{t('fields.status')}</dt>
					<dd>{t(`status.${round.status}`)}</dd>
					<dt className="font-medium">{t('fields.stage')}</dt>
					<dd>{t(`stage.${round.stage}`)}</dd>
					<dt className="font-medium">{t('round.dates')}</dt>
					<dd>
						{round.status === 'closed' && round.closedAt ? (
							<>
								{t('round.closedOn')} <DateTime value={round.closedAt} />
							</>
						) : (
							<>
								<DateTime value={round.opensAt} /> – <DateTime value={round.closesAt} />
							</>
						)}
					</dd>
					<dt className="font-medium">{t('round.samples')}</dt>
					<dd>{t('round.samplesValue', { count: round.sampleCount, mode: t(`selection.${round.selectionMode}`) })}</dd>
					<dt className="font-medium">{t('fields.overlap')}</dt>
					<dd>{round.overlap}</dd>
					<dt className="font-medium">{t('round.coverage')}</dt>
					<dd>{t('round.coverageValue', { covered: progress.covered, total: round.sampleCount, done: progress.done, assigned: progress.assigned })}</dd>
					<dt className="font-medium">{t('fields.blindReview')}</dt>
					<dd>{round.blindReview ? t('round.yes') : t('round.no')}</dd>
					<dt className="font-medium">{t('fields.blockThreshold')}</dt>
					<dd>{round.blockThreshold}</dd>
				</dl>
				{data.signalSelection ? <SignalWeights selection={data.signalSelection} /> : null}
				{round.guidelines ? <Markdown>{round.guidelines}</Markdown> : null}
				{actions.length ? (
					<Form method="post" className="flex flex-col gap-3 border-t border-slate-200 pt-3">
						<input type="hidden" name="revision" value={round.revision} />
						<ConfirmedField />
						{actions.includes('reopen') ? (
							<div>
								<label htmlFor="reason" className="label">
									{t('round.reopenReason')}
								</label>
								<textarea id="reason" name="reason" rows={2} className="input" dir="auto" />
							</div>
						) : null}
						<div className="flex flex-wrap gap-2">
							{actions.map((a) => (
								<button
									key={a}
									type="submit"
									name="intent"
									value={a}
									className={`btn ${a === 'open' ? 'btn-primary' : ''}`}
									onClick={a === 'open' || a === 'close' ? confirmClick(t(`round.confirm.${a}Body`, { count: round.sampleCount })) : undefined}
								>
									{t(`action.${a}`)}
								</button>
							))}
						</div>
					</Form>
				) : null}
			</section>

			<section aria-labelledby="participants-heading" className="flex flex-col gap-2">
				<h2 id="participants-heading">{t('participants.title', { count: participants.people.length + participants.groups.reduce((n, g) => n + g.joined, 0) })}</h2>
				<p className="text-sm text-slate-700">{t('participants.pseudonymNote', { min: participants.min })}</p>
				<ul className="text-sm">
					{counts
						.filter((c) => c.invited > 0 || c.joined > 0)
						.map((c) => (
							<li key={c.role}>{t(`participants.joinedOf.${c.role}`, { joined: c.joined, invited: c.invited })}</li>
						))}
				</ul>
				{participants.people.length || participants.groups.length ? (
					<DataTable
						labelledBy="participants-heading"
						columns={[{ label: t('participants.who') }, { label: t('participants.state') }, { label: t('participants.progress') }]}
						rows={[
							...participants.groups.map((g) => ({
								key: g.role,
								cells: [
									<>
										{t(`participants.group.${g.role}`, { n: g.joined })}
										{g.names.length ? ` (${g.names.join(', ')})` : ''}
									</>,
									t('participants.groupedState', { min: participants.min }),
									t('participants.progressValue', { done: g.done, total: g.assigned }),
								],
							})),
							...participants.people.map((p) => ({
								key: p.id,
								cells: [
									<>
										{t(authorKey(p.role, p.number), { n: p.number })}
										{p.expertise ? (
											<>
												{' · '}
												<bdi>{p.expertise}</bdi>
											</>
										) : (
											''
										)}
										{p.name ? ` (${p.name})` : ''}
									</>,
									p.withdrawn ? t('participants.withdrawn') : p.consented ? t('participants.active') : t('participants.awaitingConsent'),
									t('participants.progressValue', { done: p.done, total: p.assigned }),
								],
							})),
						]}
					/>
				) : (
					<p>{t('participants.none')}</p>
				)}
				{participants.expertise.length ? (
					<div>
						<h3 className="font-medium">{t('participants.expertiseTitle')}</h3>
						<ul className="text-sm">
							{participants.expertise.map((e) => (
								<li key={`${e.role}-${e.expertise}`}>
									{t(`roles.${e.role}`)} · <span dir="auto">{e.expertise}</span>: {e.count === null ? t('participants.fewerThan', { min: participants.min }) : e.count}
								</li>
							))}
						</ul>
					</div>
				) : null}
			</section>

			<section aria-labelledby="invite-heading" className="card flex flex-col gap-4">
				<h2 id="invite-heading">{t('invite.title')}</h2>
				{actionData?.invite ? <InviteResults invite={actionData.invite} /> : null}
				<Form method="post" className="flex flex-col gap-4" key={actionData?.invite ? `after-${actionData.invite.results.length}-${actionData.invite.remaining.length}` : 'invite'}>
					<input type="hidden" name="intent" value="invite" />
					<div>
						<label htmlFor="emails" className="label">
							{t('invite.emails')}
						</label>
						<textarea id="emails" name="emails" rows={4} required className="input" aria-describedby="emails-hint" defaultValue={actionData?.invite?.remaining ?? ''} />
						<p id="emails-hint" className="mt-1 text-sm text-slate-700">
							{t('invite.emailsHint')}
						</p>
					</div>
					<div className="grid gap-4 sm:grid-cols-2">
						<div>
							<label htmlFor="role" className="label">
								{t('invite.role')}
							</label>
							<select id="role" name="role" className="input" defaultValue="community">
								<option value="community">{t('roles.community')}</option>
								<option value="expert">{t('roles.expert')}</option>
							</select>
						</div>
						<InvitationLanguageSelect id="language" label={t('invite.language')} defaultLabel={t('invite.languageMine')} />
					</div>
					<div>
						<label htmlFor="message" className="label">
							{t('invite.message')}
						</label>
						<textarea id="message" name="message" rows={3} className="input" dir="auto" />
					</div>
					<button type="submit" className="btn btn-primary self-start">
						{t('invite.submit')}
					</button>
				</Form>
			</section>

			<section aria-labelledby="invitations-heading" className="flex flex-col gap-2">
				<h2 id="invitations-heading">{t('invitations.title')}</h2>
				<p className="text-sm text-slate-700">{t('invitations.note')}</p>
				{invitations.length ? (
					<DataTable
						labelledBy="invitations-heading"
						columns={[
							{ label: t('invitations.who') },
							{ label: t('invitations.role') },
							{ label: t('invitations.state') },
							{ label: t('invitations.lastSent') },
							{ label: t('invitations.actions'), hidden: true },
						]}
						rows={invitations.map((i) => ({
							key: i.id,
							cells: [
								i.email,
								t(`roles.${i.role}`),
								t(`invitations.states.${i.state}`),
								<DateTime value={i.lastSentAt} />,
								i.state !== 'revoked' ? (
									<Form method="post" className="flex gap-2">
										<input type="hidden" name="invitationId" value={i.id} />
										<button type="submit" name="intent" value="resend" className="btn">
											{t('invitations.resend', { email: i.email })}
										</button>
										<button type="submit" name="intent" value="revoke" className="btn">
											{t('invitations.revoke', { email: i.email })}
										</button>
									</Form>
								) : null,
							],
						}))}
					/>
				) : (
					<p>{t('invitations.none')}</p>
				)}
			</section>
		</div>
	)
}

function InviteResults({ invite }: { invite: { results: Array<{ line: number; email: string; result: string }>; errors: Array<{ line: number; input: string; error: string }>; dropped: number } }) {
	const { t } = useTranslation('rounds')
	return (
		<div role="status" className="flex flex-col gap-2 text-sm">
			{invite.results.length ? (
				<ul className="alert-success">
					{invite.results.map((r) => (
						<li key={`${r.line}-${r.email}`}>{t(`invite.results.${r.result}`, { email: r.email })}</li>
					))}
				</ul>
			) : null}
			{invite.dropped ? <p className="rounded border border-amber-300 bg-amber-50 p-3">{t('invite.labelsDropped', { n: invite.dropped })}</p> : null}
			{invite.errors.length ? (
				<ul className="alert-error">
					{invite.errors.map((e) => (
						<li key={e.line}>{t('invite.lineError', { line: e.line, input: e.input, reason: t(e.error) })}</li>
					))}
				</ul>
			) : null}
		</div>
	)
}

/** How "where the signals are" chose this round's samples: per value, its strength, weight, the samples taken and the words that favoured a sample. */
function SignalWeights({ selection }: { selection: SignalSelection }) {
	const { t, i18n } = useTranslation('rounds')
	const number = new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 2 })
	return (
		<div className="flex flex-col gap-2 border-t border-slate-200 pt-3" data-testid="signal-weights">
			<p className="text-sm text-slate-700">{t('signalWeights.body', { attribute: selection.attribute, seed: selection.seed, boost: selection.termBoost })}</p>
			<div className="overflow-x-auto">
				<table className="w-full text-start text-sm">
					<caption className="text-start font-medium" dir="auto">
						{t('signalWeights.caption', { attribute: selection.attribute })}
					</caption>
					<ColumnHeadings
						ns="rounds"
						columns={[
							['signalWeights.value', 'start'],
							['signalWeights.samples', 'end'],
							['signalWeights.strength', 'end'],
							['signalWeights.weight', 'end'],
							['signalWeights.taken', 'end'],
							['signalWeights.terms', 'start'],
						]}
					/>
					<tbody>
						{selection.weights.map((w) => (
							<tr key={w.value}>
								<th scope="row" className="text-start font-medium" dir="auto">
									{w.value}
								</th>
								<td className="text-end tabular-nums">{number.format(w.samples)}</td>
								<td className="text-end tabular-nums">{number.format(w.strength)}</td>
								<td className="text-end tabular-nums">{number.format(w.weight)}</td>
								<td className="text-end tabular-nums">{number.format(w.quota)}</td>
								<td dir="auto">{w.terms.length ? w.terms.join(', ') : t('signalWeights.noTerms')}</td>
							</tr>
						))}
					</tbody>
				</table>
			</div>
		</div>
	)
}
