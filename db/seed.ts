// `npm run db:seed`: adds the demo accounts and datasets (works on PostgreSQL too, where start-up never seeds).
import { closeDb, migrate } from '#app/utils/db.server.ts'
import { seedDemo } from './demo.ts'

try {
	await migrate()
	const logins = await seedDemo()
	console.log('Demo seeded. Sign in with:')
	for (const l of logins) console.log(`  ${l.role.padEnd(10)} ${l.email}  ${l.password}`)
} catch (error) {
	console.error((error as Error).message)
	process.exitCode = 1
} finally {
	await closeDb()
}
