import { and, asc, desc, eq, sql } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { useCaseRevisions, useCases } from '#db/schema/datasets.ts'
import { auditDiff } from '#app/domain/audit.ts'
import { type UseCaseInput, useCaseFields } from '#app/domain/use-case.ts'
import { db, type Tx } from '#app/utils/db.server.ts'
import { recordAudit } from './audit.server.ts'

const columns = {
	id: useCases.id,
	title: useCases.title,
	purpose: useCases.purpose,
	modelUsers: useCases.modelUsers,
	deploymentContext: useCases.deploymentContext,
	pipelineStage: useCases.pipelineStage,
	riskNotes: useCases.riskNotes,
	revision: useCases.revision,
	updatedAt: useCases.updatedAt,
}

export async function listUseCases(datasetId: string) {
	return db.select(columns).from(useCases).where(eq(useCases.datasetId, datasetId)).orderBy(asc(useCases.createdAt))
}

export async function getUseCase({ datasetId, useCaseId }: { datasetId: string; useCaseId: string }) {
	const [row] = await db
		.select(columns)
		.from(useCases)
		.where(and(eq(useCases.id, useCaseId), eq(useCases.datasetId, datasetId)))
	return row ?? null
}

async function recordRevision(tx: Tx, useCaseId: string, revision: number, input: UseCaseInput, userId: string) {
	await tx.insert(useCaseRevisions).values({ useCaseId, revision, snapshot: { ...input }, editedBy: userId })
}

export async function createUseCase(datasetId: string, input: UseCaseInput, userId: string) {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.insert(useCases)
			.values({ datasetId, ...input })
			.returning({ id: useCases.id })
		await recordRevision(tx, row!.id, 1, input, userId)
		await recordAudit(
			{
				datasetId,
				actorId: userId,
				action: 'use_case.created',
				targetType: 'use_case',
				targetId: row!.id,
				targetLabel: input.title,
				after: { title: input.title, pipelineStage: input.pipelineStage },
			},
			tx,
		)
		return row!
	})
}

/** Saves when nobody saved since `revision`; every saved state is kept for the history page, the changed fields in the audit log. */
export async function updateUseCase(input: { datasetId: string; useCaseId: string; revision: number; values: UseCaseInput; userId: string }) {
	return db.transaction(async (tx) => {
		const [current] = await tx
			.select({
				title: useCases.title,
				purpose: useCases.purpose,
				modelUsers: useCases.modelUsers,
				deploymentContext: useCases.deploymentContext,
				pipelineStage: useCases.pipelineStage,
				riskNotes: useCases.riskNotes,
			})
			.from(useCases)
			.where(and(eq(useCases.id, input.useCaseId), eq(useCases.datasetId, input.datasetId)))
			.for('update')
		if (!current) return false
		const [row] = await tx
			.update(useCases)
			.set({ ...input.values, revision: sql`${useCases.revision} + 1`, updatedAt: new Date() })
			.where(and(eq(useCases.id, input.useCaseId), eq(useCases.datasetId, input.datasetId), eq(useCases.revision, input.revision)))
			.returning({ revision: useCases.revision })
		if (!row) return false
		await recordRevision(tx, input.useCaseId, row.revision, input.values, input.userId)
		const change = auditDiff(current, input.values, useCaseFields)
		if (change)
			await recordAudit(
				{ datasetId: input.datasetId, actorId: input.userId, action: 'use_case.updated', targetType: 'use_case', targetId: input.useCaseId, targetLabel: input.values.title, ...change },
				tx,
			)
		return true
	})
}

export async function useCaseHistory(useCaseId: string) {
	return db
		.select({ revision: useCaseRevisions.revision, snapshot: useCaseRevisions.snapshot, editedBy: users.displayName, createdAt: useCaseRevisions.createdAt })
		.from(useCaseRevisions)
		.leftJoin(users, eq(users.id, useCaseRevisions.editedBy))
		.where(eq(useCaseRevisions.useCaseId, useCaseId))
		.orderBy(desc(useCaseRevisions.revision))
}
