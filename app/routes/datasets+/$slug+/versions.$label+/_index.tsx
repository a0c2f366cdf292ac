import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { datasetCrumbs } from '#app/components/crumbs.ts'
import { PageHeader } from '#app/components/page-header.tsx'
import { VersionStatusBadge } from '#app/components/status-badge.tsx'
import { can } from '#app/domain/permissions.ts'
import { approvalGate, MIN_JUSTIFICATION_LENGTH } from '#app/domain/gate.ts'
import { availableActions, canChangeSamples, type VersionAction } from '#app/domain/version-status.ts'
import { manualVersionActions, VersionTransitionSchema } from '#app/domain/version.ts'
import { listImports } from '#app/models/import.server.ts'
import { afterRoundClosed } from '#app/models/round-flow.server.ts'
import { approvalRoundGuard, changeRoundStatus, listRounds, type RoundGuard } from '#app/models/round.server.ts'
import { appOrigin } from '#app/utils/origin.server.ts'
import { countBlockingSamples, gateCounts, listOpenBlockers } from '#app/models/issue.server.ts'
import { changeVersionStatus } from '#app/models/version.server.ts'
import { getSignalState } from '#app/models/signals.server.ts'
import { requireVersion } from '#app/guards/dataset.server.ts'
import { type RouteHandle } from '#app/utils/route-handle.ts'
import { intentOf, parseForm } from '#app/routes/__form.server.ts'
import { ImportForm } from './__import-form.tsx'
import { SignalStateLine } from './__signal-state.tsx'

export const handle: RouteHandle = {
	i18n: ['datasets', 'rounds', 'issues', 'report', 'insights', 'signals'],
	title: (t, data) => {
		const d = data as { version?: { label: string }; dataset?: { name: string } } | undefined
		return d?.version ? `${d.version.label} · ${d.dataset?.name}` : t('datasets:version.title')
	},
}

// Lifecycle actions a team member may take here; consultation opens with a round, not a button.
const manualActions: readonly VersionAction[] = manualVersionActions

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { dataset, version } = await requireVersion(request, params, 'view')
	const [imports, rounds, gateIssues, signals, blockingSamples] = await Promise.all([
		listImports(version.id),
		listRounds(version.id),
		gateCounts(version.id),
		getSignalState(version.id),
		countBlockingSamples(version.id),
	])
	const gate = { ...gateIssues, blockingSamples }
	const status = version.status
	const notice = new URL(request.url).searchParams.get('notice')
	return {
		notice: notice === 'frozen' || notice === 'nofile' || notice === 'badname' || notice === 'stagedgone' || notice === 'unreadable' ? notice : null,
		dataset: { slug: dataset.slug, name: dataset.name },
		version: {
			label: version.label,
			status: version.status,
			sampleCount: version.sampleCount,
			overriddenBlockers: version.overriddenBlockers,
			overrideJustification: version.overrideJustification,
			modelName: version.modelName,
			modelVersion: version.modelVersion,
			modelProvider: version.modelProvider,
			generationMethod: version.generationMethod,
			promptTemplates: version.promptTemplates,
			personaDefinitions: version.personaDefinitions,
			seedDataDescription: version.seedDataDescription,
			knownLimitations: version.knownLimitations,
			changelog: version.changelog,
			templateKey: version.templateKey,
			personaKey: version.personaKey,
			parent: version.parent ? { label: version.parent.label } : null,
			hasSamples: !!version.currentImportId,
		},
		imports: imports.map((i) => ({ ...i, startedAt: i.startedAt.toISOString() })),
		rounds: rounds.map((r) => ({ ...r, closesAt: r.closesAt?.toISOString() ?? null })),
		canRunRounds: can(dataset.role, 'manage_versions') && !!version.currentImportId && status !== 'archived' && status !== 'released',
		canImport: can(dataset.role, 'import') && canChangeSamples(status),
		canEdit: can(dataset.role, 'manage_versions') && canChangeSamples(status),
		actions: can(dataset.role, 'approve') ? availableActions(status).filter((a) => manualActions.includes(a)) : [],
		gate,
		signals,
		// Listed where the approval is offered, so the team sees what stands in the way before trying.
		blockers: gate.blocking && (status === 'in_consultation' || status === 'blocked') ? await listOpenBlockers(version.id, 20) : [],
		mayOverride: can(dataset.role, 'override_gate'),
	}
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { user, dataset, version } = await requireVersion(request, params, 'approve')
	const form = await request.formData()
	if (!manualActions.includes(intentOf(form) as VersionAction)) throw new Response('Unknown intent', { status: 400 })
	const parsed = parseForm(form, VersionTransitionSchema)
	if (!parsed.ok) throw new Response('Bad form', { status: 400 })
	const { intent, justification, roundChoice: choice, roundJustification } = parsed.value
	// Approving past a round that is open or short of its coverage target is an explicit choice, with a reason.
	let roundNote: { choice: 'close' | 'keep_open'; justification: string; rounds: string[] } | null = null
	// Blockers are answered first (the gate's refusal lists them); the rounds are asked about once the gate would pass.
	const gatePasses = async () => approvalGate((await gateCounts(version.id)).blocking, can(dataset.role, 'override_gate') ? justification : null).ok
	if (intent === 'approve' && (await gatePasses())) {
		const guard = await approvalRoundGuard(version.id)
		if (guard.length) {
			const hasOpen = guard.some((r) => r.status === 'open')
			const validChoice = choice === 'close' || (choice === 'keep_open' && hasOpen)
			if (!validChoice || roundJustification.length < MIN_JUSTIFICATION_LENGTH) {
				const error = !choice ? null : !validChoice ? 'errors.roundGuard.choice' : 'errors.roundGuard.justification'
				return data({ error, blockers: [], justification, guard, roundJustification }, { status: 409 })
			}
			if (choice === 'close') {
				for (const r of guard.filter((g) => g.status === 'open')) {
					const closed = await changeRoundStatus({ roundId: r.id, action: 'close', revision: r.revision, actorId: user.id })
					if (closed.ok) await afterRoundClosed(r.id, appOrigin(request))
				}
			}
			roundNote = { choice, justification: roundJustification, rounds: guard.map((r) => r.title) }
		}
	}
	const result = await changeVersionStatus({
		versionId: version.id,
		datasetId: dataset.id,
		actorId: user.id,
		action: intent,
		justification: justification || null,
		mayOverride: can(dataset.role, 'override_gate'),
		roundNote,
	})
	if (!result.ok) return data({ error: `errors.transition.${result.reason}`, blockers: result.blockers, justification, guard: null, roundJustification: '' }, { status: 409 })
	return { error: null, blockers: [], justification: '', guard: null, roundJustification: '' }
}

