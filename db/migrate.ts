// `npm run db:migrate`: applies db/migrations to DATABASE_URL, or to the embedded database in DATA_DIR.
import { closeDb, migrate } from '#app/utils/db.server.ts'

try {
	await migrate()
	console.log('Migrations applied.')
} catch (error) {
	console.error((error as Error).message)
	process.exitCode = 1
} finally {
	await closeDb()
}
