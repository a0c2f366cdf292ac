import { count } from 'drizzle-orm'
import { createDataset } from '#app/models/dataset.server.ts'
import { runImport } from '#app/models/import.server.ts'
import { createUseCase } from '#app/models/use-case.server.ts'
import { createVersion, getVersion } from '#app/models/version.server.ts'
import { db, isEmbedded } from '#app/utils/db.server.ts'
import { getEnv } from '#app/utils/env.server.ts'
import { hashPassword } from '#app/utils/password.server.ts'
import { users } from './schema/accounts.ts'
import { seedConsultations } from './demo-consultation.ts'
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
	const created = await db
		.insert(users)
		.values(demoAccounts.map((a) => ({ email: a.email, displayName: a.displayName, preferredLanguage: a.preferredLanguage, passwordHash })))
		.onConflictDoNothing({ target: users.email })
		.returning({ id: users.id, email: users.email })
	const owner = created.find((u) => u.email === demoAccounts[0].email)
	if (owner) {
		const seeded: Array<{ datasetId: string; slug: string; versionId: string; importId: string }> = []
		for (const d of demoDatasets) {
			const dataset = await createDataset({ slug: d.slug, name: d.name, description: d.description, ownerId: owner.id })
			if (!dataset) continue
			for (const u of d.useCases) await createUseCase(dataset.id, u, owner.id)
			const result = await createVersion({ ...d.version, datasetId: dataset.id, parentLabel: null, userId: owner.id })
			if (!result.version) continue
			// The demo goes through the same import path as an uploaded file.
			const jsonl = d.samples.map((s) => JSON.stringify(s)).join('\n')
			await runImport({
				versionId: result.version.id,
				format: 'jsonl',
				filename: `${d.slug}.jsonl`,
				userId: owner.id,
				source: (async function* () {
					yield new TextEncoder().encode(jsonl)
				})(),
			})
			const imported = await getVersion({ datasetId: dataset.id, label: d.version.label })
			if (imported?.currentImportId) seeded.push({ datasetId: dataset.id, slug: d.slug, versionId: imported.id, importId: imported.currentImportId })
		}
		// A consultation under way and one finished, through the same models as the pages.
		const reviewers = demoAccounts.flatMap((a) => {
			const user = created.find((u) => u.email === a.email)
			if (!user || a.role === 'owner') return []
			return [
				{
					id: user.id,
					email: a.email,
					role: a.role === 'expert' ? ('expert' as const) : ('community' as const),
					preferredLanguage: a.preferredLanguage,
					expertise: a.role === 'expert' ? 'sociolinguistics' : undefined,
				},
			]
		})
		await seedConsultations({ ownerId: owner.id, reviewers, datasets: seeded, passwordHash })
	}
	return demoAccounts.map((a) => ({ role: a.role, email: a.email, password: DEMO_PASSWORD }))
}
