// ESLint: typescript-eslint's recommended rules (syntax only, no type information, to stay fast)
// and the import boundaries drawn in docs/architecture.md. Why each choice: docs/decisions/040.
import tseslint from 'typescript-eslint'

// Folders an import may land in. Each is matched in its alias form (`#app/models/x.ts`) and in
// its relative form (`../models/x.ts`, `../../db/schema/x.ts`): a relative path that climbs out
// of its folder and names a layer is taken to mean that layer.
const layers = {
	routes: { alias: '#app/routes', folder: 'routes' },
	components: { alias: '#app/components', folder: 'components' },
	models: { alias: '#app/models', folder: 'models' },
	guards: { alias: '#app/guards', folder: 'guards' },
	jobs: { alias: '#app/jobs', folder: 'jobs' },
	emails: { alias: '#app/emails', folder: 'emails' },
	server: { alias: '#app/server', folder: 'server' },
	utils: { alias: '#app/utils', folder: 'utils' },
	domain: { alias: '#app/domain', folder: 'domain' },
	schema: { alias: '#db/schema', folder: 'db/schema' },
	db: { alias: '#db', folder: 'db' },
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** One no-restricted-imports pattern forbidding a layer, in both spellings. */
function forbid(layer, why) {
	const { alias, folder } = layers[layer]
	return {
		regex: `^(${escape(alias)}(/|$)|(\\.\\./)+(app/)?${escape(folder)}(/|$))`,
		caseSensitive: true,
		message: `${why} (layering: docs/architecture.md)`,
	}
}

const noRoutes = forbid('routes', 'Nothing imports a route module; move what is shared into a model, the domain or a component')
const noServer = forbid('server', 'app/server is the process entry; the app does not import it')
const noDb = (who) => forbid('db', `${who} does not import the database schema; ask a model`)
const serverOnly = {
	regex: '\\.server(\\.tsx?)?$',
	message: 'Client code imports no *.server module (only a route’s loader and action may use one) (layering: docs/architecture.md)',
}
const packages = (names, why) => ({ regex: `^(${names.map(escape).join('|')})(/|$)`, message: `${why} (layering: docs/architecture.md)` })

/** The rule for one layer: the folders (and packages) it may not import. */
const boundary = (files, patterns, ignores = []) => ({
	files,
	ignores,
	rules: { 'no-restricted-imports': ['error', { patterns: [noRoutes, noServer, ...patterns] }] },
})

const boundaries = [
	// Everything outside a layer (entries, tests, bench, db scripts) still imports no route, except
	// tests that drive a route's loader or action directly.
	boundary(['**/*.{ts,tsx,js,mjs}'], [], ['tests/**', 'app/server/**', 'app/routes/**']),
	{ files: ['app/server/**'], rules: { 'no-restricted-imports': ['error', { patterns: [noRoutes] }] } },

	// Routes: loader + action + UI. They call models and guards; the UI is client code, so a route
	// module imports no schema (its loader asks a model), and a helper beside it (`__name.tsx`) is
	// bundled for the browser whole, so it imports no *.server module either.
	{
		files: ['app/routes/**', 'app/root.tsx'],
		rules: {
			'no-restricted-imports': ['error', { patterns: [noServer, forbid('jobs', 'A route does not run jobs; a model queues the work and app/jobs does it'), noDb('A route (client code)')] }],
		},
	},
	boundary(['app/routes/**/__*.tsx'], [noDb('A route helper (client code)'), serverOnly]),
	{
		files: ['app/routes/**/*.server.ts'],
		rules: { 'no-restricted-imports': ['error', { patterns: [noServer, forbid('jobs', 'A route does not run jobs; a model queues the work and app/jobs does it')] }] },
	},

	boundary(
		['app/components/**', 'app/entry.client.tsx'],
		[
			noDb('A component (client code)'),
			serverOnly,
			forbid('models', 'A component gets its data from the route’s loader, not a model'),
			forbid('guards', 'A component does not guard requests'),
			forbid('jobs', 'A component does not run jobs'),
			forbid('emails', 'A component does not render emails'),
		],
	),

	boundary(['app/models/**'], [forbid('components', 'A model does not render UI'), forbid('jobs', 'Jobs call models, not the reverse: return what the job needs')]),

	boundary(['app/guards/**'], [forbid('components', 'A guard does not render UI'), forbid('jobs', 'A guard does not run jobs'), forbid('emails', 'A guard does not send email')]),

	boundary(['app/jobs/**'], [forbid('components', 'A job does not render UI'), forbid('guards', 'A job has no request to guard')]),

	boundary(
		['app/emails/**'],
		[
			forbid('models', 'An email is rendered from what its sender passes; the sender queries'),
			forbid('guards', 'An email does not guard requests'),
			forbid('jobs', 'Jobs render emails, not the reverse'),
			forbid('components', 'Emails are rendered as strings, not React components'),
			noDb('An email'),
		],
	),

	// Infrastructure at the bottom: it may use the database schema (db.server.ts) and pure domain
	// values, nothing that sits above it.
	boundary(
		['app/utils/**'],
		[
			forbid('models', 'Infrastructure (app/utils) imports no model; a guard or a model does the query'),
			forbid('guards', 'Infrastructure (app/utils) imports no guard'),
			forbid('jobs', 'Infrastructure (app/utils) imports no job'),
			forbid('emails', 'Infrastructure (app/utils) sends what it is given; it imports no email'),
			forbid('components', 'Infrastructure (app/utils) imports no component'),
		],
	),

	// The domain is pure TypeScript: no database, no drivers, no Remix, no infrastructure.
	boundary(
		['app/domain/**'],
		[
			noDb('The domain'),
			forbid('utils', 'The domain imports no infrastructure (app/utils)'),
			forbid('models', 'The domain imports no model'),
			forbid('guards', 'The domain imports no guard'),
			forbid('jobs', 'The domain imports no job'),
			forbid('emails', 'The domain imports no email'),
			forbid('components', 'The domain imports no component'),
			packages(
				['drizzle-orm', 'postgres', '@electric-sql/pglite', 'lucia', 'nodemailer', '@remix-run', 'express', 'react', 'react-dom'],
				'The domain is pure TypeScript: no database, driver, framework or UI package',
			),
		],
	),

	// The schema takes its enumerations from the domain and nothing else of the app.
	boundary(
		['db/schema/**'],
		[
			forbid('utils', 'The schema imports no infrastructure'),
			forbid('models', 'The schema imports no model'),
			forbid('guards', 'The schema imports no guard'),
			forbid('jobs', 'The schema imports no job'),
			forbid('emails', 'The schema imports no email'),
			forbid('components', 'The schema imports no component'),
		],
	),
]

export default tseslint.config(
	{
		ignores: [
			'build/**',
			'public/**',
			'node_modules/**',
			'db/migrations/**',
			'bench/.out/**',
			'.data/**',
			'.cache/**',
			'.ci-out/**',
			'test-results/**',
			'playwright-report/**',
			'blob-report/**',
			'clients/**',
		],
	},
	...tseslint.configs.recommended,
	{
		files: ['**/*.{ts,tsx}'],
		rules: {
			// Its ten uses are generic parameters of library types in component props (Conform's
			// FieldMetadata<any>, i18next's TFunction<any, any>): retyping them is not this change (decision 040).
			'@typescript-eslint/no-explicit-any': 'off',
			// The code names a deliberately unused binding `_`, and drops fields with a rest sibling (`const { id, ...rest } = row`).
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
		},
	},
	{
		files: ['**/*.{js,mjs}'],
		languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
	},
	...boundaries,
)
