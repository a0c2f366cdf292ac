import { count } from 'drizzle-orm'
import { canonicalSampleContent } from '#app/domain/sample.ts'
import { sha256Hex } from '#app/utils/crypto.server.ts'
import { db, isEmbedded } from '#app/utils/db.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { hashPassword } from '#app/utils/password.server.ts'
import { users } from './schema/accounts.ts'
import { datasetMembers, datasets, samples, useCases, versions } from './schema/datasets.ts'
import { demoDatasets } from './demo-data.ts'

export const DEMO_PASSWORD = 'roundtable-demo'

export const demoAccounts = [
	{ role: 'owner', email: 'ada.owner@roundtable.test', displayName: 'Ada Okafor', preferredLanguage: 'en' },
	{ role: 'reviewer', email: 'rami.reviewer@roundtable.test', displayName: 'Rami Haddad', preferredLanguage: 'ar' },
	{ role: 'expert', email: 'lucia.expert@roundtable.test', displayName: 'Lucía Pérez', preferredLanguage: 'es' },
] as const

export type DemoLogin = { role: string; email: string; password: string }

/** Seeds the demo on an empty embedded database (or when SEED_DEMO=true); returns the logins it made. */
export async function seedDemoIfEmpty(): Promise<DemoLogin[] | null> {
	const env = getEnv()
	const wanted = env.SEED_DEMO ?? isEmbedded()
	if (!wanted) return null
	const [row] = await db.select({ n: count() }).from(users)
	if ((row?.n ?? 0) > 0) return null
	return seedDemo()
}

export async function seedDemo(): Promise<DemoLogin[]> {
	const passwordHash = await hashPassword(DEMO_PASSWORD)
	await db.transaction(async (tx) => {
		const created = await tx
			.insert(users)
			.values(demoAccounts.map((a) => ({ email: a.email, displayName: a.displayName, preferredLanguage: a.preferredLanguage, passwordHash })))
			.onConflictDoNothing({ target: users.email })
			.returning({ id: users.id, email: users.email })
		const owner = created.find((u) => u.email === demoAccounts[0].email)
		if (!owner) return // already seeded
		for (const d of demoDatasets) {
			const [dataset] = await tx
				.insert(datasets)
				.values({ slug: d.slug, name: d.name, description: d.description, createdBy: owner.id })
				.returning({ id: datasets.id })
			if (!dataset) continue
			await tx.insert(datasetMembers).values({ datasetId: dataset.id, userId: owner.id, role: 'owner' })
			await tx.insert(useCases).values(d.useCases.map((u) => ({ ...u, datasetId: dataset.id })))
			const [version] = await tx
				.insert(versions)
				.values({ ...d.version, datasetId: dataset.id, createdBy: owner.id, sampleCount: d.samples.length })
				.returning({ id: versions.id })
			if (!version) continue
			await tx.insert(samples).values(
				d.samples.map((s) => ({
					versionId: version.id,
					externalId: s.id,
					content: s.content ?? null,
					messages: s.messages ?? null,
					language: s.language,
					metadata: s.metadata,
					contentHash: sha256Hex(canonicalSampleContent(s)),
				})),
			)
		}
	})
	return demoAccounts.map((a) => ({ role: a.role, email: a.email, password: DEMO_PASSWORD }))
}
