import { vitePlugin as remix } from '@remix-run/dev'
import tailwindcss from '@tailwindcss/vite'
import { defineConfig } from 'vite'

declare module '@remix-run/node' {
	interface Future {
		v3_singleFetch: true
	}
}

export default defineConfig({
	server: { port: 3000 },
	build: { target: 'es2022', cssMinify: true },
	optimizeDeps: {
		// why: the fs backend is server-only and breaks vite's dependency scan in dev
		exclude: ['i18next-fs-backend', '@electric-sql/pglite', '@node-rs/argon2'],
	},
	ssr: {
		// PGlite ships its WASM next to its JS; bundling it would lose those files.
		external: ['@electric-sql/pglite', '@node-rs/argon2', 'postgres'],
	},
	plugins: [
		tailwindcss(),
		// why: the Remix plugin must not run under vitest (it expects a full dev/build run)
		!process.env.VITEST &&
			remix({
				serverModuleFormat: 'esm',
				future: {
					v3_fetcherPersist: true,
					v3_relativeSplatPath: true,
					v3_throwAbortReason: true,
					v3_singleFetch: true,
					v3_lazyRouteDiscovery: false,
					v3_routeConfig: true,
				},
			}),
	],
})
