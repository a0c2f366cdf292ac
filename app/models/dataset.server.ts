import { and, asc, desc, eq, sql } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { datasetMembers, datasets, versions } from '#db/schema/datasets.ts'
import { auditDiff } from '#app/domain/audit.ts'
import { db } from '#app/utils/db.server.ts'
import { recordAudit } from './audit.server.ts'

/** The dataset as its team sees it, or null when `userId` is not on the team (the caller answers 404). */
export async function getDatasetForMember({ slug, userId }: { slug: string; userId: string }) {
	const [row] = await db
		.select({
			id: datasets.id,
			slug: datasets.slug,
			name: datasets.name,
			description: datasets.description,
			revision: datasets.revision,
			role: datasetMembers.role,
		})
		.from(datasets)
		.innerJoin(datasetMembers, and(eq(datasetMembers.datasetId, datasets.id), eq(datasetMembers.userId, userId)))
		.where(eq(datasets.slug, slug))
	return row ?? null
}

export async function listDatasetsForMember(userId: string) {
	return db
		.select({
			slug: datasets.slug,
			name: datasets.name,
			role: datasetMembers.role,
			updatedAt: datasets.updatedAt,
			versionCount: sql<number>`(select count(*)::int from ${versions} where ${versions.datasetId} = ${datasets.id})`,
		})
		.from(datasets)
		.innerJoin(datasetMembers, and(eq(datasetMembers.datasetId, datasets.id), eq(datasetMembers.userId, userId)))
		.orderBy(desc(datasets.updatedAt))
}

export async function slugTaken(slug: string, exceptId?: string) {
	const [row] = await db.select({ id: datasets.id }).from(datasets).where(eq(datasets.slug, slug))
	return !!row && row.id !== exceptId
}

export async function createDataset(input: { slug: string; name: string; description: string; ownerId: string }) {
	return db.transaction(async (tx) => {
		const [dataset] = await tx
			.insert(datasets)
			.values({ slug: input.slug, name: input.name, description: input.description, createdBy: input.ownerId })
			.onConflictDoNothing({ target: datasets.slug })
			.returning({ id: datasets.id, slug: datasets.slug })
		if (!dataset) return null
		await tx.insert(datasetMembers).values({ datasetId: dataset.id, userId: input.ownerId, role: 'owner' })
		await recordAudit(
			{ datasetId: dataset.id, actorId: input.ownerId, action: 'dataset.created', targetType: 'dataset', targetId: dataset.id, targetLabel: input.name, after: { name: input.name, slug: input.slug } },
			tx,
		)
		return dataset
	})
}

/** Saves only if nobody saved since `revision` was read; returns false on a conflict. The audit log gets the changed fields. */
export async function updateDataset(input: { id: string; revision: number; slug: string; name: string; description: string; actorId: string }) {
	return db.transaction(async (tx) => {
		const [current] = await tx
			.select({ slug: datasets.slug, name: datasets.name, description: datasets.description })
			.from(datasets)
			.where(and(eq(datasets.id, input.id), eq(datasets.revision, input.revision)))
			.for('update')
		if (!current) return false
		const values = { slug: input.slug, name: input.name, description: input.description }
		await tx
			.update(datasets)
			.set({ ...values, revision: sql`${datasets.revision} + 1`, updatedAt: new Date() })
			.where(eq(datasets.id, input.id))
		const change = auditDiff(current, values, ['name', 'slug', 'description'])
		if (change) await recordAudit({ datasetId: input.id, actorId: input.actorId, action: 'dataset.updated', targetType: 'dataset', targetId: input.id, targetLabel: input.name, ...change }, tx)
		return true
	})
}

export async function listTeam(datasetId: string) {
	return db
		.select({ userId: users.id, displayName: users.displayName, email: users.email, role: datasetMembers.role, since: datasetMembers.createdAt })
		.from(datasetMembers)
		.innerJoin(users, eq(users.id, datasetMembers.userId))
		.where(eq(datasetMembers.datasetId, datasetId))
		.orderBy(asc(datasetMembers.createdAt))
}

export type AddMaintainerResult = 'added' | 'already_member' | 'no_account'

/** The audit log names the member by display name, never by the email they were added with. */
export async function addMaintainer(datasetId: string, email: string, actorId: string): Promise<AddMaintainerResult> {
	const [user] = await db.select({ id: users.id, displayName: users.displayName }).from(users).where(eq(users.email, email))
	if (!user) return 'no_account'
	return db.transaction(async (tx) => {
		const rows = await tx.insert(datasetMembers).values({ datasetId, userId: user.id, role: 'maintainer' }).onConflictDoNothing().returning({ userId: datasetMembers.userId })
		if (!rows.length) return 'already_member'
		await recordAudit({ datasetId, actorId, action: 'team.member_added', targetType: 'team', targetId: user.id, targetLabel: user.displayName, after: { role: 'maintainer' } }, tx)
		return 'added'
	})
}

/** Removes a maintainer; owners are never removed this way (a dataset always keeps its owner). */
export async function removeMaintainer(datasetId: string, userId: string, actorId: string) {
	return db.transaction(async (tx) => {
		const rows = await tx
			.delete(datasetMembers)
			.where(and(eq(datasetMembers.datasetId, datasetId), eq(datasetMembers.userId, userId), eq(datasetMembers.role, 'maintainer')))
			.returning({ userId: datasetMembers.userId })
		if (rows.length !== 1) return false
		const [member] = await tx.select({ displayName: users.displayName }).from(users).where(eq(users.id, userId))
		await recordAudit({ datasetId, actorId, action: 'team.member_removed', targetType: 'team', targetId: userId, targetLabel: member?.displayName ?? '', before: { role: 'maintainer' } }, tx)
		return true
	})
}
