import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createCookie } from '@remix-run/node'
import { createInstance, type i18n as I18n, type Resource, type TFunction } from 'i18next'
import { initReactI18next } from 'react-i18next'
import { supportedLanguages } from '#app/domain/enums.ts'
import { getUser } from './auth.server.ts'
import { cookieSecure } from './env.server.ts'
import { negotiateLanguage } from '#app/domain/language.ts'
import { defaultNamespace, fallbackLanguage, isSupportedLanguage, type Language } from './i18n.ts'

type LocaleFiles = Record<string, { default: Record<string, unknown> }>

/** Read from disk when this module runs outside Vite (scripts under tsx: the benchmarks, db:seed). */
function readLocales(): LocaleFiles {
	const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../locales')
	const out: LocaleFiles = {}
	// Only the language folders (locales/README.md sits beside them).
	for (const lng of readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? [d.name] : []))) {
		for (const file of readdirSync(path.join(dir, lng)).filter((f) => f.endsWith('.json'))) {
			out[`../../locales/${lng}/${file}`] = { default: JSON.parse(readFileSync(path.join(dir, lng, file), 'utf8')) as Record<string, unknown> }
		}
	}
	return out
}

let files: LocaleFiles
try {
	// Vite replaces this call with the bundled files; elsewhere import.meta.glob does not exist.
	files = import.meta.glob<{ default: Record<string, unknown> }>('../../locales/*/*.json', { eager: true })
} catch {
	files = readLocales()
}

export const resources: Resource = {}
for (const [file, mod] of Object.entries(files)) {
	const match = /locales\/([^/]+)\/([^/]+)\.json$/.exec(file)
	if (!match) continue
	const [, lng, ns] = match as unknown as [string, string, string]
	resources[lng] ??= {}
	resources[lng][ns] = mod.default
}
export const namespaces = Object.keys(resources[fallbackLanguage] ?? {})

export const languageCookie = createCookie('lng', {
	path: '/',
	sameSite: 'lax',
	httpOnly: true,
	secure: cookieSecure(),
	maxAge: 60 * 60 * 24 * 365,
})

/** Profile language first, then the switcher's cookie, then Accept-Language. */
export async function getLanguage(request: Request): Promise<Language> {
	const user = await getUser(request)
	if (isSupportedLanguage(user?.preferredLanguage)) return user.preferredLanguage
	return getBrowserLanguage(request)
}

/** The switcher's cookie, then Accept-Language: what is known without the database (the error page when it is down). */
export async function getBrowserLanguage(request: Request): Promise<Language> {
	const chosen = (await languageCookie.parse(request.headers.get('Cookie')).catch(() => null)) as unknown
	if (isSupportedLanguage(chosen)) return chosen
	return negotiateLanguage(request.headers.get('Accept-Language')) ?? fallbackLanguage
}

// One i18next instance per language, built once: building one per request cost ~40% of throughput.
const instances = new Map<Language, I18n>()

export function getI18n(language: Language): I18n {
	let instance = instances.get(language)
	if (!instance) {
		instance = createInstance()
		void instance.use(initReactI18next).init({
			lng: language,
			fallbackLng: fallbackLanguage,
			supportedLngs: [...supportedLanguages],
			ns: namespaces,
			defaultNS: defaultNamespace,
			resources,
			initImmediate: false,
			interpolation: { escapeValue: false },
			react: { useSuspense: false },
		})
		instances.set(language, instance)
	}
	return instance
}

export function getFixedT(language: Language, ns: string | string[] = defaultNamespace): TFunction {
	return getI18n(language).getFixedT(language, ns)
}

export async function getT(request: Request, ns: string | string[] = defaultNamespace) {
	const language = await getLanguage(request)
	return { t: getFixedT(language, ns), language }
}
