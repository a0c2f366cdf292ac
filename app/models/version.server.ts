import { and, desc, eq, sql } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { imports, versions } from '#db/schema/datasets.ts'
import { type VersionAction, transitionVersion } from '#app/domain/version-status.ts'
import { type ProvenanceInput } from '#app/domain/version.ts'
import { db } from '#app/utils/db.server.ts'
import { recordAudit } from './audit.server.ts'
import { gateCounts, listOpenBlockers } from './issue.server.ts'
import { emitVersionStatusChanged } from './webhook.server.ts'

const versionColumns = {
	id: versions.id,
	label: versions.label,
	status: versions.status,
	parentId: versions.parentId,
	modelName: versions.modelName,
	modelVersion: versions.modelVersion,
	modelProvider: versions.modelProvider,
	generationMethod: versions.generationMethod,
	promptTemplates: versions.promptTemplates,
	personaDefinitions: versions.personaDefinitions,
	seedDataDescription: versions.seedDataDescription,
	knownLimitations: versions.knownLimitations,
	changelog: versions.changelog,
	templateKey: versions.templateKey,
	personaKey: versions.personaKey,
	source: versions.source,
	sampleCount: versions.sampleCount,
	currentImportId: versions.currentImportId,
	revision: versions.revision,
	overriddenBlockers: versions.overriddenBlockers,
	overrideJustification: versions.overrideJustification,
	createdAt: versions.createdAt,
}

export async function listVersions(datasetId: string) {
	return db
		.select({
			id: versions.id,
			label: versions.label,
			status: versions.status,
			sampleCount: versions.sampleCount,
			parentId: versions.parentId,
			overriddenBlockers: versions.overriddenBlockers,
			createdAt: versions.createdAt,
		})
		.from(versions)
		.where(eq(versions.datasetId, datasetId))
		.orderBy(desc(versions.createdAt))
}

/** A version of `datasetId` by label (the dataset guard ran first, so the caller may see it). */
export async function getVersion({ datasetId, label }: { datasetId: string; label: string }) {
	const [row] = await db
		.select({ ...versionColumns, createdBy: users.displayName })
		.from(versions)
		.leftJoin(users, eq(users.id, versions.createdBy))
		.where(and(eq(versions.datasetId, datasetId), eq(versions.label, label)))
	if (!row) return null
	const parent = row.parentId
		? ((
				await db
					.select({ label: versions.label, currentImportId: versions.currentImportId })
					.from(versions)
					.where(and(eq(versions.id, row.parentId), eq(versions.datasetId, datasetId)))
			)[0] ?? null)
		: null
	return { ...row, parent }
}

export async function versionLabelTaken(datasetId: string, label: string) {
	const [row] = await db
		.select({ id: versions.id })
		.from(versions)
		.where(and(eq(versions.datasetId, datasetId), eq(versions.label, label)))
	return !!row
}

export async function createVersion(
	input: Omit<ProvenanceInput, 'templateKey' | 'personaKey'> &
		Partial<Pick<ProvenanceInput, 'templateKey' | 'personaKey'>> & { datasetId: string; label: string; parentLabel: string | null; userId: string },
) {
	const { datasetId, label, parentLabel, userId, ...provenance } = input
	let parentId: string | null = null
	if (parentLabel) {
		const [parent] = await db
			.select({ id: versions.id })
			.from(versions)
			.where(and(eq(versions.datasetId, datasetId), eq(versions.label, parentLabel)))
		if (!parent) return { error: 'parent_not_found' as const }
		parentId = parent.id
	}
	const [row] = await db
		.insert(versions)
		.values({ datasetId, label, parentId, createdBy: userId, ...provenance })
		.onConflictDoNothing({ target: [versions.datasetId, versions.label] })
		.returning({ id: versions.id, label: versions.label })
	if (!row) return { error: 'label_taken' as const }
	return { version: row }
}

/** Provenance edits, guarded by the revision the form was opened at. */
export async function updateProvenance(input: ProvenanceInput & { versionId: string; revision: number }) {
	const { versionId, revision, ...provenance } = input
	const rows = await db
		.update(versions)
		.set({ ...provenance, revision: sql`${versions.revision} + 1`, updatedAt: new Date() })
		.where(and(eq(versions.id, versionId), eq(versions.revision, revision)))
		.returning({ id: versions.id })
	return rows.length === 1
}

/**
 * Applies a lifecycle action; the rule itself is app/domain/version-status.ts. Approval counts the
 * open blocking issues in the same transaction (the version row is locked, so the count cannot
 * go stale between check and change); only an owner may override them, with a justification that
 * goes to the audit log and stays on the version ("approved with 2 overridden blockers").
 */
export async function changeVersionStatus(input: {
	versionId: string
	datasetId: string
	actorId: string
	action: VersionAction
	justification?: string | null
	mayOverride?: boolean
	/** An approval past open or under-covered rounds: the team's explicit choice and why (audit log). */
	roundNote?: { choice: 'close' | 'keep_open'; justification: string; rounds: string[] } | null
}) {
	return db.transaction(async (tx) => {
		const [v] = await tx.select({ status: versions.status, label: versions.label, currentImportId: versions.currentImportId }).from(versions).where(eq(versions.id, input.versionId)).for('update')
		if (!v) return { ok: false as const, reason: 'not_allowed' as const, blockers: [] }
		if (input.action === 'open_consultation' && !v.currentImportId) return { ok: false as const, reason: 'no_samples' as const, blockers: [] }
		const gate = input.action === 'approve' ? await gateCounts(input.versionId, tx) : { blocking: 0, open: 0 }
		const justification = input.mayOverride ? input.justification : null
		const result = transitionVersion(v.status, input.action, { openBlockingIssues: gate.blocking, overrideJustification: justification })
		if (!result.ok) {
			const blockers = result.reason === 'not_allowed' ? [] : await listOpenBlockers(input.versionId, 50, tx)
			return { ...result, blockers }
		}
		const override =
			result.to === 'approved'
				? { overriddenBlockers: result.overridden, overrideJustification: result.overridden ? justification!.trim() : null }
				: result.to === 'released'
					? {}
					: { overriddenBlockers: 0, overrideJustification: null }
		await tx
			.update(versions)
			.set({ status: result.to, ...override, revision: sql`${versions.revision} + 1`, updatedAt: new Date() })
			.where(eq(versions.id, input.versionId))
		await emitVersionStatusChanged(tx, { versionId: input.versionId, from: v.status, to: result.to, overriddenBlockers: result.overridden })
		await recordAudit(
			{
				datasetId: input.datasetId,
				versionId: input.versionId,
				actorId: input.actorId,
				action: result.overridden ? 'version.approved_with_override' : `version.${result.to}`,
				targetType: 'version',
				targetId: input.versionId,
				targetLabel: v.label,
				before: { status: v.status },
				after: {
					status: result.to,
					...(result.overridden ? { overriddenBlockers: result.overridden, blockers: (await listOpenBlockers(input.versionId, 500, tx)).map((b) => `#${b.number}`) } : {}),
					...(input.roundNote ? { roundChoice: input.roundNote.choice, rounds: input.roundNote.rounds, roundJustification: input.roundNote.justification } : {}),
				},
				reason: [result.overridden ? justification!.trim() : '', input.roundNote?.justification ?? ''].filter(Boolean).join('\n\n'),
			},
			tx,
		)
		return { ...result, blockers: [] }
	})
}

export async function getImportSummary(importId: string) {
	const [row] = await db.select({ facets: imports.facets, languages: imports.languages }).from(imports).where(eq(imports.id, importId))
	return row ?? { facets: {}, languages: {} }
}