export default function VersionPage() {
	const { t, i18n } = useTranslation(['datasets', 'rounds', 'common'])
	const { dataset, version, imports, rounds, canRunRounds, canImport, canEdit, actions, notice, gate, signals, blockers: listedBlockers, mayOverride } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	const base = `/datasets/${dataset.slug}/versions/${encodeURIComponent(version.label)}`
	const provenance = [
		['modelName', version.modelName],
		['modelVersion', version.modelVersion],
		['modelProvider', version.modelProvider],
		['generationMethod', t(`generationMethod.${version.generationMethod}`)],
		['promptTemplates', version.promptTemplates],
		['personaDefinitions', version.personaDefinitions],
		['templateKey', version.templateKey],
		['personaKey', version.personaKey],
		['seedDataDescription', version.seedDataDescription],
		['knownLimitations', version.knownLimitations],
		['changelog', version.changelog],
	] as const
	return (
		<div className="flex flex-col gap-8">
			<PageHeader
				crumbs={datasetCrumbs(t, dataset)}
				title={
					<span className="flex flex-wrap items-center gap-3">
						{t('version.heading', { label: version.label })} <VersionStatusBadge status={version.status} overriddenBlockers={version.overriddenBlockers} />
					</span>
				}
				actions={
					<>
						{version.hasSamples ? (
							<Link to={`${base}/samples`} className="btn btn-primary">
								{t('version.browse', { count: version.sampleCount })}
							</Link>
						) : null}
						{version.parent ? (
							<Link to={`${base}/diff`} className="btn">
								{t('version.diffWith', { parent: version.parent.label })}
							</Link>
						) : null}
						{canEdit ? (
							<Link to={`${base}/edit`} className="btn">
								{t('version.editProvenance')}
							</Link>
						) : null}
						<Link to={`/datasets/${dataset.slug}/versions/new?parent=${encodeURIComponent(version.label)}`} className="btn">
							{t('version.newFromThis')}
						</Link>
					</>
				}
			/>
			{notice ? (
				<p role="alert" className="alert-error">
					{t(`version.notice.${notice}`)}
				</p>
			) : null}
			{actionData?.error ? (
				<div role="alert" className="alert-error">
					<p>{t(`common:${actionData.error}`)}</p>
					{actionData.blockers.length ? <BlockerList base={base} blockers={actionData.blockers} /> : null}
				</div>
			) : null}
			{actionData?.guard?.length ? <RoundGuardForm guard={actionData.guard} base={base} justification={actionData.justification} roundJustification={actionData.roundJustification} /> : null}
			{version.status === 'blocked' ? (
				<section aria-labelledby="blocked-heading" className="card border-red-300" data-testid="blocked-after-approval">
					<h2 id="blocked-heading">{t('version.blockedTitle')}</h2>
					<p className="mt-2">{t('version.blockedBody')}</p>
					{listedBlockers.length ? <BlockerList base={base} blockers={listedBlockers} /> : null}
				</section>
			) : null}
			{version.overriddenBlockers > 0 && version.overrideJustification ? (
				<section aria-labelledby="override-heading" className="card border-red-300">
					<h2 id="override-heading">{t('issues:gate.overriddenTitle', { count: version.overriddenBlockers })}</h2>
					<p className="mt-2 whitespace-pre-wrap break-words" dir="auto">
						{version.overrideJustification}
					</p>
				</section>
			) : null}

			<section aria-labelledby="issues-heading" className="flex flex-col gap-2">
				<div className="flex flex-wrap items-center justify-between gap-2">
					<h2 id="issues-heading">{t('issues:inbox.title')}</h2>
					<span className="flex flex-wrap gap-2">
						<Link to={`${base}/issues`} className="btn">
							{t('issues:version.openInbox')}
						</Link>
						<Link to={`${base}/report`} className="btn">
							{t('report:link')}
						</Link>
						<Link to={`${base}/insights`} className="btn">
							{t('insights:link')}
						</Link>
						<Link to={`${base}/signals`} className="btn">
							{t('signals:link')}
						</Link>
					</span>
				</div>
				<p className={gate.blocking ? 'font-semibold text-red-900' : 'text-slate-700'}>{t('issues:version.summary', { open: gate.open, blocking: gate.blocking, count: gate.open })}</p>
				{gate.blockingSamples > gate.blocking ? <p data-testid="blocking-samples">{t('issues:version.blockingSamples', { count: gate.blockingSamples })}</p> : null}
				<SignalStateLine state={signals} href={`${base}/signals`} />
			</section>
			{!canChangeSamples(version.status) ? <p className="text-sm text-slate-700">{t('version.frozen')}</p> : null}

			<section aria-labelledby="rounds-heading" className="flex flex-col gap-2">
				<div className="flex flex-wrap items-center justify-between gap-2">
					<h2 id="rounds-heading">{t('rounds:list.title')}</h2>
					{canRunRounds ? (
						<Link to={`${base}/rounds/new`} className="btn btn-primary">
							{t('rounds:list.new')}
						</Link>
					) : null}
				</div>
				{rounds.length === 0 ? <p className="text-slate-700">{t('rounds:list.none')}</p> : null}
				<ul className="flex flex-col gap-2">
					{rounds.map((r) => (
						<li key={r.id} className="card flex flex-wrap items-baseline justify-between gap-2 p-4">
							<Link to={`${base}/rounds/${r.id}`} className="font-semibold" dir="auto">
								{r.title}
							</Link>
							<span className="text-sm text-slate-700">
								{t(`rounds:stage.${r.stage}`)} · {t(`rounds:status.${r.status}`)} · {t('rounds:list.people', { count: r.participants })} · {t('rounds:list.samples', { count: r.sampleCount })}
							</span>
						</li>
					))}
				</ul>
			</section>

			{canImport ? <ImportForm action={`${base}/import`} hasSamples={version.hasSamples} /> : null}

			<section aria-labelledby="provenance-heading" className="card">
				<h2 id="provenance-heading">{t('provenance.title')}</h2>
				<dl className="mt-3 grid gap-x-6 gap-y-3 sm:grid-cols-[12rem_1fr]">
					<dt className="font-medium">{t('fields.parent')}</dt>
					<dd>{version.parent ? <Link to={`/datasets/${dataset.slug}/versions/${encodeURIComponent(version.parent.label)}`}>{version.parent.label}</Link> : '—'}</dd>
					{provenance.map(([key, value]) => (
						<div key={key} className="contents">
							<dt className="font-medium">{t(`provenance.${key}`)}</dt>
							<dd dir="auto" className="whitespace-pre-wrap break-words">
								{value || '—'}
							</dd>
						</div>
					))}
				</dl>
			</section>

			{imports.length ? (
				<section aria-labelledby="imports-heading" className="flex flex-col gap-2">
					<h2 id="imports-heading">{t('imports.title')}</h2>
					<ul className="flex flex-col gap-1 text-sm">
						{imports.map((i) => (
							<li key={i.id}>
								<Link to={`${base}/imports/${i.id}`}>{i.filename || i.id}</Link> · {t(`imports.status.${i.status}`)} · {t('imports.rows', { count: i.rowsRead })}
								{i.errorCount ? ` · ${t('imports.errors', { count: i.errorCount })}` : ''} ·{' '}
								<time dateTime={i.startedAt}>{new Date(i.startedAt).toLocaleString(i18n.language, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' })} UTC</time>
							</li>
						))}
					</ul>
				</section>
			) : null}

			{actions.length ? (
				<section aria-labelledby="lifecycle-heading" className="flex flex-col gap-2">
					<h2 id="lifecycle-heading">{t('version.lifecycle')}</h2>
					<Form method="post" className="flex flex-wrap gap-2">
						{actions.map((a) => (
							<button key={a} type="submit" name="intent" value={a} className="btn">
								{t(`versionAction.${a}`)}
							</button>
						))}
					</Form>
					{actions.includes('approve') && listedBlockers.length ? (
						<div className="card flex flex-col gap-3">
							<p>{t('issues:gate.blockedIntro', { count: gate.blocking })}</p>
							<BlockerList base={base} blockers={listedBlockers} />
							{mayOverride ? (
								<Form method="post" className="flex flex-col gap-2">
									<label htmlFor="override-justification" className="font-medium">
										{t('issues:gate.justificationLabel')}
									</label>
									<p id="override-justification-hint" className="text-sm text-slate-700">
										{t('issues:gate.justificationHint')}
									</p>
									<textarea
										id="override-justification"
										name="justification"
										rows={3}
										required
										minLength={20}
										maxLength={4000}
										aria-describedby="override-justification-hint"
										defaultValue={actionData?.justification ?? ''}
										className="input"
									/>
									<button type="submit" name="intent" value="approve" className="btn self-start">
										{t('issues:gate.override', { count: gate.blocking })}
									</button>
								</Form>
							) : (
								<p className="text-sm text-slate-700">{t('issues:gate.ownersOnly')}</p>
							)}
						</div>
					) : null}
				</section>
			) : null}
		</div>
	)
}

type Blocker = { id: string; number: number; kind: string; externalId: string | null; templateTarget: string | null; reasons: string[] }

/** The open blocking issues, each linked to its page, with why it blocks. */
function BlockerList({ base, blockers }: { base: string; blockers: Blocker[] }) {
	const { t } = useTranslation('issues')
	return (
		<ul className="list-disc ps-6">
			{blockers.map((b) => (
				<li key={b.id}>
					<Link to={`${base}/issues/${b.number}`}>
						#{b.number} · {b.externalId ? <bdi>{b.externalId}</bdi> : b.templateTarget ? t(`target.${b.templateTarget}`) : t('kind.use_case')}
					</Link>{' '}
					<span className="text-sm">({b.reasons.map((r) => t(`reason.${r}`)).join(', ')})</span>
				</li>
			))}
		</ul>
	)
}

/** Approving past open or under-covered rounds: choose to close them or to approve with them open, and say why. */
function RoundGuardForm({ guard, base, justification, roundJustification }: { guard: RoundGuard; base: string; justification: string; roundJustification: string }) {
	const { t } = useTranslation(['datasets', 'rounds'])
	const hasOpen = guard.some((r) => r.status === 'open')
	return (
		<section aria-labelledby="round-guard-heading" className="card flex flex-col gap-3 border-amber-300" data-testid="round-guard">
			<h2 id="round-guard-heading">{t('approveGuard.title')}</h2>
			<ul className="list-disc ps-6">
				{guard.map((r) => (
					<li key={r.id}>
						<Link to={`${base}/rounds/${r.id}`}>{r.title}</Link> ·{' '}
						{r.status === 'open' ? t('approveGuard.open', { covered: r.covered, total: r.sampleCount }) : t('approveGuard.underCovered', { covered: r.covered, total: r.sampleCount })}
					</li>
				))}
			</ul>
			<Form method="post" className="flex flex-col gap-3">
				<input type="hidden" name="intent" value="approve" />
				{justification ? <input type="hidden" name="justification" value={justification} /> : null}
				<fieldset className="flex flex-col gap-2">
					<legend className="font-medium">{t('approveGuard.choose')}</legend>
					<label className="flex items-center gap-2">
						<input type="radio" name="roundChoice" value="close" required defaultChecked={!hasOpen} />
						{hasOpen ? t('approveGuard.close') : t('approveGuard.belowTarget')}
					</label>
					{hasOpen ? (
						<label className="flex items-center gap-2">
							<input type="radio" name="roundChoice" value="keep_open" required />
							{t('approveGuard.keepOpen')}
						</label>
					) : null}
				</fieldset>
				<label htmlFor="round-justification" className="font-medium">
					{t('approveGuard.justificationLabel')}
				</label>
				<p id="round-justification-hint" className="text-sm text-slate-700">
					{t('approveGuard.justificationHint')}
				</p>
				<textarea
					id="round-justification"
					name="roundJustification"
					rows={3}
					required
					minLength={20}
					maxLength={4000}
					aria-describedby="round-justification-hint"
					defaultValue={roundJustification}
					className="input"
					dir="auto"
				/>
				<button type="submit" className="btn btn-primary self-start">
					{t('approveGuard.submit')}
				</button>
			</Form>
		</section>
	)
}
