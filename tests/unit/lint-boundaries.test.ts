import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { describe, expect, test } from 'vitest'

// The layering rule of eslint.config.js, run through ESLint itself on in-memory sources placed at
// real paths: a wrong import in either spelling (alias or relative) is an error, a right one is not.
const root = fileURLToPath(new URL('../..', import.meta.url))
const eslint = new ESLint({ cwd: root, overrideConfigFile: `${root}eslint.config.js` })

async function boundaryErrors(filePath: string, code: string) {
	const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` })
	return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('import boundaries', () => {
	test.each([
		['app/domain/x.ts', "import { issues } from '#db/schema/issues.ts'", /domain does not import the database schema/],
		['app/domain/x.ts', "import { issues } from '../../db/schema/issues.ts'", /domain does not import the database schema/],
		['app/domain/import/x.ts', "import { db } from '../../utils/db.server.ts'", /domain imports no infrastructure/],
		['app/domain/x.ts', "import { eq } from 'drizzle-orm'", /domain is pure TypeScript/],
		['app/domain/x.ts', "export { getIssue } from '#app/models/issue.server.ts'", /domain imports no model/],
		['app/utils/x.server.ts', "import { getVersion } from '#app/models/version.server.ts'", /imports no model/],
		['app/utils/x.server.ts', "import { getVersion } from '../models/version.server.ts'", /imports no model/],
		['app/models/x.server.ts', "import { deliver } from '#app/jobs/webhook-delivery.server.ts'", /Jobs call models/],
		['app/components/x.tsx', "import { db } from '#app/utils/db.server.ts'", /imports no \*\.server module/],
		['app/components/x.tsx', "import { type flags } from '#db/schema/reviews.ts'", /component \(client code\) does not import the database schema/],
		['app/routes/inbox.tsx', "import { issues } from '#db/schema/issues.ts'", /route \(client code\) does not import the database schema/],
		['app/routes/rounds+/$roundId+/__x.tsx', "import { requireUser } from '#app/utils/auth.server.ts'", /imports no \*\.server module/],
		['db/schema/x.ts', "import { db } from '#app/utils/db.server.ts'", /schema imports no infrastructure/],
		['app/models/x.server.ts', "import { loader } from '#app/routes/inbox.tsx'", /Nothing imports a route module/],
		['app/server/x.ts', "import { loader } from '../routes/inbox.tsx'", /Nothing imports a route module/],
	])('%s: %s is refused', async (file, code, message) => {
		const errors = await boundaryErrors(file, code)
		expect(errors).toHaveLength(1)
		expect(errors[0]).toMatch(message)
	})

	test.each([
		['app/domain/x.ts', "import { supportedLanguages } from './language.ts'"],
		['app/domain/search/x.ts', "import { z } from 'zod'\nimport { emailField } from '../account.ts'"],
		['db/schema/x.ts', "import { issueStatuses } from '#app/domain/issue.ts'"],
		['app/models/x.server.ts', "import { issues } from '#db/schema/issues.ts'\nimport { db } from '#app/utils/db.server.ts'\nimport { recordAudit } from './audit.server.ts'"],
		['app/jobs/x.server.ts', "import { getVersion } from '#app/models/version.server.ts'\nimport { renderEmail } from '#app/emails/layout.server.ts'"],
		['app/routes/inbox.tsx', "import { requireUser } from '#app/utils/auth.server.ts'\nimport { listInbox } from '#app/models/inbox.server.ts'"],
		['app/components/x.tsx', "import { directionOf } from '#app/utils/i18n.ts'\nimport { ValueAxis } from './charts/axis.tsx'"],
		['tests/integration/x.test.ts', "import { action } from '#app/routes/inbox.tsx'"],
	])('%s: %s is allowed', async (file, code) => {
		expect(await boundaryErrors(file, code)).toEqual([])
	})
})
